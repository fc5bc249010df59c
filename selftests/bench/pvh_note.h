/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The note that makes an ELF a Xen PVH kernel: XEN_ELFNOTE_PHYS32_ENTRY,
 * the 32-bit physical address it is entered at.
 */
#include <xen/elfnote.h>

.macro PVH_NOTE entry
	.pushsection .note.Xen, "a", @note
	.balign 4
	.long 4			/* namesz: "Xen\0" */
	.long 4			/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long \entry
	.popsection
.endm
