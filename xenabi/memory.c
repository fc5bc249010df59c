// SPDX-License-Identifier: GPL-2.0
/*
 * memory_op (__HYPERVISOR_memory_op): how much memory the guest has, its
 * memory map, where the hypervisor's own pages (shared_info, grant
 * frames) appear in its physical address space, and ballooning: frames
 * of RAM the guest gives back and takes again.
 */
#include "shinfo.h"

/*
 * A reservation op's command carries the extent to start from above its
 * low 6 bits (Xen's MEMOP_EXTENT_SHIFT), for continuations.
 */
#define XENABI_MEMOP_EXTENT_SHIFT	6
#define XENABI_MEMOP_CMD_MASK		((1UL << XENABI_MEMOP_EXTENT_SHIFT) - 1)

/* The largest extent a domain other than dom0 may ask for (2 MiB). */
#define XENABI_DOMU_MAX_ORDER		9

/* The domain a reservation query names: the caller itself only. */
static long xen_reservation(struct xen_vcpu *v, unsigned long cmd,
			    unsigned long gva)
{
	struct xen_domain *d = v->domain;
	domid_t domid;

	if (v->ops->copy_from_guest(v, &domid, gva, sizeof(domid)))
		return -EFAULT;
	if (domid != DOMID_SELF && domid != d->domid)
		return -EPERM;
	if (cmd == XENMEM_current_reservation)
		return xenabi_read_once(d->nr_pages);
	return xenabi_read_once(d->max_pages);
}

/*
 * increase_reservation, decrease_reservation, populate_physmap: struct
 * xen_memory_reservation is extent_start (a handle) and nr_extents, each
 * a guest long, then extent_order, mem_flags (4 bytes each) and domid.
 * As Xen does, the answer is the count of extents done, from @start:
 * a bad argument does none, a bad frame ends the count there.  A PVH
 * guest sees only frames it can map, so increase_reservation (machine
 * frames, for PV guests) gives none; populate_physmap fills only frames
 * the guest gave back.
 */
static long xen_reservation_op(struct xen_vcpu *v, unsigned long op,
			       unsigned long start, unsigned long gva)
{
	unsigned int l = xen_long_size(v);
	struct xen_domain *d = v->domain;
	u32 order, pages, j;
	u64 list, nr, gfn;
	domid_t domid;
	int ret = 0;

	if (xen_get_long(v, gva, &list) || xen_get_long(v, gva + l, &nr) ||
	    v->ops->copy_from_guest(v, &order, gva + 2 * l, sizeof(order)) ||
	    v->ops->copy_from_guest(v, &domid, gva + 2 * l + 8, sizeof(domid)))
		return start;
	if (nr > (0xffffffffU >> XENABI_MEMOP_EXTENT_SHIFT) || start >= nr ||
	    (domid != DOMID_SELF && domid != d->domid) ||
	    order > XENABI_DOMU_MAX_ORDER || op == XENMEM_increase_reservation)
		return start;
	pages = 1U << order;
	for (; start < nr; start++) {
		if (xen_get_long(v, list + start * l, &gfn))
			break;
		for (j = 0; j < pages && !ret; j++)
			ret = op == XENMEM_decrease_reservation ?
			      v->ops->release_gfn(v, gfn + j, false) :
			      v->ops->populate_gfn(v, gfn + j);
		if (ret)
			break;
	}
	return start;
}

/*
 * struct xen_remove_from_physmap: domid, then gpfn at the guest's long
 * alignment.  Whatever is at the frame goes: a hypervisor page, or RAM,
 * which is given back as decrease_reservation gives it.
 */
static long xen_remove_from_physmap(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_domain *d = v->domain;
	domid_t domid;
	u64 gfn;

	if (v->ops->copy_from_guest(v, &domid, gva, sizeof(domid)) ||
	    xen_get_long(v, gva + xen_long_size(v), &gfn))
		return -EFAULT;
	if (domid != DOMID_SELF && domid != d->domid)
		return -EPERM;
	return v->ops->release_gfn(v, gfn, true) ? -ENOENT : 0;
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
 * Return: current reservation (the guest's pages of RAM less those it
 * gave back) and maximum (all of them), or -EFAULT, -EPERM (another
 * domain); maximum_ram_page: one past the guest's highest frame of RAM (a
 * guest sees no machine frames); memory_map: 0, -EFAULT, or -ENOSYS if the
 * toolstack set no map; add_to_physmap: 0, -EFAULT, -EPERM, -EINVAL (bad
 * index or frame), -ENOSYS (a space other than shared_info and
 * grant_table); increase_reservation, decrease_reservation and
 * populate_physmap: the extents done (xen_reservation_op());
 * remove_from_physmap: 0, -EFAULT, -EPERM, -ENOENT (nothing there); a
 * start extent in the command of any other: -EINVAL; other sub-ops
 * -ENOSYS.
 */
long xen_memory_op(struct xen_vcpu *v, const unsigned long *args)
{
	unsigned long op = args[0] & XENABI_MEMOP_CMD_MASK;
	unsigned long start = args[0] >> XENABI_MEMOP_EXTENT_SHIFT;

	switch (op) {
	case XENMEM_increase_reservation:
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
		return xen_reservation_op(v, op, start, args[1]);
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
	case XENMEM_maximum_ram_page:
	case XENMEM_memory_map:
	case XENMEM_add_to_physmap:
	case XENMEM_remove_from_physmap:
		if (start)
			return -EINVAL;
		break;
	default:
		return -ENOSYS;
	}
	switch (op) {
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		return xen_reservation(v, op, args[1]);
	case XENMEM_maximum_ram_page:
		return v->domain->max_gfn;
	case XENMEM_memory_map:
		return xen_memory_map(v, args[1]);
	case XENMEM_add_to_physmap:
		return xen_add_to_physmap(v, args[1]);
	default:
		return xen_remove_from_physmap(v, args[1]);
	}
}
