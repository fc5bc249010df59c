// SPDX-License-Identifier: GPL-2.0
/*
 * The one backend on a ring in guest memory that the module serves
 * itself: the Xen console ring (output into the domain's console stream,
 * input from its console fd).  The toolstack names the ring's page
 * (MICROV_CONNECT_RING); the module binds a port of the guest to itself
 * and sets the HVM parameters the guest looks them up with.  The guest's
 * event on the port brings the backend to its ring, in the sending vCPU's
 * thread; the backend's event tells the guest it is done.
 *
 * The xenstore ring is not served here: the toolstack grants it to domain
 * 0 (MICROV_GNTTAB_SEED), makes its port (MICROV_EVTCHN_ALLOC_UNBOUND,
 * MICROV_EVTCHN_BIND), sets its HVM parameters (MICROV_SET_HVM_PARAM) and
 * hands it to the host's xenstore daemon, microv-xenstored, in userspace.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "domain.h"
#include "microv.h"

/*
 * What one guest event buys: this many chunks of console output (twice
 * its ring).  One vCPU's driver, which waits for the backend, never
 * leaves more; other vCPUs, or another thread of the process (it shares
 * guest RAM), can keep the ring full for ever.  The rest is done a round
 * per entry into the guest, from the vCPU's run loop, which sees signals
 * and the scheduler between rounds (microv_ring_work()).
 */
#define MICROV_RING_BUDGET	16

/* Takes the guest's console output; true if it may have left more. */
static bool microv_console_ring_pull(struct microv_domain *d)
{
	char chunk[256];
	unsigned int i;
	bool any = false;
	size_t n = 0;

	for (i = 0; i < MICROV_RING_BUDGET; i++) {
		n = xen_console_pull(&d->xen, chunk, sizeof(chunk));
		if (!n)
			break;
		microv_console_write(&d->console, chunk, n);
		any = true;
	}
	if (any)
		xen_evtchn_notify_from_host(&d->xen, d->xen.console_port);
	/* Writers waiting for room in its input: it signals after reads. */
	wake_up_interruptible(&d->console.wait);
	return n;
}

/* One round on @ring, if it is connected; true if there may be more. */
static bool microv_ring_serve(struct microv_domain *d, unsigned int ring)
{
	if (!d->ring_pages[ring])
		return false;
	return microv_console_ring_pull(d);	/* the only ring there is */
}

/**
 * microv_ring_notify() - the guest signalled a port bound to the module
 * @v:    the sending vCPU
 * @port: the port
 *
 * The console's port: its output is taken, the guest is signalled back if
 * anything moved, and writers waiting for room in its input are woken;
 * what is over the budget is left to @v's run loop.  Other ports bound to
 * the module have no backend here.
 */
void microv_ring_notify(struct microv_vcpu *v, u32 port)
{
	struct microv_domain *d = v->domain;
	unsigned int ring;

	mutex_lock(&d->ring_lock);
	if (port == d->xen.console_port)
		ring = MICROV_RING_CONSOLE;
	else
		ring = MICROV_NR_RINGS;
	if (ring < MICROV_NR_RINGS && microv_ring_serve(d, ring))
		set_bit(ring, &v->ring_work);
	mutex_unlock(&d->ring_lock);
}

/**
 * microv_ring_work() - the next round of what a guest event left
 * @v: the vCPU, in its run loop (preemptible)
 */
void microv_ring_work(struct microv_vcpu *v)
{
	struct microv_domain *d = v->domain;
	unsigned int ring;

	for (ring = MICROV_RING_CONSOLE; ring < MICROV_NR_RINGS; ring++) {
		if (!test_and_clear_bit(ring, &v->ring_work))
			continue;
		mutex_lock(&d->ring_lock);
		if (microv_ring_serve(d, ring))
			set_bit(ring, &v->ring_work);
		mutex_unlock(&d->ring_lock);
	}
}

/**
 * microv_console_input() - bytes for the guest's console input ring
 * @d:      the domain
 * @buf:    the bytes
 * @len:    how many
 *
 * Return: bytes taken (0 if the ring is full), or -ENXIO if the domain has
 * no console ring.
 */
ssize_t microv_console_input(struct microv_domain *d, const char *buf,
			     size_t len)
{
	size_t n;

	mutex_lock(&d->ring_lock);
	if (!d->ring_pages[MICROV_RING_CONSOLE]) {
		mutex_unlock(&d->ring_lock);
		return -ENXIO;
	}
	n = xen_console_push(&d->xen, buf, len);
	if (n)
		xen_evtchn_notify_from_host(&d->xen, d->xen.console_port);
	mutex_unlock(&d->ring_lock);
	return n;
}

/* Room in the guest's console input ring (0 without a ring). */
size_t microv_console_room(struct microv_domain *d)
{
	return READ_ONCE(d->ring_pages[MICROV_RING_CONSOLE]) ?
	       xen_console_room(&d->xen) : 0;
}

/**
 * microv_ring_connect() - MICROV_CONNECT_RING
 * @d:     the domain
 * @uring: the request; its port is filled in
 *
 * The page must be RAM the guest can write; it is cleared, held until the
 * domain dies, and served from then on.
 *
 * Only MICROV_RING_CONSOLE is served; MICROV_RING_XENSTORE is refused, its
 * ring being the host xenstore daemon's (see the top of this file).
 *
 * Return: 0, or -EFAULT (the argument, or the page cannot be pinned),
 * -EINVAL (kind not MICROV_RING_CONSOLE, flags, pad, no writable RAM at
 * gfn), -EBUSY (the ring is already connected), -ENOSPC (no free port).
 */
long microv_ring_connect(struct microv_domain *d,
			 struct microv_ring __user *uring)
{
	struct microv_memslot *s;
	struct microv_ring r;
	struct page *page;
	void *va;
	int port;
	long ret = 0;

	if (copy_from_user(&r, uring, sizeof(r)))
		return -EFAULT;
	if (r.flags || r.pad || r.kind != MICROV_RING_CONSOLE)
		return -EINVAL;
	if (r.gfn >= MICROV_MAX_GPA >> PAGE_SHIFT)
		return -EINVAL;

	mutex_lock(&d->lock);
	mutex_lock(&d->ring_lock);
	if (d->ring_pages[r.kind]) {
		ret = -EBUSY;
		goto out;
	}
	s = microv_memslot_at(d, r.gfn << PAGE_SHIFT);
	if (!s || (s->flags & MICROV_MEM_READONLY)) {
		ret = -EINVAL;
		goto out;
	}
	page = microv_memslot_page(d, s, r.gfn << PAGE_SHIFT);
	if (!page) {
		ret = -EFAULT;
		goto out;
	}
	port = xen_evtchn_bind_host(&d->xen);
	if (port < 0) {
		ret = port;
		goto out;
	}
	get_page(page);
	va = page_address(page);
	clear_page(va);
	d->ring_pages[r.kind] = page;
	d->xen.console_ring = va;
	d->xen.console_port = port;
	xen_toolstack_set_param(&d->xen, HVM_PARAM_CONSOLE_PFN, r.gfn);
	xen_toolstack_set_param(&d->xen, HVM_PARAM_CONSOLE_EVTCHN, port);
	r.port = port;
out:
	mutex_unlock(&d->ring_lock);
	mutex_unlock(&d->lock);
	if (!ret && copy_to_user(uring, &r, sizeof(r)))
		ret = -EFAULT;
	return ret;
}

/* When the domain dies: the ring pages are let go. */
void microv_rings_free(struct microv_domain *d)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(d->ring_pages); i++)
		if (d->ring_pages[i])
			put_page(d->ring_pages[i]);
}
