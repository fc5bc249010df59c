// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/x86_task.c in userspace: task switches by CALL,
 * JMP, IRET and task gate between 32-bit and 16-bit TSSs in a flat guest
 * memory, what each saves and loads, busy bits and back links, the
 * faults before the switch (nothing changed) and in the new task.  TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <uapi/linux/microv.h>

#include "../x86.h"
#include "tap.h"

#define MEM		0x10000
#define GDT		0x1000
#define TSS_A		0x3000	/* the running task's, 32-bit */
#define TSS_B		0x3100	/* 32-bit */
#define TSS_C		0x3200	/* 16-bit */
#define LDT		0x4000
#define STACK_B		0x8000

/* Selectors of the GDT that setup() builds. */
enum {
	SEL_CODE = 0x08, SEL_DATA = 0x10, SEL_A = 0x18, SEL_B = 0x20,
	SEL_LDT = 0x28, SEL_C = 0x30, SEL_CODE3 = 0x3b, SEL_DATA3 = 0x43,
	SEL_ABSENT = 0x48, SEL_SMALL = 0x50, SEL_CODE_RO = 0x58,
	GDT_LIMIT = 0x5f,
};

static unsigned char mem[MEM];
static struct microv_sregs s;
static struct microv_regs r;
static struct x86_debugregs dbg;
static u64 dr7, last_cr3;
static int accesses, fail_at;
static u64 pf_page;		/* a page the guest's page tables refuse */
static bool pf_writes;		/* only writes: it is read-only */

static int mem_access(void *ctx, const struct x86_paging *p, u64 linear,
		      void *buf, size_t len, bool write, struct x86_fault *f)
{
	last_cr3 = p->cr3;
	f->vector = -1;
	if (linear >> 12 <= pf_page && (linear + len - 1) >> 12 >= pf_page &&
	    (write || !pf_writes)) {
		*f = (struct x86_fault){ X86_TRAP_PF, true,
					 write << 1 | pf_writes, linear };
		return -EFAULT;
	}
	if (++accesses == fail_at || linear >= MEM || len > MEM - linear)
		return -EFAULT;
	if (write)
		memcpy(mem + linear, buf, len);
	else
		memcpy(buf, mem + linear, len);
	return 0;
}

static u64 desc(u32 base, u32 limit, unsigned int access, unsigned int flags)
{
	return (limit & 0xffff) | ((u64)(base & 0xffffff) << 16) |
	       ((u64)access << 40) | ((u64)((limit >> 16) & 0xf) << 48) |
	       ((u64)flags << 52) | ((u64)(base >> 24) << 56);
}

static void put_desc(u16 sel, u64 d) { memcpy(mem + GDT + (sel & ~7), &d, 8); }
static u64 get_desc(u16 sel)
{
	u64 d;

	memcpy(&d, mem + GDT + (sel & ~7), 8);
	return d;
}
static unsigned int desc_type(u16 sel) { return (get_desc(sel) >> 40) & 15; }
static void put16(u32 a, u16 v) { memcpy(mem + a, &v, 2); }
static void put32(u32 a, u32 v) { memcpy(mem + a, &v, 4); }
static u16 get16(u32 a) { u16 v; memcpy(&v, mem + a, 2); return v; }
static u32 get32(u32 a) { u32 v; memcpy(&v, mem + a, 4); return v; }

static struct microv_segment flat(u16 sel, u8 type, u8 dpl)
{
	struct microv_segment g = {
		.limit = 0xffffffff, .selector = sel, .type = type, .s = 1,
		.dpl = dpl, .present = 1, .db = 1, .g = 1,
	};
	return g;
}

/* Task B's image: registers 0xb0..., flat ring-0 segments, IF set. */
static void tss32_image(u32 base, u16 cs, u16 ds, u16 ss)
{
	int i;

	memset(mem + base, 0, 0x68);
	put32(base + 0x20, 0x5000);			/* EIP */
	put32(base + 0x24, X86_EFLAGS_IF | 0xffc00000);	/* reserved bits too */
	for (i = 0; i < 8; i++)
		put32(base + 0x28 + 4 * i, 0xb0000000 + i);
	put32(base + 0x38, STACK_B);			/* ESP */
	put16(base + 0x48, ds);
	put16(base + 0x4c, cs);
	put16(base + 0x50, ss);
	put16(base + 0x54, ds);
	put16(base + 0x58, ds);
	put16(base + 0x5c, ds);
	put16(base + 0x60, 0);				/* LDT */
}

static void setup(void)
{
	int i;

	memset(mem, 0, sizeof(mem));
	put_desc(SEL_CODE, desc(0, 0xfffff, 0x9b, 0xc));
	put_desc(SEL_DATA, desc(0, 0xfffff, 0x93, 0xc));
	put_desc(SEL_A, desc(TSS_A, 0x67, 0x8b, 0));	/* busy */
	put_desc(SEL_B, desc(TSS_B, 0x67, 0x89, 0));
	put_desc(SEL_LDT, desc(LDT, 0x17, 0x82, 0));
	put_desc(SEL_C, desc(TSS_C, 0x2b, 0x81, 0));
	put_desc(SEL_CODE3, desc(0, 0xfffff, 0xfa, 0xc));	/* not accessed */
	put_desc(SEL_DATA3, desc(0, 0xfffff, 0xf2, 0xc));
	put_desc(SEL_ABSENT, desc(0, 0xfffff, 0x13, 0xc));
	put_desc(SEL_SMALL, desc(TSS_B, 0x60, 0x89, 0));
	put_desc(SEL_CODE_RO, desc(0, 0xfffff, 0x99, 0xc));	/* execute-only */
	tss32_image(TSS_B, SEL_CODE, SEL_DATA, SEL_DATA);

	memset(&s, 0, sizeof(s));
	s.cs = flat(SEL_CODE, 11, 0);
	s.ds = s.es = s.fs = s.gs = s.ss = flat(SEL_DATA, 3, 0);
	s.tr = (struct microv_segment){ .base = TSS_A, .limit = 0x67,
		.selector = SEL_A, .type = 11, .present = 1 };
	s.ldt.unusable = 1;
	s.gdt.base = GDT;
	s.gdt.limit = GDT_LIMIT;
	s.cr0 = X86_CR0_PE | X86_CR0_ET;
	memset(&r, 0, sizeof(r));
	r.rax = 0xa0; r.rcx = 0xa1; r.rdx = 0xa2; r.rbx = 0xa3;
	r.rsp = 0xa4; r.rbp = 0xa5; r.rsi = 0xa6; r.rdi = 0xa7;
	r.rip = 0x1111;
	r.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_NT | X86_EFLAGS_ZF;
	memset(&dbg, 0, sizeof(dbg));
	dr7 = 0x400 | 0xff;
	accesses = fail_at = 0;
	pf_page = ~0ULL;
	pf_writes = false;
	for (i = 0; i < 0x68; i++)
		mem[TSS_A + i] = 0xee;
	put16(TSS_A + 0x60, 0);		/* no LDT */
	mem[TSS_A + 0x64] = 0;		/* no T flag */
}

static int sw(u16 sel, enum x86_task_source src, struct x86_fault *f)
{
	struct x86_task_switch ts = {
		.selector = sel, .source = src, .return_ip = 0x1234,
		.mem = mem_access,
	};

	return x86_task_switch(&ts, &s, &r, &dbg, &dr7, f);
}

static void test_call_and_iret(void)
{
	struct x86_fault f;

	setup();
	CHECK(sw(SEL_B, X86_TASK_CALL, &f) == 0 && f.vector == -1);
	/* The old task's state, in its TSS; its CR3 and LDT fields kept. */
	CHECK(get32(TSS_A + 0x20) == 0x1234);
	CHECK(get32(TSS_A + 0x24) == (X86_EFLAGS_FIXED | X86_EFLAGS_NT |
				      X86_EFLAGS_ZF));
	CHECK(get32(TSS_A + 0x28) == 0xa0 && get32(TSS_A + 0x2c) == 0xa1 &&
	      get32(TSS_A + 0x34) == 0xa3 && get32(TSS_A + 0x38) == 0xa4 &&
	      get32(TSS_A + 0x44) == 0xa7);
	CHECK(get32(TSS_A + 0x4c) == (0xeeee0000 | SEL_CODE));
	CHECK(get16(TSS_A + 0x5c) == SEL_DATA);
	CHECK(get32(TSS_A + 0x1c) == 0xeeeeeeee && mem[TSS_A + 0x62] == 0xee);
	/* Both busy; the new one links back; NT set; TS set. */
	CHECK(desc_type(SEL_A) == 11 && desc_type(SEL_B) == 11);
	CHECK(get16(TSS_B) == SEL_A);
	CHECK(s.tr.selector == SEL_B && s.tr.base == TSS_B && s.tr.type == 11);
	CHECK(r.rip == 0x5000 && r.rax == 0xb0000000 && r.rdi == 0xb0000007);
	CHECK(r.rsp == STACK_B);
	CHECK(r.rflags == (X86_EFLAGS_FIXED | X86_EFLAGS_IF | X86_EFLAGS_NT));
	CHECK(s.cr0 & X86_CR0_TS);
	CHECK(dr7 == (0x400 | 0xaa));
	CHECK(s.ldt.unusable && s.cs.selector == SEL_CODE && !s.ss.unusable);

	/* And back: IRET to the link. */
	r.rax = 0x77;
	CHECK(sw(SEL_A, X86_TASK_IRET, &f) == 0 && f.vector == -1);
	CHECK(desc_type(SEL_A) == 11 && desc_type(SEL_B) == 9);
	CHECK(!(get32(TSS_B + 0x24) & X86_EFLAGS_NT));
	CHECK(get32(TSS_B + 0x28) == 0x77);
	CHECK(s.tr.selector == SEL_A && r.rip == 0x1234 && r.rax == 0xa0);
	/* The NT the old task saved comes back: its own caller's. */
	CHECK(r.rflags & X86_EFLAGS_NT);
}

static void test_jmp(void)
{
	struct x86_fault f;

	setup();
	CHECK(sw(SEL_B, X86_TASK_JMP, &f) == 0 && f.vector == -1);
	CHECK(desc_type(SEL_A) == 9 && desc_type(SEL_B) == 11);
	CHECK(get16(TSS_B) == 0);
	CHECK(!(r.rflags & X86_EFLAGS_NT));
	CHECK(s.tr.selector == SEL_B);
}

/* Faults found before the switch: registers and memory as they were. */
static void refused(u16 sel, enum x86_task_source src, int vector, u32 error)
{
	static unsigned char before[MEM];
	struct microv_sregs s0 = s;
	struct microv_regs r0 = r;
	struct x86_fault f;

	memcpy(before, mem, MEM);
	CHECK(sw(sel, src, &f) == 0);
	CHECK(f.vector == vector && f.has_error && f.error == error);
	CHECK(!memcmp(&s, &s0, sizeof(s)) && !memcmp(&r, &r0, sizeof(r)));
	CHECK(!memcmp(before, mem, MEM));
	if (f.vector != vector)
		printf("# %#x: vector %d, want %d\n", sel, f.vector, vector);
}

static void test_refused(void)
{
	setup();
	refused(SEL_A, X86_TASK_JMP, X86_TRAP_GP, SEL_A);	/* busy */
	refused(SEL_B | 4, X86_TASK_CALL, X86_TRAP_GP, SEL_B | 4);
	refused(0x60, X86_TASK_CALL, X86_TRAP_GP, 0x60);	/* past GDT */
	refused(SEL_DATA, X86_TASK_GATE, X86_TRAP_GP, SEL_DATA);
	refused(SEL_LDT, X86_TASK_CALL, X86_TRAP_GP, SEL_LDT);
	refused(SEL_B, X86_TASK_IRET, X86_TRAP_TS, SEL_B);	/* not busy */
	refused(SEL_SMALL, X86_TASK_JMP, X86_TRAP_TS, SEL_SMALL);
	put_desc(SEL_B, desc(TSS_B, 0x67, 0x09, 0));
	refused(SEL_B | 3, X86_TASK_JMP, X86_TRAP_NP, SEL_B);
	setup();
	s.tr.limit = 0x50;	/* the old TSS cannot hold the state */
	refused(SEL_B, X86_TASK_JMP, X86_TRAP_TS, SEL_A);
}

/* Faults loading the new task's segments: taken in the new task. */
static void in_new_task(u16 cs, u16 ds, u16 ss, int vector, u32 error)
{
	struct microv_segment old_cs;
	struct x86_fault f;

	setup();
	old_cs = s.cs;
	tss32_image(TSS_B, cs, ds, ss);
	CHECK(sw(SEL_B, X86_TASK_JMP, &f) == 0);
	CHECK(f.vector == vector);
	if (vector >= 0)
		CHECK(f.has_error && f.error == (error & 0xfffc));
	CHECK(s.tr.selector == SEL_B && r.rip == 0x5000);
	CHECK(desc_type(SEL_B) == 11);
	if (vector == X86_TRAP_TS && error == cs)
		CHECK(!memcmp(&s.cs, &old_cs, sizeof(old_cs)));
}

static void test_new_task_faults(void)
{
	struct x86_fault f;

	in_new_task(0, SEL_DATA, SEL_DATA, X86_TRAP_TS, 0);
	in_new_task(SEL_DATA, SEL_DATA, SEL_DATA, X86_TRAP_TS, SEL_DATA);
	in_new_task(SEL_CODE3, SEL_DATA, SEL_DATA, X86_TRAP_TS, SEL_DATA);
	in_new_task(SEL_CODE, SEL_DATA, SEL_DATA3, X86_TRAP_TS, SEL_DATA3);
	in_new_task(SEL_CODE, SEL_DATA, SEL_ABSENT, X86_TRAP_SS, SEL_ABSENT);
	in_new_task(SEL_CODE, SEL_CODE_RO, SEL_DATA, X86_TRAP_TS, SEL_CODE_RO);
	in_new_task(SEL_CODE, SEL_ABSENT, SEL_DATA, X86_TRAP_NP, SEL_ABSENT);
	CHECK(s.ds.unusable && s.ds.selector == SEL_ABSENT);

	/* Ring 3: CS and SS RPL 3, DS a ring-3 segment; accessed set. */
	in_new_task(SEL_CODE3, SEL_DATA3, SEL_DATA3, -1, 0);
	setup();
	tss32_image(TSS_B, SEL_CODE3, SEL_DATA3, SEL_DATA3);
	CHECK(sw(SEL_B, X86_TASK_JMP, &f) == 0 && f.vector == -1);
	CHECK(s.cs.dpl == 3 && s.ss.dpl == 3 && s.cs.type == 11);
	CHECK(desc_type(SEL_CODE3) == 11 && desc_type(SEL_DATA3) == 3);
	/* A null data selector is unusable, no fault. */
	setup();
	tss32_image(TSS_B, SEL_CODE, 0, SEL_DATA);
	CHECK(sw(SEL_B, X86_TASK_CALL, &f) == 0 && f.vector == -1);
	CHECK(s.ds.unusable && s.fs.unusable && !s.ss.unusable);
}

static void test_gate_error_code(void)
{
	struct x86_task_switch ts = {
		.selector = SEL_B, .source = X86_TASK_GATE, .has_error = true,
		.error = 0xabcd, .return_ip = 0x2222, .mem = mem_access,
	};
	struct x86_fault f;

	setup();
	CHECK(x86_task_switch(&ts, &s, &r, &dbg, &dr7, &f) == 0);
	CHECK(f.vector == -1);
	CHECK(r.rsp == STACK_B - 4 && get32(STACK_B - 4) == 0xabcd);
	CHECK(get16(TSS_B) == SEL_A && (r.rflags & X86_EFLAGS_NT));
	CHECK(get32(TSS_A + 0x20) == 0x2222);
}

static void test_tss16(void)
{
	struct x86_fault f;

	setup();
	memset(mem + TSS_C, 0, 0x2c);
	put16(TSS_C + 0x0e, 0x6000);		/* IP */
	put16(TSS_C + 0x10, 0x0246);		/* FLAGS */
	put16(TSS_C + 0x12, 0xc0c0);		/* AX */
	put16(TSS_C + 0x1a, 0x7000);		/* SP */
	put16(TSS_C + 0x22, SEL_DATA);		/* ES */
	put16(TSS_C + 0x24, SEL_CODE);		/* CS */
	put16(TSS_C + 0x26, SEL_DATA);		/* SS */
	put16(TSS_C + 0x28, SEL_DATA);		/* DS */
	s.fs = flat(SEL_DATA3, 3, 3);	/* untouched by a 16-bit TSS */
	s.cr0 |= X86_CR0_PG;
	s.cr3 = 0x9000;
	CHECK(sw(SEL_C, X86_TASK_CALL, &f) == 0 && f.vector == -1);
	CHECK(r.rip == 0x6000 && r.rax == 0xc0c0 && r.rsp == 0x7000);
	CHECK(r.rflags == (0x0246 | X86_EFLAGS_NT));
	CHECK(s.fs.selector == SEL_DATA3 && s.fs.dpl == 3 && s.cr3 == 0x9000);
	CHECK(s.tr.type == 3 && desc_type(SEL_C) == 3);
	CHECK(get16(TSS_C) == SEL_A);

	/* Back to the 32-bit task, and into the 16-bit one's fields. */
	r.rax = 0x12345678;
	CHECK(sw(SEL_A, X86_TASK_IRET, &f) == 0 && f.vector == -1);
	CHECK(get16(TSS_C + 0x12) == 0x5678 && get16(TSS_C + 0x0e) == 0x1234);
	CHECK(desc_type(SEL_C) == 1 && r.rax == 0xa0);
}

static void test_cr3_ldt_v86_trap(void)
{
	struct x86_fault f;

	/* Paging: CR3 from the TSS, and the new one translates after. */
	setup();
	s.cr0 |= X86_CR0_PG;
	s.cr3 = 0x9000;
	put32(TSS_B + 0x1c, 0xa000);
	put16(TSS_B + 0x60, SEL_LDT);
	put16(TSS_B + 0x54, 0x0c | 4 | 0);	/* DS: the LDT's second entry */
	memcpy(mem + LDT + 8, &(u64){ desc(0x100000, 0xff, 0x93, 0) }, 8);
	CHECK(sw(SEL_B, X86_TASK_JMP, &f) == 0 && f.vector == -1);
	CHECK(s.cr3 == 0xa000 && last_cr3 == 0xa000);
	CHECK(!s.ldt.unusable && s.ldt.base == LDT && s.ldt.type == 2);
	CHECK(s.ds.base == 0x100000 && s.ds.limit == 0xff && s.ds.type == 3);

	/* An LDT selector that is not an LDT. */
	setup();
	put16(TSS_B + 0x60, SEL_DATA);
	CHECK(sw(SEL_B, X86_TASK_JMP, &f) == 0);
	CHECK(f.vector == X86_TRAP_TS && f.error == SEL_DATA);

	/* Virtual-8086: segments are selector * 16. */
	setup();
	put32(TSS_B + 0x24, X86_EFLAGS_VM | X86_EFLAGS_IF);
	put16(TSS_B + 0x4c, 0x1234);
	put16(TSS_B + 0x50, 0x2000);
	CHECK(sw(SEL_B, X86_TASK_JMP, &f) == 0 && f.vector == -1);
	CHECK(s.cs.base == 0x12340 && s.cs.limit == 0xffff && s.cs.dpl == 3);
	CHECK(s.ss.base == 0x20000 && s.cs.type == 3 && s.cs.s);
	CHECK(r.rflags & X86_EFLAGS_VM);

	/* The T flag: #DB once in the new task, DR6.BT. */
	setup();
	mem[TSS_B + 0x64] = 1;
	CHECK(sw(SEL_B, X86_TASK_JMP, &f) == 0);
	CHECK(f.vector == X86_TRAP_DB && !f.has_error);
	CHECK(dbg.dr6 & X86_DR6_BT);
}

static void test_memory_gone(void)
{
	struct x86_fault f;
	int n, total;

	/* Each access in turn fails: -EFAULT, never a crash or a fault. */
	setup();
	CHECK(sw(SEL_B, X86_TASK_CALL, &f) == 0);
	total = accesses;
	CHECK(total > 6);
	for (n = 1; n <= total; n++) {
		setup();
		fail_at = n;
		CHECK(sw(SEL_B, X86_TASK_CALL, &f) == -EFAULT);
	}
	/* A TSS past the end of memory. */
	setup();
	put_desc(SEL_B, desc(MEM - 0x10, 0x67, 0x89, 0));
	CHECK(sw(SEL_B, X86_TASK_JMP, &f) == -EFAULT);
}

/*
 * One page the guest's page tables refuse, absent or read-only: for the
 * TSSs and the new TSS's descriptor the #PF is taken in the old task with
 * nothing changed (SDM 8.3, step 4), registers or memory; for the new
 * task's LDT and stack, in the new task.  Either way with its address.
 */
static void page_fault(u64 page, bool writes, u32 error, u64 address,
		       bool new_task)
{
	static unsigned char before[MEM];
	struct x86_task_switch ts = {
		.selector = SEL_B, .source = X86_TASK_GATE, .has_error = true,
		.error = 0xabcd, .return_ip = 0x1234, .mem = mem_access,
	};
	struct microv_sregs s0;
	struct microv_regs r0;
	struct x86_fault f;

	setup();
	/* DS in the new task's LDT, on a page of its own. */
	put16(TSS_B + 0x60, SEL_LDT);
	put16(TSS_B + 0x54, 0x0c);
	memcpy(mem + LDT + 8, &(u64){ desc(0, 0xfffff, 0x93, 0xc) }, 8);
	memcpy(before, mem, MEM);
	s0 = s;
	r0 = r;
	pf_page = page;
	pf_writes = writes;
	CHECK(x86_task_switch(&ts, &s, &r, &dbg, &dr7, &f) == 0);
	CHECK(f.vector == X86_TRAP_PF && f.has_error && f.error == error &&
	      f.address == address);
	if (new_task) {
		CHECK(s.tr.selector == SEL_B && r.rip == 0x5000);
		CHECK(get16(TSS_B) == SEL_A && desc_type(SEL_B) == 11);
	} else {
		CHECK(!memcmp(before, mem, MEM));
		CHECK(!memcmp(&s0, &s, sizeof(s)) && !memcmp(&r0, &r, sizeof(r)));
	}
}

static void test_page_faults(void)
{
	page_fault(GDT >> 12, false, 0, GDT + SEL_B, false);
	page_fault(GDT >> 12, true, 3, GDT + SEL_B + 5, false);
	page_fault(TSS_B >> 12, false, 0, TSS_B, false);
	page_fault(TSS_A >> 12, true, 3, TSS_B, false);	/* its back link */
	page_fault(LDT >> 12, false, 0, LDT + 8, true);
	page_fault((STACK_B - 4) >> 12, false, 2, STACK_B - 4, true);
}

/* SDM Table 6-5: which second exception makes a #DF, or a triple fault. */
static void test_fault_during(void)
{
	struct x86_fault f = { X86_TRAP_TS, true, 0x18, 0 };

	CHECK(x86_fault_during(X86_TRAP_GP, &f) == 0);
	CHECK(f.vector == X86_TRAP_DF && f.has_error && f.error == 0);
	f = (struct x86_fault){ X86_TRAP_NP, true, 0x20, 0 };
	CHECK(x86_fault_during(X86_TRAP_DB, &f) == 0);	/* benign first */
	CHECK(f.vector == X86_TRAP_NP && f.error == 0x20);
	f = (struct x86_fault){ X86_TRAP_PF, true, 2, 0 };
	CHECK(x86_fault_during(X86_TRAP_GP, &f) == 0);	/* #PF after #GP */
	CHECK(f.vector == X86_TRAP_PF);
	CHECK(x86_fault_during(X86_TRAP_PF, &f) == 0);
	CHECK(f.vector == X86_TRAP_DF);
	f = (struct x86_fault){ X86_TRAP_SS, true, 0, 0 };
	CHECK(x86_fault_during(X86_TRAP_DF, &f) == -1);
	f = (struct x86_fault){ X86_TRAP_DB, false, 0, 0 };
	CHECK(x86_fault_during(X86_TRAP_DF, &f) == 0 && f.vector == X86_TRAP_DB);
}

int main(void)
{
	printf("TAP version 13\n1..10\n");
	tap_run("call_and_iret", test_call_and_iret);
	tap_run("jmp", test_jmp);
	tap_run("refused", test_refused);
	tap_run("new_task_faults", test_new_task_faults);
	tap_run("gate_error_code", test_gate_error_code);
	tap_run("tss16", test_tss16);
	tap_run("cr3_ldt_v86_trap", test_cr3_ldt_v86_trap);
	tap_run("memory_gone", test_memory_gone);
	tap_run("page_faults", test_page_faults);
	tap_run("fault_during", test_fault_during);
	return tap_status();
}
