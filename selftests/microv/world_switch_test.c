// SPDX-License-Identifier: GPL-2.0
/*
 * The world switch: guest code that reaches for the host's own CPU state
 * (CR8/TPR, XCR0, debug registers, DEBUGCTL, the SYSCALL MSRs and GS
 * base, TSC_AUX, performance counters, PKRU) gets what a CPU would give
 * it, and the host is unharmed: its IPIs, breakpoints and GS base work
 * after the guest ran.  Exception-delivery loops (#AC, #DB) leave the
 * host thread in control.  Documentation/security.rst has the why.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <asm/prctl.h>
#include <linux/hw_breakpoint.h>
#include <linux/membarrier.h>
#include <linux/perf_event.h>

#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)
#define DATA_GPA	0x3000		/* a variable the guests touch */

/*
 * 64-bit probes, each entered at its label with a GDT, an IDT whose
 * handlers report their vector on port 0x50 (and DR6 on 0x54 for #DB),
 * OSXSAVE and OSFXSR.  Values go out on ports 0x60 and up; an OUT to
 * 0x68 is only a round trip through userspace.
 */
GUEST_CODE(ws);
extern const unsigned char ws_db[], ws_ud[], ws_gp[], p_cr8[], p_cr8_bad[],
	p_xsetbv[], p_syscall[], p_syscall_ret[], p_swapgs[], p_rdtscp[],
	p_rdpmc[], p_pke[], p_debugctl[], p_sysenter[], p_watch[], p_gd[],
	p_db_loop[], p_icebp[], p_cd[], p_physmap[], p_count[], p_cpuid[],
	p_sfmask[];
asm(".pushsection .rodata\n"
    "ws_start:\n"
    "ws_db:\n"
    "	mov %dr6, %rax\n"
    "	out %eax, $0x54\n"
    "	mov $1, %al\n"
    "	out %al, $0x50\n"
    "	hlt\n"
    "ws_ud:\n"
    "	mov $6, %al\n"
    "	out %al, $0x50\n"
    "	hlt\n"
    "ws_gp:\n"
    "	mov $13, %al\n"
    "	out %al, $0x50\n"
    "	hlt\n"
    /* CR8 = 15 read back, the x2APIC TPR, then spin with it set. */
    "p_cr8:\n"
    "	mov $15, %eax\n"
    "	mov %rax, %cr8\n"
    "	mov %cr8, %rbx\n"
    "	mov %ebx, %eax\n"
    "	out %eax, $0x60\n"
    "	mov $0x808, %ecx\n"
    "	rdmsr\n"
    "	out %eax, $0x61\n"
    "1:	pause\n"
    "	jmp 1b\n"
    "p_cr8_bad:\n"
    "	mov $16, %eax\n"
    "	mov %rax, %cr8\n"
    "	hlt\n"
    /* XSETBV of EDX:EAX to XCR[ECX] as the test set them; XCR0 back. */
    "p_xsetbv:\n"
    "	xsetbv\n"
    "	xor %ecx, %ecx\n"
    "	xgetbv\n"
    "	out %eax, $0x51\n"
    "	hlt\n"
    /* SYSCALL before the guest wrote LSTAR: to its own address 0. */
    "p_syscall:\n"
    "	syscall\n"
    "p_syscall_ret:\n"
    "	hlt\n"
    /* SWAPGS before the guest wrote KERNEL_GS_BASE: GS base on 0x62. */
    "p_swapgs:\n"
    "	swapgs\n"
    "	mov $0xc0000101, %ecx\n"
    "	rdmsr\n"
    "	out %eax, $0x62\n"
    "	mov %edx, %eax\n"
    "	out %eax, $0x62\n"
    "	hlt\n"
    "p_rdtscp:\n"
    "	rdtscp\n"
    "	out %eax, $0x63\n"
    "	hlt\n"
    /* RDPMC with CR4.PCE: no performance counters for a guest. */
    "p_rdpmc:\n"
    "	mov %cr4, %rax\n"
    "	or $0x100, %eax\n"
    "	mov %rax, %cr4\n"
    "	xor %ecx, %ecx\n"
    "	rdpmc\n"
    "	out %eax, $0x64\n"
    "	hlt\n"
    /* SFMASK's reserved upper half: #GP, not a faulting host WRMSR. */
    "p_sfmask:\n"
    "	mov $0xc0000084, %ecx\n"
    "	xor %eax, %eax\n"
    "	mov $1, %edx\n"
    "	wrmsr\n"
    "	out %eax, $0x65\n"
    "	hlt\n"
    "p_pke:\n"
    "	mov %cr4, %rax\n"
    "	bts $22, %rax\n"
    "	mov %rax, %cr4\n"
    "	out %eax, $0x65\n"
    "	hlt\n"
    /* DEBUGCTL.BTF read back, across a round trip; then LBR: #GP. */
    "p_debugctl:\n"
    "	mov $0x1d9, %ecx\n"
    "	mov $2, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	rdmsr\n"
    "	out %eax, $0x66\n"
    "	out %al, $0x68\n"
    "	rdmsr\n"
    "	out %eax, $0x66\n"
    "	mov $1, %eax\n"
    "	wrmsr\n"
    "	hlt\n"
    /* SYSENTER_CS across a round trip through userspace. */
    "p_sysenter:\n"
    "	mov $0x174, %ecx\n"
    "	mov $0x10, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	out %al, $0x68\n"
    "	rdmsr\n"
    "	out %eax, $0x67\n"
    "	hlt\n"
    /*
     * A write watchpoint on DATA_GPA: DR0 and DR7 set, DR7 read back
     * after a round trip, then the write: #DB with B0.
     */
    "p_watch:\n"
    "	mov $0x3000, %eax\n"
    "	mov %rax, %dr0\n"
    "	mov $0x000d0001, %eax\n"	/* L0, write, 4 bytes */
    "	mov %rax, %dr7\n"
    "	out %al, $0x68\n"
    "	mov %dr7, %rax\n"
    "	out %eax, $0x69\n"
    "	mov %dr0, %rax\n"
    "	out %eax, $0x69\n"
    "	movl $1, 0x3000\n"
    "	out %al, $0x6a\n"		/* only if #DB did not come */
    "	hlt\n"
    /* DR7.GD: the next MOV DR is a #DB with BD, and GD is cleared. */
    "p_gd:\n"
    "	mov $0x2400, %eax\n"
    "	mov %rax, %dr7\n"
    "	mov %dr0, %rax\n"
    "	hlt\n"
    /*
     * CVE-2015-8104: a read/write watchpoint on the IDT's #DB gate, then
     * INT1: delivering #DB reads the gate, which is another #DB.
     */
    "p_db_loop:\n"
    "	mov $0x20110, %eax\n"		/* GUEST_IDT_GPA + 16 */
    "	mov %rax, %dr0\n"
    "	mov $0x000b0001, %eax\n"	/* L0, read/write, 8 bytes */
    "	mov %rax, %dr7\n"
    "	.byte 0xf1\n"			/* INT1 (ICEBP) */
    "	hlt\n"
    "p_icebp:\n"
    "	.byte 0xf1\n"
    "	hlt\n"
    /* CR0.CD set and cleared: the guest reads its own value back. */
    "p_cd:\n"
    "	mov %cr0, %rax\n"
    "	bts $30, %rax\n"
    "	mov %rax, %cr0\n"
    "	mov %cr0, %rax\n"
    "	shr $29, %eax\n"
    "	out %al, $0x6b\n"
    "	mov %cr0, %rax\n"
    "	btr $30, %rax\n"
    "	mov %rax, %cr0\n"
    "	mov %cr0, %rax\n"
    "	shr $29, %eax\n"
    "	out %al, $0x6b\n"
    "	bts $29, %rax\n"		/* NW without CD: #GP */
    "	mov %rax, %cr0\n"
    "	hlt\n"
    /*
     * XENMEM_add_to_physmap moves shared_info R12 times, 2 MiB further
     * each time from 4 GiB on; 0x70 when done, the error on 0x71.
     */
    "p_physmap:\n"
    "	mov $0x100000, %r13\n"
    "1:	movw $0x7ff0, 0x3100\n"		/* DOMID_SELF */
    "	movw $0, 0x3102\n"
    "	movl $0, 0x3104\n"			/* XENMAPSPACE_shared_info */
    "	movq $0, 0x3108\n"
    "	mov %r13, 0x3110\n"
    "	mov $12, %eax\n"			/* __HYPERVISOR_memory_op */
    "	mov $7, %edi\n"			/* XENMEM_add_to_physmap */
    "	mov $0x3100, %esi\n"
    "	vmcall\n"
    "	test %eax, %eax\n"
    "	jnz 2f\n"
    "	add $0x200, %r13\n"
    "	dec %r12d\n"
    "	jnz 1b\n"
    "	out %al, $0x70\n"
    "	hlt\n"
    "2:	out %eax, $0x71\n"
    "	hlt\n"
    /*
     * CPUID with the guest's reset XCR0 (x87 only) loaded: leaf 0xd.0
     * EAX on 0x6c, leaf 7.0 ECX on 0x6d.
     */
    "p_cpuid:\n"
    "	mov $0xd, %eax\n"
    "	xor %ecx, %ecx\n"
    "	cpuid\n"
    "	out %eax, $0x6c\n"
    "	mov $7, %eax\n"
    "	xor %ecx, %ecx\n"
    "	cpuid\n"
    "	mov %ecx, %eax\n"
    "	out %eax, $0x6d\n"
    "	hlt\n"
    /* Counts at 0x400000 for ever. */
    "p_count:\n"
    "	incq 0x400000\n"
    "	jmp p_count\n"
    "ws_end:\n"
    ".popsection\n");

#define WS_ADDR(sym)	(GUEST_CODE_GPA + ((sym) - ws_start))

/*
 * 32-bit protected mode: CR0.AM on, then IRET to CPL 3 with RFLAGS.AC
 * and ESP as the test set ESI; there, a 4-byte load from EDI.  #AC goes
 * through a gate the test writes: to ring 0 (ac_kernel: error code on
 * 0x53, vector on 0x50) or to ring 3 (ac_user).
 */
GUEST_CODE(ac);
extern const unsigned char ac_user_code[], ac_kernel[], ac_user[];
asm(".pushsection .rodata\n"
    "ac_start:\n"
    ".code32\n"
    "	mov %cr0, %eax\n"
    "	or $0x40000, %eax\n"
    "	mov %eax, %cr0\n"
    "	push $0x23\n"
    "	push %esi\n"
    "	push $0x40002\n"
    "	push $0x1b\n"
    "	push $(0x1000 + ac_user_code - ac_start)\n"
    "	iret\n"
    "ac_user_code:\n"
    "	mov $0x23, %eax\n"
    "	mov %eax, %ds\n"
    "	mov (%edi), %eax\n"
    "	hlt\n"				/* #GP at CPL 3: not reached */
    "ac_kernel:\n"
    "	pop %eax\n"
    "	out %eax, $0x53\n"
    "	mov $17, %al\n"
    "	out %al, $0x50\n"
    "	hlt\n"
    "ac_user:\n"
    "	hlt\n"
    ".code64\n"
    "ac_end:\n"
    ".popsection\n");

#define AC_ADDR(sym)	(GUEST_CODE_GPA + ((sym) - ac_start))

FIXTURE(ws) {
	struct uv_vm vm;
};

FIXTURE_SETUP(ws)
{
	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	self->vm.dev = self->vm.dom = self->vm.vcpu = -1;
}

FIXTURE_TEARDOWN(ws)
{
	uv_vm_destroy(&self->vm);
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	EXPECT_EQ(0, microv_counter("table_pages"));
}

/* The probes' guest, started at @entry with @rax, @rcx, @rdx. */
static void ws_start_flags(struct __test_metadata *_metadata,
			   struct uv_vm *vm, const unsigned char *entry,
			   __u64 rax, __u64 rcx, __u64 rdx, __u32 flags)
{
	struct microv_sregs sregs;
	struct microv_regs regs;

	ASSERT_EQ(0, uv_vm_create_flags(vm, MEM_SIZE, ws_start, ws_end,
					UV_LONG64, flags))
		TH_LOG("create: %s", strerror(errno));
	uv_set_gate(vm, UV_LONG64, 1, WS_ADDR(ws_db));
	uv_set_gate(vm, UV_LONG64, 6, WS_ADDR(ws_ud));
	uv_set_gate(vm, UV_LONG64, 13, WS_ADDR(ws_gp));
	/* SYSCALL with LSTAR 0 lands here: OUT to 0x70, HLT. */
	memcpy(vm->mem, "\xe6\x70\xf4", 3);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_SREGS, &sregs));
	uv_tables(vm, UV_LONG64, &sregs);
	sregs.cr4 |= 0x40200;			/* OSXSAVE, OSFXSR */
	sregs.efer |= 1;			/* SCE */
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_SREGS, &sregs));
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_REGS, &regs));
	regs.rip = WS_ADDR(entry);
	regs.rax = rax;
	regs.rcx = rcx;
	regs.rdx = rdx;
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_REGS, &regs));
}

static void ws_start_at(struct __test_metadata *_metadata, struct uv_vm *vm,
			const unsigned char *entry, __u64 rax, __u64 rcx,
			__u64 rdx)
{
	ws_start_flags(_metadata, vm, entry, rax, rcx, rdx, 0);
}

/* The guest's exception handler reported @vector. */
static void expect_fault(struct __test_metadata *_metadata, struct uv_vm *vm,
			 int vector)
{
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x50, 1, vector);
}

static void *membarrier_thread(void *arg)
{
	long *ret = arg;

	*ret = syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0);
	return NULL;
}

/*
 * CR8 is the guest's TPR, never the host CPU's: with 15 there, the CPU
 * the guest runs on still takes the IPIs of an expedited membarrier,
 * which waits for every CPU running this process.
 */
TEST_F(ws, cr8_is_the_guests)
{
	struct timespec deadline;
	cpu_set_t one, other;
	pthread_attr_t attr;
	pthread_t t;
	long ret = -2;

	CPU_ZERO(&one);
	CPU_SET(1, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	ASSERT_EQ(0, syscall(__NR_membarrier,
			     MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0));
	ws_start_at(_metadata, &self->vm, p_cr8, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 15);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x61, 4, 0xf0);
	/* From CPU 0, IPIs to CPU 1 while the guest spins there. */
	CPU_ZERO(&other);
	CPU_SET(0, &other);
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setaffinity_np(&attr, sizeof(other), &other));
	ASSERT_EQ(0, pthread_create(&t, &attr, membarrier_thread, &ret));
	run_until_signal(_metadata, &self->vm);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	ASSERT_EQ(0, pthread_timedjoin_np(t, NULL, &deadline))
		TH_LOG("membarrier did not complete: CPU 1 takes no IPIs");
	EXPECT_EQ(0, ret);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);

	uv_vm_destroy(&self->vm);
	ws_start_at(_metadata, &self->vm, p_cr8_bad, 0, 0, 0);
	expect_fault(_metadata, &self->vm, 13);
}

/* Every XCR0 the CPU would refuse is #GP in the guest; the host lives. */
TEST_F(ws, xsetbv_checked)
{
	const struct {
		__u64 xcr0;
		__u32 xcr;
	} bad[] = {
		{ 0x2, 0 },		/* no x87 */
		{ 0x5, 0 },		/* AVX without SSE */
		{ 0x0, 0 },
		{ 0x9, 0 },		/* BNDREGS without BNDCSR */
		{ 0x11, 0 },		/* BNDCSR without BNDREGS */
		{ 0x27, 0 },		/* opmask without ZMM state */
		{ 0xe3, 0 },		/* AVX-512 without AVX */
		{ 0x207, 0 },		/* PKRU: the host's */
		{ 0x20007, 0 },		/* TILECFG without TILEDATA */
		{ 0x60007, 0 },		/* AMX */
		{ 1ull << 63, 0 },
		{ 0x3, 1 },		/* XCR1 */
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ws_start_at(_metadata, &self->vm, p_xsetbv, (__u32)bad[i].xcr0,
			    bad[i].xcr, bad[i].xcr0 >> 32);
		expect_fault(_metadata, &self->vm, 13);
		uv_vm_destroy(&self->vm);
	}
	ws_start_at(_metadata, &self->vm, p_xsetbv, 0x3, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x51, 4, 0x3);
}

/* A guest SYSCALL before any WRMSR goes to the guest's LSTAR (0). */
TEST_F(ws, syscall_msrs_are_the_guests_from_reset)
{
	struct microv_regs regs;

	ws_start_at(_metadata, &self->vm, p_syscall, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x70, 1, 0);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	EXPECT_EQ(2, regs.rip);
	EXPECT_EQ(WS_ADDR(p_syscall_ret), regs.rcx);
}

/*
 * SWAPGS in the guest swaps with the guest's KERNEL_GS_BASE (0 at
 * reset), not this thread's GS base, which is intact afterwards.
 */
TEST_F(ws, swapgs_leaves_host_gs_base)
{
	unsigned long base = 0;

	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_SET_GS, 0x5a5a0000ul));
	ws_start_at(_metadata, &self->vm, p_swapgs, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x62, 4, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x62, 4, 0);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_GS, &base));
	EXPECT_EQ(0x5a5a0000ul, base);
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
}

/* A GS selector and a GS base set with WRGSBASE both survive a run. */
TEST_F(ws, gs_selector_and_base_survive)
{
	unsigned long base;
	unsigned short sel;

	if (!(getauxval(AT_HWCAP2) & 2))	/* HWCAP2_FSGSBASE */
		SKIP(return, "no FSGSBASE for userspace");
	asm volatile("mov %0, %%gs\n\twrgsbase %1"
		     : : "r" (0x2b), "r" (0x6b6b0000ul));
	ws_start_at(_metadata, &self->vm, p_swapgs, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x62, 4, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x62, 4, 0);
	asm volatile("mov %%gs, %0\n\trdgsbase %1" : "=r" (sel), "=r" (base));
	asm volatile("mov %0, %%gs" : : "r" (0));
	EXPECT_EQ(0x2b, sel);
	EXPECT_EQ(0x6b6b0000ul, base);
}

/*
 * What a guest may not have: the host's TSC_AUX (RDTSCP is #UD, as
 * CPUID says), performance counters (RDPMC is #GP), CR4.PKE (#GP), an
 * SFMASK the CPU would refuse (#GP).
 */
TEST_F(ws, rdtscp_rdpmc_pke_sfmask_refused)
{
	ws_start_at(_metadata, &self->vm, p_sfmask, 0, 0, 0);
	expect_fault(_metadata, &self->vm, 13);
	uv_vm_destroy(&self->vm);
	ws_start_at(_metadata, &self->vm, p_rdtscp, 0, 0, 0);
	expect_fault(_metadata, &self->vm, 6);
	uv_vm_destroy(&self->vm);
	ws_start_at(_metadata, &self->vm, p_rdpmc, 0, 0, 0);
	expect_fault(_metadata, &self->vm, 13);
	uv_vm_destroy(&self->vm);
	ws_start_at(_metadata, &self->vm, p_pke, 0, 0, 0);
	expect_fault(_metadata, &self->vm, 13);
}

/* DEBUGCTL.BTF and SYSENTER_CS are the guest's, across exits. */
TEST_F(ws, debugctl_and_sysenter_survive_exits)
{
	ws_start_at(_metadata, &self->vm, p_debugctl, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x66, 4, 2);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x68, 1, 2);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x66, 4, 2);
	expect_fault(_metadata, &self->vm, 13);
	uv_vm_destroy(&self->vm);
	ws_start_at(_metadata, &self->vm, p_sysenter, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x68, 1, 0x10);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x67, 4, 0x10);
}

static int host_watchpoint(volatile __u64 *var)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.bp_type = HW_BREAKPOINT_W,
		.bp_addr = (unsigned long)var,
		.bp_len = HW_BREAKPOINT_LEN_8,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};

	return syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
}

/*
 * The guest's watchpoint fires in the guest, its DR7 and DR0 survive a
 * round trip through userspace, and this thread's own watchpoint (the
 * host's DR0-DR3 and DR7) still counts every write after the guest ran.
 */
TEST_F(ws, debug_registers_switched)
{
	static volatile __u64 host_var;
	__u64 count = 0;
	int bp, i;

	bp = host_watchpoint(&host_var);
	ASSERT_LE(0, bp) TH_LOG("perf_event_open: %s", strerror(errno));
	ws_start_at(_metadata, &self->vm, p_watch, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x68, 1, 0x01);
	host_var = 1;
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x69, 4, 0x000d0401);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x69, 4, DATA_GPA);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x54, 4, 0xffff0ff1);
	expect_fault(_metadata, &self->vm, 1);
	for (i = 0; i < 3; i++)
		host_var = i;
	ASSERT_EQ(sizeof(count), read(bp, &count, sizeof(count)));
	EXPECT_EQ(4, count) TH_LOG("the host's watchpoint missed writes");
	close(bp);
}

/* DR7.GD: MOV DR is a #DB with DR6.BD, and the handler may use DR6. */
TEST_F(ws, general_detect)
{
	ws_start_at(_metadata, &self->vm, p_gd, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x54, 4, 0xffff2ff0);
	expect_fault(_metadata, &self->vm, 1);
}

/* INT1 (ICEBP) is delivered as itself, DR6 untouched. */
TEST_F(ws, icebp_delivered)
{
	struct microv_regs regs;

	ws_start_at(_metadata, &self->vm, p_icebp, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x54, 4, 0xffff0ff0);
	expect_fault(_metadata, &self->vm, 1);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	/* The handler's frame: the return RIP is past INT1. */
	EXPECT_EQ(WS_ADDR(p_icebp) + 1,
		  *(__u64 *)(self->vm.mem + regs.rsp));
}

/*
 * CVE-2015-8104: #DB whose delivery raises #DB.  Each one exits, so the
 * vCPU's thread stays in control: the guest loops until a signal ends the
 * run, or stops (Bochs escalates the nested #DB to a double fault, and
 * this guest has no #DF handler: a triple fault), or takes its #DB (a CPU
 * that does not watch IDT reads); never a host CPU stuck in the guest.
 */
TEST_F(ws, db_delivery_loop_stays_interruptible)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int ret;

	ws_start_at(_metadata, &self->vm, p_db_loop, 0, 0, 0);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(2);
	ret = uv_run(&self->vm);
	alarm(0);
	if (ret) {
		EXPECT_EQ(EINTR, errno);
		return;
	}
	if (self->vm.run->exit_reason == MICROV_EXIT_TRIPLE_FAULT)
		return;
	ASSERT_EQ(MICROV_EXIT_IO, self->vm.run->exit_reason);
	EXPECT_EQ(0x54, self->vm.run->io.port);
	expect_fault(_metadata, &self->vm, 1);
}

/* CR0.CD and NW are the guest's to read, never the CPU's. */
TEST_F(ws, cr0_cache_disable_shadowed)
{
	ws_start_at(_metadata, &self->vm, p_cd, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x6b, 1, 6);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x6b, 1, 4);
	expect_fault(_metadata, &self->vm, 13);
}

#define PHYSMAP_MOVES	100000

/*
 * A guest moving shared_info through PHYSMAP_MOVES places, each in a 2 MiB
 * region of its own, leaves no EPT tables behind: the table pages at the
 * end are those after its first move (its own RAM mapped as it touched
 * it), give or take the last place's two.
 */
/* 100000 hypercalls took 28 s of the default 30 under Bochs: room. */
TEST_F_TIMEOUT(ws, ept_tables_bounded, 90)
{
	struct microv_regs regs;
	long before, after;
	__u64 start;

	ws_start_at(_metadata, &self->vm, p_physmap, 0, 0, 0);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	start = regs.rip;
	regs.r12 = 1;
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_REGS, &regs));
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x70, 1, 0);
	before = microv_counter("table_pages");
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	regs.rip = start;
	regs.r12 = PHYSMAP_MOVES;
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_REGS, &regs));
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x70, 1, 0);
	after = microv_counter("table_pages");
	EXPECT_LE(after, before + 2) TH_LOG("%ld table pages before, %ld after",
					    before, after);
}

struct counting_run {
	struct uv_vm *vm;
	int ret;
};

static void *counting_vcpu(void *arg)
{
	struct counting_run *c = arg;

	c->ret = uv_run(c->vm);
	return NULL;
}

/*
 * A slot deleted while the vCPU writes to it: the guest's next write has
 * no RAM behind it (an MMIO exit: the domain is strict), the old pages
 * see no more writes and are unpinned.
 */
TEST_F(ws, slot_deleted_under_running_vcpu)
{
	struct counting_run c = { .vm = &self->vm, .ret = -2 };
	volatile __u64 *counter;
	struct timespec deadline;
	long pinned;
	__u64 seen;
	void *mem;
	pthread_t t;

	ws_start_flags(_metadata, &self->vm, p_count, 0, 0, 0,
		       MICROV_DOMAIN_STRICT_MMIO);
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, uv_set_region(self->vm.dom, 1, 0x400000, mem, 0x10000, 0));
	counter = mem;
	ASSERT_EQ(0, pthread_create(&t, NULL, counting_vcpu, &c));
	while (*counter < 1000)
		sched_yield();
	/* All the guest touches is pinned by now: the slot's one chunk too. */
	pinned = microv_counter("pinned_pages");
	ASSERT_EQ(0, uv_set_region(self->vm.dom, 1, 0, NULL, 0, 0));
	EXPECT_EQ(pinned - 16, microv_counter("pinned_pages"));
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	ASSERT_EQ(0, pthread_timedjoin_np(t, NULL, &deadline));
	EXPECT_EQ(0, c.ret);
	EXPECT_EQ(MICROV_EXIT_MMIO, self->vm.run->exit_reason);
	EXPECT_EQ(0x400000, self->vm.run->mmio.gpa);
	seen = *counter;
	usleep(10000);
	EXPECT_EQ(seen, *counter);
	munmap(mem, 0x10000);
}

/*
 * CPUID says what XSETBV takes, whatever XCR0 the guest has loaded when
 * it asks (the exit is handled with it in the CPU), and hides features
 * whose CR4 bit a guest may not set: PKU (3), LA57 (16), CET_SS (7).
 */
TEST_F(ws, cpuid_xsave_and_cr4_features)
{
	__u32 leaf7;

	ws_start_at(_metadata, &self->vm, p_cpuid, 0, 0, 0);
	ASSERT_EQ(0, uv_run(&self->vm));
	ASSERT_EQ(MICROV_EXIT_IO, self->vm.run->exit_reason);
	EXPECT_EQ(0x6c, self->vm.run->io.port);
	EXPECT_EQ(3, self->vm.run->io.data & 3)
		TH_LOG("leaf 0xd.0 EAX %#x: x87 and SSE",
		       (unsigned int)self->vm.run->io.data);
	EXPECT_EQ(0, self->vm.run->io.data & (1u << 9));	/* PKRU */
	ASSERT_EQ(0, uv_run(&self->vm));
	ASSERT_EQ(0x6d, self->vm.run->io.port);
	leaf7 = self->vm.run->io.data;
	EXPECT_EQ(0, leaf7 & ((1u << 3) | (1u << 7) | (1u << 16)))
		TH_LOG("leaf 7.0 ECX %#x", leaf7);
}

/*
 * A process with an LDT, and GS loaded from it: both are back after the
 * guest ran (a VM exit leaves LDTR null).
 */
TEST_F(ws, ldt_and_its_selector_survive)
{
	struct {
		unsigned int entry_number, base_addr, limit;
		unsigned int flags;
	} desc = { 0 };
	volatile __u64 *var;
	unsigned short sel;
	__u64 val;

	var = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ASSERT_NE(MAP_FAILED, var);
	*var = 0x1122334455667788ull;
	desc.base_addr = (unsigned long)var;
	desc.limit = 0xfff;
	desc.flags = 1 | (1 << 6);		/* seg_32bit, useable */
	ASSERT_EQ(0, syscall(SYS_modify_ldt, 1, &desc, sizeof(desc)));
	asm volatile("mov %0, %%gs" : : "r" (7));	/* LDT entry 0, RPL 3 */
	ws_start_at(_metadata, &self->vm, p_swapgs, 0, 0, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x62, 4, 0);
	asm volatile("mov %%gs, %0\n\tmov %%gs:0, %1"
		     : "=r" (sel), "=r" (val));
	asm volatile("mov %0, %%gs" : : "r" (0));
	EXPECT_EQ(7, sel);
	EXPECT_EQ(0x1122334455667788ull, val);
	munmap((void *)var, 4096);
}

/* The #AC guest at CPL 3 with ESP = @esp; #AC goes to @gate_sel:@handler. */
static void ac_start_at(struct __test_metadata *_metadata, struct uv_vm *vm,
			__u32 esp, __u16 gate_sel, __u64 handler)
{
	struct microv_sregs sregs;
	struct microv_regs regs;
	__u64 *gdt;

	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, ac_start, ac_end, UV_PROT32))
		TH_LOG("create: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_SREGS, &sregs));
	uv_tables(vm, UV_PROT32, &sregs);
	gdt = (void *)(vm->mem + GUEST_GDT_GPA);
	gdt[3] = 0x00cffb000000ffffull;		/* 32-bit code, DPL 3 */
	gdt[4] = 0x00cff3000000ffffull;		/* data, DPL 3 */
	sregs.gdt.limit = 5 * 8 - 1;
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_SREGS, &sregs));
	/* The ring-0 stack in the TSS at 0: ESP0, SS0. */
	*(__u32 *)(vm->mem + 4) = GUEST_STACK_TOP;
	*(__u32 *)(vm->mem + 8) = 0x10;
	/* Interrupt gate, DPL 3. */
	*(__u64 *)(vm->mem + GUEST_IDT_GPA + 17 * 8) =
		(handler & 0xffff) | ((__u64)gate_sel << 16) | (0xeeull << 40) |
		((handler >> 16 & 0xffff) << 48);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_REGS, &regs));
	regs.rsi = esp;
	regs.rdi = DATA_GPA + 1;
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_REGS, &regs));
}

/* #AC at CPL 3 with CR0.AM and RFLAGS.AC reaches the guest, code 0. */
TEST_F(ws, alignment_check_delivered)
{
	ac_start_at(_metadata, &self->vm, GUEST_STACK_TOP - 0x1000, 0x08,
		    AC_ADDR(ac_kernel));
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x53, 4, 0);
	expect_fault(_metadata, &self->vm, 17);
}

/*
 * CVE-2015-5307: a ring-3 #AC handler on a misaligned stack, so that
 * delivering #AC raises #AC.  Every attempt exits: the host thread takes
 * its signal instead of the CPU looping inside the delivery for ever.
 */
TEST_F(ws, alignment_check_loop_stays_interruptible)
{
	struct microv_regs regs;

	ac_start_at(_metadata, &self->vm, GUEST_STACK_TOP - 0x1000 + 1, 0x1b,
		    AC_ADDR(ac_user));
	run_until_signal(_metadata, &self->vm);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	EXPECT_GT(0x40000ull, regs.rip);
}

TEST_HARNESS_MAIN
