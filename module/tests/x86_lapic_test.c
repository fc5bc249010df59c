// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/x86_lapic.c in userspace: the x2APIC registers as
 * a guest reads and writes them through RDMSR/WRMSR, and the xAPIC ones
 * through its MMIO page; every IA32_APIC_BASE transition; self-IPIs
 * through IRR, ISR and EOI with the APIC's priority rules; the timer in
 * one-shot, periodic and TSC-deadline mode on a clock the test turns;
 * ESR; and every #GP.  TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <asm/apicdef.h>
#include <asm/msr-index.h>

#include "../x86.h"
#include "tap.h"

#define MSR(reg)	(APIC_BASE_MSR + ((reg) >> 4))
#define X2APIC_ON	(APIC_DEFAULT_PHYS_BASE | X2APIC_ENABLE | \
			 MSR_IA32_APICBASE_ENABLE)
#define XAPIC_ON	(APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE)
#define BSP		MSR_IA32_APICBASE_BSP
#define TSC_DEADLINE	0x6e0

/* The clock the APIC sees: a 1 GHz TSC, both starting at 1 s. */
static struct x86_time now = { 1000000000, 1000000000, 1000000 };

static u64 rd(struct x86_lapic *l, u32 reg)
{
	u64 val = ~0ULL;

	CHECK(x86_lapic_msr_read(l, MSR(reg), &now, &val) == 0);
	return val;
}

static int wr(struct x86_lapic *l, u32 reg, u64 val)
{
	return x86_lapic_msr_write(l, MSR(reg), val, &now);
}

static int base(struct x86_lapic *l, u64 val)
{
	return x86_lapic_msr_write(l, MSR_IA32_APICBASE, val, &now);
}

static u32 mmio_rd(struct x86_lapic *l, u32 reg)
{
	return x86_lapic_mmio_read(l, reg, 4, &now);
}

static void mmio_wr(struct x86_lapic *l, u32 reg, u32 val)
{
	x86_lapic_mmio_write(l, reg, 4, val, &now);
}

/* An APIC as Linux leaves it after setup_local_APIC(): enabled. */
static void enabled(struct x86_lapic *l, u32 id)
{
	x86_lapic_init(l, id);
	CHECK(wr(l, APIC_SPIV, APIC_SPIV_APIC_ENABLED | 0xff) == 0);
}

static void reset_state(void)
{
	struct x86_lapic l;
	u64 val;

	x86_lapic_init(&l, 0);
	CHECK(x86_lapic_msr_read(&l, MSR_IA32_APICBASE, &now, &val) == 0);
	CHECK(val == (X2APIC_ON | MSR_IA32_APICBASE_BSP));
	CHECK(x86_lapic_mode(&l) == X86_LAPIC_X2APIC);
	CHECK(rd(&l, APIC_ID) == 0);
	CHECK(rd(&l, APIC_LVR) == 0x50014);
	CHECK(rd(&l, APIC_SPIV) == 0xff);
	CHECK(rd(&l, APIC_LVTT) & APIC_LVT_MASKED);
	CHECK(rd(&l, APIC_LVTERR) & APIC_LVT_MASKED);
	CHECK(rd(&l, APIC_LVTCMCI) & APIC_LVT_MASKED);
	CHECK(x86_lapic_pending(&l) == -1);

	x86_lapic_init(&l, 17);		/* not the BSP; cluster 1, bit 1 */
	CHECK(x86_lapic_msr_read(&l, MSR_IA32_APICBASE, &now, &val) == 0);
	CHECK(val == X2APIC_ON);
	CHECK(rd(&l, APIC_ID) == 17);
	CHECK(rd(&l, APIC_LDR) == ((1 << 16) | 2));
}

static void registers_read_back(void)
{
	struct x86_lapic l;

	enabled(&l, 0);
	CHECK(wr(&l, APIC_TASKPRI, 0x20) == 0 && rd(&l, APIC_TASKPRI) == 0x20);
	CHECK(wr(&l, APIC_LVTT, 0x200ef) == 0 && rd(&l, APIC_LVTT) == 0x200ef);
	CHECK(wr(&l, APIC_LVTERR, 0xfe) == 0 && rd(&l, APIC_LVTERR) == 0xfe);
	CHECK(wr(&l, APIC_TDCR, 0xb) == 0 && rd(&l, APIC_TDCR) == 0xb);
	CHECK(wr(&l, APIC_TMICT, 12345) == 0 && rd(&l, APIC_TMICT) == 12345);
	CHECK(rd(&l, APIC_TMCCT) == 12345);	/* no time has passed */
	CHECK(wr(&l, APIC_TMICT, 0) == 0);
	CHECK(wr(&l, APIC_ESR, 0) == 0 && rd(&l, APIC_ESR) == 0);
	CHECK(rd(&l, APIC_TMR) == 0);
}

static void self_ipi_irr_isr_eoi(void)
{
	struct x86_lapic l;

	/* Software-disabled: fixed interrupts are not accepted. */
	x86_lapic_init(&l, 0);
	CHECK(wr(&l, APIC_SELF_IPI, 0x40) == 0);
	CHECK(x86_lapic_pending(&l) == -1);

	enabled(&l, 0);
	CHECK(wr(&l, APIC_SELF_IPI, 0x41) == 0);
	CHECK(rd(&l, APIC_IRR + 0x20) == 2);	/* vector 0x41: IRR2 bit 1 */
	CHECK(x86_lapic_pending(&l) == 0x41);
	x86_lapic_accept(&l, 0x41);
	CHECK(rd(&l, APIC_IRR + 0x20) == 0 && rd(&l, APIC_ISR + 0x20) == 2);
	CHECK(x86_lapic_pending(&l) == -1);
	CHECK(wr(&l, APIC_EOI, 0) == 0);
	CHECK(rd(&l, APIC_ISR + 0x20) == 0);
	CHECK(wr(&l, APIC_EOI, 0) == 0);	/* nothing in service: no-op */

	/* Vectors 0-15 are illegal: dropped. */
	CHECK(wr(&l, APIC_SELF_IPI, 15) == 0);
	CHECK(x86_lapic_pending(&l) == -1);
}

static void priority(void)
{
	struct x86_lapic l;

	enabled(&l, 0);
	CHECK(wr(&l, APIC_SELF_IPI, 0x40) == 0);
	CHECK(wr(&l, APIC_SELF_IPI, 0x80) == 0);
	CHECK(x86_lapic_pending(&l) == 0x80);
	x86_lapic_accept(&l, 0x80);
	CHECK(rd(&l, APIC_PROCPRI) == 0x80);
	/* A lower class waits for the EOI of the higher one... */
	CHECK(x86_lapic_pending(&l) == -1);
	CHECK(wr(&l, APIC_SELF_IPI, 0x85) == 0);	/* ...so does its own */
	CHECK(x86_lapic_pending(&l) == -1);
	CHECK(wr(&l, APIC_SELF_IPI, 0x90) == 0);	/* a higher one nests */
	CHECK(x86_lapic_pending(&l) == 0x90);
	x86_lapic_accept(&l, 0x90);
	CHECK(wr(&l, APIC_EOI, 0) == 0);		/* retires 0x90 first */
	CHECK(rd(&l, APIC_ISR + 0x40) == 1);		/* 0x80 still in service */
	CHECK(wr(&l, APIC_EOI, 0) == 0);
	CHECK(x86_lapic_pending(&l) == 0x85);
	x86_lapic_accept(&l, 0x85);
	CHECK(wr(&l, APIC_EOI, 0) == 0);

	/* TPR masks classes up to its own. */
	CHECK(wr(&l, APIC_TASKPRI, 0x40) == 0);
	CHECK(rd(&l, APIC_PROCPRI) == 0x40);
	CHECK(x86_lapic_pending(&l) == -1);
	CHECK(wr(&l, APIC_TASKPRI, 0x30) == 0);
	CHECK(x86_lapic_pending(&l) == 0x40);
}

static void icr(void)
{
	struct x86_lapic l;

	enabled(&l, 3);
	CHECK(wr(&l, APIC_ICR, APIC_DEST_SELF | 0x50) == 0);
	CHECK(rd(&l, APIC_ICR) == (APIC_DEST_SELF | 0x50));
	CHECK(x86_lapic_pending(&l) == 0x50);
	x86_lapic_accept(&l, 0x50);
	CHECK(wr(&l, APIC_EOI, 0) == 0);

	CHECK(wr(&l, APIC_ICR, (3ULL << 32) | 0x51) == 0);	/* to itself */
	CHECK(x86_lapic_pending(&l) == 0x51);
	x86_lapic_accept(&l, 0x51);
	CHECK(wr(&l, APIC_EOI, 0) == 0);

	CHECK(wr(&l, APIC_ICR, APIC_DEST_ALLINC | 0x52) == 0);
	CHECK(x86_lapic_pending(&l) == 0x52);
	x86_lapic_accept(&l, 0x52);
	CHECK(wr(&l, APIC_EOI, 0) == 0);

	/* Not for this vCPU, or not a fixed interrupt: nothing arrives. */
	CHECK(wr(&l, APIC_ICR, (2ULL << 32) | 0x53) == 0);
	CHECK(wr(&l, APIC_ICR, APIC_DEST_ALLBUT | 0x54) == 0);
	CHECK(wr(&l, APIC_ICR, APIC_DEST_SELF | APIC_DM_NMI) == 0);
	CHECK(x86_lapic_pending(&l) == -1);
}

static void general_protection(void)
{
	struct x86_lapic l;
	u64 val;

	enabled(&l, 0);
	/* Write-only, read-only and reserved registers; reserved bits. */
	CHECK(x86_lapic_msr_read(&l, MSR(APIC_EOI), &now, &val) == -EINVAL);
	CHECK(x86_lapic_msr_read(&l, MSR(APIC_SELF_IPI), &now, &val) == -EINVAL);
	CHECK(x86_lapic_msr_read(&l, MSR(0xe0), &now, &val) == -EINVAL); /* DFR */
	CHECK(x86_lapic_msr_read(&l, MSR(0x310), &now, &val) == -EINVAL); /* ICR2 */
	CHECK(wr(&l, APIC_ID, 5) == -EINVAL);
	CHECK(wr(&l, APIC_LVR, 0) == -EINVAL);
	CHECK(wr(&l, APIC_PROCPRI, 0) == -EINVAL);
	CHECK(wr(&l, APIC_LDR, 0) == -EINVAL);
	CHECK(wr(&l, APIC_IRR, 0) == -EINVAL);
	CHECK(wr(&l, APIC_EOI, 1) == -EINVAL);
	CHECK(wr(&l, APIC_ESR, 1) == -EINVAL);
	CHECK(wr(&l, APIC_TASKPRI, 0x100) == -EINVAL);
	CHECK(wr(&l, APIC_SELF_IPI, 0x100) == -EINVAL);
	CHECK(wr(&l, APIC_SPIV, 1ULL << 32) == -EINVAL);
	CHECK(rd(&l, APIC_ID) == 0 && rd(&l, APIC_TASKPRI) == 0);

	/* x2APIC registers #GP outside x2APIC mode. */
	CHECK(base(&l, APIC_DEFAULT_PHYS_BASE | BSP) == 0);
	CHECK(x86_lapic_msr_read(&l, MSR(APIC_ID), &now, &val) == -EINVAL);
	CHECK(wr(&l, APIC_SELF_IPI, 0x40) == -EINVAL);
	CHECK(base(&l, XAPIC_ON | BSP) == 0);
	CHECK(x86_lapic_msr_read(&l, MSR(APIC_ID), &now, &val) == -EINVAL);

	/* Not the APIC's MSRs: the caller decides. */
	CHECK(x86_lapic_msr_read(&l, 0x1a0, &now, &val) == -ENOENT);
	CHECK(x86_lapic_msr_write(&l, 0x7ff, 0, &now) == -ENOENT);
	CHECK(x86_lapic_msr_write(&l, 0x900, 0, &now) == -ENOENT);
}

/* SDM 11.12.5, figure 11-27: every pair of modes, and what it gives. */
static void apic_base_transitions(void)
{
	static const struct {
		u64 from, to;
		int ret;
	} t[] = {
		{ X2APIC_ON, XAPIC_ON, -EINVAL },
		{ X2APIC_ON, APIC_DEFAULT_PHYS_BASE, 0 },
		{ XAPIC_ON, X2APIC_ON, 0 },
		{ XAPIC_ON, APIC_DEFAULT_PHYS_BASE, 0 },
		{ APIC_DEFAULT_PHYS_BASE, XAPIC_ON, 0 },
		{ APIC_DEFAULT_PHYS_BASE, X2APIC_ON, -EINVAL },
		/* EXTD without EN is invalid from anywhere */
		{ APIC_DEFAULT_PHYS_BASE, APIC_DEFAULT_PHYS_BASE | X2APIC_ENABLE,
		  -EINVAL },
		{ X2APIC_ON, APIC_DEFAULT_PHYS_BASE | X2APIC_ENABLE, -EINVAL },
		/* a moved base, reserved bits, the BSP bit changed */
		{ XAPIC_ON, 0xfec00000 | MSR_IA32_APICBASE_ENABLE, -EINVAL },
		{ XAPIC_ON, XAPIC_ON | (1ULL << 63), -EINVAL },
	};
	struct x86_lapic l;
	unsigned int i;
	u64 val;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		x86_lapic_init(&l, 0);
		/* There through legal steps: x2APIC, disabled, xAPIC. */
		if (t[i].from != X2APIC_ON)
			CHECK(base(&l, APIC_DEFAULT_PHYS_BASE | BSP) == 0);
		if (t[i].from == XAPIC_ON)
			CHECK(base(&l, XAPIC_ON | BSP) == 0);
		CHECK(base(&l, t[i].to | BSP) == t[i].ret);
		CHECK(x86_lapic_msr_read(&l, MSR_IA32_APICBASE, &now, &val) == 0);
		if (t[i].ret)
			printf("%s", val == (t[i].from | BSP) ? "" :
			       "# a refused write changed the mode\n");
		CHECK(val == ((t[i].ret ? t[i].from : t[i].to) | BSP));
	}

	/* Disabling resets the APIC; interrupts pending are gone. */
	x86_lapic_init(&l, 0);
	CHECK(wr(&l, APIC_SPIV, APIC_SPIV_APIC_ENABLED | 0xff) == 0);
	CHECK(wr(&l, APIC_TASKPRI, 0x20) == 0);
	CHECK(wr(&l, APIC_SELF_IPI, 0x40) == 0);
	CHECK(x86_lapic_pending(&l) == 0x40);
	CHECK(base(&l, APIC_DEFAULT_PHYS_BASE | BSP) == 0);
	CHECK(x86_lapic_mode(&l) == X86_LAPIC_DISABLED);
	CHECK(x86_lapic_pending(&l) == -1);
	CHECK(!x86_lapic_xapic_page(&l, APIC_DEFAULT_PHYS_BASE));
	CHECK(base(&l, XAPIC_ON | BSP) == 0);
	CHECK(x86_lapic_xapic_page(&l, APIC_DEFAULT_PHYS_BASE + 0x3f0));
	CHECK(!x86_lapic_xapic_page(&l, APIC_DEFAULT_PHYS_BASE + 0x1000));
	CHECK(mmio_rd(&l, APIC_TASKPRI) == 0 && mmio_rd(&l, APIC_SPIV) == 0xff);
	CHECK(base(&l, X2APIC_ON | BSP) == 0);
	CHECK(!x86_lapic_xapic_page(&l, APIC_DEFAULT_PHYS_BASE));
}

static void xapic_mmio(void)
{
	struct x86_lapic l;

	x86_lapic_init(&l, 3);
	CHECK(base(&l, APIC_DEFAULT_PHYS_BASE) == 0);
	CHECK(base(&l, XAPIC_ON) == 0);
	/* ID in bits 31:24; byte and word reads take part of a register. */
	CHECK(mmio_rd(&l, APIC_ID) == 3 << 24);
	CHECK(x86_lapic_mmio_read(&l, APIC_ID + 3, 1, &now) == 3);
	CHECK(x86_lapic_mmio_read(&l, APIC_LVR + 2, 2, &now) == 5);
	CHECK(x86_lapic_mmio_read(&l, APIC_LVR + 4, 4, &now) == 0);
	CHECK(mmio_rd(&l, APIC_LVR) == 0x50014);
	CHECK(mmio_rd(&l, APIC_DFR) == 0xffffffff);
	mmio_wr(&l, APIC_SPIV, APIC_SPIV_APIC_ENABLED | 0xff);
	mmio_wr(&l, APIC_TASKPRI, 0x30);
	CHECK(mmio_rd(&l, APIC_TASKPRI) == 0x30);
	/* ID is read-only here; a narrow or unaligned write does nothing. */
	mmio_wr(&l, APIC_ID, 7 << 24);
	CHECK(mmio_rd(&l, APIC_ID) == 3 << 24);
	x86_lapic_mmio_write(&l, APIC_TASKPRI, 1, 0x50, &now);
	x86_lapic_mmio_write(&l, APIC_TASKPRI + 4, 4, 0x50, &now);
	CHECK(mmio_rd(&l, APIC_TASKPRI) == 0x30);

	/* ICR: destination in ICR2[31:24], sent by the write of the low half. */
	mmio_wr(&l, APIC_ICR2, 3 << 24);
	mmio_wr(&l, APIC_ICR, 0x41);
	CHECK(mmio_rd(&l, APIC_ICR) == 0x41 && mmio_rd(&l, APIC_ICR2) == 3 << 24);
	CHECK(x86_lapic_pending(&l) == 0x41);
	x86_lapic_accept(&l, 0x41);
	CHECK(mmio_rd(&l, APIC_ISR + 0x20) == 2);
	mmio_wr(&l, APIC_EOI, 0);
	CHECK(mmio_rd(&l, APIC_ISR + 0x20) == 0);
	mmio_wr(&l, APIC_ICR2, 2 << 24);		/* another APIC */
	mmio_wr(&l, APIC_ICR, 0x42);
	CHECK(x86_lapic_pending(&l) == -1);
	/* Logical, flat model: LDR bit 2 set here. */
	mmio_wr(&l, APIC_LDR, 0x04 << 24);
	CHECK(mmio_rd(&l, APIC_LDR) == 0x04 << 24);
	mmio_wr(&l, APIC_ICR2, 0x06 << 24);
	mmio_wr(&l, APIC_ICR, APIC_DEST_LOGICAL | 0x43);
	CHECK(x86_lapic_pending(&l) == 0x43);
	x86_lapic_accept(&l, 0x43);
	mmio_wr(&l, APIC_EOI, 0);
	/* Cluster model: cluster 0 bit 2 matches; cluster 1 does not. */
	mmio_wr(&l, APIC_DFR, 0x0fffffff);
	mmio_wr(&l, APIC_ICR2, 0x14 << 24);
	mmio_wr(&l, APIC_ICR, APIC_DEST_LOGICAL | 0x44);
	CHECK(x86_lapic_pending(&l) == -1);
	mmio_wr(&l, APIC_ICR2, 0x04 << 24);
	mmio_wr(&l, APIC_ICR, APIC_DEST_LOGICAL | 0x44);
	CHECK(x86_lapic_pending(&l) == 0x44);
	x86_lapic_accept(&l, 0x44);
	mmio_wr(&l, APIC_EOI, 0);

	/* SELF_IPI is x2APIC-only: here a reserved register, noted in ESR. */
	mmio_wr(&l, APIC_SELF_IPI, 0x45);
	CHECK(x86_lapic_pending(&l) == -1);
	CHECK(mmio_rd(&l, APIC_ESR) == 0);
	mmio_wr(&l, APIC_ESR, 0);
	CHECK(mmio_rd(&l, APIC_ESR) == APIC_ESR_ILLREGA);
	mmio_wr(&l, APIC_ESR, 0);
	CHECK(mmio_rd(&l, APIC_ESR) == 0);
}

static void esr_and_svr(void)
{
	struct x86_lapic l;

	enabled(&l, 0);
	/* An illegal vector sent to itself: send and receive errors. */
	CHECK(wr(&l, APIC_ICR, APIC_DEST_SELF | 5) == 0);
	CHECK(wr(&l, APIC_ESR, 0) == 0);
	CHECK(rd(&l, APIC_ESR) == APIC_ESR_SENDILL);
	/* The error LVT, unmasked, raises its vector. */
	CHECK(wr(&l, APIC_LVTERR, 0xfe) == 0);
	CHECK(wr(&l, APIC_ICR, APIC_DEST_SELF | 3) == 0);
	CHECK(x86_lapic_pending(&l) == 0xfe);
	/* Software-disabled: every LVT masked, and stays so. */
	CHECK(wr(&l, APIC_SPIV, 0xff) == 0);
	CHECK(rd(&l, APIC_LVTERR) == (APIC_LVT_MASKED | 0xfe));
	CHECK(wr(&l, APIC_LVTT, 0x40) == 0);
	CHECK(rd(&l, APIC_LVTT) == (APIC_LVT_MASKED | 0x40));
	/* Reserved LVT bits are not kept; timer mode 3 is reserved. */
	CHECK(wr(&l, APIC_SPIV, APIC_SPIV_APIC_ENABLED | 0xff) == 0);
	CHECK(wr(&l, APIC_LVTT, 0xffffffff) == 0);
	CHECK(rd(&l, APIC_LVTT) == (APIC_LVT_MASKED | 0xff));
}

/* Time passes: @ns on the ns clock and on the 1 GHz TSC. */
static void advance(u64 ns)
{
	now.ns += ns;
	now.tsc += ns;		/* 1 GHz */
}

static void timer_one_shot(void)
{
	struct x86_lapic l;
	u64 at;

	enabled(&l, 0);
	CHECK(wr(&l, APIC_LVTT, 0xec) == 0);
	CHECK(wr(&l, APIC_TDCR, 0xb) == 0);		/* divide by 1 */
	CHECK(!x86_lapic_timer_next(&l, &now, &at));
	CHECK(wr(&l, APIC_TMICT, 1000) == 0);
	CHECK(x86_lapic_timer_next(&l, &now, &at) && at == now.ns + 1000);
	advance(400);
	CHECK(rd(&l, APIC_TMCCT) == 600);
	/* Early: nothing. */
	x86_lapic_timer_expired(&l, &now);
	CHECK(x86_lapic_pending(&l) == -1);
	advance(600);
	x86_lapic_timer_expired(&l, &now);
	CHECK(x86_lapic_pending(&l) == 0xec);
	CHECK(rd(&l, APIC_TMCCT) == 0);
	CHECK(!x86_lapic_timer_next(&l, &now, &at));
	/* Divide by 16: 100 counts are 1600 ns. */
	CHECK(wr(&l, APIC_TDCR, 3) == 0);
	CHECK(wr(&l, APIC_TMICT, 100) == 0);
	CHECK(x86_lapic_timer_next(&l, &now, &at) && at == now.ns + 1600);
	advance(160);
	CHECK(rd(&l, APIC_TMCCT) == 90);
	/* TMICT 0 stops it; masked, it is not armed on the host. */
	CHECK(wr(&l, APIC_TMICT, 0) == 0);
	CHECK(!x86_lapic_timer_next(&l, &now, &at));
	CHECK(wr(&l, APIC_LVTT, APIC_LVT_MASKED | 0xec) == 0);
	CHECK(wr(&l, APIC_TMICT, 100) == 0);
	CHECK(!x86_lapic_timer_next(&l, &now, &at));
	CHECK(rd(&l, APIC_TMCCT) == 100);
}

static void timer_periodic(void)
{
	struct x86_lapic l;
	u64 at, start;

	enabled(&l, 0);
	CHECK(wr(&l, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0xed) == 0);
	CHECK(wr(&l, APIC_TDCR, 0xb) == 0);
	CHECK(wr(&l, APIC_TMICT, 200000) == 0);
	start = now.ns;
	advance(450000);			/* two periods and a quarter */
	CHECK(rd(&l, APIC_TMCCT) == 150000);
	x86_lapic_timer_expired(&l, &now);
	CHECK(x86_lapic_pending(&l) == 0xed);	/* once: none made up */
	CHECK(x86_lapic_timer_next(&l, &now, &at) && at == start + 600000);
	x86_lapic_accept(&l, 0xed);
	CHECK(wr(&l, APIC_EOI, 0) == 0);
	advance(150000);
	x86_lapic_timer_expired(&l, &now);
	CHECK(x86_lapic_pending(&l) == 0xed);
	/* A tiny count still fires no more often than every 100 us. */
	CHECK(wr(&l, APIC_TMICT, 1) == 0);
	CHECK(x86_lapic_timer_next(&l, &now, &at) && at == now.ns + 100000);
}

static void timer_tsc_deadline(void)
{
	struct x86_lapic l;
	u64 at, val;

	enabled(&l, 0);
	/* Not in TSC-deadline mode: the MSR reads 0, writes are ignored. */
	CHECK(x86_lapic_msr_write(&l, TSC_DEADLINE, now.tsc + 10, &now) == 0);
	CHECK(x86_lapic_msr_read(&l, TSC_DEADLINE, &now, &val) == 0 && !val);
	CHECK(wr(&l, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0xee) == 0);
	CHECK(!x86_lapic_timer_next(&l, &now, &at));
	CHECK(x86_lapic_msr_write(&l, TSC_DEADLINE, now.tsc + 3000, &now) == 0);
	CHECK(x86_lapic_msr_read(&l, TSC_DEADLINE, &now, &val) == 0 &&
	      val == now.tsc + 3000);
	CHECK(x86_lapic_timer_next(&l, &now, &at) && at == now.ns + 3000);
	/* TMICT is ignored, TMCCT reads 0. */
	CHECK(wr(&l, APIC_TMICT, 5) == 0 && rd(&l, APIC_TMICT) == 0);
	CHECK(rd(&l, APIC_TMCCT) == 0);
	advance(2999);
	x86_lapic_timer_expired(&l, &now);
	CHECK(x86_lapic_pending(&l) == -1);
	advance(1);
	x86_lapic_timer_expired(&l, &now);
	CHECK(x86_lapic_pending(&l) == 0xee);
	CHECK(x86_lapic_msr_read(&l, TSC_DEADLINE, &now, &val) == 0 && !val);
	CHECK(!x86_lapic_timer_next(&l, &now, &at));
	/* A deadline in the past fires at once; a far one is capped. */
	CHECK(x86_lapic_msr_write(&l, TSC_DEADLINE, 1, &now) == 0);
	CHECK(x86_lapic_timer_next(&l, &now, &at) && at == now.ns);
	CHECK(x86_lapic_msr_write(&l, TSC_DEADLINE, ~0ULL, &now) == 0);
	CHECK(x86_lapic_timer_next(&l, &now, &at) &&
	      at == now.ns + (1ULL << 40));
	/* Out of TSC-deadline mode: disarmed. */
	CHECK(wr(&l, APIC_LVTT, 0xee) == 0);
	CHECK(!x86_lapic_timer_next(&l, &now, &at));
	CHECK(wr(&l, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0xee) == 0);
	CHECK(x86_lapic_msr_read(&l, TSC_DEADLINE, &now, &val) == 0 && !val);
}

int main(void)
{
	printf("TAP version 13\n1..12\n");
	tap_run("x2APIC at reset: enabled, id, version, LDR, LVTs masked",
	    reset_state);
	tap_run("registers read back", registers_read_back);
	tap_run("self-IPI: IRR, ISR, EOI; illegal vectors dropped",
	    self_ipi_irr_isr_eoi);
	tap_run("priority: in-service class and TPR hold lower vectors back",
	    priority);
	tap_run("ICR: fixed interrupts to itself only", icr);
	tap_run("#GP for reserved, read-only, write-only registers, other modes",
	    general_protection);
	tap_run("IA32_APIC_BASE: every SDM transition; disabling resets",
	    apic_base_transitions);
	tap_run("xAPIC page: ID, TPR, ICR/ICR2, EOI, LDR/DFR, ESR", xapic_mmio);
	tap_run("ESR latches errors, error LVT; SVR masks the LVTs", esr_and_svr);
	tap_run("timer, one-shot: TMCCT counts down, fires once", timer_one_shot);
	tap_run("timer, periodic: fires each period, at most every 100 us",
	    timer_periodic);
	tap_run("timer, TSC deadline: fires at the deadline, then disarmed",
	    timer_tsc_deadline);
	return tap_status();
}
