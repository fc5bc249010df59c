// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi under random use: processes and threads issue every microv
 * ioctl, in random order, on random fds (the device, domains, vCPUs,
 * consoles, and fds that are not microv's), with random and boundary
 * arguments (NULL, unmapped, read-only and kernel addresses, sizes at
 * and past the limits); they also build small domains and run them on
 * random guest RAM, close fds under each other, mmap the run page,
 * unmap guest RAM, lower RLIMIT_NOFILE and RLIMIT_MEMLOCK, fork children
 * that inherit everything, and kill some of them with SIGKILL.  A timer
 * per thread ends any call that blocks.
 *
 * Afterwards: no warning, bug or lockdep report in the kernel log, no
 * domain and no pinned page left, MemAvailable back within a bound, and
 * the module unloads.  MICROV_FUZZ_OPS (operations per thread, default
 * 3000) and MICROV_FUZZ_SEED (default 1) set the run.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "guest.h"

#define WORKERS		3	/* processes */
#define THREADS		2	/* per process */
#define NR_FDS		48
#define NR_MEM		4
#define MAX_CHILDREN	8
#define CHILD_OPS	200	/* a forked child's share, whatever the run */

static const unsigned long cmds[] = {
	MICROV_GET_API_VERSION, MICROV_CHECK_EXTENSION, MICROV_GET_HOST_INFO,
	MICROV_CREATE_DOMAIN, MICROV_OPEN_CONSOLE, MICROV_SET_MEMORY_REGION,
	MICROV_CREATE_VCPU, MICROV_GET_DOMAIN_INFO, MICROV_PAUSE_DOMAIN,
	MICROV_UNPAUSE_DOMAIN, MICROV_DESTROY_DOMAIN, MICROV_SET_HVM_PARAM,
	MICROV_GET_HVM_PARAM, MICROV_GET_CONSOLE, MICROV_SET_MEMORY_MAP,
	MICROV_CONNECT_RING, MICROV_SET_IO_PORTS, MICROV_GET_DIAG, MICROV_RUN,
	MICROV_GET_REGS, MICROV_SET_REGS, MICROV_GET_SREGS, MICROV_SET_SREGS,
};

/* What one process shares between its threads. */
struct pool {
	pthread_mutex_t lock;
	int fds[NR_FDS];
	unsigned char *mem[NR_MEM];
	size_t mem_size[NR_MEM];
	bool mem_ro[NR_MEM];
	unsigned char *ro, *none;	/* a read-only page, a PROT_NONE one */
	pid_t children[MAX_CHILDREN];
	unsigned long ops;
	unsigned long seed;
};

static struct pool pool;
static bool is_child;		/* children do not fork again */
static __thread unsigned long long rng;
static __thread timer_t timer;

static unsigned long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long pick(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static void on_timer(int sig)
{
	(void)sig;
}

/* The calling thread gets SIGUSR1 in 1 to 30 ms: blocking calls end. */
static void arm_timer(void)
{
	struct itimerspec its = { .it_value.tv_nsec = (1 + pick(30)) * 1000000 };

	timer_settime(timer, 0, &its, NULL);
}

static void disarm_timer(void)
{
	struct itimerspec its = { 0 };

	timer_settime(timer, 0, &its, NULL);
}

static int any_fd(void)
{
	return pool.fds[pick(NR_FDS)];
}

static void add_fd(int fd)
{
	unsigned int i = pick(NR_FDS);

	if (fd < 0)
		return;
	pthread_mutex_lock(&pool.lock);
	if (pool.fds[i] >= 0)
		close(pool.fds[i]);
	pool.fds[i] = fd;
	pthread_mutex_unlock(&pool.lock);
}

/* Boundary and random numbers. */
static unsigned long long value(void)
{
	static const unsigned long long edges[] = {
		0, 1, 2, 31, 32, 33, 0xff, 0x1000, 0xfff, 0x7fef, 0x7ff0,
		0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ull, 1ull << 47, 1ull << 52, ~0ull >> 1, ~0ull,
		~0ull - 0xfff,
	};

	if (pick(3))
		return edges[pick(sizeof(edges) / sizeof(edges[0]))];
	return rnd() >> pick(64);
}

/* An address to hand the kernel. */
static void *address(void *good)
{
	switch (pick(8)) {
	case 0:
		return NULL;
	case 1:
		return pool.ro;
	case 2:
		return pool.none;
	case 3:
		return (void *)0xffffffff81000000ul;
	case 4:
		return (void *)(unsigned long)value();
	case 5:
		return pool.mem[pick(NR_MEM)];
	default:
		return good;
	}
}

/* Fills @buf (an ioctl's argument) with something between sane and not. */
static void fill(unsigned char *buf, size_t size)
{
	size_t i;
	__u64 *q = (__u64 *)buf;

	for (i = 0; i < size; i++)
		buf[i] = pick(4) ? 0 : rnd();
	for (i = 0; i < size / 8; i++)
		if (!pick(3))
			q[i] = value();
	if (size >= 32 && pick(2)) {	/* a memory region over pool RAM */
		struct microv_memory_region *r = (void *)buf;
		unsigned int m = pick(NR_MEM);

		r->slot = pick(10);
		r->flags = pick(4) ? 0 : value();
		r->guest_phys_addr = pick(4) ? pick(64) << 16 : value();
		r->memory_size = pick(4) ? pool.mem_size[m] >> pick(4) : value();
		r->userspace_addr = (unsigned long)address(pool.mem[m]);
	}
}

static void op_ioctl(void)
{
	unsigned long cmd = pick(20) ? cmds[pick(sizeof(cmds) / sizeof(cmds[0]))]
				     : _IO(MICROVIO, pick(256));
	unsigned char buf[1024] __attribute__((aligned(8)));
	void *arg;

	fill(buf, sizeof(buf));
	if (_IOC_DIR(cmd) == _IOC_NONE)
		arg = (void *)(unsigned long)(pick(2) ? pick(40) : value());
	else
		arg = address(buf);
	arm_timer();
	ioctl(any_fd(), cmd, arg);
	disarm_timer();
}

/* A domain with RAM, a vCPU at a random place in it, run for a moment. */
static void op_guest(void)
{
	struct microv_regs regs;
	unsigned int m = pick(NR_MEM);
	int dev, dom, vcpu;

	dev = open(MICROV_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return;
	dom = uv_create_domain(dev, NULL, NULL);
	close(dev);
	if (dom < 0)
		return;
	pthread_mutex_lock(&pool.lock);
	if (pool.mem[m] && !pool.mem_ro[m] && !pick(2))
		memset(pool.mem[m], pick(2) ? 0xf4 : rnd(), pool.mem_size[m] / 2);
	uv_set_region(dom, 0, 0, pool.mem[m], pool.mem_size[m], 0);
	pthread_mutex_unlock(&pool.lock);
	vcpu = ioctl(dom, MICROV_CREATE_VCPU, 0);
	if (vcpu >= 0 && !ioctl(vcpu, MICROV_GET_REGS, &regs)) {
		regs.rip = pick(pool.mem_size[m] ? pool.mem_size[m] : 1);
		regs.rflags = 2 | (pick(2) << 9);
		ioctl(vcpu, MICROV_SET_REGS, &regs);
		arm_timer();
		ioctl(vcpu, MICROV_RUN, 0);
		disarm_timer();
	}
	if (!pick(3))
		ioctl(dom, MICROV_DESTROY_DOMAIN, 0);
	add_fd(vcpu);
	add_fd(dom);
}

static void op_mem(void)
{
	unsigned int m = pick(NR_MEM);
	size_t size = (1 + pick(16)) << 16;
	unsigned char *p;

	pthread_mutex_lock(&pool.lock);
	switch (pick(3)) {
	case 0:
		if (pool.mem[m])
			munmap(pool.mem[m], pool.mem_size[m]);
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		pool.mem[m] = p == MAP_FAILED ? NULL : p;
		pool.mem_size[m] = p == MAP_FAILED ? 0 : size;
		pool.mem_ro[m] = false;
		break;
	case 1:
		pool.mem_ro[m] = pick(2);
		if (pool.mem[m])
			mprotect(pool.mem[m], pool.mem_size[m], pool.mem_ro[m] ?
				 PROT_READ : PROT_READ | PROT_WRITE);
		break;
	default:
		if (pool.mem[m])
			madvise(pool.mem[m], pool.mem_size[m], MADV_DONTNEED);
		break;
	}
	pthread_mutex_unlock(&pool.lock);
}

static void op_file(void)
{
	struct pollfd pfd = { .fd = any_fd(), .events = POLLIN | POLLOUT };
	char buf[256];
	void *p;

	switch (pick(6)) {
	case 0:
		arm_timer();
		read(pfd.fd, buf, pick(sizeof(buf)));
		disarm_timer();
		break;
	case 1:
		arm_timer();
		write(pfd.fd, "fuzz\n", 1 + pick(5));
		disarm_timer();
		break;
	case 2:
		poll(&pfd, 1, 0);
		break;
	case 3:
		p = mmap(NULL, 4096 << pick(2), pick(2) ? PROT_READ :
			 PROT_READ | PROT_WRITE, MAP_SHARED, pfd.fd, pick(3) << 12);
		if (p != MAP_FAILED) {
			((volatile char *)p)[pick(4096)];
			munmap(p, 4096);
		}
		break;
	case 4:
		add_fd(dup(pfd.fd));
		break;
	default:
		add_fd(open(MICROV_DEV, O_RDWR | (pick(2) ? O_CLOEXEC : 0)));
		break;
	}
}

static void op_close(void)
{
	unsigned int i = pick(NR_FDS);

	pthread_mutex_lock(&pool.lock);
	if (pool.fds[i] >= 0)
		close(pool.fds[i]);
	pool.fds[i] = -1;
	pthread_mutex_unlock(&pool.lock);
}

static void op_limits(void)
{
	struct rlimit rl;
	int which = pick(2) ? RLIMIT_NOFILE : RLIMIT_MEMLOCK;

	getrlimit(which, &rl);
	rl.rlim_cur = pick(3) ? rl.rlim_max :
		      which == RLIMIT_NOFILE ? 8 + pick(40) : pick(1 << 20);
	setrlimit(which, &rl);
}

static void run_ops(unsigned long n);

static void op_fork(void)
{
	unsigned int i = pick(MAX_CHILDREN);
	pid_t pid;

	if (is_child)
		return;
	pthread_mutex_lock(&pool.lock);
	if (pool.children[i] > 0) {
		if (pick(2))
			kill(pool.children[i], SIGKILL);
		waitpid(pool.children[i], NULL, 0);
		pool.children[i] = 0;
	}
	pid = fork();
	if (pid == 0) {
		/* One thread here: the pool's lock is this thread's own copy. */
		/* Dies with its parent, whatever the parent dies of. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pthread_mutex_init(&pool.lock, NULL);
		is_child = true;
		rng ^= getpid();
		run_ops(CHILD_OPS);
		_exit(0);
	}
	if (pid > 0)
		pool.children[i] = pid;
	pthread_mutex_unlock(&pool.lock);
}

static void run_ops(unsigned long n)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID,
				.sigev_signo = SIGUSR1 };
	unsigned long i;

	sev._sigev_un._tid = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer))
		return;
	for (i = 0; i < n; i++) {
		switch (pick(16)) {
		case 0 ... 5:
			op_ioctl();
			break;
		case 6 ... 7:
			op_guest();
			break;
		case 8 ... 9:
			op_file();
			break;
		case 10 ... 11:
			op_close();
			break;
		case 12:
			op_mem();
			break;
		case 13:
			op_limits();
			break;
		case 14:
			if (!pick(8))
				op_fork();
			break;
		default:
			add_fd(open(MICROV_DEV, O_RDWR | O_CLOEXEC));
			break;
		}
	}
	timer_delete(timer);
}

static void *thread_main(void *arg)
{
	rng = pool.seed * 7919 + (unsigned long)arg * 104729 + getpid();
	run_ops(pool.ops);
	return NULL;
}

/* One fuzzing process: THREADS threads on one pool, then everything let go. */
static void worker(unsigned int id)
{
	struct sigaction sa = { .sa_handler = on_timer };
	pthread_t t[THREADS];
	unsigned long i;

	sigaction(SIGUSR1, &sa, NULL);
	pthread_mutex_init(&pool.lock, NULL);
	for (i = 0; i < NR_FDS; i++)
		pool.fds[i] = -1;
	pool.ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	pool.none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	rng = pool.seed + id;
	for (i = 0; i < NR_MEM; i++)
		op_mem();
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, thread_main,
			       (void *)(unsigned long)(id * THREADS + i));
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < MAX_CHILDREN; i++)
		if (pool.children[i] > 0) {
			kill(pool.children[i], SIGKILL);
			waitpid(pool.children[i], NULL, 0);
		}
	_exit(0);
}

static long mem_available_kb(void)
{
	char buf[4096], *p;

	if (read_text("/proc/meminfo", buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "MemAvailable:");
	return p ? atol(p + strlen("MemAvailable:")) : -1;
}


FIXTURE(fuzz) {
	int before[MICROV_NR_KLOG_REPORTS];
	long avail;
};

FIXTURE_SETUP(fuzz)
{
	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	klog_reports(self->before);
	self->avail = mem_available_kb();
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, ioctls, 1800)
{
	const char *ops = getenv("MICROV_FUZZ_OPS");
	const char *seed = getenv("MICROV_FUZZ_SEED");
	pid_t pids[WORKERS];
	unsigned int i;
	int status;
	long avail;

	pool.ops = ops ? strtoul(ops, NULL, 0) : 3000;
	pool.seed = seed ? strtoul(seed, NULL, 0) : 1;
	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			worker(i);
	}
	for (i = 0; i < WORKERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("worker %u: status %#x", i, status);
	}
	TH_LOG("%u processes x %u threads x %lu operations, seed %lu",
	       WORKERS, THREADS, pool.ops, pool.seed);

	/* Nothing left, nothing reported. */
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	klog_reports_expect_same(_metadata, self->before);
	avail = mem_available_kb();
	EXPECT_LT(self->avail - avail, 32 * 1024)
		TH_LOG("MemAvailable %ld kB before, %ld kB after",
		       self->avail, avail);
	EXPECT_EQ(0, microv_unload()) TH_LOG("rmmod: %s", strerror(errno));
	EXPECT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
}

TEST_HARNESS_MAIN
