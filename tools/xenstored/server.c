// SPDX-License-Identifier: GPL-2.0
/*
 * microv-xenstored: the Unix socket libxenstore connects to.  One thread
 * and one poll() loop; every socket is non-blocking, so a client that
 * stops reading stalls only itself.  Socket clients are dom0: privileged.
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
#include <unistd.h>

#include "xenstored.h"

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

static void drop(struct client *cl, size_t *n, size_t i)
{
	close(cl[i].fd);
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

static bool take_input(struct client *cl)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t want = xs_want(cl->c);
	ssize_t n;

	if (!want)
		return true;
	n = recv(cl->fd, buf, want < sizeof(buf) ? want : sizeof(buf),
		 MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	return n > 0 && xs_input(cl->c, buf, n) >= 0;
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

static struct pollfd *poll_set(int lfd, struct client *cl, size_t n)
{
	struct pollfd *pfd = xs_zalloc((n + 1) * sizeof(*pfd));
	size_t len, i;

	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	for (i = 0; i < n; i++) {
		pfd[i + 1].fd = cl[i].fd;
		pfd[i + 1].events = (xs_want(cl[i].c) ? POLLIN : 0) |
				    (xs_output(cl[i].c, &len) ? POLLOUT : 0);
	}
	return pfd;
}

static void loop(struct xs_daemon *xs, int lfd, const sigset_t *mask)
{
	struct client *cl = NULL;
	size_t n = 0, cap = 0, i, nfds;
	struct pollfd *pfd;
	bool ok;

	while (!stopping) {
		pfd = poll_set(lfd, cl, n);
		nfds = n + 1;
		if (ppoll(pfd, nfds, NULL, mask) < 0) {
			free(pfd);
			continue;
		}
		/* Backwards: drop() moves the last client into slot i. */
		for (i = nfds - 1; i > 0; i--) {
			ok = !(pfd[i].revents & (POLLERR | POLLNVAL));
			if (ok && (pfd[i].revents & (POLLIN | POLLHUP)))
				ok = take_input(&cl[i - 1]);
			if (!ok)
				drop(cl, &n, i - 1);
		}
		/* Any request may have queued events for anyone. */
		for (i = n; i-- > 0;)
			if (!flush(&cl[i]))
				drop(cl, &n, i);
		if (pfd[0].revents & POLLIN)
			accept_client(xs, lfd, &cl, &n, &cap);
		free(pfd);
	}
	while (n)
		drop(cl, &n, n - 1);
	free(cl);
}

int xs_serve(struct xs_daemon *xs, const struct xs_server_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, mask;
	int lfd = listen_on(o->socket);

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
	loop(xs, lfd, &mask);
	close(lfd);
	unlink(o->socket);
	if (o->pid_file)
		unlink(o->pid_file);
	return 0;
}
