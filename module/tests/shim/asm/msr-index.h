/* SPDX-License-Identifier: GPL-2.0 */
/* EFER bits the page walk reads (SDM Vol. 3, 2.2.1); IA32_APIC_BASE. */
#ifndef MICROV_SHIM_ASM_MSR_INDEX_H
#define MICROV_SHIM_ASM_MSR_INDEX_H
#define EFER_LME	(1 << 8)
#define EFER_LMA	(1 << 10)
#define EFER_NX		(1 << 11)
#define MSR_IA32_APICBASE		0x1b
#define MSR_IA32_APICBASE_BSP		(1 << 8)
#define MSR_IA32_APICBASE_ENABLE	(1 << 11)
#endif
