/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and exit.  HOST_RSP is the stack pointer at VMLAUNCH/VMRESUME
 * and HOST_RIP is vmx_vmexit, right behind VMLAUNCH: a VM exit and a
 * VMfail (CF or ZF set; a VM exit clears all flags) land on the same
 * instruction with the same stack, and the flags tell them apart.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define HOST_RSP	0x6c14

#define GPR(n)		(n * 8)

.section .text, "ax"

/* int vmx_vmenter(unsigned long *gprs, bool launched) */
SYM_FUNC_START(vmx_vmenter)
	push %rbp
	mov %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* The register array, found again at the exit. */
	push %rdi

	mov $HOST_RSP, %eax
.Lvmwrite:
	vmwrite %rsp, %rax

	/* MOVs keep the flags: ZF says which instruction to use. */
	cmpb $0, %sil
	mov %rdi, %rax
	mov GPR(1)(%rax), %rcx
	mov GPR(2)(%rax), %rdx
	mov GPR(3)(%rax), %rbx
	mov GPR(5)(%rax), %rbp
	mov GPR(6)(%rax), %rsi
	mov GPR(7)(%rax), %rdi
	mov GPR(8)(%rax), %r8
	mov GPR(9)(%rax), %r9
	mov GPR(10)(%rax), %r10
	mov GPR(11)(%rax), %r11
	mov GPR(12)(%rax), %r12
	mov GPR(13)(%rax), %r13
	mov GPR(14)(%rax), %r14
	mov GPR(15)(%rax), %r15
	mov GPR(0)(%rax), %rax
	je .Llaunch
.Lvmresume:
	vmresume
	jmp vmx_vmexit
.Llaunch:
	vmlaunch
SYM_INNER_LABEL(vmx_vmexit, SYM_L_GLOBAL)
	ENDBR
	/* Guest registers into the array; neither PUSH nor MOV touch flags. */
	push %rax
	mov 8(%rsp), %rax
	mov %rcx, GPR(1)(%rax)
	mov %rdx, GPR(2)(%rax)
	mov %rbx, GPR(3)(%rax)
	mov %rbp, GPR(5)(%rax)
	mov %rsi, GPR(6)(%rax)
	mov %rdi, GPR(7)(%rax)
	mov %r8, GPR(8)(%rax)
	mov %r9, GPR(9)(%rax)
	mov %r10, GPR(10)(%rax)
	mov %r11, GPR(11)(%rax)
	mov %r12, GPR(12)(%rax)
	mov %r13, GPR(13)(%rax)
	mov %r14, GPR(14)(%rax)
	mov %r15, GPR(15)(%rax)
	pop GPR(0)(%rax)

	mov $0, %eax
	jbe .Lvmfail
.Lout:
	/* No guest value stays in a register the host might speculate on. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	pop %rdi
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET
.Lvmfail:
	mov $1, %eax
	jmp .Lout

	/*
	 * VMX is off on this CPU (the machine reboots, vmx_insn_fault()):
	 * a failed entry.  The stack is as at VMRESUME, where .Lout wants it.
	 */
	_ASM_EXTABLE(.Lvmwrite, .Lvmfail)
	_ASM_EXTABLE(.Lvmresume, .Lvmfail)
	_ASM_EXTABLE(.Llaunch, .Lvmfail)
SYM_FUNC_END(vmx_vmenter)
