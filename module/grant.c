// SPDX-License-Identifier: GPL-2.0
/*
 * What a guest grants domain 0, for host processes: a grant fd (as dom0's
 * /dev/xen/gntdev) maps granted pages with mmap() and copies to and from
 * them.  A backend reaches no page the guest did not grant it: each use
 * goes through xen_grant_acquire(), which sets GTF_reading/GTF_writing in
 * the guest's entry so the guest cannot end the grant under it, and the
 * page is held (a reference of its own) until the last use ends.  The fd
 * holds the domain's memory, not the guest, as an event-channel fd does.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "domain.h"
#include "microv.h"

/* Uses of one grant at once: far below where a count could wrap. */
#define MICROV_GRANT_USES_MAX	(1U << 24)

/**
 * struct microv_grant_pin - the host's uses of one grant of a domain
 * @readers: read-only uses (mappings, copies from the guest)
 * @writers: writable uses
 * @page:    the frame's page when the first use began, held
 * @ro:      the frame is in a read-only slot: no writer
 */
struct microv_grant_pin {
	u32 readers;
	u32 writers;
	struct page *page;
	bool ro;
};

/**
 * struct microv_gntdev - a grant fd
 * @d:     its domain (a hold)
 * @lock:  protects @maps and @next
 * @maps:  mappings not unmapped yet (MICROV_GRANT_UNMAP)
 * @next:  the mmap() offset, in pages, of the next mapping
 */
struct microv_gntdev {
	struct microv_domain *d;
	struct mutex lock;
	struct list_head maps;
	u64 next;
};

/**
 * struct microv_grant_mapping - one MICROV_GRANT_MAP
 * @node:  in gntdev->maps until unmapped
 * @gd:    its fd (alive while any mmap() of it is: the VMA holds the file)
 * @users: the list, and each VMA
 * @index: its mmap() offset, in pages
 * @count: pages
 * @write: mapped writable
 * @refs:  the grants
 * @pages: their pages
 */
struct microv_grant_mapping {
	struct list_head node;
	struct microv_gntdev *gd;
	refcount_t users;
	u64 index;
	u32 count;
	bool write;
	u32 *refs;
	struct page **pages;
};

/*
 * Locks: d->grant_lock around a grant's uses and its flags, alone where a
 * use ends (munmap() holds the mmap lock there); where one begins, inside
 * d->lock, which looks the page up.  A page is never pinned under either
 * (pinning takes the mmap lock): it is pinned first, under d->lock alone.
 */

/*
 * The first use of grant @ref, of frame @gfn: its page, held; d->lock and
 * d->grant_lock held.  Return: 0, -EINVAL (no RAM there), -EAGAIN (not
 * pinned yet), -ENOMEM.
 */
static int microv_grant_first(struct microv_domain *d, u32 ref, u64 gfn,
			      struct microv_grant_pin **pin)
{
	struct microv_grant_pin *p;
	struct microv_memslot *s = NULL;
	struct page *page = NULL;
	bool ro = false;
	u64 idx;
	int ret;

	/* RAM only: not a hypervisor page the guest placed over it. */
	if (gfn < MICROV_MAX_GPA >> PAGE_SHIFT &&
	    !microv_xen_page_at(d, gfn << PAGE_SHIFT))
		s = microv_memslot_at(d, gfn << PAGE_SHIFT);
	if (s) {
		ro = s->flags & MICROV_MEM_READONLY;
		idx = array_index_nospec(gfn - (s->gpa >> PAGE_SHIFT),
					 s->npages);
		page = s->pages[idx];
		if (page)
			get_page(page);
	}
	if (!page)
		return s ? -EAGAIN : -EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	ret = p ? xa_err(xa_store(&d->grant_pins, ref, p, GFP_KERNEL_ACCOUNT)) :
		  -ENOMEM;
	if (ret) {
		kfree(p);
		put_page(page);
		return ret;
	}
	p->page = page;
	p->ro = ro;
	*pin = p;
	return 0;
}

/* Grant @ref is no longer used at all; d->grant_lock held. */
static void microv_grant_forget(struct microv_domain *d, u32 ref,
				struct microv_grant_pin *p)
{
	xa_erase(&d->grant_pins, ref);
	put_page(p->page);
	kfree(p);
}

/* One try of microv_grant_pin(); -EAGAIN with @gfn to pin first. */
static int microv_grant_try(struct microv_domain *d, u32 ref, bool write,
			    struct page **page, u64 *gfn)
{
	struct microv_grant_pin *p;
	bool unused;
	int ret;

	/* Killable: the creator may hold d->lock while a pin blocks. */
	if (mutex_lock_killable(&d->lock))
		return -EINTR;
	mutex_lock(&d->grant_lock);
	ret = -ESRCH;
	if (d->dying)
		goto out;
	ret = xen_grant_acquire(&d->xen, ref, write, gfn);
	if (ret)
		goto out;
	p = xa_load(&d->grant_pins, ref);
	if (!p)
		ret = microv_grant_first(d, ref, *gfn, &p);
	if (ret) {
		/* No other use: whatever the attempt set goes. */
		xen_grant_release(&d->xen, ref, write, true);
		goto out;
	}
	if (write && p->ro)
		ret = -EPERM;
	else if (p->readers + p->writers >= MICROV_GRANT_USES_MAX)
		ret = -EBUSY;
	if (ret) {
		/* What this attempt set goes; the other uses stand. */
		unused = !p->readers && !p->writers;
		xen_grant_release(&d->xen, ref, write && !p->writers, unused);
		if (unused)
			microv_grant_forget(d, ref, p);
		goto out;
	}
	if (write)
		p->writers++;
	else
		p->readers++;
	*page = p->page;
out:
	mutex_unlock(&d->grant_lock);
	mutex_unlock(&d->lock);
	return ret;
}

/* Pins the page at @gfn, as the guest's touch would. */
static int microv_grant_pin_gfn(struct microv_domain *d, u64 gfn)
{
	struct page *page;

	if (mutex_lock_killable(&d->lock))
		return -EINTR;
	page = microv_gpa_page(d, gfn << PAGE_SHIFT, false);
	mutex_unlock(&d->lock);
	return page ? 0 : -EFAULT;
}

/*
 * One more use of grant @ref: the guest's entry checked and marked, the
 * page found (and held) at the first; a page not pinned yet is pinned
 * with no lock of the grants held, and the grant looked at again.
 * Return: 0, xen_grant_acquire()'s errors, -EINVAL (no RAM at the frame),
 * -EPERM (a writer for a read-only slot), -EFAULT (its page cannot be
 * pinned from this process), -ESRCH (the domain is dying), -ENOMEM,
 * -EBUSY (the guest kept moving it).
 */
static int microv_grant_pin(struct microv_domain *d, u32 ref, bool write,
			    struct page **page)
{
	int tries, ret = -EBUSY;
	u64 gfn;

	for (tries = 0; tries < 3; tries++) {
		ret = microv_grant_try(d, ref, write, page, &gfn);
		if (ret != -EAGAIN)
			return ret;
		ret = microv_grant_pin_gfn(d, gfn);
		if (ret)
			return ret;
	}
	return -EBUSY;
}

/* One use of grant @ref ends; the last of each kind clears its flag. */
static void microv_grant_unpin(struct microv_domain *d, u32 ref, bool write)
{
	struct microv_grant_pin *p;

	mutex_lock(&d->grant_lock);
	p = xa_load(&d->grant_pins, ref);
	if (WARN_ON_ONCE(!p))
		goto out;
	if (write)
		p->writers--;
	else
		p->readers--;
	xen_grant_release(&d->xen, ref, write && !p->writers,
			  !p->readers && !p->writers);
	if (!p->readers && !p->writers)
		microv_grant_forget(d, ref, p);
out:
	mutex_unlock(&d->grant_lock);
}

static void microv_grant_map_free(struct microv_grant_mapping *m, u32 pinned)
{
	while (pinned--)
		microv_grant_unpin(m->gd->d, m->refs[pinned], m->write);
	kvfree(m->refs);
	kvfree(m->pages);
	kfree(m);
}

static void microv_grant_map_put(struct microv_grant_mapping *m)
{
	if (refcount_dec_and_test(&m->users))
		microv_grant_map_free(m, m->count);
}

static long microv_grant_map(struct microv_gntdev *gd,
			     struct microv_grant_map __user *uarg)
{
	struct microv_grant_mapping *m;
	struct microv_grant_map a;
	u32 i;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (!a.count || a.count > MICROV_GRANT_MAP_MAX ||
	    (a.flags & ~MICROV_GRANT_READONLY))
		return -EINVAL;
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	m->gd = gd;
	m->count = a.count;
	m->write = !(a.flags & MICROV_GRANT_READONLY);
	refcount_set(&m->users, 1);
	m->refs = kvcalloc(a.count, sizeof(*m->refs), GFP_KERNEL_ACCOUNT);
	m->pages = kvcalloc(a.count, sizeof(*m->pages), GFP_KERNEL_ACCOUNT);
	i = 0;
	ret = -ENOMEM;
	if (!m->refs || !m->pages)
		goto fail;
	ret = -EFAULT;
	if (copy_from_user(m->refs, u64_to_user_ptr(a.refs),
			   a.count * sizeof(*m->refs)))
		goto fail;
	for (; i < a.count; i++) {
		ret = microv_grant_pin(gd->d, m->refs[i], m->write,
				       &m->pages[i]);
		if (ret)
			goto fail;
	}

	mutex_lock(&gd->lock);
	m->index = gd->next;
	gd->next += a.count;
	list_add_tail(&m->node, &gd->maps);
	mutex_unlock(&gd->lock);
	a.offset = m->index << PAGE_SHIFT;
	if (!copy_to_user(uarg, &a, sizeof(a)))
		return 0;
	/* Not seen, not mmap()ed yet: all of it goes again. */
	mutex_lock(&gd->lock);
	list_del(&m->node);
	mutex_unlock(&gd->lock);
	microv_grant_map_put(m);
	return -EFAULT;

fail:
	microv_grant_map_free(m, i);
	return ret;
}

/* The mapping at page @index, @count pages long; gd->lock held. */
static struct microv_grant_mapping *microv_grant_find(struct microv_gntdev *gd,
						  u64 index, u64 count)
{
	struct microv_grant_mapping *m;

	list_for_each_entry(m, &gd->maps, node)
		if (m->index == index && m->count == count)
			return m;
	return NULL;
}

static long microv_grant_unmap(struct microv_gntdev *gd,
			       struct microv_grant_unmap __user *uarg)
{
	struct microv_grant_unmap a;
	struct microv_grant_mapping *m;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.pad || offset_in_page(a.offset))
		return -EINVAL;
	mutex_lock(&gd->lock);
	m = microv_grant_find(gd, a.offset >> PAGE_SHIFT, a.count);
	if (m)
		list_del(&m->node);
	mutex_unlock(&gd->lock);
	if (!m)
		return -EINVAL;
	microv_grant_map_put(m);
	return 0;
}

/* One segment of MICROV_GRANT_COPY; its status. */
static int microv_grant_copy_one(struct microv_gntdev *gd,
				 const struct microv_grant_copy_seg *seg)
{
	bool to_guest = seg->flags & MICROV_GRANT_COPY_TO_GUEST;
	void __user *buf = u64_to_user_ptr(seg->buf);
	struct page *page;
	unsigned long left;
	void *va;
	int ret;

	if ((seg->flags & ~MICROV_GRANT_COPY_TO_GUEST) || !seg->len ||
	    seg->offset + seg->len > PAGE_SIZE)
		return -EINVAL;
	ret = microv_grant_pin(gd->d, seg->ref, to_guest, &page);
	if (ret)
		return ret;
	va = kmap_local_page(page) + seg->offset;
	if (to_guest)
		left = copy_from_user(va, buf, seg->len);
	else
		left = copy_to_user(buf, va, seg->len);
	kunmap_local(va);
	if (to_guest)
		set_page_dirty_lock(page);
	microv_grant_unpin(gd->d, seg->ref, to_guest);
	return left ? -EFAULT : 0;
}

static long microv_grant_copy(struct microv_gntdev *gd,
			      struct microv_grant_copy __user *uarg)
{
	struct microv_grant_copy_seg __user *useg;
	struct microv_grant_copy_seg seg;
	struct microv_grant_copy a;
	u32 i;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.pad || a.count > MICROV_GRANT_MAP_MAX)
		return -EINVAL;
	useg = u64_to_user_ptr(a.segs);
	for (i = 0; i < a.count; i++) {
		if (copy_from_user(&seg, &useg[i], sizeof(seg)))
			return -EFAULT;
		seg.status = microv_grant_copy_one(gd, &seg);
		if (put_user(seg.status, &useg[i].status))
			return -EFAULT;
		cond_resched();
	}
	return 0;
}

static long microv_gntdev_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct microv_gntdev *gd = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MICROV_GRANT_MAP:
		return microv_grant_map(gd, uarg);
	case MICROV_GRANT_UNMAP:
		return microv_grant_unmap(gd, uarg);
	case MICROV_GRANT_COPY:
		return microv_grant_copy(gd, uarg);
	default:
		return -ENOTTY;
	}
}

/* A VMA split in two: each half holds the mapping. */
static void microv_grant_vm_open(struct vm_area_struct *vma)
{
	struct microv_grant_mapping *m = vma->vm_private_data;

	refcount_inc(&m->users);
}

/*
 * The PTEs go before the pages may: not every path that closes a VMA has
 * unmapped it first (a failed mmap() after ->mmap()).  Where they are
 * gone already this walks nothing; an exiting process freed its page
 * tables already and is left alone.
 */
static void microv_grant_vm_close(struct vm_area_struct *vma)
{
	if (vma->vm_mm == current->mm && !(current->flags & PF_EXITING))
		zap_vma_ptes(vma, vma->vm_start, vma->vm_end - vma->vm_start);
	microv_grant_map_put(vma->vm_private_data);
}

static const struct vm_operations_struct microv_grant_vm_ops = {
	.open	= microv_grant_vm_open,
	.close	= microv_grant_vm_close,
};

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t f)
{
	vma->vm_flags |= f;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t f)
{
	vma->vm_flags &= ~f;
}
#endif

/*
 * mmap() of a whole mapping at its offset; writable only if it was mapped
 * so (and never made so later).  Not inherited by a child, never grown.
 */
static int microv_gntdev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct microv_gntdev *gd = file->private_data;
	struct microv_grant_mapping *m;
	unsigned long i;
	int ret = 0;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	mutex_lock(&gd->lock);
	m = microv_grant_find(gd, vma->vm_pgoff, vma_pages(vma));
	if (m && !m->write && (vma->vm_flags & VM_WRITE))
		ret = -EPERM;
	else if (m)
		refcount_inc(&m->users);
	mutex_unlock(&gd->lock);
	if (!m)
		return -EINVAL;
	if (ret)
		return ret;
	vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYEXEC | (m->write ? 0 : VM_MAYWRITE));
	for (i = 0; i < m->count && !ret; i++)
		ret = remap_pfn_range(vma, vma->vm_start + (i << PAGE_SHIFT),
				      page_to_pfn(m->pages[i]), PAGE_SIZE,
				      vma->vm_page_prot);
	if (ret) {
		/* The VMA goes without close(): its PTEs, then the reference. */
		zap_vma_ptes(vma, vma->vm_start, vma->vm_end - vma->vm_start);
		microv_grant_map_put(m);
		return ret;
	}
	vma->vm_private_data = m;
	vma->vm_ops = &microv_grant_vm_ops;
	return 0;
}

/* Every mmap() is gone (each held the file): the mappings go now. */
static int microv_gntdev_release(struct inode *inode, struct file *file)
{
	struct microv_gntdev *gd = file->private_data;
	struct microv_grant_mapping *m, *tmp;

	list_for_each_entry_safe(m, tmp, &gd->maps, node) {
		list_del(&m->node);
		microv_grant_map_put(m);
	}
	microv_domain_unhold(gd->d);
	kfree(gd);
	return 0;
}

static const struct file_operations microv_gntdev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= microv_gntdev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= microv_gntdev_mmap,
	.release	= microv_gntdev_release,
	.llseek		= noop_llseek,
};

/**
 * microv_gntdev_open() - MICROV_GET_GNTDEV
 * @d:     the domain (its fd in use by the caller)
 * @flags: 0
 *
 * Return: the fd, or -EINVAL (flags), -ENOMEM, -EMFILE.
 */
long microv_gntdev_open(struct microv_domain *d, unsigned long flags)
{
	struct microv_gntdev *gd;
	int fd;

	if (flags)
		return -EINVAL;
	gd = kzalloc(sizeof(*gd), GFP_KERNEL_ACCOUNT);
	if (!gd)
		return -ENOMEM;
	gd->d = d;
	mutex_init(&gd->lock);
	INIT_LIST_HEAD(&gd->maps);
	refcount_inc(&d->holds);
	fd = anon_inode_getfd("microv-gntdev", &microv_gntdev_fops, gd,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		microv_domain_unhold(d);
		kfree(gd);
	}
	return fd;
}

/**
 * microv_gnttab_seed() - MICROV_GNTTAB_SEED
 * @d:    the domain
 * @uarg: struct microv_gnttab_seed
 *
 * Grant frame 0 is made if the guest has not placed it yet (it finds the
 * entry there when it does).
 *
 * Return: 0, or -EFAULT, -EINVAL (flags, not a reserved entry, no RAM at
 * gfn), -EBUSY (the host uses that entry now), -ENOMEM.
 */
long microv_gnttab_seed(struct microv_domain *d,
			struct microv_gnttab_seed __user *uarg)
{
	struct microv_gnttab_seed a;
	long ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags || a.gfn >= MICROV_MAX_GPA >> PAGE_SHIFT)
		return -EINVAL;
	mutex_lock(&d->lock);
	mutex_lock(&d->grant_lock);
	ret = -EINVAL;
	if (microv_memslot_at(d, a.gfn << PAGE_SHIFT))
		ret = microv_xen_page_get(d, XENABI_PAGE_GNTTAB(0));
	/* Not under the host's own uses of it. */
	if (!ret && xa_load(&d->grant_pins, a.ref))
		ret = -EBUSY;
	if (!ret)
		ret = xen_grant_seed(&d->xen, a.ref, a.gfn);
	mutex_unlock(&d->grant_lock);
	mutex_unlock(&d->lock);
	return ret;
}

/* When the domain is destroyed: no use is left (each held the domain). */
void microv_grants_free(struct microv_domain *d)
{
	WARN_ON_ONCE(!xa_empty(&d->grant_pins));
	xa_destroy(&d->grant_pins);
}
