// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory as the kernel reaches it: by guest-physical address through
 * the domain's slots of pinned pages, and by guest-virtual address through
 * the guest's own page tables (x86_gva_to_gpa()).  For hypercall handlers:
 * a bad guest pointer is -EFAULT, never a host fault.
 */
#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <asm/trapnr.h>

#include "domain.h"
#include "microv.h"
#include "x86.h"

/* The slot with RAM at @gpa, or NULL; d->lock held. */
struct microv_memslot *microv_memslot_at(struct microv_domain *d, u64 gpa)
{
	int i;

	for (i = 0; i < MICROV_MAX_MEMSLOTS; i++) {
		struct microv_memslot *s = &d->slots[i];

		if (s->npages && gpa >= s->gpa &&
		    gpa < s->gpa + (s->npages << PAGE_SHIFT))
			return s;
	}
	return NULL;
}

/*
 * The page the guest sees at @gpa: a hypervisor page placed there, else
 * the slot's page, pinned now if it was not; NULL if none (or read-only
 * and @write, or it cannot be pinned); d->lock held.
 */
struct page *microv_gpa_page(struct microv_domain *d, u64 gpa, bool write)
{
	struct page *page = microv_xen_page_at(d, gpa);
	struct microv_memslot *s;

	if (page)
		return page;
	s = microv_memslot_at(d, gpa);
	if (!s || (write && (s->flags & MICROV_MEM_READONLY)))
		return NULL;
	return microv_memslot_page(d, s, gpa);
}

/**
 * microv_gpa_access() - copy to or from guest-physical memory
 * @d:     the domain
 * @gpa:   where
 * @buf:   the host side
 * @len:   how much; may cross pages and slots
 * @write: to the guest (a read-only slot refuses)
 *
 * Return: 0, or -EFAULT if any byte has no RAM behind it (then nothing
 * more is copied).
 */
int microv_gpa_access(struct microv_domain *d, u64 gpa, void *buf, size_t len,
		      bool write)
{
	int ret = 0;

	mutex_lock(&d->lock);
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(gpa));
		struct page *page = microv_gpa_page(d, gpa, write);
		void *va;

		if (!page) {
			ret = -EFAULT;
			break;
		}
		va = kmap_local_page(page);
		if (write)
			memcpy(va + offset_in_page(gpa), buf, n);
		else
			memcpy(buf, va + offset_in_page(gpa), n);
		kunmap_local(va);
		gpa += n;
		buf += n;
		len -= n;
	}
	mutex_unlock(&d->lock);
	return ret;
}

static int microv_walk_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	return microv_gpa_access(ctx, gpa, buf, len, false);
}

/**
 * microv_linear_access() - copy to or from guest memory by linear address
 * @v:      the vCPU
 * @p:      the paging state that translates: with user-mode privileges
 *          at CPL 3
 * @gva:    where
 * @buf:    the host side
 * @len:    how much; each page is translated on its own
 * @write:  to the guest
 * @f:      out, if not NULL: the #PF the guest's CPU would take, when the
 *          guest's page tables refuse the access
 *
 * Return: 0 or -EFAULT (with @f->vector -1 if there is no #PF to give:
 * no RAM there, a page table outside RAM).
 */
int microv_linear_access(struct microv_vcpu *v, const struct x86_paging *p,
			 u64 gva, void *buf, size_t len, bool write,
			 struct x86_fault *f)
{
	struct x86_walk w = {
		.paging = *p,
		.user = p->cpl == 3,
		.read_gpa = microv_walk_read,
		.ctx = v->domain,
	};
	u32 pfec;

	if (f)
		f->vector = -1;
	/* Outside 64-bit mode addresses are 32 bits: no wrapping around. */
	if (p->mode != 64 &&
	    (gva > U32_MAX || len > (u64)U32_MAX + 1 - gva))
		return -EFAULT;
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(gva));
		int ret;
		u64 gpa;

		ret = x86_gva_to_gpa(&w, gva, write, &gpa, &pfec);
		if (ret == -EFAULT && f) {
			f->vector = X86_TRAP_PF;
			f->has_error = true;
			f->error = pfec;
			f->address = gva;
		}
		if (ret || microv_gpa_access(v->domain, gpa, buf, n, write))
			return -EFAULT;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* The same, translated as the vCPU's registers were at its last exit. */
int microv_gva_access(struct microv_vcpu *v, u64 gva, void *buf, size_t len,
		      bool write)
{
	return microv_linear_access(v, &v->paging, gva, buf, len, write, NULL);
}
