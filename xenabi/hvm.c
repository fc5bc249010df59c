// SPDX-License-Identifier: GPL-2.0
/*
 * hvm_op (__HYPERVISOR_hvm_op): the HVM parameters a guest reads (where
 * its console and store rings are) and the few it sets itself (how it
 * wants event upcalls), with the same split between guest and toolstack
 * as Xen makes.
 */
#include "xenabi.h"

/* What the guest may set on itself; anything else is the toolstack's. */
static bool xen_guest_may_set(u32 index)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
	case HVM_PARAM_VM86_TSS:
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_EVTCHN:
		return true;
	default:
		return false;
	}
}

/* What the guest may read: the above, and where its rings are. */
static bool xen_guest_may_get(u32 index)
{
	return xen_guest_may_set(index) || index == HVM_PARAM_STORE_PFN ||
	       index == HVM_PARAM_CONSOLE_PFN;
}

static long xen_hvm_param(struct xen_vcpu *v, unsigned long cmd,
			  unsigned long gva)
{
	struct xen_domain *d = v->domain;
	struct xen_hvm_param p;

	if (v->ops->copy_from_guest(v, &p, gva, sizeof(p)))
		return -EFAULT;
	/* Only about itself: another domain's parameters are not its business. */
	if (p.domid != DOMID_SELF && p.domid != d->domid)
		return -EPERM;
	if (p.index >= XENABI_NR_PARAMS)
		return -EINVAL;
	if (cmd == HVMOP_set_param) {
		if (!xen_guest_may_set(p.index))
			return -EPERM;
		d->params[p.index] = p.value;
		return 0;
	}
	if (!xen_guest_may_get(p.index))
		return -EPERM;
	p.value = d->params[p.index];
	return v->ops->copy_to_guest(v, gva, &p, sizeof(p)) ? -EFAULT : 0;
}

/**
 * xen_hvm_op() - __HYPERVISOR_hvm_op
 * @v:    the calling vCPU
 * @args: HVMOP_* and its argument
 *
 * Return: 0; for set_param and get_param -EFAULT, -EPERM (another domain,
 * or a parameter the guest may not touch), -EINVAL (unknown parameter);
 * -ENOSYS for the other HVMOPs.
 */
long xen_hvm_op(struct xen_vcpu *v, const unsigned long *args)
{
	switch (args[0]) {
	case HVMOP_set_param:
	case HVMOP_get_param:
		return xen_hvm_param(v, args[0], args[1]);
	default:
		return -ENOSYS;
	}
}

/**
 * xen_toolstack_set_param() - the controller sets any known parameter
 * @d:     the domain
 * @index: HVM_PARAM_*
 * @value: its value
 *
 * Return: 0, or -EINVAL for an unknown parameter.
 */
int xen_toolstack_set_param(struct xen_domain *d, u32 index, u64 value)
{
	if (index >= XENABI_NR_PARAMS)
		return -EINVAL;
	d->params[index] = value;
	return 0;
}

int xen_toolstack_get_param(struct xen_domain *d, u32 index, u64 *value)
{
	if (index >= XENABI_NR_PARAMS)
		return -EINVAL;
	*value = d->params[index];
	return 0;
}
