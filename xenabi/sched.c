// SPDX-License-Identifier: GPL-2.0
/*
 * sched_op (__HYPERVISOR_sched_op): yield, block, poll, and shutdown,
 * whose reason reaches the domain's controller (MICROV_RUN returns).
 */
#include "shinfo.h"

static long xen_sched_shutdown(struct xen_vcpu *v, unsigned long cmd,
			       unsigned long gva)
{
	struct xen_domain *d = v->domain;
	struct sched_shutdown ss;

	if (v->ops->copy_from_guest(v, &ss, gva, sizeof(ss)))
		return -EFAULT;
	if (ss.reason > SHUTDOWN_MAX)
		return -EINVAL;
	if (cmd == SCHEDOP_shutdown_code) {
		/* Recorded for the shutdown that follows (kexec, crash). */
		d->shutdown_code = ss.reason;
		d->has_code = true;
		return 0;
	}
	d->shutdown_reason = d->has_code ? d->shutdown_code : ss.reason;
	v->exit = XEN_EXIT_SHUTDOWN;
	return 0;
}

/*
 * struct sched_poll: the ports handle, nr_ports, timeout; 24 bytes for a
 * 64-bit guest, 16 (4-byte aligned 64-bit timeout) for a 32-bit one.  Any
 * port already pending, or a timeout already past, returns at once;
 * otherwise the vCPU waits until a port is pending (masked or not), an
 * upcall, or the timeout.
 */
static long xen_sched_poll(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_domain *d = v->domain;
	unsigned int size = xen_long_size(v);
	u32 nr, i, port;
	u64 ports, timeout;

	if (xen_get_long(v, gva, &ports) ||
	    v->ops->copy_from_guest(v, &nr, gva + size, sizeof(nr)) ||
	    v->ops->copy_from_guest(v, &timeout, gva + 2 * size,
				    sizeof(timeout)))
		return -EFAULT;
	if (nr > XENABI_POLL_MAX)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		if (v->ops->copy_from_guest(v, &port, ports + 4 * i,
					    sizeof(port)))
			return -EFAULT;
		if (port == 0 || port >= xen_nr_ports(d))
			return -EINVAL;
		if (xen_evtchn_is_pending(d, port))
			return 0;
		v->poll_ports[i] = port;
	}
	if (timeout && timeout <= xen_system_time(v))
		return 0;
	v->nr_poll = nr;
	v->polling = true;
	v->poll_timed_out = false;
	v->poll_deadline = timeout;
	if (timeout)
		xen_timer_set(v, v->timer_deadline);	/* re-arms for both */
	v->exit = XEN_EXIT_POLL;
	return 0;
}

/**
 * xen_sched_op() - __HYPERVISOR_sched_op
 * @v:    the calling vCPU
 * @args: SCHEDOP_* and its argument
 *
 * Return: 0; -EFAULT or -EINVAL (a reason above SHUTDOWN_MAX) for the
 * shutdowns; -EFAULT or -EINVAL (over XENABI_POLL_MAX ports, a bad port)
 * for poll; -ENOSYS for remote_shutdown, watchdog, pin_override and
 * unknown commands.
 */
long xen_sched_op(struct xen_vcpu *v, const unsigned long *args)
{
	switch (args[0]) {
	case SCHEDOP_yield:
		v->exit = XEN_EXIT_YIELD;
		return 0;
	case SCHEDOP_block:
		v->exit = XEN_EXIT_BLOCK;
		return 0;
	case SCHEDOP_poll:
		return xen_sched_poll(v, args[1]);
	case SCHEDOP_shutdown:
	case SCHEDOP_shutdown_code:
		return xen_sched_shutdown(v, args[0], args[1]);
	default:
		return -ENOSYS;
	}
}
