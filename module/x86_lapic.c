// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC of a vCPU (Intel SDM Vol. 3, 11): a Xen HVM/PVH guest
 * has one, and Linux only starts its per-CPU clock event (Xen's
 * single-shot timer) once it found one.  Both modes: x2APIC, through
 * RDMSR/WRMSR (the state at reset, as firmware may leave it), and xAPIC,
 * through the MMIO page at 0xfee00000 (x86_lapic_mmio_*(), reached from
 * the MMIO emulator), with every IA32_APIC_BASE transition the SDM allows
 * (11.12.5).  Self-IPIs (SELF_IPI, or ICR to itself) go through IRR and
 * ISR with the APIC's priority rules, EOI retires them.  The timer counts
 * in one-shot, periodic and TSC-deadline mode against a 1 GHz bus clock,
 * as Xen's does; the caller keeps a host timer at x86_lapic_timer_next()
 * and calls x86_lapic_timer_expired() when it goes off.  ESR latches send
 * and receive errors and raises the error LVT.  Not emulated: IPIs to
 * other vCPUs, INIT/SIPI, NMI by ICR, LINT0/1 inputs (nothing drives them:
 * no PIC, no NMI button), relocating the APIC base.
 *
 * Pure: time comes in as a struct x86_time, so that userspace tests can
 * drive it.
 */
#include <linux/errno.h>
#include <linux/nospec.h>
#include <linux/string.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>

#include "x86.h"

#define LAPIC_ENABLED	(X2APIC_ENABLE | MSR_IA32_APICBASE_ENABLE)
#define LAPIC_VERSION	0x50014	/* version 0x14, 6 LVT entries */
#define LVT_TIMER	0
#define LVT_LINT0	3
#define LVT_LINT1	4
#define LVT_ERROR	5
#define LVT_TIMER_MODE	(3 << 17)
#define ESR_ERRORS	(APIC_ESR_SENDILL | APIC_ESR_RECVILL | APIC_ESR_ILLREGA)

/* Writable bits of LVT timer, thermal, performance, LINT0, LINT1, error. */
static const u32 lvt_writable[X86_LAPIC_NR_LVT] = {
	0x700ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff, 0x100ff,
};

/* A periodic timer fires at most this often, whatever its count says. */
#define LAPIC_MIN_PERIOD_NS	100000ULL
/* Ticks of a TSC deadline armed at once; a later one is armed again. */
#define LAPIC_MAX_TSC_DELTA	(1ULL << 40)

static void x86_lapic_reset_regs(struct x86_lapic *l)
{
	int i;

	l->tpr = 0;
	l->svr = 0xff;		/* reset value: spurious vector 0xff, disabled */
	for (i = 0; i < X86_LAPIC_NR_LVT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->lvt_cmci = APIC_LVT_MASKED;
	l->ldr = 0;
	l->dfr = APIC_DFR_FLAT;
	l->icr = 0;
	l->esr = l->esr_pending = 0;
	l->timer_icr = l->timer_dcr = 0;
	l->timer_armed = false;
	l->tsc_deadline = 0;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	l->timer_dirty = true;
}

/**
 * x86_lapic_init() - the APIC at reset, then put in x2APIC mode
 * @l:  the APIC
 * @id: its APIC id, the vCPU's id (vCPU 0 is the bootstrap processor)
 */
void x86_lapic_init(struct x86_lapic *l, u32 id)
{
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->apic_base = APIC_DEFAULT_PHYS_BASE | LAPIC_ENABLED;
	if (id == 0)
		l->apic_base |= MSR_IA32_APICBASE_BSP;
	x86_lapic_reset_regs(l);
}

enum x86_lapic_mode x86_lapic_mode(const struct x86_lapic *l)
{
	switch (l->apic_base & LAPIC_ENABLED) {
	case LAPIC_ENABLED:
		return X86_LAPIC_X2APIC;
	case MSR_IA32_APICBASE_ENABLE:
		return X86_LAPIC_XAPIC;
	default:
		return X86_LAPIC_DISABLED;
	}
}

/**
 * x86_lapic_xapic_page() - is @gpa the APIC's MMIO page, decoded now?
 * @l:   the vCPU's APIC
 * @gpa: a guest-physical address
 */
bool x86_lapic_xapic_page(const struct x86_lapic *l, u64 gpa)
{
	return x86_lapic_mode(l) == X86_LAPIC_XAPIC &&
	       (gpa & ~0xfffULL) == APIC_DEFAULT_PHYS_BASE;
}

/* The highest vector set in a 256-bit register (IRR, ISR), or -1. */
static int x86_lapic_highest(const u64 *bits)
{
	int i;

	for (i = 3; i >= 0; i--)
		if (bits[i])
			return i * 64 + 63 - __builtin_clzll(bits[i]);
	return -1;
}

static void x86_lapic_set(u64 *bits, u8 vector)
{
	bits[vector / 64] |= 1ULL << (vector % 64);
}

static void x86_lapic_clear(u64 *bits, u8 vector)
{
	bits[vector / 64] &= ~(1ULL << (vector % 64));
}

/* Register @n (0-7) of the eight 32-bit registers IRR or ISR reads as. */
static u32 x86_lapic_word(const u64 *bits, u32 n)
{
	return bits[n / 2] >> (n % 2 * 32);
}

/* Priority class of what is in service, the floor for new interrupts. */
static u32 x86_lapic_ppr(const struct x86_lapic *l)
{
	int isr = x86_lapic_highest(l->isr);
	u32 isrv = isr < 0 ? 0 : isr & 0xf0;

	return (l->tpr & 0xf0) >= isrv ? l->tpr & 0xff : isrv;
}

static bool x86_lapic_sw_enabled(const struct x86_lapic *l)
{
	return l->svr & APIC_SPIV_APIC_ENABLED;
}

/* An error the APIC saw: latched at the next ESR write; the error LVT. */
static void x86_lapic_error(struct x86_lapic *l, u32 bits);

/* A fixed interrupt for this APIC: vectors 0-15 are illegal. */
static void x86_lapic_set_irr(struct x86_lapic *l, u8 vector)
{
	if (!x86_lapic_sw_enabled(l))
		return;
	if (vector < 16) {
		x86_lapic_error(l, APIC_ESR_RECVILL);
		return;
	}
	x86_lapic_set(l->irr, vector);
}

static void x86_lapic_error(struct x86_lapic *l, u32 bits)
{
	u32 lvt = l->lvt[LVT_ERROR];

	l->esr_pending |= bits;
	/* An illegal error vector would loop: it is only latched. */
	if (!(lvt & APIC_LVT_MASKED) && (lvt & APIC_VECTOR_MASK) >= 16)
		x86_lapic_set_irr(l, lvt & APIC_VECTOR_MASK);
}

/* An LVT entry delivers its vector, unless masked. */
static void x86_lapic_lvt_fire(struct x86_lapic *l, int lvt)
{
	if (!(l->lvt[lvt] & APIC_LVT_MASKED))
		x86_lapic_set_irr(l, l->lvt[lvt] & APIC_VECTOR_MASK);
}

/* Is this APIC the destination @dest (x2APIC: 32 bits; xAPIC: 8)? */
static bool x86_lapic_match(const struct x86_lapic *l, u32 dest, bool logical)
{
	bool x2 = x86_lapic_mode(l) == X86_LAPIC_X2APIC;
	u32 ldr = l->ldr >> 24;

	if (dest == (x2 ? 0xffffffffU : 0xffU))
		return true;			/* broadcast */
	if (!logical)
		return dest == l->id;
	if (x2)		/* cluster id in 31:16, one bit per APIC in 15:0 */
		return (dest >> 16) == (l->id >> 4) &&
		       (dest & (1U << (l->id & 0xf)));
	if ((l->dfr >> 28) == 0xf)		/* flat model */
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);	/* cluster */
}

/* ICR: fixed interrupts that reach this vCPU itself are delivered. */
static void x86_lapic_send(struct x86_lapic *l, u64 icr)
{
	u32 shorthand = icr & APIC_DEST_ALLBUT;	/* bits 19:18 */
	u32 dest = x86_lapic_mode(l) == X86_LAPIC_X2APIC ? icr >> 32 :
		   icr >> 56;
	u32 mode = icr & APIC_MODE_MASK;
	u8 vector = icr & APIC_VECTOR_MASK;

	if (mode != APIC_DM_FIXED && mode != APIC_DM_LOWEST)
		return;
	if (vector < 16) {
		x86_lapic_error(l, APIC_ESR_SENDILL);
		return;
	}
	if (shorthand == APIC_DEST_SELF || shorthand == APIC_DEST_ALLINC ||
	    (!shorthand && x86_lapic_match(l, dest, icr & APIC_DEST_LOGICAL)))
		x86_lapic_set_irr(l, vector);
}

/* The timer's divide configuration as a shift: 2, 4 ... 128, then 1. */
static unsigned int x86_lapic_timer_shift(const struct x86_lapic *l)
{
	u32 v = (l->timer_dcr & 3) | ((l->timer_dcr >> 1) & 4);

	return (v + 1) & 7;
}

static u32 x86_lapic_timer_mode(const struct x86_lapic *l)
{
	return l->lvt[LVT_TIMER] & LVT_TIMER_MODE;
}

/* One count of the timer, in ns; a periodic one no shorter than 100 us. */
static u64 x86_lapic_timer_period(const struct x86_lapic *l)
{
	u64 ns = (u64)l->timer_icr << x86_lapic_timer_shift(l);

	if (x86_lapic_timer_mode(l) == APIC_LVT_TIMER_PERIODIC &&
	    ns < LAPIC_MIN_PERIOD_NS)
		ns = LAPIC_MIN_PERIOD_NS;
	return ns;
}

/* TMCCT: what is left of the count, 0 once a one-shot count ran out. */
static u32 x86_lapic_tmcct(const struct x86_lapic *l, const struct x86_time *now)
{
	u64 period, elapsed, left;

	if (!l->timer_armed || x86_lapic_timer_mode(l) ==
	    APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	period = x86_lapic_timer_period(l);
	elapsed = now->ns - l->timer_start;
	if (elapsed >= period) {
		if (x86_lapic_timer_mode(l) != APIC_LVT_TIMER_PERIODIC)
			return 0;
		elapsed %= period;
	}
	left = (period - elapsed) >> x86_lapic_timer_shift(l);
	return left > l->timer_icr ? l->timer_icr : left;
}

static void x86_lapic_lvt_write(struct x86_lapic *l, int i, u32 val)
{
	u32 old_mode = x86_lapic_timer_mode(l);

	val &= lvt_writable[i];
	if (!x86_lapic_sw_enabled(l))
		val |= APIC_LVT_MASKED;
	if (i == LVT_TIMER && (val & LVT_TIMER_MODE) == LVT_TIMER_MODE)
		val &= ~LVT_TIMER_MODE;		/* reserved mode: one-shot */
	l->lvt[i] = val;
	if (i != LVT_TIMER)
		return;
	/* Into or out of TSC-deadline mode: the timer is disarmed. */
	if ((old_mode == APIC_LVT_TIMER_TSCDEADLINE) !=
	    (x86_lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE)) {
		l->timer_armed = false;
		l->timer_icr = 0;
		l->tsc_deadline = 0;
	}
	l->timer_dirty = true;
}

/*
 * A 32-bit register by its xAPIC offset, in either mode.
 * Return: 0, or -EINVAL: reserved or write-only in this mode.
 */
static int x86_lapic_reg_read(struct x86_lapic *l, u32 reg,
			      const struct x86_time *now, u32 *val)
{
	bool x2 = x86_lapic_mode(l) == X86_LAPIC_X2APIC;

	if (reg >= APIC_ISR && reg < APIC_ISR + 0x80) {
		*val = x86_lapic_word(l->isr, (reg - APIC_ISR) >> 4);
		return 0;
	}
	if (reg >= APIC_TMR && reg < APIC_TMR + 0x80) {
		*val = 0;		/* all edge-triggered */
		return 0;
	}
	if (reg >= APIC_IRR && reg < APIC_IRR + 0x80) {
		*val = x86_lapic_word(l->irr, (reg - APIC_IRR) >> 4);
		return 0;
	}
	if (reg >= APIC_LVTT && reg <= APIC_LVTERR) {
		*val = l->lvt[array_index_nospec((reg - APIC_LVTT) >> 4,
						 X86_LAPIC_NR_LVT)];
		return 0;
	}
	switch (reg) {
	case APIC_ID:
		*val = x2 ? l->id : l->id << 24;
		return 0;
	case APIC_LVR:
		*val = LAPIC_VERSION;
		return 0;
	case APIC_TASKPRI:
		*val = l->tpr;
		return 0;
	case APIC_PROCPRI:
		*val = x86_lapic_ppr(l);
		return 0;
	case APIC_LDR:	/* x2APIC: cluster, and a bit in the cluster */
		*val = x2 ? ((l->id >> 4) << 16) | 1U << (l->id & 0xf) : l->ldr;
		return 0;
	case APIC_DFR:
		*val = l->dfr;
		return x2 ? -EINVAL : 0;
	case APIC_SPIV:
		*val = l->svr;
		return 0;
	case APIC_ESR:
		*val = l->esr;
		return 0;
	case APIC_LVTCMCI:
		*val = l->lvt_cmci;
		return 0;
	case APIC_ICR:		/* the delivery status is always idle */
		*val = l->icr;
		return 0;
	case APIC_ICR2:
		*val = l->icr >> 32;
		return x2 ? -EINVAL : 0;
	case APIC_TMICT:
		*val = l->timer_icr;
		return 0;
	case APIC_TMCCT:
		*val = x86_lapic_tmcct(l, now);
		return 0;
	case APIC_TDCR:
		*val = l->timer_dcr;
		return 0;
	default:		/* EOI, SELF_IPI (write-only), reserved */
		*val = 0;
		return -EINVAL;
	}
}

static int x86_lapic_reg_write(struct x86_lapic *l, u32 reg, u32 val,
			       const struct x86_time *now)
{
	bool x2 = x86_lapic_mode(l) == X86_LAPIC_X2APIC;
	int i, isr;

	if (reg >= APIC_LVTT && reg <= APIC_LVTERR) {
		x86_lapic_lvt_write(l, (reg - APIC_LVTT) >> 4, val);
		return 0;
	}
	switch (reg) {
	case APIC_ID:		/* read-only here, as in x2APIC mode */
		return x2 ? -EINVAL : 0;
	case APIC_TASKPRI:
		if (x2 && (val & ~0xffU))
			return -EINVAL;
		l->tpr = val & 0xff;
		return 0;
	case APIC_EOI:
		if (x2 && val)
			return -EINVAL;
		isr = x86_lapic_highest(l->isr);
		if (isr >= 0)
			x86_lapic_clear(l->isr, isr);
		return 0;
	case APIC_LDR:
		if (x2)
			return -EINVAL;
		l->ldr = val & 0xff000000;
		return 0;
	case APIC_DFR:
		if (x2)
			return -EINVAL;
		l->dfr = val | 0x0fffffff;
		return 0;
	case APIC_SPIV:
		l->svr = val & 0x13ff;	/* vector, enable, focus, EOI bcast */
		if (!x86_lapic_sw_enabled(l)) {
			for (i = 0; i < X86_LAPIC_NR_LVT; i++)
				l->lvt[i] |= APIC_LVT_MASKED;
			l->lvt_cmci |= APIC_LVT_MASKED;
			l->timer_dirty = true;
		}
		return 0;
	case APIC_ESR:		/* latches the errors seen since the last */
		if (x2 && val)
			return -EINVAL;
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return 0;
	case APIC_LVTCMCI:
		l->lvt_cmci = (val & 0x107ff) |
			      (x86_lapic_sw_enabled(l) ? 0 : APIC_LVT_MASKED);
		return 0;
	case APIC_ICR:		/* xAPIC: the low half, which sends */
		l->icr = (l->icr & ~0xffffffffULL) | (val & ~APIC_ICR_BUSY);
		x86_lapic_send(l, l->icr);
		return 0;
	case APIC_ICR2:
		if (x2)
			return -EINVAL;
		l->icr = (u64)(val & 0xff000000) << 32 | (u32)l->icr;
		return 0;
	case APIC_TMICT:	/* ignored in TSC-deadline mode */
		if (x86_lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE)
			return 0;
		l->timer_icr = val;
		l->timer_armed = val != 0;
		l->timer_start = now->ns;
		l->timer_dirty = true;
		return 0;
	case APIC_TDCR:
		l->timer_dcr = val & 0xb;
		l->timer_dirty = true;
		return 0;
	case APIC_SELF_IPI:
		if (!x2 || (val & ~0xffU))
			return -EINVAL;
		x86_lapic_send(l, APIC_DEST_SELF | val);
		return 0;
	default:		/* read-only or reserved */
		return -EINVAL;
	}
}

/*
 * SDM 11.12.5: disabled -> xAPIC -> x2APIC, and back to disabled from
 * either; x2APIC to xAPIC, disabled to x2APIC and EXTD without EN are
 * #GP.  A base other than 0xfee00000 is refused too.
 */
static int x86_lapic_apic_base(struct x86_lapic *l, u64 val)
{
	u64 fixed = APIC_DEFAULT_PHYS_BASE |
		    (l->apic_base & MSR_IA32_APICBASE_BSP);
	enum x86_lapic_mode from = x86_lapic_mode(l), to;

	if ((val & ~LAPIC_ENABLED) != fixed ||
	    (val & LAPIC_ENABLED) == X2APIC_ENABLE)
		return -EINVAL;
	to = (val & X2APIC_ENABLE) ? X86_LAPIC_X2APIC :
	     (val & MSR_IA32_APICBASE_ENABLE) ? X86_LAPIC_XAPIC :
	     X86_LAPIC_DISABLED;
	if ((from == X86_LAPIC_X2APIC && to == X86_LAPIC_XAPIC) ||
	    (from == X86_LAPIC_DISABLED && to == X86_LAPIC_X2APIC))
		return -EINVAL;
	l->apic_base = val;
	/* Disabled: the APIC's state is as at power-up (SDM 11.4.3). */
	if (to == X86_LAPIC_DISABLED)
		x86_lapic_reset_regs(l);
	l->timer_dirty = true;
	return 0;
}

/**
 * x86_lapic_msr_read() - RDMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE or an
 * x2APIC register
 * @l:   the vCPU's APIC
 * @msr: ECX
 * @now: the time
 * @val: the value
 *
 * Return: 0, -EINVAL for a #GP (not in x2APIC mode, a write-only or
 * reserved register), or -ENOENT if @msr is not the APIC's.
 */
int x86_lapic_msr_read(struct x86_lapic *l, u32 msr,
		       const struct x86_time *now, u64 *val)
{
	u32 reg = (msr - APIC_BASE_MSR) << 4, v;

	if (msr == MSR_IA32_APICBASE) {
		*val = l->apic_base;
		return 0;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		*val = x86_lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE ?
		       l->tsc_deadline : 0;
		return 0;
	}
	if (msr < APIC_BASE_MSR || msr > APIC_BASE_MSR + 0xff)
		return -ENOENT;
	if (x86_lapic_mode(l) != X86_LAPIC_X2APIC)
		return -EINVAL;
	if (reg == APIC_ICR) {
		*val = l->icr;
		return 0;
	}
	if (x86_lapic_reg_read(l, reg, now, &v))
		return -EINVAL;
	*val = v;
	return 0;
}

/**
 * x86_lapic_msr_write() - WRMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE or an
 * x2APIC register
 * @l:   the vCPU's APIC
 * @msr: ECX
 * @val: EDX:EAX
 * @now: the time
 *
 * Return: 0, -EINVAL for a #GP (as x2APIC mode faults: read-only or
 * reserved register, reserved bits; a mode change the SDM forbids), or
 * -ENOENT.
 */
int x86_lapic_msr_write(struct x86_lapic *l, u32 msr, u64 val,
			const struct x86_time *now)
{
	u32 reg = (msr - APIC_BASE_MSR) << 4;

	if (msr == MSR_IA32_APICBASE)
		return x86_lapic_apic_base(l, val);
	if (msr == MSR_IA32_TSC_DEADLINE) {
		/* Ignored in the other timer modes; 0 disarms. */
		if (x86_lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE) {
			l->tsc_deadline = val;
			l->timer_dirty = true;
		}
		return 0;
	}
	if (msr < APIC_BASE_MSR || msr > APIC_BASE_MSR + 0xff)
		return -ENOENT;
	if (x86_lapic_mode(l) != X86_LAPIC_X2APIC)
		return -EINVAL;
	if (reg == APIC_ICR) {	/* one 64-bit register in x2APIC mode */
		l->icr = val & ~(u64)APIC_ICR_BUSY;
		x86_lapic_send(l, l->icr);
		return 0;
	}
	if (val >> 32)
		return -EINVAL;
	return x86_lapic_reg_write(l, reg, val, now);
}

/**
 * x86_lapic_mmio_read() - a read of the xAPIC page
 * @l:      the vCPU's APIC, in xAPIC mode
 * @offset: in the page
 * @size:   1, 2, 4 or 8 bytes
 * @now:    the time
 *
 * Registers sit at 16-byte boundaries, 32 bits each; a narrower read
 * takes part of one.  Reserved and write-only registers, and what lies
 * between registers, read 0.
 *
 * Return: the value.
 */
u64 x86_lapic_mmio_read(struct x86_lapic *l, u32 offset, unsigned int size,
			const struct x86_time *now)
{
	u32 val, in = offset & 0xf;

	if (in + size > 4)
		return 0;
	x86_lapic_reg_read(l, offset & 0xff0, now, &val);
	return (val >> (8 * in)) & (size == 4 ? ~0U : (1U << (8 * size)) - 1);
}

/**
 * x86_lapic_mmio_write() - a write to the xAPIC page
 * @l:      the vCPU's APIC, in xAPIC mode
 * @offset: in the page
 * @size:   1, 2, 4 or 8 bytes
 * @val:    the value
 * @now:    the time
 *
 * Only 32-bit writes at a register's offset take effect; a write to a
 * read-only or reserved register is dropped and noted in ESR (illegal
 * register address), as an APIC does.
 */
void x86_lapic_mmio_write(struct x86_lapic *l, u32 offset, unsigned int size,
			  u32 val, const struct x86_time *now)
{
	if (size != 4 || (offset & 0xf))
		return;
	if (x86_lapic_reg_write(l, offset, val, now))
		x86_lapic_error(l, APIC_ESR_ILLREGA);
}

/**
 * x86_lapic_timer_next() - when the timer goes off next
 * @l:   the vCPU's APIC
 * @now: the time
 * @at:  that moment, on @now's ns clock
 *
 * Return: false if it will not (disarmed, masked, APIC disabled).
 */
bool x86_lapic_timer_next(const struct x86_lapic *l, const struct x86_time *now,
			  u64 *at)
{
	u64 ticks;

	if (x86_lapic_mode(l) == X86_LAPIC_DISABLED ||
	    (l->lvt[LVT_TIMER] & APIC_LVT_MASKED))
		return false;
	if (x86_lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE) {
		if (!l->tsc_deadline)
			return false;
		ticks = l->tsc_deadline > now->tsc ?
			l->tsc_deadline - now->tsc : 0;
		if (ticks > LAPIC_MAX_TSC_DELTA)
			ticks = LAPIC_MAX_TSC_DELTA;
		*at = now->ns + ticks * 1000000 / (now->tsc_khz ?: 1000000);
		return true;
	}
	if (!l->timer_armed)
		return false;
	*at = l->timer_start + x86_lapic_timer_period(l);
	return true;
}

/**
 * x86_lapic_timer_expired() - the host timer set at x86_lapic_timer_next()
 * went off
 * @l:   the vCPU's APIC
 * @now: the time
 *
 * The timer's interrupt goes into IRR if its moment has come (the host
 * timer may be early, or stale): a one-shot count or a TSC deadline ends;
 * a periodic count starts its next period (missed ones are not made up).
 */
void x86_lapic_timer_expired(struct x86_lapic *l, const struct x86_time *now)
{
	u64 period;

	l->timer_dirty = true;
	if (x86_lapic_mode(l) == X86_LAPIC_DISABLED)
		return;
	if (x86_lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE) {
		if (!l->tsc_deadline || now->tsc < l->tsc_deadline)
			return;
		l->tsc_deadline = 0;
		x86_lapic_lvt_fire(l, LVT_TIMER);
		return;
	}
	period = x86_lapic_timer_period(l);
	if (!l->timer_armed || now->ns - l->timer_start < period)
		return;
	if (x86_lapic_timer_mode(l) == APIC_LVT_TIMER_PERIODIC)
		l->timer_start += (now->ns - l->timer_start) / period * period;
	else
		l->timer_armed = false;
	x86_lapic_lvt_fire(l, LVT_TIMER);
}

/**
 * x86_lapic_pending() - the interrupt the APIC would present now
 * @l: the vCPU's APIC
 *
 * Return: the highest vector in IRR whose priority class is above PPR's,
 * or -1.
 */
int x86_lapic_pending(const struct x86_lapic *l)
{
	int irr = x86_lapic_highest(l->irr);

	if (irr < 0 || (irr & 0xf0) <= (x86_lapic_ppr(l) & 0xf0))
		return -1;
	return irr;
}

/* The CPU took @vector (from x86_lapic_pending()): it is in service. */
void x86_lapic_accept(struct x86_lapic *l, u8 vector)
{
	x86_lapic_clear(l->irr, vector);
	x86_lapic_set(l->isr, vector);
}

/*
 * CR8 is TPR[7:4] (Intel SDM Vol. 3, 11.8.6): the guest's, kept in its
 * APIC, never the host CPU's.  MOV to CR8 with bits 63:4 set is #GP.
 */
u64 x86_lapic_cr8_read(const struct x86_lapic *l)
{
	return (l->tpr >> 4) & 0xf;
}

int x86_lapic_cr8_write(struct x86_lapic *l, u64 val)
{
	if (val & ~0xfULL)
		return -EINVAL;
	l->tpr = val << 4;
	return 0;
}
