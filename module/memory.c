// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM: memory slots backed by the creator's own pages, pinned
 * long-term (FOLL_LONGTERM, so they are migrated out of movable zones and
 * CMA first) and charged to its RLIMIT_MEMLOCK, then mapped into the
 * guest by the backend (EPT for VMX).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "domain.h"
#include "microv.h"

static atomic64_t microv_pinned = ATOMIC64_INIT(0);

/* Pages pinned for all domains: a counter the tests read through sysfs. */
u64 microv_pinned_pages(void)
{
	return atomic64_read(&microv_pinned);
}

/* Frees the array of @npages pages and the charge for them. */
static void microv_unaccount(struct microv_domain *d, struct page **pages,
			     u64 npages)
{
	kvfree(pages);
	account_locked_vm(d->mm, npages, false);
	atomic64_sub(npages, &microv_pinned);
}

static void microv_unpin(struct microv_domain *d, struct page **pages,
			 u64 npages, bool dirty)
{
	unpin_user_pages_dirty_lock(pages, npages, dirty);
	microv_unaccount(d, pages, npages);
}

/* Pins @npages of the caller's memory at @uaddr; writable unless @ro. */
static struct page **microv_pin(struct microv_domain *d, u64 uaddr,
				u64 npages, bool ro)
{
	unsigned int gup = FOLL_LONGTERM | (ro ? 0 : FOLL_WRITE);
	struct page **pages;
	u64 done = 0;
	int ret;

	ret = account_locked_vm(d->mm, npages, true);
	if (ret)
		return ERR_PTR(ret);
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages) {
		account_locked_vm(d->mm, npages, false);
		return ERR_PTR(-ENOMEM);
	}
	atomic64_add(npages, &microv_pinned);
	while (done < npages) {
		int chunk = min_t(u64, npages - done, SZ_1G >> PAGE_SHIFT);

		ret = pin_user_pages_fast(uaddr + (done << PAGE_SHIFT), chunk,
					  gup, pages + done);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			break;
		}
		done += ret;
	}
	if (done == npages)
		return pages;

	unpin_user_pages(pages, done);
	microv_unaccount(d, pages, npages);
	return ERR_PTR(ret == -EFAULT || ret == -ENOMEM ? ret : -EFAULT);
}

static int microv_region_check(const struct microv_memory_region *r)
{
	u64 end = r->guest_phys_addr + r->memory_size;

	if (r->slot >= MICROV_MAX_MEMSLOTS || r->flags & ~MICROV_MEM_READONLY)
		return -EINVAL;
	if (!PAGE_ALIGNED(r->guest_phys_addr) || !PAGE_ALIGNED(r->memory_size) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	if (!r->memory_size)
		return 0;
	if (end < r->guest_phys_addr || end > MICROV_MAX_GPA)
		return -EINVAL;
	if (r->userspace_addr + r->memory_size < r->userspace_addr ||
	    !access_ok((void __user *)(unsigned long)r->userspace_addr,
		       r->memory_size))
		return -EFAULT;
	return 0;
}

static bool microv_overlaps(struct microv_domain *d, u32 skip, u64 gpa,
			    u64 npages)
{
	u64 end = gpa + (npages << PAGE_SHIFT);
	int i;

	for (i = 0; i < MICROV_MAX_MEMSLOTS; i++) {
		struct microv_memslot *s = &d->slots[i];

		if (i == skip || !s->npages)
			continue;
		if (gpa < s->gpa + (s->npages << PAGE_SHIFT) && s->gpa < end)
			return true;
	}
	return false;
}

/* What the Xen personality says about the guest's RAM; d->lock held. */
static void microv_memory_changed(struct microv_domain *d)
{
	u64 max_gfn = 0;
	int i;

	for (i = 0; i < MICROV_MAX_MEMSLOTS; i++) {
		struct microv_memslot *s = &d->slots[i];

		if (s->npages)
			max_gfn = max(max_gfn, (s->gpa >> PAGE_SHIFT) + s->npages);
	}
	d->xen.nr_pages = d->nr_pages;
	d->xen.max_gfn = max_gfn;
}

static void microv_memslot_clear(struct microv_domain *d,
				 struct microv_memslot *s)
{
	if (!s->npages)
		return;
	microv_backend->unmap(d, s->gpa, s->npages);
	microv_xen_pages_remap(d, s->gpa, s->npages);
	microv_unpin(d, s->pages, s->npages,
		     !(s->flags & MICROV_MEM_READONLY));
	d->nr_pages -= s->npages;
	memset(s, 0, sizeof(*s));
	microv_memory_changed(d);
}

/**
 * microv_memslot_set() - MICROV_SET_MEMORY_REGION
 * @d: the domain
 * @r: the region; size 0 deletes the slot, a used slot is replaced
 *
 * The new memory is pinned before the old is let go, so a failure to pin
 * leaves the slot as it was; a failure to map it (-ENOMEM) leaves it empty.
 *
 * Return: 0, or -EINVAL (slot, flags, alignment, beyond MICROV_MAX_GPA),
 * -EEXIST (overlaps another slot), -EFAULT (memory not all there or not
 * writable), -ENOMEM (no memory, or over RLIMIT_MEMLOCK).
 */
int microv_memslot_set(struct microv_domain *d,
		       const struct microv_memory_region *r)
{
	u64 npages = r->memory_size >> PAGE_SHIFT;
	bool ro = r->flags & MICROV_MEM_READONLY;
	struct microv_memslot *s;
	struct page **pages;
	int ret;

	ret = microv_region_check(r);
	if (ret)
		return ret;

	mutex_lock(&d->lock);
	if (d->dying) {
		ret = -ESRCH;
		goto out;
	}
	s = &d->slots[r->slot];
	if (!npages) {
		microv_memslot_clear(d, s);
		goto out;
	}
	if (microv_overlaps(d, r->slot, r->guest_phys_addr, npages)) {
		ret = -EEXIST;
		goto out;
	}
	pages = microv_pin(d, r->userspace_addr, npages, ro);
	if (IS_ERR(pages)) {
		ret = PTR_ERR(pages);
		goto out;
	}
	microv_memslot_clear(d, s);
	ret = microv_backend->map(d, r->guest_phys_addr, pages, npages, !ro);
	if (ret) {
		microv_backend->unmap(d, r->guest_phys_addr, npages);
		microv_unpin(d, pages, npages, false);
		goto out;
	}
	microv_xen_pages_remap(d, r->guest_phys_addr, npages);
	s->gpa = r->guest_phys_addr;
	s->npages = npages;
	s->uaddr = r->userspace_addr;
	s->flags = r->flags;
	s->pages = pages;
	d->nr_pages += npages;
	microv_memory_changed(d);
out:
	mutex_unlock(&d->lock);
	return ret;
}

void microv_memslots_free(struct microv_domain *d)
{
	int i;

	for (i = 0; i < MICROV_MAX_MEMSLOTS; i++)
		microv_memslot_clear(d, &d->slots[i]);
}
