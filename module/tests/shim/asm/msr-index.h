/* SPDX-License-Identifier: GPL-2.0 */
/* The EFER bits the page walk reads (Intel SDM Vol. 3, 2.2.1). */
#ifndef MICROV_SHIM_ASM_MSR_INDEX_H
#define MICROV_SHIM_ASM_MSR_INDEX_H
#define EFER_LME	(1 << 8)
#define EFER_LMA	(1 << 10)
#define EFER_NX		(1 << 11)
#endif
