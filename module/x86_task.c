// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware task switches (Intel SDM Vol. 3, 8.3 "Task Switching"), which
 * a CPU in VMX non-root operation never carries out itself: a far CALL or
 * JMP to a TSS or a task gate, an IRET with EFLAGS.NT set, an interrupt or
 * exception through a task gate in the IDT.  32-bit and 16-bit TSSs,
 * protected mode with or without paging, virtual-8086 tasks.
 *
 * The CPU checked the gate and the new TSS descriptor before it exited
 * (SDM 26.4.2); they are read and checked again here, as guest memory is
 * the guest's to change.  A fault found before the old task's state is
 * saved leaves it untouched; one found while the new task's segments load
 * is taken in the new task, as on the CPU.  Vendor-neutral: guest memory
 * through a callback, by linear address.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <uapi/linux/microv.h>

#include "x86.h"

/* System-segment types (SDM Vol. 3, Table 3-2); bit 1 is "busy". */
#define DESC_TSS16		1
#define DESC_LDT		2
#define DESC_TSS32		9
#define DESC_TSS_BUSY		2

/* Code and data segment type bits (SDM Vol. 3, Table 3-1). */
#define SEG_ACCESSED		1
#define SEG_WRITABLE		2	/* data; "readable" for code */
#define SEG_CONFORMING		4	/* code; expand-down for data */
#define SEG_CODE		8

/* Where a TSS keeps the state a switch saves and loads (Figures 8-2, 8-11). */
struct tss_layout {
	unsigned int size;	/* the smallest limit + 1 */
	unsigned int width;	/* bytes per field: 4, or 2 (16-bit) */
	unsigned int state;	/* EIP, EFLAGS, EAX ... EDI, selectors */
	int nr_segs;		/* ES, CS, SS, DS, FS, GS: 6, or 4 */
};

static const struct tss_layout tss32 = { 0x68, 4, 0x20, 6 };
static const struct tss_layout tss16 = { 0x2c, 2, 0x0e, 4 };

#define TSS32_CR3		0x1c
#define TSS32_T			0x64	/* bit 0: #DB on entering the task */
#define TSS_MAX			0x68

/* Offsets of the state fields. */
#define TSS_EIP(l)		((l)->state)
#define TSS_EFLAGS(l)		((l)->state + (l)->width)
#define TSS_GPR(l, n)		((l)->state + (l)->width * (2 + (n)))
#define TSS_SEG(l, n)		((l)->state + (l)->width * (10 + (n)))
#define TSS_LDT(l)		TSS_SEG(l, (l)->nr_segs)

/* The EFLAGS bits a task can hold: bit 1 always, no reserved ones. */
#define EFLAGS_TASK	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
			 X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_OF | \
			 X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_RF | \
			 X86_EFLAGS_VM | X86_EFLAGS_AC | X86_EFLAGS_VIF | \
			 X86_EFLAGS_VIP | X86_EFLAGS_ID)

/* DR7's local enables, L0-L3 and LE, which a task switch clears. */
#define DR7_LOCAL		0x155ULL

/* The general registers in the order of their x86 numbers. */
static const size_t gpr_offset[8] = {
	offsetof(struct microv_regs, rax), offsetof(struct microv_regs, rcx),
	offsetof(struct microv_regs, rdx), offsetof(struct microv_regs, rbx),
	offsetof(struct microv_regs, rsp), offsetof(struct microv_regs, rbp),
	offsetof(struct microv_regs, rsi), offsetof(struct microv_regs, rdi),
};

/* The segment registers in the TSS's order. */
static const size_t seg_offset[6] = {
	offsetof(struct microv_sregs, es), offsetof(struct microv_sregs, cs),
	offsetof(struct microv_sregs, ss), offsetof(struct microv_sregs, ds),
	offsetof(struct microv_sregs, fs), offsetof(struct microv_sregs, gs),
};

#define GPR(r, n)	((u64 *)((void *)(r) + gpr_offset[n]))
#define SEG(s, n)	((struct microv_segment *)((void *)(s) + seg_offset[n]))

enum { TSS_ES, TSS_CS, TSS_SS, TSS_DS, TSS_FS, TSS_GS };

struct task {
	const struct x86_task_switch *ts;
	struct x86_paging paging;
	struct microv_sregs *s;
	struct x86_fault *f;
};

/*
 * Guest memory by linear address.  Return: 0; 1 with a #PF noted (the
 * guest's page tables refuse the access); -EFAULT (no RAM there).
 */
static int task_mem(struct task *t, u64 linear, void *buf, size_t len,
		    bool write)
{
	struct x86_fault pf;
	int ret;

	ret = t->ts->mem(t->ts->ctx, &t->paging, (u32)linear, buf, len,
			 write, &pf);
	if (ret && pf.vector == X86_TRAP_PF) {
		*t->f = pf;
		return 1;
	}
	return ret;
}

/* Whether @len bytes at @linear can be written: by writing them back. */
static int task_mem_probe(struct task *t, u64 linear, size_t len)
{
	u8 buf[TSS_MAX];
	int ret = task_mem(t, linear, buf, len, false);

	return ret ? ret : task_mem(t, linear, buf, len, true);
}

/* Notes an exception for the guest; 1, for the callers to return. */
static int task_fault(struct task *t, int vector, u32 error)
{
	t->f->vector = vector;
	t->f->has_error = vector != X86_TRAP_DB;
	t->f->error = error;
	return 1;
}

static u32 tss_get(const u8 *img, unsigned int off, unsigned int width)
{
	u32 v = 0;

	memcpy(&v, img + off, width);
	return v;
}

static void tss_put(u8 *img, unsigned int off, unsigned int width, u32 v)
{
	memcpy(img + off, &v, width);
}

static void desc_decode(u64 d, u16 sel, struct microv_segment *seg)
{
	u32 limit = (d & 0xffff) | ((d >> 32) & 0xf0000);

	memset(seg, 0, sizeof(*seg));
	seg->selector = sel;
	seg->base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
	seg->type = (d >> 40) & 15;
	seg->s = (d >> 44) & 1;
	seg->dpl = (d >> 45) & 3;
	seg->present = (d >> 47) & 1;
	seg->avl = (d >> 52) & 1;
	/* L is for IA-32e mode, where there are no task switches. */
	seg->db = (d >> 54) & 1;
	seg->g = (d >> 55) & 1;
	seg->limit = seg->g ? (limit << 12) | 0xfff : limit;
}

/*
 * The descriptor @sel names, from the GDT, or the LDT for TI = 1, and its
 * linear address.  Return: 0; -ERANGE outside the table; 1 (a #PF
 * noted); -EFAULT.
 */
static int desc_read(struct task *t, u16 sel, u64 *desc, u64 *at)
{
	const struct microv_sregs *s = t->s;
	u64 base = s->gdt.base, limit = s->gdt.limit;

	if (sel & 4) {
		if (s->ldt.unusable)
			return -ERANGE;
		base = s->ldt.base;
		limit = s->ldt.limit;
	}
	if ((sel | 7) > limit)
		return -ERANGE;
	*at = base + (sel & ~7);
	return task_mem(t, *at, desc, sizeof(*desc), false);
}

/* Rewrites the type field (and S, DPL, P) of the descriptor at @at. */
static int desc_set_type(struct task *t, u64 at, u64 desc, u8 type)
{
	u8 b = ((desc >> 40) & 0xf0) | type;

	return task_mem(t, at + 5, &b, 1, true);
}

/*
 * The new TSS's descriptor: in the GDT, a TSS, busy for an IRET and
 * available for anything else, present, and large enough.
 */
static int tss_check(struct task *t, struct microv_segment *tss, u64 *desc,
		     u64 *at, const struct tss_layout **l)
{
	u16 sel = t->ts->selector;
	bool iret = t->ts->source == X86_TASK_IRET;
	int vector = iret ? X86_TRAP_TS : X86_TRAP_GP, ret;

	if (sel & 4)
		return task_fault(t, vector, sel & 0xfffc);
	ret = desc_read(t, sel, desc, at);
	if (ret == -ERANGE)
		return task_fault(t, vector, sel & 0xfffc);
	if (ret)
		return ret;
	desc_decode(*desc, sel, tss);
	if (tss->s || ((tss->type & ~DESC_TSS_BUSY) != DESC_TSS16 &&
		       (tss->type & ~DESC_TSS_BUSY) != DESC_TSS32) ||
	    iret != !!(tss->type & DESC_TSS_BUSY))
		return task_fault(t, vector, sel & 0xfffc);
	if (!tss->present)
		return task_fault(t, X86_TRAP_NP, sel & 0xfffc);
	*l = (tss->type & 8) ? &tss32 : &tss16;
	if (tss->limit < (*l)->size - 1)
		return task_fault(t, X86_TRAP_TS, sel & 0xfffc);
	return 0;
}

/*
 * The old TSS large enough for the state it keeps, then what the switch
 * reads and writes before it commits (SDM 8.3, step 4): the new TSS, its
 * back link and busy bit, the old TSS.  A #PF here is taken in the old
 * task, with nothing changed.
 */
static int task_probe(struct task *t, const struct microv_segment *tss,
		      const struct tss_layout *l, u64 at)
{
	const struct microv_segment *tr = &t->s->tr;
	const struct tss_layout *old = (tr->type & 8) ? &tss32 : &tss16;
	unsigned int from = TSS_EIP(old), to = TSS_SEG(old, old->nr_segs);
	enum x86_task_source src = t->ts->source;
	u8 img[TSS_MAX];
	int ret;

	if (tr->limit < to - 1)
		return task_fault(t, X86_TRAP_TS, tr->selector & 0xfffc);
	ret = task_mem(t, tss->base, img, l->size, false);
	if (!ret && (src == X86_TASK_CALL || src == X86_TASK_GATE))
		ret = task_mem_probe(t, tss->base, 2);
	if (!ret && src != X86_TASK_IRET)
		ret = task_mem_probe(t, at + 5, 1);
	if (!ret)
		ret = task_mem_probe(t, tr->base + from, to - from);
	return ret;
}

/*
 * The current task's state into its TSS (not CR3, LDTR or the stacks of
 * the inner rings, which a task never saves), its descriptor no longer
 * busy unless the new task nests in it.
 */
static int task_save(struct task *t, struct microv_regs *r)
{
	const struct microv_segment *tr = &t->s->tr;
	const struct tss_layout *l = (tr->type & 8) ? &tss32 : &tss16;
	const struct x86_task_switch *ts = t->ts;
	unsigned int from = TSS_EIP(l), to = TSS_SEG(l, l->nr_segs);
	u32 eflags = r->rflags;
	u8 img[TSS_MAX];
	u64 desc = 0, at = 0;
	int i, ret;

	if (ts->source == X86_TASK_JMP || ts->source == X86_TASK_IRET) {
		ret = desc_read(t, tr->selector, &desc, &at);
		if (ret == -ERANGE)
			ret = task_fault(t, X86_TRAP_TS, tr->selector & 0xfffc);
		if (ret)
			return ret;
		ret = desc_set_type(t, at, desc, tr->type & ~DESC_TSS_BUSY);
		if (ret)
			return ret;
	}
	if (ts->source == X86_TASK_IRET)
		eflags &= ~X86_EFLAGS_NT;
	/* Read first: the upper halves of the selector fields are kept. */
	ret = task_mem(t, tr->base + from, img + from, to - from, false);
	if (ret)
		return ret;
	tss_put(img, TSS_EIP(l), l->width, ts->return_ip);
	tss_put(img, TSS_EFLAGS(l), l->width, eflags);
	for (i = 0; i < 8; i++)
		tss_put(img, TSS_GPR(l, i), l->width, *GPR(r, i));
	for (i = 0; i < l->nr_segs; i++)
		tss_put(img, TSS_SEG(l, i), 2, SEG(t->s, i)->selector);
	return task_mem(t, tr->base + from, img + from, to - from, true);
}

/* A virtual-8086 task's segment: base selector * 16, 64 KiB, DPL 3. */
static void seg_v86(struct microv_segment *seg, u16 sel)
{
	memset(seg, 0, sizeof(*seg));
	seg->selector = sel;
	seg->base = (u32)sel << 4;
	seg->limit = 0xffff;
	seg->type = SEG_WRITABLE | SEG_ACCESSED;
	seg->s = 1;
	seg->dpl = 3;
	seg->present = 1;
}

/*
 * LDTR from the new TSS: null, or an LDT descriptor in the GDT, present.
 * Return: 0, 1 (a fault noted), -EFAULT.
 */
static int ldt_load(struct task *t, u16 sel)
{
	struct microv_segment *ldt = &t->s->ldt;
	u64 desc = 0, at;
	int ret = 0;

	memset(ldt, 0, sizeof(*ldt));
	ldt->selector = sel;
	ldt->unusable = 1;
	ldt->type = DESC_LDT;
	if (!(sel & 0xfffc))
		return 0;
	if (!(sel & 4))
		ret = desc_read(t, sel, &desc, &at);
	if (ret == -EFAULT || ret > 0)
		return ret;
	if (!ret && ((desc >> 40) & 0x9f) == (0x80 | DESC_LDT)) {
		desc_decode(desc, sel, ldt);	/* present, S = 0, an LDT */
		return 0;
	}
	/* Unusable: VM entry takes it, and the #TS is taken in the task. */
	return task_fault(t, X86_TRAP_TS, sel & 0xfffc);
}

/*
 * One segment register of the new task at privilege @cpl, checked as the
 * SDM's Table 8-1 says (#TS, or #NP / #SS when not present), its
 * descriptor marked accessed.  A data segment register that faults is
 * left unusable; CS and SS, see segs_load().
 * Return: 0, 1 (a fault noted), -EFAULT.
 */
static int seg_load(struct task *t, int which, u16 sel, int cpl)
{
	struct microv_segment *seg = SEG(t->s, which);
	struct microv_segment n;
	int rpl = sel & 3, ret;
	bool code, ok;
	u64 desc = 0, at = 0;

	if (!(sel & 0xfffc)) {
		if (which == TSS_CS || which == TSS_SS)
			return task_fault(t, X86_TRAP_TS, 0);
		memset(seg, 0, sizeof(*seg));
		seg->selector = sel;
		seg->unusable = 1;
		return 0;
	}
	ret = desc_read(t, sel, &desc, &at);
	if (ret == -EFAULT)
		return ret;
	desc_decode(desc, sel, &n);
	code = n.type & SEG_CODE;
	switch (which) {
	case TSS_CS:
		ok = code && ((n.type & SEG_CONFORMING) ? n.dpl <= rpl :
			      n.dpl == rpl);
		break;
	case TSS_SS:
		ok = !code && (n.type & SEG_WRITABLE) && rpl == cpl &&
		     n.dpl == cpl;
		break;
	default:
		/* Readable; a data or non-conforming code segment in reach. */
		ok = (!code || (n.type & SEG_WRITABLE)) &&
		     ((code && (n.type & SEG_CONFORMING)) ||
		      (n.dpl >= cpl && n.dpl >= rpl));
		break;
	}
	if (ret || !n.s || !ok || !n.present) {
		if (which != TSS_CS && which != TSS_SS) {
			memset(seg, 0, sizeof(*seg));
			seg->selector = sel;
			seg->unusable = 1;
		}
		if (ret > 0)
			return ret;		/* a #PF, noted */
		if (ret || !n.s || !ok)
			return task_fault(t, X86_TRAP_TS, sel & 0xfffc);
		return task_fault(t, which == TSS_SS ? X86_TRAP_SS :
				  X86_TRAP_NP, sel & 0xfffc);
	}
	if (!(n.type & SEG_ACCESSED)) {
		n.type |= SEG_ACCESSED;
		ret = desc_set_type(t, at, desc, n.type);
		if (ret)
			return ret;
	}
	*seg = n;
	return 0;
}

/*
 * The new task's segment registers from the selectors in @img: a
 * virtual-8086 task's at once (they cannot fault); else LDTR first (the
 * others may be in its table), then CS, whose RPL is the new CPL.  If
 * LDTR, CS or SS faults before CS and SS are both loaded, both stay as
 * the old task had them, selectors too: a pair VM entry takes, for the
 * exception's delivery to replace.
 */
static int segs_load(struct task *t, const u8 *img,
		     const struct tss_layout *l, bool v86)
{
	static const int order[] = { TSS_CS, TSS_SS, TSS_DS, TSS_ES,
				     TSS_FS, TSS_GS };
	struct microv_segment cs = t->s->cs, ss = t->s->ss;
	u16 cs_sel = tss_get(img, TSS_SEG(l, TSS_CS), 2);
	int i, ret;

	/* Every selector is the new task's, whatever faults below. */
	for (i = 0; i < l->nr_segs; i++) {
		if (v86)
			seg_v86(SEG(t->s, i), tss_get(img, TSS_SEG(l, i), 2));
		else
			SEG(t->s, i)->selector = tss_get(img, TSS_SEG(l, i), 2);
	}
	ret = ldt_load(t, tss_get(img, TSS_LDT(l), 2));
	for (i = 0; !ret && !v86 && i < 6; i++) {
		if (order[i] < l->nr_segs)	/* a 16-bit TSS has no FS, GS */
			ret = seg_load(t, order[i],
				       tss_get(img, TSS_SEG(l, order[i]), 2),
				       cs_sel & 3);
	}
	if (ret > 0 && !v86 && i <= 2) {
		t->s->cs = cs;
		t->s->ss = ss;
	}
	return ret;
}

/* An exception's error code onto the new task's stack (SS.B: ESP or SP). */
static int push_error(struct task *t, struct microv_regs *r,
		      const struct tss_layout *l)
{
	const struct microv_segment *ss = &t->s->ss;
	u64 mask = ss->db ? 0xffffffff : 0xffff;
	u32 error = t->ts->error;

	r->rsp = (r->rsp & ~mask) | ((r->rsp - l->width) & mask);
	return task_mem(t, ss->base + (r->rsp & mask), &error, l->width, true);
}

/* #DE, #TS, #NP, #SS, #GP: the contributory exceptions (SDM Table 6-4). */
static bool contributory(int vector)
{
	return vector == X86_TRAP_DE || (vector >= X86_TRAP_TS &&
					 vector <= X86_TRAP_GP);
}

/**
 * x86_fault_during() - an exception raised while delivering another
 * @first: the exception being delivered (a hardware one)
 * @f:     the new one; becomes #DF(0) where SDM Table 6-5 says so
 *
 * Return: 0, or -1 for a triple fault (a fault delivering #DF).
 */
int x86_fault_during(int first, struct x86_fault *f)
{
	bool second = contributory(f->vector) || f->vector == X86_TRAP_PF;

	if (first == X86_TRAP_DF && second)
		return -1;
	if ((contributory(first) && contributory(f->vector)) ||
	    (first == X86_TRAP_PF && second)) {
		f->vector = X86_TRAP_DF;
		f->has_error = true;
		f->error = 0;
	}
	return 0;
}

/**
 * x86_task_switch() - carry out a hardware task switch
 * @ts:    what began it, and guest memory
 * @s:     the vCPU's special registers: the old task's, then the new one's
 * @r:     its general registers (RIP unused: @ts->return_ip is saved)
 * @debug: DR6 gets BT for a new task with its T flag set
 * @dr7:   its DR7: the local breakpoint enables are cleared
 * @f:     out: an exception to deliver after it, or vector -1
 *
 * With paging on, CR3 comes from a 32-bit TSS: with PAE the caller loads
 * the PDPTEs for the new value.  A fault before the old task's state is
 * saved (a #PF on a TSS or the new TSS's descriptor included) leaves the
 * registers and memory as they were; one on a segment's descriptor or
 * the new stack is taken in the new task.
 *
 * Return: 0, or -EFAULT if guest memory the switch needs has no RAM.
 */
int x86_task_switch(const struct x86_task_switch *ts, struct microv_sregs *s,
		    struct microv_regs *r, struct x86_debugregs *debug,
		    u64 *dr7, struct x86_fault *f)
{
	struct task t = { .ts = ts, .s = s, .f = f };
	bool nest = ts->source == X86_TASK_CALL || ts->source == X86_TASK_GATE;
	const struct tss_layout *l;
	struct microv_segment tss;
	u8 img[TSS_MAX];
	u64 desc = 0, at = 0;
	u32 eflags;
	int i, ret;

	f->vector = -1;
	t.paging.cr0 = s->cr0;
	t.paging.cr3 = s->cr3;
	t.paging.cr4 = s->cr4;
	t.paging.efer = s->efer;
	t.paging.mode = 32;

	ret = tss_check(&t, &tss, &desc, &at, &l);
	if (!ret)
		ret = task_probe(&t, &tss, l, at);
	if (!ret)
		ret = task_save(&t, r);
	if (!ret)
		ret = task_mem(&t, tss.base, img, l->size, false);
	if (!ret && nest) {
		tss_put(img, 0, 2, s->tr.selector);
		ret = task_mem(&t, tss.base, img, 2, true);
	}
	if (!ret && ts->source != X86_TASK_IRET)
		ret = desc_set_type(&t, at, desc, tss.type | DESC_TSS_BUSY);
	if (ret)
		return ret < 0 ? ret : 0;

	/* The switch commits: what faults now faults in the new task. */
	tss.type |= DESC_TSS_BUSY;
	s->tr = tss;
	s->cr0 |= X86_CR0_TS;
	*dr7 &= ~(u64)DR7_LOCAL;

	eflags = tss_get(img, TSS_EFLAGS(l), l->width);
	eflags = (eflags & EFLAGS_TASK) | X86_EFLAGS_FIXED;
	if (nest)
		eflags |= X86_EFLAGS_NT;
	r->rflags = eflags;
	r->rip = tss_get(img, TSS_EIP(l), l->width);
	for (i = 0; i < 8; i++)
		*GPR(r, i) = tss_get(img, TSS_GPR(l, i), l->width);
	if (l == &tss32 && (s->cr0 & X86_CR0_PG))
		t.paging.cr3 = s->cr3 = tss_get(img, TSS32_CR3, 4);

	ret = segs_load(&t, img, l, eflags & X86_EFLAGS_VM);
	if (!ret && ts->has_error)
		ret = push_error(&t, r, l);
	if (ret)
		return ret < 0 ? ret : 0;
	if (l == &tss32 && (img[TSS32_T] & 1)) {
		debug->dr6 |= X86_DR6_BT;
		task_fault(&t, X86_TRAP_DB, 0);
	}
	return 0;
}
