// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: a client of the host's xenstore daemon over Xen's socket
 * protocol (xen/io/xs_wire.h), the toolstack's side of the store; the
 * daemon (microv-xenstored) is started when none answers.
 *
 * Requests go one at a time, each waited for.  Watch events are only
 * counted: whoever set a watch looks again at what it watches.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uvctl.h"

#include <xen/io/xs_wire.h>

#define XS_DAEMON	"microv-xenstored"
#define XS_REPLY_MS	10000	/* a daemon this slow is stuck */

/*
 * Where xenstore clients look, as libxenstore does.  Not from the
 * environment of a setuid or setgid run: the socket gets a guest's ring.
 */
const char *uv_xs_socket(void)
{
	const char *p = secure_getenv("XENSTORED_PATH");

	return p && *p ? p : UV_XS_SOCKET;
}

static int dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/*
 * The daemon to start: $MICROV_XENSTORED, else the one beside this
 * program (a build tree, or bin/ and sbin/ of one prefix), else $PATH's.
 */
static const char *daemon_path(char *buf, size_t len)
{
	static const char *const beside[] = { "", "../sbin/" };
	const char *env = secure_getenv("MICROV_XENSTORED");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;
	size_t i;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			slash[1] = '\0';
			for (i = 0; i < UV_ARRAY_SIZE(beside); i++) {
				n = snprintf(buf, len, "%s%s" XS_DAEMON, exe,
					     beside[i]);
				if (n < (ssize_t)len && !access(buf, X_OK))
					return buf;
			}
		}
	}
	return XS_DAEMON;
}

/*
 * Runs the daemon, which binds the socket before it goes to the
 * background: once it exited, the socket answers (or another uvctl's
 * daemon won the race to it, which serves as well).
 */
static void start_daemon(const char *sock)
{
	char buf[PATH_MAX];
	const char *prog = daemon_path(buf, sizeof(buf));
	int status;
	pid_t pid;

	/* Said even without --verbose: a daemon now runs that did not. */
	fprintf(stderr, "uvctl: no xenstore daemon at %s: starting %s\n",
		sock, prog);
	pid = fork();
	if (pid < 0) {
		uv_err("cannot start %s: %s", prog, strerror(errno));
		return;
	}
	if (!pid) {
		sigset_t none;

		/*
		 * The daemon outlives this process: it takes none of its fds
		 * (a caller's leaked ones included), none of its blocked
		 * signals, and makes its socket root's alone from the start.
		 */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		umask(077);
		close_range(3, ~0U, 0);
		execlp(prog, prog, "--socket", sock, (char *)NULL);
		uv_err("cannot run %s: %s", prog, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/*
 * A guest's ring goes only to a daemon of root's or of this user's: any
 * user could listen at a path $XENSTORED_PATH names.
 */
static int peer_trusted(struct uv_xs *xs, const char *sock)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(xs->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		cred.uid = (uid_t)-1;
	if (cred.uid == 0 || cred.uid == geteuid())
		return 0;
	uv_err("the xenstore daemon at %s runs as user %d, neither root nor you: not trusted",
	       sock, (int)cred.uid);
	uv_xs_close(xs);
	return -1;
}

/**
 * uv_xs_open() - a connection to the host's xenstore daemon
 * @xs:    filled in
 * @start: start the daemon if none answers
 *
 * Return: 0, or -1 after a message.
 */
int uv_xs_open(struct uv_xs *xs, bool start)
{
	const char *sock = uv_xs_socket();

	xs->req_id = 0;
	xs->events = 0;
	xs->fd = dial(sock);
	if (xs->fd < 0 && start && (errno == ENOENT || errno == ECONNREFUSED)) {
		start_daemon(sock);
		xs->fd = dial(sock);
	}
	if (xs->fd >= 0)
		return peer_trusted(xs, sock);
	if (errno == EACCES)
		uv_err("xenstore daemon at %s: %s (the store is root's; as another user, set XENSTORED_PATH to a socket of your own)",
		       sock, strerror(errno));
	else
		uv_err("no xenstore daemon at %s: %s", sock, strerror(errno));
	return -1;
}

void uv_xs_close(struct uv_xs *xs)
{
	if (xs->fd >= 0)
		close(xs->fd);
	xs->fd = -1;
}

/* All of @len bytes, the first sendmsg() with @fds (SCM_RIGHTS) if any. */
static int send_all(int fd, struct iovec *iov, int iovcnt, const int *fds,
		    unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(UV_XS_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = iovcnt };
	struct cmsghdr *cm;
	ssize_t n;

	if (nfds) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	while (mh.msg_iovlen) {
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
		for (; mh.msg_iovlen && (size_t)n >= mh.msg_iov->iov_len;
		     mh.msg_iov++, mh.msg_iovlen--)
			n -= mh.msg_iov->iov_len;
		if (mh.msg_iovlen) {
			mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + n;
			mh.msg_iov->iov_len -= n;
		}
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* Exactly @len bytes, before @deadline (now_ms()'s clock). */
static int recv_all(int fd, void *buf, size_t len, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long long left;
	ssize_t n;
	int r;

	while (len) {
		left = deadline - now_ms();
		r = left > 0 ? poll(&p, 1, left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			return -ETIMEDOUT;
		n = read(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EPIPE;	/* the daemon went away */
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

/*
 * One message into @h and @buf (NUL-terminated), an event counted; the
 * connection closed if it breaks, its stream being out of step then.
 */
static int recv_msg(struct uv_xs *xs, struct xsd_sockmsg *h, char *buf,
		    long long deadline)
{
	int ret = recv_all(xs->fd, h, sizeof(*h), deadline);

	if (!ret && h->len > XENSTORE_PAYLOAD_MAX)
		ret = -EPROTO;
	if (!ret)
		ret = recv_all(xs->fd, buf, h->len, deadline);
	if (ret) {
		uv_xs_close(xs);
		return ret;
	}
	buf[h->len] = '\0';
	if (h->type == XS_WATCH_EVENT)
		xs->events++;
	return 0;
}

/* Xen's error names (XS_ERROR's payload) as errnos. */
static int error_of(const char *name)
{
	size_t i;

	for (i = 0; i < UV_ARRAY_SIZE(xsd_errors); i++)
		if (!strcmp(name, xsd_errors[i].errstring))
			return -xsd_errors[i].errnum;
	return -EIO;
}

/**
 * uv_xs_request() - one request, and its reply
 * @xs:      the connection
 * @type:    XS_*
 * @payload: its payload
 * @len:     of @payload, at most XENSTORE_PAYLOAD_MAX
 * @fds:     NULL, or UV_XS_FDS fds to pass along (INTRODUCE)
 * @reply:   NULL, or where the reply's payload goes, NUL-terminated
 * @size:    of @reply; a longer payload is cut
 *
 * Return: the reply's length, or the daemon's error as a negative errno,
 * or -ETIMEDOUT (no reply within XS_REPLY_MS, however many events came),
 * -EPIPE, -EPROTO: then the connection is closed.
 */
int uv_xs_request(struct uv_xs *xs, uint32_t type, const void *payload,
		  size_t len, const int *fds, char *reply, size_t size)
{
	struct xsd_sockmsg h = { .type = type, .req_id = ++xs->req_id,
				 .len = len };
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	long long deadline;
	int ret;

	if (xs->fd < 0)
		return -EPIPE;
	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	ret = send_all(xs->fd, iov, len ? 2 : 1, fds, fds ? UV_XS_FDS : 0);
	for (deadline = now_ms() + XS_REPLY_MS; !ret;) {
		ret = recv_msg(xs, &h, buf, deadline);
		if (!ret && h.type != XS_WATCH_EVENT && h.req_id == xs->req_id)
			break;
	}
	if (ret)
		return ret;
	if (h.type == XS_ERROR)
		return error_of(buf);
	if (h.type != type) {
		uv_xs_close(xs);
		return -EPROTO;
	}
	if (reply && size) {
		len = h.len < size ? h.len : size - 1;
		memcpy(reply, buf, len);
		reply[len] = '\0';
	}
	return h.len;
}

/* PATH\0VALUE, without a NUL after the value, as XS_WRITE wants. */
int uv_xs_write(struct uv_xs *xs, const char *path, const char *value)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	int n = snprintf(buf, sizeof(buf), "%s%c%s", path, '\0', value);

	if (n < 0 || n >= (int)sizeof(buf))
		return -E2BIG;
	n = uv_xs_request(xs, XS_WRITE, buf, n, NULL, NULL, 0);
	return n < 0 ? n : 0;
}

/**
 * uv_xs_printf() - write a node with a printf()ed value
 * @xs:   the connection
 * @dir:  the directory, or NULL: @node is the whole path
 * @node: the node below @dir
 * @fmt:  the value's format
 *
 * Return: 0, -E2BIG if the path or value does not fit a request (nothing
 * is written then), or the daemon's error.
 */
int uv_xs_printf(struct uv_xs *xs, const char *dir, const char *node,
		 const char *fmt, ...)
{
	char path[XENSTORE_ABS_PATH_MAX + 1], val[XENSTORE_PAYLOAD_MAX];
	va_list ap;
	int n;

	n = dir ? snprintf(path, sizeof(path), "%s/%s", dir, node) :
		  snprintf(path, sizeof(path), "%s", node);
	if (n < 0 || n >= (int)sizeof(path))
		return -E2BIG;
	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(val))
		return -E2BIG;
	return uv_xs_write(xs, path, val);
}

/* The value at @path in @buf (@size bytes); its length or -errno. */
int uv_xs_read(struct uv_xs *xs, const char *path, char *buf, size_t size)
{
	return uv_xs_request(xs, XS_READ, path, strlen(path) + 1, NULL, buf,
			     size);
}

int uv_xs_rm(struct uv_xs *xs, const char *path)
{
	int n = uv_xs_request(xs, XS_RM, path, strlen(path) + 1, NULL, NULL,
			      0);

	return n < 0 ? n : 0;
}

/*
 * @path's permissions, in xenstore-chmod's words: @owner's node, @others
 * what everyone else may do ('n', 'r', 'w' or 'b'), and @reader, unless
 * it is -1, one more domain that may read it.
 */
int uv_xs_set_perms(struct uv_xs *xs, const char *path, unsigned int owner,
		    char others, int reader)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	int n = snprintf(buf, sizeof(buf), "%s%c%c%u%c", path, '\0', others,
			 owner, '\0');

	if (n > 0 && n < (int)sizeof(buf) && reader >= 0)
		n += snprintf(buf + n, sizeof(buf) - n, "r%d%c", reader,
			      '\0');
	if (n < 0 || n >= (int)sizeof(buf))
		return -E2BIG;
	n = uv_xs_request(xs, XS_SET_PERMS, buf, n, NULL, NULL, 0);
	return n < 0 ? n : 0;
}

/* The names below @path, each NUL-terminated, in @buf; length or -errno. */
int uv_xs_directory(struct uv_xs *xs, const char *path, char *buf,
		    size_t size)
{
	return uv_xs_request(xs, XS_DIRECTORY, path, strlen(path) + 1, NULL,
			     buf, size);
}

/**
 * uv_xs_introduce() - XS_INTRODUCE, with the ring's fds (a microv
 * extension, Documentation/devices.rst)
 * @xs:    the connection
 * @domid: the domain
 * @gfn:   its ring's frame, for the record (the fd maps it)
 * @port:  its ring's event channel, for the record
 * @fds:   the grant fd and the event-channel fd of the ring
 *
 * Return: 0, or the daemon's error as a negative errno.
 */
int uv_xs_introduce(struct uv_xs *xs, unsigned int domid, uint64_t gfn,
		    unsigned int port, const int fds[UV_XS_FDS])
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%u%c%llu%c%u%c", domid, '\0',
			 (unsigned long long)gfn, '\0', port, '\0');

	n = uv_xs_request(xs, XS_INTRODUCE, buf, n, fds, NULL, 0);
	return n < 0 ? n : 0;
}

/* 1 if the daemon has introduced @domid, 0 if not, or -errno. */
int uv_xs_introduced(struct uv_xs *xs, unsigned int domid)
{
	char buf[16], reply[4];
	int n = snprintf(buf, sizeof(buf), "%u%c", domid, '\0');

	n = uv_xs_request(xs, XS_IS_DOMAIN_INTRODUCED, buf, n, NULL, reply,
			  sizeof(reply));
	return n < 0 ? n : !strcmp(reply, "T");
}

int uv_xs_release(struct uv_xs *xs, unsigned int domid)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%u%c", domid, '\0');

	n = uv_xs_request(xs, XS_RELEASE, buf, n, NULL, NULL, 0);
	return n < 0 ? n : 0;
}

/* A watch on @path (and below it): events are counted in @xs->events. */
int uv_xs_watch(struct uv_xs *xs, const char *path, const char *token)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	int n = snprintf(buf, sizeof(buf), "%s%c%s%c", path, '\0', token,
			 '\0');

	if (n < 0 || n >= (int)sizeof(buf))
		return -E2BIG;
	n = uv_xs_request(xs, XS_WATCH, buf, n, NULL, NULL, 0);
	return n < 0 ? n : 0;
}

/**
 * uv_xs_take_events() - what the socket holds, with no request out: events
 * @xs: the connection
 *
 * Return: the events counted since the last call (the fired watch and
 * uv_xs_request()'s), or -EPIPE and the like when the connection broke.
 */
int uv_xs_take_events(struct uv_xs *xs)
{
	struct pollfd p = { .fd = xs->fd, .events = POLLIN };
	struct xsd_sockmsg h;
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	int ret, n;

	while ((ret = poll(&p, 1, 0)) > 0) {
		ret = recv_msg(xs, &h, buf, now_ms() + XS_REPLY_MS);
		if (ret)
			return ret;
	}
	if (ret < 0 && errno != EINTR)
		return -errno;
	n = xs->events;
	xs->events = 0;
	return n;
}
