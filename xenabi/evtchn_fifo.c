// SPDX-License-Identifier: GPL-2.0
/*
 * The FIFO event channel ABI: EVTCHNOP_init_control, expand_array and what
 * an event does once a guest has switched to it.
 *
 * The first control block a guest gives (init_control) switches the whole
 * domain.  From then on each port has a 32-bit event word in pages the
 * guest adds one at a time (expand_array), and a pending, unmasked port is
 * linked at the tail of one of the 16 queues, by priority, of the vCPU it
 * notifies: the queue's head is in that vCPU's control block, and a READY
 * bit there tells the guest which queues to look at.  An event on a port
 * whose word is not there yet is remembered and raised when its page
 * comes.
 *
 * The guest changes its words whenever it likes (it sets and clears
 * MASKED, clears PENDING, unlinks what it consumed).  microv touches them
 * only with atomic operations, never follows a link the guest could have
 * bent, and holds off the guest's unmask of the word it links to with
 * BUSY, so that its compare-exchange loses a bounded number of races.
 * d->lock serialises microv's own side: the queues' tails, the pages.
 */
#include "shinfo.h"

#define XENABI_FIFO_CB_SIZE	sizeof(struct evtchn_fifo_control_block)

/*
 * The guest's words are 32 bits; the host's locked bit operations work on
 * aligned longs.  On little-endian x86-64 bit b of the word at @w is bit
 * b + 32 of the long below it when @w is its upper half.
 */
static void *xen_fifo_long(u32 *w)
{
	return (void *)((uintptr_t)w & ~(uintptr_t)7);
}

static unsigned int xen_fifo_nr(const u32 *w, unsigned int bit)
{
	return bit + ((uintptr_t)w & 4 ? 32 : 0);
}

static bool xen_fifo_test_and_set(u32 *w, unsigned int bit)
{
	return xenabi_test_and_set_bit(xen_fifo_nr(w, bit), xen_fifo_long(w));
}

static void xen_fifo_clear(u32 *w, unsigned int bit)
{
	xenabi_clear_bit(xen_fifo_nr(w, bit), xen_fifo_long(w));
}

static bool xen_fifo_test(u32 *w, unsigned int bit)
{
	return xenabi_test_bit(xen_fifo_nr(w, bit), xen_fifo_long(w));
}

/* The event word of @port, or NULL if the guest has not given its page. */
static event_word_t *xen_fifo_word(struct xen_domain *d, u32 port)
{
	if (port >= d->fifo_nr_ports)
		return NULL;
	return d->fifo_array[port / XENABI_FIFO_WORDS_PER_PAGE] +
	       port % XENABI_FIFO_WORDS_PER_PAGE;
}

/*
 * Sets the link of @w, a queue's tail, to @port if @w is still linked.
 * Return: 1 done, 0 not linked (the guest consumed it: the queue is
 * empty), -EAGAIN the guest changed @w meanwhile (@old is what it holds).
 */
static int xen_fifo_try_link(event_word_t *w, event_word_t *old, u32 port)
{
	event_word_t new, seen;

	if (!(*old & (1u << EVTCHN_FIFO_LINKED)))
		return 0;
	new = (*old & ~((1u << EVTCHN_FIFO_BUSY) | EVTCHN_FIFO_LINK_MASK)) |
	      port;
	seen = xenabi_cmpxchg32(w, *old, new);
	if (seen == *old)
		return 1;
	*old = seen;
	return -EAGAIN;
}

/*
 * Links @port after the tail @w.  With BUSY set, the guest may still set
 * or clear MASKED, clear PENDING and unlink, each once: four failed tries
 * mean it broke the protocol, and its event may be lost (as on Xen).
 * Return: whether @port is on the queue after @w.
 */
static bool xen_fifo_link(event_word_t *w, u32 port)
{
	event_word_t old = xenabi_read_once(*w);
	unsigned int try;
	int ret;

	ret = xen_fifo_try_link(w, &old, port);
	if (ret >= 0)
		return ret;
	xen_fifo_test_and_set(w, EVTCHN_FIFO_BUSY);
	old = xenabi_read_once(*w);
	for (try = 0; try < 4; try++) {
		ret = xen_fifo_try_link(w, &old, port);
		if (ret == 1)
			return true;	/* the new word has BUSY clear */
		if (ret == 0)
			break;
	}
	xen_fifo_clear(w, EVTCHN_FIFO_BUSY);
	return ret != 0;
}

/**
 * xen_fifo_set_pending() - an event on @port, which notifies @v
 * @d:    the domain, d->lock held
 * @v:    the vCPU
 * @port: the port
 *
 * Return: whether the port became pending (its pollers are to be woken).
 */
bool xen_fifo_set_pending(struct xen_domain *d, struct xen_vcpu *v, u32 port)
{
	struct xen_evtchn *chn = &d->evtchn[port];
	struct evtchn_fifo_control_block *cb = v->fifo_cb;
	event_word_t *w = xen_fifo_word(d, port);
	struct xen_vcpu *last;
	bool raised, linked = true;
	u32 *tail;

	if (!w) {
		chn->fifo_pending = true;
		return false;
	}
	/* A guest must give the vCPU its block before it unmasks: dropped. */
	if (!cb)
		return false;
	raised = !xen_fifo_test_and_set(w, EVTCHN_FIFO_PENDING);
	if (xen_fifo_test(w, EVTCHN_FIFO_MASKED) ||
	    xen_fifo_test_and_set(w, EVTCHN_FIFO_LINKED))
		return raised;

	/* The tail of the queue it was last on: that queue is empty now. */
	last = chn->last_vcpu < XENABI_MAX_VCPUS ? d->vcpus[chn->last_vcpu] :
						    NULL;
	if (last && last->fifo_tail[chn->last_priority] == port)
		last->fifo_tail[chn->last_priority] = 0;
	chn->last_vcpu = v->vcpu_id;
	chn->last_priority = chn->priority;

	tail = &v->fifo_tail[chn->priority];
	linked = false;
	if (*tail) {
		event_word_t *tw = xen_fifo_word(d, *tail);

		linked = tw && xen_fifo_link(tw, port);
	}
	if (!linked)
		xenabi_write_once(cb->head[chn->priority], port);
	*tail = port;

	if (!linked && !xen_fifo_test_and_set(&cb->ready, chn->priority))
		xen_vcpu_mark_pending(v);
	return raised;
}

/* Closing: the port is no longer pending (the guest unlinks it). */
void xen_fifo_clear_pending(struct xen_domain *d, u32 port)
{
	event_word_t *w = xen_fifo_word(d, port);

	d->evtchn[port].fifo_pending = false;
	if (w)
		xen_fifo_clear(w, EVTCHN_FIFO_PENDING);
}

bool xen_fifo_is_pending(struct xen_domain *d, u32 port)
{
	event_word_t *w = xen_fifo_word(d, port);

	return w && xen_fifo_test(w, EVTCHN_FIFO_PENDING);
}

/* EVTCHNOP_unmask: linked now if it is pending. */
void xen_fifo_unmask(struct xen_domain *d, struct xen_vcpu *v, u32 port)
{
	event_word_t *w = xen_fifo_word(d, port);

	if (!w)
		return;
	xen_fifo_clear(w, EVTCHN_FIFO_MASKED);
	if (v && xen_fifo_test(w, EVTCHN_FIFO_PENDING))
		xen_fifo_set_pending(d, v, port);
}

/*
 * The domain goes FIFO; d->lock held.  What was pending in the 2-level
 * bitmap is raised again once its word is there; every port starts at
 * the default priority.
 */
static void xen_fifo_switch(struct xen_domain *d)
{
	unsigned int nr = xen_nr_ports(d);
	u32 port;

	for (port = 1; port < XENABI_NR_EVTCHNS; port++) {
		struct xen_evtchn *chn = &d->evtchn[port];

		chn->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
		chn->fifo_pending = chn->state != EVTCHNSTAT_closed &&
			port < nr &&
			xenabi_test_bit(port, xen_evtchn_pending(d));
	}
	d->evtchn_fifo = true;
}

/**
 * xen_fifo_init_control() - EVTCHNOP_init_control
 * @v: the calling vCPU
 * @c: the argument: vCPU, frame and offset of its control block
 *
 * Return: 0; -ENOENT (no such vCPU), -EINVAL (the block would cross its
 * page or is not 8-byte aligned, the vCPU has one, the frame is not RAM).
 */
long xen_fifo_init_control(struct xen_vcpu *v, struct evtchn_init_control *c)
{
	struct xen_domain *d = v->domain;
	struct xen_vcpu *t;
	void *page;

	c->link_bits = EVTCHN_FIFO_LINK_BITS;
	t = c->vcpu < XENABI_MAX_VCPUS ? xenabi_read_once(d->vcpus[c->vcpu]) :
					  NULL;
	if (!t)
		return -ENOENT;
	if (c->offset > XENABI_PAGE_SIZE - XENABI_FIFO_CB_SIZE ||
	    c->offset & 7)
		return -EINVAL;
	if (xenabi_read_once(t->fifo_cb))
		return -EINVAL;
	page = v->ops->map_gfn(v, c->control_gfn);
	if (!page)
		return -EINVAL;

	/* Checked again: two vCPUs may give it one at once. */
	xenabi_lock(&d->lock);
	if (t->fifo_cb || d->vcpus[c->vcpu] != t) {
		xenabi_unlock(&d->lock);
		v->ops->unmap_gfn(v, page);
		return -EINVAL;
	}
	if (!d->evtchn_fifo)
		xen_fifo_switch(d);
	memset(t->fifo_tail, 0, sizeof(t->fifo_tail));
	t->fifo_cb_page = page;
	t->fifo_cb = (void *)((char *)page + c->offset);
	xenabi_unlock(&d->lock);
	return 0;
}

/*
 * The page that comes after the others: events raised on its ports while
 * it was missing are delivered now; d->lock held.
 */
static void xen_fifo_add_page(struct xen_domain *d, void *page)
{
	u32 port = d->fifo_nr_ports;

	d->fifo_array[port / XENABI_FIFO_WORDS_PER_PAGE] = page;
	d->fifo_nr_ports += XENABI_FIFO_WORDS_PER_PAGE;
	for (; port < d->fifo_nr_ports; port++) {
		struct xen_evtchn *chn = &d->evtchn[port];

		if (chn->state != EVTCHNSTAT_closed && chn->fifo_pending) {
			chn->fifo_pending = false;
			xen_evtchn_raise(d, port);
		}
	}
}

/**
 * xen_fifo_expand_array() - EVTCHNOP_expand_array
 * @v:   the calling vCPU
 * @gfn: the guest frame of the next page of event words
 *
 * Return: 0; -EOPNOTSUPP (no control block yet), -ENOSPC (every port has
 * its word), -EINVAL (the frame is not RAM).
 */
long xen_fifo_expand_array(struct xen_vcpu *v, u64 gfn)
{
	struct xen_domain *d = v->domain;
	long ret = 0;
	void *page;

	if (!xenabi_read_once(d->evtchn_fifo))
		return -EOPNOTSUPP;
	if (xenabi_read_once(d->fifo_nr_ports) >= XENABI_NR_EVTCHNS)
		return -ENOSPC;
	page = v->ops->map_gfn(v, gfn);
	if (!page)
		return -EINVAL;

	xenabi_lock(&d->lock);
	if (!d->evtchn_fifo)
		ret = -EOPNOTSUPP;
	else if (d->fifo_nr_ports >= XENABI_NR_EVTCHNS)
		ret = -ENOSPC;
	else
		xen_fifo_add_page(d, page);
	xenabi_unlock(&d->lock);
	if (ret)
		v->ops->unmap_gfn(v, page);
	return ret;
}

/* Takes @t's control block away; d->lock held.  Return: its page. */
static void *xen_fifo_take_cb(struct xen_vcpu *t)
{
	void *page = t->fifo_cb_page;

	t->fifo_cb = NULL;
	t->fifo_cb_page = NULL;
	return page;
}

/* Takes the event array away; d->lock held.  It goes into @pages. */
static void xen_fifo_take_array(struct xen_domain *d, void **pages)
{
	unsigned int i;

	for (i = 0; i < XENABI_FIFO_ARRAY_PAGES; i++) {
		pages[i] = d->fifo_array[i];
		d->fifo_array[i] = NULL;
	}
	d->fifo_nr_ports = 0;
}

/**
 * xen_fifo_take_all() - back to the 2-level ABI (EVTCHNOP_reset)
 * @d:     the domain, d->lock held
 * @pages: XENABI_FIFO_MAX_PAGES: the pages the FIFO ABI held, or NULL,
 *         for the caller to let go once it has unlocked
 */
void xen_fifo_take_all(struct xen_domain *d, void **pages)
{
	unsigned int i;

	xen_fifo_take_array(d, pages);
	for (i = 0; i < XENABI_MAX_VCPUS; i++)
		pages[XENABI_FIFO_ARRAY_PAGES + i] =
			d->vcpus[i] ? xen_fifo_take_cb(d->vcpus[i]) : NULL;
	d->evtchn_fifo = false;
}

/**
 * xen_fifo_vcpu_destroy() - a vCPU goes with its domain
 * @v: the vCPU, already out of d->vcpus
 *
 * Its control block goes; with the domain's last vCPU, the event array.
 */
void xen_fifo_vcpu_destroy(struct xen_vcpu *v)
{
	void *pages[XENABI_FIFO_ARRAY_PAGES + 1] = { NULL };
	struct xen_domain *d = v->domain;
	unsigned int i;
	bool last = true;

	xenabi_lock(&d->lock);
	pages[XENABI_FIFO_ARRAY_PAGES] = xen_fifo_take_cb(v);
	for (i = 0; i < XENABI_MAX_VCPUS; i++)
		if (d->vcpus[i])
			last = false;
	if (last)
		xen_fifo_take_array(d, pages);
	xenabi_unlock(&d->lock);
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (pages[i])
			v->ops->unmap_gfn(v, pages[i]);
}
