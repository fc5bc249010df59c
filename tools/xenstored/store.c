// SPDX-License-Identifier: GPL-2.0
/*
 * microv-xenstored: the tree.
 *
 * Nodes live in a hash table by path, each with its value, permissions
 * and the names of its children.  Whoever asks (struct xs_who) sees the
 * tree through its transaction, if any: a second table holding a copy of
 * each node the transaction touched, taken on first access and written
 * back at commit if none of the nodes it read first has changed since.
 * A domain's transactions are charged to its memory quota (xs_charge()),
 * entry by entry, before they grow.  Pure logic: no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

const struct xs_quota xs_default_quota = {
	.nodes = 1000,
	.node_size = 2048,
	.watches = 128,
	.transactions = 10,
	.perms = 5,
	.path_max = XENSTORE_REL_PATH_MAX,
	.trans_nodes = 1024,
	.outstanding = 20,
	.memory = 2 * 1024 * 1024 + 512 * 1024,
};

/*
 * Xen counts a node's size as its database record: a header, 8 bytes a
 * permission, the value and the child names.  Counting the same way
 * lets the same nodes fit in the same quota.
 */
#define NODE_HDR_BYTES	24
#define NODE_PERM_BYTES	8

#define PATH_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789-/_@"

/* A node a transaction touched. */
struct xs_acc {
	struct xs_acc *next;
	struct xs_acc *hnext;	/* in the transaction's table, by path */
	size_t hash;
	char *path;
	uint64_t gen;		/* in the tree when first read */
	bool check;		/* first touched by a read: must not change */
	bool modified;
	bool fire, exact;	/* a watch event at commit */
	struct xs_permissions *oldp;	/* before the transaction */
	unsigned int noldp;
};

/* @introduceDomain, @releaseDomain */
#define NR_SPECIAL	2

struct xs_tx {
	struct xs_tx *next;
	uint32_t id;
	struct xs_db ov;	/* copies of the nodes in acc */
	struct xs_acc *acc, **acc_tail;
	struct xs_acc **aslot;	/* acc by path, as a table of nodes is */
	size_t anslots;
	unsigned int naccessed;
	int own_delta;		/* nodes the domain will own more */
	bool created, fail;
	/* The special nodes' lists it set, if it did: set at commit. */
	struct xs_permissions *sp[NR_SPECIAL];
	unsigned int nsp[NR_SPECIAL];
	size_t mem;		/* charged to its connection */
};

unsigned long xs_path_cmps;

static void *oom(void *p)
{
	if (!p) {
		fputs("microv-xenstored: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xs_zalloc(size_t len)
{
	return oom(calloc(1, len ? len : 1));
}

/* Always NUL-terminated, so that values can be printed safely. */
void *xs_memdup(const void *p, size_t len)
{
	char *d = xs_zalloc(len + 1);

	if (len)
		memcpy(d, p, len);
	return d;
}

char *xs_strdup(const char *s)
{
	return xs_memdup(s, strlen(s));
}

/* ---- nodes by path ---- */

static size_t hash(const char *s)
{
	size_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void node_free(struct xs_node *n)
{
	if (!n)
		return;
	free(n->path);
	free(n->perms);
	free(n->data);
	free(n->children);
	free(n);
}

static struct xs_node **db_slot(struct xs_db *db, const char *path)
{
	struct xs_node **pp;
	size_t h;

	if (!db->nslots)
		return NULL;
	h = hash(path);
	for (pp = &db->slot[h & (db->nslots - 1)]; *pp; pp = &(*pp)->hnext) {
		if ((*pp)->hash != h)
			continue;
		xs_path_cmps++;
		if (!strcmp((*pp)->path, path))
			return pp;
	}
	return NULL;
}

static struct xs_node *db_find(struct xs_db *db, const char *path)
{
	struct xs_node **pp = db_slot(db, path);

	return pp ? *pp : NULL;
}

static void db_grow(struct xs_db *db)
{
	size_t n = db->nslots ? db->nslots * 2 : 64, i, h;
	struct xs_node **slot = xs_zalloc(n * sizeof(*slot)), *nd, *next;

	for (i = 0; i < db->nslots; i++) {
		for (nd = db->slot[i]; nd; nd = next) {
			next = nd->hnext;
			h = nd->hash & (n - 1);
			nd->hnext = slot[h];
			slot[h] = nd;
		}
	}
	free(db->slot);
	db->slot = slot;
	db->nslots = n;
}

/* Takes @n, and frees the node of the same path it replaces. */
static void db_put(struct xs_db *db, struct xs_node *n)
{
	struct xs_node **pp = db_slot(db, n->path), *old;

	n->hash = hash(n->path);
	if (pp) {
		old = *pp;
		n->hnext = old->hnext;
		*pp = n;
		node_free(old);
		return;
	}
	if (db->count >= db->nslots)
		db_grow(db);
	pp = &db->slot[n->hash & (db->nslots - 1)];
	n->hnext = *pp;
	*pp = n;
	db->count++;
}

static void db_del(struct xs_db *db, const char *path)
{
	struct xs_node **pp = db_slot(db, path), *old;

	if (!pp)
		return;
	old = *pp;
	*pp = old->hnext;
	node_free(old);
	db->count--;
}

static void db_free(struct xs_db *db)
{
	struct xs_node *n, *next;
	size_t i;

	for (i = 0; i < db->nslots; i++) {
		for (n = db->slot[i]; n; n = next) {
			next = n->hnext;
			node_free(n);
		}
	}
	free(db->slot);
	memset(db, 0, sizeof(*db));
}

static struct xs_node *node_new(const char *path,
				const struct xs_permissions *p, unsigned int n)
{
	struct xs_node *d = xs_zalloc(sizeof(*d));

	d->path = xs_strdup(path);
	d->perms = xs_memdup(p, n * sizeof(*p));
	d->nperms = n;
	return d;
}

static struct xs_node *node_dup(const struct xs_node *n)
{
	struct xs_node *d = node_new(n->path, n->perms, n->nperms);

	d->gen = n->gen;
	d->deleted = n->deleted;
	d->data = xs_memdup(n->data, n->datalen);
	d->datalen = n->datalen;
	d->children = xs_memdup(n->children, n->childlen);
	d->childlen = n->childlen;
	return d;
}

static size_t node_size(const struct xs_node *n)
{
	return NODE_HDR_BYTES + (size_t)n->nperms * NODE_PERM_BYTES +
	       n->datalen + n->childlen;
}

/* A copy's bytes, as allocated (xs_memdup() adds a NUL to each). */
static size_t node_cost(const struct xs_node *n)
{
	return sizeof(*n) + strlen(n->path) + 1 +
	       (size_t)n->nperms * sizeof(*n->perms) + 1 + n->datalen + 1 +
	       n->childlen + 1;
}

/* What one more entry in a table of @count in @nslots adds to it. */
static size_t grow_cost(size_t count, size_t nslots)
{
	if (count < nslots)
		return 0;
	return (nslots ? nslots : 64) * sizeof(void *);
}

static void add_child(struct xs_node *n, const char *name)
{
	size_t len = strlen(name) + 1;
	char *c = xs_zalloc(n->childlen + len);

	if (n->childlen)
		memcpy(c, n->children, n->childlen);
	memcpy(c + n->childlen, name, len);
	free(n->children);
	n->children = c;
	n->childlen += len;
}

static void remove_child(struct xs_node *n, const char *name)
{
	unsigned int off, len;

	for (off = 0; off < n->childlen; off += len) {
		len = strlen(n->children + off) + 1;
		if (!strcmp(n->children + off, name)) {
			memmove(n->children + off, n->children + off + len,
				n->childlen - off - len);
			n->childlen -= len;
			return;
		}
	}
}

static char *child_path(const char *parent, const char *name)
{
	size_t lp = strcmp(parent, "/") ? strlen(parent) : 0;
	char *p = xs_zalloc(lp + strlen(name) + 2);

	memcpy(p, parent, lp);
	p[lp] = '/';
	strcpy(p + lp + 1, name);
	return p;
}

char *xs_parent(const char *path)
{
	const char *slash = strrchr(path + 1, '/');

	return slash ? xs_memdup(path, slash - path) : xs_strdup("/");
}

static const char *base_name(const char *path)
{
	return strrchr(path, '/') + 1;
}

/* ---- paths and permissions ---- */

/*
 * As Xen: absolute, no "//", no trailing "/", only PATH_CHARS, and at
 * most path_max characters below /local/domain/N/ (or in all).
 */
bool xs_valid_path(const struct xs_daemon *xs, const char *path)
{
	size_t len = strlen(path);
	unsigned int domid;
	int off = 0;

	if (path[0] != '/' || (len > 1 && path[len - 1] == '/'))
		return false;
	if (strstr(path, "//"))
		return false;
	if (sscanf(path, "/local/domain/%5u/%n", &domid, &off) != 1)
		off = 0;
	if (len > off + (size_t)xs->q.path_max)
		return false;
	return strspn(path, PATH_CHARS) == len;
}

/*
 * What @w may do to a node with permissions @p: the privileged, the
 * owner and the owner's SET_TARGET stub domain may do all; others get
 * their own entry, or else the owner's entry for everyone else.
 */
unsigned int xs_perm_for(const struct xs_who *w,
			 const struct xs_permissions *p, unsigned int n)
{
	const unsigned int all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
	unsigned int i;

	if (w->priv || p[0].id == w->domid ||
	    (w->target >= 0 && p[0].id == (unsigned int)w->target))
		return all;
	for (i = 1; i < n; i++)
		if (p[i].id == w->domid ||
		    (w->target >= 0 && p[i].id == (unsigned int)w->target))
			return p[i].perms & all;
	return p[0].perms & all;
}

static bool parse_perm(const char *s, struct xs_permissions *p)
{
	static const char letters[] = "nrwb";
	const char *l = *s ? strchr(letters, *s) : NULL;
	unsigned long id;
	char *end;

	if (!l || !s[1] || s[1] == '-' || s[1] == '+')
		return false;
	id = strtoul(s + 1, &end, 10);
	if (*end || id > UINT16_MAX)
		return false;
	p->perms = l - letters;	/* n, r, w, b: 0, 1, 2, 3 */
	p->id = id;
	return true;
}

/* "<letter><domid>\0" strings, at least one, as SET_PERMS sends them. */
int xs_parse_perms(const char *s, unsigned int len,
		   struct xs_permissions **out, unsigned int *nout)
{
	struct xs_permissions *p;
	unsigned int n = 0, i, off;

	for (i = 0; i < len; i++)
		n += !s[i];
	if (!n)
		return EINVAL;
	p = xs_zalloc(n * sizeof(*p));
	for (i = 0, off = 0; i < n; i++, off += strlen(s + off) + 1) {
		if (!parse_perm(s + off, &p[i])) {
			free(p);
			return EINVAL;
		}
	}
	*out = p;
	*nout = n;
	return 0;
}

/* ---- the tree as one asker sees it ---- */

/* By hash, not by scanning: a path may be touched at every node of an RM. */
static struct xs_acc *acc_find(struct xs_tx *tx, const char *path)
{
	struct xs_acc *a;
	size_t h;

	if (!tx->anslots)
		return NULL;
	h = hash(path);
	for (a = tx->aslot[h & (tx->anslots - 1)]; a; a = a->hnext) {
		if (a->hash != h)
			continue;
		xs_path_cmps++;
		if (!strcmp(a->path, path))
			return a;
	}
	return NULL;
}

static void acc_add(struct xs_tx *tx, struct xs_acc *a)
{
	size_t n, i;
	struct xs_acc **slot, *b, *next;

	if (tx->naccessed >= tx->anslots) {
		n = tx->anslots ? tx->anslots * 2 : 64;
		slot = xs_zalloc(n * sizeof(*slot));
		for (i = 0; i < tx->anslots; i++) {
			for (b = tx->aslot[i]; b; b = next) {
				next = b->hnext;
				b->hnext = slot[b->hash & (n - 1)];
				slot[b->hash & (n - 1)] = b;
			}
		}
		free(tx->aslot);
		tx->aslot = slot;
		tx->anslots = n;
	}
	a->hash = hash(a->path);
	a->hnext = tx->aslot[a->hash & (tx->anslots - 1)];
	tx->aslot[a->hash & (tx->anslots - 1)] = a;
	*tx->acc_tail = a;
	tx->acc_tail = &a->next;
	tx->naccessed++;
}

static size_t acc_cost(const struct xs_acc *a)
{
	return sizeof(*a) + strlen(a->path) + 1 +
	       (size_t)a->noldp * sizeof(*a->oldp) + 1;
}

/*
 * Charges @delta bytes of @w's transaction to its domain.  A transaction
 * that cannot grow has lost what it was to write: it fails, as Xen's do.
 */
static int tx_charge(struct xs_who *w, long delta)
{
	if (xs_charge(w->conn, delta, true)) {
		w->tx->fail = true;
		return ENOMEM;
	}
	w->tx->mem += delta;
	return 0;
}

/*
 * First touch of @path in @w's transaction: copy it from the tree.  The
 * copy is charged before it is kept, missing and unreadable nodes too:
 * a transaction must see them stay so.
 */
static int tx_touch(struct xs_who *w, const char *path, bool read,
		    struct xs_acc **out)
{
	struct xs_tx *tx = w->tx;
	struct xs_node *g, *copy;
	struct xs_acc *a = acc_find(tx, path);
	size_t cost;

	if (!a) {
		if (!w->priv && tx->naccessed >= w->xs->q.trans_nodes) {
			tx->fail = true;
			return ENOSPC;
		}
		a = xs_zalloc(sizeof(*a));
		a->path = xs_strdup(path);
		g = db_find(&w->xs->db, path);
		a->gen = g ? g->gen : NO_GENERATION;
		a->check = read;
		if (g) {
			a->oldp = xs_memdup(g->perms,
					    g->nperms * sizeof(*g->perms));
			a->noldp = g->nperms;
		}
		copy = g ? node_dup(g) : node_new(path, NULL, 0);
		copy->deleted = !g;
		cost = acc_cost(a) + node_cost(copy) +
		       grow_cost(tx->naccessed, tx->anslots) +
		       grow_cost(tx->ov.count, tx->ov.nslots);
		if (tx_charge(w, cost)) {
			node_free(copy);
			free(a->oldp);
			free(a->path);
			free(a);
			return ENOMEM;
		}
		db_put(&tx->ov, copy);
		acc_add(tx, a);
	}
	if (out)
		*out = a;
	return 0;
}

/* @n replaces the copy of its node in @w's transaction: charge the change. */
static int tx_replace(struct xs_who *w, const struct xs_node *n)
{
	long delta = (long)node_cost(n) -
		     (long)node_cost(db_find(&w->tx->ov, n->path));

	return tx_charge(w, delta);
}

static int read_node(struct xs_who *w, const char *path,
		     const struct xs_node **out)
{
	const struct xs_node *n;
	int err;

	if (w->tx) {
		err = tx_touch(w, path, true, NULL);
		if (err)
			return err;
		n = db_find(&w->tx->ov, path);
	} else {
		n = db_find(&w->xs->db, path);
	}
	if (!n || n->deleted)
		return ENOENT;
	*out = n;
	return 0;
}

const struct xs_node *xs_lookup(struct xs_daemon *xs, const char *path)
{
	return db_find(&xs->db, path);
}

/* Node counts follow the owner, perms[0].id. */
static void account(struct xs_who *w, const struct xs_node *old,
		    const struct xs_node *new)
{
	if (old && old->deleted)
		old = NULL;
	if (w->tx) {
		w->tx->own_delta -= old && old->perms[0].id == w->domid;
		w->tx->own_delta += new && new->perms[0].id == w->domid;
		return;
	}
	if (old)
		xs_owner_add(w->xs, old->perms[0].id, -1);
	if (new)
		xs_owner_add(w->xs, new->perms[0].id, 1);
}

/* Writes @n (taken) where @w's writes go. */
static int put_node(struct xs_who *w, struct xs_node *n, bool check)
{
	struct xs_db *db = &w->xs->db;
	struct xs_acc *a;
	int err;

	if (check && !w->priv && node_size(n) >= w->xs->q.node_size) {
		node_free(n);
		return ENOSPC;
	}
	if (w->tx) {
		err = tx_touch(w, n->path, false, &a);
		if (!err)
			err = tx_replace(w, n);
		if (err) {
			node_free(n);
			return err;
		}
		a->modified = true;
		db = &w->tx->ov;
	}
	n->gen = ++w->xs->gen;
	account(w, db_find(db, n->path), n);
	db_put(db, n);
	return 0;
}

static int del_node(struct xs_who *w, const char *path)
{
	struct xs_node *gone;
	struct xs_acc *a;
	int err;

	if (!w->tx) {
		account(w, db_find(&w->xs->db, path), NULL);
		db_del(&w->xs->db, path);
		return 0;
	}
	err = tx_touch(w, path, false, &a);
	if (err)
		return err;
	gone = node_new(path, NULL, 0);
	gone->deleted = true;
	err = tx_replace(w, gone);
	if (err) {
		node_free(gone);
		return err;
	}
	a->modified = true;
	account(w, db_find(&w->tx->ov, path), NULL);
	db_put(&w->tx->ov, gone);
	return 0;
}

static void fire(struct xs_who *w, const char *path, bool exact,
		 const struct xs_permissions *oldp, unsigned int noldp)
{
	if (w->tx)
		xs_tx_queue_event(w->tx, path, exact);
	else
		xs_fire(w->xs, w->conn, path, exact, oldp, noldp);
}

/*
 * Whether a node is missing or unreadable must not leak to those who
 * may not see it: they get EACCES unless the nearest existing ancestor
 * grants what they asked for.
 */
static int hide_error(struct xs_who *w, const char *path, int err,
		      unsigned int perm)
{
	const struct xs_node *p = NULL;
	char *name = xs_strdup(path), *up;
	int e;

	if (err == ENOSPC || err == ENOMEM)
		goto out;
	while (strcmp(name, "/")) {
		up = xs_parent(name);
		free(name);
		name = up;
		e = read_node(w, name, &p);
		if (!e)
			break;
		p = NULL;
		if (e == ENOSPC || e == ENOMEM) {
			err = e;
			goto out;
		}
	}
	if (!p || !(xs_perm_for(w, p->perms, p->nperms) & perm))
		err = EACCES;
out:
	free(name);
	return err;
}

static int get_node(struct xs_who *w, const char *path, unsigned int perm,
		    const struct xs_node **out)
{
	const struct xs_node *n;
	int err;

	if (!path || !xs_valid_path(w->xs, path))
		return EINVAL;
	err = read_node(w, path, &n);
	if (!err && (xs_perm_for(w, n->perms, n->nperms) & perm) != perm)
		err = EACCES;
	if (err)
		return hide_error(w, path, err, perm);
	*out = n;
	return 0;
}

static unsigned int owned(struct xs_who *w)
{
	struct xs_domain *d = xs_domain(w->xs, w->domid, false);
	long n = (d ? (long)d->nodes : 0) + (w->tx ? w->tx->own_delta : 0);

	return n < 0 ? 0 : n;
}

static void free_nodes(struct xs_node **nodes, unsigned int n)
{
	while (n--)
		node_free(nodes[n]);
}

/*
 * Creates @path and its missing ancestors.  Each new node inherits its
 * parent's permissions; an unprivileged creator becomes its owner.  All
 * quotas are checked before anything is written.
 */
static int create_node(struct xs_who *w, const char *path, const void *data,
		       unsigned int len)
{
	size_t max = strlen(path) / 2 + 2;
	char **names = xs_zalloc(max * sizeof(*names));
	struct xs_node **nodes = xs_zalloc((max + 1) * sizeof(*nodes));
	const struct xs_node *parent;
	unsigned int k, i;
	int err;

	names[0] = xs_strdup(path);
	for (k = 1;; k++) {
		names[k] = xs_parent(names[k - 1]);
		err = read_node(w, names[k], &parent);
		if (!err)
			break;
		if (err != ENOENT || !strcmp(names[k], "/"))
			goto out;
	}
	err = ENOSPC;
	if (!w->priv && owned(w) + k > w->xs->q.nodes)
		goto out;
	nodes[k] = node_dup(parent);
	for (i = k; i-- > 0;) {
		add_child(nodes[i + 1], base_name(names[i]));
		nodes[i] = node_new(names[i], nodes[i + 1]->perms,
				    nodes[i + 1]->nperms);
		if (!w->priv)
			nodes[i]->perms[0].id = w->domid;
	}
	nodes[0]->data = xs_memdup(data, len);
	nodes[0]->datalen = len;
	for (i = 0; i <= k; i++)
		if (!w->priv && node_size(nodes[i]) >= w->xs->q.node_size)
			goto out_nodes;
	if (w->tx)
		w->tx->created = true;
	err = 0;
	for (i = 0; i <= k && !err; i++)
		err = put_node(w, nodes[i], false);
	free_nodes(nodes + i, k + 1 - i);
	goto out;
out_nodes:
	free_nodes(nodes, k + 1);
out:
	for (i = 0; i <= k && i < max; i++)
		free(names[i]);
	free(names);
	free(nodes);
	return err;
}

int xs_read(struct xs_who *w, const char *path, const struct xs_node **out)
{
	return get_node(w, path, XS_PERM_READ, out);
}

int xs_write(struct xs_who *w, const char *path, const void *data,
	     unsigned int len)
{
	const struct xs_node *n;
	struct xs_node *d;
	int err = get_node(w, path, XS_PERM_WRITE, &n);

	if (err == ENOENT) {
		err = create_node(w, path, data, len);
	} else if (!err) {
		d = node_dup(n);
		free(d->data);
		d->data = xs_memdup(data, len);
		d->datalen = len;
		err = put_node(w, d, true);
	}
	if (!err)
		fire(w, path, false, NULL, 0);
	return err;
}

int xs_mkdir(struct xs_who *w, const char *path)
{
	const struct xs_node *n;
	int err = get_node(w, path, XS_PERM_WRITE, &n);

	if (err != ENOENT)
		return err;
	err = create_node(w, path, NULL, 0);
	if (!err)
		fire(w, path, false, NULL, 0);
	return err;
}

/*
 * Deepest first; each node's watchers hear of it while it still exists,
 * so that their read permission can be checked.  Watchers of the removed
 * node's ancestors hear of the removed node only.
 */
static int rm_tree(struct xs_who *w, const char *path, const char *root)
{
	const struct xs_node *n;
	unsigned int off, len;
	char *children, *child;
	int err = read_node(w, path, &n);

	if (err)
		return err == ENOENT ? 0 : err;
	len = n->childlen;
	children = xs_memdup(n->children, len);
	for (off = 0; off < len && !err; off += strlen(children + off) + 1) {
		child = child_path(path, children + off);
		err = rm_tree(w, child, root);
		free(child);
	}
	free(children);
	if (err)
		return err;
	fire(w, path, strcmp(path, root) != 0, NULL, 0);
	return del_node(w, path);
}

int xs_rm(struct xs_who *w, const char *path)
{
	const struct xs_node *n;
	struct xs_node *d;
	char *up;
	int err = get_node(w, path, XS_PERM_WRITE, &n);

	if (!err && !strcmp(path, "/"))
		return EINVAL;
	if (err && err != ENOENT)
		return err;
	up = xs_parent(path);
	if (err) {
		/* Already gone: fine, if its parent is there. */
		err = read_node(w, up, &n);
		goto out;
	}
	err = rm_tree(w, path, path);
	if (!err)
		err = read_node(w, up, &n);
	if (!err) {
		d = node_dup(n);
		remove_child(d, base_name(path));
		err = put_node(w, d, false);
	}
out:
	free(up);
	return err;
}

int xs_set_perms(struct xs_who *w, const char *path,
		 struct xs_permissions *p, unsigned int n)
{
	const struct xs_node *node;
	struct xs_permissions *oldp;
	struct xs_node *d;
	unsigned int nold;
	int err;

	if (!w->priv && n > w->xs->q.perms)
		return ENOSPC;
	if (path[0] == '@')
		return xs_set_special_perms(w, path, p, n);
	err = get_node(w, path, XS_PERM_WRITE | XS_PERM_OWNER, &node);
	if (err)
		return err;
	if (!w->priv && p[0].id != node->perms[0].id)
		return EPERM;
	d = node_dup(node);
	oldp = d->perms;
	nold = d->nperms;
	d->perms = xs_memdup(p, n * sizeof(*p));
	d->nperms = n;
	err = put_node(w, d, true);
	if (!err)
		fire(w, path, false, oldp, nold);
	free(oldp);
	return err;
}

/* ---- @introduceDomain and @releaseDomain ---- */

static int special_index(const char *name)
{
	if (!strcmp(name, "@introduceDomain"))
		return 0;
	if (!strcmp(name, "@releaseDomain"))
		return 1;
	return -1;
}

/* The list of special node @i as @w sees it: its transaction's, if set. */
static void special(struct xs_who *w, int i,
		    const struct xs_permissions **p, unsigned int *n)
{
	struct xs_daemon *xs = w->xs;

	if (w->tx && w->tx->sp[i]) {
		*p = w->tx->sp[i];
		*n = w->tx->nsp[i];
	} else {
		*p = i ? xs->release_perms : xs->intro_perms;
		*n = i ? xs->nrelease_perms : xs->nintro_perms;
	}
}

int xs_get_special_perms(struct xs_who *w, const char *name,
			 const struct xs_permissions **p, unsigned int *n)
{
	int i = special_index(name);

	if (i < 0)
		return EINVAL;
	special(w, i, p, n);
	if (!(xs_perm_for(w, *p, *n) & XS_PERM_READ))
		return EACCES;
	return 0;
}

/*
 * Inside a transaction the new list waits for the commit, as a node's
 * would: an abort must leave the watchers as they were.
 */
int xs_set_special_perms(struct xs_who *w, const char *name,
			 struct xs_permissions *p, unsigned int n)
{
	const unsigned int need = XS_PERM_WRITE | XS_PERM_OWNER;
	const struct xs_permissions *cur;
	struct xs_daemon *xs = w->xs;
	struct xs_tx *tx = w->tx;
	unsigned int ncur;
	int i = special_index(name), err;
	long delta;

	if (i < 0)
		return EINVAL;
	special(w, i, &cur, &ncur);
	if ((xs_perm_for(w, cur, ncur) & need) != need)
		return EACCES;
	if (tx) {
		delta = (long)(n + 1) * sizeof(*p);
		if (tx->sp[i])
			delta -= (long)(tx->nsp[i] + 1) * sizeof(*p);
		err = tx_charge(w, delta);
		if (err)
			return err;
		free(tx->sp[i]);
		tx->sp[i] = xs_memdup(p, n * sizeof(*p));
		tx->nsp[i] = n;
		return 0;
	}
	if (i) {
		free(xs->release_perms);
		xs->release_perms = xs_memdup(p, n * sizeof(*p));
		xs->nrelease_perms = n;
	} else {
		free(xs->intro_perms);
		xs->intro_perms = xs_memdup(p, n * sizeof(*p));
		xs->nintro_perms = n;
	}
	return 0;
}

/* ---- a released domain's nodes ---- */

static void drop_owned(struct xs_who *w, const char *path,
		       unsigned int domid)
{
	const struct xs_node *n = db_find(&w->xs->db, path);
	unsigned int off, len;
	char *children, *child;

	if (!n)
		return;
	if (n->perms[0].id == domid && strcmp(path, "/")) {
		xs_rm(w, path);
		return;
	}
	len = n->childlen;
	children = xs_memdup(n->children, len);
	for (off = 0; off < len; off += strlen(children + off) + 1) {
		child = child_path(path, children + off);
		drop_owned(w, child, domid);
		free(child);
	}
	free(children);
}

static void strip_acl(struct xs_node *n, unsigned int domid)
{
	unsigned int i, j;

	for (i = j = 1; i < n->nperms; i++)
		if (n->perms[i].id != domid)
			n->perms[j++] = n->perms[i];
	n->nperms = j;
}

/*
 * As Xen's default (no --keep-orphans): a released domain's nodes go,
 * and its entries in others' permissions too, so that a later domain
 * with the same domid inherits nothing.
 */
void xs_drop_domain(struct xs_daemon *xs, unsigned int domid)
{
	struct xs_who w = { .xs = xs, .priv = true, .target = -1 };
	struct xs_node *n;
	size_t i;

	drop_owned(&w, "/", domid);
	for (i = 0; i < xs->db.nslots; i++)
		for (n = xs->db.slot[i]; n; n = n->hnext)
			strip_acl(n, domid);
}

/* ---- transactions ---- */

struct xs_tx *xs_tx_find(struct xs_conn *c, uint32_t id)
{
	struct xs_tx *tx;

	for (tx = c->txs; tx; tx = tx->next)
		if (tx->id == id)
			return tx;
	return NULL;
}

int xs_tx_start(struct xs_conn *c, uint32_t *id)
{
	struct xs_tx *tx;

	if (!c->priv && c->ntxs >= c->xs->q.transactions)
		return ENOSPC;
	if (xs_charge(c, sizeof(*tx), true))
		return ENOMEM;
	tx = xs_zalloc(sizeof(*tx));
	tx->mem = sizeof(*tx);
	tx->acc_tail = &tx->acc;
	do
		tx->id = c->next_txid++;
	while (!tx->id || xs_tx_find(c, tx->id));
	tx->next = c->txs;
	c->txs = tx;
	c->ntxs++;
	*id = tx->id;
	return 0;
}

void xs_tx_queue_event(struct xs_tx *tx, const char *path, bool exact)
{
	struct xs_acc *a = acc_find(tx, path);

	if (!a) {
		tx->fail = true;
		return;
	}
	a->exact = a->fire ? a->exact && exact : exact;
	a->fire = true;
}

static void tx_free(struct xs_conn *c, struct xs_tx *tx)
{
	struct xs_acc *a, *next;
	unsigned int i;

	xs_charge(c, -(long)tx->mem, false);
	for (a = tx->acc; a; a = next) {
		next = a->next;
		free(a->path);
		free(a->oldp);
		free(a);
	}
	for (i = 0; i < NR_SPECIAL; i++)
		free(tx->sp[i]);
	free(tx->aslot);
	db_free(&tx->ov);
	free(tx);
}

struct xs_tx *xs_tx_next(struct xs_tx *tx)
{
	return tx->next;
}

/* What tx->mem should be, counted again: for xs_conn_check(). */
size_t xs_tx_cost(struct xs_tx *tx)
{
	size_t cost = sizeof(*tx), slots = 0, i;
	struct xs_acc *a;

	for (a = tx->acc; a; a = a->next)
		cost += acc_cost(a) + node_cost(db_find(&tx->ov, a->path));
	for (i = 0; i < NR_SPECIAL; i++)
		if (tx->sp[i])
			cost += (tx->nsp[i] + 1) * sizeof(*tx->sp[i]);
	/* Each table was charged its slots as it grew. */
	slots = tx->anslots + tx->ov.nslots;
	return cost + slots * sizeof(void *);
}

static bool tx_conflict(struct xs_daemon *xs, struct xs_tx *tx)
{
	const struct xs_node *g;
	struct xs_acc *a;

	for (a = tx->acc; a; a = a->next) {
		if (!a->check)
			continue;
		g = db_find(&xs->db, a->path);
		if ((g ? g->gen : NO_GENERATION) != a->gen)
			return true;
	}
	return false;
}

/* Nodes @domid would own after the commit. */
static long owned_after(struct xs_daemon *xs, struct xs_tx *tx,
			unsigned int domid)
{
	struct xs_domain *d = xs_domain(xs, domid, false);
	const struct xs_node *g, *n;
	long count = d ? d->nodes : 0;
	struct xs_acc *a;

	for (a = tx->acc; a; a = a->next) {
		if (!a->modified)
			continue;
		g = db_find(&xs->db, a->path);
		n = db_find(&tx->ov, a->path);
		count -= g && g->perms[0].id == domid;
		count += !n->deleted && n->perms[0].id == domid;
	}
	return count;
}

static int tx_commit(struct xs_conn *c, struct xs_tx *tx)
{
	struct xs_daemon *xs = c->xs;
	const struct xs_node *n;
	struct xs_who w;
	const unsigned int need = XS_PERM_WRITE | XS_PERM_OWNER;
	const struct xs_permissions *sp;
	unsigned int i, nsp;
	struct xs_acc *a;

	if (tx->fail)
		return ENOMEM;	/* as Xen: a failed write failed it */
	if (tx->created && !c->priv &&
	    owned_after(xs, tx, c->domid) > xs->q.nodes)
		return ENOSPC;
	if (tx_conflict(xs, tx))
		return EAGAIN;
	xs_who_of(c, &w);
	/* A special node's list it set was taken from it meanwhile. */
	for (i = 0; i < NR_SPECIAL; i++) {
		special(&w, i, &sp, &nsp);
		if (tx->sp[i] && (xs_perm_for(&w, sp, nsp) & need) != need)
			return EAGAIN;
	}
	for (a = tx->acc; a; a = a->next) {
		n = db_find(&tx->ov, a->path);
		if (a->modified && n->deleted)
			del_node(&w, a->path);
		else if (a->modified)
			put_node(&w, node_dup(n), false);
	}
	for (i = 0; i < NR_SPECIAL; i++) {
		if (tx->sp[i])
			xs_set_special_perms(&w, i ? "@releaseDomain" :
					     "@introduceDomain", tx->sp[i],
					     tx->nsp[i]);
	}
	for (a = tx->acc; a; a = a->next)
		if (a->fire)
			xs_fire(xs, c, a->path, a->exact, a->oldp, a->noldp);
	return 0;
}

int xs_tx_end(struct xs_conn *c, struct xs_tx *tx, bool commit)
{
	struct xs_tx **pp;
	int err = 0;

	for (pp = &c->txs; *pp != tx; pp = &(*pp)->next)
		;
	*pp = tx->next;
	c->ntxs--;
	if (commit)
		err = tx_commit(c, tx);
	tx_free(c, tx);
	return err;
}

void xs_tx_clear(struct xs_conn *c)
{
	while (c->txs)
		xs_tx_end(c, c->txs, false);
}

/* ---- the whole store ---- */

int xs_init(struct xs_daemon *xs, const struct xs_quota *q)
{
	static const char *const tree[] = {
		"/local", "/local/domain", "/tool", "/tool/xenstored", "/vm",
	};
	static const struct xs_permissions dom0_only = {
		.id = 0, .perms = XS_PERM_NONE,
	};
	struct xs_who w = { .xs = xs, .priv = true, .target = -1 };
	size_t i;
	int err = 0;

	memset(xs, 0, sizeof(*xs));
	xs->q = q ? *q : xs_default_quota;
	xs->intro_perms = xs_memdup(&dom0_only, sizeof(dom0_only));
	xs->release_perms = xs_memdup(&dom0_only, sizeof(dom0_only));
	xs->nintro_perms = xs->nrelease_perms = 1;
	put_node(&w, node_new("/", &dom0_only, 1), false);
	for (i = 0; i < sizeof(tree) / sizeof(tree[0]) && !err; i++)
		err = xs_mkdir(&w, tree[i]);
	return err;
}

void xs_free(struct xs_daemon *xs)
{
	struct xs_domain *d;

	/* Transports first: a ring unmaps its page and closes its fds. */
	for (d = xs->domains; d; d = d->next)
		if (d->introduced && xs->hooks.release)
			xs->hooks.release(xs, d);
	while (xs->conns)
		xs_conn_free(xs->conns);
	while ((d = xs->domains)) {
		xs->domains = d->next;
		free(d);
	}
	db_free(&xs->db);
	free(xs->intro_perms);
	free(xs->release_perms);
}

/* ---- consistency, for the tests and the fuzzer ---- */

static bool check_node(struct xs_daemon *xs, const struct xs_node *n,
		       char *why, size_t len)
{
	const struct xs_node *p;
	unsigned int off, seen = 0;
	char *up, *child;
	bool ok = true;

	if (!n->nperms || n->deleted)
		return snprintf(why, len, "%s: bad node", n->path), false;
	for (off = 0; off < n->childlen && ok;
	     off += strlen(n->children + off) + 1) {
		child = child_path(n->path, n->children + off);
		ok = db_find(&xs->db, child) != NULL;
		if (!ok)
			snprintf(why, len, "%s: child %s missing", n->path,
				 child);
		free(child);
	}
	if (!ok || !strcmp(n->path, "/"))
		return ok;
	up = xs_parent(n->path);
	p = db_find(&xs->db, up);
	free(up);
	for (off = 0; p && off < p->childlen;
	     off += strlen(p->children + off) + 1)
		seen += !strcmp(p->children + off, base_name(n->path));
	if (seen != 1)
		snprintf(why, len, "%s: listed %u times by its parent",
			 n->path, seen);
	return seen == 1;
}

static size_t count_owned(struct xs_daemon *xs, unsigned int domid)
{
	const struct xs_node *n;
	size_t i, count = 0;

	for (i = 0; i < xs->db.nslots; i++)
		for (n = xs->db.slot[i]; n; n = n->hnext)
			count += n->perms[0].id == domid;
	return count;
}

/*
 * The tree hangs together, every domain's node count is right, and so
 * is every connection's memory.
 */
bool xs_check(struct xs_daemon *xs, char *why, size_t len)
{
	struct xs_domain *d;
	struct xs_conn *c;
	struct xs_node *n;
	size_t i, total = 0, count;
	bool ok = db_find(&xs->db, "/") != NULL;

	if (!ok)
		snprintf(why, len, "no root");
	for (i = 0; i < xs->db.nslots && ok; i++)
		for (n = xs->db.slot[i]; n && ok; n = n->hnext)
			ok = check_node(xs, n, why, len);
	for (d = xs->domains; d && ok; d = d->next) {
		count = count_owned(xs, d->domid);
		total += count;
		ok = count == d->nodes;
		if (!ok)
			snprintf(why, len, "domain %u: %zu nodes, counted %u",
				 d->domid, count, d->nodes);
	}
	if (ok && total != xs->db.count) {
		snprintf(why, len, "%zu nodes, %zu counted", xs->db.count,
			 total);
		ok = false;
	}
	for (c = xs->conns; c && ok; c = c->next)
		ok = xs_conn_check(c, why, len);
	return ok;
}
