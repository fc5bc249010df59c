// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: one host thread per vCPU, looping on MICROV_RUN, and what each
 * exit to userspace means for the guest.
 *
 * The module handles the Xen ABI itself; what reaches uvctl is what a
 * PVH guest should not normally do (port I/O, memory with nothing
 * behind it) or the end of the guest.  microv emulates no devices, so
 * port I/O gets what a PC with an empty slot gives: writes vanish and
 * reads return all ones, with one exception, Xen's debug port 0xe9,
 * whose bytes go to the console output as under Xen.
 *
 * A thread that ends records the exit status (the first one wins) and
 * writes a byte to the guest's done pipe, so the console loop in the
 * main thread wakes up without polling on a timer.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xen/sched.h>

#include "uvctl.h"

/* vcpu_run()'s "keep running" and "uvctl stopped it" (not statuses). */
#define RUN_ON		(-1)
#define RUN_STOPPED	(-2)

/* The guest's RIP for a message; all ones if the module will not say. */
static unsigned long long rip_of(const struct uv_vcpu *v)
{
	struct microv_regs regs;

	if (ioctl(v->fd, MICROV_GET_REGS, &regs))
		return ~0ULL;
	return regs.rip;
}

/*
 * Logging every access of a port the guest polls would drown the
 * console: --verbose shows the first three per port and direction, then
 * each power of two, and uv_run_summary() the totals at the end.
 */
static bool worth_logging(uint32_t count)
{
	return count <= 3 || !(count & (count - 1));
}

/**
 * uv_end() - how the guest ended, said by a vCPU thread
 * @g:   the guest
 * @err: an error (always said), or a --verbose note
 * @fmt: the message
 *
 * Kept for the main thread, which says it once the guest's last output
 * is out (uv_end_say()): the first one; any later one is said at once.
 */
void uv_end(struct uv_guest *g, bool err, const char *fmt, ...)
{
	char msg[sizeof(g->end_msg)];
	bool kept = false;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&g->lock);
	if (!g->end_msg[0]) {
		memcpy(g->end_msg, msg, sizeof(msg));
		g->end_err = err;
		kept = true;
	}
	pthread_mutex_unlock(&g->lock);
	if (!kept && err)
		uv_err("%s", msg);
	else if (!kept)
		uv_log("%s", msg);
}

/**
 * uv_end_say() - the message uv_end() kept, after the guest's output
 * @g: the guest, its vCPUs stopped and its console drained
 */
void uv_end_say(struct uv_guest *g)
{
	if (!g->end_msg[0] || (!g->end_err && !uv_verbose))
		return;
	uv_out_end_line();
	if (g->end_err)
		uv_err("%s", g->end_msg);
	else
		uv_log("%s", g->end_msg);
}

/*
 * The FADT's sleep control register (acpi.c): SLP_EN with \_S5's type is
 * the guest powering off, as on a PC; other sleep states are not offered.
 */
static int handle_sleep(struct uv_vcpu *v, uint32_t val)
{
	if (!(val & UV_ACPI_SLP_EN))
		return RUN_ON;
	if (((val >> 2) & 7) == UV_ACPI_SLP_TYP_S5) {
		uv_end(v->guest, false, "vcpu%u: the guest powered off (ACPI S5)", v->id);
		return UV_EXIT_POWEROFF;
	}
	uv_end(v->guest, true, "the guest asked for ACPI sleep type %u: only S5 (off) exists",
	       (val >> 2) & 7);
	return UV_EXIT_STOPPED;
}

static int handle_io(struct uv_vcpu *v)
{
	struct microv_run *run = v->run;
	uint32_t mask, count;
	bool out = run->io.direction == MICROV_IO_OUT;
	uint16_t port = run->io.port;
	unsigned int size = run->io.size;

	if (out && port == UV_DEBUG_PORT) {
		unsigned char c = run->io.data;

		uv_out(&c, 1);
		return RUN_ON;
	}
	if (out && port == UV_ACPI_SLEEP_CTL)
		return handle_sleep(v, run->io.data);
	if (out && port == UV_ACPI_RESET &&
	    (run->io.data & 0xff) == UV_ACPI_RESET_VALUE) {
		uv_end(v->guest, true, "the guest reset itself (ACPI reset register): uvctl does not restart guests");
		return UV_EXIT_REBOOT;
	}
	if (port == UV_ACPI_SLEEP_STS) {
		/* WAK_STS, written to clear it before sleeping: never set. */
		if (!out)
			run->io.data = 0;
		return RUN_ON;
	}
	mask = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;
	count = __atomic_add_fetch(&v->guest->io_counts[port][out], 1,
				   __ATOMIC_RELAXED);
	if (!out)
		run->io.data = mask;
	if (uv_verbose && worth_logging(count)) {
		if (out)
			uv_log("vcpu%u: out %#x to port %#x (%u bytes) ignored [%u so far]",
			       v->id, run->io.data & mask, port, size, count);
		else
			uv_log("vcpu%u: in from port %#x (%u bytes) -> %#x [%u so far]",
			       v->id, port, size, mask, count);
	}
	return RUN_ON;
}

/* Xen's SHUTDOWN_* code to uvctl's exit status. */
static int handle_shutdown(struct uv_vcpu *v)
{
	unsigned int reason = v->run->shutdown.reason;

	switch (reason) {
	case SHUTDOWN_poweroff:
		uv_end(v->guest, false, "vcpu%u: the guest powered off", v->id);
		return UV_EXIT_POWEROFF;
	case SHUTDOWN_reboot:
		uv_end(v->guest, true, "the guest asked to reboot: uvctl does not restart guests");
		return UV_EXIT_REBOOT;
	case SHUTDOWN_soft_reset:
		uv_end(v->guest, true, "the guest asked for a soft reset: uvctl treats it as a reboot and does not restart guests");
		return UV_EXIT_REBOOT;
	case SHUTDOWN_crash:
		uv_end(v->guest, true, "the guest crashed (SHUTDOWN_crash)");
		return UV_EXIT_CRASH;
	case SHUTDOWN_watchdog:
		uv_end(v->guest, true, "the guest's watchdog expired (SHUTDOWN_watchdog)");
		return UV_EXIT_CRASH;
	case SHUTDOWN_suspend:
		uv_end(v->guest, true, "the guest suspended itself: uvctl cannot save or resume guests");
		return UV_EXIT_STOPPED;
	default:
		uv_end(v->guest, true, "the guest shut down for an unknown reason %u", reason);
		return UV_EXIT_STOPPED;
	}
}

/* One exit: RUN_ON to go on, or the exit status the guest ended with. */
static int handle_exit(struct uv_vcpu *v)
{
	struct microv_run *run = v->run;

	switch (run->exit_reason) {
	case MICROV_EXIT_NONE:
		return RUN_ON;
	case MICROV_EXIT_IO:
		return handle_io(v);
	case MICROV_EXIT_SHUTDOWN:
		return handle_shutdown(v);
	case MICROV_EXIT_MMIO:
		/* No MMIO data path in the uapi yet: nothing can answer. */
		uv_end(v->guest, true, "vcpu%u: the guest %s guest-physical %#llx, where there is no RAM (RIP %#llx): %s",
		       v->id, run->mmio.is_write ? "wrote to" : "read from",
		       (unsigned long long)run->mmio.gpa, rip_of(v),
		       v->guest->strict_mmio ? "stopped, as --strict-mmio asks" :
		       "an access microv does not answer (a string or vector instruction, a page walk or code there)");
		return UV_EXIT_ERROR;
	case MICROV_EXIT_HLT:
		uv_end(v->guest, true, "vcpu%u: the guest halted with interrupts off (RIP %#llx)",
		       v->id, rip_of(v));
		return UV_EXIT_STOPPED;
	case MICROV_EXIT_TRIPLE_FAULT:
		uv_end(v->guest, true, "vcpu%u: the guest triple-faulted (RIP %#llx): a PC would reset",
		       v->id, rip_of(v));
		return UV_EXIT_STOPPED;
	case MICROV_EXIT_FAIL_ENTRY:
		uv_end(v->guest, true, "vcpu%u: the CPU refused to enter the guest (VM-entry failure %#llx, qualification %#llx)",
		       v->id, (unsigned long long)run->fail_entry.hw_reason,
		       (unsigned long long)run->fail_entry.qualification);
		return UV_EXIT_STOPPED;
	case MICROV_EXIT_INTERNAL_ERROR:
		uv_end(v->guest, true, "vcpu%u: microv could not handle the guest: %s (hardware reason %#llx, qualification %#llx, RIP %#llx)",
		       v->id,
		       run->internal.suberror == MICROV_INTERNAL_UNHANDLED_EXIT ?
		       "an exit it does not handle" :
		       run->internal.suberror == MICROV_INTERNAL_BAD_STATE ?
		       "a guest state it cannot run" : "internal error",
		       (unsigned long long)run->internal.hw_reason,
		       (unsigned long long)run->internal.qualification,
		       rip_of(v));
		return UV_EXIT_ERROR;
	default:
		uv_end(v->guest, true, "vcpu%u: unknown exit reason %u from MICROV_RUN (a newer module?)",
		       v->id, run->exit_reason);
		return UV_EXIT_ERROR;
	}
}

static int vcpu_run(struct uv_vcpu *v)
{
	struct uv_guest *g = v->guest;
	int ret;

	for (;;) {
		if (atomic_load(&g->stopping))
			return RUN_STOPPED;
		if (ioctl(v->fd, MICROV_RUN, 0)) {
			/*
			 * A signal: uvctl's own kick (uv_vcpus_stop()) or
			 * any other; the loop's test tells which.
			 */
			if (errno == EINTR)
				continue;
			if (errno == ESRCH && atomic_load(&g->stopping))
				return RUN_STOPPED;
			uv_err("vcpu%u: MICROV_RUN: %s", v->id,
			       errno == ESRCH ? "the domain was destroyed" :
			       strerror(errno));
			return UV_EXIT_ERROR;
		}
		ret = handle_exit(v);
		if (ret != RUN_ON)
			return ret;
	}
}

/* SIGUSR1 only interrupts MICROV_RUN: there is nothing to do in it. */
static void on_kick(int sig)
{
	(void)sig;
}

static void *vcpu_thread(void *arg)
{
	struct uv_vcpu *v = arg;
	struct uv_guest *g = v->guest;
	sigset_t set;
	char byte = 0;
	int ret;

	/* The main thread blocks SIGUSR1; this one takes the kicks. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	if (v->id == 0)
		uv_phase("first MICROV_RUN");
	ret = vcpu_run(v);
	if (ret != RUN_STOPPED) {
		pthread_mutex_lock(&g->lock);
		if (g->status < 0)
			g->status = ret;
		pthread_mutex_unlock(&g->lock);
	}
	while (write(g->done_pipe[1], &byte, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/**
 * uv_vcpus_start() - a thread for each vCPU, pinned if asked
 * @g: the built guest
 *
 * The caller has SIGUSR1 blocked (it is inherited, then unblocked in the
 * vCPU threads only) and SIGINT/SIGTERM/SIGHUP blocked for its
 * signalfd, so that no vCPU thread takes those.
 *
 * Return: 0, or -1 after a message (threads already started are
 * stopped by the caller's uv_vcpus_stop()/uv_vcpus_join()).
 */
int uv_vcpus_start(struct uv_guest *g)
{
	struct sigaction sa = { .sa_handler = on_kick };
	unsigned int i;
	int err;

	/* No SA_RESTART: MICROV_RUN must return EINTR, not restart. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL)) {
		uv_err("sigaction: %s", strerror(errno));
		return -1;
	}
	if (pipe2(g->done_pipe, O_CLOEXEC)) {
		uv_err("pipe: %s", strerror(errno));
		return -1;
	}
	g->io_counts = calloc(65536, sizeof(*g->io_counts));
	if (!g->io_counts) {
		uv_err("out of memory");
		return -1;
	}
	for (i = 0; i < g->nr_vcpus; i++) {
		struct uv_vcpu *v = &g->vcpu[i];
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		if (g->affinity >= 0) {
			cpu_set_t cpus;

			CPU_ZERO(&cpus);
			CPU_SET(g->affinity, &cpus);
			pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
		}
		err = pthread_create(&v->thread, &attr, vcpu_thread, v);
		pthread_attr_destroy(&attr);
		if (err) {
			if (err == EINVAL && g->affinity >= 0)
				uv_err("--affinity %d: this process may not run on that CPU (offline, absent or outside its cpuset)",
				       g->affinity);
			else
				uv_err("cannot start the thread of vCPU %u: %s",
				       v->id, strerror(err));
			return -1;
		}
		v->started = true;
		uv_log("vcpu%u: running%s", v->id,
		       g->affinity >= 0 ? " (pinned)" : "");
	}
	return 0;
}

/**
 * uv_vcpus_stop() - make every vCPU thread end, whatever its guest does
 * @g: the guest
 *
 * The kick makes a running MICROV_RUN return EINTR (and a write of guest
 * output to a stalled stdout give up); a kick that lands between two
 * MICROV_RUNs would be lost, so the domain is destroyed too, which ends
 * every later MICROV_RUN with ESRCH.  The guest is being torn down in
 * both cases where this is called (a signal, a detach).
 */
void uv_vcpus_stop(struct uv_guest *g)
{
	unsigned int i;

	atomic_store(&g->stopping, true);
	uv_out_abort();
	for (i = 0; i < g->nr_vcpus; i++)
		if (g->vcpu[i].started)
			pthread_kill(g->vcpu[i].thread, SIGUSR1);
	uv_guest_destroy(g);
}

void uv_vcpus_join(struct uv_guest *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_vcpus; i++) {
		if (!g->vcpu[i].started)
			continue;
		pthread_join(g->vcpu[i].thread, NULL);
		g->vcpu[i].started = false;
	}
	if (g->done_pipe[0] >= 0)
		close(g->done_pipe[0]);
	if (g->done_pipe[1] >= 0)
		close(g->done_pipe[1]);
	g->done_pipe[0] = g->done_pipe[1] = -1;
}

/*
 * At the end of a run: console output the guest lost, always said when
 * there was some; for --verbose, also which ports it touched, how often.
 */
/*
 * What the guest asked for and did not get, one line each: from the
 * domain, or as it was when destroyed.
 */
static void uv_diag_summary(const struct uv_guest *g)
{
	struct microv_diag_entry live[MICROV_DIAG_MAX];
	struct microv_diag hdr = {
		.nr_entries = MICROV_DIAG_MAX, .entries = (uintptr_t)live,
	};
	const struct microv_diag_entry *e = live;
	unsigned int i, n;
	char line[160];

	if (ioctl(g->dom, MICROV_GET_DIAG, &hdr)) {
		if (!g->have_diag)
			return;
		hdr = g->diag_hdr;
		e = g->diag;
	}
	n = hdr.nr_entries;

	if (n > MICROV_DIAG_MAX)
		n = MICROV_DIAG_MAX;
	uv_log("the guest asked for %u thing%s it did not get%s", n,
	       n == 1 ? "" : "s", n ? ":" : "");
	for (i = 0; i < n; i++)
		uv_log("  %s", uv_diag_describe(&e[i], line, sizeof(line)));
	if (hdr.dropped)
		uv_log("  and %llu more requests past the first %u kinds",
		       (unsigned long long)hdr.dropped, MICROV_DIAG_MAX);
}

void uv_run_summary(const struct uv_guest *g)
{
	struct microv_domain_info info = { 0 };
	unsigned int port;
	bool have = !ioctl(g->dom, MICROV_GET_DOMAIN_INFO, &info);

	if (!have && g->have_last_info) {
		info = g->last_info;
		have = true;
	}
	if (have && (info.console_dropped || uv_verbose))
		fprintf(stderr, "uvctl: console: %llu bytes of the guest's output "
			"lost (written faster than read, or over the "
			"console_io rate limit)\n",
			(unsigned long long)info.console_dropped);
	if (have && uv_verbose && info.nr_io_unclaimed)
		uv_log("the module answered %llu accesses to ports no one serves (reads all ones, writes dropped)",
		       (unsigned long long)info.nr_io_unclaimed);
	if (have && uv_verbose && info.nr_mmio_unbacked)
		uv_log("the module answered %llu accesses to guest-physical addresses with no RAM (reads all ones, writes dropped)",
		       (unsigned long long)info.nr_mmio_unbacked);
	if (uv_verbose)
		uv_diag_summary(g);
	if (!uv_verbose || !g->io_counts)
		return;
	for (port = 0; port < 65536; port++)
		if (g->io_counts[port][0] || g->io_counts[port][1])
			uv_log("port %#x: %u in, %u out", port,
			       g->io_counts[port][0], g->io_counts[port][1]);
}
