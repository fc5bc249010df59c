// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: a guest's place in the host's xenstore, made as Xen's toolstack
 * makes it (Documentation/devices.rst lists the nodes): the ring page
 * granted to domain 0 in the reserved entry, an event channel for it,
 * the HVM parameters that point the guest at both, /local/domain/N, and
 * XS_INTRODUCE with the two fds the daemon serves the ring through.
 * And the host's side of the balloon: memory/target.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>

#include "uvctl.h"

#include <xen/grant_table.h>
#include <xen/hvm/params.h>
#include <xen/io/xs_wire.h>

#define PATH_LEN	64

/*
 * Under /local/domain/N, what libxl makes before the guest runs: the
 * domain reads what dom0 owns, writes what it owns itself.
 */
static const struct {
	const char *path;
	bool guest_owns;
} dirs[] = {
	{ "device", false },
	{ "control", false },
	{ "control/shutdown", true },
	{ "control/feature-poweroff", true },
	{ "control/feature-reboot", true },
	{ "control/feature-suspend", true },
	{ "control/sysrq", true },
	{ "data", true },
	{ "drivers", true },
	{ "feature", true },
	{ "attr", true },
	{ "error", true },
};

/* Both fds of the ring; each is -1 once passed on or closed. */
struct ring_fds {
	int fd[UV_XS_FDS];	/* grant fd, event-channel fd: INTRODUCE's order */
	uint32_t port;
};

static void ring_fds_close(struct ring_fds *r)
{
	unsigned int i;

	for (i = 0; i < UV_XS_FDS; i++) {
		if (r->fd[i] >= 0)
			close(r->fd[i]);
		r->fd[i] = -1;
	}
}

static int set_param(struct uv_guest *g, uint32_t index, uint64_t value)
{
	struct microv_hvm_param p = { .index = index, .value = value };

	if (!ioctl(g->dom, MICROV_SET_HVM_PARAM, &p))
		return 0;
	uv_err("MICROV_SET_HVM_PARAM %u: %s", index, strerror(errno));
	return -1;
}

/*
 * The ring's page granted to domain 0 (GNTTAB_RESERVED_XENSTORE, as Xen's
 * toolstack seeds it), an unbound port for it, and the host's fds of
 * both.  The page is cleared through the grant, which also pins it from
 * this process: the daemon, another process, could not.
 */
static int ring_prepare(struct uv_guest *g, uint64_t gfn, struct ring_fds *r)
{
	static const char zero[UV_PAGE_SIZE];
	struct microv_gnttab_seed seed = {
		.ref = GNTTAB_RESERVED_XENSTORE,
		.gfn = gfn,
	};
	struct microv_evtchn_alloc alloc = { .remote_dom = 0 };
	struct microv_evtchn_bind bind = { 0 };
	struct microv_grant_copy_seg seg = {
		.buf = (uintptr_t)zero,
		.ref = GNTTAB_RESERVED_XENSTORE,
		.len = UV_PAGE_SIZE,
		.flags = MICROV_GRANT_COPY_TO_GUEST,
	};
	struct microv_grant_copy copy = {
		.count = 1,
		.segs = (uintptr_t)&seg,
	};
	const char *what;

	what = "MICROV_GNTTAB_SEED";
	if (ioctl(g->dom, MICROV_GNTTAB_SEED, &seed))
		goto fail;
	what = "MICROV_EVTCHN_ALLOC_UNBOUND";
	if (ioctl(g->dom, MICROV_EVTCHN_ALLOC_UNBOUND, &alloc))
		goto fail;
	r->port = bind.port = alloc.port;
	what = "MICROV_GET_GNTDEV";
	r->fd[0] = ioctl(g->dom, MICROV_GET_GNTDEV, 0);
	if (r->fd[0] < 0)
		goto fail;
	what = "MICROV_EVTCHN_BIND";
	r->fd[1] = ioctl(g->dom, MICROV_EVTCHN_BIND, &bind);
	if (r->fd[1] < 0)
		goto fail;
	what = "MICROV_GRANT_COPY";
	if (ioctl(r->fd[0], MICROV_GRANT_COPY, &copy))
		goto fail;
	if (seg.status) {
		errno = -seg.status;
		goto fail;
	}
	if (set_param(g, HVM_PARAM_STORE_PFN, gfn) ||
	    set_param(g, HVM_PARAM_STORE_EVTCHN, r->port))
		return -1;
	return 0;
fail:
	if (errno == ENOTTY)
		uv_err("%s: %s: this microv module cannot give the xenstore daemon a ring (run with --no-xenstore)",
		       what, strerror(errno));
	else
		uv_err("%s (xenstore ring at gfn %#llx): %s", what,
		       (unsigned long long)gfn, strerror(errno));
	return -1;
}

/* A random (version 4) UUID, as libxl makes for a domain without one. */
static void make_uuid(char *out, size_t len)
{
	unsigned char u[16] = { 0 };
	size_t i;

	if (getrandom(u, sizeof(u), 0) != sizeof(u))
		for (i = 0; i < sizeof(u); i++)
			u[i] = rand();
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(out, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* @path below @base becomes @domid's, which others may not read. */
static int chown_below(struct uv_xs *xs, const char *base, const char *path,
		       unsigned int domid)
{
	char full[XENSTORE_ABS_PATH_MAX + 1];

	snprintf(full, sizeof(full), "%s/%s", base, path);
	return uv_xs_set_perms(xs, full, domid, 'n', -1);
}

/* The nodes, in libxl's order; the first error ends it. */
static int write_nodes(struct uv_guest *g, const char *name, uint64_t gfn,
		       uint32_t port)
{
	struct uv_xs *xs = &g->xs;
	char dom[PATH_LEN], path[PATH_LEN];
	unsigned int i;
	int err;

	snprintf(dom, sizeof(dom), "/local/domain/%u", g->domid);
	/*
	 * A domid used before may still be introduced (its runner killed,
	 * its death not yet seen) and may have left nodes: both go now, not
	 * when the daemon would find the old domain dead.
	 */
	err = uv_xs_release(xs, g->domid);
	if (!err || err == -ENOENT)
		err = uv_xs_rm(xs, dom);
	if (err == -ENOENT)
		err = 0;
	err = err ?: uv_xs_write(xs, dom, "");
	err = err ?: uv_xs_set_perms(xs, dom, 0, 'n', g->domid);
	err = err ?: uv_xs_write(xs, g->vm_path, "");
	err = err ?: uv_xs_set_perms(xs, g->vm_path, 0, 'n', g->domid);
	err = err ?: uv_xs_printf(xs, g->vm_path, "uuid", "%s", g->vm_path + 4);
	err = err ?: uv_xs_printf(xs, dom, "vm", "%s", g->vm_path);
	if (name) {
		err = err ?: uv_xs_printf(xs, dom, "name", "%s", name);
		err = err ?: uv_xs_printf(xs, g->vm_path, "name", "%s", name);
	}
	err = err ?: uv_xs_printf(xs, dom,
			"control/platform-feature-multiprocessor-suspend", "1");
	err = err ?: uv_xs_printf(xs, dom,
			"control/platform-feature-xs_reset_watches", "1");
	for (i = 0; i < UV_ARRAY_SIZE(dirs) && !err; i++) {
		err = uv_xs_printf(xs, dom, dirs[i].path, "%s", "");
		if (!err && dirs[i].guest_owns)
			err = chown_below(xs, dom, dirs[i].path, g->domid);
	}
	err = err ?: uv_xs_printf(xs, dom, "memory/static-max", "%llu",
				  (unsigned long long)(g->ram_size / UV_KiB));
	err = err ?: uv_xs_printf(xs, dom, "memory/target", "%llu",
				  (unsigned long long)(g->ram_size / UV_KiB));
	err = err ?: uv_xs_printf(xs, dom, "memory/videoram", "0");
	err = err ?: uv_xs_printf(xs, dom, "domid", "%u", g->domid);
	err = err ?: uv_xs_printf(xs, dom, "store/port", "%u", port);
	err = err ?: uv_xs_printf(xs, dom, "store/ring-ref", "%llu",
				  (unsigned long long)gfn);
	for (i = 0; i < g->nr_vcpus && !err; i++) {
		snprintf(path, sizeof(path), "cpu/%u/availability", i);
		err = uv_xs_printf(xs, dom, path, "online");
	}
	if (err)
		uv_err("xenstore: cannot write %s's nodes: %s", dom,
		       strerror(-err));
	return err ? -1 : 0;
}

/**
 * uv_store_domain() - the guest's xenstore, before it runs
 * @g:    the guest, built; @g->xs connected
 * @name: its name, or NULL
 * @l:    its layout (the ring's page)
 *
 * Return: 0, or -1 after a message; uv_store_release() undoes what was
 * done either way.
 */
int uv_store_domain(struct uv_guest *g, const char *name,
		    const struct uv_layout *l)
{
	struct ring_fds r = { .fd = { -1, -1 } };
	uint64_t gfn = l->xenstore_gpa / UV_PAGE_SIZE;
	char uuid[40];
	int err;

	make_uuid(uuid, sizeof(uuid));
	snprintf(g->vm_path, sizeof(g->vm_path), "/vm/%s", uuid);
	g->store_made = true;
	if (ring_prepare(g, gfn, &r) || write_nodes(g, name, gfn, r.port)) {
		ring_fds_close(&r);
		return -1;
	}
	err = uv_xs_introduce(&g->xs, g->domid, gfn, r.port, r.fd);
	ring_fds_close(&r);	/* the daemon has its own now */
	if (err) {
		uv_err("the xenstore daemon refused domain %u: %s", g->domid,
		       strerror(-err));
		return -1;
	}
	uv_log("xenstore ring: gfn %#llx, event channel %u, served by the daemon at %s",
	       (unsigned long long)gfn, r.port, uv_xs_socket());
	return 0;
}

/**
 * uv_store_release() - the guest is gone: the daemon lets it go (if it
 * has not seen that already) and its nodes go
 * @g: the guest
 */
void uv_store_release(struct uv_guest *g)
{
	char dom[PATH_LEN];
	int err;

	if (g->xs.fd < 0 || !g->store_made)
		return;
	err = uv_xs_release(&g->xs, g->domid);
	if (err && err != -ENOENT)
		uv_log("xenstore: RELEASE of domain %u: %s", g->domid,
		       strerror(-err));
	snprintf(dom, sizeof(dom), "/local/domain/%u", g->domid);
	err = uv_xs_rm(&g->xs, dom);
	if (err && err != -ENOENT)
		uv_log("xenstore: cannot remove %s: %s", dom, strerror(-err));
	err = uv_xs_rm(&g->xs, g->vm_path);
	if (err && err != -ENOENT)
		uv_log("xenstore: cannot remove %s: %s", g->vm_path,
		       strerror(-err));
	g->store_made = false;
}

/* The domid a /local/domain entry names, if that domain is live. */
static bool live_domid(struct uv_xs *xs, const char *entry, unsigned int *domid)
{
	unsigned long n;

	if (uv_parse_uint(entry, DOMID_SELF - 1, &n) || !n ||
	    uv_xs_introduced(xs, n) != 1)
		return false;
	*domid = n;
	return true;
}

/**
 * uv_store_find() - a running domain, by domid or by name
 * @xs:    the connection
 * @which: a domid, or a name written by "uvctl run --name"
 * @domid: out
 *
 * Only domains the daemon has introduced count: nodes a killed runner
 * left do not.  A name that two live domains have is refused.
 *
 * Return: 0, or -1 after a message.
 */
int uv_store_find(struct uv_xs *xs, const char *which, unsigned int *domid)
{
	char list[XENSTORE_PAYLOAD_MAX + 1], path[XENSTORE_ABS_PATH_MAX + 1];
	char name[MICROV_NAME_MAX];
	unsigned int found = 0, id;
	const char *p;
	int len;

	if (isdigit((unsigned char)*which)) {
		if (live_domid(xs, which, domid))
			return 0;
		uv_err("no domain %s in the xenstore at %s", which,
		       uv_xs_socket());
		return -1;
	}
	len = uv_xs_directory(xs, "/local/domain", list, sizeof(list));
	for (p = list; len > 0 && p < list + len; p += strlen(p) + 1) {
		if (snprintf(path, sizeof(path), "/local/domain/%s/name", p) >=
		    (int)sizeof(path) ||
		    uv_xs_read(xs, path, name, sizeof(name)) < 0 ||
		    strcmp(name, which) || !live_domid(xs, p, &id))
			continue;
		if (found++) {
			uv_err("domains %u and %u are both named '%s': give a domid",
			       *domid, id, which);
			return -1;
		}
		*domid = id;
	}
	if (found)
		return 0;
	uv_err("no domain '%s' in the xenstore at %s", which, uv_xs_socket());
	return -1;
}

/**
 * uv_store_set_target() - what the guest's balloon driver aims at
 * @xs:    the connection
 * @domid: the domain
 * @bytes: its memory, at most its memory/static-max
 *
 * Return: 0, or -1 after a message.
 */
int uv_store_set_target(struct uv_xs *xs, unsigned int domid, uint64_t bytes)
{
	char path[PATH_LEN], val[24];
	unsigned long long max;
	char *end;
	int err;

	snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max",
		 domid);
	err = uv_xs_read(xs, path, val, sizeof(val));
	if (err < 0) {
		uv_err("domain %u: cannot read %s: %s", domid, path,
		       strerror(-err));
		return -1;
	}
	errno = 0;
	max = strtoull(val, &end, 10);
	if (!isdigit((unsigned char)*val) || *end || errno) {
		uv_err("domain %u: %s is '%s', not a number", domid, path,
		       val);
		return -1;
	}
	if (bytes / UV_KiB > max) {
		uv_err("domain %u: %lluK is more than its maximum, %lluK",
		       domid, (unsigned long long)(bytes / UV_KiB), max);
		return -1;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	err = uv_xs_printf(xs, NULL, path, "%llu",
			   (unsigned long long)(bytes / UV_KiB));
	if (err) {
		uv_err("domain %u: cannot write %s: %s", domid, path,
		       strerror(-err));
		return -1;
	}
	return 0;
}
