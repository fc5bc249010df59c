// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs as Xen gives them to an HVM/PVH guest (Documentation/xen-abi.rst,
 * "MSRs"): a guest walks a table of RDMSRs and WRMSRs and reports each
 * value and each #GP; CPUID faulting gives ring 3, and only ring 3, a
 * #GP when the guest's kernel turns it on.  Each #GP is in the domain's
 * diagnostics (MICROV_GET_DIAG).
 */
#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)
#define TABLE_GPA	0x4000
#define USER_STACK	0x28000
#define RSP0		0x2f000

enum { RD, WR, END = -1 };

/* What the guest walks: op, ECX, the value to write. */
struct msr_op {
	__s32 op;
	__u32 msr;
	__u64 val;
};

/*
 * 64-bit: for each entry at TABLE_GPA, RDMSR or WRMSR; the value read
 * (0 after a write) goes out on ports 0x60 (low) and 0x61 (high), 1 on
 * 0x62 if it was a #GP (the handler skips the instruction).  Then
 * CPUID.1:EDX on 0x66.
 */
GUEST_CODE(msr);
extern const unsigned char msr_gp[], p_cf[], p_cf_user[], p_cf_after[],
	p_cf_gp[];
asm(".pushsection .rodata\n"
    "msr_start:\n"
    "	mov $0x4000, %esi\n"
    "1:	mov (%rsi), %eax\n"
    "	cmp $-1, %eax\n"
    "	je 9f\n"
    "	mov 4(%rsi), %ecx\n"
    "	xor %r15d, %r15d\n"
    "	test %eax, %eax\n"
    "	jnz 2f\n"
    "	xor %edx, %edx\n"
    "	rdmsr\n"
    "	jmp 3f\n"
    "2:	mov 8(%rsi), %eax\n"
    "	mov 12(%rsi), %edx\n"
    "	wrmsr\n"
    "	xor %eax, %eax\n"
    "	xor %edx, %edx\n"
    "3:	out %eax, $0x60\n"
    "	mov %edx, %eax\n"
    "	out %eax, $0x61\n"
    "	mov %r15d, %eax\n"
    "	out %eax, $0x62\n"
    "	add $16, %rsi\n"
    "	jmp 1b\n"
    "9:	mov $1, %eax\n"
    "	cpuid\n"
    "	mov %edx, %eax\n"
    "	out %eax, $0x66\n"
    "	hlt\n"
    "msr_gp:\n"				/* skip the 2-byte RDMSR/WRMSR */
    "	add $8, %rsp\n"
    "	addq $2, (%rsp)\n"
    "	mov $1, %r15d\n"
    "	iretq\n"
    /*
     * CPUID faulting as R12 says, CPUID at CPL 0 (its max leaf on 0x63),
     * then CPUID at CPL 3 and HLT: the #GP handler reports the RIP and CS
     * that faulted on 0x64 and 0x65.
     */
    "p_cf:\n"
    "	mov $0x140, %ecx\n"
    "	mov %r12d, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	xor %eax, %eax\n"
    "	cpuid\n"
    "	out %eax, $0x63\n"
    "	pushq $0x1b\n"
    "	pushq $0x28000\n"
    "	pushq $2\n"
    "	pushq $0x23\n"
    "	lea p_cf_user(%rip), %rax\n"
    "	pushq %rax\n"
    "	iretq\n"
    "p_cf_user:\n"
    "	xor %eax, %eax\n"
    "	cpuid\n"
    "p_cf_after:\n"
    "	hlt\n"
    "p_cf_gp:\n"
    "	mov 8(%rsp), %rax\n"
    "	out %eax, $0x64\n"
    "	mov 16(%rsp), %rax\n"
    "	out %eax, $0x65\n"
    "	hlt\n"
    "msr_end:\n"
    ".popsection\n");

#define ADDR(label)	(GUEST_CODE_GPA + (label - msr_start))

/* The next exit is an OUT to @port; its value in *@val. */
static void out_value(struct __test_metadata *_metadata, struct uv_vm *vm,
		      __u16 port, __u32 *val)
{
	ASSERT_EQ(0, uv_run(vm)) TH_LOG("run: %s", strerror(errno));
	ASSERT_EQ(MICROV_EXIT_IO, vm->run->exit_reason)
		TH_LOG("exit %u", vm->run->exit_reason);
	ASSERT_EQ(MICROV_IO_OUT, vm->run->io.direction);
	ASSERT_EQ(port, vm->run->io.port);
	*val = vm->run->io.data;
}

FIXTURE(msr) {
	struct uv_vm vm;
};

FIXTURE_SETUP(msr)
{
	struct microv_sregs s;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	ASSERT_EQ(0, uv_vm_create(&self->vm, MEM_SIZE, msr_start, msr_end,
				  UV_LONG64));
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_SREGS, &s));
	uv_tables(&self->vm, UV_LONG64, &s);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_SREGS, &s));
}

FIXTURE_TEARDOWN(msr)
{
	uv_vm_destroy(&self->vm);
}

/* Expected: the value read back (after a write: 0), or a #GP. */
struct msr_case {
	struct msr_op op;
	__u64 expect;
	int gp;
};

#define R(m, v)		{ { RD, m, 0 }, v, 0 }
#define R_GP(m)		{ { RD, m, 0 }, 0, 1 }
#define W(m, v)		{ { WR, m, v }, 0, 0 }
#define W_GP(m, v)	{ { WR, m, v }, 0, 1 }

static const struct msr_case cases[] = {
	/* MTRRs: 8 variable ranges, fixed ranges, WC; all 0 at reset. */
	R(0xfe, 0x508), R(0x2ff, 0), R(0x200, 0), R(0x20f, 0), R_GP(0x210),
	R(0x250, 0), R(0x258, 0), R(0x26f, 0), R_GP(0x251),
	W(0x2ff, 0xc06), R(0x2ff, 0xc06),
	W_GP(0x2ff, 0x2), W_GP(0x2ff, 0x106), R(0x2ff, 0xc06),
	W(0x200, 0x6), R(0x200, 0x6),
	W_GP(0x200, 0x7), W_GP(0x200, 0x806), W_GP(0x200, (1ull << 63) | 6),
	W(0x201, 0xfffff800), R(0x201, 0xfffff800), W_GP(0x201, 1),
	W(0x250, 0x0606060606060606ull), R(0x250, 0x0606060606060606ull),
	W_GP(0x250, 0x0203), W_GP(0xfe, 0),
	/* CPUID faulting offered and off; only its bit may be written. */
	R(0xce, 1ull << 31), W_GP(0xce, 0),
	R(0x140, 0), W(0x140, 1), R(0x140, 1), W_GP(0x140, 2), W(0x140, 0),
	R(0x140, 0),
	/* FEATURE_CONTROL: locked, no VMX. */
	R(0x3a, 1), W_GP(0x3a, 5),
	/* No frequency control or sensors: zeros, PERF_CTL writes dropped. */
	R(0x198, 0), R(0x199, 0), R(0x19c, 0), W(0x199, 0x1234),
	R(0x199, 0),
	R(0x8b, 0), R(0x17, 0),
	/* DEBUGCTL: BTF only. */
	R(0x1d9, 0), W(0x1d9, 2), R(0x1d9, 2), W_GP(0x1d9, 1), W(0x1d9, 0),
	/* PAT at reset, and a memory type that does not exist. */
	R(0x277, 0x0007040600070406ull), W_GP(0x277, 0x02),
	/* Nothing there. */
	R_GP(0x123), W_GP(0x123, 0), R_GP(0xc0010015),
};

/*
 * MICROV_GET_DIAG lists each MSR that got a #GP once, by direction, in
 * the order of the table, with how many times; nothing else.
 */
static void check_diag(struct __test_metadata *_metadata, struct uv_vm *vm)
{
	struct microv_diag_entry want[MICROV_DIAG_MAX], got[MICROV_DIAG_MAX];
	struct microv_diag d = {
		.nr_entries = MICROV_DIAG_MAX, .entries = (unsigned long)got,
	};
	unsigned int i, j, n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		__u32 kind = cases[i].op.op == RD ? MICROV_DIAG_RDMSR :
						     MICROV_DIAG_WRMSR;

		if (!cases[i].gp)
			continue;
		for (j = 0; j < n; j++)
			if (want[j].kind == kind &&
			    want[j].code == cases[i].op.msr)
				break;
		if (j == n)
			want[n++] = (struct microv_diag_entry){
				.kind = kind, .code = cases[i].op.msr,
			};
		want[j].count++;
	}
	ASSERT_EQ(0, ioctl(vm->dom, MICROV_GET_DIAG, &d));
	ASSERT_EQ(n, d.nr_entries);
	EXPECT_EQ(0, d.dropped);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(want[i].kind, got[i].kind);
		EXPECT_EQ(want[i].code, got[i].code)
			TH_LOG("entry %u: MSR %#x, not %#x", i, got[i].code,
			       want[i].code);
		EXPECT_EQ(0, got[i].arg);
		EXPECT_EQ(want[i].count, got[i].count);
	}
	/* Bad requests: flags, an unwritable array; none: just the count. */
	d.flags = 1;
	EXPECT_EQ(-1, ioctl(vm->dom, MICROV_GET_DIAG, &d));
	EXPECT_EQ(EINVAL, errno);
	d.flags = 0;
	d.entries = 8;
	EXPECT_EQ(-1, ioctl(vm->dom, MICROV_GET_DIAG, &d));
	EXPECT_EQ(EFAULT, errno);
	d.nr_entries = 0;
	EXPECT_EQ(0, ioctl(vm->dom, MICROV_GET_DIAG, &d));
	EXPECT_EQ(n, d.nr_entries);
}

TEST_F(msr, table)
{
	struct msr_op *t = (void *)(self->vm.mem + TABLE_GPA);
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]);
	__u32 edx;

	uv_set_gate(&self->vm, UV_LONG64, 13, ADDR(msr_gp));
	for (i = 0; i < n; i++)
		t[i] = cases[i].op;
	t[n].op = END;
	for (i = 0; i < n; i++) {
		__u32 lo, hi, gp;
		__u64 got;

		out_value(_metadata, &self->vm, 0x60, &lo);
		out_value(_metadata, &self->vm, 0x61, &hi);
		out_value(_metadata, &self->vm, 0x62, &gp);
		got = (__u64)hi << 32 | lo;
		EXPECT_EQ(cases[i].gp, gp)
			TH_LOG("%s %#x: #GP %d", cases[i].op.op == RD ?
			       "RDMSR" : "WRMSR", cases[i].op.msr, gp);
		if (!gp)
			EXPECT_EQ(cases[i].expect, got)
				TH_LOG("RDMSR %#x: %#llx", cases[i].op.msr,
				       (unsigned long long)got);
	}
	/* CPUID says the MTRRs are there. */
	out_value(_metadata, &self->vm, 0x66, &edx);
	EXPECT_TRUE(edx & (1u << 12));
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
	check_diag(_metadata, &self->vm);
}

/* Ring 3 in the identity map: user pages, user segments, RSP0. */
static void cpl3_ready(struct __test_metadata *_metadata, struct uv_vm *vm,
		       int faulting)
{
	__u64 *pml4 = (void *)(vm->mem + GUEST_PT_GPA);
	__u64 *gdt = (void *)(vm->mem + GUEST_GDT_GPA);
	struct microv_sregs s;
	struct microv_regs r;
	int i;

	pml4[0] |= 4;
	pml4[512] |= 4;
	for (i = 0; i < 512; i++)
		pml4[1024 + i] |= 4;
	gdt[3] = 0x00cff3000000ffffull;		/* 0x1b: data, DPL 3 */
	gdt[4] = 0x00affb000000ffffull;		/* 0x23: 64-bit code, DPL 3 */
	*(__u64 *)(vm->mem + 4) = RSP0;		/* the TSS is at 0 */
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_SREGS, &s));
	s.gdt.limit = 5 * 8 - 1;
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_SREGS, &s));
	uv_set_gate(vm, UV_LONG64, 13, ADDR(p_cf_gp));
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_REGS, &r));
	r.rip = ADDR(p_cf);
	r.r12 = faulting;
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_REGS, &r));
}

TEST_F(msr, cpuid_faulting_ring3_only)
{
	__u32 max_leaf;

	cpl3_ready(_metadata, &self->vm, 1);
	/* Ring 0 keeps CPUID. */
	out_value(_metadata, &self->vm, 0x63, &max_leaf);
	EXPECT_NE(0, max_leaf);
	/* Ring 3's CPUID is the #GP. */
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x64, 4,
		  ADDR(p_cf_user) + 2);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x65, 4, 0x23);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
}

TEST_F(msr, cpuid_faulting_off)
{
	__u32 max_leaf;

	cpl3_ready(_metadata, &self->vm, 0);
	out_value(_metadata, &self->vm, 0x63, &max_leaf);
	EXPECT_NE(0, max_leaf);
	/* CPUID ran at CPL 3: the #GP is HLT's. */
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x64, 4,
		  ADDR(p_cf_after));
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x65, 4, 0x23);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
}

TEST_HARNESS_MAIN
