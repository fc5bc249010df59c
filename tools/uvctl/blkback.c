// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: the PV block backend (Xen's blkif protocol, xen/io/blkif.h), one
 * thread per --disk, serving Linux's xen-blkfront from a file or a block
 * device.
 *
 * The toolstack's part (uv_disks_start(), before the guest runs) writes
 * the frontend's and the backend's xenstore directories as libxl does,
 * with what the backend offers, and leaves the backend in InitWait.  The
 * thread then follows the frontend's state as Linux's blkback does:
 * Initialised or Connected maps the ring its ring-ref names and binds its
 * event-channel, Closing and Closed let them go, Initialising after a
 * Closed (a frontend reloaded) waits again.
 *
 * The ring and the data pages are the guest's: each request is copied out
 * of the ring once and checked before use, and data moves only through
 * grant copies (MICROV_GRANT_COPY), so the backend reaches nothing the
 * guest did not grant it.  One request is one pread() or pwrite() of up
 * to 11 pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uvctl.h"

/*
 * The barriers ring.h's macros use (its xen_mb() and the like are these
 * unless defined first): full ones, the guest being another CPU.
 */
#define mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define wmb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>
#include <xen/io/xenbus.h>

#define SECTOR		512
#define PATH_LEN	96
#define BUDGET		64	/* requests per round: then the others' turn */
/* Offered: a ring of up to 16 pages, indirect requests of 32 segments
 * (Linux's blkfront asks for no more by default). */
#define MAX_RING_ORDER	4
#define MAX_SEGMENTS	32

/**
 * struct uv_blkback - one disk's backend
 * @g:        the guest
 * @disk:     its --disk
 * @fd:       the file or block device
 * @sectors:  its size, in 512-byte sectors
 * @file:     it is a regular file (else a block device)
 * @discard:  holes can be punched in it (a writable regular file)
 * @fe:       the frontend's xenstore directory
 * @be:       the backend's
 * @xs:       the thread's own connection, with a watch on @fe/state
 * @gnt_fd:   grant fd (MICROV_GET_GNTDEV)
 * @evtchn_fd: the frontend's event channel, -1 while not connected
 * @stop_fd:  an eventfd: uv_disks_stop() wakes the thread
 * @ring:     the shared ring, mapped while connected
 * @ring_offset: its grant mapping, for MICROV_GRANT_UNMAP
 * @ring_pages: its length
 * @connects: connections made so far: an fd number polled before a
 *            reconnection may be the new connection's
 * @back:     the backend's view of the ring
 * @state:    the backend's XenbusState
 * @thread:   the thread; @started once it must be joined
 * @segs:     an indirect request's segments, copied out of its pages
 * @buf:      one request's data
 */
struct uv_blkback {
	struct uv_guest *g;
	struct uv_disk *disk;
	int fd;
	uint64_t sectors;
	bool file, discard;
	char fe[PATH_LEN], be[PATH_LEN];
	struct uv_xs xs;
	int gnt_fd, evtchn_fd, stop_fd;
	void *ring;
	uint64_t ring_offset;
	unsigned int ring_pages, connects;
	blkif_back_ring_t back;
	int state;
	pthread_t thread;
	bool started;
	struct blkif_request_segment segs[MAX_SEGMENTS];
	unsigned char buf[MAX_SEGMENTS * UV_PAGE_SIZE];
};

/* Opens every --disk before the domain exists: a bad one stops nothing. */
int uv_disks_open(struct uv_guest *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_disks; i++) {
		struct uv_disk *d = &g->disks[i];
		struct uv_blkback *b = calloc(1, sizeof(*b));
		struct stat st;
		uint64_t size = 0;

		if (!b) {
			uv_err("--disk %s: out of memory", d->path);
			return -1;
		}
		d->be = b;
		b->g = g;
		b->disk = d;
		b->gnt_fd = b->evtchn_fd = b->stop_fd = b->xs.fd = -1;
		b->fd = open(d->path, (d->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (b->fd < 0 || fstat(b->fd, &st)) {
			uv_err("--disk %s: %s", d->path, strerror(errno));
			return -1;
		}
		if (S_ISREG(st.st_mode)) {
			size = st.st_size;
			b->file = true;
			b->discard = !d->ro;
		} else if (!S_ISBLK(st.st_mode) ||
			   ioctl(b->fd, BLKGETSIZE64, &size)) {
			uv_err("--disk %s: not a regular file or a block device",
			       d->path);
			return -1;
		}
		/* Two guests writing one disk corrupt it: as QEMU, refuse. */
		if (!d->ro && flock(b->fd, LOCK_EX | LOCK_NB)) {
			uv_err("--disk %s: in use by another process (%s)",
			       d->path, strerror(errno));
			return -1;
		}
		b->sectors = size / SECTOR;
		if (!b->sectors) {
			uv_err("--disk %s: empty (less than 512 bytes)",
			       d->path);
			return -1;
		}
	}
	return 0;
}

/*
 * The two directories, as libxl makes them for a vbd: the frontend's
 * owned by the guest, the backend's by dom0 and readable by the guest;
 * then what the backend offers, and InitWait.
 */
static int write_nodes(struct uv_xs *xs, struct uv_blkback *b)
{
	const struct uv_disk *d = b->disk;
	unsigned int domid = b->g->domid;
	int err;

	err = uv_xs_write(xs, b->fe, "");
	err = err ?: uv_xs_set_perms(xs, b->fe, domid, 'n', 0);
	err = err ?: uv_xs_printf(xs, b->fe, "backend", "%s", b->be);
	err = err ?: uv_xs_printf(xs, b->fe, "backend-id", "0");
	err = err ?: uv_xs_printf(xs, b->fe, "virtual-device", "%u", d->devid);
	err = err ?: uv_xs_printf(xs, b->fe, "device-type", "disk");
	err = err ?: uv_xs_printf(xs, b->fe, "state", "%d", XenbusStateInitialising);
	err = err ?: uv_xs_write(xs, b->be, "");
	err = err ?: uv_xs_set_perms(xs, b->be, 0, 'n', domid);
	err = err ?: uv_xs_printf(xs, b->be, "frontend", "%s", b->fe);
	err = err ?: uv_xs_printf(xs, b->be, "frontend-id", "%u", domid);
	err = err ?: uv_xs_printf(xs, b->be, "online", "1");
	err = err ?: uv_xs_printf(xs, b->be, "removable", "0");
	err = err ?: uv_xs_printf(xs, b->be, "bootable", "1");
	err = err ?: uv_xs_printf(xs, b->be, "dev", "%s", d->vdev);
	err = err ?: uv_xs_printf(xs, b->be, "type", b->file ? "file" : "phy");
	err = err ?: uv_xs_printf(xs, b->be, "mode", d->ro ? "r" : "w");
	err = err ?: uv_xs_printf(xs, b->be, "params", "%s", d->path);
	err = err ?: uv_xs_printf(xs, b->be, "device-type", "disk");
	err = err ?: uv_xs_printf(xs, b->be, "feature-flush-cache", "1");
	err = err ?: uv_xs_printf(xs, b->be, "feature-max-indirect-segments", "%d",
			 MAX_SEGMENTS);
	err = err ?: uv_xs_printf(xs, b->be, "max-ring-page-order", "%d",
			 MAX_RING_ORDER);
	if (b->discard) {
		err = err ?: uv_xs_printf(xs, b->be, "feature-discard", "1");
		err = err ?: uv_xs_printf(xs, b->be, "discard-granularity", "%llu",
				 UV_PAGE_SIZE);
		err = err ?: uv_xs_printf(xs, b->be, "discard-alignment", "0");
		err = err ?: uv_xs_printf(xs, b->be, "discard-secure", "0");
	}
	err = err ?: uv_xs_printf(xs, b->be, "sectors", "%llu",
			 (unsigned long long)b->sectors);
	err = err ?: uv_xs_printf(xs, b->be, "info", "%u", d->ro ? VDISK_READONLY : 0);
	err = err ?: uv_xs_printf(xs, b->be, "sector-size", "%u", SECTOR);
	err = err ?: uv_xs_printf(xs, b->be, "physical-sector-size", "%u", SECTOR);
	err = err ?: uv_xs_printf(xs, b->be, "state", "%d", XenbusStateInitWait);
	b->state = XenbusStateInitWait;
	return err;
}

static void switch_state(struct uv_blkback *b, int state)
{
	int err;

	if (b->state == state)
		return;
	err = uv_xs_printf(&b->xs, b->be, "state", "%d", state);
	if (err)
		uv_log("%s: cannot set the backend's state %d: %s",
		       b->disk->vdev, state, strerror(-err));
	b->state = state;
}

/* A frontend's number node; -1 if it has none or it is not one. */
static long long read_num(struct uv_blkback *b, const char *node)
{
	char path[PATH_LEN + 32], val[24], *end;
	long long v;

	snprintf(path, sizeof(path), "%s/%s", b->fe, node);
	if (uv_xs_read(&b->xs, path, val, sizeof(val)) <= 0)
		return -1;
	v = strtoll(val, &end, 10);
	return *end || v < 0 ? -1 : v;
}

static void disconnect(struct uv_blkback *b)
{
	struct microv_grant_unmap um = { .offset = b->ring_offset,
					 .count = b->ring_pages };

	if (b->evtchn_fd >= 0)
		close(b->evtchn_fd);
	b->evtchn_fd = -1;
	if (b->ring) {
		munmap(b->ring, b->ring_pages * UV_PAGE_SIZE);
		ioctl(b->gnt_fd, MICROV_GRANT_UNMAP, &um);
	}
	b->ring = NULL;
}

/*
 * The ring's grants: ring-ref for one page, else ring-ref0.. for the
 * 2^ring-page-order pages the frontend chose (at most what was offered).
 * Returns the number of pages, or 0.
 */
static unsigned int ring_refs(struct uv_blkback *b, uint32_t *refs)
{
	long long order = read_num(b, "ring-page-order"), ref;
	unsigned int i, n = order > 0 ? 1U << order : 1;
	char node[24];

	if (order > MAX_RING_ORDER)
		return 0;
	for (i = 0; i < n; i++) {
		if (order > 0)
			snprintf(node, sizeof(node), "ring-ref%u", i);
		ref = read_num(b, order > 0 ? node : "ring-ref");
		if (ref < 0 || ref > UINT32_MAX)
			return 0;
		refs[i] = ref;
	}
	return n;
}

/* The frontend's ring and event channel; 0, or -1 after a message. */
static int connect_ring(struct uv_blkback *b)
{
	long long port = read_num(b, "event-channel");
	char path[PATH_LEN + 32], proto[32] = "";
	uint32_t refs[1U << MAX_RING_ORDER];
	struct microv_grant_map map = { .refs = (uintptr_t)refs };
	struct microv_evtchn_bind bind = { .flags = MICROV_EVTCHN_NONBLOCK };
	void *ring;

	snprintf(path, sizeof(path), "%s/protocol", b->fe);
	uv_xs_read(&b->xs, path, proto, sizeof(proto));
	if (*proto && strcmp(proto, XEN_IO_PROTO_ABI_X86_64)) {
		uv_log("%s: the frontend's protocol is not %s",
		       b->disk->vdev, XEN_IO_PROTO_ABI_X86_64);
		return -1;
	}
	map.count = ring_refs(b, refs);
	if (!map.count || port <= 0 || port > UINT32_MAX) {
		uv_log("%s: the frontend's ring-ref, ring-page-order or event-channel is not one this backend takes",
		       b->disk->vdev);
		return -1;
	}
	if (ioctl(b->gnt_fd, MICROV_GRANT_MAP, &map)) {
		uv_log("%s: cannot map the frontend's ring (%u grants from %u): %s",
		       b->disk->vdev, map.count, refs[0], strerror(errno));
		return -1;
	}
	b->ring_offset = map.offset;
	b->ring_pages = map.count;
	ring = mmap(NULL, map.count * UV_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, b->gnt_fd, map.offset);
	if (ring == MAP_FAILED) {
		struct microv_grant_unmap um = { .offset = map.offset,
						 .count = map.count };

		uv_log("%s: cannot map the frontend's ring: %s",
		       b->disk->vdev, strerror(errno));
		ioctl(b->gnt_fd, MICROV_GRANT_UNMAP, &um);
		return -1;
	}
	b->ring = ring;
	bind.port = port;
	b->evtchn_fd = ioctl(b->g->dom, MICROV_EVTCHN_BIND, &bind);
	if (b->evtchn_fd < 0) {
		uv_log("%s: cannot bind the frontend's event channel %lld: %s",
		       b->disk->vdev, port, strerror(errno));
		disconnect(b);
		return -1;
	}
	BACK_RING_INIT(&b->back, (blkif_sring_t *)ring,
		       map.count * UV_PAGE_SIZE);
	b->connects++;
	uv_log("%s: connected: %u-page ring, event channel %lld",
	       b->disk->vdev, map.count, port);
	return 0;
}

/* Moves the request's data between @b->buf and the pages it names. */
static int copy_segments(struct uv_blkback *b,
			 const struct blkif_request_segment *s,
			 unsigned int nseg, bool to_guest)
{
	struct microv_grant_copy_seg seg[MAX_SEGMENTS];
	struct microv_grant_copy copy = {
		.count = nseg,
		.segs = (uintptr_t)seg,
	};
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < nseg; i++) {
		unsigned int n = s[i].last_sect - s[i].first_sect + 1;

		seg[i] = (struct microv_grant_copy_seg){
			.buf = (uintptr_t)(b->buf + off),
			.ref = s[i].gref,
			.offset = s[i].first_sect * SECTOR,
			.len = n * SECTOR,
			.flags = to_guest ? MICROV_GRANT_COPY_TO_GUEST : 0,
		};
		off += n * SECTOR;
	}
	if (ioctl(b->gnt_fd, MICROV_GRANT_COPY, &copy))
		return -1;
	for (i = 0; i < nseg; i++)
		if (seg[i].status)
			return -1;
	return 0;
}

/*
 * A read or a write of @nseg segments (copied out of the guest's memory
 * already): checked, then one pread() or pwrite().  A write is read from
 * the guest whole before any byte reaches the disk.
 */
static int do_rw(struct uv_blkback *b, bool write, uint64_t sector,
		 const struct blkif_request_segment *seg, unsigned int nseg)
{
	uint64_t nsect = 0;
	size_t len, done;
	ssize_t n;
	unsigned int i;

	if (!nseg || nseg > MAX_SEGMENTS)
		return BLKIF_RSP_ERROR;
	for (i = 0; i < nseg; i++) {
		if (seg[i].first_sect > seg[i].last_sect ||
		    seg[i].last_sect >= UV_PAGE_SIZE / SECTOR)
			return BLKIF_RSP_ERROR;
		nsect += seg[i].last_sect - seg[i].first_sect + 1;
	}
	if (sector > b->sectors || nsect > b->sectors - sector ||
	    (write && b->disk->ro))
		return BLKIF_RSP_ERROR;
	len = nsect * SECTOR;
	if (write && copy_segments(b, seg, nseg, false))
		return BLKIF_RSP_ERROR;
	for (done = 0; done < len; done += n) {
		off_t at = sector * SECTOR + done;

		n = write ? pwrite(b->fd, b->buf + done, len - done, at) :
			    pread(b->fd, b->buf + done, len - done, at);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			return BLKIF_RSP_ERROR;	/* EIO, a file cut short */
	}
	if (!write && copy_segments(b, seg, nseg, true))
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

/*
 * BLKIF_OP_INDIRECT: the segments are in pages the frontend granted,
 * 512 to a page; they are copied here first, then read once.
 */
static int do_indirect(struct uv_blkback *b, const blkif_request_t *req)
{
	const blkif_request_indirect_t *ind = (const void *)req;
	struct microv_grant_copy_seg seg[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	struct microv_grant_copy copy = { .segs = (uintptr_t)seg };
	unsigned int nseg = ind->nr_segments, i, left;

	if ((ind->indirect_op != BLKIF_OP_READ &&
	     ind->indirect_op != BLKIF_OP_WRITE) ||
	    !nseg || nseg > MAX_SEGMENTS)
		return BLKIF_RSP_ERROR;
	for (i = 0, left = nseg * sizeof(b->segs[0]); left; i++) {
		unsigned int len = left < UV_PAGE_SIZE ? left : UV_PAGE_SIZE;

		seg[i] = (struct microv_grant_copy_seg){
			.buf = (uintptr_t)b->segs + i * UV_PAGE_SIZE,
			.ref = ind->indirect_grefs[i],
			.len = len,
		};
		left -= len;
	}
	copy.count = i;
	if (ioctl(b->gnt_fd, MICROV_GRANT_COPY, &copy))
		return BLKIF_RSP_ERROR;
	for (i = 0; i < copy.count; i++)
		if (seg[i].status)
			return BLKIF_RSP_ERROR;
	return do_rw(b, ind->indirect_op == BLKIF_OP_WRITE,
		     ind->sector_number, b->segs, nseg);
}

static int do_discard(struct uv_blkback *b, const blkif_request_t *req)
{
	const blkif_request_discard_t *d = (const void *)req;

	if (!b->discard)
		return BLKIF_RSP_EOPNOTSUPP;
	if (d->sector_number > b->sectors ||
	    d->nr_sectors > b->sectors - d->sector_number)
		return BLKIF_RSP_ERROR;
	if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      d->sector_number * SECTOR, d->nr_sectors * SECTOR))
		return errno == EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP :
					     BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

/* The request's status; *op is the operation its response names. */
static int handle(struct uv_blkback *b, const blkif_request_t *req,
		  uint8_t *op)
{
	*op = req->operation;
	switch (req->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		if (req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
			return BLKIF_RSP_ERROR;
		return do_rw(b, req->operation == BLKIF_OP_WRITE,
			     req->sector_number, req->seg, req->nr_segments);
	case BLKIF_OP_INDIRECT:
		/* As Linux's blkback: the response names the real one. */
		*op = ((const blkif_request_indirect_t *)req)->indirect_op;
		return do_indirect(b, req);
	case BLKIF_OP_FLUSH_DISKCACHE:
		return fdatasync(b->fd) ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY;
	case BLKIF_OP_DISCARD:
		return do_discard(b, req);
	default:	/* barriers are not offered */
		return BLKIF_RSP_EOPNOTSUPP;
	}
}

/*
 * Up to BUDGET requests, each copied out of the ring before it is looked
 * at; true if more wait.  Indexes that claim more than a ring's worth
 * break the connection, as Linux's blkback breaks it.
 */
static bool serve(struct uv_blkback *b)
{
	blkif_back_ring_t *r = &b->back;
	RING_IDX rc = r->req_cons, rp;
	unsigned int n = 0;
	int notify, more = 0;
	uint64_t one = 1;

	rp = __atomic_load_n(&r->sring->req_prod, __ATOMIC_ACQUIRE);
	if (rp - rc > RING_SIZE(r)) {
		uv_log("%s: the frontend's ring claims %u requests: disconnected",
		       b->disk->vdev, rp - rc);
		disconnect(b);
		switch_state(b, XenbusStateClosing);
		return false;
	}
	while (rc != rp && n++ < BUDGET && !RING_REQUEST_CONS_OVERFLOW(r, rc)) {
		blkif_request_t req;
		blkif_response_t *rsp;
		uint8_t op;
		int status;

		memcpy(&req, RING_GET_REQUEST(r, rc), sizeof(req));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		r->req_cons = ++rc;
		status = handle(b, &req, &op);
		rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);
		rsp->id = req.id;
		rsp->operation = op;
		rsp->status = status;
		r->rsp_prod_pvt++;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify);
	if (notify && write(b->evtchn_fd, &one, sizeof(one)) != sizeof(one))
		return false;	/* its end is gone: the state will say */
	if (rc != rp)
		return true;
	RING_FINAL_CHECK_FOR_REQUESTS(r, more);
	return more;
}

/* As Linux's blkback follows its frontend (frontend_changed()). */
static void frontend_changed(struct uv_blkback *b)
{
	switch (read_num(b, "state")) {
	case XenbusStateInitialising:
		if (b->state == XenbusStateClosed)
			switch_state(b, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (b->state == XenbusStateConnected)
			break;
		disconnect(b);
		switch_state(b, connect_ring(b) ? XenbusStateClosing :
						   XenbusStateConnected);
		break;
	case XenbusStateClosing:
		switch_state(b, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	default:	/* gone, or not a state */
		disconnect(b);
		if (b->state != XenbusStateInitWait)
			switch_state(b, XenbusStateClosed);
		break;
	}
}

static void *blkback_thread(void *arg)
{
	struct uv_blkback *b = arg;
	char path[PATH_LEN + 8];
	bool more = false;
	uint64_t n;

	snprintf(path, sizeof(path), "%s/state", b->fe);
	if (uv_xs_watch(&b->xs, path, b->disk->vdev)) {
		uv_err("%s: cannot watch %s", b->disk->vdev, path);
		return NULL;
	}
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = b->stop_fd, .events = POLLIN },
			{ .fd = b->xs.fd, .events = POLLIN },
			{ .fd = b->evtchn_fd, .events = POLLIN },
		};
		unsigned int polled = b->connects;
		int events;

		if (poll(p, 3, more || b->xs.events ? 0 : -1) < 0 &&
		    errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (b->xs.fd < 0) {
			uv_err("%s: lost the xenstore daemon: the disk is no longer served",
			       b->disk->vdev);
			break;
		}
		if (p[1].revents || b->xs.events) {
			events = uv_xs_take_events(&b->xs);
			if (events < 0) {
				uv_err("%s: the xenstore daemon went away: %s",
				       b->disk->vdev, strerror(-events));
				break;
			}
			if (events)
				frontend_changed(b);
		}
		/*
		 * The guest closed its port (POLLHUP once its events are
		 * read): the ring goes, and the frontend must connect again.
		 * Not if the state said to connect anew meanwhile.
		 */
		if (b->evtchn_fd >= 0 && p[2].revents && polled == b->connects &&
		    ((p[2].revents & ~POLLIN) ||
		     read(b->evtchn_fd, &n, sizeof(n)) == 0)) {
			disconnect(b);
			switch_state(b, XenbusStateClosing);
		}
		more = b->ring && b->state == XenbusStateConnected && serve(b);
	}
	disconnect(b);
	return NULL;
}

/**
 * uv_disks_start() - each disk's nodes, then its thread
 * @g: the guest, introduced to the xenstore daemon (@g->xs)
 *
 * Return: 0, or -1 after a message (uv_disks_stop() cleans up).
 */
int uv_disks_start(struct uv_guest *g)
{
	sigset_t all, old;
	unsigned int i;
	int err;

	for (i = 0; i < g->nr_disks; i++) {
		struct uv_blkback *b = g->disks[i].be;

		snprintf(b->fe, sizeof(b->fe), "/local/domain/%u/device/vbd/%u",
			 g->domid, b->disk->devid);
		snprintf(b->be, sizeof(b->be),
			 "/local/domain/0/backend/vbd/%u/%u", g->domid,
			 b->disk->devid);
		err = write_nodes(&g->xs, b);
		if (err) {
			uv_err("%s: cannot write its xenstore nodes: %s",
			       b->disk->vdev, strerror(-err));
			return -1;
		}
		b->gnt_fd = ioctl(g->dom, MICROV_GET_GNTDEV, 0);
		b->stop_fd = eventfd(0, EFD_CLOEXEC);
		if (b->gnt_fd < 0 || b->stop_fd < 0) {
			uv_err("%s: %s", b->disk->vdev, strerror(errno));
			return -1;
		}
		if (uv_xs_open(&b->xs, false))
			return -1;
		/* Signals are the console loop's (its signalfd), not ours. */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		err = pthread_create(&b->thread, NULL, blkback_thread, b);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (err) {
			uv_err("%s: cannot start its thread", b->disk->vdev);
			return -1;
		}
		b->started = true;
		uv_log("%s: %s, %llu sectors%s", b->disk->vdev, b->disk->path,
		       (unsigned long long)b->sectors,
		       b->disk->ro ? ", read-only" : "");
	}
	return 0;
}

/* Ends the threads and lets everything go; the nodes go too. */
void uv_disks_stop(struct uv_guest *g)
{
	char path[PATH_LEN];
	unsigned int i, stopped = 0;
	uint64_t one = 1;

	for (i = 0; i < g->nr_disks; i++) {
		struct uv_blkback *b = g->disks[i].be;

		if (!b)
			continue;
		stopped++;
		if (b->started &&
		    write(b->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(b->thread, NULL);
		disconnect(b);
		uv_xs_close(&b->xs);
		if (b->gnt_fd >= 0)
			close(b->gnt_fd);
		if (b->stop_fd >= 0)
			close(b->stop_fd);
		if (b->fd >= 0)
			close(b->fd);
		free(b);
		g->disks[i].be = NULL;
	}
	/* Called again on the way out: the nodes went the first time. */
	if (stopped && g->xs.fd >= 0) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u",
			 g->domid);
		uv_xs_rm(&g->xs, path);
	}
}
