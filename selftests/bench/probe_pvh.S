/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small PVH kernel that asks for what microv does not give, for the
 * acceptance test of uvctl's diagnostics (boot_test.sh): in 32-bit
 * protected mode, without paging, at 1 MiB, it fills a hypercall page,
 * writes a line with console_io, makes hypercall 99 (no such hypercall)
 * and memory_op sub-op 0x1234 (no such sub-op), reads 0xfed00000 (no
 * RAM there), then powers off through uvctl's FADT (S5 to port 0xb000).
 * It fits in 2 MiB of guest RAM.
 */
#include "pvh_note.h"

#define HYPERCALL_PAGE	0x180000	/* in the RAM of a 2 MiB guest */

	PVH_NOTE probe_entry

	.text
	.code32
	.globl probe_entry
probe_entry:
	mov $HYPERCALL_PAGE, %esp	/* the stack grows down from it */
	mov $0x40000000, %ecx		/* Xen's hypercall page MSR */
	mov $HYPERCALL_PAGE, %eax
	xor %edx, %edx
	wrmsr
	mov $0, %ebx			/* CONSOLEIO_write */
	mov $(msg_end - msg), %ecx
	mov $msg, %edx
	call HYPERCALL_PAGE + 18 * 32	/* console_io */
	call HYPERCALL_PAGE + 99 * 32
	mov $0x1234, %ebx
	call HYPERCALL_PAGE + 12 * 32	/* memory_op */
	mov 0xfed00000, %eax
	mov $0xb000, %dx
	mov $0x34, %al			/* SLP_TYP S5, SLP_EN */
	out %al, %dx
1:	hlt
	jmp 1b

msg:	.ascii "probe: console_io works\n"
msg_end:
