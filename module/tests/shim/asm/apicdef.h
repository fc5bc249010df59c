/* SPDX-License-Identifier: GPL-2.0 */
/* The local APIC registers and bits x86_lapic.c uses (Intel SDM Vol. 3, 11). */
#ifndef MICROV_SHIM_ASM_APICDEF_H
#define MICROV_SHIM_ASM_APICDEF_H
#define APIC_DEFAULT_PHYS_BASE	0xfee00000
#define APIC_ID			0x20
#define APIC_LVR		0x30
#define APIC_TASKPRI		0x80
#define APIC_PROCPRI		0xa0
#define APIC_EOI		0xb0
#define APIC_LDR		0xd0
#define APIC_SPIV		0xf0
#define APIC_SPIV_APIC_ENABLED	(1 << 8)
#define APIC_ISR		0x100
#define APIC_TMR		0x180
#define APIC_IRR		0x200
#define APIC_ESR		0x280
#define APIC_LVTCMCI		0x2f0
#define APIC_ICR		0x300
#define APIC_DEST_SELF		0x40000
#define APIC_DEST_ALLINC	0x80000
#define APIC_DEST_ALLBUT	0xc0000
#define APIC_DM_FIXED		0x00000
#define APIC_DM_NMI		0x00400
#define APIC_MODE_MASK		0x700
#define APIC_VECTOR_MASK	0xff
#define APIC_LVTT		0x320
#define APIC_LVTERR		0x370
#define APIC_LVT_MASKED		(1 << 16)
#define APIC_TMICT		0x380
#define APIC_TMCCT		0x390
#define APIC_TDCR		0x3e0
#define APIC_SELF_IPI		0x3f0
#define APIC_DFR		0xe0
#define APIC_DFR_FLAT		0xffffffffUL
#define APIC_ESR_SENDILL	0x20
#define APIC_ESR_RECVILL	0x40
#define APIC_ESR_ILLREGA	0x80
#define APIC_ICR2		0x310
#define APIC_ICR_BUSY		0x01000
#define APIC_DEST_LOGICAL	0x00800
#define APIC_DM_LOWEST		0x00100
#define APIC_LVT_TIMER_PERIODIC	(1 << 17)
#define APIC_LVT_TIMER_TSCDEADLINE (2 << 17)
#define APIC_BASE_MSR		0x800
#define X2APIC_ENABLE		(1UL << 10)
#endif
