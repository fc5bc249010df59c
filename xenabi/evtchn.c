// SPDX-License-Identifier: GPL-2.0
/*
 * event_channel_op (__HYPERVISOR_event_channel_op): event channels of the
 * 2-level ABI, whose pending and mask bitmaps live in shared_info.  An
 * event sets the port's pending bit; if the port is not masked, the bit of
 * its word in the target vCPU's evtchn_pending_sel and then that vCPU's
 * evtchn_upcall_pending; the first time the latter goes up, the host is
 * told to deliver the upcall (xen_vcpu_ops.kick).  A guest that gives a
 * FIFO control block switches to that ABI (evtchn_fifo.c): the bindings
 * stay here, the pending and masked state moves to its event words.
 */
#include "shinfo.h"

/* The VIRQs bound per vCPU; all the others only on vCPU 0. */
static bool xen_virq_is_global(u32 virq)
{
	return virq != VIRQ_TIMER && virq != VIRQ_DEBUG &&
	       virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

/* A port the guest named: in range, and kept so under speculation. */
static bool xen_port_valid(const struct xen_domain *d, u32 *port)
{
	u32 nr = xen_nr_ports(d);

	if (*port == 0 || *port >= nr)
		return false;
	*port = xenabi_index_nospec(*port, nr);
	return true;
}

/*
 * A port of the whole array, whatever the layout now: a host end bound
 * before the layout shrank (64-bit shared_info to 32-bit) must still be
 * found to be let go.  Not for raising: that needs xen_port_valid().
 */
static bool xen_port_in_array(u32 *port)
{
	if (*port == 0 || *port >= XENABI_NR_EVTCHNS)
		return false;
	*port = xenabi_index_nospec(*port, XENABI_NR_EVTCHNS);
	return true;
}

/* The domain a request names must be the caller's own. */
static bool xen_is_self(const struct xen_domain *d, domid_t dom)
{
	return dom == DOMID_SELF || dom == d->domid;
}

static struct xen_vcpu *xen_vcpu_by_id(struct xen_domain *d, u32 id)
{
	return id < XENABI_MAX_VCPUS ?
	       d->vcpus[xenabi_index_nospec(id, XENABI_MAX_VCPUS)] : NULL;
}

/**
 * xen_vcpu_mark_pending() - raise evtchn_upcall_pending of a vCPU
 * @v: the vCPU
 *
 * The host is kicked only when it goes from 0 to 1: after that, the guest
 * clears it itself before it looks at the selector.
 */
void xen_vcpu_mark_pending(struct xen_vcpu *v)
{
	if (!xenabi_test_and_set_bit(XENABI_UPCALL_PENDING_BIT, v->vcpu_info))
		v->ops->kick(v);
}

/* A pending, unmasked port: its selector bit and the upcall of @v. */
static void xen_evtchn_notify(struct xen_domain *d, struct xen_vcpu *v,
			      u32 port)
{
	if (xenabi_test_bit(port, xen_evtchn_mask(d)))
		return;
	if (!xenabi_test_and_set_bit(xen_sel_bit(d, port / xen_word_bits(d)),
				     v->vcpu_info))
		xen_vcpu_mark_pending(v);
}

/*
 * Kicks the vCPUs that poll @port, masked or not, whichever vCPU the port
 * notifies (as Xen wakes its pollers); d->lock held.
 */
static void xen_evtchn_kick_pollers(struct xen_domain *d, u32 port)
{
	unsigned int i, j;

	for (i = 0; i < XENABI_MAX_VCPUS; i++) {
		struct xen_vcpu *p = d->vcpus[i];

		if (!p || !p->polling)
			continue;
		for (j = 0; j < p->nr_poll; j++) {
			if (p->poll_ports[j] == port) {
				p->ops->kick(p);
				break;
			}
		}
	}
}

/**
 * xen_evtchn_raise() - marks @port pending, as the domain's ABI says
 * @d:    the domain, d->lock held
 * @port: a valid port
 */
void xen_evtchn_raise(struct xen_domain *d, u32 port)
{
	struct xen_vcpu *v = xen_vcpu_by_id(d, d->evtchn[port].notify_vcpu);

	if (d->evtchn_fifo) {
		if (v && xen_fifo_set_pending(d, v, port))
			xen_evtchn_kick_pollers(d, port);
		return;
	}
	if (xenabi_test_and_set_bit(port, xen_evtchn_pending(d)))
		return;
	if (v)
		xen_evtchn_notify(d, v, port);
	xen_evtchn_kick_pollers(d, port);
}

/**
 * xen_evtchn_is_pending() - whether @port is pending, masked or not
 * @d:    the domain
 * @port: a port below xen_nr_ports()
 *
 * A closed port never is, whatever the guest wrote in its bit or word.
 * Process context, d->lock not held: it takes it, as the FIFO pages may
 * go meanwhile.
 */
bool xen_evtchn_is_pending(struct xen_domain *d, u32 port)
{
	bool ret;

	xenabi_lock(&d->lock);
	if (port >= XENABI_NR_EVTCHNS ||
	    d->evtchn[port].state == EVTCHNSTAT_closed)
		ret = false;
	else if (d->evtchn_fifo)
		ret = xen_fifo_is_pending(d, port);
	else
		ret = port < xen_nr_ports(d) &&
		      xenabi_test_bit(port, xen_evtchn_pending(d));
	xenabi_unlock(&d->lock);
	return ret;
}

/**
 * xen_evtchn_set_pending() - an event on one of the domain's ports, from
 * the host (a backend)
 * @d:    the domain
 * @port: the port
 *
 * Return: 0, or -EINVAL if @port is not bound.
 */
int xen_evtchn_set_pending(struct xen_domain *d, u32 port)
{
	int ret = -EINVAL;

	xenabi_lock(&d->lock);
	if (xen_port_valid(d, &port) &&
	    d->evtchn[port].state != EVTCHNSTAT_closed) {
		xen_evtchn_raise(d, port);
		ret = 0;
	}
	xenabi_unlock(&d->lock);
	return ret;
}

/**
 * xen_evtchn_send_virq() - raise a VIRQ of a vCPU
 * @v:    the vCPU (vCPU 0 for a global VIRQ)
 * @virq: VIRQ_*
 *
 * Return: 0 if raised, -ENOENT if nothing is bound to it (it is dropped,
 * as Xen drops it).
 */
int xen_evtchn_send_virq(struct xen_vcpu *v, u32 virq)
{
	struct xen_domain *d = v->domain;
	int ret = -ENOENT;

	if (virq >= NR_VIRQS)
		return -EINVAL;
	xenabi_lock(&d->lock);
	if (v->virq_port[virq]) {
		xen_evtchn_raise(d, v->virq_port[virq]);
		ret = 0;
	}
	xenabi_unlock(&d->lock);
	return ret;
}

/*
 * Whether @chn's peer is the host: its port 0 for a ring the module
 * serves, else a host process's end (MICROV_EVTCHN_BIND).  A domain that
 * is itself domain 0 (the unit tests make one) has only the rings: its
 * other channels to domain 0 are loopback ones.
 */
static bool xen_evtchn_to_host(const struct xen_domain *d,
			       const struct xen_evtchn *chn)
{
	return chn->state == EVTCHNSTAT_interdomain &&
	       chn->remote_dom == XENABI_BACKEND_DOMID &&
	       (!chn->remote_port || d->domid != XENABI_BACKEND_DOMID);
}

/* Whether @chn is bound to the host's port @local. */
static bool xen_evtchn_is_host(const struct xen_domain *d,
			       const struct xen_evtchn *chn, u32 local)
{
	return xen_evtchn_to_host(d, chn) && chn->remote_port == local;
}

/*
 * The lowest free port, at the default FIFO priority; d->lock held.
 * Return: the port, or -ENOSPC.
 */
static int xen_evtchn_alloc(struct xen_domain *d)
{
	u32 port;

	for (port = 1; port < xen_nr_ports(d); port++) {
		if (d->evtchn[port].state == EVTCHNSTAT_closed) {
			d->evtchn[port].priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
			return port;
		}
	}
	return -ENOSPC;
}

/* Closes @port; d->lock held.  Its peer, if in this domain, waits again. */
static void xen_evtchn_free(struct xen_domain *d, u32 port)
{
	struct xen_evtchn *chn = &d->evtchn[port];
	struct xen_vcpu *v;

	switch (chn->state) {
	case EVTCHNSTAT_virq:
		/* A global VIRQ is vCPU 0's, wherever bind_vcpu sent it. */
		v = xen_vcpu_by_id(d, xen_virq_is_global(chn->virq) ? 0 :
				   chn->notify_vcpu);
		if (v && v->virq_port[chn->virq] == port)
			v->virq_port[chn->virq] = 0;
		break;
	case EVTCHNSTAT_interdomain:
		/* The whole array: the layout may have shrunk since. */
		if (xen_is_self(d, chn->remote_dom) && chn->remote_port &&
		    chn->remote_port < XENABI_NR_EVTCHNS) {
			struct xen_evtchn *peer = &d->evtchn[chn->remote_port];

			peer->state = EVTCHNSTAT_unbound;
			peer->remote_dom = d->domid;
			peer->remote_port = 0;
		}
		break;
	}
	if (d->evtchn_fifo)
		xen_fifo_clear_pending(d, port);
	else
		xenabi_clear_bit(port, xen_evtchn_pending(d));
	/* Where it was last linked stays: that queue's tail may be it. */
	*chn = (struct xen_evtchn){
		.last_vcpu = chn->last_vcpu,
		.last_priority = chn->last_priority,
	};
}

static long xen_alloc_unbound(struct xen_domain *d, struct evtchn_alloc_unbound *a)
{
	int port;

	if (!xen_is_self(d, a->dom))
		return -EPERM;
	port = xen_evtchn_alloc(d);
	if (port < 0)
		return port;
	d->evtchn[port].state = EVTCHNSTAT_unbound;
	d->evtchn[port].remote_dom =
		a->remote_dom == DOMID_SELF ? d->domid : a->remote_dom;
	a->port = port;
	return 0;
}

/*
 * Only within the domain for now: another domain's port is not reachable
 * (-ESRCH), as a domain that does not exist is not in Xen.
 */
static long xen_bind_interdomain(struct xen_domain *d,
				 struct evtchn_bind_interdomain *b)
{
	struct xen_evtchn *rchn;
	int port;

	if (!xen_is_self(d, b->remote_dom))
		return -ESRCH;
	if (!xen_port_valid(d, &b->remote_port))
		return -EINVAL;
	rchn = &d->evtchn[b->remote_port];
	if (rchn->state != EVTCHNSTAT_unbound || rchn->remote_dom != d->domid)
		return -EINVAL;
	port = xen_evtchn_alloc(d);
	if (port < 0)
		return port;
	d->evtchn[port].state = EVTCHNSTAT_interdomain;
	d->evtchn[port].remote_dom = d->domid;
	d->evtchn[port].remote_port = b->remote_port;
	rchn->state = EVTCHNSTAT_interdomain;
	rchn->remote_port = port;
	b->local_port = port;
	/* As Xen: the new channel starts pending, so nothing sent is lost. */
	xen_evtchn_raise(d, port);
	return 0;
}

static long xen_bind_virq(struct xen_domain *d, struct evtchn_bind_virq *b)
{
	struct xen_vcpu *v;
	int port;

	if (b->virq >= NR_VIRQS)
		return -EINVAL;
	if (xen_virq_is_global(b->virq) && b->vcpu != 0)
		return -EINVAL;
	v = xen_vcpu_by_id(d, b->vcpu);
	if (!v)
		return -ENOENT;
	if (v->virq_port[b->virq])
		return -EEXIST;
	port = xen_evtchn_alloc(d);
	if (port < 0)
		return port;
	d->evtchn[port].state = EVTCHNSTAT_virq;
	d->evtchn[port].virq = b->virq;
	d->evtchn[port].notify_vcpu = b->vcpu;
	v->virq_port[b->virq] = port;
	b->port = port;
	return 0;
}

static long xen_bind_ipi(struct xen_domain *d, struct evtchn_bind_ipi *b)
{
	int port;

	if (!xen_vcpu_by_id(d, b->vcpu))
		return -ENOENT;
	port = xen_evtchn_alloc(d);
	if (port < 0)
		return port;
	d->evtchn[port].state = EVTCHNSTAT_ipi;
	d->evtchn[port].notify_vcpu = b->vcpu;
	b->port = port;
	return 0;
}

/* Return: 0, -EINVAL, or 1 if the peer was the host (told once unlocked). */
static long xen_close(struct xen_domain *d, struct evtchn_close *c,
		      u32 *local)
{
	struct xen_evtchn *chn;
	bool host;

	if (!xen_port_valid(d, &c->port))
		return -EINVAL;
	chn = &d->evtchn[c->port];
	if (chn->state == EVTCHNSTAT_closed)
		return -EINVAL;
	host = xen_evtchn_to_host(d, chn);
	*local = chn->remote_port;
	xen_evtchn_free(d, c->port);
	return host;
}

/* Return: 0, -EINVAL, or 1 if the peer is the host (told once unlocked). */
static long xen_send(struct xen_domain *d, struct evtchn_send *s, u32 *local)
{
	struct xen_evtchn *chn;

	if (!xen_port_valid(d, &s->port))
		return -EINVAL;
	chn = &d->evtchn[s->port];
	switch (chn->state) {
	case EVTCHNSTAT_interdomain:
		*local = chn->remote_port;
		if (xen_evtchn_to_host(d, chn))
			return 1;
		xen_evtchn_raise(d, chn->remote_port);
		return 0;
	case EVTCHNSTAT_ipi:
		xen_evtchn_raise(d, s->port);
		return 0;
	case EVTCHNSTAT_unbound:
		return 0;		/* nobody listens yet: dropped */
	default:
		return -EINVAL;
	}
}

static long xen_status(struct xen_domain *d, struct evtchn_status *st)
{
	struct xen_evtchn *chn;

	if (!xen_is_self(d, st->dom))
		return -EPERM;
	if (!xen_port_valid(d, &st->port))
		return -EINVAL;
	chn = &d->evtchn[st->port];
	memset(&st->u, 0, sizeof(st->u));
	st->status = chn->state;
	st->vcpu = chn->notify_vcpu;
	switch (chn->state) {
	case EVTCHNSTAT_unbound:
		st->u.unbound.dom = chn->remote_dom;
		break;
	case EVTCHNSTAT_interdomain:
		st->u.interdomain.dom = chn->remote_dom;
		st->u.interdomain.port = chn->remote_port;
		break;
	case EVTCHNSTAT_virq:
		st->u.virq = chn->virq;
		break;
	}
	return 0;
}

/* Per-vCPU VIRQs and IPIs stay where they are; the rest may move. */
static long xen_bind_vcpu(struct xen_domain *d, struct evtchn_bind_vcpu *b)
{
	struct xen_evtchn *chn;

	if (!xen_port_valid(d, &b->port))
		return -EINVAL;
	if (!xen_vcpu_by_id(d, b->vcpu))
		return -ENOENT;
	chn = &d->evtchn[b->port];
	switch (chn->state) {
	case EVTCHNSTAT_virq:
		if (!xen_virq_is_global(chn->virq))
			return -EINVAL;
		break;
	case EVTCHNSTAT_unbound:
	case EVTCHNSTAT_interdomain:
		break;
	default:
		return -EINVAL;
	}
	chn->notify_vcpu = b->vcpu;
	return 0;
}

static long xen_unmask(struct xen_domain *d, struct evtchn_unmask *u)
{
	struct xen_vcpu *v;

	if (!xen_port_valid(d, &u->port))
		return -EINVAL;
	if (d->evtchn[u->port].state == EVTCHNSTAT_closed)
		return 0;		/* as Xen: nothing to unmask */
	v = xen_vcpu_by_id(d, d->evtchn[u->port].notify_vcpu);
	if (d->evtchn_fifo) {
		xen_fifo_unmask(d, v, u->port);
		return 0;
	}
	xenabi_clear_bit(u->port, xen_evtchn_mask(d));
	if (v && xenabi_test_bit(u->port, xen_evtchn_pending(d)))
		xen_evtchn_notify(d, v, u->port);
	return 0;
}

/* Only the FIFO ABI has priorities: the 2-level one has no such op. */
static long xen_set_priority(struct xen_domain *d,
			     struct evtchn_set_priority *p)
{
	if (!xen_port_valid(d, &p->port))
		return -EINVAL;
	if (!d->evtchn_fifo)
		return -ENOSYS;
	if (d->evtchn[p->port].state == EVTCHNSTAT_closed)
		return -EACCES;
	if (p->priority > EVTCHN_FIFO_PRIORITY_MIN)
		return -EINVAL;
	d->evtchn[p->port].priority = p->priority;
	return 0;
}

/**
 * xen_evtchn_bind_host() - a port of the guest bound to a host backend
 * @d: the domain
 *
 * To the guest it is an interdomain channel to XENABI_BACKEND_DOMID; what
 * it sends on it goes to xen_vcpu_ops.notify_host().
 *
 * Return: the port, or -ENOSPC.
 */
int xen_evtchn_bind_host(struct xen_domain *d)
{
	int port;

	xenabi_lock(&d->lock);
	port = xen_evtchn_alloc(d);
	if (port > 0) {
		d->evtchn[port].state = EVTCHNSTAT_interdomain;
		d->evtchn[port].remote_dom = XENABI_BACKEND_DOMID;
		d->evtchn[port].remote_port = 0;
	}
	xenabi_unlock(&d->lock);
	return port;
}

/**
 * xen_evtchn_notify_from_host() - a host backend signals the guest
 * @d:    the domain
 * @port: a port from xen_evtchn_bind_host()
 *
 * Return: 0, or -EINVAL if the guest closed or rebound the port since.
 */
int xen_evtchn_notify_from_host(struct xen_domain *d, u32 port)
{
	int ret = -EINVAL;

	xenabi_lock(&d->lock);
	if (xen_port_valid(d, &port) &&
	    xen_evtchn_is_host(d, &d->evtchn[port], 0)) {
		xen_evtchn_raise(d, port);
		ret = 0;
	}
	xenabi_unlock(&d->lock);
	return ret;
}

/**
 * xen_evtchn_alloc_unbound_host() - a new port of the guest, unbound,
 * waiting for the host to bind it (the toolstack's alloc_unbound)
 * @d: the domain
 *
 * Return: the port, or -ENOSPC.
 */
int xen_evtchn_alloc_unbound_host(struct xen_domain *d)
{
	int port;

	xenabi_lock(&d->lock);
	port = xen_evtchn_alloc(d);
	if (port > 0) {
		d->evtchn[port].state = EVTCHNSTAT_unbound;
		d->evtchn[port].remote_dom = XENABI_BACKEND_DOMID;
	}
	xenabi_unlock(&d->lock);
	return port;
}

/**
 * xen_evtchn_host_bind() - the host binds its port @local to the guest's
 * @port, as Xen's EVTCHNOP_bind_interdomain from domain 0 does
 * @d:     the domain
 * @port:  the guest's port: unbound, for the host (domain 0)
 * @local: the host's port, not 0
 *
 * As in Xen, the new end starts pending: the caller counts one event.
 *
 * Return: 0, or -EINVAL (no such port, not unbound for the host, @local
 * 0, or the domain is itself domain 0).
 */
int xen_evtchn_host_bind(struct xen_domain *d, u32 port, u32 local)
{
	struct xen_evtchn *chn;
	int ret = -EINVAL;

	xenabi_lock(&d->lock);
	if (xen_port_valid(d, &port)) {
		chn = &d->evtchn[port];
		if (chn->state == EVTCHNSTAT_unbound &&
		    chn->remote_dom == XENABI_BACKEND_DOMID &&
		    d->domid != XENABI_BACKEND_DOMID && local) {
			chn->state = EVTCHNSTAT_interdomain;
			chn->remote_port = local;
			ret = 0;
		}
	}
	xenabi_unlock(&d->lock);
	return ret;
}

/**
 * xen_evtchn_host_unbind() - the host closes its port @local: the guest's
 * @port, if still bound to it, waits for the host again (unbound)
 * @d:     the domain
 * @port:  the guest's port
 * @local: the host's
 */
void xen_evtchn_host_unbind(struct xen_domain *d, u32 port, u32 local)
{
	struct xen_evtchn *chn;

	xenabi_lock(&d->lock);
	if (xen_port_in_array(&port)) {
		chn = &d->evtchn[port];
		if (local && xen_evtchn_is_host(d, chn, local)) {
			chn->state = EVTCHNSTAT_unbound;
			chn->remote_port = 0;
		}
	}
	xenabi_unlock(&d->lock);
}

/**
 * xen_evtchn_host_send() - the host signals the guest from its port
 * @d:     the domain
 * @port:  the guest's port
 * @local: the host's port bound to it
 *
 * Return: 0, or -EPIPE if the guest closed @port since (or it was never
 * bound to @local).
 */
int xen_evtchn_host_send(struct xen_domain *d, u32 port, u32 local)
{
	int ret = -EPIPE;

	xenabi_lock(&d->lock);
	if (xen_port_valid(d, &port) && local &&
	    xen_evtchn_is_host(d, &d->evtchn[port], local)) {
		xen_evtchn_raise(d, port);
		ret = 0;
	}
	xenabi_unlock(&d->lock);
	return ret;
}

/* Whether the guest's @port is still bound to the host's port @local. */
bool xen_evtchn_host_bound(struct xen_domain *d, u32 port, u32 local)
{
	bool bound;

	xenabi_lock(&d->lock);
	bound = xen_port_in_array(&port) && local &&
		xen_evtchn_is_host(d, &d->evtchn[port], local);
	xenabi_unlock(&d->lock);
	return bound;
}

/**
 * xen_evtchn_reset() - EVTCHNOP_reset: every port of the domain closed,
 * the 2-level ABI again and the FIFO pages let go
 * @v: a vCPU of the domain (whose ops unmap the pages)
 *
 * One step under d->lock: no other vCPU binds a port (numbered as FIFO
 * numbers them) between the closing and the switch back.
 */
void xen_evtchn_reset(struct xen_vcpu *v)
{
	void *pages[XENABI_FIFO_MAX_PAGES];
	struct xen_domain *d = v->domain;
	unsigned int i;
	u32 port;

	xenabi_lock(&d->lock);
	for (port = 1; port < XENABI_NR_EVTCHNS; port++)
		if (d->evtchn[port].state != EVTCHNSTAT_closed)
			xen_evtchn_free(d, port);
	xen_fifo_take_all(d, pages);
	xenabi_unlock(&d->lock);
	for (i = 0; i < XENABI_FIFO_MAX_PAGES; i++)
		if (pages[i])
			v->ops->unmap_gfn(v, pages[i]);
}

/* Each sub-op: its argument's size, and whether it writes it back. */
static const struct {
	u8 size;
	bool out;
} xen_evtchn_args[] = {
	[EVTCHNOP_bind_interdomain] = { sizeof(struct evtchn_bind_interdomain), true },
	[EVTCHNOP_bind_virq]	= { sizeof(struct evtchn_bind_virq), true },
	[EVTCHNOP_close]	= { sizeof(struct evtchn_close), false },
	[EVTCHNOP_send]		= { sizeof(struct evtchn_send), false },
	[EVTCHNOP_status]	= { sizeof(struct evtchn_status), true },
	[EVTCHNOP_alloc_unbound] = { sizeof(struct evtchn_alloc_unbound), true },
	[EVTCHNOP_bind_ipi]	= { sizeof(struct evtchn_bind_ipi), true },
	[EVTCHNOP_bind_vcpu]	= { sizeof(struct evtchn_bind_vcpu), false },
	[EVTCHNOP_unmask]	= { sizeof(struct evtchn_unmask), false },
	[EVTCHNOP_reset]	= { sizeof(struct evtchn_reset), false },
	[EVTCHNOP_init_control]	= { sizeof(struct evtchn_init_control), true },
	[EVTCHNOP_expand_array]	= { sizeof(struct evtchn_expand_array), false },
	[EVTCHNOP_set_priority]	= { sizeof(struct evtchn_set_priority), false },
};

/**
 * xen_event_channel_op() - __HYPERVISOR_event_channel_op
 * @v:    the calling vCPU
 * @args: EVTCHNOP_* and its argument
 *
 * Return: 0 or, as Xen answers: -EFAULT (argument unreadable), -EINVAL
 * (bad port, VIRQ, or state for the operation), -ENOENT (no such vCPU),
 * -EEXIST (VIRQ already bound), -ENOSPC (no free port), -EPERM or -ESRCH
 * (another domain), the FIFO ops' own (evtchn_fifo.c); -ENOSYS for
 * bind_pirq, set_priority under the 2-level ABI and unknown ops.
 */
long xen_event_channel_op(struct xen_vcpu *v, const unsigned long *args)
{
	struct xen_domain *d = v->domain;
	unsigned long cmd = args[0], gva = args[1];
	union xen_evtchn_op a;
	u32 port = 0, local = 0;
	long ret;

	if (cmd >= sizeof(xen_evtchn_args) / sizeof(xen_evtchn_args[0]) ||
	    !xen_evtchn_args[cmd].size)
		return -ENOSYS;
	if (v->ops->copy_from_guest(v, &a, gva, xen_evtchn_args[cmd].size))
		return -EFAULT;

	/* These map guest pages, or let them go: not under d->lock. */
	switch (cmd) {
	case EVTCHNOP_reset:
		if (!xen_is_self(d, a.reset.dom))
			return -EPERM;
		xen_evtchn_reset(v);
		v->ops->notify_host(v, 0, 0);	/* the host's ends, if any */
		return 0;
	case EVTCHNOP_init_control:
		ret = xen_fifo_init_control(v, &a.init_control);
		goto out;
	case EVTCHNOP_expand_array:
		return xen_fifo_expand_array(v, a.expand_array.array_gfn);
	}

	xenabi_lock(&d->lock);
	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		ret = xen_bind_interdomain(d, &a.bind_interdomain);
		break;
	case EVTCHNOP_bind_virq:
		ret = xen_bind_virq(d, &a.bind_virq);
		break;
	case EVTCHNOP_close:
		ret = xen_close(d, &a.close, &local);
		port = a.close.port;
		break;
	case EVTCHNOP_send:
		ret = xen_send(d, &a.send, &local);
		port = a.send.port;
		break;
	case EVTCHNOP_status:
		ret = xen_status(d, &a.status);
		break;
	case EVTCHNOP_alloc_unbound:
		ret = xen_alloc_unbound(d, &a.alloc_unbound);
		break;
	case EVTCHNOP_bind_ipi:
		ret = xen_bind_ipi(d, &a.bind_ipi);
		break;
	case EVTCHNOP_bind_vcpu:
		ret = xen_bind_vcpu(d, &a.bind_vcpu);
		break;
	case EVTCHNOP_set_priority:
		ret = xen_set_priority(d, &a.set_priority);
		break;
	default:	/* EVTCHNOP_unmask */
		ret = xen_unmask(d, &a.unmask);
		break;
	}
	xenabi_unlock(&d->lock);

	if (ret == 1) {		/* send or close, the peer the host */
		v->ops->notify_host(v, port, local);
		ret = 0;
	}
out:
	/* As Xen: a port bound for a guest that cannot learn it stays bound. */
	if (!ret && xen_evtchn_args[cmd].out &&
	    v->ops->copy_to_guest(v, gva, &a, xen_evtchn_args[cmd].size)) {
		ret = -EFAULT;
	}
	return ret;
}
