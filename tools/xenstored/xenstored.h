/* SPDX-License-Identifier: GPL-2.0 */
/*
 * microv-xenstored: the host's xenstore daemon.
 *
 * store.c     the tree, permissions, node quotas, transactions
 * domain.c    introduced domains and what each owns
 * watch.c     watches and their events
 * proto.c     one connection: bytes in, requests, replies and events out
 * ring.c      a guest's shared ring as a connection's transport
 * ring_microv.c  the ring's page and event channel through microv's fds
 * server.c    the Unix socket and the poll() loop
 * xenstored.c the command line
 *
 * Nothing here but server.c and ring_microv.c does I/O: a connection is
 * fed bytes and drained of bytes by its transport, a socket or a guest's
 * shared ring (whose memory and event channel ring.c reaches through a
 * struct xs_ring_ops, so that tests can stand in for them).
 */
#ifndef MICROV_XENSTORED_H
#define MICROV_XENSTORED_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenstore_lib.h>	/* struct xs_permissions, XS_PERM_* */
#include <xen/io/xs_wire.h>

#define XS_VERSION		"0.1"
#define XS_DEFAULT_SOCKET	"/var/run/xenstored/socket"
#define NO_GENERATION		UINT64_MAX
/* Xen's DOMID_SELF, also DOMID_FIRST_RESERVED */
#define DOMID_SELF_		0x7ff0U
/* microv: INTRODUCE's fds, in order: the grant fd, the event-channel fd */
#define XS_CONN_FDS		2

struct xs_quota {
	unsigned int nodes;		/* nodes a domain may own */
	unsigned int node_size;		/* bytes of one node, see node_size() */
	unsigned int watches;		/* per domain */
	unsigned int transactions;	/* open at once, per connection */
	unsigned int perms;		/* entries of one node's permissions */
	unsigned int path_max;		/* below /local/domain/N/, or in all */
	unsigned int trans_nodes;	/* nodes one transaction may touch */
	unsigned int outstanding;	/* replies a domain has not read */
	unsigned int memory;		/* a domain's bytes: xs_charge() */
};

/* One node, in the tree or in a transaction's copy of it. */
struct xs_node {
	struct xs_node *hnext;
	size_t hash;		/* of path, set by the table holding it */
	char *path;
	uint64_t gen;		/* changes at every write; for conflicts */
	bool deleted;		/* only in a transaction: gone there */
	unsigned int nperms;
	struct xs_permissions *perms;	/* [0]: owner and everyone else */
	unsigned int datalen;
	char *data;
	unsigned int childlen;
	char *children;		/* names, each NUL-terminated, in order */
};

/* Nodes by path. */
struct xs_db {
	struct xs_node **slot;
	size_t nslots, count;
};

struct xs_domain {
	struct xs_domain *next;
	unsigned int domid;
	bool introduced;
	unsigned int nodes;	/* nodes it owns (for its quota) */
	unsigned long mfn;
	unsigned int port;
	int target;		/* SET_TARGET: domain it serves, or -1 */
	struct xs_conn *conn;	/* once introduced */
};

struct xs_watch {
	struct xs_watch *next;
	char *path;		/* absolute, or @special */
	char *token;
	bool relative;		/* events lose the conn's domain path */
};

struct xs_msg {
	struct xs_msg *next;
	struct xs_msg *hnext, **hpprev;	/* unsent events, by payload */
	size_t hash;
	struct xs_conn *charged;	/* whose memory it is in, or NULL */
	bool event;
	unsigned int len;	/* header and payload */
	char buf[];
};

struct xs_tx;
struct xs_daemon;

struct xs_conn {
	struct xs_conn *next;
	struct xs_daemon *xs;
	unsigned int domid;
	bool priv;		/* dom0 and the host's sockets */
	struct xs_domain *dom;	/* NULL for a socket */
	bool dead;		/* broke the protocol: the transport drops it */

	/* The request being read. */
	struct xsd_sockmsg hdr;
	unsigned int in_used;	/* of header, then of payload */
	bool in_hdr;
	char in[XENSTORE_PAYLOAD_MAX + 1];

	/* Replies and events, oldest first; out_off bytes of the first sent. */
	struct xs_msg *out, **out_tail;
	size_t out_bytes, out_off;
	unsigned int replies;	/* queued replies, not events */
	/* Queued events not yet started, by payload: to find duplicates. */
	struct xs_msg **ev_slot;
	size_t ev_nslots, ev_count;

	/*
	 * Bytes charged to a domain's connection (unprivileged only): its
	 * transactions' copies, its watches, its queued output, and the
	 * events its requests queued for privileged connections.
	 */
	size_t mem;

	struct xs_watch *watches;
	unsigned int nwatches;
	struct xs_tx *txs;
	unsigned int ntxs;
	uint32_t next_txid;
	void *transport;	/* the transport's own: a domain's xs_ring */

	/*
	 * File descriptors that came with the request being read (a socket's
	 * SCM_RIGHTS): the first XS_CONN_FDS kept, all counted.  INTRODUCE
	 * takes them (setting them to -1); the transport closes the rest once
	 * the request is done.
	 */
	int fds[XS_CONN_FDS];
	unsigned int nfds;
};

/*
 * Where a transport attaches: INTRODUCE (a first one or a repeated one;
 * @fds NULL or XS_CONN_FDS of them, each set to -1 once taken), RELEASE
 * (and a domain's death, and the daemon's end), RESUME.
 */
struct xs_hooks {
	int (*introduce)(struct xs_daemon *xs, struct xs_domain *d, int *fds);
	void (*release)(struct xs_daemon *xs, struct xs_domain *d);
	void (*resume)(struct xs_daemon *xs, struct xs_domain *d);
	void (*log)(const char *msg);
};

struct xs_daemon {
	struct xs_db db;
	uint64_t gen;
	struct xs_quota q;
	struct xs_domain *domains;
	struct xs_conn *conns;
	struct xs_hooks hooks;
	/* Who may watch @introduceDomain and @releaseDomain. */
	struct xs_permissions *intro_perms, *release_perms;
	unsigned int nintro_perms, nrelease_perms;
	/*
	 * Milliseconds of a monotonic clock, as the loop read it at the
	 * start of its turn; rings' reconnection budgets count in it.  The
	 * tests and the fuzzer move it themselves.
	 */
	uint64_t now_ms;
};

/* Who asks, inside which transaction. */
struct xs_who {
	struct xs_daemon *xs;
	struct xs_conn *conn;	/* NULL: the daemon itself */
	unsigned int domid;
	bool priv;
	int target;
	struct xs_tx *tx;
};

/* proto.c: a domain's memory; ENOMEM if @check and past its quota */
int xs_charge(struct xs_conn *c, long delta, bool check);
size_t xs_msg_cost(const struct xs_msg *m);

/* store.c: path comparisons made, for the tests to bound the work */
extern unsigned long xs_path_cmps;

/* store.c: allocation that cannot fail (the daemon aborts instead) */
void *xs_zalloc(size_t len);
void *xs_memdup(const void *p, size_t len);
char *xs_strdup(const char *s);

/* store.c */
extern const struct xs_quota xs_default_quota;
int xs_init(struct xs_daemon *xs, const struct xs_quota *q);
void xs_free(struct xs_daemon *xs);
bool xs_valid_path(const struct xs_daemon *xs, const char *path);
unsigned int xs_perm_for(const struct xs_who *w,
			 const struct xs_permissions *p, unsigned int n);
const struct xs_node *xs_lookup(struct xs_daemon *xs, const char *path);
char *xs_parent(const char *path);
int xs_read(struct xs_who *w, const char *path, const struct xs_node **out);
int xs_write(struct xs_who *w, const char *path, const void *data,
	     unsigned int len);
int xs_mkdir(struct xs_who *w, const char *path);
int xs_rm(struct xs_who *w, const char *path);
int xs_set_perms(struct xs_who *w, const char *path,
		 struct xs_permissions *p, unsigned int n);
int xs_parse_perms(const char *s, unsigned int len,
		   struct xs_permissions **p, unsigned int *n);
int xs_set_special_perms(struct xs_who *w, const char *name,
			 struct xs_permissions *p, unsigned int n);
int xs_get_special_perms(struct xs_who *w, const char *name,
			 const struct xs_permissions **p, unsigned int *n);
void xs_drop_domain(struct xs_daemon *xs, unsigned int domid);
bool xs_check(struct xs_daemon *xs, char *why, size_t len);

/* store.c: transactions */
int xs_tx_start(struct xs_conn *c, uint32_t *id);
int xs_tx_end(struct xs_conn *c, struct xs_tx *tx, bool commit);
struct xs_tx *xs_tx_find(struct xs_conn *c, uint32_t id);
void xs_tx_clear(struct xs_conn *c);
void xs_tx_queue_event(struct xs_tx *tx, const char *path, bool exact);
struct xs_tx *xs_tx_next(struct xs_tx *tx);
size_t xs_tx_cost(struct xs_tx *tx);

/* domain.c */
struct xs_domain *xs_domain(struct xs_daemon *xs, unsigned int domid,
			    bool create);
void xs_domain_put(struct xs_daemon *xs, struct xs_domain *d);
void xs_owner_add(struct xs_daemon *xs, unsigned int domid, int n);
int xs_introduce(struct xs_daemon *xs, unsigned int domid, unsigned long mfn,
		 unsigned int port, int *fds);
int xs_resume(struct xs_daemon *xs, unsigned int domid);
int xs_release(struct xs_daemon *xs, unsigned int domid);
int xs_set_target(struct xs_daemon *xs, unsigned int domid,
		  unsigned int target);
bool xs_is_introduced(struct xs_daemon *xs, unsigned int domid);

/* watch.c */
int xs_watch_add(struct xs_conn *c, const char *path, const char *token);
void xs_watch_first(struct xs_conn *c);
int xs_watch_del(struct xs_conn *c, const char *path, const char *token);
void xs_watch_clear(struct xs_conn *c);
size_t xs_watch_cost(const struct xs_watch *wt);
void xs_fire(struct xs_daemon *xs, struct xs_conn *cause, const char *path,
	     bool exact, const struct xs_permissions *oldp,
	     unsigned int noldp);

/* proto.c */
struct xs_conn *xs_conn_new(struct xs_daemon *xs, unsigned int domid,
			    bool priv);
void xs_conn_free(struct xs_conn *c);
void xs_conn_reset(struct xs_conn *c);
void xs_who_of(struct xs_conn *c, struct xs_who *w);
const char *xs_home(const struct xs_conn *c, char *buf, size_t len);
char *xs_canon(const struct xs_conn *c, const char *path);
size_t xs_want(const struct xs_conn *c);
int xs_input(struct xs_conn *c, const void *buf, size_t len);
const void *xs_output(const struct xs_conn *c, size_t *len);
void xs_consume(struct xs_conn *c, size_t len);
void xs_queue_event(struct xs_conn *c, struct xs_conn *cause,
		    const char *path, const char *token);
bool xs_conn_check(struct xs_conn *c, char *why, size_t len);
void xs_log(struct xs_daemon *xs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ring.c: a guest's end, as the transport sees it */
struct xs_ring_ops {
	/* Sends the guest one event. */
	void (*notify)(void *priv);
	/* Events the guest sent since the last call: 0 if none, -1 once its
	 * end is gone (closed port or dead domain). */
	long (*events)(void *priv);
	/* After -1: 0 if the domain lives, -ESRCH if it is dying. */
	int (*probe)(void *priv);
	/* The fd to poll for events (POLLIN), or -1. */
	int (*fd)(void *priv);
	/* Unmaps the page, closes what priv holds, frees it. */
	void (*close)(void *priv, struct xenstore_domain_interface *intf);
};

enum xs_ring_state {
	XS_RING_LIVE,		/* served */
	XS_RING_BROKEN,		/* error set in the page (as Xen): idle */
	XS_RING_STOPPED,	/* the guest closed its port: until RESUME */
};

struct xs_ring {
	struct xs_conn *conn;
	struct xenstore_domain_interface *intf;
	const struct xs_ring_ops *ops;
	void *priv;
	enum xs_ring_state state;
	/* Reconnections: a token bucket (XS_RECONNECT_*) on xs->now_ms. */
	unsigned int tokens;
	uint64_t refilled;	/* when it last gained a token, or was full */
	bool deferred;		/* a reconnection waits for a token */
};

/* What xs_ring_event() and xs_ring_probe() found. */
#define XS_RING_OK	0
#define XS_RING_DEAD	1	/* the domain died: xs_release() it */

/* Request bytes one xs_ring_serve() takes at most, as a fair share. */
#define XS_RING_BUDGET	(2 * XENSTORE_RING_SIZE)

/*
 * Reconnections a guest may ask for: a burst of XS_RECONNECT_BURST, then
 * one every XS_RECONNECT_MS (10 a second); one asked past that waits,
 * the ring untouched, until a token is back.
 */
#define XS_RECONNECT_BURST	10
#define XS_RECONNECT_MS		100
/* What xs_ring_deferred_until() says when nothing waits. */
#define XS_NEVER		UINT64_MAX

struct xs_ring *xs_ring_new(struct xs_conn *c,
			    struct xenstore_domain_interface *intf,
			    const struct xs_ring_ops *ops, void *priv);
void xs_ring_free(struct xs_ring *r);
void xs_ring_restart(struct xs_ring *r);
int xs_ring_event(struct xs_ring *r);
int xs_ring_probe(struct xs_ring *r);
bool xs_ring_serve(struct xs_ring *r);
void xs_ring_flush(struct xs_ring *r);
uint64_t xs_ring_deferred_until(const struct xs_ring *r);
struct xs_ring *xs_ring_of(const struct xs_domain *d);
void xs_ring_release(struct xs_daemon *xs, struct xs_domain *d);
void xs_ring_resume(struct xs_daemon *xs, struct xs_domain *d);

/*
 * ring_microv.c: the introduce hook of the daemon, and the check it makes
 * first that INTRODUCE's fds are microv's: what /proc/self/fd/N reads
 * for the fds of MICROV_GET_GNTDEV and MICROV_EVTCHN_BIND (the names
 * module/grant.c and module/evtchn.c give anon_inode_getfd/getfile).
 */
#define XS_GNTDEV_LINK		"anon_inode:microv-gntdev"
#define XS_EVTCHN_LINK		"anon_inode:microv-evtchn"
int xs_ring_microv_check_links(const char *gnt, const char *evtchn);
int xs_ring_microv_check_fds(const int *fds, char *why, size_t len);
int xs_ring_microv_introduce(struct xs_daemon *xs, struct xs_domain *d,
			     int *fds);

/* server.c */
bool xs_sock_read(int fd, struct xs_conn *c);
void xs_sock_close_fds(struct xs_conn *c);
struct xs_server_opts {
	const char *socket;
	const char *pid_file;
	bool foreground;
	bool verbose;
};
int xs_serve(struct xs_daemon *xs, const struct xs_server_opts *o);

#endif
