// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical addresses with no RAM: reads give all ones, writes are
 * dropped and the guest goes on, as on Xen, in 64-bit, 32-bit and real
 * mode, for each instruction form the module emulates; counted in the
 * domain's info and listed, by page, in its diagnostics.  A strict domain, an instruction not emulated, a page
 * walk or an instruction fetch there stop the guest with an MMIO exit.
 */
#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)
#define UNBACKED	0x20000000	/* in the guests' identity map */

/* 64-bit: each answer goes out on ports 0x60 and up. */
GUEST_CODE(mmio64);
extern const unsigned char p_rep_stos[], p_walk[], p_fetch[];
asm(".pushsection .rodata\n"
    "mmio64_start:\n"
    "	mov $0x20000000, %ebx\n"
    "	mov (%rbx), %eax\n"
    "	out %eax, $0x60\n"
    "	mov 8(%rbx), %rdx\n"		/* 64 bits of ones */
    "	shr $32, %rdx\n"
    "	mov %edx, %eax\n"
    "	out %eax, $0x61\n"
    "	movzbl 0x10(%rbx), %eax\n"
    "	out %eax, $0x62\n"
    "	movswl 0x12(%rbx), %eax\n"
    "	out %eax, $0x63\n"
    "	movl $0x12345678, (%rbx)\n"	/* dropped */
    "	mov (%rbx), %eax\n"
    "	out %eax, $0x64\n"
    "	xor %eax, %eax\n"
    "	cmpl $-1, 4(%rbx)\n"
    "	sete %al\n"
    "	out %eax, $0x65\n"
    "	mov $1, %ecx\n"
    "	add (%rbx), %ecx\n"		/* 1 + ~0: 0, CF, ZF */
    "	pushf\n"
    "	pop %rax\n"
    "	and $0x8d5, %eax\n"		/* CF PF AF ZF SF OF */
    "	out %eax, $0x66\n"
    "	mov %ecx, %eax\n"
    "	out %eax, $0x67\n"
    "	mov $0x55, %eax\n"
    "	xchg %eax, 0x20(%rbx)\n"
    "	out %eax, $0x68\n"
    "	orb $1, 0x21(%rbx)\n"
    "	mov $0x20000000, %r9\n"
    "	mov $3, %r10\n"
    "	mov (%r9,%r10,8), %r11w\n"
    "	mov %r11d, %eax\n"
    "	out %eax, $0x69\n"
    "	movabs 0x20000030, %eax\n"
    "	out %eax, $0x6a\n"
    "	movl $0xabcd, 0x3000\n"	/* RAM still works */
    "	hlt\n"
    /* Not emulated: a string instruction, a walk, a fetch. */
    "p_rep_stos:\n"
    "	mov $0x20000000, %edi\n"
    "	mov $4, %ecx\n"
    "	rep stosb\n"
    "	hlt\n"
    "p_walk:\n"
    "	mov 0x40000000, %eax\n"
    "	hlt\n"
    "p_fetch:\n"
    "	mov $0x20000000, %eax\n"
    "	jmp *%rax\n"
    "mmio64_end:\n"
    ".popsection\n");

/* 32-bit protected mode, flat, no paging. */
GUEST_CODE(mmio32);
asm(".pushsection .rodata\n"
    ".code32\n"
    "mmio32_start:\n"
    "	mov $0x20000000, %ebx\n"
    "	mov (%ebx), %eax\n"
    "	out %eax, $0x60\n"
    "	mov 0x20000010, %eax\n"		/* moffs */
    "	out %eax, $0x61\n"
    "	movw $0x1234, 2(%ebx)\n"
    "	mov %ebx, %ebp\n"
    "	xor %eax, %eax\n"
    "	mov 4(%ebp), %ax\n"		/* SS-relative, 16 bits */
    "	out %eax, $0x62\n"
    "	hlt\n"
    ".code64\n"
    "mmio32_end:\n"
    ".popsection\n");

/* Real mode, RAM below 0x40000 only. */
GUEST_CODE(mmio16);
asm(".pushsection .rodata\n"
    ".code16\n"
    "mmio16_start:\n"
    "	mov $0x5000, %ax\n"
    "	mov %ax, %ds\n"
    "	mov $0x10, %bx\n"
    "	mov $0x20, %si\n"
    "	mov (%bx,%si), %ax\n"
    "	out %ax, $0x60\n"
    "	movb $1, 0\n"
    "	mov 0, %al\n"
    "	out %al, $0x61\n"
    "	hlt\n"
    ".code64\n"
    "mmio16_end:\n"
    ".popsection\n");

#define ENTRY(label)	(GUEST_CODE_GPA + (label - mmio64_start))

FIXTURE(mmio) {
	struct uv_vm vm;
};

FIXTURE_SETUP(mmio)
{
	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
}

FIXTURE_TEARDOWN(mmio)
{
	uv_vm_destroy(&self->vm);
}

static __u64 unbacked_count(struct __test_metadata *_metadata,
			    struct uv_vm *vm)
{
	struct microv_domain_info info = { 0 };

	EXPECT_EQ(0, ioctl(vm->dom, MICROV_GET_DOMAIN_INFO, &info));
	return info.nr_mmio_unbacked;
}

static void start_at(struct __test_metadata *_metadata, struct uv_vm *vm,
		     __u64 rip)
{
	struct microv_regs regs;

	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_REGS, &regs));
	regs.rip = rip;
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_REGS, &regs));
}

/* An MMIO exit at @gpa, the guest stopped at @rip to retry. */
static void expect_mmio(struct __test_metadata *_metadata, struct uv_vm *vm,
			__u64 gpa, int is_write, __u64 rip)
{
	struct microv_regs regs;

	expect_exit(_metadata, vm, MICROV_EXIT_MMIO);
	EXPECT_EQ(gpa, vm->run->mmio.gpa);
	EXPECT_EQ(is_write, vm->run->mmio.is_write);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_REGS, &regs));
	EXPECT_EQ(rip, regs.rip);
}

/* MICROV_GET_DIAG: its entries into @e; how many the domain holds. */
static unsigned int get_diag(struct __test_metadata *_metadata,
			     struct uv_vm *vm, struct microv_diag_entry *e)
{
	struct microv_diag d = {
		.nr_entries = MICROV_DIAG_MAX, .entries = (unsigned long)e,
	};

	EXPECT_EQ(0, ioctl(vm->dom, MICROV_GET_DIAG, &d));
	EXPECT_EQ(0, d.dropped);
	return d.nr_entries;
}

TEST_F(mmio, long_mode_answered)
{
	struct microv_diag_entry diag[MICROV_DIAG_MAX];
	struct uv_vm *vm = &self->vm;

	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, mmio64_start, mmio64_end,
				  UV_LONG64));
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x60, 4, 0xffffffff);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x61, 4, 0xffffffff);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x62, 4, 0xff);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x63, 4, 0xffffffff);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x64, 4, 0xffffffff);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x65, 4, 1);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x66, 4, 0x55);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x67, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x68, 4, 0xffffffff);
	/* A 16-bit load keeps the register's upper bits. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x69, 4, 0xffff);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x6a, 4, 0xffffffff);
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);
	EXPECT_EQ(0xabcd, *(__u32 *)(vm->mem + 0x3000));
	/* 11 reads (XCHG's and OR's among them), 3 writes. */
	EXPECT_EQ(14, unbacked_count(_metadata, vm));
	/* In the diagnostics: one page, read first, then written. */
	EXPECT_EQ(2, get_diag(_metadata, vm, diag));
	EXPECT_EQ(MICROV_DIAG_UNBACKED, diag[0].kind);
	EXPECT_EQ(0, diag[0].code);
	EXPECT_EQ(UNBACKED, diag[0].arg);
	EXPECT_EQ(11, diag[0].count);
	EXPECT_EQ(MICROV_DIAG_UNBACKED, diag[1].kind);
	EXPECT_EQ(1, diag[1].code);
	EXPECT_EQ(UNBACKED, diag[1].arg);
	EXPECT_EQ(3, diag[1].count);
}

TEST_F(mmio, strict_domain_stops)
{
	struct uv_vm *vm = &self->vm;

	ASSERT_EQ(0, uv_vm_create_flags(vm, MEM_SIZE, mmio64_start,
					mmio64_end, UV_LONG64,
					MICROV_DOMAIN_STRICT_MMIO));
	/* mov $..., %ebx is 5 bytes: the load after it exits, and again. */
	expect_mmio(_metadata, vm, UNBACKED, 0, GUEST_CODE_GPA + 5);
	expect_mmio(_metadata, vm, UNBACKED, 0, GUEST_CODE_GPA + 5);
	EXPECT_EQ(0, unbacked_count(_metadata, vm));
	EXPECT_EQ(0, get_diag(_metadata, vm, NULL));
	/* Unknown creation flags are refused. */
	EXPECT_EQ(-1, uv_create_domain_flags(vm->dev, NULL, NULL, 2));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mmio, not_emulated_stops)
{
	struct uv_vm *vm = &self->vm;
	__u64 *pdpt;

	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, mmio64_start, mmio64_end,
				  UV_LONG64));
	/* REP STOSB: the string forms are not emulated. */
	start_at(_metadata, vm, ENTRY(p_rep_stos));
	expect_mmio(_metadata, vm, UNBACKED, 1, ENTRY(p_rep_stos) + 10);
	/* A page directory for 1-2 GiB where there is no RAM: the walk. */
	pdpt = (__u64 *)(vm->mem + GUEST_PT_GPA + 0x1000);
	pdpt[1] = 0x30000000 | 3;
	start_at(_metadata, vm, ENTRY(p_walk));
	expect_exit(_metadata, vm, MICROV_EXIT_MMIO);
	EXPECT_EQ(0x30000000, vm->run->mmio.gpa & ~0xfffull);
	EXPECT_EQ(0, vm->run->mmio.is_write);
	/* Code where there is no RAM. */
	start_at(_metadata, vm, ENTRY(p_fetch));
	expect_mmio(_metadata, vm, UNBACKED, 0, UNBACKED);
	EXPECT_EQ(0, unbacked_count(_metadata, vm));
}

TEST_F(mmio, prot32_answered)
{
	struct uv_vm *vm = &self->vm;

	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, mmio32_start, mmio32_end,
				  UV_PROT32));
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x60, 4, 0xffffffff);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x61, 4, 0xffffffff);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x62, 4, 0xffff);
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);
	EXPECT_EQ(4, unbacked_count(_metadata, vm));
}

TEST_F(mmio, real_mode_answered)
{
	struct uv_vm *vm = &self->vm;

	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, mmio16_start, mmio16_end,
				  UV_REAL));
	ASSERT_EQ(0, uv_set_region(vm->dom, 0, 0, vm->mem, 0x40000, 0));
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x60, 2, 0xffff);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x61, 1, 0xff);
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);
	EXPECT_EQ(3, unbacked_count(_metadata, vm));
}

TEST_HARNESS_MAIN
