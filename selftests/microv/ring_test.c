// SPDX-License-Identifier: GPL-2.0
/*
 * The backend the module serves on a ring in guest memory: the Xen
 * console ring (guest output into the console stream, console fd writes
 * into its input, each side signalling the other through the event
 * channel MICROV_CONNECT_RING bound).  The xenstore ring is no longer the
 * module's (the toolstack hands it to microv-xenstored): connecting it is
 * refused.  The guest here is a small command loop: the test plays the guest's ring driver in
 * guest RAM (shared with this process) and has the guest send events and
 * take upcalls, which is what a real driver adds.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
/* Xen's current interface, not that of 2006. */
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/io/console.h>
#include <xen/memory.h>

#include <sys/wait.h>

#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)
#define ARGS		0x8000
#define A_PARAM		(ARGS + 0x000)	/* struct xen_hvm_param */
#define A_SEND		(ARGS + 0x100)	/* struct evtchn_send */
#define A_PHYSMAP	(ARGS + 0x200)	/* struct xen_add_to_physmap */
#define SHINFO_GFN	0x100
#define COUNT		0xa000		/* upcalls taken */
#define CONS_GFN	0x130
#define STORE_GFN	0x131
#define VEC		0xf3

#define STR(x)		#x
#define XSTR(x)		STR(x)

/* Commands the guest reads from port 0x62. */
#define CMD_DONE	0
#define CMD_SEND	1
#define CMD_WAIT	2

/*
 * 64-bit: place shared_info at SHINFO_GFN (its vcpu_info 0 is where the
 * handler acks the upcall) and set the callback vector (the second result
 * on 0x60), then for each command
 * from port 0x62: send on the port at A_SEND (result on 0x63), or wait in
 * HLT for an upcall (the count on 0x63); CMD_DONE ends in HLT.
 */
GUEST_CODE(guest_ring);
extern const unsigned char guest_ring_handler[];
asm(".pushsection .rodata\n"
    "guest_ring_start:\n"
    "	mov $" XSTR(__HYPERVISOR_memory_op) ", %eax\n"
    "	mov $" XSTR(XENMEM_add_to_physmap) ", %edi\n"
    "	mov $" XSTR(A_PHYSMAP) ", %esi\n"
    "	vmcall\n"
    "	out %eax, $0x60\n"
    "	mov $" XSTR(__HYPERVISOR_hvm_op) ", %eax\n"
    "	mov $" XSTR(HVMOP_set_param) ", %edi\n"
    "	mov $" XSTR(A_PARAM) ", %esi\n"
    "	vmcall\n"
    "	out %eax, $0x60\n"
    "1:	in $0x62, %eax\n"
    "	cmp $" XSTR(CMD_SEND) ", %eax\n"
    "	je 2f\n"
    "	cmp $" XSTR(CMD_WAIT) ", %eax\n"
    "	je 3f\n"
    "	hlt\n"
    "2:	mov $" XSTR(__HYPERVISOR_event_channel_op) ", %eax\n"
    "	mov $" XSTR(EVTCHNOP_send) ", %edi\n"
    "	mov $" XSTR(A_SEND) ", %esi\n"
    "	vmcall\n"
    "	out %eax, $0x63\n"
    "	jmp 1b\n"
    "3:	sti\n"
    "	hlt\n"
    "	cli\n"
    "	mov " XSTR(COUNT) ", %eax\n"
    "	out %eax, $0x63\n"
    "	jmp 1b\n"
    /* the callback: clear evtchn_upcall_pending of vCPU 0, count */
    "guest_ring_handler:\n"
    "	movb $0, " XSTR(SHINFO_GFN << 12) "\n"
    "	incl " XSTR(COUNT) "\n"
    "	iretq\n"
    "guest_ring_end:\n"
    ".popsection\n");

FIXTURE(ring) {
	struct uv_vm vm;
	struct xencons_interface *cons;
	__u32 cons_port;
	int console;
};

/* Runs the guest to its next command and gives it @cmd. */
static void command(struct __test_metadata *_metadata, struct uv_vm *vm,
		    __u32 cmd)
{
	ASSERT_EQ(0, uv_run(vm));
	ASSERT_EQ(MICROV_EXIT_IO, vm->run->exit_reason);
	ASSERT_EQ(0x62, vm->run->io.port);
	vm->run->io.data = cmd;
}

/* The guest sends on @port; the result of the hypercall. */
static __u32 guest_send(struct __test_metadata *_metadata, struct uv_vm *vm,
			__u32 port)
{
	((struct evtchn_send *)(vm->mem + A_SEND))->port = port;
	command(_metadata, vm, CMD_SEND);
	if (uv_run(vm) || vm->run->exit_reason != MICROV_EXIT_IO ||
	    vm->run->io.port != 0x63) {
		_metadata->passed = 0;
		return -1;
	}
	return vm->run->io.data;
}

FIXTURE_SETUP(ring)
{
	struct microv_ring r = { .kind = MICROV_RING_CONSOLE, .gfn = CONS_GFN };
	struct xen_add_to_physmap *m;
	struct xen_hvm_param *p;
	struct microv_sregs sregs;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	ASSERT_EQ(0, uv_vm_create(&self->vm, MEM_SIZE, guest_ring_start,
				  guest_ring_end, UV_LONG64));
	uv_set_gate(&self->vm, UV_LONG64, VEC, GUEST_CODE_GPA +
		    (guest_ring_handler - guest_ring_start));
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_SREGS, &sregs));
	uv_tables(&self->vm, UV_LONG64, &sregs);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_SREGS, &sregs));
	m = (void *)(self->vm.mem + A_PHYSMAP);
	m->domid = DOMID_SELF;
	m->space = XENMAPSPACE_shared_info;
	m->gpfn = SHINFO_GFN;
	p = (void *)(self->vm.mem + A_PARAM);
	p->domid = DOMID_SELF;
	p->index = HVM_PARAM_CALLBACK_IRQ;
	p->value = (__u64)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | VEC;

	memset(self->vm.mem + (CONS_GFN << 12), 0x5a, 0x1000);
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_CONNECT_RING, &r));
	self->cons_port = r.port;
	self->cons = (void *)(self->vm.mem + (CONS_GFN << 12));
	self->console = ioctl(self->vm.dom, MICROV_GET_CONSOLE,
			      MICROV_CONSOLE_NONBLOCK);
	ASSERT_LE(0, self->console);
	for (int i = 0; i < 2; i++) {	/* shared_info, the callback */
		ASSERT_EQ(0, uv_run(&self->vm));
		ASSERT_EQ(0x60, self->vm.run->io.port);
		ASSERT_EQ(0, self->vm.run->io.data);
	}
}

FIXTURE_TEARDOWN(ring)
{
	if (self->console >= 0)
		close(self->console);
	uv_vm_destroy(&self->vm);
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
}

/* What connecting did: ports, parameters, pages cleared; what it refuses. */
TEST_F(ring, connect)
{
	struct microv_hvm_param p = { .index = HVM_PARAM_CONSOLE_PFN };
	struct microv_ring r = { .kind = MICROV_RING_CONSOLE, .gfn = 0x140 };

	EXPECT_LT(0, self->cons_port);
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_GET_HVM_PARAM, &p));
	EXPECT_EQ(CONS_GFN, p.value);
	p.index = HVM_PARAM_CONSOLE_EVTCHN;
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_GET_HVM_PARAM, &p));
	EXPECT_EQ(self->cons_port, p.value);
	EXPECT_EQ(0, self->cons->out_prod);		/* cleared */
	EXPECT_EQ(0, self->cons->in[0]);

	/* Twice; bad kinds, flags, pad; no argument. */
	EXPECT_EQ(-1, ioctl(self->vm.dom, MICROV_CONNECT_RING, &r));
	EXPECT_EQ(EBUSY, errno);
	r.kind = 0;
	EXPECT_EQ(-1, ioctl(self->vm.dom, MICROV_CONNECT_RING, &r));
	EXPECT_EQ(EINVAL, errno);
	r.kind = 3;
	EXPECT_EQ(-1, ioctl(self->vm.dom, MICROV_CONNECT_RING, &r));
	EXPECT_EQ(EINVAL, errno);
	r.kind = MICROV_RING_CONSOLE;
	r.flags = 1;
	EXPECT_EQ(-1, ioctl(self->vm.dom, MICROV_CONNECT_RING, &r));
	EXPECT_EQ(EINVAL, errno);
	r.flags = 0;
	r.pad = 1;
	EXPECT_EQ(-1, ioctl(self->vm.dom, MICROV_CONNECT_RING, &r));
	EXPECT_EQ(EINVAL, errno);
	r.pad = 0;
	EXPECT_EQ(-1, ioctl(self->vm.dom, MICROV_CONNECT_RING, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* A ring must be in RAM the guest can write. */
TEST(connect_needs_writable_ram)
{
	struct microv_ring r = { .kind = MICROV_RING_CONSOLE,
				 .gfn = MEM_SIZE >> 12 };
	struct uv_vm vm;
	void *ro;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load());
	ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, guest_ring_start,
				  guest_ring_end, UV_LONG64));
	EXPECT_EQ(-1, ioctl(vm.dom, MICROV_CONNECT_RING, &r));
	EXPECT_EQ(EINVAL, errno);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, uv_set_region(vm.dom, 1, 0x400000, ro, 4096,
				   MICROV_MEM_READONLY));
	r.gfn = 0x400;
	EXPECT_EQ(-1, ioctl(vm.dom, MICROV_CONNECT_RING, &r));
	EXPECT_EQ(EINVAL, errno);
	/* Writable RAM: connected. */
	r.gfn = CONS_GFN;
	EXPECT_EQ(0, ioctl(vm.dom, MICROV_CONNECT_RING, &r));
	uv_vm_destroy(&vm);
	munmap(ro, 4096);
	EXPECT_EQ(0, microv_counter("domains"));
}

/* Guest output reaches the console fd when the guest signals. */
TEST_F(ring, console_output)
{
	static const char msg[] = "hello from the console ring\n";
	struct xencons_interface *c = self->cons;
	char buf[64] = "";
	unsigned int i;

	/* Written as a driver does: bytes, then the producer index. */
	c->out_prod = c->out_cons = 0xfffffff0u;	/* wraps on the way */
	for (i = 0; i < sizeof(msg) - 1; i++)
		c->out[MASK_XENCONS_IDX(c->out_prod + i, c->out)] = msg[i];
	c->out_prod += sizeof(msg) - 1;
	EXPECT_EQ(-1, read(self->console, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);

	EXPECT_EQ(0, guest_send(_metadata, &self->vm, self->cons_port));
	EXPECT_EQ(sizeof(msg) - 1, read(self->console, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg) - 1));
	EXPECT_EQ(c->out_prod, c->out_cons);

	/* The backend signalled back: an upcall is there to take. */
	command(_metadata, &self->vm, CMD_WAIT);
	ASSERT_EQ(0, uv_run(&self->vm));
	EXPECT_EQ(0x63, self->vm.run->io.port);
	EXPECT_EQ(1, self->vm.run->io.data);
	command(_metadata, &self->vm, CMD_DONE);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
}

/* MICROV_OPEN_CONSOLE on the domid: the same stream, from no domain fd. */
static int open_console(int dev, __u32 domid, __u32 flags)
{
	struct microv_open_console req = { .domid = domid, .flags = flags };

	return ioctl(dev, MICROV_OPEN_CONSOLE, &req);
}

/*
 * Another process finds the console by domid: it reads what the guest
 * wrote before it came (the bounded buffer) and writes into the guest's
 * input ring; other users may not, unknown domids and flags are refused.
 */
TEST_F(ring, console_by_domid)
{
	static const char msg[] = "boot output\n";
	struct xencons_interface *c = self->cons;
	char buf[64] = "";
	int fd, status;
	pid_t pid;

	memcpy(c->out, msg, sizeof(msg) - 1);
	c->out_prod = sizeof(msg) - 1;
	EXPECT_EQ(0, guest_send(_metadata, &self->vm, self->cons_port));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* No domain fd here: only /dev/microv and the domid. */
		close(self->vm.dom);
		close(self->vm.vcpu);
		close(self->console);
		fd = open_console(self->vm.dev, self->vm.domid,
				  MICROV_CONSOLE_NONBLOCK);
		if (fd < 0 || read(fd, buf, sizeof(buf)) != sizeof(msg) - 1 ||
		    memcmp(buf, msg, sizeof(msg) - 1) || write(fd, "in", 2) != 2)
			_exit(1);
		close(fd);
		/* Another user: refused. */
		if (setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(open_console(self->vm.dev, self->vm.domid, 0) == -1 &&
		       errno == EPERM ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("child status %#x", status);
	EXPECT_EQ(0, memcmp(c->in, "in", 2));
	EXPECT_EQ(2, c->in_prod);

	EXPECT_EQ(-1, open_console(self->vm.dev, self->vm.domid, 4));
	EXPECT_EQ(EINVAL, errno);
	/* Its hypervisor log by domid too: read-only, empty so far. */
	fd = open_console(self->vm.dev, self->vm.domid,
			  MICROV_CONSOLE_HVLOG | MICROV_CONSOLE_NONBLOCK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, 1));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EBADF, errno);
	close(fd);
	EXPECT_EQ(-1, open_console(self->vm.dev, DOMID_FIRST_RESERVED - 1, 0));
	EXPECT_EQ(ESRCH, errno);
	fd = open_console(self->vm.dev, self->vm.domid, 0);
	ASSERT_LE(0, fd);
	/* The fd holds the domain: it is gone when both fds are. */
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_DESTROY_DOMAIN, 0));
	EXPECT_EQ(-1, open_console(self->vm.dev, self->vm.domid, 0));
	EXPECT_EQ(ESRCH, errno);
	close(fd);
}

/* Console fd writes fill the input ring and raise the guest's event. */
TEST_F(ring, console_input)
{
	struct xencons_interface *c = self->cons;
	struct pollfd pfd = { .fd = self->console, .events = POLLOUT };
	static char big[2048];

	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(3, write(self->console, "abc", 3));
	EXPECT_EQ(3, c->in_prod);
	EXPECT_EQ(0, memcmp(c->in, "abc", 3));

	/* The guest, halted, is woken by the event and takes the upcall. */
	command(_metadata, &self->vm, CMD_WAIT);
	ASSERT_EQ(0, uv_run(&self->vm));
	EXPECT_EQ(0x63, self->vm.run->io.port);
	EXPECT_EQ(1, self->vm.run->io.data);

	/* Full: the rest waits; no POLLOUT until the guest reads. */
	memset(big, 'x', sizeof(big));
	EXPECT_EQ(sizeof(c->in) - 3, write(self->console, big, sizeof(big)));
	EXPECT_EQ(-1, write(self->console, big, sizeof(big)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	c->in_cons = c->in_prod;			/* the driver read it */
	EXPECT_EQ(0, guest_send(_metadata, &self->vm, self->cons_port));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(sizeof(big) / 2, write(self->console, big, sizeof(big)));
	command(_metadata, &self->vm, CMD_DONE);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
}

/*
 * The module serves no xenstore: MICROV_RING_XENSTORE is refused, and the
 * refusal takes no port, sets no HVM parameter and leaves the page alone
 * (the toolstack sets the ring up for microv-xenstored itself).  The
 * console stays as it was.
 */
TEST_F(ring, xenstore_refused)
{
	struct microv_ring r = { .kind = MICROV_RING_XENSTORE,
				 .gfn = STORE_GFN };
	struct microv_hvm_param p = { .index = HVM_PARAM_STORE_PFN };
	struct microv_evtchn_alloc a = { .remote_dom = 0 };
	unsigned char *page = self->vm.mem + (STORE_GFN << 12);

	memset(page, 0x5a, 0x1000);
	EXPECT_EQ(-1, ioctl(self->vm.dom, MICROV_CONNECT_RING, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, r.port);
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_GET_HVM_PARAM, &p));
	EXPECT_EQ(0, p.value);
	p.index = HVM_PARAM_STORE_EVTCHN;
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_GET_HVM_PARAM, &p));
	EXPECT_EQ(0, p.value);
	EXPECT_EQ(0x5a, page[0]);
	EXPECT_EQ(0x5a, page[0xfff]);
	/* No port was taken: the next free one is the console's next. */
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_EVTCHN_ALLOC_UNBOUND, &a));
	EXPECT_EQ(self->cons_port + 1, a.port);

	p.index = HVM_PARAM_CONSOLE_EVTCHN;
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_GET_HVM_PARAM, &p));
	EXPECT_EQ(self->cons_port, p.value);
	EXPECT_EQ(0, guest_send(_metadata, &self->vm, self->cons_port));
	command(_metadata, &self->vm, CMD_DONE);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
}

/* Another thread of the process keeps the guest's console output full. */
struct flood {
	struct xencons_interface *c;
	volatile int stop;
	unsigned long fed;
};

/* Fills whatever room there is at once: faster than the module drains. */
static void *flood_console(void *arg)
{
	struct flood *f = arg;
	XENCONS_RING_IDX prod, room;
	sigset_t alarm;

	/* The alarm is for the vCPU's thread. */
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alarm, NULL);
	while (!f->stop) {
		prod = f->c->out_prod;
		room = sizeof(f->c->out) -
		       (prod - __atomic_load_n(&f->c->out_cons, __ATOMIC_ACQUIRE));
		if (!room)
			continue;
		memset(f->c->out, 'x', sizeof(f->c->out));
		__atomic_store_n(&f->c->out_prod, prod + room, __ATOMIC_RELEASE);
		__atomic_add_fetch(&f->fed, room, __ATOMIC_RELAXED);
	}
	return NULL;
}

static volatile sig_atomic_t alarmed;

static void on_flood_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/*
 * The guest signals its console again and again while another thread
 * keeps filling the ring: the backend takes it in rounds, between which
 * the vCPU's thread sees a signal, so the alarm ends the loop within its
 * second (MICROV_RUN fails with EINTR, or the alarm came between two
 * runs).  Without the rounds, an event that meets a flood fast enough
 * keeps the thread in the kernel for as long as the flood lasts, and the
 * flood here lasts until the loop ends.
 */
TEST_F(ring, console_flood_yields_to_signals)
{
	struct sigaction sa = { .sa_handler = on_flood_alarm };	/* no SA_RESTART */
	struct flood f = { .c = self->cons };
	unsigned int sends = 0;
	pthread_t t;
	int ret = 0;

	((struct evtchn_send *)(self->vm.mem + A_SEND))->port = self->cons_port;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, flood_console, &f));
	while (!__atomic_load_n(&f.fed, __ATOMIC_RELAXED))
		sched_yield();
	alarm(1);
	while (!alarmed && !(ret = uv_run(&self->vm))) {
		/* The flood fell behind: the guest got back, send again. */
		ASSERT_EQ(MICROV_EXIT_IO, self->vm.run->exit_reason);
		if (self->vm.run->io.port == 0x62) {
			self->vm.run->io.data = CMD_SEND;
			sends++;
		} else {
			ASSERT_EQ(0x63, self->vm.run->io.port);
			ASSERT_EQ(0, self->vm.run->io.data);
		}
	}
	EXPECT_TRUE(!ret || errno == EINTR) TH_LOG("run: %s", strerror(errno));
	alarm(0);
	f.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%u events, %lu bytes fed", sends, f.fed);
	EXPECT_LT(0, sends);
	EXPECT_LT(16 * 256, f.fed);
}

/* A console writer blocked on a full ring ends when the domain goes. */
TEST_F(ring, blocked_writer_and_destroy)
{
	static char big[1024];
	int fd = ioctl(self->vm.dom, MICROV_GET_CONSOLE, 0);
	pid_t pid;
	int status;

	ASSERT_LE(0, fd);
	EXPECT_EQ(sizeof(big), write(fd, big, sizeof(big)));	/* full */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(write(fd, big, 1) == -1 && errno == ESRCH ? 0 : 1);
	usleep(200000);
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_DESTROY_DOMAIN, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
}

TEST_HARNESS_MAIN
