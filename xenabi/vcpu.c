// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu_op (__HYPERVISOR_vcpu_op): where a vCPU's vcpu_info, runstate and
 * time area live, its single-shot timer, and what a vCPU may learn of
 * another.  vCPUs are brought up by the toolstack, not by this hypercall.
 */
#include "shinfo.h"

/*
 * A guest-virtual address of a registered area: 64 bits in the argument
 * (a union with a uint64_t), of which a 32-bit guest uses the low half.
 */
static int xen_area_addr(struct xen_vcpu *v, unsigned long gva, u64 *addr)
{
	if (v->ops->copy_from_guest(v, addr, gva, sizeof(*addr)))
		return -EFAULT;
	if (v->ops->mode(v) != 64)
		*addr = (u32)*addr;
	return 0;
}

/*
 * Moves the vcpu_info of @t into guest frame @gfn at @offset: once only,
 * inside one page, aligned for the bit operations on it.  What was in the
 * old one comes along, and every selector bit is raised so that no event
 * is lost on the way (the guest gets a spurious upcall), as Xen does.
 */
static long xen_register_vcpu_info(struct xen_vcpu *v, struct xen_vcpu *t,
				   unsigned long gva)
{
	struct vcpu_register_vcpu_info r;
	struct xen_domain *d = v->domain;
	unsigned int i;
	void *page;

	if (v->ops->copy_from_guest(v, &r, gva, sizeof(r)))
		return -EFAULT;
	if (r.offset > XENABI_PAGE_SIZE - sizeof(struct vcpu_info) ||
	    r.offset % sizeof(unsigned long) || r.rsvd)
		return -EINVAL;
	if (xenabi_read_once(t->vcpu_info_page))
		return -EINVAL;
	page = v->ops->map_gfn(v, r.mfn);
	if (!page)
		return -EINVAL;

	/* Checked again: two vCPUs may move it at once, one wins. */
	xenabi_lock(&d->lock);
	if (t->vcpu_info_page) {
		xenabi_unlock(&d->lock);
		v->ops->unmap_gfn(v, page);
		return -EINVAL;
	}
	memcpy((char *)page + r.offset, t->vcpu_info, sizeof(struct vcpu_info));
	t->vcpu_info_page = page;
	t->vcpu_info = (char *)page + r.offset;
	xenabi_unlock(&d->lock);
	xen_vcpu_info_time_update(t);
	for (i = 0; i < xen_word_bits(d); i++)
		xenabi_test_and_set_bit(xen_sel_bit(d, i), t->vcpu_info);
	xenabi_clear_bit(XENABI_UPCALL_PENDING_BIT, t->vcpu_info);
	xen_vcpu_mark_pending(t);
	return 0;
}

static long xen_register_runstate(struct xen_vcpu *v, struct xen_vcpu *t,
				  unsigned long gva)
{
	u64 addr;

	if (xen_area_addr(v, gva, &addr))
		return -EFAULT;
	t->runstate_area = addr;
	/* Another vCPU's is written in its own context, when it next runs. */
	if (t == v)
		xen_runstate_write(t);
	return 0;
}

static long xen_register_time_area(struct xen_vcpu *v, struct xen_vcpu *t,
				   unsigned long gva)
{
	u64 addr;

	if (xen_area_addr(v, gva, &addr))
		return -EFAULT;
	t->time_area = addr;
	if (t == v)
		xen_time_update(t);
	else
		t->time_area_stale = true;
	return 0;
}

static long xen_set_singleshot(struct xen_vcpu *v, unsigned long gva)
{
	struct vcpu_set_singleshot_timer s;

	/* Up to flags only: a 32-bit guest's has no tail padding. */
	if (v->ops->copy_from_guest(v, &s, gva,
				    offsetof(struct vcpu_set_singleshot_timer,
					     flags) + sizeof(s.flags)))
		return -EFAULT;
	if ((s.flags & VCPU_SSHOTTMR_future) &&
	    s.timeout_abs_ns < xen_system_time(v))
		return -ETIME;
	xen_timer_set(v, s.timeout_abs_ns ? s.timeout_abs_ns : 1);
	return 0;
}

/* Another vCPU's runstate, in the caller's layout. */
static long xen_get_runstate(struct xen_vcpu *v, struct xen_vcpu *t,
			     unsigned long gva)
{
	struct vcpu_runstate_info rs;

	xen_runstate_get(t, &rs);
	return xen_runstate_copy(v, gva, &rs, v->ops->mode(v) != 64) ?
	       -EFAULT : 0;
}

/**
 * xen_vcpu_op() - __HYPERVISOR_vcpu_op
 * @v:    the calling vCPU
 * @args: VCPUOP_*, the target vCPU's id, the argument
 *
 * Return: 0 (is_up: 1, as every vCPU the toolstack created is up), or
 * -ENOENT (no such vCPU), -EFAULT, -EINVAL (a bad vcpu_info place, a
 * second registration, a timer of another vCPU), -ETIME (a deadline in
 * the past with VCPU_SSHOTTMR_future); -ENOSYS for initialise, up, down,
 * set_periodic_timer, send_nmi, get_physid and unknown ops.
 */
long xen_vcpu_op(struct xen_vcpu *v, const unsigned long *args)
{
	unsigned long cmd = args[0], gva = args[2];
	struct xen_vcpu *t;

	t = args[1] < XENABI_MAX_VCPUS ? v->domain->vcpus[args[1]] : NULL;
	if (!t)
		return -ENOENT;

	switch (cmd) {
	case VCPUOP_is_up:
		return 1;
	case VCPUOP_get_runstate_info:
		return xen_get_runstate(v, t, gva);
	case VCPUOP_register_runstate_memory_area:
		return xen_register_runstate(v, t, gva);
	case VCPUOP_register_vcpu_info:
		return xen_register_vcpu_info(v, t, gva);
	case VCPUOP_register_vcpu_time_memory_area:
		return xen_register_time_area(v, t, gva);
	case VCPUOP_stop_periodic_timer:
		return 0;		/* there is no periodic timer */
	case VCPUOP_set_singleshot_timer:
		return t == v ? xen_set_singleshot(v, gva) : -EINVAL;
	case VCPUOP_stop_singleshot_timer:
		if (t != v)
			return -EINVAL;
		xen_timer_set(v, 0);
		return 0;
	default:
		return -ENOSYS;
	}
}
