// SPDX-License-Identifier: GPL-2.0
/*
 * grant_table_op (__HYPERVISOR_grant_table_op): a domain's grant table,
 * version 1, in frames of the hypervisor that the guest places in its
 * physmap with XENMEM_add_to_physmap (XENMAPSPACE_grant_table).  Granting
 * needs no hypercall; mapping and copying another domain's grants is a
 * backend's business and not offered to a guest (there is no other
 * domain to grant to yet).
 */
#include "xenabi.h"

static bool xen_gnttab_self(struct xen_vcpu *v, domid_t dom)
{
	return dom == DOMID_SELF || dom == v->domain->domid;
}

static long xen_query_size(struct xen_vcpu *v, unsigned long gva)
{
	struct gnttab_query_size q;

	if (v->ops->copy_from_guest(v, &q, gva, sizeof(q)))
		return -EFAULT;
	if (xen_gnttab_self(v, q.dom)) {
		q.nr_frames = v->domain->gnttab_frames;
		q.max_nr_frames = XENABI_GNTTAB_FRAMES;
		q.status = GNTST_okay;
	} else {
		q.status = GNTST_permission_denied;
	}
	return v->ops->copy_to_guest(v, gva, &q, sizeof(q)) ? -EFAULT : 0;
}

/*
 * struct gnttab_setup_table: dom, nr_frames, status, then the frame list
 * handle at the guest's long alignment; a frame number is a guest long.
 * An auto-translated guest gets the frame where each is placed, or ~0 for
 * one not placed yet.
 */
static long xen_setup_table(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_domain *d = v->domain;
	unsigned int size = xen_long_size(v), off_list = size == 8 ? 16 : 12;
	struct {
		domid_t dom;
		u16 pad;
		u32 nr_frames;
		s16 status;
	} s;
	u64 list, frame;
	u32 i;

	if (v->ops->copy_from_guest(v, &s, gva, 10) ||
	    xen_get_long(v, gva + off_list, &list))
		return -EFAULT;
	if (!xen_gnttab_self(v, s.dom))
		s.status = GNTST_permission_denied;
	else if (s.nr_frames > XENABI_GNTTAB_FRAMES)
		s.status = GNTST_general_error;
	else
		s.status = GNTST_okay;
	if (s.status == GNTST_okay) {
		if (s.nr_frames > d->gnttab_frames)
			d->gnttab_frames = s.nr_frames;
		for (i = 0; i < s.nr_frames; i++) {
			frame = d->xen_page_gfn[XENABI_PAGE_GNTTAB(i)];
			if (size == 4 && frame == XENABI_NO_GFN)
				frame = 0xffffffff;
			if (xen_put_long(v, list + i * size, frame))
				return -EFAULT;
		}
	}
	return v->ops->copy_to_guest(v, gva + 8, &s.status, sizeof(s.status)) ?
	       -EFAULT : 0;
}

/* Version 1 only; the answer carries the version in force either way. */
static long xen_set_version(struct xen_vcpu *v, unsigned long gva)
{
	struct gnttab_set_version sv;
	long ret = 0;

	if (v->ops->copy_from_guest(v, &sv, gva, sizeof(sv)))
		return -EFAULT;
	if (sv.version != 1)
		ret = -EINVAL;
	sv.version = 1;
	if (v->ops->copy_to_guest(v, gva, &sv, sizeof(sv)))
		return -EFAULT;
	return ret;
}

static long xen_get_version(struct xen_vcpu *v, unsigned long gva)
{
	struct gnttab_get_version gv;

	if (v->ops->copy_from_guest(v, &gv, gva, sizeof(gv)))
		return -EFAULT;
	if (!xen_gnttab_self(v, gv.dom))
		return -EPERM;
	gv.version = 1;
	return v->ops->copy_to_guest(v, gva, &gv, sizeof(gv)) ? -EFAULT : 0;
}

/**
 * xen_grant_table_op() - __HYPERVISOR_grant_table_op
 * @v:    the calling vCPU
 * @args: GNTTABOP_*, its argument, the count of arguments (1 here)
 *
 * Return: 0 with a GNTST_* status in the argument (query_size,
 * setup_table), or -EFAULT; -EINVAL for a count other than 1 and for a
 * version other than 1; -EPERM for another domain's version; -ENOSYS for
 * map, unmap, copy, transfer and the other backend and v2 operations.
 */
long xen_grant_table_op(struct xen_vcpu *v, const unsigned long *args)
{
	unsigned long cmd = args[0], gva = args[1], count = args[2];

	switch (cmd) {
	case GNTTABOP_query_size:
	case GNTTABOP_setup_table:
	case GNTTABOP_set_version:
	case GNTTABOP_get_version:
		break;
	default:
		return -ENOSYS;
	}
	if (count != 1)
		return -EINVAL;
	switch (cmd) {
	case GNTTABOP_query_size:
		return xen_query_size(v, gva);
	case GNTTABOP_setup_table:
		return xen_setup_table(v, gva);
	case GNTTABOP_set_version:
		return xen_set_version(v, gva);
	default:
		return xen_get_version(v, gva);
	}
}
