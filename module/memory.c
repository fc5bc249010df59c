// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM: memory slots backed by the creator's own pages, charged to
 * its RLIMIT_MEMLOCK when the slot is set, pinned long-term
 * (FOLL_LONGTERM, so they are migrated out of movable zones and CMA
 * first) when first touched, then mapped into the guest by the backend
 * (EPT for VMX).  A page the guest gives back (ballooning) is unmapped,
 * unpinned and dropped from the process's memory, and reads as no RAM
 * until the guest takes it again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "domain.h"
#include "microv.h"

static atomic64_t microv_pinned = ATOMIC64_INIT(0);

/* Pages pinned for all domains: a counter the tests read through sysfs. */
u64 microv_pinned_pages(void)
{
	return atomic64_read(&microv_pinned);
}

/*
 * Guest RAM is pinned when it is first touched, by the guest (an EPT
 * violation) or by the hypervisor (a hypercall's argument), this many
 * pages at a time: a guest pays for what it uses, and starting one costs
 * the same whatever its size.  A chunk is pinned whole but for the pages
 * the guest gave back.
 */
#define MICROV_PIN_CHUNK	16

static u64 microv_chunk_start(u64 idx)
{
	return round_down(idx, MICROV_PIN_CHUNK);
}

static u64 microv_chunk_len(const struct microv_memslot *s, u64 start)
{
	return min_t(u64, MICROV_PIN_CHUNK, s->npages - start);
}

/* Lets go of every pinned page of @s, the arrays and the charge too. */
static void microv_memslot_unpin(struct microv_domain *d,
				 struct microv_memslot *s)
{
	bool dirty = !(s->flags & MICROV_MEM_READONLY);
	u64 i, j, pinned = 0;

	for (i = 0; i < s->npages; i = j) {
		for (; i < s->npages && !s->pages[i]; i++)
			;
		for (j = i; j < s->npages && s->pages[j]; j++)
			;
		if (j > i)
			unpin_user_pages_dirty_lock(s->pages + i, j - i, dirty);
		pinned += j - i;
	}
	atomic64_sub(pinned, &microv_pinned);
	account_locked_vm(d->mm, s->npages, false);
	d->nr_given_back -= bitmap_weight(s->given_back, s->npages);
	kvfree(s->pages);
	bitmap_free(s->given_back);
}

/*
 * Maps (or unmaps) the pinned pages of @s's chunk at @start, but not the
 * frames where a hypervisor page sits: those stay on top of the RAM.
 */
static int microv_chunk_map(struct microv_domain *d, struct microv_memslot *s,
			    u64 start, bool map)
{
	bool writable = !(s->flags & MICROV_MEM_READONLY);
	u64 n = microv_chunk_len(s, start), i, j;
	u64 gpa = s->gpa + (start << PAGE_SHIFT);
	int ret = 0;

	for (i = 0; i < n && !ret; i = j + 1) {
		for (j = i; j < n; j++)
			if (!s->pages[start + j] ||
			    microv_xen_page_at(d, gpa + (j << PAGE_SHIFT)))
				break;
		if (j == i)
			continue;
		if (map)
			ret = microv_backend->map(d, gpa + (i << PAGE_SHIFT),
						  s->pages + start + i, j - i,
						  writable);
		else
			microv_backend->unmap(d, gpa + (i << PAGE_SHIFT), j - i);
	}
	return ret;
}

/* A page of @s the guest may use: not given back, not pinned yet. */
static bool microv_page_wanted(struct microv_memslot *s, u64 idx)
{
	return !s->pages[idx] && !test_bit(idx, s->given_back);
}

/*
 * Pins the pages of @s's chunk holding page @idx that the guest may use
 * and are not pinned yet, and maps the chunk for the guest; d->lock held.
 * With @zero, page @idx is zeroed before the guest can see it.  Only the
 * creator's own threads can pin (the slot is its memory): from any other
 * process an unpinned page is -EFAULT.
 *
 * Return: 0, -EFAULT (the memory behind the slot is gone or was made
 * inaccessible since MICROV_SET_MEMORY_REGION), -ENOMEM, or -EINTR (a
 * fatal signal while a page was brought in).
 */
static int microv_memslot_pin(struct microv_domain *d, struct microv_memslot *s,
			      u64 idx, bool zero)
{
	unsigned int gup = FOLL_LONGTERM;
	u64 start = microv_chunk_start(idx), n = microv_chunk_len(s, start);
	struct page **pages = s->pages + start;
	bool mapped = false;
	u64 i, j, nr = 0;
	u32 pinned = 0;
	int ret = 0;

	if (!(s->flags & MICROV_MEM_READONLY))
		gup |= FOLL_WRITE;
	for (i = 0; i < n && ret >= 0; i = j) {
		for (; i < n && !microv_page_wanted(s, start + i); i++)
			;
		for (j = i; j < n && microv_page_wanted(s, start + j); j++)
			;
		if (i < j && current->mm != d->mm)
			ret = -EFAULT;
		while (i < j && ret >= 0) {
			ret = pin_user_pages_fast(s->uaddr +
						  ((start + i) << PAGE_SHIFT),
						  j - i, gup, pages + i);
			if (ret > 0) {
				pinned |= GENMASK(i + ret - 1, i);
				nr += ret;
				i += ret;
			} else if (!ret) {
				ret = -EFAULT;
			}
		}
	}
	if (!nr && ret >= 0)
		return 0;
	if (ret >= 0) {
		if (zero && s->pages[idx])
			clear_highpage(s->pages[idx]);
		atomic64_add(nr, &microv_pinned);
		mapped = true;
		ret = microv_chunk_map(d, s, start, true);
		if (!ret)
			return 0;
		microv_chunk_map(d, s, start, false);
		atomic64_sub(nr, &microv_pinned);
	}
	/* Mapped for a moment, the pages may have been written since. */
	for (i = 0; i < n; i++) {
		if (!(pinned & BIT(i)))
			continue;
		unpin_user_pages_dirty_lock(pages + i, 1,
					    (gup & FOLL_WRITE) && mapped);
		pages[i] = NULL;
	}
	return ret == -ENOMEM || ret == -EINTR ? ret : -EFAULT;
}

/**
 * microv_memslot_page() - the pinned page behind a slot's frame
 * @d:   the domain, d->lock held
 * @s:   the slot
 * @gpa: an address inside it
 *
 * Pins (and maps) its chunk first if need be.
 *
 * Return: the page, or NULL if it cannot be pinned (microv_memslot_pin()).
 */
struct page *microv_memslot_page(struct microv_domain *d,
				 struct microv_memslot *s, u64 gpa)
{
	u64 idx = (gpa - s->gpa) >> PAGE_SHIFT;

	/* Pinned already: every hypercall argument comes this way. */
	if (s->pages[idx])
		return s->pages[idx];
	if (test_bit(idx, s->given_back) || microv_memslot_pin(d, s, idx, false))
		return NULL;
	return s->pages[idx];
}

/**
 * microv_memory_fault() - the guest touched a frame that is not mapped
 * @d:   the domain
 * @gpa: the guest-physical address it touched
 *
 * Called by the backend, preemptible, on the vCPU's thread.
 *
 * Return: 0 (the frame is mapped now: enter the guest again), -ENOENT (no
 * RAM there: an MMIO exit), -EFAULT or -ENOMEM (microv_memslot_pin()),
 * -ESRCH (the domain is being destroyed), -EINTR (a fatal signal).
 */
int microv_memory_fault(struct microv_domain *d, u64 gpa)
{
	struct microv_memslot *s;
	u64 idx;
	int ret;

	/* Pinning may wait on a page-in: a fatal signal ends the wait. */
	if (mutex_lock_killable(&d->lock))
		return -EINTR;
	if (d->dying) {
		ret = -ESRCH;
		goto out;
	}
	/* Mapped where it sits: the guest raced a move of it. */
	ret = 0;
	if (microv_xen_page_at(d, gpa))
		goto out;
	s = microv_memslot_at(d, gpa);
	if (!s) {
		ret = -ENOENT;
		goto out;
	}
	idx = (gpa - s->gpa) >> PAGE_SHIFT;
	if (test_bit(idx, s->given_back))
		ret = -ENOENT;	/* the guest gave it back: no RAM there */
	else if (!s->pages[idx])
		ret = microv_memslot_pin(d, s, idx, false);
	else	/* pinned, unmapped when a hypervisor page left it */
		ret = microv_chunk_map(d, s, microv_chunk_start(idx), true);
out:
	mutex_unlock(&d->lock);
	return ret;
}

/*
 * The caller's memory at [@uaddr, +@size) must be mapped, readable, and
 * writable unless @ro, as pinning it later will need: checked now so that
 * a bad region fails here, not at the guest's first touch.
 */
static int microv_region_backed(u64 uaddr, u64 size, bool ro)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	u64 addr = uaddr;
	int ret = 0;

	mmap_read_lock(mm);
	while (addr < uaddr + size) {
		vma = vma_lookup(mm, addr);
		if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    !(vma->vm_flags & VM_READ) ||
		    (!ro && !(vma->vm_flags & VM_WRITE))) {
			ret = -EFAULT;
			break;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return ret;
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
	WRITE_ONCE(d->xen.nr_pages, d->nr_pages - d->nr_given_back);
	WRITE_ONCE(d->xen.max_pages, d->nr_pages);
	d->xen.max_gfn = max_gfn;
}

static void microv_memslot_clear(struct microv_domain *d,
				 struct microv_memslot *s)
{
	if (!s->npages)
		return;
	microv_backend->unmap(d, s->gpa, s->npages);
	microv_xen_pages_remap(d, s->gpa, s->npages);
	microv_memslot_unpin(d, s);
	d->nr_pages -= s->npages;
	memset(s, 0, sizeof(*s));
	microv_memory_changed(d);
}

/**
 * microv_memslot_set() - MICROV_SET_MEMORY_REGION
 * @d: the domain
 * @r: the region; size 0 deletes the slot, a used slot is replaced
 *
 * The region is charged to RLIMIT_MEMLOCK whole, now; its pages are
 * pinned and mapped as they are first touched (microv_memslot_pin()).
 * A failure leaves the slot as it was.
 *
 * Return: 0, or -EINVAL (slot, flags, alignment, beyond MICROV_MAX_GPA),
 * -EEXIST (overlaps another slot), -EFAULT (memory not all mapped, or not
 * writable for a writable slot), -ENOMEM (no memory, or over
 * RLIMIT_MEMLOCK).
 */
int microv_memslot_set(struct microv_domain *d,
		       const struct microv_memory_region *r)
{
	u64 npages = r->memory_size >> PAGE_SHIFT;
	bool ro = r->flags & MICROV_MEM_READONLY;
	struct microv_memslot *s;
	unsigned long *given_back;
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
	ret = microv_region_backed(r->userspace_addr, r->memory_size, ro);
	if (ret)
		goto out;
	ret = account_locked_vm(d->mm, npages, true);
	if (ret)
		goto out;
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	given_back = bitmap_zalloc(npages, GFP_KERNEL_ACCOUNT);
	if (!pages || !given_back) {
		kvfree(pages);
		bitmap_free(given_back);
		account_locked_vm(d->mm, npages, false);
		ret = -ENOMEM;
		goto out;
	}
	microv_memslot_clear(d, s);
	s->gpa = r->guest_phys_addr;
	s->npages = npages;
	s->uaddr = r->userspace_addr;
	s->flags = r->flags;
	s->pages = pages;
	s->given_back = given_back;
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

/*
 * The host gets back the memory behind a page the guest gave back: it is
 * dropped from the process's mapping as MADV_DONTNEED drops it, which
 * frees private anonymous memory (uvctl's); the next touch finds a zero
 * page.  Other mappings keep their pages: those are the process's.
 * d->lock held (so that no populate or slot change comes in between),
 * and a reference to @mm.
 */
static void microv_host_release(struct mm_struct *mm, unsigned long uaddr)
{
	struct vm_area_struct *vma;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, uaddr);
	if (vma && vma_is_anonymous(vma) &&
	    !(vma->vm_flags & (VM_LOCKED | VM_HUGETLB | VM_PFNMAP)))
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
		zap_page_range_single(vma, uaddr, PAGE_SIZE, NULL);
#else
		zap_page_range(vma, uaddr, PAGE_SIZE);
#endif
	mmap_read_unlock(mm);
}

/* The slot and page index of guest frame @gfn: RAM the guest may write. */
static struct microv_memslot *microv_gfn_slot(struct microv_domain *d,
					      u64 gfn, u64 *idx)
{
	struct microv_memslot *s;

	if (gfn >= MICROV_MAX_GPA >> PAGE_SHIFT || d->dying)
		return NULL;
	s = microv_memslot_at(d, gfn << PAGE_SHIFT);
	if (!s || (s->flags & MICROV_MEM_READONLY))
		return NULL;
	*idx = gfn - (s->gpa >> PAGE_SHIFT);
	return s;
}

/**
 * microv_gfn_release() - the guest gives frame @gfn back
 * @d:   the domain
 * @gfn: a frame of its RAM
 * @any: a hypervisor page there goes, and suffices (remove_from_physmap)
 *
 * The frame leaves the guest's EPT (every CPU flushed) before its page is
 * unpinned, and the process's memory behind it goes back to the host.
 * The frame reads as no RAM until microv_gfn_populate().
 *
 * Return: 0; -ENOENT (no writable RAM there, or given back already);
 * -EBUSY (a hypervisor page is there and not @any); -EINTR (a fatal
 * signal: the process is going, the count stops).
 */
int microv_gfn_release(struct microv_domain *d, u64 gfn, bool any)
{
	bool mm = mmget_not_zero(d->mm);
	struct microv_memslot *s;
	struct page *page;
	int ret = -ENOENT;
	u64 idx;

	if (fatal_signal_pending(current)) {
		ret = -EINTR;
		goto out_mm;
	}
	mutex_lock(&d->lock);
	if (gfn >= MICROV_MAX_GPA >> PAGE_SHIFT || d->dying)
		goto out;
	if (microv_xen_page_at(d, gfn << PAGE_SHIFT)) {
		if (!any) {
			ret = -EBUSY;
			goto out;
		}
		microv_xen_page_remove(d, gfn);
		ret = 0;
	}
	s = microv_gfn_slot(d, gfn, &idx);
	if (!s || test_bit(idx, s->given_back))
		goto out;
	page = s->pages[idx];
	if (page) {
		microv_backend->unmap(d, gfn << PAGE_SHIFT, 1);
		s->pages[idx] = NULL;
		unpin_user_pages_dirty_lock(&page, 1, true);
		atomic64_dec(&microv_pinned);
	}
	set_bit(idx, s->given_back);
	d->nr_given_back++;
	microv_memory_changed(d);
	if (mm)
		microv_host_release(d->mm, s->uaddr + (idx << PAGE_SHIFT));
	ret = 0;
out:
	mutex_unlock(&d->lock);
out_mm:
	/* Outside d->lock: the mm's last reference may go here. */
	if (mm)
		mmput(d->mm);
	cond_resched();
	return ret;
}

/**
 * microv_gfn_populate() - the guest takes frame @gfn again
 * @d:   the domain
 * @gfn: a frame it gave back
 *
 * The page is pinned, zeroed and mapped at once: a guest never finds
 * what was there before, as with Xen's scrubbed pages.
 *
 * Return: 0; -ENOENT (no writable RAM there), -EEXIST (not given back),
 * -EINTR (a fatal signal), or microv_memslot_pin()'s errors (then it
 * stays given back).
 */
int microv_gfn_populate(struct microv_domain *d, u64 gfn)
{
	struct microv_memslot *s;
	int ret = 0;
	u64 idx;

	if (fatal_signal_pending(current))
		return -EINTR;
	mutex_lock(&d->lock);
	s = microv_gfn_slot(d, gfn, &idx);
	if (!s) {
		ret = -ENOENT;
		goto out;
	}
	if (!test_bit(idx, s->given_back)) {
		ret = -EEXIST;
		goto out;
	}
	clear_bit(idx, s->given_back);
	ret = microv_memslot_pin(d, s, idx, true);
	if (ret) {
		set_bit(idx, s->given_back);
		goto out;
	}
	d->nr_given_back--;
	microv_memory_changed(d);
out:
	mutex_unlock(&d->lock);
	cond_resched();
	return ret;
}
