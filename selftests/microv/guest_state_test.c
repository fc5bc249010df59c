// SPDX-License-Identifier: GPL-2.0
/*
 * Guest state a kernel relies on to run 32-bit programs: every MSR,
 * debug and control register the guest owns keeps its value across any
 * number of exits to userspace; 32-bit user code enters a 64-bit guest
 * kernel by SYSENTER and INT 0x80 (SYSCALL from compatibility mode is
 * #UD on Intel); a single-step trap follows an instruction the hypervisor
 * emulates (CPUID, OUT) as it follows one the CPU runs.
 */
#include "kselftest_harness.h"
#include "guest.h"

#define STR(x)		#x
#define XSTR(x)		STR(x)

#define MEM_SIZE	(2 << 20)
#define TABLE_GPA	0x4000	/* MSR writes: { msr, pad, value }, msr 0 ends */
#define OTHER_GPA	0x4800	/* DR0-3, DR6, DR7, CR2, CR8, XCR0 to set */
#define READBACK_GPA	0x5000	/* the same, as read back after the exits */
#define TSS_GPA		0x6000
#define USER_STACK	0x7ff0
#define ROUND_TRIPS	100
#define NULL_SS_STACK	0x20000	/* SP 0: a 16-bit push would wrap */

/*
 * 64-bit guest kernel code.  gs_set: the MSRs of TABLE_GPA, then the
 * registers of OTHER_GPA; ROUND_TRIPS OUTs to 0x68 (each a return to
 * userspace); everything read back to READBACK_GPA; OUT to 0x69, HLT.
 */
GUEST_CODE(gs);
extern const unsigned char gs_set[], gs_user32[], gs_sysenter[], gs_int80[],
	gs_ud[], gs_cstar[], gs_to_user[], gs_step[], gs_step_db[],
	gs_step_cpuid[], gs_step_out[], gs_step_nop[], gs_step_sti[],
	gs_step_cli[], gs_step_popf[],
	gs_step_and[], gs_step_popf2[], gs_step_end[], gs_step_moved[],
	gs_null_ss[];
asm(".pushsection .rodata\n"
    "gs_start:\n"
    "gs_set:\n"
    "	mov $" XSTR(TABLE_GPA) ", %esi\n"
    "1:	mov (%rsi), %ecx\n"
    "	test %ecx, %ecx\n"
    "	jz 2f\n"
    "	mov 8(%rsi), %eax\n"
    "	mov 12(%rsi), %edx\n"
    "	wrmsr\n"
    "	add $16, %rsi\n"
    "	jmp 1b\n"
    "2:	mov $" XSTR(OTHER_GPA) ", %esi\n"
    "	mov 0(%rsi), %rax\n"
    "	mov %rax, %dr0\n"
    "	mov 8(%rsi), %rax\n"
    "	mov %rax, %dr1\n"
    "	mov 16(%rsi), %rax\n"
    "	mov %rax, %dr2\n"
    "	mov 24(%rsi), %rax\n"
    "	mov %rax, %dr3\n"
    "	mov 32(%rsi), %rax\n"
    "	mov %rax, %dr6\n"
    "	mov 40(%rsi), %rax\n"
    "	mov %rax, %dr7\n"
    "	mov 48(%rsi), %rax\n"
    "	mov %rax, %cr2\n"
    "	mov 56(%rsi), %rax\n"
    "	mov %rax, %cr8\n"
    "	mov 64(%rsi), %eax\n"
    "	xor %edx, %edx\n"
    "	xor %ecx, %ecx\n"
    "	xsetbv\n"
    "	mov $" XSTR(ROUND_TRIPS) ", %ebx\n"
    "3:	out %al, $0x68\n"
    "	dec %ebx\n"
    "	jnz 3b\n"
    "	mov $" XSTR(TABLE_GPA) ", %esi\n"
    "	mov $" XSTR(READBACK_GPA) ", %edi\n"
    "4:	mov (%rsi), %ecx\n"
    "	test %ecx, %ecx\n"
    "	jz 5f\n"
    "	rdmsr\n"
    "	mov %eax, (%rdi)\n"
    "	mov %edx, 4(%rdi)\n"
    "	add $16, %rsi\n"
    "	add $8, %rdi\n"
    "	jmp 4b\n"
    "5:	mov $" XSTR(READBACK_GPA + 0x400) ", %edi\n"
    "	mov %dr0, %rax\n"
    "	mov %rax, 0(%rdi)\n"
    "	mov %dr1, %rax\n"
    "	mov %rax, 8(%rdi)\n"
    "	mov %dr2, %rax\n"
    "	mov %rax, 16(%rdi)\n"
    "	mov %dr3, %rax\n"
    "	mov %rax, 24(%rdi)\n"
    "	mov %dr6, %rax\n"
    "	mov %rax, 32(%rdi)\n"
    "	mov %dr7, %rax\n"
    "	mov %rax, 40(%rdi)\n"
    "	mov %cr2, %rax\n"
    "	mov %rax, 48(%rdi)\n"
    "	mov %cr8, %rax\n"
    "	mov %rax, 56(%rdi)\n"
    "	xor %ecx, %ecx\n"
    "	xgetbv\n"
    "	mov %eax, 64(%rdi)\n"
    "	mov %edx, 68(%rdi)\n"
    "	out %al, $0x69\n"
    "	hlt\n"
    /*
     * gs_to_user: the SYSENTER MSRs set (CS 8: SYSEXIT returns to 0x1b
     * and 0x23), a round trip through userspace, then IRETQ to 32-bit
     * user code at CPL 3.
     */
    "gs_to_user:\n"
    "	mov $0x174, %ecx\n"
    "	mov $8, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	inc %ecx\n"
    "	mov $0x3000, %eax\n"			/* SYSENTER_ESP */
    "	wrmsr\n"
    "	inc %ecx\n"
    "	mov $(0x1000 + gs_sysenter - gs_start), %eax\n"
    "	wrmsr\n"
    "	mov $0xc0000083, %ecx\n"		/* CSTAR */
    "	mov $(0x1000 + gs_cstar - gs_start), %eax\n"
    "	wrmsr\n"
    "	out %al, $0x68\n"
    "	pushq $0x23\n"
    "	pushq $" XSTR(USER_STACK) "\n"
    "	pushq $0x3002\n"			/* IOPL 3: OUT at CPL 3 */
    "	pushq $0x1b\n"
    "	pushq $(0x1000 + gs_user32 - gs_start)\n"
    "	iretq\n"
    "gs_sysenter:\n"				/* CPL 0, 64-bit */
    "	mov %cs, %eax\n"
    "	out %eax, $0x60\n"
    "	mov %ss, %eax\n"
    "	out %eax, $0x61\n"
    "	mov $(0x1000 + gs_user32_back - gs_start), %edx\n"
    "	mov $" XSTR(USER_STACK) ", %ecx\n"
    "	sysexitl\n"
    "gs_int80:\n"				/* CPL 0, from user CS 0x1b */
    "	mov %eax, %ebx\n"
    "	mov 8(%rsp), %eax\n"
    "	out %eax, $0x62\n"
    "	mov %ebx, %eax\n"
    "	out %eax, $0x63\n"
    "	iretq\n"
    "gs_ud:\n"
    "	mov $6, %al\n"
    "	out %al, $0x50\n"
    "	hlt\n"
    "gs_cstar:\n"				/* where a CPU has compat SYSCALL */
    "	mov $0x64, %al\n"
    "	out %al, $0x50\n"
    "	hlt\n"
    ".code32\n"
    "gs_user32:\n"
    "	sysenter\n"
    "gs_user32_back:\n"
    "	mov %cs, %eax\n"
    "	out %eax, $0x65\n"
    "	mov $0x1234, %eax\n"
    "	int $0x80\n"
    "	syscall\n"
    "	hlt\n"
    ".code64\n"
    /*
     * Single-step: TF set by POPF, then CPUID (handled in the kernel),
     * OUT (returns to userspace), NOP, STI (its #DB comes in its
     * shadow) and CLI each trap; so does the POPF that clears TF.
     * The #DB handler sends the RIP after each, as an offset from
     * gs_step, and DR6.
     */
    "gs_step:\n"
    "	pushfq\n"
    "	orl $0x100, (%rsp)\n"
    "	popfq\n"
    "gs_step_cpuid:\n"
    "	xor %eax, %eax\n"
    "	cpuid\n"
    "gs_step_out:\n"
    "	out %al, $0x68\n"
    "gs_step_nop:\n"
    "	nop\n"
    "gs_step_sti:\n"
    "	sti\n"
    "gs_step_cli:\n"
    "	cli\n"
    "gs_step_popf:\n"
    "	pushfq\n"
    "gs_step_and:\n"
    "	andl $~0x100, (%rsp)\n"
    "gs_step_popf2:\n"
    "	popfq\n"
    "gs_step_end:\n"
    "	hlt\n"
    /* Where the host moves a single-stepping guest stopped at an OUT. */
    "gs_step_moved:\n"
    "	out %al, $0x6a\n"
    "	hlt\n"
    /*
     * gs_null_ss: SS NULL at CPL 0 (as a 64-bit kernel has it after an
     * interrupt from user mode) across an exit, then SYSRET to 32-bit
     * user code, which exits (OUT 0x66), pushes, and reports ESP (OUT
     * 0x67): 32-bit pushes move ESP, not SP.
     */
    "gs_null_ss:\n"
    "	xor %eax, %eax\n"
    "	mov %eax, %ss\n"
    "	out %al, $0x68\n"
    "	mov $0xc0000081, %ecx\n"		/* STAR: SYSRET to 0x1b, 0x23 */
    "	xor %eax, %eax\n"
    "	mov $0x00180008, %edx\n"
    "	wrmsr\n"
    "	mov $(0x1000 + gs_null_ss_user - gs_start), %ecx\n"
    "	mov $0x3002, %r11d\n"			/* IOPL 3 */
    "	mov $" XSTR(NULL_SS_STACK) ", %esp\n"
    "	sysretl\n"
    ".code32\n"
    "gs_null_ss_user:\n"
    "	out %al, $0x66\n"
    "	push %eax\n"
    "	mov %esp, %eax\n"
    "	out %eax, $0x67\n"
    "	jmp .\n"				/* HLT would be #GP at CPL 3 */
    ".code64\n"
    "gs_step_db:\n"
    "	mov (%rsp), %rax\n"
    "	sub $(0x1000 + gs_step - gs_start), %eax\n"
    "	out %al, $0x51\n"
    "	mov %dr6, %rax\n"
    "	out %eax, $0x54\n"
    "	xor %eax, %eax\n"
    "	mov %rax, %dr6\n"
    "	iretq\n"
    "gs_end:\n"
    ".popsection\n");

#define GS_ADDR(sym)	(GUEST_CODE_GPA + ((sym) - gs_start))

FIXTURE(gs) {
	struct uv_vm vm;
};

FIXTURE_SETUP(gs)
{
	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	self->vm.dev = self->vm.dom = self->vm.vcpu = -1;
}

FIXTURE_TEARDOWN(gs)
{
	uv_vm_destroy(&self->vm);
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
}

/* A 64-bit gate at @vector to @handler, callable from CPL @dpl. */
static void gs_gate(struct uv_vm *vm, int vector, __u64 handler, int dpl)
{
	__u64 *g = (void *)(vm->mem + GUEST_IDT_GPA + vector * 16);

	g[0] = (handler & 0xffff) | (0x8ull << 16) |
	       ((0x8eull | dpl << 5) << 40) | ((handler >> 16 & 0xffff) << 48);
	g[1] = handler >> 32;
}

/*
 * The guest at @entry in 64-bit mode with a GDT holding kernel code (8)
 * and data (0x10), 32-bit user code (0x1b) and data (0x23), a TSS whose
 * RSP0 is 0x3000, pages user-accessible, OSXSAVE, OSFXSR, SCE.
 */
static void gs_start_at(struct __test_metadata *_metadata, struct uv_vm *vm,
			const unsigned char *entry)
{
	__u64 *gdt, *pml4;
	struct microv_sregs sregs;
	struct microv_regs regs;
	int i;

	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, gs_start, gs_end, UV_LONG64))
		TH_LOG("create: %s", strerror(errno));
	gdt = (void *)(vm->mem + GUEST_GDT_GPA);
	gdt[1] = 0x00af9b000000ffffull;		/* 64-bit kernel code */
	gdt[2] = 0x00cf93000000ffffull;		/* kernel data */
	gdt[3] = 0x00cffb000000ffffull;		/* 32-bit user code */
	gdt[4] = 0x00cff3000000ffffull;		/* user data */
	*(__u64 *)(vm->mem + TSS_GPA + 4) = 0x3000;	/* RSP0 */
	pml4 = (void *)(vm->mem + GUEST_PT_GPA);
	pml4[0] |= 4;
	pml4[512] |= 4;
	for (i = 0; i < 512; i++)
		pml4[1024 + i] |= 4;
	gs_gate(vm, 1, GS_ADDR(gs_step_db), 0);
	gs_gate(vm, 6, GS_ADDR(gs_ud), 0);
	gs_gate(vm, 0x80, GS_ADDR(gs_int80), 3);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_SREGS, &sregs));
	sregs.gdt.base = GUEST_GDT_GPA;
	sregs.gdt.limit = 5 * 8 - 1;
	sregs.idt.base = GUEST_IDT_GPA;
	sregs.idt.limit = 256 * 16 - 1;
	sregs.tr.base = TSS_GPA;
	sregs.cr4 |= 0x40200;			/* OSXSAVE, OSFXSR */
	sregs.efer |= 1;			/* SCE */
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_SREGS, &sregs));
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_REGS, &regs));
	regs.rip = GS_ADDR(entry);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_REGS, &regs));
}

/* The MSRs a guest kernel owns, with values unlike their reset ones. */
static const struct {
	__u32 msr;
	__u64 val;
	char name[32];
} gs_msrs[] = {
	{ 0x174, 0x10, "SYSENTER_CS" },
	{ 0x175, 0xffffffff81234000ull, "SYSENTER_ESP" },
	{ 0x176, 0xffffffff81235000ull, "SYSENTER_EIP" },
	{ 0x1d9, 0x2, "DEBUGCTL (BTF)" },
	{ 0x277, 0x0407050600070106ull, "PAT" },
	{ 0xc0000080, 0xd01, "EFER (SCE, LME, LMA, NXE)" },
	{ 0xc0000081, 0x0023001000000000ull, "STAR" },
	{ 0xc0000082, 0xffffffff81600000ull, "LSTAR" },
	{ 0xc0000083, 0xffffffff81601000ull, "CSTAR" },
	{ 0xc0000084, 0x47700, "SFMASK" },
	{ 0xc0000100, 0x7f0000001000ull, "FS_BASE" },
	{ 0xc0000101, 0xffff888000002000ull, "GS_BASE" },
	{ 0xc0000102, 0x7f0000003000ull, "KERNEL_GS_BASE" },
};

static const char gs_others[][8] = {
	"DR0", "DR1", "DR2", "DR3", "DR6", "DR7", "CR2", "CR8", "XCR0",
};

/*
 * The guest sets every MSR and register above, exits to userspace
 * ROUND_TRIPS times, and reads them back: all unchanged.  The debug
 * registers point at addresses the guest never touches.
 */
TEST_F(gs, state_survives_exits)
{
	const __u64 others[] = {
		0x1f0000, 0x1f1000, 0x1f2000, 0x1f3000,
		0xffff0ff3,		/* DR6: B0, B1 */
		0x000000ff | 0x5 << 16,	/* DR7: L0-L3, G0-G3; 0 on write */
		0x123456789000ull,	/* CR2 */
		9,			/* CR8 */
		3,			/* XCR0: x87, SSE */
	};
	__u64 *table, *back;
	unsigned int i, trips;

	gs_start_at(_metadata, &self->vm, gs_set);
	table = (void *)(self->vm.mem + TABLE_GPA);
	for (i = 0; i < ARRAY_SIZE(gs_msrs); i++) {
		table[2 * i] = gs_msrs[i].msr;
		table[2 * i + 1] = gs_msrs[i].val;
	}
	table[2 * i] = 0;
	memcpy(self->vm.mem + OTHER_GPA, others, sizeof(others));
	for (trips = 0; trips < ROUND_TRIPS; trips++)
		expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x68, 1, 3);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x69, 1, 3);
	back = (void *)(self->vm.mem + READBACK_GPA);
	for (i = 0; i < ARRAY_SIZE(gs_msrs); i++)
		EXPECT_EQ(gs_msrs[i].val, back[i])
			TH_LOG("%s after %u exits: %#llx", gs_msrs[i].name,
			       trips, back[i]);
	back = (void *)(self->vm.mem + READBACK_GPA + 0x400);
	for (i = 0; i < ARRAY_SIZE(others); i++) {
		/* DR7 reads back with bit 10 set. */
		__u64 want = others[i] | (i == 5 ? 0x400 : 0);

		EXPECT_EQ(want, back[i])
			TH_LOG("%s after %u exits: %#llx", gs_others[i], trips,
			       back[i]);
	}
}

/*
 * 32-bit user code enters the 64-bit kernel by SYSENTER (its MSRs set
 * before an exit to userspace) and by INT 0x80, and gets back by
 * SYSEXIT and IRET; SYSCALL from compatibility mode is #UD on Intel
 * (on a CPU that has it, it reaches CSTAR).
 */
TEST_F(gs, compat_code_enters_the_kernel)
{
	gs_start_at(_metadata, &self->vm, gs_to_user);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x68, 1,
		  (GS_ADDR(gs_cstar) & 0xff));
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0x08);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x61, 4, 0x10);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x65, 4, 0x1b);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x62, 4, 0x1b);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x63, 4, 0x1234);
	ASSERT_EQ(0, uv_run(&self->vm));
	ASSERT_EQ(MICROV_EXIT_IO, self->vm.run->exit_reason);
	ASSERT_EQ(0x50, self->vm.run->io.port);
	EXPECT_TRUE(self->vm.run->io.data == 6 || self->vm.run->io.data == 0x64)
		TH_LOG("compat SYSCALL: %#x", (unsigned int)self->vm.run->io.data);
}

/* A #DB with DR6.BS after the instruction ending at @after. */
static void expect_step(struct __test_metadata *_metadata, struct uv_vm *vm,
			const unsigned char *after)
{
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x51, 1, after - gs_step);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x54, 4, 0xffff4ff0);
}

/*
 * With RFLAGS.TF, each instruction traps once it retired, whether the
 * CPU ran it or the hypervisor emulated it (CPUID in the kernel, OUT in
 * userspace): the trap is not lost in the exit.  The trap after STI
 * exits in STI's shadow, where VM entry wants a single-step trap
 * pending as it gives the #DB back.
 */
TEST_F(gs, single_step_over_emulated_instructions)
{
	gs_start_at(_metadata, &self->vm, gs_step);
	/* XOR, then CPUID; OUT goes to userspace first. */
	expect_step(_metadata, &self->vm, gs_step_cpuid + 2);
	expect_step(_metadata, &self->vm, gs_step_out);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x68, 1, 0);
	expect_step(_metadata, &self->vm, gs_step_nop);
	expect_step(_metadata, &self->vm, gs_step_sti);
	/* In STI's shadow: the #DB that exits is given back all the same. */
	expect_step(_metadata, &self->vm, gs_step_cli);
	expect_step(_metadata, &self->vm, gs_step_popf);
	expect_step(_metadata, &self->vm, gs_step_and);
	expect_step(_metadata, &self->vm, gs_step_popf2);
	expect_step(_metadata, &self->vm, gs_step_end);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
}

/*
 * The host moves the guest elsewhere (MICROV_SET_REGS, TF off) while the
 * single-step trap of its OUT is pending: the trap stays with the OUT
 * and is not delivered at the new place.
 */
TEST_F(gs, moved_vcpu_leaves_its_pending_trap)
{
	struct microv_regs regs;

	gs_start_at(_metadata, &self->vm, gs_step);
	expect_step(_metadata, &self->vm, gs_step_cpuid + 2);
	expect_step(_metadata, &self->vm, gs_step_out);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x68, 1, 0);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	regs.rip = GS_ADDR(gs_step_moved);
	regs.rflags = 2;
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_REGS, &regs));
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x6a, 1, 0);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
}

/*
 * A NULL SS, unusable in the VMCS, lives through an exit; SYSRET then
 * makes it usable in 32-bit user code (on AMD, and on Bochs whatever CPU
 * it models, with the attributes SS had).  The exit from that code and
 * the VM entry after it work, and the user code's push uses ESP.
 */
TEST_F(gs, sysret_after_null_ss)
{
	gs_start_at(_metadata, &self->vm, gs_null_ss);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x68, 1, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x66, 1, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x67, 4,
		  NULL_SS_STACK - 4);
}

TEST_HARNESS_MAIN
