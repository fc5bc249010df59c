/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for tests that run guest code under microv: a domain with one
 * slot of RAM from this process, one vCPU with its run area mapped, and
 * the register states the guests start in.  Guest code lives in the test's
 * own C file, between two labels, and is copied into guest RAM.
 */
#ifndef MICROV_GUEST_H
#define MICROV_GUEST_H

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/microv.h>

#include "microv_util.h"

/* Guest code between two labels of a test file, as a byte range. */
#define GUEST_CODE(name)						\
	extern const unsigned char name##_start[], name##_end[]

/* Guest memory layout used by the tests. */
#define GUEST_CODE_GPA		0x1000	/* code is copied here */
#define GUEST_PT_GPA		0x10000	/* long-mode page tables */
#define GUEST_GDT_GPA		0x20000
#define GUEST_IDT_GPA		(GUEST_GDT_GPA + 0x100)
#define GUEST_STACK_TOP		0x30000

struct uv_vm {
	int dev, dom, vcpu;
	unsigned int domid;
	struct microv_run *run;
	unsigned char *mem;
	size_t mem_size;
};

enum uv_mode { UV_REAL, UV_PROT32, UV_LONG64 };

/* MICROV_CREATE_DOMAIN with @flags (MICROV_DOMAIN_*). */
static inline int uv_create_domain_flags(int dev, const char *name,
					 unsigned int *domid, __u32 flags)
{
	struct microv_create_domain req = { .flags = flags };
	int fd;

	if (name)
		snprintf(req.name, sizeof(req.name), "%s", name);
	fd = ioctl(dev, MICROV_CREATE_DOMAIN, &req);
	if (fd >= 0 && domid)
		*domid = req.domid;
	return fd;
}

static inline int uv_create_domain(int dev, const char *name,
				   unsigned int *domid)
{
	return uv_create_domain_flags(dev, name, domid, 0);
}

static inline int uv_set_region(int dom, __u32 slot, __u64 gpa, void *mem,
				__u64 size, __u32 flags)
{
	struct microv_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (unsigned long)mem,
	};

	return ioctl(dom, MICROV_SET_MEMORY_REGION, &r);
}

static inline struct microv_segment uv_seg(__u16 sel, __u8 type, __u8 s,
					   __u8 l, __u8 db)
{
	struct microv_segment seg = {
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.s = s, .present = 1, .l = l, .db = db, .g = 1,
	};

	return seg;
}

/* Flat segments for @mode; long mode also needs identity page tables. */
static inline void uv_sregs(struct uv_vm *vm, enum uv_mode mode,
			    struct microv_sregs *s)
{
	memset(s, 0, sizeof(*s));
	if (mode == UV_REAL) {
		struct microv_segment seg = {
			.limit = 0xffff, .type = 3, .s = 1, .present = 1,
		};

		s->cs = s->ds = s->es = s->fs = s->gs = s->ss = seg;
		s->cs.type = 11;
		s->idt.limit = 0x3ff;
	} else {
		s->cs = uv_seg(0x8, 11, 1, mode == UV_LONG64, mode != UV_LONG64);
		s->ds = s->es = s->fs = s->gs = s->ss = uv_seg(0x10, 3, 1, 0, 1);
		s->cr0 = 0x11;	/* PE, ET */
	}
	s->tr.type = 11;
	s->tr.present = 1;
	s->tr.limit = 0x67;
	s->ldt.unusable = 1;
	s->ldt.type = 2;
	if (mode == UV_LONG64) {
		__u64 *pml4 = (void *)(vm->mem + GUEST_PT_GPA);
		__u64 *pdpt = pml4 + 512, *pd = pml4 + 1024;
		int i;

		/* The first GiB identity-mapped with 2 MiB pages. */
		pml4[0] = (GUEST_PT_GPA + 0x1000) | 3;
		pdpt[0] = (GUEST_PT_GPA + 0x2000) | 3;
		for (i = 0; i < 512; i++)
			pd[i] = ((__u64)i << 21) | 0x83;
		s->cr3 = GUEST_PT_GPA;
		s->cr4 = 0x20;			/* PAE */
		s->cr0 = 0x80000011;		/* PG, ET, PE */
		s->efer = 0x500;		/* LMA, LME */
	}
}

/*
 * A GDT with flat code (selector 8) and data (16) for @mode, and an IDT
 * of not-present gates, for guests that take interrupts or exceptions.
 */
static inline void uv_tables(struct uv_vm *vm, enum uv_mode mode,
			     struct microv_sregs *s)
{
	__u64 *gdt = (void *)(vm->mem + GUEST_GDT_GPA);

	gdt[1] = mode == UV_LONG64 ? 0x00af9b000000ffffull :	/* 64-bit code */
				     0x00cf9b000000ffffull;	/* 32-bit code */
	gdt[2] = 0x00cf93000000ffffull;				/* data */
	s->gdt.base = GUEST_GDT_GPA;
	s->gdt.limit = 3 * 8 - 1;
	s->idt.base = GUEST_IDT_GPA;
	s->idt.limit = 256 * (mode == UV_LONG64 ? 16 : 8) - 1;
}

/* An interrupt gate of @mode's IDT: @vector to guest address @handler. */
static inline void uv_set_gate(struct uv_vm *vm, enum uv_mode mode,
			       int vector, __u64 handler)
{
	__u64 gate = (handler & 0xffff) | (0x8ull << 16) | (0x8eull << 40) |
		     ((handler >> 16 & 0xffff) << 48);

	if (mode == UV_LONG64) {
		__u64 *g = (void *)(vm->mem + GUEST_IDT_GPA + vector * 16);

		g[0] = gate;
		g[1] = handler >> 32;
	} else {
		*(__u64 *)(vm->mem + GUEST_IDT_GPA + vector * 8) = gate;
	}
}

static inline int uv_vcpu_start(struct uv_vm *vm, enum uv_mode mode,
				__u64 rip)
{
	struct microv_regs regs = { .rip = rip, .rflags = 2,
				    .rsp = GUEST_STACK_TOP };
	struct microv_sregs sregs;

	uv_sregs(vm, mode, &sregs);
	if (ioctl(vm->vcpu, MICROV_SET_SREGS, &sregs))
		return -1;
	return ioctl(vm->vcpu, MICROV_SET_REGS, &regs);
}

static inline void uv_vm_destroy(struct uv_vm *vm)
{
	if (vm->run && vm->run != MAP_FAILED)
		munmap(vm->run, sizeof(*vm->run));
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->dom >= 0)
		close(vm->dom);
	if (vm->dev >= 0)
		close(vm->dev);
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->mem_size);
	memset(vm, 0, sizeof(*vm));
	vm->dev = vm->dom = vm->vcpu = -1;
}

/*
 * A domain (MICROV_DOMAIN_* @flags) with @mem_size bytes of RAM at
 * guest-physical 0, @code copied to GUEST_CODE_GPA, and vCPU 0 set to
 * start there in @mode.
 */
static inline int uv_vm_create_flags(struct uv_vm *vm, size_t mem_size,
				     const unsigned char *code,
				     const unsigned char *code_end,
				     enum uv_mode mode, __u32 flags)
{
	memset(vm, 0, sizeof(*vm));
	vm->dom = vm->vcpu = -1;
	vm->dev = open(MICROV_DEV, O_RDWR | O_CLOEXEC);
	if (vm->dev < 0)
		return -1;
	vm->dom = uv_create_domain_flags(vm->dev, NULL, &vm->domid, flags);
	if (vm->dom < 0)
		return -1;
	vm->mem_size = mem_size;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		return -1;
	memcpy(vm->mem + GUEST_CODE_GPA, code, code_end - code);
	if (uv_set_region(vm->dom, 0, 0, vm->mem, mem_size, 0))
		return -1;
	vm->vcpu = ioctl(vm->dom, MICROV_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		return -1;
	vm->run = mmap(NULL, sizeof(*vm->run), PROT_READ | PROT_WRITE,
		       MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		return -1;
	return uv_vcpu_start(vm, mode, GUEST_CODE_GPA);
}

static inline int uv_vm_create(struct uv_vm *vm, size_t mem_size,
			       const unsigned char *code,
			       const unsigned char *code_end, enum uv_mode mode)
{
	return uv_vm_create_flags(vm, mem_size, code, code_end, mode, 0);
}

static inline int uv_run(struct uv_vm *vm)
{
	return ioctl(vm->vcpu, MICROV_RUN, 0);
}

/* The module's counters: live domains and pinned pages. */
static inline long microv_counter(const char *name)
{
	char buf[32];

	if (microv_sysfs(name, buf, sizeof(buf)))
		return -1;
	return atol(buf);
}

/*
 * Assertions on the next exit; need kselftest_harness.h included first.
 */
static inline void expect_io(struct __test_metadata *_metadata,
			     struct uv_vm *vm,
			     __u8 dir, __u16 port, __u8 size, __u32 data)
{
	ASSERT_EQ(0, uv_run(vm)) TH_LOG("run: %s", strerror(errno));
	ASSERT_EQ(MICROV_EXIT_IO, vm->run->exit_reason)
		TH_LOG("exit %u (hw %#llx)", vm->run->exit_reason,
		       (unsigned long long)vm->run->internal.hw_reason);
	EXPECT_EQ(dir, vm->run->io.direction);
	EXPECT_EQ(port, vm->run->io.port);
	EXPECT_EQ(size, vm->run->io.size);
	if (dir == MICROV_IO_OUT)
		EXPECT_EQ(data, vm->run->io.data);
}

static inline void expect_exit(struct __test_metadata *_metadata,
			       struct uv_vm *vm,
			       __u32 reason)
{
	ASSERT_EQ(0, uv_run(vm)) TH_LOG("run: %s", strerror(errno));
	ASSERT_EQ(reason, vm->run->exit_reason)
		TH_LOG("exit %u (hw %#llx, qual %#llx)", vm->run->exit_reason,
		       (unsigned long long)vm->run->internal.hw_reason,
		       (unsigned long long)vm->run->internal.qualification);
}

static inline void on_alarm(int sig)
{
}

/* A guest that never exits, or sleeps in HLT, ends RUN on a signal. */
static inline void run_until_signal(struct __test_metadata *_metadata,
			     struct uv_vm *vm)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	ASSERT_EQ(-1, uv_run(vm));
	ASSERT_EQ(EINTR, errno);
	alarm(0);
}

/* Kernel log lines that say the host got hurt (the fuzzers look). */
static const char microv_klog_reports[][32] = {
	"WARNING:", "BUG:", "Oops", "general protection", "KASAN", "KFENCE",
	"UBSAN", "possible circular locking", "lock held when returning",
	"sleeping function called", "refcount_t:", "list_add corruption",
	"list_del corruption", "VMWRITE", "faulted: VMX is off",
};

#define MICROV_NR_KLOG_REPORTS \
	(sizeof(microv_klog_reports) / sizeof(microv_klog_reports[0]))

static inline void klog_reports(int *count)
{
	unsigned int i;

	for (i = 0; i < MICROV_NR_KLOG_REPORTS; i++)
		count[i] = klog_count(microv_klog_reports[i]);
}

/* None of them is in the kernel log more often than @before says. */
static inline void klog_reports_expect_same(struct __test_metadata *_metadata,
					    const int *before)
{
	int now[MICROV_NR_KLOG_REPORTS];
	unsigned int i;

	klog_reports(now);
	for (i = 0; i < MICROV_NR_KLOG_REPORTS; i++)
		EXPECT_EQ(before[i], now[i])
			TH_LOG("the kernel log has a new \"%s\"",
			       microv_klog_reports[i]);
}

#endif /* MICROV_GUEST_H */
