// SPDX-License-Identifier: GPL-2.0
/*
 * A guest that runs random instruction bytes: 64-bit and 32-bit, at CPL 0
 * and CPL 3, with every general register random (so that a VMCALL among
 * them, and the one that starts some blocks, is a random hypercall).  An
 * IDT catches its own faults: each vector's stub reports it on port 0xe0.
 * Whatever a block ends in (a fault, an exit of any kind, a loop ended by
 * a timer), the vCPU is put back in a clean state with new bytes.
 *
 * The module must never fail a VM entry with state it let the guest
 * reach; code at CPL 3 must leave the guest only through its own
 * kernel's IDT (it cannot stop the VM); and the host must stay healthy:
 * no kernel report, nothing left behind.  MICROV_FUZZ_BLOCKS (default 4000 per mode) and
 * MICROV_FUZZ_SEED (default 1) set the run.
 */
#include <time.h>

#include "kselftest_harness.h"
#include "guest.h"

/*
 * The first 2 MiB hold what only CPL 0 may touch (tables, stubs, its
 * stack); CPL 3 code gets the second 2 MiB, by paging in 64-bit mode and
 * by segment base and limit in 32-bit mode.
 */
#define MEM_SIZE	(4 << 20)
#define USER_GPA	0x200000
#define USER_SIZE	0x200000
#define BLOCK_GPA	USER_GPA	/* the random bytes */
#define BLOCK_SIZE	256
#define STUBS_GPA	0x8000		/* 8 bytes per vector */
#define TSS_GPA		0x6000
#define KSTACK		0x3f000		/* CPL 0 stack, and the TSS's */
#define USTACK		(USER_GPA + USER_SIZE - 0x1000)

static unsigned long long rng;
static unsigned long long internal_seen;

static unsigned long long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct mode {
	const char *name;
	enum uv_mode mode;
	int cpl;
};

static const struct mode modes[] = {
	{ "64-bit CPL 0", UV_LONG64, 0 },
	{ "64-bit CPL 3", UV_LONG64, 3 },
	{ "32-bit CPL 0", UV_PROT32, 0 },
	{ "32-bit CPL 3", UV_PROT32, 3 },
};

/* Exits seen, by MICROV_EXIT_* (and the last slot for "timer"). */
#define NR_KINDS	16

/*
 * A clean guest in @m: GDT (kernel code and data, user code and data, a
 * TSS), an IDT whose every vector goes to its stub, page tables open to
 * CPL 3, and random bytes at BLOCK_GPA, where it starts.
 */
static void reset(struct __test_metadata *_metadata, struct uv_vm *vm,
		  const struct mode *m)
{
	bool lm = m->mode == UV_LONG64;
	__u64 *gdt = (void *)(vm->mem + GUEST_GDT_GPA);
	__u64 *pml4 = (void *)(vm->mem + GUEST_PT_GPA);
	struct microv_sregs s;
	struct microv_regs r;
	unsigned int i;
	__u64 *q;

	uv_sregs(vm, m->mode, &s);
	uv_tables(vm, m->mode, &s);
	if (lm) {
		pml4[0] |= 4;
		pml4[512] |= 4;
		pml4[1024 + USER_GPA / USER_SIZE] |= 4;
		gdt[3] = 0x00affb000000ffffull;		/* 64-bit user code */
		gdt[4] = 0x00cff3000000ffffull;
	} else {
		/* Base USER_GPA, limit 2 MiB (0x1ff pages). */
		gdt[3] = 0x00c0fb2000000000ull | (USER_SIZE / 4096 - 1);
		gdt[4] = 0x00c0f32000000000ull | (USER_SIZE / 4096 - 1);
	}
	/* A 32-bit TSS at GDT slot 5 (16 bytes in long mode). */
	gdt[5] = 0x0000890000000067ull | ((__u64)TSS_GPA & 0xffffff) << 16;
	gdt[6] = 0;
	s.gdt.limit = 7 * 8 - 1;
	s.tr.selector = 0x28;
	s.tr.base = TSS_GPA;
	memset(vm->mem + TSS_GPA, 0, 0x68);
	/* No I/O bitmap (its base past the limit): CPL 3 gets no port. */
	*(__u16 *)(vm->mem + TSS_GPA + 0x66) = 0x68;
	if (lm) {
		*(__u64 *)(vm->mem + TSS_GPA + 4) = KSTACK;	/* RSP0 */
	} else {
		*(__u32 *)(vm->mem + TSS_GPA + 4) = KSTACK;	/* ESP0 */
		*(__u32 *)(vm->mem + TSS_GPA + 8) = 0x10;	/* SS0 */
	}
	for (i = 0; i < 256; i++) {
		unsigned char *stub = vm->mem + STUBS_GPA + 8 * i;

		stub[0] = 0xb0;			/* mov $i, %al */
		stub[1] = i;
		stub[2] = 0xe6;			/* out %al, $0xe0 */
		stub[3] = 0xe0;
		stub[4] = 0xf4;			/* hlt */
		uv_set_gate(vm, m->mode, i, STUBS_GPA + 8 * i);
	}
	if (m->cpl == 3) {
		s.cs.selector = 0x1b;
		s.cs.dpl = 3;
		s.ss = s.ds = s.es = s.fs = s.gs = uv_seg(0x23, 3, 1, 0, 1);
		s.ss.dpl = s.ds.dpl = s.es.dpl = s.fs.dpl = s.gs.dpl = 3;
		if (!lm) {
			s.cs.base = s.ss.base = s.ds.base = s.es.base =
				s.fs.base = s.gs.base = USER_GPA;
			s.cs.limit = s.ss.limit = s.ds.limit = s.es.limit =
				s.fs.limit = s.gs.limit = USER_SIZE - 1;
		}
	}
	s.cr4 |= 0x40200;	/* OSXSAVE, OSFXSR */
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_SREGS, &s))
		TH_LOG("SET_SREGS: %s", strerror(errno));

	for (q = (void *)(vm->mem + BLOCK_GPA), i = 0; i < BLOCK_SIZE / 8; i++)
		q[i] = rnd();
	if (!(rnd() % 4))
		memcpy(vm->mem + BLOCK_GPA, "\x0f\x01\xc1", 3);	/* VMCALL */
	memset(&r, 0, sizeof(r));
	for (q = &r.rax, i = 0; i < 16; i++)
		q[i] = rnd() >> (rnd() % 64);
	r.rsp = m->cpl ? USTACK : KSTACK;
	r.rip = BLOCK_GPA;
	if (m->cpl == 3 && !lm) {	/* offsets in the user segments */
		r.rsp -= USER_GPA;
		r.rip -= USER_GPA;
	}
	r.rflags = 2;
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_REGS, &r))
		TH_LOG("SET_REGS: %s", strerror(errno));
}

/* Ends a RUN that does not come back on its own. */
static void arm(timer_t t)
{
	struct itimerspec its = { .it_value.tv_nsec = 5 * 1000000 };

	timer_settime(t, 0, &its, NULL);
}

static void fuzz_mode(struct __test_metadata *_metadata,
		      const struct mode *m, unsigned long blocks,
		      unsigned long *kinds)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL,
				.sigev_signo = SIGALRM };
	struct itimerspec off = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct uv_vm vm;
	unsigned long i;
	timer_t t;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, timer_create(CLOCK_MONOTONIC, &sev, &t));
	internal_seen = 0;
	ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, NULL, NULL, m->mode))
		TH_LOG("create: %s", strerror(errno));
	for (i = 0; i < blocks; i++) {
		int ret;

		reset(_metadata, &vm, m);
		arm(t);
		ret = uv_run(&vm);
		timer_settime(t, 0, &off, NULL);
		if (ret) {
			/* A signal, or guest RAM that went away: nothing else. */
			ASSERT_TRUE(errno == EINTR)
				TH_LOG("%s, block %lu: RUN: %s", m->name, i,
				       strerror(errno));
			kinds[NR_KINDS - 1]++;
			continue;
		}
		ASSERT_NE(MICROV_EXIT_FAIL_ENTRY, vm.run->exit_reason)
			TH_LOG("%s, block %lu: VM entry failed (%#llx)", m->name,
			       i, (unsigned long long)vm.run->fail_entry.hw_reason);
		/* Each kind of exit the module gave up on, once per mode. */
		if (vm.run->exit_reason == MICROV_EXIT_INTERNAL_ERROR &&
		    !(internal_seen & 1ull << (vm.run->internal.hw_reason & 63)) &&
		    (internal_seen |= 1ull << (vm.run->internal.hw_reason & 63)))
			TH_LOG("%s, block %lu: internal error %u, exit %#llx, qualification %#llx",
			       m->name, i, vm.run->internal.suberror,
			       (unsigned long long)vm.run->internal.hw_reason,
			       (unsigned long long)vm.run->internal.qualification);
		/* User code leaves only through its own kernel's IDT. */
		if (m->cpl == 3)
			ASSERT_TRUE(vm.run->exit_reason == MICROV_EXIT_IO &&
				    vm.run->io.port == 0xe0)
				TH_LOG("%s, block %lu: exit %u", m->name, i,
				       vm.run->exit_reason);
		kinds[vm.run->exit_reason % (NR_KINDS - 1)]++;
	}
	uv_vm_destroy(&vm);
	timer_delete(t);
}

FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, random_instructions, 1800)
{
	const char *blocks_env = getenv("MICROV_FUZZ_BLOCKS");
	const char *seed = getenv("MICROV_FUZZ_SEED");
	unsigned long blocks = blocks_env ? strtoul(blocks_env, NULL, 0) : 4000;
	int before[MICROV_NR_KLOG_REPORTS];
	unsigned int i, k;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	klog_reports(before);
	rng = seed ? strtoul(seed, NULL, 0) : 1;
	TH_LOG("seed %llu", rng);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		unsigned long kinds[NR_KINDS] = { 0 };
		char line[256];
		int n = 0;

		fuzz_mode(_metadata, &modes[i], blocks, kinds);
		for (k = 0; k < NR_KINDS; k++)
			if (kinds[k])
				n += snprintf(line + n, sizeof(line) - n, " %s%u:%lu",
					      k == NR_KINDS - 1 ? "timer" : "exit",
					      k == NR_KINDS - 1 ? 0 : k, kinds[k]);
		TH_LOG("%s: %lu blocks:%s", modes[i].name, blocks, line);
	}
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	klog_reports_expect_same(_metadata, before);
}

TEST_HARNESS_MAIN
