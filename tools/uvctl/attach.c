// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl console: the console of a domain another process runs, found by
 * its domid (MICROV_OPEN_CONSOLE): what the guest wrote that nobody read
 * yet, then its output as it comes; the terminal's input goes to the
 * guest.  Ends when the domain is destroyed, on Ctrl-], or on a signal;
 * the guest runs on in the other process in the last two cases.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uvctl.h"

/**
 * uv_console_attach() - "uvctl console DOMID"
 * @device: the microv device
 * @domid:  the domain
 *
 * Return: the exit status: 0 when the domain ended or on a detach, 1 on
 * an error (no such domain, not permitted), 128+N on signal N.
 */
int uv_console_attach(const char *device, unsigned int domid)
{
	struct microv_open_console req = {
		.domid = domid, .flags = MICROV_CONSOLE_NONBLOCK,
	};
	enum uv_end end = UV_END_ERROR;
	int sigfd = -1, signo = 0, status = UV_EXIT_ERROR;
	struct uv_guest g;

	uv_guest_init(&g);
	if (uv_guest_open_device(&g, device))
		goto out;
	g.console = ioctl(g.dev, MICROV_OPEN_CONSOLE, &req);
	if (g.console < 0) {
		if (errno == ESRCH)
			uv_err("no domain %u", domid);
		else if (errno == EPERM)
			uv_err("domain %u belongs to another user", domid);
		else if (errno == ENOTTY)
			uv_err("this microv module cannot open a console by domid");
		else
			uv_err("MICROV_OPEN_CONSOLE: %s", strerror(errno));
		goto out;
	}
	/* Nothing writes it: the loop ends on the console's end instead. */
	if (pipe2(g.done_pipe, O_CLOEXEC)) {
		uv_err("pipe: %s", strerror(errno));
		goto out;
	}
	sigfd = uv_console_signals();
	if (sigfd < 0)
		goto out;
	uv_term_attach(domid);
	end = uv_console_loop(&g, true, sigfd, &signo);
	uv_term_restore();
	switch (end) {
	case UV_END_GUEST:
		fprintf(stderr, "uvctl: domain %u was destroyed\n", domid);
		status = 0;
		break;
	case UV_END_DETACH:
		fprintf(stderr, "uvctl: detached\n");
		status = 0;
		break;
	case UV_END_SIGNAL:
		status = UV_EXIT_SIGNAL + signo;
		break;
	default:
		break;
	}
	uv_out_cancel_on(-1);
out:
	if (sigfd >= 0)
		close(sigfd);
	if (g.done_pipe[0] >= 0) {
		close(g.done_pipe[0]);
		close(g.done_pipe[1]);
	}
	uv_guest_close(&g);
	return status;
}
