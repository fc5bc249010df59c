// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC of a vCPU, in x2APIC mode only (Intel SDM Vol. 3,
 * 11.12): a Xen PVH guest has a local APIC, and Linux only starts its
 * per-CPU clock event (Xen's single-shot timer) once it found one.  What
 * such a guest does with it is kept: its registers read back, self-IPIs
 * (SELF_IPI, or ICR to itself) are delivered through IRR and ISR with the
 * APIC's priority rules, EOI retires them.  Not emulated: the APIC timer
 * (it never counts), LINT0/1, IPIs to other vCPUs, INIT/SIPI, NMI by ICR.
 *
 * The APIC starts enabled in x2APIC mode (as firmware may leave it), so
 * there is no xAPIC page to emulate; leaving x2APIC mode for xAPIC mode
 * is refused with #GP, as the SDM allows only through a disabled APIC.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>

#include "x86.h"

#define LAPIC_ENABLED	(X2APIC_ENABLE | MSR_IA32_APICBASE_ENABLE)
#define LAPIC_VERSION	0x50014	/* version 0x14, 6 LVT entries */

/**
 * x86_lapic_init() - the APIC at reset, then put in x2APIC mode
 * @l:  the APIC
 * @id: its x2APIC id, the vCPU's id (vCPU 0 is the bootstrap processor)
 */
void x86_lapic_init(struct x86_lapic *l, u32 id)
{
	int i;

	memset(l, 0, sizeof(*l));
	l->id = id;
	l->apic_base = APIC_DEFAULT_PHYS_BASE | LAPIC_ENABLED;
	if (id == 0)
		l->apic_base |= MSR_IA32_APICBASE_BSP;
	l->svr = 0xff;		/* reset value: spurious vector 0xff, disabled */
	for (i = 0; i < X86_LAPIC_NR_LVT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->lvt_cmci = APIC_LVT_MASKED;
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

static bool x86_lapic_x2apic(const struct x86_lapic *l)
{
	return (l->apic_base & LAPIC_ENABLED) == LAPIC_ENABLED;
}

/* A fixed interrupt for this APIC: vectors 0-15 are illegal, dropped. */
static void x86_lapic_set_irr(struct x86_lapic *l, u8 vector)
{
	if (vector >= 16 && (l->svr & APIC_SPIV_APIC_ENABLED))
		x86_lapic_set(l->irr, vector);
}

/* ICR: only fixed interrupts that reach this vCPU itself are delivered. */
static void x86_lapic_icr(struct x86_lapic *l, u64 icr)
{
	u32 shorthand = icr & APIC_DEST_ALLBUT;	/* bits 19:18 */

	if ((icr & APIC_MODE_MASK) != APIC_DM_FIXED)
		return;
	if (shorthand == APIC_DEST_SELF || shorthand == APIC_DEST_ALLINC ||
	    (!shorthand && (icr >> 32) == l->id))
		x86_lapic_set_irr(l, icr & APIC_VECTOR_MASK);
}

static int x86_lapic_apic_base(struct x86_lapic *l, u64 val)
{
	u64 fixed = APIC_DEFAULT_PHYS_BASE |
		    (l->apic_base & MSR_IA32_APICBASE_BSP);

	if ((val & ~LAPIC_ENABLED) != fixed)
		return -EINVAL;
	/* x2APIC to disabled and back; never xAPIC mode. */
	if ((val & LAPIC_ENABLED) != LAPIC_ENABLED && (val & LAPIC_ENABLED))
		return -EINVAL;
	l->apic_base = val;
	return 0;
}

/**
 * x86_lapic_msr_read() - RDMSR of IA32_APIC_BASE or an x2APIC register
 * @l:   the vCPU's APIC
 * @msr: ECX
 * @val: the value
 *
 * Return: 0, -EINVAL for a #GP (APIC disabled, write-only or reserved
 * register), or -ENOENT if @msr is not the APIC's.
 */
int x86_lapic_msr_read(struct x86_lapic *l, u32 msr, u64 *val)
{
	u32 reg = (msr - APIC_BASE_MSR) << 4;

	if (msr == MSR_IA32_APICBASE) {
		*val = l->apic_base;
		return 0;
	}
	if (msr < APIC_BASE_MSR || msr > APIC_BASE_MSR + 0xff)
		return -ENOENT;
	if (!x86_lapic_x2apic(l))
		return -EINVAL;
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
		*val = l->lvt[(reg - APIC_LVTT) >> 4];
		return 0;
	}
	switch (reg) {
	case APIC_ID:
		*val = l->id;
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
	case APIC_LDR:	/* x2APIC logical id: cluster, bit in the cluster */
		*val = ((l->id >> 4) << 16) | 1U << (l->id & 0xf);
		return 0;
	case APIC_SPIV:
		*val = l->svr;
		return 0;
	case APIC_ESR:
	case APIC_TMCCT:	/* the timer does not count */
		*val = 0;
		return 0;
	case APIC_LVTCMCI:
		*val = l->lvt_cmci;
		return 0;
	case APIC_ICR:
		*val = l->icr;
		return 0;
	case APIC_TMICT:
		*val = l->timer_icr;
		return 0;
	case APIC_TDCR:
		*val = l->timer_dcr;
		return 0;
	default:		/* EOI, SELF_IPI (write-only), reserved */
		return -EINVAL;
	}
}

/**
 * x86_lapic_msr_write() - WRMSR of IA32_APIC_BASE or an x2APIC register
 * @l:   the vCPU's APIC
 * @msr: ECX
 * @val: EDX:EAX
 *
 * Return: 0, -EINVAL for a #GP (as x2APIC mode faults: read-only or
 * reserved register, reserved bits, a switch to xAPIC mode), or -ENOENT.
 */
int x86_lapic_msr_write(struct x86_lapic *l, u32 msr, u64 val)
{
	u32 reg = (msr - APIC_BASE_MSR) << 4;
	int isr;

	if (msr == MSR_IA32_APICBASE)
		return x86_lapic_apic_base(l, val);
	if (msr < APIC_BASE_MSR || msr > APIC_BASE_MSR + 0xff)
		return -ENOENT;
	if (!x86_lapic_x2apic(l))
		return -EINVAL;
	/* Only ICR is 64 bits wide. */
	if (reg != APIC_ICR && val >> 32)
		return -EINVAL;
	if (reg >= APIC_LVTT && reg <= APIC_LVTERR) {
		l->lvt[(reg - APIC_LVTT) >> 4] = val;
		return 0;
	}
	switch (reg) {
	case APIC_TASKPRI:
		if (val & ~0xffULL)
			return -EINVAL;
		l->tpr = val;
		return 0;
	case APIC_EOI:
		if (val)
			return -EINVAL;
		isr = x86_lapic_highest(l->isr);
		if (isr >= 0)
			x86_lapic_clear(l->isr, isr);
		return 0;
	case APIC_SPIV:
		l->svr = val;
		return 0;
	case APIC_ESR:
		return val ? -EINVAL : 0;
	case APIC_LVTCMCI:
		l->lvt_cmci = val;
		return 0;
	case APIC_ICR:
		l->icr = val;
		x86_lapic_icr(l, val);
		return 0;
	case APIC_TMICT:
		l->timer_icr = val;
		return 0;
	case APIC_TDCR:
		l->timer_dcr = val;
		return 0;
	case APIC_SELF_IPI:
		if (val & ~0xffULL)
			return -EINVAL;
		x86_lapic_set_irr(l, val);
		return 0;
	default:		/* read-only or reserved */
		return -EINVAL;
	}
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
