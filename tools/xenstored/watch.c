// SPDX-License-Identifier: GPL-2.0
/*
 * microv-xenstored: watches.  A change to a node fires the watches on it
 * and on its ancestors; removing a subtree also fires the watches on
 * each node removed ("exact" events).  Only those who may read the node
 * (before or after the change) or its parent hear of it.  A domain's
 * watches are charged to its memory quota, as Xen's are.
 */
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

/* Is @path @parent or below it? */
static bool is_below(const char *path, const char *parent)
{
	size_t len = strlen(parent);

	if (!strcmp(parent, "/"))
		return true;
	return !strncmp(path, parent, len) &&
	       (path[len] == '/' || path[len] == '\0');
}

/* Relative watches hear relative paths, as they asked. */
static const char *event_path(const struct xs_conn *c,
			      const struct xs_watch *wt, const char *path)
{
	char home[32];
	size_t len;

	if (!wt->relative)
		return path;
	len = strlen(xs_home(c, home, sizeof(home)));
	if (strncmp(path, home, len))
		return path;
	path += len;
	return *path == '/' ? path + 1 : path;
}

size_t xs_watch_cost(const struct xs_watch *wt)
{
	return sizeof(*wt) + strlen(wt->path) + 1 + strlen(wt->token) + 1;
}

int xs_watch_add(struct xs_conn *c, const char *path, const char *token)
{
	struct xs_watch *wt, **pp;
	char *abs = xs_canon(c, path);

	if (path[0] == '@' ? strlen(path) > XENSTORE_REL_PATH_MAX
			   : !xs_valid_path(c->xs, abs))
		goto inval;
	for (pp = &c->watches; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->path, abs) && !strcmp((*pp)->token, token)) {
			free(abs);
			return EEXIST;
		}
	}
	if (!c->priv && c->nwatches >= c->xs->q.watches) {
		free(abs);
		return E2BIG;
	}
	if (xs_charge(c, sizeof(*wt) + strlen(abs) + 1 + strlen(token) + 1,
		      true)) {
		free(abs);
		return ENOMEM;
	}
	wt = xs_zalloc(sizeof(*wt));
	wt->path = abs;
	wt->token = xs_strdup(token);
	wt->relative = path[0] != '/' && path[0] != '@';
	*pp = wt;
	c->nwatches++;
	return 0;
inval:
	free(abs);
	return EINVAL;
}

/* The new watch, the last, fires once at once: clients wait for that. */
void xs_watch_first(struct xs_conn *c)
{
	struct xs_watch *wt = c->watches;

	while (wt && wt->next)
		wt = wt->next;
	if (wt)
		xs_queue_event(c, c, event_path(c, wt, wt->path), wt->token);
}

static void watch_free(struct xs_conn *c, struct xs_watch *wt)
{
	xs_charge(c, -(long)xs_watch_cost(wt), false);
	free(wt->path);
	free(wt->token);
	free(wt);
}

int xs_watch_del(struct xs_conn *c, const char *path, const char *token)
{
	struct xs_watch **pp, *wt;
	char *abs = xs_canon(c, path);

	for (pp = &c->watches; *pp; pp = &(*pp)->next) {
		wt = *pp;
		if (!strcmp(wt->path, abs) && !strcmp(wt->token, token)) {
			*pp = wt->next;
			watch_free(c, wt);
			c->nwatches--;
			free(abs);
			return 0;
		}
	}
	free(abs);
	return ENOENT;
}

void xs_watch_clear(struct xs_conn *c)
{
	struct xs_watch *wt;

	while ((wt = c->watches)) {
		c->watches = wt->next;
		watch_free(c, wt);
	}
	c->nwatches = 0;
}

static bool readable(const struct xs_who *w, const struct xs_node *n)
{
	return n && (xs_perm_for(w, n->perms, n->nperms) & XS_PERM_READ);
}

/* May @c hear of a change to @path, which had permissions @oldp? */
static bool may_hear(struct xs_conn *c, const char *path,
		     const struct xs_permissions *oldp, unsigned int noldp)
{
	struct xs_daemon *xs = c->xs;
	const struct xs_node *n = xs_lookup(xs, path);
	struct xs_who w;
	char *up;
	bool ok;

	xs_who_of(c, &w);
	if (oldp && (xs_perm_for(&w, oldp, noldp) & XS_PERM_READ))
		return true;
	if (!n)
		return false;
	if (readable(&w, n))
		return true;
	up = xs_parent(path);
	ok = readable(&w, xs_lookup(xs, up));
	free(up);
	return ok;
}

static bool may_hear_special(struct xs_conn *c, const char *name)
{
	struct xs_daemon *xs = c->xs;
	struct xs_who w;

	xs_who_of(c, &w);
	if (!strcmp(name, "@introduceDomain"))
		return xs_perm_for(&w, xs->intro_perms, xs->nintro_perms) &
		       XS_PERM_READ;
	if (!strcmp(name, "@releaseDomain"))
		return xs_perm_for(&w, xs->release_perms,
				   xs->nrelease_perms) & XS_PERM_READ;
	return false;
}

/*
 * @path changed (outside any transaction, or at its commit) at the
 * request of @cause (NULL: the daemon's own doing).  @exact: only the
 * watches on @path itself, for the nodes below a removed one.
 */
void xs_fire(struct xs_daemon *xs, struct xs_conn *cause, const char *path,
	     bool exact, const struct xs_permissions *oldp,
	     unsigned int noldp)
{
	struct xs_watch *wt;
	struct xs_conn *c;
	bool ok;

	for (c = xs->conns; c; c = c->next) {
		if (!c->watches)
			continue;
		ok = path[0] == '@' ? may_hear_special(c, path)
				    : may_hear(c, path, oldp, noldp);
		for (wt = c->watches; wt && ok; wt = wt->next)
			if (exact ? !strcmp(path, wt->path)
				  : is_below(path, wt->path))
				xs_queue_event(c, cause,
					       event_path(c, wt, path),
					       wt->token);
	}
}
