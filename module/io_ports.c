// SPDX-License-Identifier: GPL-2.0
/*
 * I/O ports: which ones the domain's process serves (MICROV_SET_IO_PORTS)
 * and, for the others, the answer Xen gives for a port that no device
 * model claims: reads all ones, writes dropped, the guest goes on.  Linux
 * polls ports no device stands behind (the PIT's 0x42 and 0x61 while it
 * calibrates its TSC) tens of thousands of times a boot: none of that
 * needs a trip to userspace.
 */
#include <linux/bitmap.h>
#include <linux/uaccess.h>

#include "domain.h"
#include "microv.h"

/* A new domain: its process serves every port, as before it says more. */
void microv_io_ports_init(struct microv_domain *d)
{
	bitmap_fill(d->io_claimed, MICROV_NR_IO_PORTS);
}

/**
 * microv_io_ports_set() - MICROV_SET_IO_PORTS
 * @d:    the domain
 * @uarg: struct microv_io_ports
 *
 * Return: 0, or -EFAULT, -EINVAL (flags, pad, a range past port 65535).
 */
long microv_io_ports_set(struct microv_domain *d,
			 struct microv_io_ports __user *uarg)
{
	struct microv_io_ports p;

	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	if ((p.flags & ~MICROV_IO_CLAIM) || p.pad ||
	    p.first > MICROV_NR_IO_PORTS ||
	    p.count > MICROV_NR_IO_PORTS - p.first)
		return -EINVAL;
	/* Writers one at a time; a vCPU reads each word whole. */
	mutex_lock(&d->lock);
	if (p.flags & MICROV_IO_CLAIM)
		bitmap_set(d->io_claimed, p.first, p.count);
	else
		bitmap_clear(d->io_claimed, p.first, p.count);
	mutex_unlock(&d->lock);
	return 0;
}

/**
 * microv_io_claimed() - does the process serve this access?
 * @d:    the domain
 * @port: its first port
 * @size: 1, 2 or 4 bytes: as many ports
 *
 * An access that touches a served port is the process's, whole.  When
 * not, it is counted: the module answers it.  Any context.
 */
bool microv_io_claimed(struct microv_domain *d, u16 port, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		if (test_bit((port + i) % MICROV_NR_IO_PORTS, d->io_claimed))
			return true;
	atomic64_inc(&d->nr_io_unclaimed);
	return false;
}
