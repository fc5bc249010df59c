// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: the guest's console on the user's terminal.
 *
 * The main thread sleeps in poll() on everything that can happen while
 * the guest runs: guest output on the console fd, the user's input on
 * stdin (with --hvc), a signal (through a signalfd), and a vCPU thread
 * ending (its done pipe).  Nothing here spins: the only timeout is a
 * 50 ms retry while typed input waits for room in the guest's console
 * ring, in case the module's console fd cannot report POLLOUT.
 *
 * With --hvc and a terminal on stdin, the terminal is put in raw mode so
 * that every key, Ctrl-C included, goes to the guest; Ctrl-] (0x1d) is
 * kept back and detaches, as in telnet and virsh console.  Output
 * post-processing stays on, so that a bare "\n" from the guest's early
 * output (port 0xe9) still starts a new line.  The terminal is restored
 * on every way out: the normal end, an error (atexit), a signal, a
 * detach.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "uvctl.h"

#define DETACH_CHAR	0x1d		/* Ctrl-] */
#define CHUNK		4096
#define RETRY_MS	50
#define DRAIN_MAX	(1 << 20)	/* a guest's last words, at most */

static struct termios saved_termios;
static bool term_is_raw;
static atomic_bool out_aborted;

/*
 * Where uv_out() also looks while it waits for stdout: the run's signalfd,
 * so that a signal is never stuck behind a stdout nobody reads.
 */
static int out_cancel_fd = -1;

/* The last byte uv_out() wrote, 0 before the first. */
static _Atomic char out_last;

void uv_out_cancel_on(int fd)
{
	out_cancel_fd = fd;
}

/**
 * uv_out() - guest output to stdout
 * @buf: the bytes
 * @len: how many
 *
 * Used by the vCPU threads (port 0xe9) and the console loop alike; each
 * write() is one call of at most PIPE_BUF bytes, so their bytes never
 * tear each other's.  It waits for stdout in poll(), never in write(), so
 * that a pending signal (the cancel fd) or a stop (uv_out_abort()) makes
 * it give up: the rest of the output is then dropped, as it is if stdout
 * goes away.  The guest must not stop for its console.
 */
void uv_out(const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		struct pollfd pfd[2] = {
			{ STDOUT_FILENO, POLLOUT, 0 },
			{ out_cancel_fd, POLLIN, 0 },
		};
		ssize_t n;

		if (atomic_load(&out_aborted))
			return;
		if (poll(pfd, out_cancel_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (pfd[1].revents & POLLIN)
			return;
		n = write(STDOUT_FILENO, p, len < PIPE_BUF ? len : PIPE_BUF);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return;
		atomic_store(&out_last, p[n - 1]);
		p += n;
		len -= n;
	}
}

/**
 * uv_out_end_line() - end the guest's last line before uvctl says more
 *
 * When stdout and stderr are one terminal, pipe or file, a guest's last
 * output without its newline would have uvctl's next message run on in
 * the same line.
 */
void uv_out_end_line(void)
{
	struct stat o, e;
	char last = atomic_load(&out_last);

	if (!last || last == '\n' || fstat(STDOUT_FILENO, &o) ||
	    fstat(STDERR_FILENO, &e) || o.st_dev != e.st_dev ||
	    o.st_ino != e.st_ino)
		return;
	uv_out("\n", 1);
}

/**
 * uv_out_abort() - let a uv_out() stuck on a full stdout give up
 *
 * A vCPU thread waiting for a stdout nobody reads would never see the
 * stop request: after this, the kick's EINTR makes it drop the rest.
 */
void uv_out_abort(void)
{
	atomic_store(&out_aborted, true);
}

/**
 * uv_term_raw() - put the terminal on stdin in raw mode
 *
 * Return: true if it is now raw (and uv_term_restore() will undo it),
 * false if stdin is no terminal.
 */
bool uv_term_raw(void)
{
	static bool registered;
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios))
		return false;
	raw = saved_termios;
	cfmakeraw(&raw);
	raw.c_oflag = saved_termios.c_oflag;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw))
		return false;
	term_is_raw = true;
	if (!registered) {
		atexit(uv_term_restore);
		registered = true;
	}
	return true;
}

void uv_term_restore(void)
{
	if (!term_is_raw)
		return;
	tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
	term_is_raw = false;
}

/**
 * struct input - what the user typed, on its way to the guest
 * @buf:        bytes not yet accepted by the console fd
 * @len:        how many
 * @eof:        stdin has ended: stop reading it
 * @dead:       the console takes no input: read stdin only to see Ctrl-]
 * @pollout_ok: the console fd's poll() can be trusted with POLLOUT
 */
struct input {
	unsigned char buf[CHUNK];
	size_t len;
	bool eof, dead, pollout_ok;
};

/* Guest output waiting on the console fd: to stdout. */
static bool console_read(struct uv_guest *g)
{
	char buf[CHUNK];
	ssize_t n = read(g->console, buf, sizeof(buf));

	if (n > 0) {
		uv_out(buf, n);
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n < 0)
		uv_err("reading the guest's console: %s", strerror(errno));
	return false;
}

/*
 * Read what the user typed.  Returns true on Ctrl-] from a terminal;
 * what came before it is still forwarded.  When the buffer is full (the
 * guest is not reading its console), a terminal is still read, for
 * Ctrl-], and the excess dropped, as a full UART would; a pipe or file
 * is simply not read until there is room, so none of it is lost.
 */
static bool stdin_read(struct input *in, bool tty)
{
	unsigned char scratch[CHUNK], *dst, *detach;
	size_t room = sizeof(in->buf) - in->len;
	ssize_t n;

	dst = room && !in->dead ? in->buf + in->len : scratch;
	n = read(STDIN_FILENO, dst, dst == scratch ? sizeof(scratch) : room);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	if (n <= 0) {
		in->eof = true;
		return false;
	}
	detach = tty ? memchr(dst, DETACH_CHAR, n) : NULL;
	if (detach)
		n = detach - dst;
	if (dst != scratch)
		in->len += n;
	return detach;
}

/*
 * The guest's console_io output, which Xen writes to its own log: on
 * stderr, each line with the domain's tag as there ("(d7) ").  Return:
 * what read() returned.
 */
static ssize_t hvlog_read(struct uv_guest *g)
{
	char buf[CHUNK], tag[24];
	ssize_t n = read(g->hvlog, buf, sizeof(buf)), i;

	if (n <= 0)
		return n;
	snprintf(tag, sizeof(tag), "(d%u) ", g->domid);
	for (i = 0; i < n; i++) {
		if (g->hvlog_bol)
			fputs(tag, stderr);
		fputc(buf[i], stderr);
		g->hvlog_bol = buf[i] == '\n';
	}
	fflush(stderr);
	return n;
}

/* Hand typed bytes to the console fd, as many as it takes now. */
static void stdin_flush(struct uv_guest *g, struct input *in, bool tty,
			bool woke_for_pollout)
{
	ssize_t n;

	if (in->dead) {
		in->len = 0;
		return;
	}
	n = write(g->console, in->buf, in->len);
	if (n > 0) {
		memmove(in->buf, in->buf + n, in->len - n);
		in->len -= n;
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		/* POLLOUT said yes and write() said no: poll no more for it. */
		if (woke_for_pollout)
			in->pollout_ok = false;
		return;
	}
	uv_err("the guest's console takes no input (%s): what you type is dropped%s",
	       n < 0 ? strerror(errno) : "nothing written",
	       tty ? "; Ctrl-] still detaches" : "");
	in->dead = true;
	in->len = 0;
}

/**
 * uv_console_loop() - run the console until the guest or the user ends it
 * @g:     the running guest
 * @hvc:   forward stdin to the guest's console
 * @sigfd: a signalfd for SIGINT, SIGTERM and SIGHUP
 * @signo: the signal, for UV_END_SIGNAL
 *
 * Return: why it ended.
 */
/**
 * uv_term_attach() - raw mode for the console of domain @domid, if stdin
 * is a terminal, and the way out said once
 * @domid: the domain
 */
void uv_term_attach(unsigned int domid)
{
	if (uv_term_raw())
		fprintf(stderr, "uvctl: console of domain %u: Ctrl-] detaches\n",
			domid);
}

/**
 * uv_console_signals() - signals for a console loop, before any thread
 *
 * Blocked in every thread (vCPU threads inherit the mask): SIGINT, SIGTERM
 * and SIGHUP reach the console loop through the returned signalfd only,
 * so the terminal is always restored; SIGUSR1 is unblocked by the vCPU
 * threads alone, for their kicks.  SIGPIPE is ignored: a closed stdout
 * must not kill uvctl with the terminal raw.
 *
 * Return: the signalfd, also cancelling stalled output; -1 after a message.
 */
int uv_console_signals(void)
{
	sigset_t sigs;
	int sigfd;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	sigdelset(&sigs, SIGUSR1);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sigfd < 0) {
		uv_err("signalfd: %s", strerror(errno));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	uv_out_cancel_on(sigfd);
	return sigfd;
}

enum uv_end uv_console_loop(struct uv_guest *g, bool hvc, int sigfd,
			    int *signo)
{
	struct input *in = calloc(1, sizeof(*in));
	bool tty = hvc && term_is_raw, console_open = g->console >= 0;
	bool hvlog_open = g->hvlog >= 0;
	enum uv_end end;

	if (!in) {
		uv_err("out of memory");
		return UV_END_ERROR;
	}
	in->pollout_ok = true;
	in->dead = !console_open;
	in->eof = !hvc;
	for (;;) {
		struct pollfd p[5];
		int n = 0, i_con = -1, i_in = -1, i_log = -1;
		bool detach = false, pollout = false;

		p[n++] = (struct pollfd){ g->done_pipe[0], POLLIN, 0 };
		p[n++] = (struct pollfd){ sigfd, POLLIN, 0 };
		if (console_open) {
			pollout = in->len && in->pollout_ok;
			i_con = n;
			p[n++] = (struct pollfd){
				g->console, POLLIN | (pollout ? POLLOUT : 0), 0
			};
		}
		if (hvlog_open) {
			i_log = n;
			p[n++] = (struct pollfd){ g->hvlog, POLLIN, 0 };
		}
		/*
		 * A full buffer or a console without input stops a pipe;
		 * a terminal is read anyway, for Ctrl-].
		 */
		if (!in->eof &&
		    (tty || (!in->dead && in->len < sizeof(in->buf)))) {
			i_in = n;
			p[n++] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
		}
		if (poll(p, n, in->len ? RETRY_MS : -1) < 0) {
			if (errno == EINTR)
				continue;
			uv_err("poll: %s", strerror(errno));
			end = UV_END_ERROR;
			break;
		}
		if (p[0].revents) {
			end = UV_END_GUEST;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				*signo = si.ssi_signo;
				end = UV_END_SIGNAL;
				break;
			}
		}
		if (i_con >= 0 &&
		    p[i_con].revents & (POLLIN | POLLERR | POLLHUP) &&
		    !console_read(g)) {
			console_open = false;
			in->dead = true;
			/* Attached to a domain run elsewhere: it is gone. */
			if (!g->nr_vcpus) {
				end = UV_END_GUEST;
				break;
			}
		}
		if (i_log >= 0 && p[i_log].revents) {
			ssize_t r = hvlog_read(g);

			/* Gone with the domain, or broken: read no more. */
			if (!r || (r < 0 && errno != EAGAIN && errno != EINTR))
				hvlog_open = false;
		}
		if (i_in >= 0 && p[i_in].revents)
			detach = stdin_read(in, tty);
		if (in->len)
			stdin_flush(g, in, tty, pollout && i_con >= 0 &&
				    (p[i_con].revents & POLLOUT));
		if (detach) {
			end = UV_END_DETACH;
			break;
		}
	}
	free(in);
	return end;
}

/**
 * uv_console_drain() - print what the guest wrote last
 * @g: the guest, its vCPUs stopped
 *
 * A guest's last words (a panic, "reboot: Power down") may still sit in
 * the console fd, or in the hypervisor log's, when its vCPU ends.
 */
void uv_console_drain(struct uv_guest *g)
{
	size_t total = 0;
	ssize_t r;

	while (g->hvlog >= 0 && total < DRAIN_MAX && (r = hvlog_read(g)) > 0)
		total += r;
	if (!g->hvlog_bol) {
		fputc('\n', stderr);
		g->hvlog_bol = true;
	}
	total = 0;

	while (g->console >= 0 && total < DRAIN_MAX) {
		char buf[CHUNK];
		ssize_t n = read(g->console, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		uv_out(buf, n);
		total += n;
	}
}
