// SPDX-License-Identifier: GPL-2.0
/*
 * microv-xenstored: domains.  A domain is known as soon as it owns a
 * node (the toolstack writes /local/domain/N before it introduces N),
 * and gets a connection when introduced.  Its transport (the shared
 * ring, ring.c) attaches through xs->hooks.introduce.
 */
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

struct xs_domain *xs_domain(struct xs_daemon *xs, unsigned int domid,
			    bool create)
{
	struct xs_domain *d;

	for (d = xs->domains; d; d = d->next)
		if (d->domid == domid)
			return d;
	if (!create)
		return NULL;
	d = xs_zalloc(sizeof(*d));
	d->domid = domid;
	d->target = -1;
	d->next = xs->domains;
	xs->domains = d;
	return d;
}

/* Forgets @d once it is neither introduced nor owns anything. */
void xs_domain_put(struct xs_daemon *xs, struct xs_domain *d)
{
	struct xs_domain **pp;

	if (d->introduced || d->nodes)
		return;
	for (pp = &xs->domains; *pp != d; pp = &(*pp)->next)
		;
	*pp = d->next;
	free(d);
}

void xs_owner_add(struct xs_daemon *xs, unsigned int domid, int n)
{
	struct xs_domain *d = xs_domain(xs, domid, true);

	if (n < 0 && d->nodes < (unsigned int)-n)
		d->nodes = 0;
	else
		d->nodes += n;
	xs_domain_put(xs, d);
}

bool xs_is_introduced(struct xs_daemon *xs, unsigned int domid)
{
	struct xs_domain *d = xs_domain(xs, domid, false);

	/* dom0 is the host itself: always there. */
	return domid == 0 || domid == DOMID_SELF_ || (d && d->introduced);
}

/*
 * A second INTRODUCE of a domain only resets its connection, as Xen does
 * when it rebinds the event channel; its transport restarts (with the
 * new @fds if some came).  @fds: NULL, or the ring's XS_CONN_FDS fds,
 * which the transport hook takes.
 */
int xs_introduce(struct xs_daemon *xs, unsigned int domid, unsigned long mfn,
		 unsigned int port, int *fds)
{
	struct xs_domain *d;
	int err;

	if (domid >= DOMID_SELF_)
		return EINVAL;
	if (domid == 0)
		return 0;
	d = xs_domain(xs, domid, true);
	if (d->introduced) {
		/* A refused ring changes nothing: the old one goes on. */
		err = xs->hooks.introduce ? xs->hooks.introduce(xs, d, fds) : 0;
		if (err)
			return err;
		xs_conn_reset(d->conn);
		d->mfn = mfn;
		d->port = port;
		return 0;
	}
	d->mfn = mfn;
	d->port = port;
	d->introduced = true;
	d->conn = xs_conn_new(xs, domid, false);
	d->conn->dom = d;
	err = xs->hooks.introduce ? xs->hooks.introduce(xs, d, fds) : 0;
	if (err) {
		xs_conn_free(d->conn);
		d->conn = NULL;
		d->introduced = false;
		xs_domain_put(xs, d);
		return err;
	}
	xs_log(xs, "domain %u introduced (port %u)", domid, port);
	xs_fire(xs, NULL, "@introduceDomain", true, NULL, 0);
	return 0;
}

/* The toolstack says a domain runs again: its transport may go on. */
int xs_resume(struct xs_daemon *xs, unsigned int domid)
{
	struct xs_domain *d = xs_domain(xs, domid, false);

	if (domid == 0 || domid == DOMID_SELF_)
		return 0;
	if (!d || !d->introduced)
		return ENOENT;
	if (xs->hooks.resume)
		xs->hooks.resume(xs, d);
	return 0;
}

/* Xen's rule for the special nodes: the owner passes to dom0. */
static void strip_special(struct xs_permissions *p, unsigned int *n,
			  unsigned int domid)
{
	unsigned int i, j;

	if (p[0].id == domid)
		p[0].id = 0;
	for (i = j = 1; i < *n; i++)
		if (p[i].id != domid)
			p[j++] = p[i];
	*n = j;
}

int xs_release(struct xs_daemon *xs, unsigned int domid)
{
	struct xs_domain *d = xs_domain(xs, domid, false), *t;

	if (domid == 0)
		return EINVAL;
	if (!d || !d->introduced)
		return ENOENT;
	if (xs->hooks.release)
		xs->hooks.release(xs, d);
	xs_conn_free(d->conn);
	d->conn = NULL;
	for (t = xs->domains; t; t = t->next)
		if (t->target == (int)domid)
			t->target = -1;
	/* Still introduced here, so that dropping its nodes cannot free it. */
	xs_drop_domain(xs, domid);
	strip_special(xs->intro_perms, &xs->nintro_perms, domid);
	strip_special(xs->release_perms, &xs->nrelease_perms, domid);
	d->introduced = false;
	d->target = -1;
	xs_domain_put(xs, d);
	xs_log(xs, "domain %u released", domid);
	xs_fire(xs, NULL, "@releaseDomain", true, NULL, 0);
	return 0;
}

/* @domid (a device model's stub domain) acts as @target's owner. */
int xs_set_target(struct xs_daemon *xs, unsigned int domid,
		  unsigned int target)
{
	struct xs_domain *d = xs_domain(xs, domid, false);
	struct xs_domain *t = xs_domain(xs, target, false);

	if (!d || !d->introduced || !t || !t->introduced)
		return ENOENT;
	d->target = target;
	return 0;
}
