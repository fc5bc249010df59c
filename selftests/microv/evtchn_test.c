// SPDX-License-Identifier: GPL-2.0
/*
 * The host's ends of event channels (MICROV_EVTCHN_BIND): a 64-bit guest
 * allocates a port for domain 0, as a frontend does; the host binds it and
 * gets an fd.  The guest's sends are counted on the fd, the host's write
 * is an event pending in the guest's shared_info, the guest's
 * EVTCHNOP_status names the host's port; either end closing is seen by the
 * other.  Also the toolstack's MICROV_EVTCHN_ALLOC_UNBOUND, bad arguments,
 * and an fd outliving its domain.
 */
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/memory.h>

#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)
#define ARGS		0x8000		/* hypercall arguments */
#define SHINFO_GFN	0x100
#define SHINFO		(SHINFO_GFN << 12)

/* ARGS: one argument structure each. */
#define A_PHYSMAP	0x000
#define A_UNBOUND	0x100
#define A_PORT		0x200		/* send and close: the port */
#define A_STATUS	0x300

#define STR(x)		#x
#define XSTR(x)		STR(x)
#define ARG(a)		XSTR(ARGS + a)

_Static_assert(offsetof(struct evtchn_alloc_unbound, port) == 4, "");
_Static_assert(offsetof(struct evtchn_status, status) == 8, "");
_Static_assert(offsetof(struct evtchn_status, u.interdomain.port) == 20, "");
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 0x800, "");

/* Hypercall @nr(@cmd, ARGS + @arg), its result out on @port. */
#define HCALL(nr, cmd, arg, port)					\
	"	mov $" XSTR(nr) ", %eax\n"				\
	"	mov $" XSTR(cmd) ", %edi\n"				\
	"	mov $" ARG(arg) ", %esi\n"				\
	"	vmcall\n"						\
	"	out %eax, $" XSTR(port) "\n"

#define NR_MEMORY	__HYPERVISOR_memory_op
#define NR_EVTCHN	__HYPERVISOR_event_channel_op

/*
 * shared_info placed; a port for domain 0 (out on 0x52); three sends; at
 * 0x54 the host signals, and the port's pending bit goes out on 0x55;
 * its status (0x57, 0x58); then it closes the port (0x59).
 */
GUEST_CODE(guest_ev);
asm(".pushsection .rodata\n"
    "guest_ev_start:\n"
    HCALL(NR_MEMORY, XENMEM_add_to_physmap, A_PHYSMAP, 0x50)
    HCALL(NR_EVTCHN, EVTCHNOP_alloc_unbound, A_UNBOUND, 0x51)
    "	mov " ARG(A_UNBOUND) " + 4, %eax\n"
    "	out %eax, $0x52\n"
    HCALL(NR_EVTCHN, EVTCHNOP_send, A_PORT, 0x53)
    HCALL(NR_EVTCHN, EVTCHNOP_send, A_PORT, 0x53)
    HCALL(NR_EVTCHN, EVTCHNOP_send, A_PORT, 0x53)
    "	out %eax, $0x54\n"
    "	mov " ARG(A_PORT) ", %ecx\n"
    "	xor %eax, %eax\n"
    "	bt %ecx, " XSTR(SHINFO) " + 0x800\n"
    "	setc %al\n"
    "	out %eax, $0x55\n"
    HCALL(NR_EVTCHN, EVTCHNOP_status, A_STATUS, 0x56)
    "	mov " ARG(A_STATUS) " + 8, %eax\n"
    "	out %eax, $0x57\n"
    "	mov " ARG(A_STATUS) " + 16, %eax\n"	/* unbound: dom; else dom */
    "	out %eax, $0x58\n"
    "	mov " ARG(A_STATUS) " + 20, %eax\n"	/* interdomain: port */
    "	out %eax, $0x5a\n"
    HCALL(NR_EVTCHN, EVTCHNOP_close, A_PORT, 0x59)
    "	hlt\n"
    "guest_ev_end:\n"
    ".popsection\n");

FIXTURE(evtchn) {
	struct uv_vm vm;
};

FIXTURE_SETUP(evtchn)
{
	struct uv_vm *vm = &self->vm;
	struct xen_add_to_physmap *xatp;
	struct evtchn_alloc_unbound *au;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, guest_ev_start, guest_ev_end,
				  UV_LONG64));
	xatp = (void *)(vm->mem + ARGS + A_PHYSMAP);
	*xatp = (struct xen_add_to_physmap){
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
		.idx = 0, .gpfn = SHINFO_GFN,
	};
	au = (void *)(vm->mem + ARGS + A_UNBOUND);
	*au = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF,
					     .remote_dom = 0 };
}

FIXTURE_TEARDOWN(evtchn)
{
	uv_vm_destroy(&self->vm);
}

/* Runs the guest to its port for domain 0; fills in the send/close port. */
static __u32 guest_port(struct __test_metadata *_metadata, struct uv_vm *vm)
{
	struct evtchn_status *st = (void *)(vm->mem + ARGS + A_STATUS);
	__u32 port;

	expect_io(_metadata, vm, MICROV_IO_OUT, 0x50, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x51, 4, 0);
	/* The port: any, so not through expect_io(). */
	EXPECT_EQ(0, uv_run(vm));
	EXPECT_EQ(MICROV_EXIT_IO, vm->run->exit_reason);
	EXPECT_EQ(0x52, vm->run->io.port);
	port = vm->run->io.data;
	EXPECT_NE(0, port);
	*(__u32 *)(vm->mem + ARGS + A_PORT) = port;
	*st = (struct evtchn_status){ .dom = DOMID_SELF, .port = port };
	return port;
}

static int evtchn_bind(struct uv_vm *vm, __u32 port, __u32 flags, __u32 *local)
{
	struct microv_evtchn_bind b = { .port = port, .flags = flags };
	int fd = ioctl(vm->dom, MICROV_EVTCHN_BIND, &b);

	if (local)
		*local = b.local_port;
	return fd;
}

static short revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static __u64 read_count(int fd)
{
	__u64 n = 0;

	return read(fd, &n, sizeof(n)) == sizeof(n) ? n : ~0ull;
}

TEST_F(evtchn, both_ways)
{
	struct uv_vm *vm = &self->vm;
	struct microv_evtchn_alloc a = { 0 };
	__u32 port, local, other;
	__u64 one = 1;
	int fd, fd2;

	ASSERT_EQ(1, ioctl(vm->dev, MICROV_CHECK_EXTENSION,
			   MICROV_CAP_EVTCHN_BIND));
	port = guest_port(_metadata, vm);
	fd = evtchn_bind(vm, port, 0, &local);
	ASSERT_LE(0, fd) TH_LOG("bind: %s", strerror(errno));
	EXPECT_LE(1, local);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* Bound once only; only a port unbound for domain 0. */
	EXPECT_EQ(-1, evtchn_bind(vm, port, 0, &other));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, evtchn_bind(vm, 0, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, evtchn_bind(vm, 100000, 0, NULL));
	EXPECT_EQ(EINVAL, errno);

	/* A new end starts with one event, then has none. */
	EXPECT_EQ(POLLIN | POLLOUT, revents(fd));
	EXPECT_EQ(1, read_count(fd));
	EXPECT_EQ(POLLOUT, revents(fd));

	/* The guest's three sends: three events, read at once. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x53, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x53, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x53, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x54, 4, 0);
	EXPECT_EQ(POLLIN | POLLOUT, revents(fd));
	EXPECT_EQ(3, read_count(fd));

	/* The host's event: pending in the guest; the status names it. */
	EXPECT_EQ(-1, write(fd, &one, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(8, write(fd, &one, sizeof(one)));
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x55, 4, 1);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x56, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x57, 4, EVTCHNSTAT_interdomain);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x58, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x5a, 4, local);

	/* The guest closes its end: end of file, POLLHUP, EPIPE. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x59, 4, 0);
	EXPECT_EQ(POLLHUP, revents(fd) & (POLLHUP | POLLOUT));
	EXPECT_EQ(0, read(fd, &one, sizeof(one)));
	EXPECT_EQ(-1, write(fd, &one, sizeof(one)));
	EXPECT_EQ(EPIPE, errno);
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);

	/* A second end, on a port the toolstack made; non-blocking. */
	EXPECT_EQ(-1, ioctl(vm->dom, MICROV_EVTCHN_ALLOC_UNBOUND,
			    &(struct microv_evtchn_alloc){ .remote_dom = 1 }));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ioctl(vm->dom, MICROV_EVTCHN_ALLOC_UNBOUND, &a));
	fd2 = evtchn_bind(vm, a.port, MICROV_EVTCHN_NONBLOCK, &other);
	ASSERT_LE(0, fd2);
	EXPECT_NE(local, other);
	EXPECT_EQ(1, read_count(fd2));
	EXPECT_EQ(-1, read(fd2, &one, sizeof(one)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, evtchn_bind(vm, 1, 2, NULL));		/* unknown flag */
	EXPECT_EQ(EINVAL, errno);
	close(fd2);
	close(fd);
}

/* The host closes first: the guest's port waits for domain 0 again. */
TEST_F(evtchn, host_closes)
{
	struct uv_vm *vm = &self->vm;
	__u32 port;
	int fd;

	port = guest_port(_metadata, vm);
	fd = evtchn_bind(vm, port, 0, NULL);
	ASSERT_LE(0, fd);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x53, 4, 0);
	close(fd);
	/* Sends to nobody are dropped; the next end binds afresh. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x53, 4, 0);
	fd = evtchn_bind(vm, port, 0, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, read_count(fd));
	close(fd);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x53, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x54, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x55, 4, 0);	/* nothing */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x56, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x57, 4, EVTCHNSTAT_unbound);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x58, 4, 0);	/* for dom 0 */
}

/*
 * An fd outlives its domain: destroyed, or its process's fds all closed.
 * It reads end of file, the guest's memory goes at once, the rest with
 * the fd; the module unloads after.
 */
TEST_F(evtchn, outlives_domain)
{
	struct uv_vm *vm = &self->vm;
	long domains = microv_counter("domains");
	__u64 one = 1;
	int fd, fd2;

	fd = evtchn_bind(vm, guest_port(_metadata, vm), 0, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, read_count(fd));
	ASSERT_EQ(0, ioctl(vm->dom, MICROV_DESTROY_DOMAIN, 0));
	EXPECT_EQ(POLLHUP, revents(fd));
	EXPECT_EQ(0, read(fd, &one, sizeof(one)));
	EXPECT_EQ(-1, write(fd, &one, sizeof(one)));
	EXPECT_EQ(EPIPE, errno);
	uv_vm_destroy(vm);
	EXPECT_EQ(domains - 1, microv_counter("domains"));
	close(fd);

	/* No destroy: the last of its own fds kills it. */
	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, guest_ev_start, guest_ev_end,
				  UV_LONG64));
	*(struct xen_add_to_physmap *)(vm->mem + ARGS + A_PHYSMAP) =
		(struct xen_add_to_physmap){ .domid = DOMID_SELF,
			.space = XENMAPSPACE_shared_info, .gpfn = SHINFO_GFN };
	*(struct evtchn_alloc_unbound *)(vm->mem + ARGS + A_UNBOUND) =
		(struct evtchn_alloc_unbound){ .dom = DOMID_SELF };
	fd2 = evtchn_bind(vm, guest_port(_metadata, vm), MICROV_EVTCHN_NONBLOCK, NULL);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(1, read_count(fd2));
	EXPECT_EQ(-1, read(fd2, &one, sizeof(one)));
	EXPECT_EQ(EAGAIN, errno);
	uv_vm_destroy(vm);
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	EXPECT_EQ(POLLHUP, revents(fd2));
	EXPECT_EQ(0, read(fd2, &one, sizeof(one)));
	close(fd2);
	EXPECT_EQ(domains - 1, microv_counter("domains"));
	EXPECT_EQ(0, microv_unload());
	EXPECT_EQ(0, microv_load());
}

TEST_HARNESS_MAIN
