// SPDX-License-Identifier: GPL-2.0
/*
 * Domains, memory slots and vCPUs through the uapi: domids and names,
 * every bad input with its documented errno, and teardown in every order
 * (fds closed in any order, the process killed in the middle of a RUN)
 * leaving no domain and no pinned page behind.
 */
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "guest.h"

#define MEM	(1 << 20)

/* Real mode: spins (killed from outside). */
GUEST_CODE(guest_spin);
asm(".pushsection .rodata\n"
    "guest_spin_start:\n"
    ".code16\n"
    "1:	jmp 1b\n"
    ".code64\n"
    "guest_spin_end:\n"
    ".popsection\n");

FIXTURE(domain) {
	int dev;
	int dom;
	void *mem;
};

FIXTURE_SETUP(domain)
{
	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	self->dev = open(MICROV_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	self->dom = uv_create_domain(self->dev, NULL, NULL);
	ASSERT_LE(0, self->dom) TH_LOG("create: %s", strerror(errno));
	self->mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
}

FIXTURE_TEARDOWN(domain)
{
	close(self->dom);
	close(self->dev);
	munmap(self->mem, MEM);
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
}

TEST_F(domain, capabilities)
{
	EXPECT_EQ(MICROV_MAX_VCPUS, ioctl(self->dev, MICROV_CHECK_EXTENSION,
					  MICROV_CAP_DOMAINS));
	EXPECT_EQ(MICROV_MAX_MEMSLOTS, ioctl(self->dev, MICROV_CHECK_EXTENSION,
					     MICROV_CAP_NR_MEMSLOTS));
	EXPECT_EQ(1, ioctl(self->dev, MICROV_CHECK_EXTENSION,
			   MICROV_CAP_OPEN_CONSOLE));
}

TEST_F(domain, domids_and_names)
{
	struct microv_domain_info info = { 0 };
	struct microv_create_domain req = { 0 };
	unsigned int a, b;
	int da, db;

	da = uv_create_domain(self->dev, "guest-1.a_b", &a);
	ASSERT_LE(0, da);
	db = uv_create_domain(self->dev, "", &b);
	ASSERT_LE(0, db);
	EXPECT_NE(a, b);
	EXPECT_LE(1, a);
	EXPECT_GE(0x7fef, a);
	EXPECT_EQ(3, microv_counter("domains"));

	ASSERT_EQ(-1, uv_create_domain(self->dev, "guest-1.a_b", NULL));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(-1, uv_create_domain(self->dev, "bad name", NULL));
	EXPECT_EQ(EINVAL, errno);
	memset(req.name, 'x', sizeof(req.name));	/* no NUL */
	ASSERT_EQ(-1, ioctl(self->dev, MICROV_CREATE_DOMAIN, &req));
	EXPECT_EQ(EINVAL, errno);
	memset(&req, 0, sizeof(req));
	req.flags = ~MICROV_DOMAIN_STRICT_MMIO;	/* unknown flags */
	ASSERT_EQ(-1, ioctl(self->dev, MICROV_CREATE_DOMAIN, &req));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(self->dev, MICROV_CREATE_DOMAIN, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, ioctl(da, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(a, info.domid);
	EXPECT_STREQ("guest-1.a_b", info.name);
	info.flags = 1;
	ASSERT_EQ(-1, ioctl(da, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(EINVAL, errno);

	/* The name is free again once its domain is gone. */
	close(da);
	da = uv_create_domain(self->dev, "guest-1.a_b", NULL);
	ASSERT_LE(0, da);
	close(da);
	close(db);
}

TEST_F(domain, memory_regions)
{
	struct microv_domain_info info = { 0 };
	char *m = self->mem;
	int d = self->dom;

	ASSERT_EQ(0, uv_set_region(d, 0, 0, m, MEM / 2, 0));
	/* Nothing is pinned until the guest or the hypervisor touches it. */
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	/* Overlap with slot 0, in another slot. */
	ASSERT_EQ(-1, uv_set_region(d, 1, MEM / 4, m, MEM / 2, 0));
	EXPECT_EQ(EEXIST, errno);
	/* Unaligned gpa, size, address. */
	ASSERT_EQ(-1, uv_set_region(d, 1, MEM + 1, m, 4096, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, uv_set_region(d, 1, MEM, m, 4095, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, uv_set_region(d, 1, MEM, m + 1, 4096, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Beyond the guest-physical limit, wrapping, slot out of range. */
	ASSERT_EQ(-1, uv_set_region(d, 1, MICROV_MAX_GPA - 4096, m, 8192, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, uv_set_region(d, 1, -4096ull, m, 8192, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, uv_set_region(d, MICROV_MAX_MEMSLOTS, MEM, m, 4096, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, uv_set_region(d, 1, MEM, m, 4096, 0x80));
	EXPECT_EQ(EINVAL, errno);
	/* Memory the caller does not have. */
	ASSERT_EQ(-1, uv_set_region(d, 1, MEM, (void *)0x1000, 4096, 0));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, uv_set_region(d, 1, MEM, m + MEM, 2 * MEM, 0));
	EXPECT_EQ(EFAULT, errno);
	/* Read-only memory cannot back a writable slot, but a read-only one. */
	ASSERT_EQ(0, mprotect(m + MEM / 2, 4096, PROT_READ));
	ASSERT_EQ(-1, uv_set_region(d, 1, MEM, m + MEM / 2, 4096, 0));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, uv_set_region(d, 1, MEM, m + MEM / 2, 4096,
				   MICROV_MEM_READONLY));
	/* A failure left nothing pinned. */
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	ASSERT_EQ(0, ioctl(d, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(2, info.nr_memslots);
	EXPECT_EQ(MEM / 2 / 4096 + 1, info.nr_pages);
	/* Zero size deletes; deleting an empty slot is fine. */
	ASSERT_EQ(0, uv_set_region(d, 1, 0, NULL, 0, 0));
	ASSERT_EQ(0, uv_set_region(d, 5, 0, NULL, 0, 0));
	/* Replacing slot 0 with a smaller region. */
	ASSERT_EQ(0, uv_set_region(d, 0, 0, m, 8192, 0));
	ASSERT_EQ(0, ioctl(d, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(2, info.nr_pages);
}

TEST_F(domain, vcpus_and_registers)
{
	struct microv_regs regs = { .rflags = 2 };
	struct microv_sregs sregs;
	struct uv_vm vm = { .dom = self->dom, .mem = self->mem };
	void *run;
	int v;

	ASSERT_EQ(-1, ioctl(self->dom, MICROV_CREATE_VCPU, MICROV_MAX_VCPUS));
	EXPECT_EQ(EINVAL, errno);
	v = ioctl(self->dom, MICROV_CREATE_VCPU, 3);
	ASSERT_LE(0, v);
	ASSERT_EQ(-1, ioctl(self->dom, MICROV_CREATE_VCPU, 3));
	EXPECT_EQ(EEXIST, errno);

	/* ioctls of one fd type on another. */
	ASSERT_EQ(-1, ioctl(v, MICROV_CREATE_VCPU, 4));
	EXPECT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->dom, MICROV_RUN, 0));
	EXPECT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->dev, MICROV_SET_REGS, &regs));
	EXPECT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(v, MICROV_GET_API_VERSION, 0));
	EXPECT_EQ(ENOTTY, errno);

	/* The run area is one page at offset 0. */
	run = mmap(NULL, 8192, PROT_READ, MAP_SHARED, v, 0);
	EXPECT_EQ(MAP_FAILED, run);
	run = mmap(NULL, 4096, PROT_READ, MAP_SHARED, v, 4096);
	EXPECT_EQ(MAP_FAILED, run);

	/* RUN before memory and registers. */
	ASSERT_EQ(-1, ioctl(v, MICROV_RUN, 0));
	EXPECT_EQ(ENOEXEC, errno);
	ASSERT_EQ(0, uv_set_region(self->dom, 0, 0, self->mem, MEM, 0));
	ASSERT_EQ(-1, ioctl(v, MICROV_RUN, 0));
	EXPECT_EQ(ENOEXEC, errno);
	ASSERT_EQ(-1, ioctl(v, MICROV_RUN, 1));
	EXPECT_EQ(EINVAL, errno);

	/* Registers: reserved RFLAGS bits, bad pointers. */
	regs.rflags = 0;
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_REGS, &regs));
	EXPECT_EQ(EINVAL, errno);
	regs.rflags = 2 | (1ull << 40);
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_REGS, &regs));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_REGS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(v, MICROV_GET_SREGS, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	/* Special registers no CPU could hold. */
	uv_sregs(&vm, UV_LONG64, &sregs);
	sregs.efer = 0x100;		/* LME without LMA under paging */
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_SREGS, &sregs));
	EXPECT_EQ(EINVAL, errno);
	uv_sregs(&vm, UV_LONG64, &sregs);
	sregs.cr0 = 0x80000000;		/* PG without PE */
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_SREGS, &sregs));
	EXPECT_EQ(EINVAL, errno);
	uv_sregs(&vm, UV_LONG64, &sregs);
	sregs.cr4 = 0x2000;		/* VMXE */
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_SREGS, &sregs));
	EXPECT_EQ(EINVAL, errno);
	uv_sregs(&vm, UV_LONG64, &sregs);
	sregs.cr3 |= 1ull << 51;	/* beyond any MAXPHYADDR here */
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_SREGS, &sregs));
	EXPECT_EQ(EINVAL, errno);
	uv_sregs(&vm, UV_LONG64, &sregs);
	sregs.cs.db = 1;		/* L and D together */
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_SREGS, &sregs));
	EXPECT_EQ(EINVAL, errno);
	uv_sregs(&vm, UV_PROT32, &sregs);
	sregs.ds.limit = 0xfff00;	/* G set, low bits not all ones */
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_SREGS, &sregs));
	EXPECT_EQ(EINVAL, errno);
	uv_sregs(&vm, UV_PROT32, &sregs);
	sregs.tr.unusable = 1;
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_SREGS, &sregs));
	EXPECT_EQ(EINVAL, errno);
	uv_sregs(&vm, UV_PROT32, &sregs);
	sregs.flags = 1;
	ASSERT_EQ(-1, ioctl(v, MICROV_SET_SREGS, &sregs));
	EXPECT_EQ(EINVAL, errno);

	/* Good state reads back as it was set. */
	uv_sregs(&vm, UV_LONG64, &sregs);
	ASSERT_EQ(0, ioctl(v, MICROV_SET_SREGS, &sregs));
	memset(&sregs, 0xff, sizeof(sregs));
	ASSERT_EQ(0, ioctl(v, MICROV_GET_SREGS, &sregs));
	EXPECT_EQ(0x500, sregs.efer);
	EXPECT_EQ(GUEST_PT_GPA, sregs.cr3);
	regs.rflags = 2;
	regs.rip = 0x1234;
	ASSERT_EQ(0, ioctl(v, MICROV_SET_REGS, &regs));
	memset(&regs, 0, sizeof(regs));
	ASSERT_EQ(0, ioctl(v, MICROV_GET_REGS, &regs));
	EXPECT_EQ(0x1234, regs.rip);
	close(v);
}

/* Destroy frees the name, the domid and the memory before the fds go. */
TEST_F(domain, destroy_releases_at_once)
{
	struct microv_domain_info info = { 0 };
	unsigned int domid, again;
	int d, d2, v;

	d = uv_create_domain(self->dev, "doomed", &domid);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, uv_set_region(d, 0, 0, self->mem, MEM, 0));
	v = ioctl(d, MICROV_CREATE_VCPU, 0);
	ASSERT_LE(0, v);
	ASSERT_EQ(-1, ioctl(d, MICROV_DESTROY_DOMAIN, 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ioctl(d, MICROV_DESTROY_DOMAIN, 0));
	EXPECT_EQ(1, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));

	d2 = uv_create_domain(self->dev, "doomed", &again);
	ASSERT_LE(0, d2) TH_LOG("name not free: %s", strerror(errno));
	EXPECT_EQ(domid, again);	/* the lowest free domid */
	close(d2);

	ASSERT_EQ(-1, uv_set_region(d, 0, 0, self->mem, MEM, 0));
	EXPECT_EQ(ESRCH, errno);
	ASSERT_EQ(-1, ioctl(d, MICROV_CREATE_VCPU, 1));
	EXPECT_EQ(ESRCH, errno);
	ASSERT_EQ(-1, ioctl(d, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(ESRCH, errno);
	ASSERT_EQ(-1, ioctl(v, MICROV_GET_REGS, &info));
	EXPECT_EQ(ESRCH, errno);
	close(v);
	close(d);
}

/* Fds closed in every order: the domain dies with the last one. */
TEST_F(domain, close_in_any_order)
{
	int order, v0, v1;

	for (order = 0; order < 3; order++) {
		int d = uv_create_domain(self->dev, "closing", NULL);

		ASSERT_LE(0, d);
		ASSERT_EQ(0, uv_set_region(d, 0, 0, self->mem, MEM, 0));
		v0 = ioctl(d, MICROV_CREATE_VCPU, 0);
		v1 = ioctl(d, MICROV_CREATE_VCPU, 1);
		ASSERT_LE(0, v0);
		ASSERT_LE(0, v1);
		if (order == 0) {
			close(d);
			close(v0);
			EXPECT_EQ(2, microv_counter("domains"));
			close(v1);
		} else if (order == 1) {
			close(v1);
			close(d);
			EXPECT_EQ(2, microv_counter("domains"));
			close(v0);
		} else {
			close(v0);
			close(v1);
			close(d);
		}
		EXPECT_EQ(1, microv_counter("domains"));
		EXPECT_EQ(0, microv_counter("pinned_pages"));
	}
}

/* A domain fd only works in the process that created the domain. */
TEST_F(domain, other_process_refused)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct microv_domain_info info = { 0 };

		_exit(ioctl(self->dom, MICROV_GET_DOMAIN_INFO, &info) == -1 &&
		      errno == EIO ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* MemAvailable from /proc/meminfo, in KiB, or -1. */
static long mem_available_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * kill -9 in the middle of RUN, many times: nothing stays behind, by the
 * module's counters and by the kernel's own (each child pins 1 MiB: a leak
 * of all of them would be 100 MiB, the slack allowed is 16 MiB).
 */
TEST_F_TIMEOUT(domain, kill_during_run, 300)
{
	long avail = mem_available_kb();
	int i, status;

	for (i = 0; i < 100; i++) {
		int ready[2];
		pid_t pid;
		char c;

		ASSERT_EQ(0, pipe(ready));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct uv_vm vm;

			if (uv_vm_create(&vm, MEM, guest_spin_start,
					 guest_spin_end, UV_REAL))
				_exit(1);
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			uv_run(&vm);
			_exit(2);
		}
		close(ready[1]);
		ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("child %d did not start", i);
		close(ready[0]);
		usleep(i % 10 * 1000);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
	}
	EXPECT_EQ(1, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	ASSERT_LT(0, avail);
	EXPECT_GT(mem_available_kb(), avail - 16 * 1024)
		TH_LOG("MemAvailable %ld kB before, %ld kB after", avail,
		       mem_available_kb());
}

TEST_HARNESS_MAIN
