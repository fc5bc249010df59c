// SPDX-License-Identifier: GPL-2.0
/*
 * hvm_op (__HYPERVISOR_hvm_op): the HVM parameters a guest reads (where
 * its console and store rings are) and the few it sets itself (how it
 * wants event upcalls), with the same split between guest and toolstack
 * as Xen makes; the per-vCPU upcall vector.
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

/*
 * What the guest may read: its callback, and where its rings are and how
 * they signal (Xen 4.17 keeps even VM86_TSS and TIMER_MODE from it).
 */
static bool xen_guest_may_get(u32 index)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
	case HVM_PARAM_STORE_PFN:
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_PFN:
	case HVM_PARAM_CONSOLE_EVTCHN:
		return true;
	default:
		return false;
	}
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
	p.index = xenabi_index_nospec(p.index, XENABI_NR_PARAMS);
	if (cmd == HVMOP_set_param) {
		if (!xen_guest_may_set(p.index))
			return -EPERM;
		if (p.index == HVM_PARAM_CALLBACK_IRQ) {
			/* 0 turns upcalls off; only vectors can be delivered. */
			if (p.value && (p.value >> XENABI_CALLBACK_TYPE_SHIFT) !=
			    HVM_PARAM_CALLBACK_TYPE_VECTOR)
				return -EINVAL;
			xen_shinfo_latch(v);
		}
		d->params[p.index] = p.value;
		if (p.index == HVM_PARAM_CALLBACK_IRQ && p.value)
			xen_upcall_kick_all(d);
		return 0;
	}
	if (!xen_guest_may_get(p.index))
		return -EPERM;
	p.value = d->params[p.index];
	return v->ops->copy_to_guest(v, gva, &p, sizeof(p)) ? -EFAULT : 0;
}

/* A vector at or above 0x10, for a vCPU that exists. */
static long xen_upcall_vector_op(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_hvm_evtchn_upcall_vector uv;
	struct xen_vcpu *t;

	if (v->ops->copy_from_guest(v, &uv, gva, sizeof(uv)))
		return -EFAULT;
	if (uv.vector < 0x10)
		return -EINVAL;
	t = uv.vcpu < XENABI_MAX_VCPUS ? v->domain->vcpus[uv.vcpu] : NULL;
	if (!t)
		return -ENOENT;
	t->upcall_vector = uv.vector;
	if (xen_upcall_pending(t))
		t->ops->kick(t);
	return 0;
}

/*
 * Xen uses it to speed up shadow paging; with EPT (Xen's HAP) it answers
 * -EINVAL, and so does microv.
 */
static long xen_pagetable_dying(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_hvm_pagetable_dying pd;

	if (v->ops->copy_from_guest(v, &pd, gva, sizeof(pd)))
		return -EFAULT;
	return -EINVAL;
}

/**
 * xen_hvm_op() - __HYPERVISOR_hvm_op
 * @v:    the calling vCPU
 * @args: HVMOP_* and its argument
 *
 * Return: 0; for set_param and get_param -EFAULT, -EPERM (another domain,
 * or a parameter the guest may not touch), -EINVAL (unknown parameter, a
 * callback of a type other than vector); set_evtchn_upcall_vector
 * -EFAULT, -EINVAL (vector below 0x10), -ENOENT (no such vCPU);
 * pagetable_dying -EFAULT or -EINVAL (not needed with EPT); -ENOSYS for
 * the other HVMOPs.
 */
long xen_hvm_op(struct xen_vcpu *v, const unsigned long *args)
{
	switch (args[0]) {
	case HVMOP_set_param:
	case HVMOP_get_param:
		return xen_hvm_param(v, args[0], args[1]);
	case HVMOP_set_evtchn_upcall_vector:
		return xen_upcall_vector_op(v, args[1]);
	case HVMOP_pagetable_dying:
		return xen_pagetable_dying(v, args[1]);
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
