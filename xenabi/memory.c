// SPDX-License-Identifier: GPL-2.0
/*
 * memory_op (__HYPERVISOR_memory_op): how much memory the guest has.  The
 * reservation is all of its RAM and never changes under it (no balloon).
 */
#include "xenabi.h"

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

/**
 * xen_memory_op() - __HYPERVISOR_memory_op
 * @v:    the calling vCPU
 * @args: XENMEM_* and its argument
 *
 * Return: current and maximum reservation: the guest's pages of RAM (both
 * the same), or -EFAULT, -EPERM (another domain); maximum_ram_page: one
 * past the guest's highest frame of RAM (a guest sees no machine frames);
 * other sub-ops -ENOSYS.
 */
long xen_memory_op(struct xen_vcpu *v, const unsigned long *args)
{
	switch (args[0]) {
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		return xen_reservation(v, args[1]);
	case XENMEM_maximum_ram_page:
		return v->domain->max_gfn;
	default:
		return -ENOSYS;
	}
}
