/* SPDX-License-Identifier: GPL-2.0 */
/* EFER bits the page walk reads (SDM Vol. 3, 2.2.1); IA32_APIC_BASE; MTRRs. */
#ifndef MICROV_SHIM_ASM_MSR_INDEX_H
#define MICROV_SHIM_ASM_MSR_INDEX_H
#define EFER_LME	(1 << 8)
#define EFER_LMA	(1 << 10)
#define EFER_NX		(1 << 11)
#define MSR_IA32_APICBASE		0x1b
#define MSR_IA32_APICBASE_BSP		(1 << 8)
#define MSR_IA32_APICBASE_ENABLE	(1 << 11)
#define MSR_IA32_TSC_DEADLINE		0x6e0
#define MSR_MTRRcap			0xfe
#define MSR_MTRRfix64K_00000		0x250
#define MSR_MTRRfix16K_80000		0x258
#define MSR_MTRRfix16K_A0000		0x259
#define MSR_MTRRfix4K_C0000		0x268
#define MSR_MTRRfix4K_F8000		0x26f
#define MSR_MTRRdefType			0x2ff
#endif
