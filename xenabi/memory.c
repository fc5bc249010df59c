// SPDX-License-Identifier: GPL-2.0
/*
 * memory_op (__HYPERVISOR_memory_op): how much memory the guest has, its
 * memory map, and where the hypervisor's own pages (shared_info, grant
 * frames) appear in its physical address space.  The reservation is all of
 * its RAM and never changes under it (no balloon).
 */
#include "shinfo.h"

/* The domain a reservation query names: the caller itself only. */
static long xen_reservation(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_domain *d = v->domain;
	domid_t domid;

	if (v->ops->copy_from_guest(v, &domid, gva, sizeof(domid)))
		return -EFAULT;
	if (domid != DOMID_SELF && domid != d->domid)
		return -EPERM;
	return d->nr_pages;
}

/*
 * struct xen_memory_map: nr_entries (4 bytes), then the buffer handle at
 * the guest's long alignment.  At most nr_entries entries are copied, and
 * nr_entries says how many.
 */
static long xen_memory_map(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_domain *d = v->domain;
	u32 nr;
	u64 buf;

	if (v->ops->copy_from_guest(v, &nr, gva, sizeof(nr)) ||
	    xen_get_long(v, gva + xen_long_size(v), &buf))
		return -EFAULT;
	if (!d->nr_e820)
		return -ENOSYS;	/* as Xen: the toolstack gave none */
	if (nr > d->nr_e820)
		nr = d->nr_e820;
	if (v->ops->copy_to_guest(v, buf, d->e820, nr * sizeof(d->e820[0])) ||
	    v->ops->copy_to_guest(v, gva, &nr, sizeof(nr)))
		return -EFAULT;
	return 0;
}

/*
 * shared_info's layout follows the mode of the guest when it maps it (and
 * when it sets its callback), as Xen latches it.  Of what microv wrote,
 * only the wall clock moves: the pvclocks are at the same place in both.
 */
void xen_shinfo_latch(struct xen_vcpu *v)
{
	struct xen_domain *d = v->domain;
	bool is_32 = v->ops->mode(v) != 64;

	if (d->shinfo_32 == is_32)
		return;
	d->shinfo_32 = is_32;
	xen_wallclock_update(d);
}

/*
 * struct xen_add_to_physmap: domid, size, space (2+2+4 bytes), then idx
 * and gpfn, each a guest long.
 */
static long xen_add_to_physmap(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_domain *d = v->domain;
	struct {
		domid_t domid;
		u16 size;
		u32 space;
	} head;
	unsigned int idx;
	u64 frame, gpfn;

	if (v->ops->copy_from_guest(v, &head, gva, sizeof(head)) ||
	    xen_get_long(v, gva + 8, &frame) ||
	    xen_get_long(v, gva + 8 + xen_long_size(v), &gpfn))
		return -EFAULT;
	if (head.domid != DOMID_SELF && head.domid != d->domid)
		return -EPERM;

	switch (head.space) {
	case XENMAPSPACE_shared_info:
		if (frame != 0)
			return -EINVAL;
		idx = XENABI_PAGE_SHARED_INFO;
		break;
	case XENMAPSPACE_grant_table:
		/* Status frames (XENMAPIDX_grant_table_status) are v2's. */
		if (frame >= XENABI_GNTTAB_FRAMES)
			return -EINVAL;
		idx = XENABI_PAGE_GNTTAB(frame);
		break;
	default:
		return -ENOSYS;
	}
	if (v->ops->map_xen_page(v, idx, gpfn))
		return -EINVAL;
	if (head.space == XENMAPSPACE_shared_info)
		xen_shinfo_latch(v);
	else if (frame >= d->gnttab_frames)
		d->gnttab_frames = frame + 1;
	return 0;
}

/**
 * xen_memory_op() - __HYPERVISOR_memory_op
 * @v:    the calling vCPU
 * @args: XENMEM_* and its argument
 *
 * Return: current and maximum reservation: the guest's pages of RAM (both
 * the same), or -EFAULT, -EPERM (another domain); maximum_ram_page: one
 * past the guest's highest frame of RAM (a guest sees no machine frames);
 * memory_map: 0, -EFAULT, or -ENOSYS if the toolstack set no map;
 * add_to_physmap: 0, -EFAULT, -EPERM, -EINVAL (bad index or frame),
 * -ENOSYS (a space other than shared_info and grant_table); other sub-ops
 * -ENOSYS.
 */
long xen_memory_op(struct xen_vcpu *v, const unsigned long *args)
{
	switch (args[0]) {
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		return xen_reservation(v, args[1]);
	case XENMEM_maximum_ram_page:
		return v->domain->max_gfn;
	case XENMEM_memory_map:
		return xen_memory_map(v, args[1]);
	case XENMEM_add_to_physmap:
		return xen_add_to_physmap(v, args[1]);
	default:
		return -ENOSYS;
	}
}
