// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware task switches in a 32-bit guest, which microv carries out for
 * the CPU (exit reason 9): a far CALL to a TSS and the IRET back, a far
 * JMP there and back, a #GP, an INT n and an interrupt from the local
 * APIC through task gates in the IDT, and a new task whose CS faults
 * (#TS, taken in the new task); with paging on, a TSS the page tables do
 * not map (#PF, taken in the old task).  Each task says what it found on
 * a port.
 */
#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)

/* The GDT after uv_tables()'s code (8) and data (0x10) descriptors. */
#define SEL_A		0x18	/* the first task, running at the start */
#define SEL_B		0x20	/* CALLed, IRETs back */
#define SEL_C		0x28	/* JMPed to, JMPs back */
#define SEL_D		0x30	/* #GP's task gate */
#define SEL_E		0x38	/* INT 0x80's */
#define SEL_F		0x40	/* the APIC interrupt 0x41's */
#define SEL_G		0x48	/* its CS is null: #TS */
#define SEL_H		0x50	/* its TSS is on a page paging leaves out */
#define GDT_LIMIT	(SEL_H + 7)

#define TSS_GPA(i)	(0x21000 + (i) * 0x100)
#define STACK_GPA(i)	(0x28000 + (i) * 0x800)
#define TSS_H_GPA	0x40000
#define PD_GPA		0x41000
#define PT_GPA		0x42000

GUEST_CODE(task);
extern const unsigned char task_b[], task_c[], task_d[], task_e[],
			   task_f[], task_g[], ts_handler[], pf_start[],
			   pf_handler[];
asm(".pushsection .rodata\n"
    ".code32\n"
    "task_start:\n"
    /* CALL: B runs, IRETs; A's registers come back from its TSS. */
    "	mov $0xa1, %eax\n"
    "	lcall $0x20, $0\n"
    "	out %eax, $0x70\n"
    "	pushf\n"
    "	pop %eax\n"
    "	out %eax, $0x71\n"
    "	xor %eax, %eax\n"
    "	str %ax\n"
    "	out %eax, $0x72\n"
    /* JMP: C runs, JMPs back; A resumes after its JMP. */
    "	mov $0xa2, %eax\n"
    "	ljmp $0x28, $0\n"
    "	out %eax, $0x73\n"
    /* #GP through a task gate: D moves A's EIP past the MOV. */
    "	mov $0x98, %eax\n"
    "	mov %eax, %ds\n"
    "	mov %ds, %eax\n"
    "	out %eax, $0x74\n"
    /* INT 0x80 through a task gate: E. */
    "	mov $0xa4, %eax\n"
    "	int $0x80\n"
    "	out %eax, $0x75\n"
    /* A self-IPI, vector 0x41, through a task gate: F, once. */
    "	mov $0x80f, %ecx\n"
    "	mov $0x1ff, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	mov $0x830, %ecx\n"
    "	mov $0x40041, %eax\n"
    "	wrmsr\n"
    "	sti\n"
    "	nop\n"
    "	nop\n"
    "	cli\n"
    "	mov 0x3000, %eax\n"
    "	out %eax, $0x76\n"
    /* G's CS is null: #TS(0) in G, through an interrupt gate. */
    "	ljmp $0x48, $0\n"
    "	hlt\n"
    "task_b:\n"
    "	out %eax, $0x60\n"			/* B's EAX, from its TSS */
    "	pushf\n"
    "	pop %eax\n"
    "	out %eax, $0x61\n"			/* NT set */
    "	movzwl 0x21100, %eax\n"
    "	out %eax, $0x62\n"			/* back link: A */
    "	iret\n"
    "task_c:\n"
    "	xor %eax, %eax\n"
    "	str %ax\n"
    "	out %eax, $0x63\n"
    "	ljmp $0x18, $0\n"
    "task_d:\n"
    "	pop %eax\n"				/* the error code */
    "	out %eax, $0x64\n"
    "	addl $2, 0x21020\n"			/* A's EIP past the MOV */
    "	iret\n"
    "	jmp task_d\n"
    "task_e:\n"
    "	mov 0x21028, %eax\n"			/* A's EAX, as saved */
    "	out %eax, $0x65\n"
    "	iret\n"
    "task_f:\n"
    "	incl 0x3000\n"
    "	mov $0x80b, %ecx\n"			/* EOI */
    "	xor %eax, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	iret\n"
    "	jmp task_f\n"
    "task_g:\n"
    "	hlt\n"
    "ts_handler:\n"
    "	pop %eax\n"
    "	out %eax, $0x66\n"			/* #TS's error code */
    "	xor %eax, %eax\n"
    "	str %ax\n"
    "	out %eax, $0x67\n"			/* taken in G */
    "	cli\n"
    "	hlt\n"
    "pf_start:\n"
    "	ljmp $0x50, $0\n"
    "	hlt\n"
    "pf_handler:\n"
    "	pop %eax\n"
    "	out %eax, $0x68\n"			/* #PF's error code */
    "	mov %cr2, %eax\n"
    "	out %eax, $0x69\n"
    "	xor %eax, %eax\n"
    "	str %ax\n"
    "	out %eax, $0x6a\n"			/* taken in A */
    "	hlt\n"
    ".code64\n"
    "task_end:\n"
    ".popsection\n");

#define ADDR(label)	(GUEST_CODE_GPA + (label - task_start))

static __u64 desc(__u32 base, __u32 limit, unsigned int access,
		  unsigned int flags)
{
	return (limit & 0xffff) | ((__u64)(base & 0xffffff) << 16) |
	       ((__u64)access << 40) | ((__u64)((limit >> 16) & 0xf) << 48) |
	       ((__u64)flags << 52) | ((__u64)(base >> 24) << 56);
}

static void put32(struct uv_vm *vm, __u64 gpa, __u32 v)
{
	memcpy(vm->mem + gpa, &v, 4);
}

/* A 32-bit TSS whose task starts at @eip, EAX 0xb0 + @i, ring 0, IF clear. */
static void tss(struct uv_vm *vm, int i, __u32 eip, __u16 cs)
{
	__u64 base = TSS_GPA(i);

	memset(vm->mem + base, 0, 0x68);
	put32(vm, base + 0x20, eip);
	put32(vm, base + 0x24, 2);
	put32(vm, base + 0x28, 0xb0 + i);
	put32(vm, base + 0x38, STACK_GPA(i) + 0x800);
	put32(vm, base + 0x48, 0x10);
	put32(vm, base + 0x4c, cs);
	put32(vm, base + 0x50, 0x10);
	put32(vm, base + 0x54, 0x10);
	put32(vm, base + 0x58, 0x10);
	put32(vm, base + 0x5c, 0x10);
	((__u64 *)(vm->mem + GUEST_GDT_GPA))[1 + 2 + i] =
		desc(base, 0x67, i ? 0x89 : 0x8b, 0);
}

static void task_gate(struct uv_vm *vm, int vector, __u16 sel)
{
	*(__u64 *)(vm->mem + GUEST_IDT_GPA + vector * 8) =
		((__u64)sel << 16) | (0x85ull << 40);
}

FIXTURE(task) {
	struct uv_vm vm;
};

FIXTURE_SETUP(task)
{
	struct uv_vm *vm = &self->vm;
	struct microv_sregs s;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, task_start, task_end,
				  UV_PROT32));
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_SREGS, &s));
	uv_tables(vm, UV_PROT32, &s);
	s.gdt.limit = GDT_LIMIT;
	s.tr.selector = SEL_A;
	s.tr.base = TSS_GPA(0);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_SREGS, &s));
	tss(vm, 0, 0, 8);
	tss(vm, 1, ADDR(task_b), 8);
	tss(vm, 2, ADDR(task_c), 8);
	tss(vm, 3, ADDR(task_d), 8);
	tss(vm, 4, ADDR(task_e), 8);
	tss(vm, 5, ADDR(task_f), 8);
	tss(vm, 6, ADDR(task_g), 0);
	task_gate(vm, 13, SEL_D);
	task_gate(vm, 0x80, SEL_E);
	task_gate(vm, 0x41, SEL_F);
	uv_set_gate(vm, UV_PROT32, 10, ADDR(ts_handler));
}

FIXTURE_TEARDOWN(task)
{
	uv_vm_destroy(&self->vm);
}

static unsigned int desc_type(struct uv_vm *vm, __u16 sel)
{
	return (((__u64 *)(vm->mem + GUEST_GDT_GPA))[sel >> 3] >> 40) & 15;
}

TEST_F(task, switches)
{
	struct uv_vm *vm = &self->vm;
	struct microv_sregs s;

	/* CALL B: its own EAX, NT, the link; IRET: A's EAX, no NT, TR. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x60, 4, 0xb1);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x61, 4, 0x4002);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x62, 4, SEL_A);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x70, 4, 0xa1);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x71, 4, 2);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x72, 4, SEL_A);
	EXPECT_EQ(9, desc_type(vm, SEL_B));
	EXPECT_EQ(11, desc_type(vm, SEL_A));
	/* A's saved state in its TSS: EIP after the CALL, EAX. */
	EXPECT_EQ(0xa1, *(__u32 *)(vm->mem + TSS_GPA(0) + 0x28));

	/* JMP C and back: busy bits follow. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x63, 4, SEL_C);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x73, 4, 0xa2);
	EXPECT_EQ(9, desc_type(vm, SEL_C));
	EXPECT_EQ(11, desc_type(vm, SEL_A));

	/* #GP(0x98) through D's gate, the error code on D's stack. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x64, 4, 0x98);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x74, 4, 0x10);

	/* INT 0x80 through E's gate: A saved with EIP after the INT. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x65, 4, 0xa4);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x75, 4, 0xa4);

	/* The APIC's interrupt through F's gate: delivered once. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x76, 4, 1);

	/* G: #TS(0) in the new task, CR0.TS set by the switch. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x66, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x67, 4, SEL_G);
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_SREGS, &s));
	EXPECT_EQ(SEL_G, s.tr.selector);
	EXPECT_EQ(11, s.tr.type);
	EXPECT_TRUE(s.cr0 & 8);
	EXPECT_EQ(9, desc_type(vm, SEL_A));
}

/* A TSS outside guest RAM: the run ends, nothing else does. */
TEST_F(task, tss_outside_ram)
{
	struct uv_vm *vm = &self->vm;

	((__u64 *)(vm->mem + GUEST_GDT_GPA))[SEL_B >> 3] =
		desc(0xfff00000, 0x67, 0x89, 0);
	expect_exit(_metadata, vm, MICROV_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(9, vm->run->internal.hw_reason);
	EXPECT_EQ(SEL_B, vm->run->internal.qualification & 0xffff);
}

/*
 * Paging on, TSS H on the one page the page tables leave out: the JMP
 * raises #PF in A, with CR2 at H's TSS, and changes nothing.
 */
TEST_F(task, tss_not_mapped)
{
	struct uv_vm *vm = &self->vm;
	__u32 *pt = (__u32 *)(vm->mem + PT_GPA);
	struct microv_sregs s;
	struct microv_regs r;
	int i;

	for (i = 0; i < 512; i++)
		pt[i] = i << 12 | 3;
	pt[TSS_H_GPA >> 12] = 0;
	put32(vm, PD_GPA, PT_GPA | 3);
	memset(vm->mem + TSS_H_GPA, 0, 0x68);
	((__u64 *)(vm->mem + GUEST_GDT_GPA))[SEL_H >> 3] =
		desc(TSS_H_GPA, 0x67, 0x89, 0);
	uv_set_gate(vm, UV_PROT32, 14, ADDR(pf_handler));
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_SREGS, &s));
	s.cr3 = PD_GPA;
	s.cr0 |= 0x80000000;
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_REGS, &r));
	r.rip = ADDR(pf_start);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_REGS, &r));

	expect_io(_metadata, vm, MICROV_IO_OUT, 0x68, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x69, 4, TSS_H_GPA);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x6a, 4, SEL_A);
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);
	EXPECT_EQ(9, desc_type(vm, SEL_H));
	EXPECT_EQ(11, desc_type(vm, SEL_A));
	/* A's TSS was not written: its EIP is still the first one. */
	EXPECT_EQ(0, *(__u32 *)(vm->mem + TSS_GPA(0) + 0x20));
}

TEST_HARNESS_MAIN
