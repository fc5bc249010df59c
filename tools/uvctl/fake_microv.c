// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for /dev/microv, preloaded (LD_PRELOAD) into a dynamic
 * build of uvctl, so that "uvctl run" can be tested on a machine that
 * must not load the module: the vCPU loop, every exit's exit status,
 * port 0xe9, the console fd both ways, signals and teardown.
 *
 * It answers open() of FAKE_MICROV_PATH ("/fake/microv") and the microv
 * ioctls on the fds it made (real eventfds and a socketpair, so that
 * poll() and close() need no faking).  MICROV_RUN plays a script from
 * $FAKE_SCRIPT, steps separated by ',':
 *
 *   e9:TEXT     one OUT to port 0xe9 per character ('_' is a space,
 *               '~' a newline)
 *   in:PORT     an IN (1 byte); the next RUN checks that uvctl answered
 *               0xff, and says on stderr if not
 *   out:PORT    an OUT of 0x5a; out:PORT=VAL an OUT of VAL
 *   con:TEXT    TEXT on the console fd ('_' and '~' as above), no exit
 *   echo:N      wait for N bytes of console input, then write them back
 *               as "got:BYTES~", no exit
 *   block       sleep in RUN until a signal (EINTR) or
 *               MICROV_DESTROY_DOMAIN (ESRCH)
 *   shutdown:R  MICROV_EXIT_SHUTDOWN with reason R
 *   hlt, triple, fail, internal, mmio:GPA, none   those exits
 *
 * MICROV_OPEN_CONSOLE knows domid 7 (see open_console()).  The xenstore
 * ring's ioctls (MICROV_GNTTAB_SEED, MICROV_EVTCHN_ALLOC_UNBOUND, which
 * gives port 5, MICROV_EVTCHN_BIND, MICROV_GET_GNTDEV and its
 * MICROV_GRANT_COPY, MICROV_SET_HVM_PARAM) succeed and are logged; the
 * fds they give are eventfds, which a real xenstore daemon cannot map.
 * Past the end of the script, RUN blocks.  $FAKE_NO_RINGS and
 * $FAKE_NO_MAP make MICROV_CONNECT_RING and MICROV_SET_MEMORY_MAP fail
 * with ENOTTY, as an older module does; $FAKE_DIAG makes MICROV_GET_DIAG
 * report three requests and 7 dropped (else none); $FAKE_HVLOG is the
 * guest's console_io output (hvlog_fd()).  $FAKE_LOG names a file that
 * gets one line per notable ioctl, for the test to check.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/microv.h>

#define FAKE_MICROV_PATH	"/fake/microv"
#define MAX_FD			1024

enum kind { NONE, DEV, DOM, VCPU, GNTDEV };

static enum kind kinds[MAX_FD];
static struct microv_run *run_area;
static int destroy_efd = -1, console_peer = -1;
static const char *script, *step;
static bool check_in;

static void fake_log(const char *fmt, ...)
{
	const char *path = getenv("FAKE_LOG");
	va_list ap;
	FILE *f;

	if (!path || !(f = fopen(path, "a")))
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static int new_fd(enum kind k)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	if (fd >= 0 && fd < MAX_FD)
		kinds[fd] = k;
	return fd;
}

static enum kind kind_of(int fd)
{
	return fd >= 0 && fd < MAX_FD ? kinds[fd] : NONE;
}

int open(const char *path, int flags, ...)
{
	static int (*real_open)(const char *, int, ...);
	va_list ap;
	mode_t mode;

	if (!strcmp(path, FAKE_MICROV_PATH))
		return new_fd(DEV);
	if (!real_open)
		real_open = dlsym(RTLD_NEXT, "open");
	va_start(ap, flags);
	mode = va_arg(ap, int);
	va_end(ap);
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
	__attribute__((alias("open")));

int close(int fd)
{
	static int (*real_close)(int);

	if (!real_close)
		real_close = dlsym(RTLD_NEXT, "close");
	if (fd >= 0 && fd < MAX_FD)
		kinds[fd] = NONE;
	return real_close(fd);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real_mmap)(void *, size_t, int, int, int, off_t);

	if (!real_mmap)
		real_mmap = dlsym(RTLD_NEXT, "mmap");
	if (kind_of(fd) == VCPU) {
		run_area = real_mmap(NULL, 4096, prot,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return run_area;
	}
	return real_mmap(addr, len, prot, flags, fd, off);
}

/* The next comma-separated step, copied into @buf. */
static bool next_step(char *buf, size_t size)
{
	size_t n;

	if (!step || !*step)
		return false;
	n = strcspn(step, ",");
	snprintf(buf, size, "%.*s", (int)n, step);
	step += n + (step[n] == ',');
	return true;
}

static void unescape(char *s)
{
	for (; *s; s++)
		*s = *s == '_' ? ' ' : *s == '~' ? '\n' : *s;
}

/*
 * MICROV_CONSOLE_HVLOG: $FAKE_HVLOG ('_' and '~' as above) as the guest's
 * console_io output, then end of file; without it, EINVAL (an older
 * module, which has no such fd).
 */
static int hvlog_fd(void)
{
	const char *text = getenv("FAKE_HVLOG");
	char buf[256];
	int p[2];

	if (!text) {
		errno = EINVAL;
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	unescape(buf);
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -1;
	if (write(p[1], buf, strlen(buf)) < 0) {
		close(p[0]);
		p[0] = -1;
	}
	close(p[1]);
	return p[0];
}

/* Sleep until a signal or the domain's destruction. */
static int block(void)
{
	struct pollfd p = { destroy_efd, POLLIN, 0 };

	if (poll(&p, 1, -1) < 0)
		return -1;		/* EINTR */
	errno = ESRCH;
	return -1;
}

static int destroyed(void)
{
	struct pollfd p = { destroy_efd, POLLIN, 0 };

	return poll(&p, 1, 0) == 1;
}

/* "e9:TEXT" spans several RUNs: the characters left. */
static char e9_left[256];

static int fake_run(void)
{
	struct microv_run *r = run_area;
	char buf[256];

	if (destroyed()) {
		errno = ESRCH;
		return -1;
	}
	if (check_in) {
		if (r->io.data != 0xff)
			fprintf(stderr, "fake: IN answered %#x, not 0xff\n",
				r->io.data);
		fake_log("in answered %#x", r->io.data);
		check_in = false;
	}
	memset(r, 0, sizeof(*r));
	for (;;) {
		if (e9_left[0]) {
			r->exit_reason = MICROV_EXIT_IO;
			r->io.direction = MICROV_IO_OUT;
			r->io.size = 1;
			r->io.port = 0xe9;
			r->io.data = (unsigned char)e9_left[0];
			memmove(e9_left, e9_left + 1, strlen(e9_left));
			return 0;
		}
		if (!next_step(buf, sizeof(buf)))
			return block();
		unescape(buf);
		if (!strncmp(buf, "e9:", 3)) {
			snprintf(e9_left, sizeof(e9_left), "%s", buf + 3);
		} else if (!strncmp(buf, "con:", 4)) {
			if (write(console_peer, buf + 4, strlen(buf + 4)) < 0)
				return -1;
		} else if (!strncmp(buf, "echo:", 5)) {
			size_t want = atoi(buf + 5), got = 0;
			char in[256];

			while (got < want) {
				ssize_t n = read(console_peer, in + got,
						 want - got);

				if (n <= 0)
					return -1;
				got += n;
			}
			if (write(console_peer, "got:", 4) < 0 ||
			    write(console_peer, in, got) < 0 ||
			    write(console_peer, "\n", 1) < 0)
				return -1;
		} else if (!strncmp(buf, "in:", 3) || !strncmp(buf, "out:", 4)) {
			bool in = buf[0] == 'i';
			char *end;

			r->exit_reason = MICROV_EXIT_IO;
			r->io.direction = in ? MICROV_IO_IN : MICROV_IO_OUT;
			r->io.size = 1;
			r->io.port = strtoul(buf + (in ? 3 : 4), &end, 0);
			r->io.data = in ? 0 : *end == '=' ?
				     strtoul(end + 1, NULL, 0) : 0x5a;
			check_in = in;
			return 0;
		} else if (!strcmp(buf, "block")) {
			return block();
		} else if (!strncmp(buf, "shutdown:", 9)) {
			r->exit_reason = MICROV_EXIT_SHUTDOWN;
			r->shutdown.reason = atoi(buf + 9);
			return 0;
		} else if (!strcmp(buf, "hlt")) {
			r->exit_reason = MICROV_EXIT_HLT;
			return 0;
		} else if (!strcmp(buf, "triple")) {
			r->exit_reason = MICROV_EXIT_TRIPLE_FAULT;
			return 0;
		} else if (!strcmp(buf, "fail")) {
			r->exit_reason = MICROV_EXIT_FAIL_ENTRY;
			r->fail_entry.hw_reason = 0x80000021;
			return 0;
		} else if (!strcmp(buf, "internal")) {
			r->exit_reason = MICROV_EXIT_INTERNAL_ERROR;
			r->internal.suberror = MICROV_INTERNAL_UNHANDLED_EXIT;
			r->internal.hw_reason = 55;
			return 0;
		} else if (!strncmp(buf, "mmio:", 5)) {
			r->exit_reason = MICROV_EXIT_MMIO;
			r->mmio.gpa = strtoull(buf + 5, NULL, 0);
			return 0;
		} else if (!strcmp(buf, "none")) {
			return 0;
		}
	}
}

/*
 * MICROV_OPEN_CONSOLE: domain 7 exists, belongs to another user with
 * $FAKE_EPERM; its console says $FAKE_CONSOLE (or "hello") and ends, as
 * a destroyed domain's does.
 */
static int open_console(struct microv_open_console *req)
{
	const char *text = getenv("FAKE_CONSOLE");
	int sv[2];

	if (req->domid != 7) {
		errno = ESRCH;
		return -1;
	}
	if (getenv("FAKE_EPERM")) {
		errno = EPERM;
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (write(sv[1], text ? text : "hello", strlen(text ? text : "hello")) < 0)
		return -1;
	close(sv[1]);
	if (req->flags & MICROV_CONSOLE_NONBLOCK)
		fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fake_log("open console %u", req->domid);
	return sv[0];
}

static int dom_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case MICROV_SET_MEMORY_REGION: {
		struct microv_memory_region *m = arg;

		fake_log("memory slot %u gpa %#llx size %#llx", m->slot,
			 (unsigned long long)m->guest_phys_addr,
			 (unsigned long long)m->memory_size);
		return 0;
	}
	case MICROV_SET_MEMORY_MAP: {
		struct microv_memory_map *m = arg;

		if (getenv("FAKE_NO_MAP"))
			break;
		fake_log("memory map %u entries", m->nr_entries);
		return 0;
	}
	case MICROV_CONNECT_RING: {
		struct microv_ring *r = arg;

		if (getenv("FAKE_NO_RINGS"))
			break;
		r->port = r->kind + 2;
		fake_log("ring %u gfn %#llx", r->kind,
			 (unsigned long long)r->gfn);
		return 0;
	}
	case MICROV_CREATE_VCPU:
		return new_fd(VCPU);
	case MICROV_GET_CONSOLE: {
		int sv[2];

		if ((unsigned long)arg & MICROV_CONSOLE_HVLOG)
			return hvlog_fd();
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return -1;
		console_peer = sv[1];
		if ((unsigned long)arg & MICROV_CONSOLE_NONBLOCK)
			fcntl(sv[0], F_SETFL, O_NONBLOCK);
		return sv[0];
	}
	case MICROV_GET_DOMAIN_INFO: {
		struct microv_domain_info *info = arg;
		const char *lost = getenv("FAKE_CONSOLE_DROPPED");

		memset(info, 0, sizeof(*info));
		info->console_dropped = lost ? strtoull(lost, NULL, 0) : 0;
		return 0;
	}
	case MICROV_GET_DIAG: {
		static const struct microv_diag_entry e[] = {
			{ MICROV_DIAG_ENOSYS, 12, 0x1234, 3 },
			{ MICROV_DIAG_RDMSR, 0x1a0, 0, 1 },
			{ MICROV_DIAG_UNBACKED, 1, 0xfed00000, 5 },
		};
		struct microv_diag *d = arg;
		unsigned int n = getenv("FAKE_DIAG") ? 3 : 0;

		memcpy((void *)(uintptr_t)d->entries, e,
		       (n < d->nr_entries ? n : d->nr_entries) * sizeof(e[0]));
		d->nr_entries = n;
		d->dropped = n ? 7 : 0;
		return 0;
	}
	case MICROV_GNTTAB_SEED: {
		struct microv_gnttab_seed *g = arg;

		fake_log("seed ref %u gfn %#llx", g->ref,
			 (unsigned long long)g->gfn);
		return 0;
	}
	case MICROV_EVTCHN_ALLOC_UNBOUND:
		((struct microv_evtchn_alloc *)arg)->port = 5;
		return 0;
	case MICROV_EVTCHN_BIND:
		fake_log("bind port %u",
			 ((struct microv_evtchn_bind *)arg)->port);
		return eventfd(0, EFD_CLOEXEC);
	case MICROV_GET_GNTDEV:
		return new_fd(GNTDEV);
	case MICROV_SET_HVM_PARAM: {
		struct microv_hvm_param *p = arg;

		fake_log("hvm param %u = %#llx", p->index,
			 (unsigned long long)p->value);
		return 0;
	}
	case MICROV_DESTROY_DOMAIN: {
		uint64_t one = 1;

		fake_log("destroy");
		return write(destroy_efd, &one, 8) == 8 ? 0 : -1;
	}
	}
	errno = ENOTTY;
	return -1;
}

static int vcpu_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case MICROV_SET_SREGS: {
		struct microv_sregs *s = arg;

		fake_log("sregs cr0 %#llx cs %#x/%u ds %#x tr %u/%#x",
			 (unsigned long long)s->cr0, s->cs.selector, s->cs.type,
			 s->ds.selector, s->tr.type, s->tr.limit);
		return 0;
	}
	case MICROV_SET_REGS: {
		struct microv_regs *r = arg;

		fake_log("regs rip %#llx rbx %#llx rflags %#llx",
			 (unsigned long long)r->rip,
			 (unsigned long long)r->rbx,
			 (unsigned long long)r->rflags);
		return 0;
	}
	case MICROV_GET_REGS: {
		struct microv_regs *r = arg;

		memset(r, 0, sizeof(*r));
		r->rip = 0x1000abc;
		return 0;
	}
	case MICROV_RUN:
		return fake_run();
	}
	errno = ENOTTY;
	return -1;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	switch (kind_of(fd)) {
	case DEV:
		if (req == MICROV_GET_API_VERSION)
			return MICROV_API_VERSION;
		if (req == MICROV_CREATE_DOMAIN) {
			struct microv_create_domain *d = arg;

			d->domid = 7;
			destroy_efd = eventfd(0, EFD_CLOEXEC);
			script = getenv("FAKE_SCRIPT");
			step = script;
			fake_log("domain '%s'%s", d->name,
				 d->flags & MICROV_DOMAIN_STRICT_MMIO ?
				 " strict-mmio" : "");
			return new_fd(DOM);
		}
		if (req == MICROV_OPEN_CONSOLE)
			return open_console(arg);
		errno = ENOTTY;
		return -1;
	case DOM:
		return dom_ioctl(req, arg);
	case VCPU:
		return vcpu_ioctl(req, arg);
	case GNTDEV:
		if (req == MICROV_GRANT_COPY) {
			struct microv_grant_copy *c = arg;
			struct microv_grant_copy_seg *seg =
				(void *)(uintptr_t)c->segs;

			fake_log("grant copy ref %u len %u flags %u", seg->ref,
				 seg->len, seg->flags);
			seg->status = 0;
			return 0;
		}
		errno = ENOTTY;
		return -1;
	default:
		if (!real_ioctl)
			real_ioctl = dlsym(RTLD_NEXT, "ioctl");
		return real_ioctl(fd, req, arg);
	}
}
