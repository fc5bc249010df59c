// SPDX-License-Identifier: GPL-2.0
/*
 * microv-xenstored: a guest's ring through the fds the toolstack sends
 * with INTRODUCE (Documentation/devices.rst): the grant fd maps the page
 * the toolstack seeded in GNTTAB_RESERVED_XENSTORE, the event-channel fd
 * carries the guest's store port (Documentation/api.rst).  Fds that are
 * not those two, in that order, are refused before any ioctl() or mmap()
 * is tried on them: another device's ioctl numbers may mean anything.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/microv.h>
#include <xen/grant_table.h>	/* GNTTAB_RESERVED_XENSTORE */

#include "xenstored.h"

#define PAGE_SIZE_	4096

struct uv_ring {
	int gnt_fd, evtchn_fd;
	uint64_t offset;	/* of the mapping, for MICROV_GRANT_UNMAP */
};

static void uv_notify(void *priv)
{
	struct uv_ring *u = priv;
	uint64_t one = 1;

	/* EPIPE: the guest is gone, which the next read() says too. */
	if (write(u->evtchn_fd, &one, sizeof(one)) != sizeof(one))
		return;
}

static long uv_events(void *priv)
{
	struct uv_ring *u = priv;
	uint64_t n;
	ssize_t len = read(u->evtchn_fd, &n, sizeof(n));

	if (len == sizeof(n))
		return n > LONG_MAX ? LONG_MAX : (long)n;
	if (len < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;	/* end of file, or an fd that is not one */
}

/* A byte of the ring's grant: ESRCH once the domain is dying. */
static int uv_probe(void *priv)
{
	struct uv_ring *u = priv;
	char byte;
	struct microv_grant_copy_seg seg = {
		.buf = (uintptr_t)&byte,
		.ref = GNTTAB_RESERVED_XENSTORE,
		.len = 1,
	};
	struct microv_grant_copy copy = {
		.count = 1,
		.segs = (uintptr_t)&seg,
	};

	if (ioctl(u->gnt_fd, MICROV_GRANT_COPY, &copy))
		return -errno;
	return seg.status;
}

static int uv_fd(void *priv)
{
	return ((struct uv_ring *)priv)->evtchn_fd;
}

static void uv_unmap(struct uv_ring *u, void *page)
{
	struct microv_grant_unmap um = { .offset = u->offset, .count = 1 };

	if (page)
		munmap(page, PAGE_SIZE_);
	ioctl(u->gnt_fd, MICROV_GRANT_UNMAP, &um);
}

static void uv_close(void *priv, struct xenstore_domain_interface *intf)
{
	struct uv_ring *u = priv;

	uv_unmap(u, intf);
	close(u->gnt_fd);
	close(u->evtchn_fd);
	free(u);
}

static const struct xs_ring_ops uv_ops = {
	.notify = uv_notify,
	.events = uv_events,
	.probe = uv_probe,
	.fd = uv_fd,
	.close = uv_close,
};

/* Maps the ring's page; NULL with errno set if the grant fd cannot. */
static void *map_ring(struct uv_ring *u)
{
	uint32_t ref = GNTTAB_RESERVED_XENSTORE;
	struct microv_grant_map map = {
		.count = 1,
		.refs = (uintptr_t)&ref,
	};
	void *page;
	int err;

	if (ioctl(u->gnt_fd, MICROV_GRANT_MAP, &map))
		return NULL;
	u->offset = map.offset;
	page = mmap(NULL, PAGE_SIZE_, PROT_READ | PROT_WRITE, MAP_SHARED,
		    u->gnt_fd, map.offset);
	if (page == MAP_FAILED) {
		err = errno;
		uv_unmap(u, NULL);
		errno = err;
		return NULL;
	}
	return page;
}

/**
 * xs_ring_microv_check_links() - are these the links of microv's fds?
 * @gnt:    what /proc/self/fd/N of INTRODUCE's first fd reads, or NULL
 * @evtchn: that of its second, or NULL
 *
 * Return: 0 if the first is a grant fd (MICROV_GET_GNTDEV) and the
 * second an event-channel fd (MICROV_EVTCHN_BIND), else EINVAL.
 */
int xs_ring_microv_check_links(const char *gnt, const char *evtchn)
{
	if (!gnt || !evtchn || strcmp(gnt, XS_GNTDEV_LINK) ||
	    strcmp(evtchn, XS_EVTCHN_LINK))
		return EINVAL;
	return 0;
}

/*
 * What /proc/self/fd/@fd links to, NUL-ended in @buf (cut to its size:
 * a cut text is longer than microv's names, so matches neither); NULL
 * if it cannot be read, with errno set.
 */
static const char *fd_link(int fd, char *buf, size_t len)
{
	char path[32];
	ssize_t n;

	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/**
 * xs_ring_microv_check_fds() - are INTRODUCE's fds microv's?
 * @fds: XS_CONN_FDS of them: the grant fd, then the event-channel fd
 * @why: says what they are instead, for the log
 * @len: of @why
 *
 * Looks only at their /proc/self/fd links: nothing is done to them.
 *
 * Return: 0, or EINVAL for any other fd (a file, a socket, an eventfd,
 * microv's fds swapped), or an fd whose link cannot be read.
 */
int xs_ring_microv_check_fds(const int *fds, char *why, size_t len)
{
	char buf[2][128];
	const char *link[2];
	int i, err;

	for (i = 0; i < 2; i++) {
		link[i] = fd_link(fds[i], buf[i], sizeof(buf[i]));
		if (!link[i]) {
			snprintf(why, len, "fd %d: %s", fds[i],
				 strerror(errno));
			return EINVAL;
		}
	}
	err = xs_ring_microv_check_links(link[0], link[1]);
	if (err)
		snprintf(why, len, "%s and %s, not " XS_GNTDEV_LINK " and "
			 XS_EVTCHN_LINK, link[0], link[1]);
	return err;
}

/*
 * The daemon's introduce hook.  With fds: checks that they are microv's
 * (fds refused are left to the caller, which closes them), maps the
 * ring, takes the fds, and serves the ring as the domain's connection (a
 * ring it had goes).  Without: a domain with a ring has it restarted, as
 * Xen resets it at a second INTRODUCE; one without stays without.
 */
int xs_ring_microv_introduce(struct xs_daemon *xs, struct xs_domain *d,
			     int *fds)
{
	struct xs_ring *old = xs_ring_of(d);
	struct uv_ring *u;
	char why[320];
	void *page;
	int err, fl;

	if (!fds) {
		if (old)
			xs_ring_restart(old);
		else
			xs_log(xs, "domain %u: INTRODUCE without fds, its ring "
			       "is not served", d->domid);
		return 0;
	}
	err = xs_ring_microv_check_fds(fds, why, sizeof(why));
	if (err) {
		xs_log(xs, "domain %u: INTRODUCE's fds refused: %s", d->domid,
		       why);
		return err;
	}
	u = xs_zalloc(sizeof(*u));
	u->gnt_fd = fds[0];
	u->evtchn_fd = fds[1];
	page = map_ring(u);
	err = page ? 0 : errno;
	fl = page ? fcntl(u->evtchn_fd, F_GETFL) : 0;
	if (page && (fl < 0 || fcntl(u->evtchn_fd, F_SETFL, fl | O_NONBLOCK))) {
		err = errno;
		uv_unmap(u, page);
	}
	if (err) {
		xs_log(xs, "domain %u: cannot serve its ring: %s", d->domid,
		       strerror(err));
		free(u);
		return err;
	}
	if (old)
		xs_ring_free(old);
	fds[0] = fds[1] = -1;
	xs_ring_new(d->conn, page, &uv_ops, u);
	xs_log(xs, "domain %u: serving its ring", d->domid);
	return 0;
}
