// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the byte streams dom0 and two hostile domains could
 * send microv-xenstored, interleaved, into its core.  After each chunk
 * the invariants must hold: the tree hangs together, every node is
 * counted for its owner and every domain's memory is charged exactly
 * (xs_check), the domains stay within their node, watch and transaction
 * quotas, no domain's output queue grows past its bound, and a domain
 * past its memory quota is not read from.  Quotas are small so that the
 * fuzzer reaches them.
 *
 * Domains 1 and 2 also have a shared ring (ring.c) over a page of this
 * process, which a hostile guest writes as it likes: request bytes, any
 * index, any byte of the page, reconnections, events, a closed port, its
 * death.  After each chunk the rings are served as the daemon's loop
 * serves them, and must have done a bounded amount of work: at most
 * XS_RING_BUDGET request bytes a turn, never more than a ring's worth of
 * unread responses while the indexes are sane, the features advertised,
 * and a broken ring holding an error and nothing of its connection.  A
 * guest's reconnections stay within their budget (XS_RECONNECT_BURST,
 * then one each XS_RECONNECT_MS of the daemon's clock, which the input
 * moves), and one deferred leaves its ring untouched.
 *
 * Input: chunks of [selector][length, 2 bytes LE][bytes].  Selector bits
 * 0-1: dom0, domain 1 or domain 2 (3: dom0 again); bit 2: drain the
 * connection's output afterwards; bit 3: re-introduce the domain; bit 4
 * (domains 1 and 2): the bytes are the guest's action on its ring, see
 * ring_action().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

#define SEL_RING	0x10

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct xs_quota small = {
	.nodes = 40, .node_size = 600, .watches = 4, .transactions = 3,
	.perms = 5, .path_max = XENSTORE_REL_PATH_MAX, .trans_nodes = 30,
	.outstanding = 8, .memory = 8192,
};

static void fail(const char *why)
{
	fprintf(stderr, "invariant: %s\n", why);
	abort();
}

/* The largest message, as charged. */
#define MSG_MAX	(sizeof(struct xs_msg) + sizeof(struct xsd_sockmsg) + \
		 XENSTORE_PAYLOAD_MAX)

static void check_conn(const struct xs_conn *c)
{
	/*
	 * A domain's queue may pass its quota by one reply (the request was
	 * taken below it) and by one special event a watch (never dropped).
	 * Privileged queues drop nothing: what domains put there is bounded
	 * by their quotas, which xs_check() and feed() see to.
	 */
	if (!c->priv && c->out_bytes > small.memory + (1 + small.watches) *
				       MSG_MAX)
		fail("a domain's output queue past its bound");
	if (!c->priv && (c->nwatches > small.watches ||
			 c->ntxs > small.transactions ||
			 c->replies > small.outstanding))
		fail("a domain past its watch, transaction or reply quota");
}

static void check(struct xs_daemon *xs)
{
	char why[256];
	struct xs_domain *d;
	struct xs_conn *c;

	if (!xs_check(xs, why, sizeof(why)))
		fail(why);
	for (c = xs->conns; c; c = c->next)
		check_conn(c);
	/*
	 * The transports drop a connection that broke the protocol, but a
	 * ring keeps it, ignored, with the error in the page (as Xen).
	 */
	for (d = xs->domains; d; d = d->next) {
		struct xs_ring *r = xs_ring_of(d);

		if (d->domid && d->conn && d->conn->dead &&
		    !(r && r->state != XS_RING_LIVE))
			fail("a dead connection was kept");
	}
}

/* ---- the guests' side of the rings ---- */

struct guest {
	struct xenstore_domain_interface *intf;	/* exactly its size */
	long events;		/* sent, not yet read by the daemon */
	bool gone, dead;	/* port closed; domain dying */
	bool insane;		/* it wrote indexes or bytes of its own */
	unsigned int notified;
	uint64_t born;		/* the daemon's clock when its ring came */
	unsigned long reconnects;	/* the daemon answered */
};

static struct guest guests[3];

static struct guest *guest_of(void *priv)
{
	return priv;
}

static void g_notify(void *priv)
{
	guest_of(priv)->notified++;
}

static long g_events(void *priv)
{
	struct guest *g = guest_of(priv);
	long n = g->events;

	if (g->gone || g->dead)
		return -1;
	g->events = 0;
	return n;
}

static int g_probe(void *priv)
{
	return guest_of(priv)->dead ? -ESRCH : 0;
}

static int g_fd(void *priv)
{
	(void)priv;
	return -1;
}

static void g_close(void *priv, struct xenstore_domain_interface *intf)
{
	struct guest *g = guest_of(priv);

	free(intf);
	memset(g, 0, sizeof(*g));
}

static const struct xs_ring_ops guest_ops = {
	.notify = g_notify,
	.events = g_events,
	.probe = g_probe,
	.fd = g_fd,
	.close = g_close,
};

/* The introduce hook: "fds" make a new ring over a new page. */
static int fuzz_introduce(struct xs_daemon *xs, struct xs_domain *d,
			  int *fds)
{
	struct xs_ring *old = xs_ring_of(d);
	struct guest *g;

	if (!fds) {
		if (old)
			xs_ring_restart(old);
		return 0;
	}
	if (d->domid > 2)
		return EINVAL;
	if (old)
		xs_ring_free(old);
	g = &guests[d->domid];
	g->born = xs->now_ms;
	g->intf = xs_zalloc(sizeof(*g->intf));
	/* A page the guest left as it liked: the daemon must not mind. */
	memset(g->intf, 0xa5, sizeof(*g->intf));
	fds[0] = fds[1] = -1;
	xs_ring_new(d->conn, g->intf, &guest_ops, g);
	return 0;
}

static void introduce_ring(struct xs_daemon *xs, unsigned int domid)
{
	int fds[XS_CONN_FDS] = { 100, 101 };

	xs_introduce(xs, domid, 0, 1, fds);
}

#define RD(x)		(*(volatile __typeof__(x) *)&(x))

/* A well-behaved producer: as much of @p as fits. */
static size_t g_write(struct guest *g, const uint8_t *p, size_t len)
{
	struct xenstore_domain_interface *intf = g->intf;
	XENSTORE_RING_IDX cons = RD(intf->req_cons), prod = RD(intf->req_prod);
	size_t n = 0;

	if (prod - cons > XENSTORE_RING_SIZE)
		return 0;
	while (n < len && prod - cons < XENSTORE_RING_SIZE)
		intf->req[MASK_XENSTORE_IDX(prod++)] = p[n++];
	RD(intf->req_prod) = prod;
	return n;
}

static void g_read(struct guest *g)
{
	struct xenstore_domain_interface *intf = g->intf;

	RD(intf->rsp_cons) = RD(intf->rsp_prod);
}

/* A ring as the guest sees it before a turn. */
struct seen {
	bool reconnecting;
	XENSTORE_RING_IDX req_cons, rsp_prod;
	unsigned int notified;
};

/* Reconnections answered, within the budget; one deferred, untouched. */
static void check_reconnect(struct xs_daemon *xs, struct guest *g,
			    const struct seen *s)
{
	uint64_t earned = (xs->now_ms - g->born) / XS_RECONNECT_MS;

	if (!s->reconnecting)
		return;
	if (RD(g->intf->connection) != XENSTORE_RECONNECT) {
		if (++g->reconnects > XS_RECONNECT_BURST + earned)
			fail("reconnections past their budget");
		return;
	}
	if (RD(g->intf->req_cons) != s->req_cons ||
	    RD(g->intf->rsp_prod) != s->rsp_prod || g->notified != s->notified)
		fail("a ring waiting for its reconnection was served");
}

/* What the daemon's loop does in a turn, checked to be bounded. */
static void serve(struct xs_daemon *xs)
{
	struct seen seen[3];
	unsigned int domid;
	struct xs_domain *d;
	struct xs_ring *r;
	XENSTORE_RING_IDX before;
	struct guest *g;
	bool again;

	for (domid = 1; domid <= 2; domid++) {
		d = xs_domain(xs, domid, false);
		r = d ? xs_ring_of(d) : NULL;
		g = &guests[domid];
		if (!r || (!g->events && !g->gone && !g->dead))
			continue;
		/* A stopped ring is not polled, but probed now and then. */
		if (r->state == XS_RING_STOPPED ?
		    xs_ring_probe(r) == XS_RING_DEAD :
		    xs_ring_event(r) == XS_RING_DEAD)
			xs_release(xs, domid);
	}
	for (domid = 1; domid <= 2; domid++) {
		d = xs_domain(xs, domid, false);
		g = &guests[domid];
		seen[domid].reconnecting = d && xs_ring_of(d) &&
			RD(g->intf->connection) == XENSTORE_RECONNECT;
		if (!seen[domid].reconnecting)
			continue;
		seen[domid].req_cons = RD(g->intf->req_cons);
		seen[domid].rsp_prod = RD(g->intf->rsp_prod);
		seen[domid].notified = g->notified;
	}
	for (d = xs->domains; d; d = d->next) {
		r = xs_ring_of(d);
		if (!r)
			continue;
		g = &guests[d->domid];
		before = RD(g->intf->req_cons);
		/* A reconnection empties the ring: its indexes start at 0. */
		again = RD(g->intf->connection) != XENSTORE_CONNECTED;
		xs_ring_serve(r);
		if (!g->insane && !again &&
		    RD(g->intf->req_cons) - before > XS_RING_BUDGET)
			fail("a ring served past its budget");
	}
	for (d = xs->domains; d; d = d->next)
		if (xs_ring_of(d))
			xs_ring_flush(xs_ring_of(d));
	for (domid = 1; domid <= 2; domid++)
		check_reconnect(xs, &guests[domid], &seen[domid]);
}

static void check_ring(struct xs_domain *d)
{
	struct xs_ring *r = xs_ring_of(d);
	struct xenstore_domain_interface *intf;
	struct guest *g;

	if (!r)
		return;
	g = &guests[d->domid];
	intf = r->intf;
	if ((intf->server_features & 3) != 3 && !g->insane)
		fail("the ring's features are not advertised");
	if (!g->insane &&
	    RD(intf->rsp_prod) - RD(intf->rsp_cons) > XENSTORE_RING_SIZE)
		fail("more responses than the ring holds");
	if (r->state == XS_RING_BROKEN && !g->insane &&
	    (!intf->error || r->conn->nwatches || r->conn->ntxs ||
	     r->conn->out))
		fail("a broken ring keeps its connection's state");
}

/*
 * The guest's action, from the first byte: 0 write the rest as requests
 * (served and answers read until all went in or nothing moves), 1 read
 * the responses, 2 set the indexes (16 bytes LE), 3 write bytes anywhere
 * in the page (offset: 2 bytes LE), 4 ask for a reconnection, 5 close its
 * port, 6 die, 7 re-introduce with fds (a new ring), 8 RESUME, 9 nothing
 * while the daemon's clock moves on (by the third byte times 4 ms, or a
 * second without it).  Each signals the daemon, as often as the second
 * byte says.
 */
static void ring_action(struct xs_daemon *xs, unsigned int domid,
			const uint8_t *p, size_t len)
{
	struct xs_domain *d = xs_domain(xs, domid, false);
	struct guest *g = &guests[domid];
	unsigned int act, off, tries = 0;
	size_t n;

	if (len < 2 || !d || !d->introduced)
		return;
	act = p[0] % 10;
	if (act == 7) {
		introduce_ring(xs, domid);
		return;
	}
	if (!xs_ring_of(d))
		return;
	g->events += p[1] + 1;
	p += 2;
	len -= 2;
	switch (act) {
	case 0:
		while (len && tries++ < 64) {
			n = g_write(g, p, len);
			p += n;
			len -= n;
			serve(xs);
			d = xs_domain(xs, domid, false);
			if (!d || !xs_ring_of(d))
				return;
			g_read(g);
			g->events++;
		}
		break;
	case 1:
		g_read(g);
		break;
	case 2:
		g->insane = true;
		memcpy((char *)&g->intf->req_cons, p, len < 16 ? len : 16);
		break;
	case 3:
		if (len < 2)
			break;
		g->insane = true;
		off = (p[0] | p[1] << 8) % sizeof(*g->intf);
		n = sizeof(*g->intf) - off;
		memcpy((char *)g->intf + off, p + 2,
		       len - 2 < n ? len - 2 : n);
		break;
	case 4:
		RD(g->intf->connection) = XENSTORE_RECONNECT;
		break;
	case 5:
		g->gone = true;
		break;
	case 6:
		g->dead = true;
		break;
	case 8:
		g->gone = false;
		xs_resume(xs, domid);
		break;
	case 9:
		xs->now_ms += len ? p[0] * 4U : 1000;
		break;
	}
	serve(xs);
}

static struct xs_conn *pick(struct xs_daemon *xs, struct xs_conn **dom0,
			    unsigned int sel)
{
	struct xs_domain *d;
	unsigned int domid = sel & 3;

	if (domid == 0 || domid == 3)
		return *dom0;
	if (sel & 8)
		xs_introduce(xs, domid, 0, 1, NULL);
	d = xs_domain(xs, domid, false);
	return d ? d->conn : NULL;
}

static void feed(struct xs_daemon *xs, struct xs_conn **dom0,
		 struct xs_conn *c, const uint8_t *p, size_t len, bool drain)
{
	const void *out;
	size_t olen;
	unsigned int domid = c->domid;
	bool priv = c->priv;
	bool full = !priv && c->mem > small.memory;
	int took = xs_input(c, p, len);

	if (full && took > 0)
		fail("a domain past its memory quota was read from");
	if (took < 0) {
		/* As the transports will: drop it. */
		if (priv) {
			xs_conn_free(c);
			*dom0 = xs_conn_new(xs, 0, true);
		} else {
			xs_release(xs, domid);
		}
		return;
	}
	while (drain && (out = xs_output(c, &olen)))
		xs_consume(c, olen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_daemon xs;
	struct xs_conn *dom0, *c;
	struct xs_domain *d;
	unsigned int nodes1, sel;
	size_t len;

	if (xs_init(&xs, &small))
		abort();
	xs.hooks.introduce = fuzz_introduce;
	xs.hooks.release = xs_ring_release;
	xs.hooks.resume = xs_ring_resume;
	dom0 = xs_conn_new(&xs, 0, true);
	introduce_ring(&xs, 1);
	introduce_ring(&xs, 2);
	while (size >= 3) {
		len = data[1] | data[2] << 8;
		len = len < size - 3 ? len : size - 3;
		sel = data[0];
		c = (sel & SEL_RING) && (sel & 3) && (sel & 3) != 3 ? NULL :
		    pick(&xs, &dom0, sel);
		nodes1 = xs_domain(&xs, 1, false) ?
			 xs_domain(&xs, 1, false)->nodes : 0;
		if (!c && (sel & SEL_RING))
			ring_action(&xs, sel & 3, data + 3, len);
		else if (c)
			feed(&xs, &dom0, c, data + 3, len, sel & 4);
		serve(&xs);
		for (d = xs.domains; d; d = d->next)
			check_ring(d);
		/* Domain 1 alone cannot take its count past the quota. */
		if ((data[0] & 3) == 1 && xs_domain(&xs, 1, false) &&
		    xs_domain(&xs, 1, false)->nodes > nodes1 &&
		    xs_domain(&xs, 1, false)->nodes > small.nodes)
			fail("domain 1 past its node quota");
		check(&xs);
		data += 3 + len;
		size -= 3 + len;
	}
	xs_free(&xs);
	return 0;
}
