/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for the kernel's <asm/trapnr.h>, for unit tests. */
#ifndef MICROV_SHIM_ASM_TRAPNR_H
#define MICROV_SHIM_ASM_TRAPNR_H
#define X86_TRAP_DE	0
#define X86_TRAP_DB	1
#define X86_TRAP_DF	8
#define X86_TRAP_NP	11
#define X86_TRAP_SS	12
#define X86_TRAP_GP	13
#define X86_TRAP_PF	14
#define X86_TRAP_TS	10
#endif
