/* SPDX-License-Identifier: GPL-2.0 */
/*
 * head.S - multiboot (v1) entry and PVH hand-off of pvhboot.
 *
 * The loader (ISOLINUX mboot.c32) enters pvhboot_start in 32-bit flat
 * protected mode with EAX = multiboot magic and EBX = multiboot info.
 * The multiboot spec leaves ESP and GDTR undefined, so we set our own
 * stack here and load our own GDT before the final jump.
 */

#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0x00000003	/* page-align modules, want mem info */

#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18

#define CR0_PE		0x00000001
#define CR0_ET		0x00000010

	.section .multiboot, "a"
	.balign 4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl	pvhboot_start
pvhboot_start:
	cli
	cld
	/*
	 * Zero .bss (it holds the stack and the hand-off area) ourselves:
	 * the multiboot spec does not promise the loader does it.
	 */
	movl	%eax, %edx
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb
	movl	%edx, %eax
	movl	$stack_top, %esp
	pushl	$0
	popfl				/* known EFLAGS: IF, TF, DF, AC clear */
	pushl	%ebx			/* multiboot info */
	pushl	%eax			/* multiboot magic */
	call	pvhboot_main
	/* pvhboot_main only returns on error, after printing why. */
1:	hlt
	jmp	1b

/*
 * void pvh_enter(u32 entry, u32 start_info) __noreturn;
 *
 * Puts the CPU into the state the PVH boot ABI asks for: CR0 = PE
 * (plus the read-only ET), CR4 = 0, flat 32-bit CS/DS/ES/SS, a 32-bit
 * TSS in TR with base 0 and limit 0x67, IF/TF/VM clear, EBX = start_info.
 * Linux replaces all of it almost at once, but another PVH kernel
 * may not, so we honour the whole list.
 */
	.globl	pvh_enter
pvh_enter:
	movl	4(%esp), %esi		/* entry */
	movl	8(%esp), %ebx		/* start_info */
	cli
	lgdt	gdt_desc
	ljmp	$SEL_CODE, $1f
1:	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	$SEL_TSS, %eax
	ltr	%ax			/* only marks the GDT entry busy */
	xorl	%eax, %eax
	movl	%eax, %cr4
	movl	$(CR0_PE | CR0_ET), %eax
	movl	%eax, %cr0
	pushl	$0
	popfl
	xorl	%eax, %eax
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmp	*%esi

	/* .data, not .rodata: ltr writes the busy bit into the TSS entry */
	.data
	.balign 8
gdt:
	.quad	0				/* null */
	.quad	0x00cf9a000000ffff		/* 0x08: code, base 0, 4 GiB */
	.quad	0x00cf92000000ffff		/* 0x10: data, base 0, 4 GiB */
gdt_tss:
	.quad	0x0000890000000067		/* 0x18: 32-bit TSS, base 0 */
gdt_end:

gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt

	.section .bss
	.balign 16
stack:
	.skip	16384
stack_top:
