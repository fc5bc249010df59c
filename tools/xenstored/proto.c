// SPDX-License-Identifier: GPL-2.0
/*
 * microv-xenstored: one connection.  Its transport hands it bytes (at
 * most xs_want() at a time), and takes replies and watch events from
 * xs_output().  Both sides are bounded against a hostile peer: a header
 * announcing more than XENSTORE_PAYLOAD_MAX kills the connection (as
 * Xen does).
 *
 * A domain (an unprivileged connection) is charged for what it makes
 * the daemon hold: its transactions, its watches, its queued output, and
 * the events its requests queued for privileged connections.  Its
 * requests are not read while that is past its "memory" quota or while
 * it has "outstanding" unread replies.  Transactions and watches past
 * the quota are refused (ENOMEM, as Xen); events for the domain itself
 * are dropped past it, as Xen drops them, but special (@) ones never are.
 *
 * Events for privileged connections are never dropped, or dom0 could
 * miss a domain's end: what a domain's writes queue there is charged to
 * that domain, so that a backend that stops reading stops, in time, the
 * domains that write to what it watches, and nobody else.  A privileged
 * connection itself is not read from while its queue holds "memory"
 * bytes.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

struct xs_conn *xs_conn_new(struct xs_daemon *xs, unsigned int domid,
			    bool priv)
{
	struct xs_conn *c = xs_zalloc(sizeof(*c));

	c->xs = xs;
	c->domid = domid;
	c->priv = priv;
	c->in_hdr = true;
	c->fds[0] = c->fds[1] = -1;	/* none came with a request yet */
	c->out_tail = &c->out;
	c->next_txid = 1;
	c->next = xs->conns;
	xs->conns = c;
	return c;
}

size_t xs_msg_cost(const struct xs_msg *m)
{
	return sizeof(*m) + m->len;
}

/*
 * Charges @delta bytes to @c if it is a domain's connection.  With
 * @check, ENOMEM instead if that would take it past its memory quota.
 */
int xs_charge(struct xs_conn *c, long delta, bool check)
{
	if (!c || c->priv)
		return 0;
	if (delta < 0) {
		c->mem -= (size_t)-delta;
		return 0;
	}
	if (check && c->mem + delta > c->xs->q.memory)
		return ENOMEM;
	c->mem += delta;
	return 0;
}

static void ev_slots_free(struct xs_conn *c)
{
	xs_charge(c, -(long)(c->ev_nslots * sizeof(*c->ev_slot)), false);
	free(c->ev_slot);
	c->ev_slot = NULL;
	c->ev_nslots = 0;
}

/* Forgets all a connection asked for: watches, transactions, output. */
void xs_conn_reset(struct xs_conn *c)
{
	struct xs_conn *o;
	struct xs_msg *m;

	/* Events it queued for others stay, no longer on its account. */
	for (o = c->xs->conns; o; o = o->next) {
		for (m = o->out; m && o != c; m = m->next) {
			if (m->charged == c) {
				xs_charge(c, -(long)xs_msg_cost(m), false);
				m->charged = NULL;
			}
		}
	}
	xs_watch_clear(c);
	xs_tx_clear(c);
	while ((m = c->out)) {
		c->out = m->next;
		xs_charge(m->charged, -(long)xs_msg_cost(m), false);
		free(m);
	}
	ev_slots_free(c);
	c->ev_count = 0;
	c->out_tail = &c->out;
	c->out_bytes = c->out_off = 0;
	c->replies = 0;
	c->in_hdr = true;
	c->in_used = 0;
}

void xs_conn_free(struct xs_conn *c)
{
	struct xs_conn **pp;

	for (pp = &c->xs->conns; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	xs_conn_reset(c);
	free(c);
}

void xs_who_of(struct xs_conn *c, struct xs_who *w)
{
	w->xs = c->xs;
	w->conn = c;
	w->domid = c->domid;
	w->priv = c->priv;
	w->target = c->dom ? c->dom->target : -1;
	w->tx = NULL;
}

/* Where relative paths start: /local/domain/<domid>. */
const char *xs_home(const struct xs_conn *c, char *buf, size_t len)
{
	snprintf(buf, len, "/local/domain/%u", c->domid);
	return buf;
}

char *xs_canon(const struct xs_conn *c, const char *path)
{
	char home[32], *abs;

	if (path[0] == '/' || path[0] == '@')
		return xs_strdup(path);
	xs_home(c, home, sizeof(home));
	abs = xs_zalloc(strlen(home) + strlen(path) + 2);
	sprintf(abs, "%s/%s", home, path);
	return abs;
}

void xs_log(struct xs_daemon *xs, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!xs->hooks.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xs->hooks.log(msg);
}

/* ---- output ---- */

static size_t payload_hash(const char *p, unsigned int len)
{
	size_t h = 14695981039346656037ULL;

	while (len--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

static struct xs_msg *msg_new(const struct xsd_sockmsg *hdr, const void *a,
			      unsigned int la, const void *b, unsigned int lb)
{
	struct xs_msg *m = xs_zalloc(sizeof(*m) + sizeof(*hdr) + la + lb);

	m->len = sizeof(*hdr) + la + lb;
	m->event = hdr->type == XS_WATCH_EVENT;
	memcpy(m->buf, hdr, sizeof(*hdr));
	if (la)
		memcpy(m->buf + sizeof(*hdr), a, la);
	if (lb)
		memcpy(m->buf + sizeof(*hdr) + la, b, lb);
	m->hash = payload_hash(m->buf + sizeof(*hdr), la + lb);
	return m;
}

static void ev_link(struct xs_conn *c, struct xs_msg *m)
{
	struct xs_msg **pp = &c->ev_slot[m->hash & (c->ev_nslots - 1)];

	m->hnext = *pp;
	if (*pp)
		(*pp)->hpprev = &m->hnext;
	m->hpprev = pp;
	*pp = m;
}

/* Events wait in a table too, so that a duplicate is found at once. */
static void ev_add(struct xs_conn *c, struct xs_msg *m)
{
	struct xs_msg **old = c->ev_slot, *e, *next;
	size_t n = c->ev_nslots, i;

	if (c->ev_count >= n) {
		c->ev_nslots = n ? n * 2 : 16;
		c->ev_slot = xs_zalloc(c->ev_nslots * sizeof(*c->ev_slot));
		xs_charge(c, (c->ev_nslots - n) * sizeof(*c->ev_slot), false);
		for (i = 0; i < n; i++) {
			for (e = old[i]; e; e = next) {
				next = e->hnext;
				ev_link(c, e);
			}
		}
		free(old);
	}
	ev_link(c, m);
	c->ev_count++;
}

static void ev_del(struct xs_conn *c, struct xs_msg *m)
{
	*m->hpprev = m->hnext;
	if (m->hnext)
		m->hnext->hpprev = m->hpprev;
	/* Empty: its slots go, so that they are not charged for ever. */
	if (!--c->ev_count)
		ev_slots_free(c);
}

/* Queues @m, on the account of @payer (if a domain's). */
static void queue(struct xs_conn *c, struct xs_msg *m, struct xs_conn *payer)
{
	if (payer && !payer->priv) {
		xs_charge(payer, xs_msg_cost(m), false);
		m->charged = payer;
	}
	*c->out_tail = m;
	c->out_tail = &m->next;
	c->out_bytes += m->len;
	c->replies += !m->event;
	if (m->event)
		ev_add(c, m);
}

const void *xs_output(const struct xs_conn *c, size_t *len)
{
	if (!c->out) {
		*len = 0;
		return NULL;
	}
	*len = c->out->len - c->out_off;
	return c->out->buf + c->out_off;
}

/* @len bytes of what xs_output() gave were sent. */
void xs_consume(struct xs_conn *c, size_t len)
{
	struct xs_msg *m = c->out;

	if (!m)
		return;
	c->out_off += len;
	if (c->out_off < m->len)
		return;
	c->out = m->next;
	if (!c->out)
		c->out_tail = &c->out;
	c->out_bytes -= m->len;
	c->replies -= !m->event;
	c->out_off = 0;
	xs_charge(m->charged, -(long)xs_msg_cost(m), false);
	if (m->event)
		ev_del(c, m);
	free(m);
}

/* Is an event like @m queued and not started?  Then one is enough. */
static bool queued(const struct xs_conn *c, const struct xs_msg *m)
{
	const struct xs_msg *e;

	if (!c->ev_nslots)
		return false;
	for (e = c->ev_slot[m->hash & (c->ev_nslots - 1)]; e; e = e->hnext) {
		if (e == c->out && c->out_off)
			continue;
		if (e->hash != m->hash || e->len != m->len)
			continue;
		xs_path_cmps++;
		if (!memcmp(e->buf + sizeof(struct xsd_sockmsg),
			    m->buf + sizeof(struct xsd_sockmsg),
			    m->len - sizeof(struct xsd_sockmsg)))
			return true;
	}
	return false;
}

/*
 * A watch of @c fired for @path at the request of @cause (NULL: the
 * daemon's own doing, or dom0's).
 */
void xs_queue_event(struct xs_conn *c, struct xs_conn *cause,
		    const char *path, const char *token)
{
	struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT };
	unsigned int lp = strlen(path) + 1, lt = strlen(token) + 1;
	bool special = path[0] == '@';
	struct xs_msg *m;

	hdr.len = lp + lt;
	if (hdr.len > XENSTORE_PAYLOAD_MAX)
		return;
	m = msg_new(&hdr, path, lp, token, lt);
	/* As Xen: special events are each sent, some rely on that. */
	if (!special && queued(c, m))
		goto drop;
	if (c->priv) {
		queue(c, m, cause);
		return;
	}
	if (c->mem + xs_msg_cost(m) > c->xs->q.memory) {
		/*
		 * Past the quota a special event is merged with one waiting:
		 * the domain rescans on it anyway, and the queue stays bounded.
		 */
		if (!special)
			xs_log(c->xs, "domain %u: past its memory quota, "
			       "event %s dropped", c->domid, path);
		if (!special || queued(c, m))
			goto drop;
	}
	queue(c, m, c);
	return;
drop:
	free(m);
}

static void reply(struct xs_conn *c, uint32_t type, const void *data,
		  unsigned int len);

static void reply_error(struct xs_conn *c, int err)
{
	const char *s = xsd_errors[0].errstring;	/* EINVAL */
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			s = xsd_errors[i].errstring;
	reply(c, XS_ERROR, s, strlen(s) + 1);
}

/* Replies are charged too, but never refused: "outstanding" bounds them. */
static void reply(struct xs_conn *c, uint32_t type, const void *data,
		  unsigned int len)
{
	struct xsd_sockmsg hdr = c->hdr;

	if (len > XENSTORE_PAYLOAD_MAX) {
		reply_error(c, E2BIG);
		return;
	}
	hdr.type = type;
	hdr.len = len;
	queue(c, msg_new(&hdr, data, len, NULL, 0), c);
}

static int ack(struct xs_conn *c)
{
	reply(c, c->hdr.type, "OK", sizeof("OK"));
	return 0;
}

/* ---- payload ---- */

static unsigned int nstrings(const struct xs_conn *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->hdr.len; i++)
		n += !c->in[i];
	return n;
}

/* The i-th NUL-terminated string (there must be more than i). */
static const char *arg(const struct xs_conn *c, unsigned int i)
{
	const char *s = c->in;

	while (i--)
		s += strlen(s) + 1;
	return s;
}

/* The payload is exactly one string. */
static const char *onearg(const struct xs_conn *c)
{
	if (!c->hdr.len || strlen(c->in) + 1 != c->hdr.len)
		return NULL;
	return c->in;
}

static unsigned int num(const char *s)
{
	return strtoul(s, NULL, 10);
}

/* ---- requests ---- */

typedef int (*path_op)(struct xs_who *w, const char *path);

/* Requests whose payload is one path, relative or absolute. */
static int on_path(struct xs_conn *c, struct xs_who *w, path_op op)
{
	const char *a = onearg(c);
	char *path;
	int err;

	if (!a)
		return EINVAL;
	path = xs_canon(c, a);
	err = op(w, path);
	free(path);
	return err;
}

static int read_op(struct xs_who *w, const char *path)
{
	const struct xs_node *n;
	int err = xs_read(w, path, &n);

	if (!err)
		reply(w->conn, XS_READ, n->data, n->datalen);
	return err;
}

static int directory_op(struct xs_who *w, const char *path)
{
	const struct xs_node *n;
	int err = xs_read(w, path, &n);

	if (!err)
		reply(w->conn, XS_DIRECTORY, n->children, n->childlen);
	return err;
}

/* Also of the special nodes, as Xen since 4.18 answers. */
static int get_perms_op(struct xs_who *w, const char *path)
{
	/* Room for a whole last entry: a longer list is E2BIG, not cut. */
	char buf[XENSTORE_PAYLOAD_MAX + sizeof("b65535")], *p = buf;
	const struct xs_permissions *perms;
	const struct xs_node *n;
	unsigned int i, nperms;
	int err;

	if (path[0] == '@') {
		err = xs_get_special_perms(w, path, &perms, &nperms);
	} else {
		err = xs_read(w, path, &n);
		if (!err) {
			perms = n->perms;
			nperms = n->nperms;
		}
	}
	if (err)
		return err;
	for (i = 0; i < nperms && p - buf <= XENSTORE_PAYLOAD_MAX; i++)
		p += sprintf(p, "%c%u", "nrwb"[perms[i].perms & 3],
			     perms[i].id & 0xffff) + 1;
	if (i < nperms)
		return E2BIG;
	reply(w->conn, XS_GET_PERMS, buf, p - buf);
	return 0;
}

static int mkdir_op(struct xs_who *w, const char *path)
{
	int err = xs_mkdir(w, path);

	return err ? err : ack(w->conn);
}

static int rm_op(struct xs_who *w, const char *path)
{
	int err = xs_rm(w, path);

	return err ? err : ack(w->conn);
}

/* Path, offset: "<generation>\0" then whole child names that fit. */
static int do_directory_part(struct xs_conn *c, struct xs_who *w)
{
	char buf[XENSTORE_PAYLOAD_MAX], *path;
	const struct xs_node *n;
	unsigned int off, len = 0, gl, l;
	int err;

	if (nstrings(c) != 2)
		return EINVAL;
	path = xs_canon(c, arg(c, 0));
	err = xs_read(w, path, &n);
	free(path);
	if (err)
		return err;
	off = num(arg(c, 1));
	gl = sprintf(buf, "%" PRIu64, n->gen) + 1;
	while (off < n->childlen && off + len < n->childlen) {
		l = strlen(n->children + off + len) + 1;
		if (gl + len + l + 1 > sizeof(buf))
			break;
		len += l;
	}
	if (len)
		memcpy(buf + gl, n->children + off, len);
	/* An empty name ends the list. */
	if (off >= n->childlen || off + len == n->childlen)
		buf[gl + len++] = '\0';
	reply(c, XS_DIRECTORY_PART, buf, gl + len);
	return 0;
}

static int do_write(struct xs_conn *c, struct xs_who *w)
{
	unsigned int off;
	char *path;
	int err;

	if (!nstrings(c))
		return EINVAL;
	off = strlen(c->in) + 1;
	path = xs_canon(c, c->in);
	err = xs_write(w, path, c->in + off, c->hdr.len - off);
	free(path);
	return err ? err : ack(c);
}

static int do_set_perms(struct xs_conn *c, struct xs_who *w)
{
	struct xs_permissions *p;
	unsigned int off, n;
	char *path;
	int err;

	if (nstrings(c) < 2)
		return EINVAL;
	off = strlen(c->in) + 1;
	err = xs_parse_perms(c->in + off, c->hdr.len - off, &p, &n);
	if (err)
		return err;
	path = xs_canon(c, c->in);
	err = xs_set_perms(w, path, p, n);
	free(path);
	free(p);
	return err ? err : ack(c);
}

static int do_watch(struct xs_conn *c, struct xs_who *w)
{
	int err;

	(void)w;
	if (nstrings(c) != 2)
		return EINVAL;
	err = xs_watch_add(c, arg(c, 0), arg(c, 1));
	if (err)
		return err;
	ack(c);
	xs_watch_first(c);
	return 0;
}

static int do_unwatch(struct xs_conn *c, struct xs_who *w)
{
	int err;

	(void)w;
	if (nstrings(c) != 2)
		return EINVAL;
	err = xs_watch_del(c, arg(c, 0), arg(c, 1));
	return err ? err : ack(c);
}

static int do_reset_watches(struct xs_conn *c, struct xs_who *w)
{
	(void)w;
	xs_watch_clear(c);
	xs_tx_clear(c);
	return ack(c);
}

static int do_tx_start(struct xs_conn *c, struct xs_who *w)
{
	char id[16];
	uint32_t txid;
	int err;

	if (w->tx)
		return EBUSY;	/* none nested */
	err = xs_tx_start(c, &txid);
	if (!err)
		reply(c, XS_TRANSACTION_START, id,
		      sprintf(id, "%" PRIu32, txid) + 1);
	return err;
}

static int do_tx_end(struct xs_conn *c, struct xs_who *w)
{
	const char *a = onearg(c);
	int err;

	if (!a || (strcmp(a, "T") && strcmp(a, "F")))
		return EINVAL;
	if (!w->tx)
		return ENOENT;
	err = xs_tx_end(c, w->tx, a[0] == 'T');
	w->tx = NULL;
	return err ? err : ack(c);
}

/*
 * domid, mfn, event channel port; from a socket, maybe with the ring's
 * grant fd and event-channel fd (a microv extension): both or none.
 */
static int do_introduce(struct xs_conn *c, struct xs_who *w)
{
	int err;

	(void)w;
	if (nstrings(c) < 3 || (int)num(arg(c, 2)) <= 0)
		return EINVAL;
	if (c->nfds && c->nfds != XS_CONN_FDS)
		return EINVAL;
	err = xs_introduce(c->xs, num(arg(c, 0)),
			   strtoul(arg(c, 1), NULL, 0), num(arg(c, 2)),
			   c->nfds ? c->fds : NULL);
	return err ? err : ack(c);
}

/* Requests whose payload is one domid, not 0. */
static int one_domid(struct xs_conn *c, unsigned int *domid)
{
	const char *a = onearg(c);

	if (!a || !num(a))
		return EINVAL;
	*domid = num(a);
	return 0;
}

static int do_release(struct xs_conn *c, struct xs_who *w)
{
	unsigned int domid;
	int err = one_domid(c, &domid);

	(void)w;
	if (!err)
		err = xs_release(c->xs, domid);
	return err ? err : ack(c);
}

static int do_resume(struct xs_conn *c, struct xs_who *w)
{
	unsigned int domid;
	int err = one_domid(c, &domid);

	(void)w;
	if (!err)
		err = xs_resume(c->xs, domid);
	return err ? err : ack(c);
}

static int do_set_target(struct xs_conn *c, struct xs_who *w)
{
	int err;

	(void)w;
	if (nstrings(c) < 2)
		return EINVAL;
	err = xs_set_target(c->xs, num(arg(c, 0)), num(arg(c, 1)));
	return err ? err : ack(c);
}

static int do_get_domain_path(struct xs_conn *c, struct xs_who *w)
{
	const char *a = onearg(c);
	char path[32];

	(void)w;
	if (!a)
		return EINVAL;
	snprintf(path, sizeof(path), "/local/domain/%u", num(a));
	reply(c, XS_GET_DOMAIN_PATH, path, strlen(path) + 1);
	return 0;
}

static int do_is_introduced(struct xs_conn *c, struct xs_who *w)
{
	const char *a = onearg(c);

	(void)w;
	if (!a)
		return EINVAL;
	reply(c, XS_IS_DOMAIN_INTRODUCED,
	      xs_is_introduced(c->xs, num(a)) ? "T" : "F", 2);
	return 0;
}

/* The part of xenstore-control that means something here. */
static int do_control(struct xs_conn *c, struct xs_who *w)
{
	const struct xs_quota *q = &c->xs->q;
	char buf[512];
	const char *cmd = nstrings(c) ? c->in : "";

	(void)w;
	if (!strcmp(cmd, "help")) {
		snprintf(buf, sizeof(buf),
			 "check\t\nhelp\t\nprint\t<string>\nquota\t\n");
	} else if (!strcmp(cmd, "quota")) {
		snprintf(buf, sizeof(buf),
			 "Quota settings:\nnodes: %u\nwatches: %u\n"
			 "transactions: %u\noutstanding: %u\n"
			 "transaction-nodes: %u\nmemory: %u\n"
			 "node-size: %u\npath-max: %u\npermissions: %u\n",
			 q->nodes, q->watches, q->transactions,
			 q->outstanding, q->trans_nodes, q->memory,
			 q->node_size, q->path_max, q->perms);
	} else if (!strcmp(cmd, "print") && nstrings(c) == 2) {
		xs_log(c->xs, "control: %s", arg(c, 1));
		return ack(c);
	} else if (!strcmp(cmd, "check")) {
		return ack(c);
	} else {
		return EINVAL;
	}
	reply(c, XS_CONTROL, buf, strlen(buf) + 1);
	return 0;
}

#define PRIV	1U	/* dom0 only */
#define NOTX	2U	/* the transaction id is not looked at */

static const struct {
	int (*fn)(struct xs_conn *c, struct xs_who *w);
	unsigned int flags;
	path_op op;	/* or a payload of one path */
} handlers[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { .fn = do_control, .flags = PRIV },
	[XS_DIRECTORY] = { .op = directory_op },
	[XS_READ] = { .op = read_op },
	[XS_GET_PERMS] = { .op = get_perms_op },
	[XS_WATCH] = { .fn = do_watch, .flags = NOTX },
	[XS_UNWATCH] = { .fn = do_unwatch, .flags = NOTX },
	[XS_TRANSACTION_START] = { .fn = do_tx_start },
	[XS_TRANSACTION_END] = { .fn = do_tx_end },
	[XS_INTRODUCE] = { .fn = do_introduce, .flags = PRIV },
	[XS_RELEASE] = { .fn = do_release, .flags = PRIV },
	[XS_GET_DOMAIN_PATH] = { .fn = do_get_domain_path },
	[XS_WRITE] = { .fn = do_write },
	[XS_MKDIR] = { .op = mkdir_op },
	[XS_RM] = { .op = rm_op },
	[XS_SET_PERMS] = { .fn = do_set_perms },
	[XS_IS_DOMAIN_INTRODUCED] = { .fn = do_is_introduced, .flags = PRIV },
	[XS_RESUME] = { .fn = do_resume, .flags = PRIV },
	[XS_SET_TARGET] = { .fn = do_set_target, .flags = PRIV },
	[XS_RESET_WATCHES] = { .fn = do_reset_watches },
	[XS_DIRECTORY_PART] = { .fn = do_directory_part },
};

static void handle(struct xs_conn *c)
{
	uint32_t type = c->hdr.type;
	struct xs_who w;
	int err;

	if (type >= XS_TYPE_COUNT ||
	    (!handlers[type].fn && !handlers[type].op)) {
		reply_error(c, ENOSYS);
		return;
	}
	if ((handlers[type].flags & PRIV) && !c->priv) {
		reply_error(c, EACCES);
		return;
	}
	xs_who_of(c, &w);
	if (!(handlers[type].flags & NOTX) && c->hdr.tx_id) {
		w.tx = xs_tx_find(c, c->hdr.tx_id);
		if (!w.tx) {
			reply_error(c, ENOENT);
			return;
		}
	}
	err = handlers[type].op ? on_path(c, &w, handlers[type].op)
				: handlers[type].fn(c, &w);
	if (err)
		reply_error(c, err);
}

/* ---- input ---- */

/* Bytes the connection takes now: 0 while its replies are not read. */
size_t xs_want(const struct xs_conn *c)
{
	const struct xs_quota *q = &c->xs->q;

	if (c->dead)
		return 0;
	if (c->priv ? c->out_bytes >= q->memory
		    : c->mem > q->memory || c->replies >= q->outstanding)
		return 0;
	return c->in_hdr ? sizeof(c->hdr) - c->in_used
			 : c->hdr.len - c->in_used;
}

/*
 * Takes up to @len bytes, and acts on each request they complete.
 * Returns how many it took, or -1 if the peer broke the protocol (the
 * transport must then drop it).
 */
int xs_input(struct xs_conn *c, const void *buf, size_t len)
{
	const char *p = buf;
	size_t n;

	while (len && (n = xs_want(c))) {
		n = n < len ? n : len;
		memcpy(c->in_hdr ? (char *)&c->hdr + c->in_used
				 : c->in + c->in_used, p, n);
		c->in_used += n;
		p += n;
		len -= n;
		if (c->in_hdr && c->in_used == sizeof(c->hdr)) {
			if (c->hdr.len > XENSTORE_PAYLOAD_MAX) {
				xs_log(c->xs, "domain %u: payload of %u bytes",
				       c->domid, c->hdr.len);
				c->dead = true;
				return -1;
			}
			c->in_hdr = false;
			c->in_used = 0;
		}
		if (!c->in_hdr && c->in_used == c->hdr.len) {
			c->in[c->hdr.len] = '\0';
			c->in_hdr = true;
			c->in_used = 0;
			handle(c);
		}
	}
	return p - (const char *)buf;
}

/* Is @c charged exactly for what it holds?  For xs_check(). */
bool xs_conn_check(struct xs_conn *c, char *why, size_t len)
{
	size_t want = 0, ev = 0;
	struct xs_watch *wt;
	struct xs_conn *o;
	struct xs_msg *m;
	struct xs_tx *tx;

	for (o = c->xs->conns; o; o = o->next) {
		for (m = o->out; m; m = m->next) {
			if (m->charged == c)
				want += xs_msg_cost(m);
			ev += o == c && m->event;
		}
	}
	for (wt = c->watches; wt; wt = wt->next)
		want += xs_watch_cost(wt);
	for (tx = c->txs; tx; tx = xs_tx_next(tx))
		want += xs_tx_cost(tx);
	want += c->ev_nslots * sizeof(*c->ev_slot);
	if (c->priv)
		want = 0;
	if (c->mem == want && c->ev_count == ev)
		return true;
	snprintf(why, len, "domain %u: %zu bytes charged, holds %zu; "
		 "%zu events in the table of %zu", c->domid, c->mem, want,
		 c->ev_count, ev);
	return false;
}
