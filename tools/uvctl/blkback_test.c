// SPDX-License-Identifier: GPL-2.0
/*
 * blkback.c's request path against a hostile frontend, with no module:
 * the ring is a page of this process, the guest's granted pages an array
 * that this file's ioctl() serves MICROV_GRANT_COPY from (as the module
 * does: a grant that is not there fails its segment), the disk a
 * temporary file.  KTAP output.
 */
#include <stdarg.h>

#include "blkback.c"

#define NR_GRANTS	64
#define DISK_SECTORS	256	/* 128 KiB */

static unsigned char grants[NR_GRANTS][UV_PAGE_SIZE];
static bool grant_ro[NR_GRANTS];
static unsigned int copies;
static int nr_tests, nr_failed;

static void ok(bool cond, const char *what)
{
	nr_tests++;
	nr_failed += !cond;
	printf("%sok %d %s\n", cond ? "" : "not ", nr_tests, what);
}

/* The module's MICROV_GRANT_COPY, over grants[]; nothing else. */
int ioctl(int fd, unsigned long req, ...)
{
	struct microv_grant_copy *c;
	struct microv_grant_copy_seg *s;
	va_list ap;
	unsigned int i;

	va_start(ap, req);
	c = va_arg(ap, void *);
	va_end(ap);
	(void)fd;
	if (req != MICROV_GRANT_COPY) {
		errno = ENOTTY;
		return -1;
	}
	copies++;
	s = (void *)(uintptr_t)c->segs;
	for (i = 0; i < c->count; i++) {
		bool to = s[i].flags & MICROV_GRANT_COPY_TO_GUEST;

		if (s[i].ref >= NR_GRANTS || (to && grant_ro[s[i].ref]) ||
		    s[i].offset + s[i].len > UV_PAGE_SIZE) {
			s[i].status = -EINVAL;
			continue;
		}
		if (to)
			memcpy(grants[s[i].ref] + s[i].offset,
			       (void *)(uintptr_t)s[i].buf, s[i].len);
		else
			memcpy((void *)(uintptr_t)s[i].buf,
			       grants[s[i].ref] + s[i].offset, s[i].len);
		s[i].status = 0;
	}
	return 0;
}

static struct uv_disk disk = { .path = "test", .vdev = "xvda" };
static struct uv_guest guest;
static struct uv_blkback *b;
static blkif_sring_t *sring;
static blkif_front_ring_t front;
static int evfd[2];

/* A fresh connection: the ring shared with a "frontend" in this file. */
static void reconnect(void)
{
	memset(sring, 0, UV_PAGE_SIZE);
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&front, sring, UV_PAGE_SIZE);
	BACK_RING_INIT(&b->back, sring, UV_PAGE_SIZE);
	b->ring = sring;
	b->ring_pages = 1;
	b->state = XenbusStateConnected;
}

/* Puts @req on the ring, serves it, returns its response's status. */
static int one(const void *req, uint8_t *op)
{
	blkif_response_t *rsp;

	memcpy(RING_GET_REQUEST(&front, front.req_prod_pvt), req,
	       sizeof(blkif_request_t));
	front.req_prod_pvt++;
	RING_PUSH_REQUESTS(&front);
	serve(b);
	if (front.rsp_cons == sring->rsp_prod)
		return 99;	/* no response */
	rsp = RING_GET_RESPONSE(&front, front.rsp_cons++);
	if (op)
		*op = rsp->operation;
	return rsp->status;
}

static blkif_request_t rw(uint8_t op, uint64_t sector, unsigned int nseg,
			  uint32_t gref)
{
	blkif_request_t r = { .operation = op, .nr_segments = nseg, .id = 7,
			      .sector_number = sector };
	unsigned int i;

	for (i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		r.seg[i] = (struct blkif_request_segment){ gref + i, 0, 7 };
	return r;
}

static void test_rw(void)
{
	blkif_request_t r;
	unsigned char sect[SECTOR];

	memset(grants[1], 0xab, UV_PAGE_SIZE);
	r = rw(BLKIF_OP_WRITE, 8, 1, 1);
	ok(one(&r, NULL) == BLKIF_RSP_OKAY &&
	   pread(b->fd, sect, SECTOR, 8 * SECTOR + 7 * SECTOR) == SECTOR &&
	   sect[0] == 0xab && sect[SECTOR - 1] == 0xab,
	   "a write of one page reaches the file at its sector");
	memset(grants[2], 0, UV_PAGE_SIZE);
	r = rw(BLKIF_OP_READ, 8, 1, 2);
	ok(one(&r, NULL) == BLKIF_RSP_OKAY && grants[2][100] == 0xab,
	   "a read brings it back into the granted page");
	r = rw(BLKIF_OP_READ, DISK_SECTORS - 8, 1, 2);
	ok(one(&r, NULL) == BLKIF_RSP_OKAY, "the last page of the disk reads");
	r = rw(BLKIF_OP_READ, DISK_SECTORS - 7, 1, 2);
	ok(one(&r, NULL) == BLKIF_RSP_ERROR, "one sector past the end fails");
	r = rw(BLKIF_OP_READ, ~0ULL - 3, 1, 2);
	ok(one(&r, NULL) == BLKIF_RSP_ERROR,
	   "a sector number that wraps around fails");
	r = rw(BLKIF_OP_READ, 0, 0, 2);
	ok(one(&r, NULL) == BLKIF_RSP_ERROR, "no segment fails");
	r = rw(BLKIF_OP_READ, 0, 12, 2);
	ok(one(&r, NULL) == BLKIF_RSP_ERROR, "12 direct segments fail");
	r = rw(BLKIF_OP_READ, 0, 1, 2);
	r.seg[0].first_sect = 5;
	r.seg[0].last_sect = 4;
	ok(one(&r, NULL) == BLKIF_RSP_ERROR, "first_sect past last_sect fails");
	r.seg[0].first_sect = 0;
	r.seg[0].last_sect = 8;
	ok(one(&r, NULL) == BLKIF_RSP_ERROR, "a sector past its page fails");
	r = rw(BLKIF_OP_READ, 0, 1, NR_GRANTS + 5);
	ok(one(&r, NULL) == BLKIF_RSP_ERROR, "a grant that is not there fails");
	grant_ro[3] = true;
	r = rw(BLKIF_OP_READ, 0, 1, 3);
	ok(one(&r, NULL) == BLKIF_RSP_ERROR,
	   "a read into a read-only grant fails");
	/* A write whose second page is not granted writes nothing. */
	memset(grants[4], 0xcd, UV_PAGE_SIZE);
	r = rw(BLKIF_OP_WRITE, 32, 2, NR_GRANTS - 1);
	r.seg[0].gref = 4;
	ok(one(&r, NULL) == BLKIF_RSP_ERROR &&
	   pread(b->fd, sect, SECTOR, 32 * SECTOR) == SECTOR && sect[0] == 0,
	   "a write with one bad grant fails and writes nothing");
	disk.ro = true;
	r = rw(BLKIF_OP_WRITE, 40, 1, 1);
	ok(one(&r, NULL) == BLKIF_RSP_ERROR &&
	   pread(b->fd, sect, SECTOR, 40 * SECTOR) == SECTOR && sect[0] == 0,
	   "a write to a read-only disk fails");
	disk.ro = false;
}

static void test_other_ops(void)
{
	/* Each as big as a ring slot, as the frontend's are. */
	union {
		blkif_request_t r;
		blkif_request_indirect_t ind;
		blkif_request_discard_t d;
	} u = { .ind = {
		.operation = BLKIF_OP_INDIRECT,
		.indirect_op = BLKIF_OP_WRITE,
		.nr_segments = 20, .id = 9, .sector_number = 64,
		.indirect_grefs = { 10 },
	} };
	blkif_request_indirect_t *ind = &u.ind;
	struct blkif_request_segment *seg = (void *)grants[10];
	unsigned char sect[SECTOR];
	unsigned int i;
	uint8_t op;

	for (i = 0; i < 20; i++) {
		seg[i] = (struct blkif_request_segment){ 20 + i, 0, 7 };
		memset(grants[20 + i], i + 1, UV_PAGE_SIZE);
	}
	ok(one(&u, &op) == BLKIF_RSP_OKAY && op == BLKIF_OP_WRITE &&
	   pread(b->fd, sect, SECTOR, (64 + 8 * 19) * SECTOR) == SECTOR &&
	   sect[0] == 20,
	   "an indirect write of 20 pages lands, answered as a write");
	ind->nr_segments = MAX_SEGMENTS + 1;
	ok(one(&u, NULL) == BLKIF_RSP_ERROR,
	   "an indirect request past the segments offered fails");
	ind->nr_segments = 2;
	ind->indirect_op = BLKIF_OP_DISCARD;
	ok(one(&u, NULL) == BLKIF_RSP_ERROR,
	   "an indirect request that is not a read or a write fails");
	ind->indirect_op = BLKIF_OP_READ;
	ind->indirect_grefs[0] = NR_GRANTS + 1;
	ok(one(&u, NULL) == BLKIF_RSP_ERROR,
	   "an indirect request whose segment page is not granted fails");
	memset(&u, 0, sizeof(u));
	u.d = (blkif_request_discard_t){ .operation = BLKIF_OP_DISCARD,
					 .sector_number = 64, .nr_sectors = 8 };
	ok(one(&u, NULL) == BLKIF_RSP_OKAY &&
	   pread(b->fd, sect, SECTOR, 64 * SECTOR) == SECTOR && sect[0] == 0,
	   "a discard punches a hole: zeros read back");
	u.d.nr_sectors = DISK_SECTORS;
	ok(one(&u, NULL) == BLKIF_RSP_ERROR, "a discard past the end fails");
	memset(&u, 0, sizeof(u));
	u.r.operation = BLKIF_OP_WRITE_BARRIER;
	ok(one(&u, NULL) == BLKIF_RSP_EOPNOTSUPP, "a barrier is not supported");
	u.r.operation = BLKIF_OP_FLUSH_DISKCACHE;
	ok(one(&u, NULL) == BLKIF_RSP_OKAY, "a flush succeeds");
	u.r.operation = 200;
	ok(one(&u, NULL) == BLKIF_RSP_EOPNOTSUPP,
	   "an unknown operation is not supported");
}

/* The frontend lies about its indexes: the backend lets the ring go. */
static void test_hostile_ring(void)
{
	unsigned int before = copies;
	blkif_request_t r = rw(BLKIF_OP_READ, 0, 1, 2);
	int n;

	/* A full ring's worth at once. */
	for (n = 0; n < (int)RING_SIZE(&front); n++) {
		memcpy(RING_GET_REQUEST(&front, front.req_prod_pvt), &r,
		       sizeof(r));
		front.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS(&front);
	for (n = 0; serve(b) && n < 10; n++)
		;
	ok(sring->rsp_prod - front.rsp_cons == RING_SIZE(&front) &&
	   copies - before == RING_SIZE(&front),
	   "a full ring is served whole");
	front.rsp_cons = sring->rsp_prod;
	sring->req_prod += RING_SIZE(&front) + 1;
	serve(b);
	ok(!b->ring && b->state == XenbusStateClosing,
	   "req_prod past a ring's worth: disconnected, Closing");
}

int main(void)
{
	char path[] = "/tmp/blkback-test-XXXXXX";

	printf("TAP version 13\n");
	b = calloc(1, sizeof(*b));
	/* mmap()ed, as the grant mapping is: a disconnect munmap()s it. */
	sring = mmap(NULL, UV_PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!b || sring == MAP_FAILED || pipe(evfd))
		return 1;
	b->fd = mkstemp(path);
	unlink(path);
	if (b->fd < 0 || ftruncate(b->fd, DISK_SECTORS * SECTOR))
		return 1;
	guest.domid = 1;
	b->g = &guest;
	b->disk = &disk;
	b->sectors = DISK_SECTORS;
	b->file = b->discard = true;
	b->xs.fd = b->gnt_fd = b->stop_fd = -1;
	b->evtchn_fd = evfd[1];
	uv_quiet = true;
	reconnect();
	test_rw();
	test_other_ops();
	b->ring = NULL;		/* not unmapped: this file's page */
	reconnect();
	b->evtchn_fd = evfd[1];
	test_hostile_ring();
	printf("1..%d\n", nr_tests);
	printf("# blkback-unit: %d tests, %d failed\n", nr_tests, nr_failed);
	return nr_failed != 0;
}
