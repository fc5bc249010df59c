// SPDX-License-Identifier: GPL-2.0
/*
 * sched_op (__HYPERVISOR_sched_op): yield, block, and shutdown, whose
 * reason reaches the domain's controller (MICROV_RUN returns).
 */
#include "xenabi.h"

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

/**
 * xen_sched_op() - __HYPERVISOR_sched_op
 * @v:    the calling vCPU
 * @args: SCHEDOP_* and its argument
 *
 * Return: 0; -EFAULT or -EINVAL (a reason above SHUTDOWN_MAX) for the
 * shutdowns; -ENOSYS for poll, remote_shutdown, watchdog, pin_override
 * and unknown commands.
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
	case SCHEDOP_shutdown:
	case SCHEDOP_shutdown_code:
		return xen_sched_shutdown(v, args[0], args[1]);
	default:
		return -ENOSYS;
	}
}
