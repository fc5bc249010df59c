/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The smallest PVH kernel: entered in 32-bit protected mode at the
 * address its XEN_ELFNOTE_PHYS32_ENTRY note gives, it writes S5 with
 * SLP_EN (0x34) to the sleep control register of uvctl's FADT (port
 * 0xb000) and halts.  uvctl then exits 0: startup_bench times what comes
 * before that first instruction.
 */
#include "pvh_note.h"

	PVH_NOTE tiny_entry

	.text
	.code32
	.globl tiny_entry
tiny_entry:
	mov $0xb000, %dx
	mov $0x34, %al
	out %al, %dx
1:	hlt
	jmp 1b
