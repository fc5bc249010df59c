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
 * Input: chunks of [selector][length, 2 bytes LE][bytes].  Selector bits
 * 0-1: dom0, domain 1 or domain 2 (3: dom0 again); bit 2: drain the
 * connection's output afterwards; bit 3: re-introduce the domain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

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
	/* The transports drop a connection that broke the protocol. */
	for (d = xs->domains; d; d = d->next)
		if (d->domid && d->conn && d->conn->dead)
			fail("a dead connection was kept");
}

static struct xs_conn *pick(struct xs_daemon *xs, struct xs_conn **dom0,
			    unsigned int sel)
{
	struct xs_domain *d;
	unsigned int domid = sel & 3;

	if (domid == 0 || domid == 3)
		return *dom0;
	if (sel & 8)
		xs_introduce(xs, domid, 0, 1);
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
	unsigned int nodes1;
	size_t len;

	if (xs_init(&xs, &small))
		abort();
	dom0 = xs_conn_new(&xs, 0, true);
	xs_introduce(&xs, 1, 0, 1);
	xs_introduce(&xs, 2, 0, 1);
	while (size >= 3) {
		len = data[1] | data[2] << 8;
		len = len < size - 3 ? len : size - 3;
		c = pick(&xs, &dom0, data[0]);
		nodes1 = xs_domain(&xs, 1, false) ?
			 xs_domain(&xs, 1, false)->nodes : 0;
		if (c)
			feed(&xs, &dom0, c, data + 3, len, data[0] & 4);
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
