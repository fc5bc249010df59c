// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/x86_lapic.c in userspace: the x2APIC registers as
 * a guest reads and writes them through RDMSR/WRMSR, self-IPIs through
 * IRR, ISR and EOI with the APIC's priority rules, and every #GP.  TAP.
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


static u64 rd(struct x86_lapic *l, u32 reg)
{
	u64 val = ~0ULL;

	CHECK(x86_lapic_msr_read(l, MSR(reg), &val) == 0);
	return val;
}

static int wr(struct x86_lapic *l, u32 reg, u64 val)
{
	return x86_lapic_msr_write(l, MSR(reg), val);
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
	CHECK(x86_lapic_msr_read(&l, MSR_IA32_APICBASE, &val) == 0);
	CHECK(val == (X2APIC_ON | MSR_IA32_APICBASE_BSP));
	CHECK(rd(&l, APIC_ID) == 0);
	CHECK(rd(&l, APIC_LVR) == 0x50014);
	CHECK(rd(&l, APIC_SPIV) == 0xff);
	CHECK(rd(&l, APIC_LVTT) & APIC_LVT_MASKED);
	CHECK(rd(&l, APIC_LVTERR) & APIC_LVT_MASKED);
	CHECK(rd(&l, APIC_LVTCMCI) & APIC_LVT_MASKED);
	CHECK(x86_lapic_pending(&l) == -1);

	x86_lapic_init(&l, 17);		/* not the BSP; cluster 1, bit 1 */
	CHECK(x86_lapic_msr_read(&l, MSR_IA32_APICBASE, &val) == 0);
	CHECK(val == X2APIC_ON);
	CHECK(rd(&l, APIC_ID) == 17);
	CHECK(rd(&l, APIC_LDR) == ((1 << 16) | 2));
}

static void registers_read_back(void)
{
	struct x86_lapic l;

	enabled(&l, 0);
	CHECK(wr(&l, APIC_TASKPRI, 0x20) == 0 && rd(&l, APIC_TASKPRI) == 0x20);
	CHECK(wr(&l, APIC_LVTT, 0x400ef) == 0 && rd(&l, APIC_LVTT) == 0x400ef);
	CHECK(wr(&l, APIC_LVTERR, 0xfe) == 0 && rd(&l, APIC_LVTERR) == 0xfe);
	CHECK(wr(&l, APIC_TMICT, 12345) == 0 && rd(&l, APIC_TMICT) == 12345);
	CHECK(rd(&l, APIC_TMCCT) == 0);		/* never counts */
	CHECK(wr(&l, APIC_TDCR, 0xb) == 0 && rd(&l, APIC_TDCR) == 0xb);
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
	CHECK(x86_lapic_msr_read(&l, MSR(APIC_EOI), &val) == -EINVAL);
	CHECK(x86_lapic_msr_read(&l, MSR(APIC_SELF_IPI), &val) == -EINVAL);
	CHECK(x86_lapic_msr_read(&l, MSR(0xe0), &val) == -EINVAL);	/* DFR */
	CHECK(x86_lapic_msr_read(&l, MSR(0x310), &val) == -EINVAL);	/* ICR2 */
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

	/* IA32_APIC_BASE: no base move, no xAPIC mode; disabled and back. */
	CHECK(x86_lapic_msr_write(&l, MSR_IA32_APICBASE,
				  X2APIC_ON) == -EINVAL);	/* BSP bit */
	CHECK(x86_lapic_msr_write(&l, MSR_IA32_APICBASE, 0xfec00000 |
				  X2APIC_ENABLE | MSR_IA32_APICBASE_ENABLE |
				  MSR_IA32_APICBASE_BSP) == -EINVAL);
	CHECK(x86_lapic_msr_write(&l, MSR_IA32_APICBASE, APIC_DEFAULT_PHYS_BASE |
				  MSR_IA32_APICBASE_ENABLE |
				  MSR_IA32_APICBASE_BSP) == -EINVAL);
	CHECK(x86_lapic_msr_write(&l, MSR_IA32_APICBASE, APIC_DEFAULT_PHYS_BASE |
				  MSR_IA32_APICBASE_BSP) == 0);
	CHECK(x86_lapic_msr_read(&l, MSR(APIC_ID), &val) == -EINVAL);
	CHECK(wr(&l, APIC_SELF_IPI, 0x40) == -EINVAL);
	CHECK(x86_lapic_msr_write(&l, MSR_IA32_APICBASE, APIC_DEFAULT_PHYS_BASE |
				  MSR_IA32_APICBASE_ENABLE |
				  MSR_IA32_APICBASE_BSP) == -EINVAL);
	CHECK(x86_lapic_msr_write(&l, MSR_IA32_APICBASE,
				  X2APIC_ON | MSR_IA32_APICBASE_BSP) == 0);
	CHECK(rd(&l, APIC_ID) == 0);

	/* Not the APIC's MSRs: the caller decides. */
	CHECK(x86_lapic_msr_read(&l, 0x1a0, &val) == -ENOENT);
	CHECK(x86_lapic_msr_write(&l, 0x7ff, 0) == -ENOENT);
	CHECK(x86_lapic_msr_write(&l, 0x900, 0) == -ENOENT);
}

int main(void)
{
	printf("TAP version 13\n1..6\n");
	tap_run("x2APIC at reset: enabled, id, version, LDR, LVTs masked",
	    reset_state);
	tap_run("registers read back; the timer never counts", registers_read_back);
	tap_run("self-IPI: IRR, ISR, EOI; illegal vectors dropped",
	    self_ipi_irr_isr_eoi);
	tap_run("priority: in-service class and TPR hold lower vectors back",
	    priority);
	tap_run("ICR: fixed interrupts to itself only", icr);
	tap_run("#GP for reserved, read-only, write-only registers and xAPIC mode",
	    general_protection);
	return tap_status();
}
