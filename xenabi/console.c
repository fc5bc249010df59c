// SPDX-License-Identifier: GPL-2.0
/*
 * console_io (__HYPERVISOR_console_io): the hypervisor console a guest
 * writes to before (or instead of) its PV console ring; Linux's earlyprintk
 * and "console=hvc0" before the ring is up use it.  Output goes to the
 * domain's part of the hypervisor log, apart from its console ring as on
 * Xen, rate-limited so that a guest cannot make the host copy without
 * end; there is no input on this path (the ring has it).
 */
#include "xenabi.h"

/* One write copies at most this much, as Xen caps it too. */
#define XENABI_CONSOLE_WRITE_MAX	4096

/*
 * How much of @len the bucket lets through now; the rest is counted lost.
 * Under the domain's lock: every vCPU draws from the one bucket.
 */
static size_t xen_console_allow(struct xen_vcpu *v, size_t len)
{
	struct xen_domain *d = v->domain;
	u64 now, elapsed;
	u64 full = XENABI_CONSOLE_BURST * XENABI_NSEC_PER_SEC /
		   XENABI_CONSOLE_RATE;

	/* Read under the lock: the stamp never goes back. */
	xenabi_lock(&d->lock);
	now = xen_system_time(v);
	elapsed = now - d->console_stamp;
	if (now < d->console_stamp)
		elapsed = 0;
	if (elapsed > full)
		elapsed = full;
	d->console_credit += elapsed * XENABI_CONSOLE_RATE / XENABI_NSEC_PER_SEC;
	if (d->console_credit > XENABI_CONSOLE_BURST)
		d->console_credit = XENABI_CONSOLE_BURST;
	d->console_stamp = now;
	if (len > d->console_credit) {
		d->console_limited += len - d->console_credit;
		len = d->console_credit;
	}
	d->console_credit -= len;
	xenabi_unlock(&d->lock);
	return len;
}

/**
 * xen_console_io() - __HYPERVISOR_console_io
 * @v:    the calling vCPU
 * @args: CONSOLEIO_* command, count, guest-virtual buffer
 *
 * Return: CONSOLEIO_write: 0 (at most XENABI_CONSOLE_WRITE_MAX bytes are
 * taken, fewer over the rate limit), -EFAULT if the buffer is not
 * readable; CONSOLEIO_read: 0 bytes read; other commands -ENOSYS.
 */
long xen_console_io(struct xen_vcpu *v, const unsigned long *args)
{
	unsigned long count = args[1], gva = args[2], done;
	char buf[128];

	switch (args[0]) {
	case CONSOLEIO_write:
		if (count > XENABI_CONSOLE_WRITE_MAX)
			count = XENABI_CONSOLE_WRITE_MAX;
		count = xen_console_allow(v, count);
		for (done = 0; done < count; done += sizeof(buf)) {
			size_t n = count - done < sizeof(buf) ?
				   count - done : sizeof(buf);

			if (v->ops->copy_from_guest(v, buf, gva + done, n))
				return -EFAULT;
			v->ops->console_write(v, buf, n);
		}
		return 0;
	case CONSOLEIO_read:
		return 0;
	default:
		return -ENOSYS;
	}
}
