// SPDX-License-Identifier: GPL-2.0
/*
 * microv-xenstored: the Unix socket libxenstore connects to, and the
 * guests' rings.  One thread and one poll() loop; every socket and event
 * channel is non-blocking, and each ring gets a bounded share of each
 * turn, so a client or guest that stops reading, or floods, stalls only
 * itself.  Socket clients are dom0: privileged.  A client's INTRODUCE may
 * carry the ring's fds (SCM_RIGHTS, Documentation/devices.rst).
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "xenstored.h"

/* fds one recvmsg() takes: more than INTRODUCE wants, to see extras. */
#define FDS_MAX		8
/* How often a ring whose port is closed is asked whether its domain died. */
#define PROBE_MS	1000

struct client {
	int fd;
	struct xs_conn *c;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void err_msg(const char *what, const char *path)
{
	fprintf(stderr, "microv-xenstored: %s %s: %s\n", what, path,
		strerror(errno));
}

/* mkdir -p of the directory holding @path. */
static int make_dirs(const char *path)
{
	char *dir = xs_strdup(path), *p;
	int ret = 0;

	for (p = dir + 1; (p = strchr(p, '/')) && !ret; p++) {
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			ret = -1;
		*p = '/';
	}
	if (ret)
		err_msg("cannot create the directory of", path);
	free(dir);
	return ret;
}

/* A socket nobody answers on is a dead daemon's: it may go. */
static int claim_path(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, busy;

	if (lstat(sa->sun_path, &st))
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	busy = !connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (busy) {
		errno = EADDRINUSE;
		return -1;
	}
	return unlink(sa->sun_path);
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	strcpy(sa.sun_path, path);
	if (make_dirs(path))
		return -1;
	if (claim_path(&sa))
		goto fail;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* As Xen's: the store is root's alone. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, 0600) || listen(fd, 64)) {
		close(fd);
		goto fail;
	}
	return fd;
fail:
	err_msg("cannot bind", path);
	return -1;
}

static int write_pid(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
		err_msg("cannot write", path);
		return -1;
	}
	return 0;
}

static int daemonize(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0) {
		err_msg("cannot fork", "into the background");
		return -1;
	}
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/"))
		return -1;
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	return 0;
}

/* Closes what came with a request and was not taken. */
void xs_sock_close_fds(struct xs_conn *c)
{
	unsigned int i;

	for (i = 0; i < XS_CONN_FDS; i++) {
		if (c->fds[i] >= 0)
			close(c->fds[i]);
		c->fds[i] = -1;
	}
	c->nfds = 0;
}

static void drop(struct client *cl, size_t *n, size_t i)
{
	close(cl[i].fd);
	xs_sock_close_fds(cl[i].c);
	xs_conn_free(cl[i].c);
	cl[i] = cl[--*n];
}

/* Writes what the connection has queued, as far as the socket takes it. */
static bool flush(struct client *cl)
{
	const void *p;
	size_t len;
	ssize_t n;

	while ((p = xs_output(cl->c, &len))) {
		n = send(cl->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		xs_consume(cl->c, n);
	}
	return true;
}

/* One fd of a request: kept if there is room, else closed; all counted. */
static void add_fd(struct xs_conn *c, int fd)
{
	if (c->nfds < XS_CONN_FDS)
		c->fds[c->nfds] = fd;
	else
		close(fd);
	if (c->nfds <= XS_CONN_FDS)
		c->nfds++;
}

/* The SCM_RIGHTS of a recvmsg(), for the request being read. */
static void take_fds(struct xs_conn *c, struct msghdr *mh)
{
	struct cmsghdr *cm;
	size_t i, n;
	int fd;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(fd));
			add_fd(c, fd);
		}
	}
	/*
	 * The kernel closed those that did not fit (or could not install
	 * them): the request is refused, and only fds stored are closed.
	 */
	if (mh->msg_flags & MSG_CTRUNC)
		c->nfds = XS_CONN_FDS + 1;
}

/*
 * Reads what the connection wants from a socket, with the fds that came
 * along: they belong to the request those bytes are part of, and are
 * closed once it is done unless it took them (INTRODUCE).  Reads stop at
 * a request's end (xs_want()), so fds never go with the wrong one.
 * Returns false if the client is gone or broke the protocol.
 */
bool xs_sock_read(int fd, struct xs_conn *c)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	union {
		char buf[CMSG_SPACE(FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	size_t want = xs_want(c);
	ssize_t n;
	int took;

	if (!want)
		return true;
	iov.iov_len = want < sizeof(buf) ? want : sizeof(buf);
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	take_fds(c, &mh);
	took = n > 0 ? xs_input(c, buf, n) : -1;
	/* Back at a header's start: the request is done. */
	if (took < 0 || (c->in_hdr && !c->in_used))
		xs_sock_close_fds(c);
	return took >= 0;
}

static void accept_client(struct xs_daemon *xs, int lfd, struct client **cl,
			  size_t *n, size_t *cap)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*cl = realloc(*cl, *cap * sizeof(**cl));
		if (!*cl)
			abort();
	}
	(*cl)[*n].fd = fd;
	(*cl)[(*n)++].c = xs_conn_new(xs, 0, true);
}

/* The rings polled in this turn, in order; their fds follow the clients'. */
struct rings {
	struct xs_ring **r;
	size_t n, cap;
	bool stopped;	/* some wait with their port closed */
};

static void list_rings(struct xs_daemon *xs, struct rings *rs)
{
	struct xs_domain *d;
	struct xs_ring *r;

	rs->n = 0;
	rs->stopped = false;
	for (d = xs->domains; d; d = d->next) {
		r = xs_ring_of(d);
		if (!r)
			continue;
		/* A closed port polls as POLLHUP for ever: not polled. */
		if (r->state == XS_RING_STOPPED) {
			rs->stopped = true;
			continue;
		}
		if (rs->n == rs->cap) {
			rs->cap = rs->cap ? rs->cap * 2 : 16;
			rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
			if (!rs->r)
				abort();
		}
		rs->r[rs->n++] = r;
	}
}

static struct pollfd *poll_set(int lfd, struct client *cl, size_t n,
			       const struct rings *rs)
{
	struct pollfd *pfd = xs_zalloc((n + rs->n + 1) * sizeof(*pfd));
	size_t len, i;

	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	for (i = 0; i < n; i++) {
		pfd[i + 1].fd = cl[i].fd;
		pfd[i + 1].events = (xs_want(cl[i].c) ? POLLIN : 0) |
				    (xs_output(cl[i].c, &len) ? POLLOUT : 0);
	}
	for (i = 0; i < rs->n; i++) {
		pfd[n + 1 + i].fd = rs->r[i]->ops->fd(rs->r[i]->priv);
		pfd[n + 1 + i].events = POLLIN;
	}
	return pfd;
}

/* As Xen when a domain dies: as if RELEASEd, @releaseDomain fired. */
static void domain_died(struct xs_daemon *xs, unsigned int domid)
{
	xs_log(xs, "domain %u died", domid);
	xs_release(xs, domid);
}

static void ring_events(struct xs_daemon *xs, const struct rings *rs,
			const struct pollfd *pfd)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (!pfd[i].revents)
			continue;
		/* Only its own ring goes: the others in rs stay valid. */
		if (xs_ring_event(rs->r[i]) == XS_RING_DEAD)
			domain_died(xs, rs->r[i]->conn->domid);
	}
}

/*
 * Every ring gets its bounded turn, then whatever later turns queued for
 * rings served before is flushed.  Returns true if a ring has more to do
 * at once; @wake: when the first deferred reconnection is due, or
 * XS_NEVER.  A guest's requests cannot release a domain: d stays.
 */
static bool serve_rings(struct xs_daemon *xs, uint64_t *wake)
{
	struct xs_domain *d;
	bool busy = false;
	uint64_t t;

	*wake = XS_NEVER;
	for (d = xs->domains; d; d = d->next)
		if (xs_ring_of(d))
			busy |= xs_ring_serve(xs_ring_of(d));
	for (d = xs->domains; d; d = d->next) {
		if (!xs_ring_of(d))
			continue;
		xs_ring_flush(xs_ring_of(d));
		t = xs_ring_deferred_until(xs_ring_of(d));
		*wake = t < *wake ? t : *wake;
	}
	return busy;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * How long the loop may sleep: not at all if a ring is @busy, else until
 * the first deferred reconnection is due (@wake), and at most PROBE_MS
 * if some ring's port is closed (@stopped).  NULL: until an fd wakes it.
 */
static struct timespec *sleep_for(struct timespec *ts, bool busy,
				  bool stopped, uint64_t wake)
{
	uint64_t ms = XS_NEVER, now = now_ms();

	if (busy)
		ms = 0;
	else if (wake != XS_NEVER)
		ms = wake > now ? wake - now : 0;
	if (stopped && ms > PROBE_MS)
		ms = PROBE_MS;
	if (ms == XS_NEVER)
		return NULL;
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = ms % 1000 * 1000000L;
	return ts;
}

/* Rings whose port is closed have no event: has their domain died? */
static void probe_stopped(struct xs_daemon *xs)
{
	struct xs_domain *d;
	struct xs_ring *r;

again:
	for (d = xs->domains; d; d = d->next) {
		r = xs_ring_of(d);
		if (r && r->state == XS_RING_STOPPED &&
		    xs_ring_probe(r) == XS_RING_DEAD) {
			domain_died(xs, d->domid);
			goto again;	/* the list changed */
		}
	}
}

static void loop(struct xs_daemon *xs, int lfd, const sigset_t *mask)
{
	struct rings rs = { NULL, 0, 0, false };
	struct client *cl = NULL;
	size_t n = 0, cap = 0, i, nfds;
	uint64_t last_probe = now_ms(), wake = XS_NEVER;
	struct timespec ts;
	struct pollfd *pfd;
	bool ok, busy = false;

	while (!stopping) {
		list_rings(xs, &rs);
		pfd = poll_set(lfd, cl, n, &rs);
		nfds = n + 1;
		if (ppoll(pfd, nfds + rs.n, sleep_for(&ts, busy, rs.stopped,
						      wake), mask) < 0) {
			free(pfd);
			continue;
		}
		/* The turn's time: new rings' and reconnections' budgets. */
		xs->now_ms = now_ms();
		ring_events(xs, &rs, pfd + nfds);
		/* Backwards: drop() moves the last client into slot i. */
		for (i = nfds - 1; i > 0; i--) {
			ok = !(pfd[i].revents & (POLLERR | POLLNVAL));
			if (ok && (pfd[i].revents & (POLLIN | POLLHUP)))
				ok = xs_sock_read(cl[i - 1].fd, cl[i - 1].c);
			if (!ok)
				drop(cl, &n, i - 1);
		}
		busy = serve_rings(xs, &wake);
		/* Any request may have queued events for anyone. */
		for (i = n; i-- > 0;)
			if (!flush(&cl[i]))
				drop(cl, &n, i);
		if (pfd[0].revents & POLLIN)
			accept_client(xs, lfd, &cl, &n, &cap);
		free(pfd);
		if (rs.stopped && now_ms() - last_probe >= PROBE_MS) {
			probe_stopped(xs);
			last_probe = now_ms();
		}
	}
	while (n)
		drop(cl, &n, n - 1);
	free(cl);
	free(rs.r);
}

int xs_serve(struct xs_daemon *xs, const struct xs_server_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, mask;
	int lfd;

	/* The socket is root's alone from its bind() on, not from chmod(). */
	umask(077);
	lfd = listen_on(o->socket);

	if (lfd < 0)
		return 1;
	if ((!o->foreground && daemonize()) ||
	    (o->pid_file && write_pid(o->pid_file))) {
		unlink(o->socket);
		return 1;
	}
	/* Signals arrive only inside ppoll(): no race with the loop's test. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Guests' rings; xs_free() releases those left at the end. */
	xs->hooks.introduce = xs_ring_microv_introduce;
	xs->hooks.release = xs_ring_release;
	xs->hooks.resume = xs_ring_resume;
	loop(xs, lfd, &mask);
	close(lfd);
	unlink(o->socket);
	if (o->pid_file)
		unlink(o->pid_file);
	return 0;
}
