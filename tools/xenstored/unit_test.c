// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of microv-xenstored's core, through the wire protocol: a
 * dom0 connection (as a socket client is) and domain connections made
 * by INTRODUCE, fed bytes and drained of replies and events as their
 * transports will.  KTAP on stdout, built with AddressSanitizer and
 * UBSan by "make -C tools check".
 *
 * "--write-seeds DIR" writes the requests of each group of tests as
 * inputs for fuzz_xenstore, in its format (see there): once as they are
 * fed here, once with the domains' requests sent through their rings.
 *
 * The ring tests drive ring.c over a page in this process with a fake
 * event channel, and its clock (xs.now_ms) by hand; the SCM_RIGHTS tests
 * drive server.c's reading over a socketpair, and the daemon's introduce
 * hook with fds that are not microv's (this test's ioctl() counts what
 * it is asked to do with them).
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xenstored.h"

static int nr_tests, nr_failed;
static bool quiet;

static void result(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	if (!ok)
		nr_failed++;
	if (quiet)
		return;
	printf("%sok %d ", ok ? "" : "not ", nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#define OK(cond, ...)	result((cond), __VA_ARGS__)

static struct xs_daemon xs;
static struct xs_conn *dom0;

/* ---- the fuzzer's input format, recorded for --write-seeds ---- */

static unsigned char trace[1 << 20];
static size_t trace_len;
static bool no_trace;	/* thousands of requests: too slow a seed */

static int conn_sel(struct xs_conn *c)
{
	if (c == dom0)
		return 0;
	return c->domid == 1 || c->domid == 2 ? (int)c->domid : -1;
}

/* The same, with the domains' requests written into their rings. */
static unsigned char rtrace[1 << 20];
static size_t rtrace_len;

static void record_ring(int sel, const void *p, size_t len)
{
	bool ring = sel == 1 || sel == 2;
	size_t n = len + (ring ? 2 : 0);

	if (rtrace_len + n + 3 > sizeof(rtrace))
		return;
	rtrace[rtrace_len++] = sel | 4 | (ring ? 0x10 : 0);
	rtrace[rtrace_len++] = n & 0xff;
	rtrace[rtrace_len++] = n >> 8;
	if (ring) {
		rtrace[rtrace_len++] = 0;	/* write requests */
		rtrace[rtrace_len++] = 0;	/* one event */
	}
	memcpy(rtrace + rtrace_len, p, len);
	rtrace_len += len;
}

static void record(struct xs_conn *c, const void *p, size_t len)
{
	int sel = conn_sel(c);

	if (sel < 0 || no_trace || trace_len + len + 3 > sizeof(trace))
		return;
	record_ring(sel, p, len);
	trace[trace_len++] = sel | 4;	/* 4: drain afterwards */
	trace[trace_len++] = len & 0xff;
	trace[trace_len++] = len >> 8;
	memcpy(trace + trace_len, p, len);
	trace_len += len;
}

/*
 * A guest's action on its ring (fuzz_xenstore's ring_action()) with @len
 * bytes of @p after it: into the ring seeds only.
 */
static void record_action(unsigned int domid, unsigned char act,
			  const void *p, size_t len)
{
	size_t n = len + 2;

	if (no_trace || rtrace_len + n + 3 > sizeof(rtrace))
		return;
	rtrace[rtrace_len++] = domid | 0x10;
	rtrace[rtrace_len++] = n & 0xff;
	rtrace[rtrace_len++] = n >> 8;
	rtrace[rtrace_len++] = act;
	rtrace[rtrace_len++] = 0;	/* one event */
	if (len)
		memcpy(rtrace + rtrace_len, p, len);
	rtrace_len += len;
}

static bool write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(path);
		return false;
	}
	return true;
}

/* ---- talking to the core ---- */

static struct xsd_sockmsg rhdr;
static char rbuf[XENSTORE_PAYLOAD_MAX + 1];
static char events[64][256];
static int nevents;

static void drain(struct xs_conn *c)
{
	const struct xsd_sockmsg *h;
	const char *p;
	size_t len;

	while ((p = xs_output(c, &len))) {
		h = (const void *)p;
		if (h->type == XS_WATCH_EVENT && nevents < 64) {
			snprintf(events[nevents++], sizeof(events[0]), "%s|%s",
				 p + sizeof(*h), p + sizeof(*h) +
				 strlen(p + sizeof(*h)) + 1);
		} else if (h->type != XS_WATCH_EVENT) {
			rhdr = *h;
			memcpy(rbuf, p + sizeof(*h), h->len);
			rbuf[h->len] = '\0';
		}
		xs_consume(c, len);
	}
}

/* Then the events of all others (which have no replies waiting). */
static void drain_all(struct xs_conn *self)
{
	struct xs_domain *d;

	drain(self);
	if (self != dom0)
		drain(dom0);
	for (d = xs.domains; d; d = d->next)
		if (d->conn && d->conn != self)
			drain(d->conn);
}

static bool has_event(const char *path, const char *token)
{
	char want[256];
	int i;

	snprintf(want, sizeof(want), "%s|%s", path, token);
	for (i = 0; i < nevents; i++)
		if (!strcmp(events[i], want))
			return true;
	return false;
}

static void drain_all(struct xs_conn *self);
static uint32_t next_req_id = 100;

/* One raw request; returns the type of its reply. */
static uint32_t raw(struct xs_conn *c, uint32_t type, uint32_t tx,
		    const void *payload, unsigned int len)
{
	static char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg h = { type, next_req_id++, tx, len };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	record(c, buf, sizeof(h) + len);
	rhdr.type = XS_INVALID;
	if (xs_input(c, buf, sizeof(h) + len) < 0)
		return XS_INVALID;
	drain_all(c);
	return rhdr.type;
}

/* A request of @n NUL-terminated strings. */
static uint32_t req(struct xs_conn *c, uint32_t type, uint32_t tx, int n, ...)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	unsigned int len = 0;
	const char *s;
	va_list ap;

	va_start(ap, n);
	while (n--) {
		s = va_arg(ap, const char *);
		memcpy(buf + len, s, strlen(s) + 1);
		len += strlen(s) + 1;
	}
	va_end(ap);
	return raw(c, type, tx, buf, len);
}

static uint32_t wr(struct xs_conn *c, uint32_t tx, const char *path,
		   const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t lp = strlen(path) + 1;

	memcpy(buf, path, lp);
	memcpy(buf + lp, val, strlen(val));
	return raw(c, XS_WRITE, tx, buf, lp + strlen(val));
}

static bool is_err(uint32_t type, const char *err)
{
	return type == XS_ERROR && !strcmp(rbuf, err);
}

static bool reads(struct xs_conn *c, uint32_t tx, const char *path,
		  const char *val)
{
	return req(c, XS_READ, tx, 1, path) == XS_READ &&
	       rhdr.len == strlen(val) && !strcmp(rbuf, val);
}

static bool read_err(struct xs_conn *c, const char *path, const char *err)
{
	return is_err(req(c, XS_READ, 0, 1, path), err);
}

static bool ok_(uint32_t type, uint32_t want)
{
	return type == want && !strcmp(rbuf, "OK");
}

static bool perms_are(const char *path, const char *want, unsigned int len)
{
	return req(dom0, XS_GET_PERMS, 0, 1, path) == XS_GET_PERMS &&
	       rhdr.len == len && !memcmp(rbuf, want, len);
}

static struct xs_conn *domain_conn(unsigned int domid)
{
	struct xs_domain *d = xs_domain(&xs, domid, false);

	return d ? d->conn : NULL;
}

static bool introduce(unsigned int domid)
{
	char id[16];

	snprintf(id, sizeof(id), "%u", domid);
	return ok_(req(dom0, XS_INTRODUCE, 0, 3, id, "0x1234", "5"),
		   XS_INTRODUCE);
}

/* /local/domain/N owned by N, as the toolstack makes it. */
static bool make_home(unsigned int domid)
{
	char path[32], owner[16];

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	snprintf(owner, sizeof(owner), "n%u", domid);
	return ok_(req(dom0, XS_MKDIR, 0, 1, path), XS_MKDIR) &&
	       ok_(req(dom0, XS_SET_PERMS, 0, 2, path, owner), XS_SET_PERMS);
}

static bool consistent(void)
{
	char why[256] = "";
	bool ok = xs_check(&xs, why, sizeof(why));

	if (!ok && !quiet)
		printf("# %s\n", why);
	return ok;
}

static int hook_calls;

static int count_introduce(struct xs_daemon *d, struct xs_domain *dom,
			   int *fds)
{
	(void)d;
	(void)dom;
	(void)fds;
	hook_calls++;
	return 0;
}

static void setup(void)
{
	if (xs_init(&xs, NULL))
		abort();
	xs.hooks.introduce = count_introduce;
	xs.hooks.release = xs_ring_release;
	xs.hooks.resume = xs_ring_resume;
	dom0 = xs_conn_new(&xs, 0, true);
	introduce(1);
	introduce(2);
	make_home(1);
	make_home(2);
}

/* ---- the tests ---- */

static void test_tree(void)
{
	static const char big[] = "/local/domain/0/";
	char path[XENSTORE_REL_PATH_MAX + 40];

	OK(req(dom0, XS_DIRECTORY, 0, 1, "/") == XS_DIRECTORY &&
	   rhdr.len == 14 && !memcmp(rbuf, "local\0tool\0vm\0", 14),
	   "tree: / holds local, tool, vm");
	OK(perms_are("/", "n0", 3) && perms_are("/vm", "n0", 3) &&
	   perms_are("/local/domain", "n0", 3),
	   "tree: dom0 owns the first nodes, others may not read them");
	OK(raw(dom0, XS_WRITE, 0, "/a/b\0x\0y", 8) == XS_WRITE &&
	   req(dom0, XS_READ, 0, 1, "/a/b") == XS_READ && rhdr.len == 3 &&
	   !memcmp(rbuf, "x\0y", 3), "write/read: a value with a NUL in it");
	OK(req(dom0, XS_DIRECTORY, 0, 1, "/a") == XS_DIRECTORY &&
	   !strcmp(rbuf, "b") && reads(dom0, 0, "/a", ""),
	   "write: missing parents are made, empty");
	OK(ok_(req(dom0, XS_MKDIR, 0, 1, "/a/b"), XS_MKDIR) &&
	   req(dom0, XS_READ, 0, 1, "/a/b") == XS_READ && rhdr.len == 3,
	   "mkdir: an existing node is left as it is");
	OK(ok_(req(dom0, XS_MKDIR, 0, 1, "/a/m/n"), XS_MKDIR) &&
	   reads(dom0, 0, "/a/m/n", ""), "mkdir: makes a path");
	OK(ok_(req(dom0, XS_RM, 0, 1, "/a"), XS_RM) &&
	   read_err(dom0, "/a/m/n", "ENOENT") &&
	   read_err(dom0, "/a", "ENOENT") &&
	   req(dom0, XS_DIRECTORY, 0, 1, "/") == XS_DIRECTORY &&
	   rhdr.len == 14, "rm: removes the subtree and its parent's entry");
	OK(ok_(req(dom0, XS_RM, 0, 1, "/gone"), XS_RM) &&
	   is_err(req(dom0, XS_RM, 0, 1, "/gone/x"), "ENOENT"),
	   "rm: a missing node is fine, unless its parent is missing too");
	OK(is_err(req(dom0, XS_RM, 0, 1, "/"), "EINVAL"), "rm: not /");
	OK(is_err(wr(dom0, 0, "/a//b", "1"), "EINVAL") &&
	   is_err(wr(dom0, 0, "/a/", "1"), "EINVAL") &&
	   is_err(wr(dom0, 0, "/a b", "1"), "EINVAL") &&
	   is_err(wr(dom0, 0, "/a.b", "1"), "EINVAL") &&
	   is_err(wr(dom0, 0, "", "1"), "EINVAL") &&
	   is_err(req(dom0, XS_READ, 0, 1, "/a/"), "EINVAL"),
	   "paths: //, trailing /, characters outside [A-Za-z0-9-/_@]");
	OK(ok_(wr(dom0, 0, "/x-Y_9@z", "1"), XS_WRITE),
	   "paths: - _ @ and digits are fine");
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[XENSTORE_REL_PATH_MAX + 1] = '\0';
	OK(is_err(wr(dom0, 0, path, "1"), "EINVAL"),
	   "paths: longer than XENSTORE_REL_PATH_MAX refused");
	memcpy(path, big, strlen(big));
	path[strlen(big) + XENSTORE_REL_PATH_MAX] = '\0';
	OK(ok_(wr(dom0, 0, path, "1"), XS_WRITE),
	   "paths: XENSTORE_REL_PATH_MAX below /local/domain/N/ is fine");
	OK(ok_(wr(dom0, 0, "rel/x", "v"), XS_WRITE) &&
	   reads(dom0, 0, "/local/domain/0/rel/x", "v"),
	   "paths: relative to /local/domain/<domid>");
	OK(consistent(), "tree: consistent");
}

static void test_directory_part(void)
{
	char name[64], *all = malloc(16384), *got = malloc(16384);
	size_t alen = 0, glen = 0;
	unsigned int i, off = 0, rounds = 0, gl;
	bool ok = true, gen_same = true;
	char gen[XENSTORE_PAYLOAD_MAX + 1] = "";

	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "/d/child-with-a-long-name-%04u",
			 i);
		wr(dom0, 0, name, "");
		alen += sprintf(all + alen, "%s", strrchr(name, '/') + 1) + 1;
	}
	OK(is_err(req(dom0, XS_DIRECTORY, 0, 1, "/d"), "E2BIG"),
	   "directory: a list longer than a payload is E2BIG");
	do {
		snprintf(name, sizeof(name), "%u", off);
		ok = req(dom0, XS_DIRECTORY_PART, 0, 2, "/d", name) ==
		     XS_DIRECTORY_PART && rhdr.len <= XENSTORE_PAYLOAD_MAX;
		gl = strlen(rbuf) + 1;
		gen_same &= !gen[0] || !strcmp(gen, rbuf);
		strcpy(gen, rbuf);
		memcpy(got + glen, rbuf + gl, rhdr.len - gl);
		glen += rhdr.len - gl;
		off += rhdr.len - gl;
	} while (ok && ++rounds < 10 && !(rhdr.len >= gl + 1 &&
					 rbuf[rhdr.len - 1] == '\0' &&
					 rbuf[rhdr.len - 2] == '\0'));
	OK(ok && rounds > 2 && glen == alen + 1 && !memcmp(got, all, alen) &&
	   got[alen] == '\0' && gen_same,
	   "directory_part: whole names, in order, an empty one at the end");
	OK(req(dom0, XS_DIRECTORY_PART, 0, 2, "/d", "99999") ==
	   XS_DIRECTORY_PART && rhdr.len == strlen(rbuf) + 2,
	   "directory_part: past the end, only the generation");
	OK(is_err(req(dom0, XS_DIRECTORY_PART, 0, 1, "/d"), "EINVAL"),
	   "directory_part: needs an offset");
	req(dom0, XS_RM, 0, 1, "/d");
	free(all);
	free(got);
}

static void test_perms(void)
{
	struct xs_conn *d1 = domain_conn(1), *d2 = domain_conn(2), *d3;

	wr(d2, 0, "data/x", "1");
	OK(d1 && d2 && hook_calls == 2, "introduce: the transport hook runs");
	OK(ok_(wr(d1, 0, "data/x", "1"), XS_WRITE) &&
	   reads(d1, 0, "/local/domain/1/data/x", "1") &&
	   perms_are("/local/domain/1/data/x", "n1", 3),
	   "perms: a domain's new node is its own, relative to its home");
	OK(read_err(d1, "/local/domain/2", "EACCES") &&
	   read_err(d1, "/local/domain/2/none", "EACCES") &&
	   read_err(d1, "/tool/xenstored", "EACCES") &&
	   is_err(req(d1, XS_DIRECTORY, 0, 1, "/local/domain"), "EACCES"),
	   "perms: another domain's nodes are hidden, missing or not");
	OK(read_err(d1, "/local/domain/1/none", "ENOENT"),
	   "perms: ENOENT where the parent is readable");
	wr(dom0, 0, "/local/domain/0/backend/vbd/1/state", "4");
	req(dom0, XS_SET_PERMS, 0, 3, "/local/domain/0/backend/vbd/1/state",
	    "n0", "r1");
	OK(reads(d1, 0, "/local/domain/0/backend/vbd/1/state", "4") &&
	   is_err(wr(d1, 0, "/local/domain/0/backend/vbd/1/state", "5"),
		  "EACCES") &&
	   reads(dom0, 0, "/local/domain/0/backend/vbd/1/state", "4"),
	   "perms: r lets a domain read the backend's node, not write it");
	OK(is_err(req(d1, XS_SET_PERMS, 0, 2,
		      "/local/domain/0/backend/vbd/1/state", "b1"), "EACCES"),
	   "perms: only the owner sets permissions");
	OK(is_err(req(d1, XS_SET_PERMS, 0, 2, "data/x", "n2"), "EPERM"),
	   "perms: a domain cannot give its node away");
	OK(ok_(req(d1, XS_SET_PERMS, 0, 3, "data/x", "n1", "r2"),
	       XS_SET_PERMS) && reads(d2, 0, "/local/domain/1/data/x", "1") &&
	   is_err(wr(d2, 0, "/local/domain/1/data/x", "2"), "EACCES"),
	   "perms: an owner grants another domain read");
	OK(is_err(req(dom0, XS_SET_PERMS, 0, 2, "/vm", "x0"), "EINVAL") &&
	   is_err(req(dom0, XS_SET_PERMS, 0, 2, "/vm", "r"), "EINVAL") &&
	   is_err(req(dom0, XS_SET_PERMS, 0, 1, "/vm"), "EINVAL"),
	   "perms: malformed permissions are EINVAL");
	OK(is_err(req(d1, XS_INTRODUCE, 0, 3, "9", "0", "1"), "EACCES") &&
	   is_err(req(d1, XS_CONTROL, 0, 1, "help"), "EACCES") &&
	   is_err(req(d1, XS_IS_DOMAIN_INTRODUCED, 0, 1, "2"), "EACCES"),
	   "perms: dom0's requests are refused to domains");
	introduce(3);
	d3 = domain_conn(3);
	OK(read_err(d3, "/local/domain/2", "EACCES"), "set_target: not before");
	OK(ok_(req(dom0, XS_SET_TARGET, 0, 2, "3", "2"), XS_SET_TARGET) &&
	   reads(d3, 0, "/local/domain/2/data/x", "1") &&
	   ok_(wr(d3, 0, "/local/domain/2/device-model", "running"),
	       XS_WRITE) && perms_are("/local/domain/2/device-model", "n3", 3),
	   "set_target: the stub domain acts as its target's owner");
	OK(is_err(req(dom0, XS_SET_TARGET, 0, 2, "3", "99"), "ENOENT"),
	   "set_target: both must be introduced");
	OK(ok_(req(dom0, XS_RELEASE, 0, 1, "3"), XS_RELEASE) &&
	   consistent(), "perms: consistent");
}

static void test_watches(void)
{
	struct xs_conn *d1 = domain_conn(1), *d2 = domain_conn(2);

	nevents = 0;
	OK(ok_(req(dom0, XS_WATCH, 0, 2, "/w", "tok"), XS_WATCH) &&
	   nevents == 1 && has_event("/w", "tok"),
	   "watch: fires once at once, after its OK");
	nevents = 0;
	wr(dom0, 0, "/w/x/y", "1");
	wr(dom0, 0, "/other", "1");
	OK(nevents == 1 && has_event("/w/x/y", "tok"),
	   "watch: a descendant's write fires it, others not");
	req(dom0, XS_WATCH, 0, 2, "/w/x/y", "deep");
	nevents = 0;
	req(dom0, XS_RM, 0, 1, "/w/x");
	OK(has_event("/w/x/y", "deep") && has_event("/w/x", "tok") &&
	   nevents == 2, "watch: rm fires the removed nodes' own watches");
	OK(is_err(req(dom0, XS_WATCH, 0, 2, "/w", "tok"), "EEXIST") &&
	   is_err(req(dom0, XS_WATCH, 0, 2, "/w//", "t"), "EINVAL") &&
	   is_err(req(dom0, XS_WATCH, 0, 1, "/w"), "EINVAL"),
	   "watch: duplicates, bad paths and a missing token refused");
	nevents = 0;
	OK(ok_(req(dom0, XS_UNWATCH, 0, 2, "/w", "tok"), XS_UNWATCH) &&
	   ok_(wr(dom0, 0, "/w/z", "1"), XS_WRITE) && nevents == 0 &&
	   is_err(req(dom0, XS_UNWATCH, 0, 2, "/w", "tok"), "ENOENT"),
	   "unwatch: no more events; twice is ENOENT");
	nevents = 0;
	req(d1, XS_WATCH, 0, 2, "data", "rel");
	req(d1, XS_WATCH, 0, 2, "/", "all");
	OK(has_event("data", "rel") && has_event("/", "all"),
	   "watch: a relative watch first fires relative");
	nevents = 0;
	wr(d1, 0, "data/z", "1");
	OK(has_event("data/z", "rel") &&
	   has_event("/local/domain/1/data/z", "all"),
	   "watch: relative paths for relative watches");
	nevents = 0;
	wr(d2, 0, "secret", "1");
	wr(dom0, 0, "/tool/hidden", "1");
	OK(nevents == 0, "watch: nothing of nodes the watcher cannot read");
	nevents = 0;
	OK(ok_(req(d1, XS_RESET_WATCHES, 0, 0), XS_RESET_WATCHES) &&
	   ok_(wr(d1, 0, "data/z", "2"), XS_WRITE) && nevents == 0,
	   "reset_watches: all gone");
	nevents = 0;
	req(dom0, XS_WATCH, 0, 2, "@introduceDomain", "in");
	req(dom0, XS_WATCH, 0, 2, "@releaseDomain", "out");
	req(d1, XS_WATCH, 0, 2, "@releaseDomain", "d1out");
	OK(nevents == 3 && has_event("@introduceDomain", "in"),
	   "special watches fire at once too");
	nevents = 0;
	introduce(4);
	OK(nevents == 1 && has_event("@introduceDomain", "in"),
	   "@introduceDomain on INTRODUCE");
	nevents = 0;
	req(dom0, XS_RELEASE, 0, 1, "4");
	OK(nevents == 1 && has_event("@releaseDomain", "out"),
	   "@releaseDomain on RELEASE, only to who may read it");
	req(dom0, XS_SET_PERMS, 0, 3, "@releaseDomain", "n0", "r1");
	introduce(4);
	nevents = 0;
	req(dom0, XS_RELEASE, 0, 1, "4");
	OK(has_event("@releaseDomain", "d1out") &&
	   is_err(req(d1, XS_SET_PERMS, 0, 2, "@releaseDomain", "b1"),
		  "EACCES"),
	   "special watches: their permissions are dom0's to set");
	req(dom0, XS_RESET_WATCHES, 0, 0);
	req(d1, XS_RESET_WATCHES, 0, 0);
}

static uint32_t tx_start(struct xs_conn *c)
{
	if (req(c, XS_TRANSACTION_START, 0, 1, "") != XS_TRANSACTION_START)
		return 0;
	return strtoul(rbuf, NULL, 10);
}

static void test_transactions(void)
{
	uint32_t t1, t2;

	req(dom0, XS_WATCH, 0, 2, "/t", "tt");
	t1 = tx_start(dom0);
	nevents = 0;
	OK(t1 && ok_(wr(dom0, t1, "/t/a", "1"), XS_WRITE) &&
	   reads(dom0, t1, "/t/a", "1") && read_err(dom0, "/t/a", "ENOENT"),
	   "transaction: its writes are its own until commit");
	OK(rhdr.tx_id == 0 && reads(dom0, t1, "/t/a", "1") &&
	   rhdr.tx_id == t1 && nevents == 0,
	   "transaction: replies echo tx_id; no events before commit");
	OK(ok_(req(dom0, XS_TRANSACTION_END, t1, 1, "T"), XS_TRANSACTION_END) &&
	   reads(dom0, 0, "/t/a", "1") && has_event("/t/a", "tt"),
	   "transaction: commit publishes writes and their events");
	t1 = tx_start(dom0);
	reads(dom0, t1, "/t/a", "1");
	wr(dom0, 0, "/t/a", "2");
	wr(dom0, t1, "/t/b", "1");
	OK(is_err(req(dom0, XS_TRANSACTION_END, t1, 1, "T"), "EAGAIN") &&
	   read_err(dom0, "/t/b", "ENOENT"),
	   "transaction: a node it read changed: EAGAIN, nothing written");
	t1 = tx_start(dom0);
	t2 = tx_start(dom0);
	wr(dom0, t1, "/t/c", "1");
	req(dom0, XS_RM, t2, 1, "/t/a");
	nevents = 0;
	OK(t1 != t2 && ok_(req(dom0, XS_TRANSACTION_END, t1, 1, "F"),
			   XS_TRANSACTION_END) &&
	   read_err(dom0, "/t/c", "ENOENT") && nevents == 0,
	   "transaction: F aborts, silently");
	OK(ok_(req(dom0, XS_TRANSACTION_END, t2, 1, "T"), XS_TRANSACTION_END) &&
	   read_err(dom0, "/t/a", "ENOENT") && has_event("/t/a", "tt"),
	   "transaction: rm at commit");
	OK(is_err(req(dom0, XS_READ, 777, 1, "/t"), "ENOENT") &&
	   is_err(req(dom0, XS_TRANSACTION_END, 0, 1, "T"), "ENOENT"),
	   "transaction: an unknown id is ENOENT");
	t1 = tx_start(dom0);
	OK(is_err(req(dom0, XS_TRANSACTION_START, t1, 1, ""), "EBUSY") &&
	   is_err(req(dom0, XS_TRANSACTION_END, t1, 1, "X"), "EINVAL") &&
	   ok_(req(dom0, XS_TRANSACTION_END, t1, 1, "F"), XS_TRANSACTION_END),
	   "transaction: none nested; T or F only");
	req(dom0, XS_RESET_WATCHES, 0, 0);
	OK(consistent(), "transaction: consistent");
}

static void test_quotas(void)
{
	struct xs_conn *d1 = domain_conn(1);
	struct xs_domain *d = xs_domain(&xs, 1, false);
	char big[3000], path[32];
	uint32_t t[3];
	int i;

	xs.q.nodes = d->nodes + 2;
	OK(ok_(wr(d1, 0, "q/a", "1"), XS_WRITE) &&
	   is_err(wr(d1, 0, "q/b", "1"), "ENOSPC") &&
	   ok_(wr(dom0, 0, "/local/domain/1/q/c", "1"), XS_WRITE),
	   "quota nodes: ENOSPC for the domain; dom0 is exempt");
	t[0] = tx_start(d1);
	OK(is_err(wr(d1, t[0], "q/d", "1"), "ENOSPC"),
	   "quota nodes: inside a transaction too");
	req(d1, XS_TRANSACTION_END, t[0], 1, "F");
	xs.q.nodes = d->nodes + 1;
	t[0] = tx_start(d1);
	OK(ok_(wr(d1, t[0], "q/e", "1"), XS_WRITE) &&
	   ok_(wr(dom0, 0, "/local/domain/1/q/f", "1"), XS_WRITE) &&
	   is_err(req(d1, XS_TRANSACTION_END, t[0], 1, "T"), "ENOSPC"),
	   "quota nodes: checked again at commit, before conflicts");
	xs.q.nodes = 1000;
	memset(big, 'v', sizeof(big));
	big[2040] = '\0';
	OK(is_err(wr(d1, 0, "q/big", big), "ENOSPC") &&
	   ok_(wr(dom0, 0, "/local/domain/1/q/big", big), XS_WRITE),
	   "quota node-size: ENOSPC for the domain; dom0 is exempt");
	big[1900] = '\0';
	OK(ok_(wr(d1, 0, "q/big", big), XS_WRITE), "quota node-size: below");
	xs.q.watches = 2;
	OK(ok_(req(d1, XS_WATCH, 0, 2, "q", "1"), XS_WATCH) &&
	   ok_(req(d1, XS_WATCH, 0, 2, "q", "2"), XS_WATCH) &&
	   is_err(req(d1, XS_WATCH, 0, 2, "q", "3"), "E2BIG"),
	   "quota watches: E2BIG");
	req(d1, XS_RESET_WATCHES, 0, 0);
	xs.q.transactions = 2;
	t[0] = tx_start(d1);
	t[1] = tx_start(d1);
	OK(t[0] && t[1] &&
	   is_err(req(d1, XS_TRANSACTION_START, 0, 1, ""), "ENOSPC") &&
	   tx_start(dom0) && tx_start(dom0) && tx_start(dom0),
	   "quota transactions: ENOSPC; dom0 is exempt");
	req(d1, XS_RESET_WATCHES, 0, 0);
	req(dom0, XS_RESET_WATCHES, 0, 0);
	OK(d1->ntxs == 0 && dom0->ntxs == 0,
	   "reset_watches: ends the transactions too");
	OK(is_err(req(d1, XS_SET_PERMS, 0, 7, "q", "n1", "r2", "r3", "r4",
		      "r5", "r6"), "ENOSPC"),
	   "quota permissions: ENOSPC past 5 entries");
	xs.q.trans_nodes = 3;
	t[0] = tx_start(d1);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "q/n%d", i);
		wr(d1, t[0], path, "1");
	}
	OK(is_err(rhdr.type, "ENOSPC") &&
	   is_err(req(d1, XS_TRANSACTION_END, t[0], 1, "T"), "ENOMEM"),
	   "quota transaction-nodes: ENOSPC, and the transaction fails");
	xs.q = xs_default_quota;
	OK(consistent(), "quotas: consistent");
}

/* A peer that never reads is not read from; dom0 loses no events. */
static void test_bounds(void)
{
	struct xs_conn *d1 = domain_conn(1), *c;
	struct xsd_sockmsg h = { XS_READ, 1, 0, 5 };
	char buf[sizeof(h) + 5];
	int i, took = 0;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), "data", 5);
	for (i = 0; i < 50; i++)
		took += xs_input(d1, buf, sizeof(buf)) == sizeof(buf);
	OK(took == 20 && xs_want(d1) == 0 && d1->replies == 20,
	   "outstanding: a domain's 21st unread request is not taken");
	drain(d1);
	OK(xs_want(d1) == sizeof(h), "outstanding: read replies, go on");
	c = xs_conn_new(&xs, 0, true);
	h = (struct xsd_sockmsg){ XS_WATCH, 1, 0, 5 };
	xs_input(c, &h, sizeof(h));
	xs_input(c, "/b\0t", 5);
	xs.q.memory = 600;
	for (i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "/b/%d", i);
		wr(dom0, 0, buf, "1");
	}
	for (i = 0; c->out; i++)
		xs_consume(c, c->out->len);
	OK(i == 102 && c->mem == 0,
	   "memory: a privileged queue drops no events, charges nobody");
	for (i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "/b/%d", i);
		wr(dom0, 0, buf, "2");
	}
	OK(c->out_bytes > 600 && !xs_want(c),
	   "memory: past it, its requests wait");
	xs_conn_free(c);
	xs.q = xs_default_quota;
	drain(dom0);
	req(dom0, XS_RESET_WATCHES, 0, 0);
	nevents = 0;
}

/* Counts the watch events queued for @c whose path contains @needle. */
static int queued_events(const struct xs_conn *c, const char *needle)
{
	const struct xs_msg *m;
	int n = 0;

	for (m = c->out; m; m = m->next)
		n += m->event && strstr(m->buf + sizeof(struct xsd_sockmsg),
					needle);
	return n;
}

/*
 * X1: what transactions and watches hold is charged to the domain's
 * memory quota.  Ten transactions reading 1024 missing 2 KB paths each
 * once held 44 MB; each read that succeeds holds at least two copies of
 * its path, so those reads are bounded by the quota.
 */
static void test_memory(void)
{
	struct xs_conn *d1 = domain_conn(1);
	char path[2100], token[1100], tail[32];
	size_t base = d1->mem;
	int t, i, good = 0, nomem = 0, other = 0, w;
	uint32_t tx[10], type;

	memset(path, 'x', sizeof(path));
	for (t = 0; t < 10; t++) {
		tx[t] = tx_start(d1);
		for (i = 0; i < 1024 && tx[t]; i++) {
			snprintf(tail, sizeof(tail), "%04d%02d", i, t);
			strcpy(path + 1990, tail);
			type = req(d1, XS_READ, tx[t], 1, path);
			if (is_err(type, "ENOENT"))
				good++;
			else if (is_err(type, "ENOMEM"))
				nomem++;
			else
				other++;
			if (d1->mem > xs.q.memory)
				other++;
		}
	}
	OK(nomem && !other && (size_t)good * 2 * 1990 <= xs.q.memory,
	   "memory: transaction copies are charged, ENOMEM past the quota "
	   "(%d reads kept, %d refused)", good, nomem);
	OK(xs_want(d1) && is_err(req(d1, XS_TRANSACTION_END, tx[0], 1, "T"),
				 "ENOMEM"),
	   "memory: a transaction refused a copy fails, and can be ended");
	for (t = 1; t < 10; t++)
		req(d1, XS_TRANSACTION_END, tx[t], 1, "F");
	OK(d1->mem == base && consistent(),
	   "memory: ended transactions give it all back");
	memset(token, 't', sizeof(token) - 1);
	token[sizeof(token) - 1] = '\0';
	xs.q.memory = d1->mem + 10000;
	for (w = 0; w < 20; w++) {
		token[0] = 'a' + w;
		if (!ok_(req(d1, XS_WATCH, 0, 2, "w", token), XS_WATCH))
			break;
	}
	OK(w >= 5 && w < 9 && is_err(rhdr.type, "ENOMEM") && consistent(),
	   "memory: watches are charged too (ENOMEM after %d)", w);
	req(d1, XS_RESET_WATCHES, 0, 0);
	OK(d1->mem == base, "memory: reset_watches gives it back");
	xs.q = xs_default_quota;
}

/*
 * X2: a dom0 backend that does not read loses no event, not even those
 * a domain floods it with; the flooding domain is stopped instead.
 */
static void test_backend(void)
{
	struct xs_conn *d1 = domain_conn(1), *be = xs_conn_new(&xs, 0, true);
	char path[2100];
	size_t base = d1->mem, before;
	int i, stalled = -1;

	raw(be, XS_WATCH, 0, "/local/domain\0be", 17);
	raw(be, XS_WATCH, 0, "@releaseDomain\0rel", 19);
	while (be->out)
		xs_consume(be, be->out->len);
	xs.q.memory = 64 * 1024;
	/* Long paths, then short ones to fill it to the last byte. */
	memset(path, 'y', sizeof(path));
	path[1990] = '\0';
	for (i = 0; i < 2200 && stalled < 0; i++) {
		if (i < 200) {
			path[0] = 'a' + i % 26;
			path[1] = 'a' + i / 26;
		} else {
			snprintf(path, sizeof(path), "s%d", i);
		}
		if (raw(d1, XS_WRITE, 0, path, strlen(path) + 1) ==
		    XS_INVALID)
			stalled = i;
		else
			req(d1, XS_RM, 0, 1, path);
	}
	OK(stalled > 0 && !xs_want(d1) && d1->mem > xs.q.memory &&
	   be->out_bytes < xs.q.memory + 3 * 4096,
	   "backend: a domain filling a backend's queue is stopped (after "
	   "%d writes)", stalled);
	before = be->out_bytes;
	wr(dom0, 0, "/local/domain/6/backend-state", "4");
	introduce(6);
	req(dom0, XS_RELEASE, 0, 1, "6");
	OK(queued_events(be, "/local/domain/6/backend-state") == 1 &&
	   queued_events(be, "@releaseDomain") == 1 &&
	   be->out_bytes > before,
	   "backend: it still gets dom0's events and @releaseDomain");
	while (be->out)
		xs_consume(be, be->out->len);
	OK(xs_want(d1) && d1->mem == base && consistent(),
	   "backend: read, the domain goes on, charged nothing more");
	xs_conn_free(be);
	xs.q = xs_default_quota;
	req(dom0, XS_RM, 0, 1, "/local/domain/6");
}

/* Finding a duplicate event costs no scan of the queue. */
static void test_event_dedup(void)
{
	struct xs_conn *be = xs_conn_new(&xs, 0, true);
	char path[64];
	unsigned long cmps;
	int i;

	raw(be, XS_WATCH, 0, "/e\0e", 5);
	while (be->out)
		xs_consume(be, be->out->len);
	no_trace = true;
	for (i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/e/%05d", i);
		wr(dom0, 0, path, "");
	}
	cmps = xs_path_cmps;
	for (i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/e/%05d", i);
		wr(dom0, 0, path, "1");
	}
	cmps = xs_path_cmps - cmps;
	no_trace = false;
	OK(queued_events(be, "/e/") == 3000 && cmps < 3000 * 20,
	   "events: 3000 duplicates merged, %lu comparisons", cmps);
	xs_conn_free(be);
	req(dom0, XS_RM, 0, 1, "/e");
}

/*
 * X3: an RM of a subtree inside a transaction looks each node up by
 * hash: a bounded number of path comparisons a node, not one per node
 * the transaction touched.
 */
static void test_tx_work(void)
{
	struct xs_conn *d8;
	char *pre = xs_zalloc(2100), path[2200];
	unsigned long cmps;
	int i, j, n = 1;
	uint32_t t;
	bool ok;

	make_home(8);
	introduce(8);
	d8 = domain_conn(8);
	xs.q.memory = 64 << 20;
	memcpy(pre, "/local/domain/8/", 16);
	memset(pre + 16, 'p', 1900);
	wr(d8, 0, pre, "");
	for (i = 0; i < 31 && n < 991; i++) {
		snprintf(path, sizeof(path), "%s/%02d", pre, i);
		n += ok_(wr(d8, 0, path, ""), XS_WRITE);
		for (j = 0; j < 31 && n < 991; j++) {
			snprintf(path, sizeof(path), "%s/%02d/%02d", pre, i, j);
			n += ok_(wr(d8, 0, path, ""), XS_WRITE);
		}
	}
	t = tx_start(d8);
	cmps = xs_path_cmps;
	ok = ok_(req(d8, XS_RM, t, 1, pre), XS_RM);
	cmps = xs_path_cmps - cmps;
	OK(n == 991 && ok && cmps < 20UL * n,
	   "transaction: RM of %d nodes, %lu path comparisons", n, cmps);
	req(d8, XS_TRANSACTION_END, t, 1, "F");
	req(dom0, XS_RELEASE, 0, 1, "8");
	req(dom0, XS_RM, 0, 1, "/local/domain/8");
	free(pre);
	xs.q = xs_default_quota;
	OK(consistent(), "transaction: consistent after the big RM");
}

/* The special nodes' lists: transactional, and readable. */
static void test_special(void)
{
	struct xs_conn *d1 = domain_conn(1);
	char many[XENSTORE_PAYLOAD_MAX];
	unsigned int len = 0, i;
	uint32_t t;

	req(dom0, XS_SET_PERMS, 0, 2, "@releaseDomain", "n0");
	OK(perms_are("@releaseDomain", "n0", 3) &&
	   is_err(req(d1, XS_GET_PERMS, 0, 1, "@releaseDomain"), "EACCES") &&
	   is_err(req(dom0, XS_GET_PERMS, 0, 1, "@other"), "EINVAL"),
	   "special: GET_PERMS, for those who may read them");
	t = tx_start(dom0);
	OK(ok_(req(dom0, XS_SET_PERMS, t, 3, "@releaseDomain", "n0", "r1"),
	       XS_SET_PERMS) && perms_are("@releaseDomain", "n0", 3) &&
	   req(dom0, XS_GET_PERMS, t, 1, "@releaseDomain") == XS_GET_PERMS &&
	   rhdr.len == 6 && !memcmp(rbuf, "n0\0r1", 6),
	   "special: SET_PERMS in a transaction is its own until commit");
	req(dom0, XS_TRANSACTION_END, t, 1, "F");
	OK(perms_are("@releaseDomain", "n0", 3),
	   "special: and undone by an abort");
	t = tx_start(dom0);
	req(dom0, XS_SET_PERMS, t, 3, "@releaseDomain", "n0", "r1");
	OK(ok_(req(dom0, XS_TRANSACTION_END, t, 1, "T"), XS_TRANSACTION_END) &&
	   perms_are("@releaseDomain", "n0\0r1", 6) &&
	   ok_(req(dom0, XS_SET_PERMS, 0, 2, "@releaseDomain", "n0"),
	       XS_SET_PERMS),
	   "special: set at commit");
	/* A list that fills a whole payload comes back whole. */
	len = sprintf(many, "/g") + 1;
	len += sprintf(many + len, "n0") + 1;
	for (i = 0; i < 583; i++)
		len += sprintf(many + len, "b%u", 10000 + i) + 1;
	len += sprintf(many + len, "b1234") + 1;
	len += sprintf(many + len, "b1") + 1;
	wr(dom0, 0, "/g", "");
	OK(len == sizeof(many) &&
	   raw(dom0, XS_SET_PERMS, 0, many, len) == XS_SET_PERMS &&
	   req(dom0, XS_GET_PERMS, 0, 1, "/g") == XS_GET_PERMS &&
	   rhdr.len == len - 3 && !memcmp(rbuf, many + 3, len - 3),
	   "get_perms: a list of %u bytes comes back whole", len - 3);
	req(dom0, XS_RM, 0, 1, "/g");
	OK(consistent(), "special: consistent");
}

static void test_domains(void)
{
	struct xs_conn *d5;

	OK(req(dom0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "5") ==
	   XS_IS_DOMAIN_INTRODUCED && !strcmp(rbuf, "F"),
	   "is_domain_introduced: F before");
	make_home(5);
	wr(dom0, 0, "/local/domain/5/name", "guest");
	OK(introduce(5) && req(dom0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "5") ==
	   XS_IS_DOMAIN_INTRODUCED && !strcmp(rbuf, "T") &&
	   req(dom0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "0") ==
	   XS_IS_DOMAIN_INTRODUCED && !strcmp(rbuf, "T"),
	   "introduce: T after; dom0 always");
	OK(req(dom0, XS_GET_DOMAIN_PATH, 0, 1, "5") == XS_GET_DOMAIN_PATH &&
	   !strcmp(rbuf, "/local/domain/5") &&
	   req(domain_conn(1), XS_GET_DOMAIN_PATH, 0, 1, "7") ==
	   XS_GET_DOMAIN_PATH && !strcmp(rbuf, "/local/domain/7"),
	   "get_domain_path, for anyone");
	d5 = domain_conn(5);
	req(d5, XS_WATCH, 0, 2, "name", "n");
	wr(d5, 0, "mine", "1");
	req(dom0, XS_SET_PERMS, 0, 3, "/vm", "n0", "r5");
	OK(ok_(req(dom0, XS_RELEASE, 0, 1, "5"), XS_RELEASE) &&
	   read_err(dom0, "/local/domain/5", "ENOENT") &&
	   perms_are("/vm", "n0", 3) && !domain_conn(5) &&
	   !xs_domain(&xs, 5, false),
	   "release: its nodes, permissions and connection go");
	OK(is_err(req(dom0, XS_RELEASE, 0, 1, "5"), "ENOENT") &&
	   is_err(req(dom0, XS_RELEASE, 0, 1, "0"), "EINVAL") &&
	   is_err(req(dom0, XS_RESUME, 0, 1, "5"), "ENOENT") &&
	   is_err(req(dom0, XS_INTRODUCE, 0, 3, "6", "0", "0"), "EINVAL") &&
	   is_err(req(dom0, XS_INTRODUCE, 0, 2, "6", "0"), "EINVAL"),
	   "release/resume/introduce: bad domids and ports");
	OK(ok_(req(dom0, XS_RESUME, 0, 1, "1"), XS_RESUME),
	   "resume: an introduced domain");
	OK(consistent(), "domains: consistent");
}

static void test_protocol(void)
{
	struct xsd_sockmsg h = { XS_READ, 42, 0, XENSTORE_PAYLOAD_MAX + 1 };
	struct xs_conn *c = xs_conn_new(&xs, 0, true);
	char msg[64];
	size_t i;

	OK(xs_input(c, &h, sizeof(h)) < 0 && c->dead && xs_want(c) == 0,
	   "protocol: a payload over XENSTORE_PAYLOAD_MAX kills it");
	xs_conn_free(c);
	OK(is_err(raw(dom0, 99, 0, "", 0), "ENOSYS") &&
	   is_err(raw(dom0, XS_WATCH_EVENT, 0, "", 0), "ENOSYS") &&
	   is_err(raw(dom0, XS_ERROR, 0, "", 0), "ENOSYS") &&
	   is_err(raw(dom0, XS_INVALID, 0, "", 0), "ENOSYS"),
	   "protocol: unknown types are ENOSYS");
	OK(is_err(raw(dom0, XS_READ, 0, "/vm", 3), "EINVAL") &&
	   is_err(raw(dom0, XS_READ, 0, "/vm\0/x", 7), "EINVAL") &&
	   is_err(raw(dom0, XS_READ, 0, "", 0), "EINVAL") &&
	   is_err(raw(dom0, XS_WRITE, 0, "/vm", 3), "EINVAL") &&
	   is_err(raw(dom0, XS_GET_DOMAIN_PATH, 0, "1", 1), "EINVAL"),
	   "protocol: payloads without their NULs are EINVAL");
	h = (struct xsd_sockmsg){ XS_READ, 4242, 0, 4 };
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), "/vm", 4);
	rhdr.type = XS_INVALID;
	for (i = 0; i < sizeof(h) + 4; i++)
		xs_input(dom0, msg + i, 1);
	drain(dom0);
	OK(rhdr.type == XS_READ && rhdr.req_id == 4242 && rhdr.len == 0,
	   "protocol: byte by byte; req_id echoed");
	OK(req(dom0, XS_CONTROL, 0, 1, "help") == XS_CONTROL &&
	   strstr(rbuf, "quota") && req(dom0, XS_CONTROL, 0, 1, "quota") ==
	   XS_CONTROL && strstr(rbuf, "nodes: 1000") &&
	   is_err(req(dom0, XS_CONTROL, 0, 1, "live-update"), "EINVAL"),
	   "control: help and quota; the rest EINVAL");
	OK(consistent(), "protocol: consistent");
}

/* ---- rings: a guest's page in this process, its event channel faked ---- */

struct fake {
	struct xenstore_domain_interface *intf;
	long events;
	bool gone, dead, closed;
	unsigned int notified;
};

static struct fake fk;

static void fk_notify(void *priv)
{
	((struct fake *)priv)->notified++;
}

static long fk_events(void *priv)
{
	struct fake *f = priv;
	long n = f->events;

	if (f->gone || f->dead)
		return -1;
	f->events = 0;
	return n;
}

static int fk_probe(void *priv)
{
	return ((struct fake *)priv)->dead ? -ESRCH : 0;
}

static int fk_fd(void *priv)
{
	(void)priv;
	return -1;
}

static void fk_close(void *priv, struct xenstore_domain_interface *intf)
{
	struct fake *f = priv;

	free(intf);
	f->intf = NULL;
	f->closed = true;
}

static const struct xs_ring_ops fake_ops = {
	.notify = fk_notify,
	.events = fk_events,
	.probe = fk_probe,
	.fd = fk_fd,
	.close = fk_close,
};

#define VOL(x)		(*(volatile __typeof__(x) *)&(x))

/* The guest, as a well-behaved producer: all of @p or nothing. */
static bool g_put(const void *p, size_t len)
{
	struct xenstore_domain_interface *intf = fk.intf;
	XENSTORE_RING_IDX prod = VOL(intf->req_prod);
	const char *s = p;

	if (XENSTORE_RING_SIZE - (prod - VOL(intf->req_cons)) < len)
		return false;
	while (len--)
		intf->req[MASK_XENSTORE_IDX(prod++)] = *s++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	VOL(intf->req_prod) = prod;
	return true;
}

static bool g_req(uint32_t type, uint32_t id, const void *payload,
		  unsigned int len)
{
	char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX + 8];
	struct xsd_sockmsg h = { type, id, 0, len };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	return g_put(buf, sizeof(h) + len);
}

/* What the guest has read of rsp[], not yet taken apart. */
static char gin[16384];
static size_t gin_len;

static size_t g_read(void)
{
	struct xenstore_domain_interface *intf = fk.intf;
	XENSTORE_RING_IDX cons = VOL(intf->rsp_cons);
	XENSTORE_RING_IDX prod = VOL(intf->rsp_prod);
	size_t n = 0;

	while (cons != prod && gin_len < sizeof(gin)) {
		gin[gin_len++] = intf->rsp[MASK_XENSTORE_IDX(cons++)];
		n++;
	}
	VOL(intf->rsp_cons) = cons;
	return n;
}

/* The next whole message the guest read: header and payload (NUL-ended). */
static bool g_msg(struct xsd_sockmsg *h, char *payload)
{
	size_t len;

	if (gin_len < sizeof(*h))
		return false;
	memcpy(h, gin, sizeof(*h));
	len = sizeof(*h) + h->len;
	if (gin_len < len)
		return false;
	memcpy(payload, gin + sizeof(*h), h->len);
	payload[h->len] = '\0';
	memmove(gin, gin + len, gin_len - len);
	gin_len -= len;
	return true;
}

/* The guest reads and takes the next reply: its type, or XS_INVALID. */
static uint32_t g_reply(char *payload)
{
	struct xsd_sockmsg h;

	g_read();
	return g_msg(&h, payload) ? h.type : XS_INVALID;
}

static struct xs_ring *ring9;

/* A dom0 write that leaves the domains' output queued, as wr() does not. */
static void wr_queued(const char *path, const char *val)
{
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, 0 };
	char buf[256];

	h.len = strlen(path) + 1 + strlen(val);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), path, strlen(path) + 1);
	memcpy(buf + sizeof(h) + strlen(path) + 1, val, strlen(val));
	xs_input(dom0, buf, sizeof(h) + h.len);
	drain(dom0);
}

/* Domain 9, introduced, with a ring over a page its guest scribbled on. */
static void attach_ring(void)
{
	make_home(9);
	introduce(9);
	memset(&fk, 0, sizeof(fk));
	fk.intf = xs_zalloc(sizeof(*fk.intf));
	fk.intf->req_cons = 3;
	fk.intf->req_prod = 77;
	fk.intf->rsp_prod = 12;
	fk.intf->error = 9;
	fk.intf->connection = XENSTORE_RECONNECT;
	gin_len = 0;
	ring9 = xs_ring_new(domain_conn(9), fk.intf, &fake_ops, &fk);
}

static bool ring_idle(void)
{
	const struct xenstore_domain_interface *i = fk.intf;

	return i->req_cons == i->req_prod && i->rsp_cons == i->rsp_prod;
}

static void test_ring(void)
{
	struct xenstore_domain_interface *intf;
	char val[3001], got[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h;
	int i, rounds;
	bool ok;

	attach_ring();
	intf = fk.intf;
	OK(intf->server_features == (XENSTORE_SERVER_FEATURE_RECONNECTION |
				     XENSTORE_SERVER_FEATURE_ERROR) &&
	   intf->req_cons == 0 && intf->req_prod == 0 && intf->rsp_prod == 0 &&
	   intf->error == XENSTORE_ERROR_NONE &&
	   intf->connection == XENSTORE_CONNECTED && fk.notified == 1,
	   "ring: attached with features, empty, reconnection answered");

	wr(dom0, 0, "/local/domain/9/name", "guest");
	fk.notified = 0;
	ok = g_req(XS_READ, 1, "name", 5) && g_req(XS_READ, 2, "name", 5) &&
	     g_req(XS_READ, 3, "name", 5);
	xs_ring_serve(ring9);
	g_read();
	for (i = 1; i <= 3 && ok; i++)
		ok = g_msg(&h, got) && h.type == XS_READ &&
		     h.req_id == (uint32_t)i && !strcmp(got, "guest");
	OK(ok && fk.notified == 1 && ring_idle(),
	   "ring: three requests in one event, three replies, one event");

	intf->req_cons = intf->req_prod = 0xfffffff0U;
	intf->rsp_cons = intf->rsp_prod = 0xfffffff8U;
	ok = g_req(XS_WRITE, 4, "wrap\0across-the-end-of-the-ring", 32);
	xs_ring_serve(ring9);
	ok &= g_reply(got) == XS_WRITE && !strcmp(got, "OK");
	ok &= g_req(XS_READ, 5, "wrap", 5);
	xs_ring_serve(ring9);
	OK(ok && g_reply(got) == XS_READ &&
	   !strcmp(got, "across-the-end-of-the-ring") && ring_idle() &&
	   intf->req_prod < 0x100,
	   "ring: requests and replies across the wrap point and 2^32");

	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	wr(dom0, 0, "/local/domain/9/big", val);
	g_req(XS_READ, 6, "big", 4);
	rounds = 0;
	ok = true;
	do {
		xs_ring_serve(ring9);
		ok &= intf->rsp_prod - intf->rsp_cons <= XENSTORE_RING_SIZE;
		g_read();
	} while (!g_msg(&h, got) && ++rounds < 10);
	OK(ok && rounds == 2 && h.type == XS_READ && h.len == 3000 &&
	   !strcmp(got, val),
	   "ring: a 3000-byte reply waits for room, resumes as it is read");

	/* A guest that writes requests and never reads a reply. */
	for (rounds = 0; rounds < 200; rounds++) {
		while (g_req(XS_READ, 7, "name", 5))
			;
		if (xs_ring_serve(ring9))
			break;
	}
	OK(rounds == 200 && intf->rsp_prod - intf->rsp_cons ==
	   XENSTORE_RING_SIZE && domain_conn(9)->replies <=
	   xs.q.outstanding && !xs_want(domain_conn(9)) &&
	   intf->req_prod - intf->req_cons > XENSTORE_RING_SIZE - 21,
	   "ring: a guest that never reads is not read from (%u replies "
	   "held)", domain_conn(9)->replies);
	for (rounds = 0; rounds < 400 && !ring_idle(); rounds++) {
		gin_len = 0;
		g_read();
		xs_ring_serve(ring9);
	}
	gin_len = 0;
	OK(ring_idle() && !domain_conn(9)->out,
	   "ring: it reads, all is answered (%d turns)", rounds);

	wr(dom0, 0, "/local/domain/0/be9", "1");
	req(dom0, XS_SET_PERMS, 0, 3, "/local/domain/0/be9", "n0", "r9");
	g_req(XS_WATCH, 8, "/local/domain/0/be9\0tk", 23);
	xs_ring_serve(ring9);
	ok = g_reply(got) == XS_WATCH && g_reply(got) == XS_WATCH_EVENT;
	fk.notified = 0;
	wr_queued("/local/domain/0/be9", "2");
	xs_ring_flush(ring9);
	g_read();
	OK(ok && fk.notified == 1 && g_msg(&h, got) &&
	   h.type == XS_WATCH_EVENT && h.len == 23 &&
	   !memcmp(got, "/local/domain/0/be9\0tk", 23),
	   "ring: a watch event goes out through the ring, with an event");
	OK(consistent(), "ring: consistent");
}

/* Indexes a hostile guest broke: as Xen 4.17, error set, nothing served. */
static void test_ring_broken(void)
{
	struct xenstore_domain_interface *intf = fk.intf;
	char got[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h = { XS_READ, 1, 0, 5000 };
	XENSTORE_RING_IDX cons;
	unsigned int n;
	int i;

	g_req(XS_READ, 9, "name", 5);
	intf->req_prod += 2000;
	cons = intf->req_cons;
	n = fk.notified;
	for (i = 0; i < 10; i++)
		xs_ring_serve(ring9);
	OK(intf->error == XENSTORE_ERROR_RINGIDX &&
	   ring9->state == XS_RING_BROKEN && intf->req_cons == cons &&
	   fk.notified == n && !domain_conn(9)->nwatches &&
	   xs_is_introduced(&xs, 9) && consistent(),
	   "ring broken: req indexes: error RINGIDX, watches gone, "
	   "nothing read, the domain stays");
	intf->connection = XENSTORE_RECONNECT;
	xs_ring_serve(ring9);
	gin_len = 0;
	g_req(XS_READ, 10, "name", 5);
	xs_ring_serve(ring9);
	OK(intf->connection == XENSTORE_CONNECTED && !intf->error &&
	   fk.notified == n + 2 && g_reply(got) == XS_READ &&
	   !strcmp(got, "guest"),
	   "ring: the guest's reconnection serves it again");

	g_req(XS_READ, 11, "name", 5);
	intf->rsp_cons = intf->rsp_prod + 5000;
	xs_ring_serve(ring9);
	OK(intf->error == XENSTORE_ERROR_RINGIDX &&
	   ring9->state == XS_RING_BROKEN && !domain_conn(9)->out,
	   "ring broken: rsp indexes, output dropped");
	intf->connection = XENSTORE_RECONNECT;
	xs_ring_serve(ring9);
	gin_len = 0;
	g_put(&h, sizeof(h));
	xs_ring_serve(ring9);
	OK(intf->error == XENSTORE_ERROR_PROTO &&
	   ring9->state == XS_RING_BROKEN,
	   "ring broken: a payload over XENSTORE_PAYLOAD_MAX: error PROTO");
	OK(ok_(req(dom0, XS_INTRODUCE, 0, 3, "9", "0x1234", "5"),
	       XS_INTRODUCE) && ring9->state == XS_RING_BROKEN,
	   "ring: INTRODUCE without fds leaves the ring to its transport");
	xs_ring_restart(ring9);
	g_req(XS_READ, 12, "name", 5);
	xs_ring_serve(ring9);
	OK(!intf->error && g_reply(got) == XS_READ,
	   "ring: restarted (a second INTRODUCE), served again");
}

struct flood {
	volatile bool stop;
	unsigned long sent;
};

/* A guest on another CPU that keeps the ring full as fast as it can. */
static void *flood_guest(void *arg)
{
	struct flood *fl = arg;

	while (!fl->stop) {
		if (g_req(XS_READ, 1, "name", 5))
			fl->sent++;
		g_read();
		gin_len = 0;
	}
	return NULL;
}

static void test_ring_flood(void)
{
	struct xenstore_domain_interface *intf = fk.intf;
	struct flood fl = { false, 0 };
	XENSTORE_RING_IDX before;
	unsigned long most = 0, busy = 0;
	pthread_t t;
	int i;

	if (pthread_create(&t, NULL, flood_guest, &fl)) {
		OK(false, "ring flood: no thread");
		return;
	}
	/* Until it has sent plenty, or for 20000 turns at least. */
	for (i = 0; i < 20000 || (fl.sent < 5000 && i < 20000000); i++) {
		before = VOL(intf->req_cons);
		busy += xs_ring_serve(ring9);
		if (VOL(intf->req_cons) - before > most)
			most = VOL(intf->req_cons) - before;
	}
	fl.stop = true;
	pthread_join(t, NULL);
	OK(most <= XS_RING_BUDGET && fl.sent > 0,
	   "ring flood: at most %d request bytes a turn (took %lu; %lu "
	   "requests, %lu turns said more waits)", XS_RING_BUDGET, most,
	   fl.sent, busy);
	for (i = 0; i < 100 && !ring_idle(); i++) {
		g_read();
		gin_len = 0;
		xs_ring_serve(ring9);
	}
	OK(ring_idle(), "ring flood: all answered afterwards");
}

/* The guest asks @asks times in a row; how many the daemon answered. */
static int reconnect_asks(int asks)
{
	int answered = 0;

	while (asks--) {
		VOL(fk.intf->connection) = XENSTORE_RECONNECT;
		xs_ring_serve(ring9);
		answered += VOL(fk.intf->connection) == XENSTORE_CONNECTED;
	}
	return answered;
}

/*
 * A guest that asks for reconnections as fast as it can: a burst, then
 * 10 a second; one past its budget waits, untouched, and is answered.
 */
static void test_ring_reconnect(void)
{
	struct xenstore_domain_interface *intf = fk.intf;
	char got[XENSTORE_PAYLOAD_MAX + 1];
	XENSTORE_RING_IDX cons, prod;
	bool stopped_never, deferred;
	struct xsd_sockmsg h = { XS_READ, 1, 0, 5 };
	char read_name[sizeof(h) + 5];
	unsigned char step;
	unsigned int n;
	uint64_t t0;
	int answered, i;

	xs.now_ms += 10 * 1000;	/* a full budget, whatever came before */
	t0 = xs.now_ms;
	n = fk.notified;
	answered = reconnect_asks(1000);
	OK(answered == XS_RECONNECT_BURST &&
	   fk.notified == n + XS_RECONNECT_BURST &&
	   intf->connection == XENSTORE_RECONNECT && ring9->deferred &&
	   xs_ring_deferred_until(ring9) == t0 + XS_RECONNECT_MS,
	   "reconnect: 1000 asked at once, %d answered, the next deferred "
	   "%d ms", answered, XS_RECONNECT_MS);

	/* Meanwhile it writes a request, and an event is queued for it. */
	gin_len = 0;
	g_req(XS_READ, 20, "name", 5);
	xs_queue_event(domain_conn(9), NULL, "/local/domain/9/name", "tk");
	cons = intf->req_cons;
	prod = intf->rsp_prod;
	xs.now_ms = t0 + XS_RECONNECT_MS - 1;
	for (i = 0; i < 100; i++) {
		xs_ring_serve(ring9);
		xs_ring_flush(ring9);
	}
	OK(intf->connection == XENSTORE_RECONNECT && intf->req_cons == cons &&
	   intf->rsp_prod == prod && fk.notified == n + XS_RECONNECT_BURST &&
	   domain_conn(9)->out,
	   "reconnect: deferred, the ring is neither read nor written");
	xs.now_ms = t0 + XS_RECONNECT_MS;
	xs_ring_serve(ring9);
	OK(intf->connection == XENSTORE_CONNECTED && !ring9->deferred &&
	   xs_ring_deferred_until(ring9) == XS_NEVER &&
	   fk.notified == n + XS_RECONNECT_BURST + 1 && ring_idle() &&
	   !domain_conn(9)->out,
	   "reconnect: the deferred one answered once a token is back");
	g_req(XS_READ, 21, "name", 5);
	xs_ring_serve(ring9);
	OK(g_reply(got) == XS_READ && !strcmp(got, "guest"),
	   "reconnect: served after it");

	/* A second of asking at every turn, a turn each millisecond. */
	answered = 0;
	for (i = 1; i <= 1000; i++) {
		xs.now_ms = t0 + XS_RECONNECT_MS + i;
		answered += reconnect_asks(5);
	}
	OK(answered == 1000 / XS_RECONNECT_MS,
	   "reconnect: 5000 asked in a second, %d answered (%d a second)",
	   answered, 1000 / XS_RECONNECT_MS);

	/* The last one waits; the port closes: nothing to wake up for. */
	deferred = ring9->deferred;
	fk.gone = true;
	xs_ring_event(ring9);
	stopped_never = xs_ring_deferred_until(ring9) == XS_NEVER;
	fk.gone = false;
	OK(deferred && stopped_never && !xs_resume(&xs, 9) &&
	   xs_ring_deferred_until(ring9) == xs.now_ms + XS_RECONNECT_MS,
	   "reconnect: a stopped ring's deferred one waits for RESUME");
	VOL(intf->connection) = XENSTORE_CONNECTED;
	gin_len = 0;
	g_req(XS_READ, 22, "name", 5);
	xs_ring_serve(ring9);
	OK(!ring9->deferred && g_reply(got) == XS_READ,
	   "reconnect: a guest that takes its request back is served");
	xs.now_ms += 10 * 1000;

	/*
	 * For the fuzzer: a burst, a deferral with a request waiting, the
	 * clock moved on (in 4 ms steps) and the deferred one answered, the
	 * request again, a second later another.
	 */
	memcpy(read_name, &h, sizeof(h));
	memcpy(read_name + sizeof(h), "name", 5);
	for (i = 0; i < XS_RECONNECT_BURST + 1; i++)
		record_action(1, 4, NULL, 0);
	record_action(1, 0, read_name, sizeof(read_name));
	step = XS_RECONNECT_MS / 4;
	record_action(1, 9, &step, 1);
	record_action(1, 0, read_name, sizeof(read_name));
	record_action(2, 4, NULL, 0);
	record_action(1, 9, NULL, 0);
	record_action(1, 4, NULL, 0);
}

/* The event channel's end: a closed port stops the ring, death releases. */
static void test_ring_end(void)
{
	char got[XENSTORE_PAYLOAD_MAX + 1];
	XENSTORE_RING_IDX cons;

	fk.events = 1 << 20;
	OK(xs_ring_event(ring9) == XS_RING_OK && !fk.events &&
	   ring9->state == XS_RING_LIVE,
	   "ring: a flood of events is one read");
	fk.gone = true;
	g_req(XS_READ, 13, "name", 5);
	cons = fk.intf->req_cons;
	OK(xs_ring_event(ring9) == XS_RING_OK &&
	   ring9->state == XS_RING_STOPPED && !xs_ring_serve(ring9) &&
	   fk.intf->req_cons == cons,
	   "ring: the guest closed its port: stopped, not dead");
	fk.gone = false;
	OK(ok_(req(dom0, XS_RESUME, 0, 1, "9"), XS_RESUME) &&
	   ring9->state == XS_RING_LIVE && !xs_ring_serve(ring9) &&
	   g_reply(got) == XS_READ,
	   "ring: RESUME serves it again");
	req(dom0, XS_WATCH, 0, 2, "@releaseDomain", "rel");
	nevents = 0;
	fk.dead = true;
	OK(xs_ring_event(ring9) == XS_RING_DEAD, "ring: death is seen");
	/* What the daemon's loop does then. */
	OK(!xs_release(&xs, 9) && fk.closed && !xs_is_introduced(&xs, 9) &&
	   read_err(dom0, "/local/domain/9", "ENOENT") &&
	   (drain(dom0), has_event("@releaseDomain", "rel")) && consistent(),
	   "ring: a dead domain is released: ring closed, nodes gone, "
	   "@releaseDomain");
	req(dom0, XS_UNWATCH, 0, 2, "@releaseDomain", "rel");
	req(dom0, XS_RM, 0, 1, "/local/domain/0/be9");
	ring9 = NULL;
}

/* ---- INTRODUCE's fds, over a socketpair ---- */

static int fds_seen, fds_cloexec;

static int take_fds_hook(struct xs_daemon *d, struct xs_domain *dom,
			 int *fds)
{
	int i;

	(void)d;
	(void)dom;
	hook_calls++;
	for (i = 0; fds && i < XS_CONN_FDS; i++) {
		fds_seen++;
		fds_cloexec += fcntl(fds[i], F_GETFD) == FD_CLOEXEC;
		close(fds[i]);
		fds[i] = -1;
	}
	return 0;
}

/* Sends @len bytes with @n fds; NULL buf: a request of @payload. */
static bool send_fds(int sock, const void *buf, size_t len, const int *fds,
		     int n)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (n) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	}
	return sendmsg(sock, &mh, 0) == (ssize_t)len;
}

/* @n pipes; their write ends in w[], to send; the read ends kept. */
static int pipes_r[8];

static void make_pipes(int *w, int n)
{
	int p[2], i;

	for (i = 0; i < n; i++) {
		if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
			abort();
		pipes_r[i] = p[0];
		w[i] = p[1];
	}
}

/* Were all copies of the write ends closed (ours after sending)? */
static bool pipes_closed(const int *w, int n)
{
	bool closed = true;
	char c;
	int i;

	for (i = 0; i < n; i++) {
		close(w[i]);
		closed &= read(pipes_r[i], &c, 1) == 0;
		close(pipes_r[i]);
	}
	return closed;
}

/* Sends a request of @n strings with @nfds fds; the reply's type. */
static uint32_t sock_req(int sv[2], struct xs_conn *c, const int *fds,
			 int nfds, bool split, uint32_t type, int n, ...)
{
	char buf[256];
	struct xsd_sockmsg h = { type, 1, 0, 0 };
	const char *s;
	va_list ap;
	int i;

	va_start(ap, n);
	while (n--) {
		s = va_arg(ap, const char *);
		memcpy(buf + sizeof(h) + h.len, s, strlen(s) + 1);
		h.len += strlen(s) + 1;
	}
	va_end(ap);
	memcpy(buf, &h, sizeof(h));
	if (split) {
		send_fds(sv[0], buf, sizeof(h), fds, nfds);
		send_fds(sv[0], buf + sizeof(h), h.len, NULL, 0);
	} else {
		send_fds(sv[0], buf, sizeof(h) + h.len, fds, nfds);
	}
	rhdr.type = XS_INVALID;
	for (i = 0; i < 4 && !c->out; i++)
		if (!xs_sock_read(sv[1], c))
			return XS_INVALID;
	drain(c);
	return rhdr.type;
}

static int refuse_hook(struct xs_daemon *d, struct xs_domain *dom, int *fds)
{
	(void)d;
	(void)dom;
	return fds ? EINVAL : 0;
}

/*
 * Only fds a request brought are closed: never fd 0 of a connection that
 * had none, never numbers closed already and since reused (a truncated
 * SCM_RIGHTS, at the fd limit, brings none but says too many).
 */
static void test_sock_stale_fds(void)
{
	struct xs_conn *c = xs_conn_new(&xs, 0, true);
	int saved = dup(0), p[2], w[2];
	bool open0, reused_open;

	if (saved < 0 || pipe(p)) {
		OK(false, "stale fds: no fds");
		return;
	}
	dup2(p[0], 0);
	c->nfds = XS_CONN_FDS + 1;
	xs_sock_close_fds(c);
	open0 = fcntl(0, F_GETFD) != -1;
	dup2(saved, 0);
	close(saved);
	close(p[0]);
	close(p[1]);
	OK(open0, "stale fds: a truncated none closes nothing (fd 0 stays)");

	make_pipes(w, 2);
	c->fds[0] = w[0];
	c->fds[1] = w[1];
	c->nfds = 2;
	xs_sock_close_fds(c);	/* closed: their numbers are free now */
	make_pipes(w, 2);	/* and taken again, by others' fds */
	c->nfds = XS_CONN_FDS + 1;
	xs_sock_close_fds(c);
	reused_open = fcntl(w[0], F_GETFD) != -1 && fcntl(w[1], F_GETFD) != -1;
	pipes_closed(w, 2);	/* ours: closed now */
	OK(reused_open,
	   "stale fds: numbers closed before and reused are left alone");
	xs_conn_free(c);

	/* A re-INTRODUCE whose fds are refused changes nothing. */
	xs.hooks.introduce = count_introduce;
	OK(!xs_introduce(&xs, 30, 0x10, 3, NULL), "reintroduce: first");
	OK(!xs_watch_add(xs_domain(&xs, 30, false)->conn, "/local/domain/30/x",
			 "t"), "reintroduce: a watch");
	xs.hooks.introduce = refuse_hook;
	w[0] = w[1] = -1;
	OK(xs_introduce(&xs, 30, 0x20, 9, w) == EINVAL &&
	   xs_domain(&xs, 30, false)->port == 3 &&
	   xs_domain(&xs, 30, false)->mfn == 0x10 &&
	   xs_domain(&xs, 30, false)->conn->nwatches == 1,
	   "reintroduce: refused fds leave the domain as it was");
	xs.hooks.introduce = count_introduce;
	req(dom0, XS_RELEASE, 0, 1, "30");
	OK(consistent(), "reintroduce: consistent");
}

static void test_sock_fds(void)
{
	struct xs_conn *c = xs_conn_new(&xs, 0, true);
	int sv[2], w[4];
	bool ok;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		OK(false, "fds: no socketpair");
		return;
	}
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	xs.hooks.introduce = take_fds_hook;
	make_pipes(w, 2);
	fds_seen = fds_cloexec = 0;
	ok = ok_(sock_req(sv, c, w, 2, false, XS_INTRODUCE, 3, "20", "0",
			  "3"), XS_INTRODUCE);
	OK(ok && fds_seen == 2 && fds_cloexec == 2 && pipes_closed(w, 2) &&
	   xs_is_introduced(&xs, 20),
	   "fds: INTRODUCE takes its two fds, close-on-exec");
	make_pipes(w, 2);
	fds_seen = 0;
	ok = ok_(sock_req(sv, c, w, 2, true, XS_INTRODUCE, 3, "21", "0",
			  "3"), XS_INTRODUCE);
	OK(ok && fds_seen == 2 && pipes_closed(w, 2),
	   "fds: sent with the header, the payload after: still its own");
	make_pipes(w, 1);
	ok = ok_(sock_req(sv, c, w, 1, false, XS_WRITE, 2, "/f", "1"),
		 XS_WRITE);
	OK(ok && pipes_closed(w, 1), "fds: on another request, closed");
	make_pipes(w, 1);
	fds_seen = 0;
	OK(is_err(sock_req(sv, c, w, 1, false, XS_INTRODUCE, 3, "22", "0",
			   "3"), "EINVAL") && pipes_closed(w, 1) &&
	   !xs_is_introduced(&xs, 22) && !fds_seen,
	   "fds: one is EINVAL, and closed");
	make_pipes(w, 3);
	OK(is_err(sock_req(sv, c, w, 3, false, XS_INTRODUCE, 3, "22", "0",
			   "3"), "EINVAL") && pipes_closed(w, 3) &&
	   !xs_is_introduced(&xs, 22) && !fds_seen,
	   "fds: three are EINVAL, all closed");
	OK(ok_(sock_req(sv, c, NULL, 0, false, XS_INTRODUCE, 3, "22", "0",
			"3"), XS_INTRODUCE) && !fds_seen &&
	   xs_is_introduced(&xs, 22) && !xs_ring_of(xs_domain(&xs, 22, false)),
	   "fds: INTRODUCE without fds is recorded, without a ring");
	xs.hooks.introduce = xs_ring_microv_introduce;
	make_pipes(w, 2);
	OK(is_err(sock_req(sv, c, w, 2, false, XS_INTRODUCE, 3, "23", "0",
			   "3"), "EINVAL") && pipes_closed(w, 2) &&
	   !xs_is_introduced(&xs, 23),
	   "fds: pipes are not microv's: the daemon's hook refuses, closes");
	xs.hooks.introduce = count_introduce;
	req(dom0, XS_RELEASE, 0, 1, "20");
	req(dom0, XS_RELEASE, 0, 1, "21");
	req(dom0, XS_RELEASE, 0, 1, "22");
	req(dom0, XS_RM, 0, 1, "/f");
	close(sv[0]);
	OK(!xs_sock_read(sv[1], c), "fds: the client's end is seen");
	close(sv[1]);
	xs_conn_free(c);
	OK(consistent(), "fds: consistent");
}

/* ---- INTRODUCE's fds must be microv's ---- */

static unsigned int ioctls;

/*
 * ioctl(), as the code under test calls it: counted, then made.  Being
 * the program's own, it comes before the C library's (and the
 * sanitizer's); nothing but ring_microv.c calls it here.
 */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	ioctls++;
	return syscall(SYS_ioctl, fd, req, arg);
}

static char last_log[256];

static void keep_log(const char *msg)
{
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

/* Fds this process has open (the directory's own counted each time). */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/*
 * Sends INTRODUCE of @domid with @fds (closing ours): true if it was
 * EINVAL, with no ioctl tried, all closed, and the log saying why.
 */
static bool refused(int sv[2], struct xs_conn *c, int *fds,
		    const char *domid)
{
	int before = open_fds() - 2;
	bool einval;

	ioctls = 0;
	last_log[0] = '\0';
	einval = is_err(sock_req(sv, c, fds, 2, false, XS_INTRODUCE, 3, domid,
				 "0", "3"), "EINVAL");
	close(fds[0]);
	close(fds[1]);
	if (!quiet && !strstr(last_log, "fds refused"))
		printf("# log: %s\n", last_log);
	return einval && !ioctls && open_fds() == before &&
	       strstr(last_log, "INTRODUCE's fds refused");
}

static void test_microv_fds(void)
{
	struct xs_conn *c = xs_conn_new(&xs, 0, true);
	char why[320];
	int sv[2], fd[2], sp[2], bad[2] = { -1, -1 };
	FILE *f = tmpfile();
	bool ok;

	OK(!xs_ring_microv_check_links(XS_GNTDEV_LINK, XS_EVTCHN_LINK),
	   "microv fds: a grant fd, then an event-channel fd");
	OK(xs_ring_microv_check_links(XS_EVTCHN_LINK, XS_GNTDEV_LINK) ==
	   EINVAL &&
	   xs_ring_microv_check_links(XS_GNTDEV_LINK, XS_GNTDEV_LINK) ==
	   EINVAL &&
	   xs_ring_microv_check_links(XS_EVTCHN_LINK, XS_EVTCHN_LINK) ==
	   EINVAL,
	   "microv fds: swapped, or two of a kind: EINVAL");
	OK(xs_ring_microv_check_links("anon_inode:microv-gntdev ",
				      XS_EVTCHN_LINK) == EINVAL &&
	   xs_ring_microv_check_links("anon_inode:microv-gntde",
				      XS_EVTCHN_LINK) == EINVAL &&
	   xs_ring_microv_check_links(XS_GNTDEV_LINK,
				      "anon_inode:[eventfd]") == EINVAL &&
	   xs_ring_microv_check_links("anon_inode:microv-console",
				      XS_EVTCHN_LINK) == EINVAL &&
	   xs_ring_microv_check_links(NULL, XS_EVTCHN_LINK) == EINVAL &&
	   xs_ring_microv_check_links(XS_GNTDEV_LINK, NULL) == EINVAL,
	   "microv fds: near misses, other anon inodes, no link: EINVAL");

	fd[0] = memfd_create("microv-gntdev", MFD_CLOEXEC);
	fd[1] = eventfd(0, EFD_CLOEXEC);
	OK(xs_ring_microv_check_fds(fd, why, sizeof(why)) == EINVAL &&
	   strstr(why, "/memfd:microv-gntdev") &&
	   strstr(why, "anon_inode:[eventfd]"),
	   "microv fds: a memfd named microv-gntdev, an eventfd: EINVAL");
	close(fd[0]);
	close(fd[1]);
	OK(xs_ring_microv_check_fds(bad, why, sizeof(why)) == EINVAL &&
	   strstr(why, "fd -1"), "microv fds: no fd: EINVAL");

	if (!f || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		OK(false, "microv fds: no socketpair or file");
		return;
	}
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	xs.hooks.introduce = xs_ring_microv_introduce;
	xs.hooks.log = keep_log;
	fd[0] = memfd_create("microv-gntdev", MFD_CLOEXEC);
	fd[1] = eventfd(0, EFD_CLOEXEC);
	OK(refused(sv, c, fd, "24") && !xs_is_introduced(&xs, 24),
	   "microv fds: INTRODUCE with a memfd and an eventfd: EINVAL, "
	   "no ioctl, both closed, not introduced");
	fd[0] = eventfd(0, EFD_CLOEXEC);
	fd[1] = memfd_create("microv-evtchn", MFD_CLOEXEC);
	OK(refused(sv, c, fd, "24") && !xs_is_introduced(&xs, 24),
	   "microv fds: ... the other way round too");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) {
		OK(false, "microv fds: no socketpair");
		return;
	}
	fd[0] = dup(fileno(f));
	fd[1] = sp[0];
	OK(refused(sv, c, fd, "24") && !xs_is_introduced(&xs, 24),
	   "microv fds: a regular file and a socket: the same");
	close(sp[1]);

	/* Introduced already (without a ring): refused, it stays as it was. */
	ok = ok_(sock_req(sv, c, NULL, 0, false, XS_INTRODUCE, 3, "25",
			  "0x10", "3"), XS_INTRODUCE) &&
	     !xs_watch_add(domain_conn(25), "/local/domain/25/x", "t");
	fd[0] = memfd_create("microv-gntdev", MFD_CLOEXEC);
	fd[1] = eventfd(0, EFD_CLOEXEC);
	OK(ok && refused(sv, c, fd, "25") && xs_is_introduced(&xs, 25) &&
	   xs_domain(&xs, 25, false)->mfn == 0x10 &&
	   domain_conn(25)->nwatches == 1 &&
	   !xs_ring_of(xs_domain(&xs, 25, false)),
	   "microv fds: a second INTRODUCE's refused: the domain as it was");

	xs.hooks.log = NULL;
	xs.hooks.introduce = count_introduce;
	req(dom0, XS_RELEASE, 0, 1, "25");
	fclose(f);
	close(sv[0]);
	close(sv[1]);
	xs_conn_free(c);
	OK(consistent(), "microv fds: consistent");
}

static void (*const groups[])(void) = {
	test_tree, test_directory_part, test_perms, test_watches,
	test_transactions, test_quotas, test_bounds, test_memory,
	test_backend, test_event_dedup, test_tx_work, test_special,
	test_domains, test_protocol, test_ring, test_ring_broken,
	test_ring_flood, test_ring_reconnect, test_ring_end, test_sock_fds,
	test_sock_stale_fds, test_microv_fds,
};

static int write_seeds(const char *dir)
{
	char path[4096];
	size_t i;

	quiet = true;
	setup();
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		trace_len = rtrace_len = 0;
		groups[i]();
		snprintf(path, sizeof(path), "%s/seed-%zu", dir, i);
		if (!write_file(path, trace, trace_len))
			return 1;
		snprintf(path, sizeof(path), "%s/seed-%zu-ring", dir, i);
		if (rtrace_len && !write_file(path, rtrace, rtrace_len))
			return 1;
	}
	xs_free(&xs);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
		return write_seeds(argv[2]);
	printf("TAP version 13\n");
	setup();
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		groups[i]();
	xs_free(&xs);
	printf("1..%d\n", nr_tests);
	return nr_failed ? 1 : 0;
}
