// SPDX-License-Identifier: GPL-2.0
/*
 * microv-xenstored: a guest's shared ring (struct xenstore_domain_interface
 * of xen/io/xs_wire.h, docs/misc/xenstore-ring.txt in Xen) as the transport
 * of its domain's connection.
 *
 * The page is the guest's: it may change any byte of it at any time, so
 * each index is read once per use and checked before the bytes it covers
 * are touched, and the bytes are copied once, into the connection, before
 * anything looks at them.  Indexes that claim more than a ring's worth
 * break the ring as in Xen 4.17's xenstored: the error is written into the
 * page, the connection forgets its watches, transactions and queued
 * output, and the ring is no longer served until the guest asks for a
 * reconnection or the toolstack introduces the domain again.
 *
 * One xs_ring_serve() does a bounded amount of work (XS_RING_BUDGET bytes
 * of requests, a ring's worth of output), so that a guest that keeps its
 * ring full shares the daemon with the others; the caller serves it again
 * when it says more is waiting.  Replies that do not fit wait in the
 * connection; the guest signals when it has read some (as Linux's and
 * Xen's clients do), and stops being read at its "outstanding" quota.
 *
 * A reconnection the guest asks for costs the daemon a reset of its
 * connection and an event, so each ring has a budget of them: a token
 * bucket of XS_RECONNECT_BURST, one token back every XS_RECONNECT_MS of
 * the loop's clock.  One asked with the bucket empty is deferred, not
 * dropped: the ring is neither read nor written meanwhile (the guest is
 * resetting it), and the reconnection is answered at the first turn
 * once a token is back; xs_ring_deferred_until() tells the loop when.
 */
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))

/* As Xen's xen_mb(): the page is shared with another CPU's guest. */
static inline void mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* An empty ring, both ways, as Xen leaves it at INTRODUCE. */
static void ring_empty(struct xenstore_domain_interface *intf)
{
	WRITE_ONCE(intf->req_cons, 0);
	WRITE_ONCE(intf->req_prod, 0);
	WRITE_ONCE(intf->rsp_cons, 0);
	WRITE_ONCE(intf->rsp_prod, 0);
	mb();
}

/*
 * Serves the ring from scratch: features first (the protocol wants them
 * advertised before any byte moves), then empty queues, no error, and a
 * reconnection the guest asked for done.
 */
void xs_ring_restart(struct xs_ring *r)
{
	struct xenstore_domain_interface *intf = r->intf;

	WRITE_ONCE(intf->server_features,
		   READ_ONCE(intf->server_features) |
		   XENSTORE_SERVER_FEATURE_RECONNECTION |
		   XENSTORE_SERVER_FEATURE_ERROR);
	ring_empty(intf);
	WRITE_ONCE(intf->error, XENSTORE_ERROR_NONE);
	r->conn->dead = false;
	r->state = XS_RING_LIVE;
	r->deferred = false;
	if (READ_ONCE(intf->connection) != XENSTORE_CONNECTED) {
		mb();
		WRITE_ONCE(intf->connection, XENSTORE_CONNECTED);
		r->ops->notify(r->priv);
	}
}

struct xs_ring *xs_ring_new(struct xs_conn *c,
			    struct xenstore_domain_interface *intf,
			    const struct xs_ring_ops *ops, void *priv)
{
	struct xs_ring *r = xs_zalloc(sizeof(*r));

	r->conn = c;
	r->intf = intf;
	r->ops = ops;
	r->priv = priv;
	r->tokens = XS_RECONNECT_BURST;
	r->refilled = c->xs->now_ms;
	c->transport = r;
	xs_ring_restart(r);
	return r;
}

void xs_ring_free(struct xs_ring *r)
{
	r->conn->transport = NULL;
	r->ops->close(r->priv, r->intf);
	free(r);
}

struct xs_ring *xs_ring_of(const struct xs_domain *d)
{
	return d->conn ? d->conn->transport : NULL;
}

/* As Xen's ignore_connection(): the guest sees why in the page. */
static void ring_break(struct xs_ring *r, unsigned int err)
{
	xs_log(r->conn->xs, "domain %u: %s, its ring is no longer served",
	       r->conn->domid, err == XENSTORE_ERROR_PROTO ?
	       "payload too long" : "bad ring indexes");
	WRITE_ONCE(r->intf->error, err);
	r->state = XS_RING_BROKEN;
	xs_conn_reset(r->conn);
	r->conn->dead = true;	/* takes nothing more */
}

/*
 * The reconnection budget: the tokens the time since the last refill
 * brought back (up to a full bucket), then one taken if there is one.
 */
static bool take_token(struct xs_ring *r)
{
	uint64_t now = r->conn->xs->now_ms, n;

	if (now < r->refilled)		/* a clock set back: none earned */
		r->refilled = now;
	n = (now - r->refilled) / XS_RECONNECT_MS;
	if (n >= XS_RECONNECT_BURST - r->tokens) {
		r->tokens = XS_RECONNECT_BURST;
		r->refilled = now;
	} else {
		r->tokens += n;
		r->refilled += n * XS_RECONNECT_MS;
	}
	if (!r->tokens)
		return false;
	r->tokens--;
	return true;
}

/*
 * The guest set "connection" to XENSTORE_RECONNECT: within its budget,
 * forget everything, empty the ring, clear any error, say so and signal;
 * past it, leave it all as it is until a token is back.
 */
static void reconnect(struct xs_ring *r)
{
	if (!take_token(r)) {
		if (!r->deferred)
			xs_log(r->conn->xs, "domain %u: more than %d ring "
			       "reconnections a second, deferred",
			       r->conn->domid,
			       1000 / XS_RECONNECT_MS);
		r->deferred = true;
		return;
	}
	xs_log(r->conn->xs, "domain %u: ring reconnected", r->conn->domid);
	xs_conn_reset(r->conn);
	xs_ring_restart(r);
}

/**
 * xs_ring_deferred_until() - when a deferred reconnection can be served
 * @r: the ring
 *
 * Return: the xs->now_ms from which xs_ring_serve() answers the
 * reconnection @r waits for (always later than the turn that deferred
 * it), or XS_NEVER if none waits or the ring is stopped.
 */
uint64_t xs_ring_deferred_until(const struct xs_ring *r)
{
	if (!r->deferred || r->state == XS_RING_STOPPED)
		return XS_NEVER;
	return r->refilled + XS_RECONNECT_MS;
}

/* A reconnection asked, answered or not yet: the queues are the guest's. */
static bool reconnecting(const struct xs_ring *r)
{
	return READ_ONCE(r->intf->connection) == XENSTORE_RECONNECT;
}

/*
 * Moves queued output into rsp[] as far as there is room.  Returns 0, or
 * XENSTORE_ERROR_RINGIDX.
 */
static unsigned int put_output(struct xs_ring *r, bool *moved)
{
	struct xenstore_domain_interface *intf = r->intf;
	XENSTORE_RING_IDX cons, prod;
	const char *p;
	size_t len, n, off;

	while ((p = xs_output(r->conn, &len))) {
		cons = READ_ONCE(intf->rsp_cons);
		prod = READ_ONCE(intf->rsp_prod);
		mb();	/* the indexes before the room they give */
		if (prod - cons > XENSTORE_RING_SIZE)
			return XENSTORE_ERROR_RINGIDX;
		if (prod - cons == XENSTORE_RING_SIZE)
			break;
		off = MASK_XENSTORE_IDX(prod);
		n = min3(len, XENSTORE_RING_SIZE - (prod - cons),
			 XENSTORE_RING_SIZE - off);
		memcpy(intf->rsp + off, p, n);
		mb();	/* the bytes before the index that shows them */
		WRITE_ONCE(intf->rsp_prod, prod + n);
		xs_consume(r->conn, n);
		*moved = true;
	}
	return 0;
}

/*
 * Feeds the connection requests from req[], as much as it wants and
 * @budget allows.  Returns 0, or the XENSTORE_ERROR_* that broke it.
 */
static unsigned int take_input(struct xs_ring *r, size_t *budget,
			       bool *moved)
{
	struct xenstore_domain_interface *intf = r->intf;
	XENSTORE_RING_IDX cons, prod;
	size_t want, len, off;
	int took;

	while (*budget && (want = xs_want(r->conn))) {
		cons = READ_ONCE(intf->req_cons);
		prod = READ_ONCE(intf->req_prod);
		mb();	/* the indexes before the bytes they cover */
		if (prod - cons > XENSTORE_RING_SIZE)
			return XENSTORE_ERROR_RINGIDX;
		if (prod == cons)
			break;
		off = MASK_XENSTORE_IDX(cons);
		len = min3(prod - cons, XENSTORE_RING_SIZE - off, want);
		len = len < *budget ? len : *budget;
		/* xs_input() copies them once; it never reads them again. */
		took = xs_input(r->conn, intf->req + off, len);
		if (took < 0)
			return XENSTORE_ERROR_PROTO;
		if (!took)
			break;
		mb();	/* the bytes read before their room goes back */
		WRITE_ONCE(intf->req_cons, cons + took);
		*budget -= took;
		*moved = true;
	}
	return 0;
}

/* Output only: what others' requests queued for this domain. */
void xs_ring_flush(struct xs_ring *r)
{
	bool moved = false;
	unsigned int err;

	/* A reconnection is to empty the queues: nothing goes in first. */
	if (r->state != XS_RING_LIVE || reconnecting(r))
		return;
	err = put_output(r, &moved);
	if (err)
		ring_break(r, err);
	else if (moved)
		r->ops->notify(r->priv);
}

/*
 * One bounded pass: replies out, requests in, replies out again, one
 * event to the guest if anything moved.  Returns true if requests wait
 * that the connection would take now: the caller should come back soon
 * without waiting for an event.
 */
bool xs_ring_serve(struct xs_ring *r)
{
	size_t budget = XS_RING_BUDGET;
	bool moved = false;
	unsigned int err;

	if (r->state == XS_RING_STOPPED)
		return false;
	if (reconnecting(r)) {
		reconnect(r);
		return false;
	}
	r->deferred = false;	/* the guest may take its request back */
	if (r->state == XS_RING_BROKEN)
		return false;
	err = put_output(r, &moved);
	if (!err)
		err = take_input(r, &budget, &moved);
	if (!err)
		err = put_output(r, &moved);
	if (err) {
		ring_break(r, err);
		return false;
	}
	if (moved)
		r->ops->notify(r->priv);
	return !budget && xs_want(r->conn);
}

/* The guest's end is gone: did the domain die, or only close its port? */
int xs_ring_probe(struct xs_ring *r)
{
	if (r->ops->probe(r->priv) == -ESRCH)
		return XS_RING_DEAD;
	return XS_RING_OK;
}

/*
 * The event channel is readable: takes the events (a flood of them is
 * one count).  At its end, the domain is dead or the guest closed its
 * port (before a kexec, say): the ring then waits for RESUME or a new
 * INTRODUCE, as there is no event to wake it.
 */
int xs_ring_event(struct xs_ring *r)
{
	if (r->ops->events(r->priv) >= 0)
		return XS_RING_OK;
	if (xs_ring_probe(r) == XS_RING_DEAD)
		return XS_RING_DEAD;
	if (r->state != XS_RING_STOPPED)
		xs_log(r->conn->xs, "domain %u closed its xenstore port; "
		       "its ring waits for RESUME or INTRODUCE",
		       r->conn->domid);
	r->state = XS_RING_STOPPED;
	return XS_RING_OK;
}

/* The release hook: the transport goes with the domain's connection. */
void xs_ring_release(struct xs_daemon *xs, struct xs_domain *d)
{
	struct xs_ring *r = xs_ring_of(d);

	(void)xs;
	if (r)
		xs_ring_free(r);
}

/* The resume hook: a stopped ring is served again, from where it was. */
void xs_ring_resume(struct xs_daemon *xs, struct xs_domain *d)
{
	struct xs_ring *r = xs_ring_of(d);

	(void)xs;
	if (r && r->state == XS_RING_STOPPED)
		r->state = r->conn->dead ? XS_RING_BROKEN : XS_RING_LIVE;
}
