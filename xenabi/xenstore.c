// SPDX-License-Identifier: GPL-2.0
/*
 * An empty xenstore, served on the guest's xenstore ring (struct
 * xenstore_domain_interface): guests that insist on finding a store get
 * well-formed answers to every request, as from a store that has no
 * entries and lets an unprivileged domain write none.  Reads and listings
 * are ENOENT, writes EACCES; watches are accepted and fire once, as
 * xenstored fires a new watch; transactions open and close; the path of
 * domain N is /local/domain/N.
 *
 * Requests are streamed through a 1 KiB ring and may be up to
 * XENSTORE_PAYLOAD_MAX long: they are gathered whole first.  Replies wait
 * in a buffer until the response ring has room.  A guest that breaks the
 * protocol (indexes apart by more than the ring, an oversized payload) is
 * no longer answered, and the interface's error field says why
 * (XENSTORE_SERVER_FEATURE_ERROR), as xenstored does.
 */
#include "xenabi.h"

#define XENABI_STORE_HDR	sizeof(struct xsd_sockmsg)

/* Requests answered per event at most. */
#define XENABI_STORE_BATCH	32

/* No more answers; the guest can read why in the interface. */
static void xen_store_break(struct xen_store *st, u32 error)
{
	st->broken = true;
	xenabi_wmb();
	st->intf->error = error;
}

/* Copies what the request ring holds, up to @len bytes, into @buf. */
static u32 xen_store_take(struct xen_store *st, u8 *buf, u32 len)
{
	struct xenstore_domain_interface *intf = st->intf;
	XENSTORE_RING_IDX cons = xenabi_read_once(intf->req_cons);
	XENSTORE_RING_IDX prod = xenabi_read_once(intf->req_prod);
	u32 n = 0;

	xenabi_rmb();
	if (prod - cons > XENSTORE_RING_SIZE) {
		xen_store_break(st, XENSTORE_ERROR_RINGIDX);
		return 0;
	}
	while (cons != prod && n < len)
		buf[n++] = intf->req[MASK_XENSTORE_IDX(cons++)];
	xenabi_mb();
	intf->req_cons = cons;
	return n;
}

/* Moves waiting reply bytes into the response ring, as room allows. */
static bool xen_store_flush(struct xen_store *st)
{
	struct xenstore_domain_interface *intf = st->intf;
	XENSTORE_RING_IDX cons = xenabi_read_once(intf->rsp_cons);
	XENSTORE_RING_IDX prod = xenabi_read_once(intf->rsp_prod);
	u32 moved = 0;

	xenabi_mb();
	if (prod - cons > XENSTORE_RING_SIZE) {
		xen_store_break(st, XENSTORE_ERROR_RINGIDX);
		return false;
	}
	for (; st->out_off < st->out_len && prod - cons < XENSTORE_RING_SIZE;
	     moved++)
		intf->rsp[MASK_XENSTORE_IDX(prod++)] = st->out[st->out_off++];
	xenabi_wmb();
	intf->rsp_prod = prod;
	if (st->out_off == st->out_len)
		st->out_off = st->out_len = 0;
	return moved;
}

/* Queues one message: a header echoing @req, and @len bytes of payload. */
static void xen_store_reply(struct xen_store *st, const struct xsd_sockmsg *req,
			    u32 type, const char *payload, u32 len)
{
	struct xsd_sockmsg hdr = {
		.type = type,
		.req_id = req ? req->req_id : 0,
		.tx_id = req ? req->tx_id : 0,
		.len = len,
	};

	memcpy(st->out + st->out_len, &hdr, sizeof(hdr));
	memcpy(st->out + st->out_len + sizeof(hdr), payload, len);
	st->out_len += sizeof(hdr) + len;
}

static void xen_store_error(struct xen_store *st, const struct xsd_sockmsg *req,
			    const char *err)
{
	xen_store_reply(st, req, XS_ERROR, err, strlen(err) + 1);
}

/* The number of NUL-terminated strings the payload is made of, or -1. */
static int xen_store_strings(const char *p, u32 len)
{
	int n = 0;
	u32 i;

	if (!len || p[len - 1])
		return -1;
	for (i = 0; i < len; i++)
		n += !p[i];
	return n;
}

/* Formats @val in decimal at @buf; returns the length with the NUL. */
static u32 xen_store_number(char *buf, u32 val)
{
	char tmp[12];
	u32 n = 0, i;

	do {
		tmp[n++] = '0' + val % 10;
		val /= 10;
	} while (val);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n + 1;
}

/* A decimal domid, as xenstore paths spell them: 0 or -EINVAL. */
static int xen_store_parse(const char *s, u32 *val)
{
	u32 v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (DOMID_FIRST_RESERVED - 1) / 10)
			return -EINVAL;
		v = v * 10 + (*s - '0');
	}
	if (v >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	*val = v;
	return 0;
}

static void xen_store_handle(struct xen_store *st)
{
	const struct xsd_sockmsg *req = (const void *)st->in;
	const char *payload = (const char *)st->in + XENABI_STORE_HDR;
	int strings = xen_store_strings(payload, req->len);
	static const char domain_path[] = "/local/domain/";
	char buf[sizeof(domain_path) + 12];
	u32 n, domid;

	switch (req->type) {
	case XS_READ:
	case XS_DIRECTORY:
	case XS_DIRECTORY_PART:
	case XS_GET_PERMS:
		if (strings < 1)
			xen_store_error(st, req, "EINVAL");
		else
			xen_store_error(st, req, "ENOENT");
		break;
	case XS_WRITE:
	case XS_MKDIR:
	case XS_RM:
	case XS_SET_PERMS:
		xen_store_error(st, req, "EACCES");
		break;
	case XS_WATCH:
		if (strings != 2) {
			xen_store_error(st, req, "EINVAL");
			break;
		}
		xen_store_reply(st, req, XS_WATCH, "OK", 3);
		/* A new watch fires once, with its path and token. */
		xen_store_reply(st, NULL, XS_WATCH_EVENT, payload, req->len);
		break;
	case XS_UNWATCH:
	case XS_RESET_WATCHES:
	case XS_TRANSACTION_END:
		xen_store_reply(st, req, req->type, "OK", 3);
		break;
	case XS_TRANSACTION_START:
		if (!++st->tx_next)
			st->tx_next = 1;	/* 0 is "no transaction" */
		n = xen_store_number(buf, st->tx_next);
		xen_store_reply(st, req, req->type, buf, n);
		break;
	case XS_GET_DOMAIN_PATH:
		/* The domain named in decimal: any domain has its path. */
		if (strings != 1 || xen_store_parse(payload, &domid)) {
			xen_store_error(st, req, "EINVAL");
			break;
		}
		memcpy(buf, domain_path, sizeof(domain_path) - 1);
		n = xen_store_number(buf + sizeof(domain_path) - 1, domid);
		xen_store_reply(st, req, req->type, buf,
				sizeof(domain_path) - 1 + n);
		break;
	case XS_INTRODUCE:
	case XS_RELEASE:
	case XS_IS_DOMAIN_INTRODUCED:
	case XS_RESUME:
	case XS_SET_TARGET:
	case XS_CONTROL:
		xen_store_error(st, req, "EACCES");	/* privileged */
		break;
	default:
		/* Replies, events and types that do not exist. */
		xen_store_error(st, req, "EINVAL");
		break;
	}
}

/**
 * xen_store_process() - answer what the guest put in its xenstore ring
 * @d: the domain, its xenstore ring connected
 *
 * Return: true if anything was taken or answered: the caller then raises
 * the ring's event.
 */
bool xen_store_process(struct xen_domain *d)
{
	struct xen_store *st = &d->store;
	const struct xsd_sockmsg *req = (const void *)st->in;
	unsigned int handled = 0;
	bool did = false;
	u32 need, n;

	if (!st->intf || st->broken)
		return false;
	/*
	 * Bounded, so that a guest feeding requests from another vCPU cannot
	 * keep the host here: what is left waits for its next event.
	 */
	while (handled < XENABI_STORE_BATCH) {
		did |= xen_store_flush(st);
		if (st->out_len || st->broken)
			break;
		if (st->in_len >= XENABI_STORE_HDR) {
			if (req->len > XENSTORE_PAYLOAD_MAX) {
				xen_store_break(st, XENSTORE_ERROR_PROTO);
				break;
			}
			if (st->in_len == XENABI_STORE_HDR + req->len) {
				xen_store_handle(st);
				st->in_len = 0;
				handled++;
				continue;
			}
			need = XENABI_STORE_HDR + req->len - st->in_len;
		} else {
			need = XENABI_STORE_HDR - st->in_len;
		}
		n = xen_store_take(st, st->in + st->in_len, need);
		st->in_len += n;
		did |= n;
		if (n < need)
			break;		/* the rest comes with a later event */
	}
	return did;
}

/* Connects the ring: a server without reconnection, connected. */
void xen_store_connect(struct xen_domain *d, void *ring, u32 port)
{
	struct xen_store *st = &d->store;

	memset(st, 0, sizeof(*st));
	st->intf = ring;
	st->port = port;
	st->intf->server_features = XENSTORE_SERVER_FEATURE_ERROR;
	st->intf->error = XENSTORE_ERROR_NONE;
	st->intf->connection = XENSTORE_CONNECTED;
}
