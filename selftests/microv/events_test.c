// SPDX-License-Identifier: GPL-2.0
/*
 * Xen events and time as a guest meets them: shared_info placed in its
 * physmap (over RAM, which comes back when it moves), the pvclock and wall
 * clock in it, event channels delivered through the callback vector (and
 * the per-vCPU vector) when the guest can take an interrupt, masking,
 * VIRQ_TIMER from single-shot timers waking HLT and SCHEDOP_block, a poll
 * timing out, the runstate area, the memory map and the grant table; from
 * 64-bit and 32-bit guests; then the FIFO ABI (queues, priorities, masking,
 * a VIRQ, reset back to 2-level).  A guest's pvclock reading is the judge of
 * time: a timer must not fire before its deadline.
 */
#include <stddef.h>
#include <stdint.h>
#include <time.h>
/* Xen's current interface, not that of 2006 (where sched_op is 6). */
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/foreign/x86_32.h>

#include <sys/wait.h>

#include <xen/version.h>

#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)
#define PARAMS		0x7000		/* addresses the guest works with */
#define ARGS		0x8000		/* hypercall arguments */
#define VARS		0xa000		/* what the handlers count and see */
#define RUNSTATE_VA	0x9000
#define HCALL_PAGE	0x5000
#define SHINFO_GFN	0x100		/* over RAM the test fills */
#define SHINFO		(SHINFO_GFN << 12)
#define GNTTAB_GFN	0x110
#define VEC		0xf3		/* the callback vector */
#define VEC2		0xf4		/* the per-vCPU vector */

/* PARAMS: addresses in the guest's shared_info, by layout (8 bytes each). */
#define P_VCPU_INFO	0
#define P_PENDING	1
#define P_MASK		2
#define P_TIME		3
#define P_SEL		4
#define P_WC		5

/* ARGS: one argument structure each, the host fills them. */
#define A_PHYSMAP	0x000
#define A_PARAM		0x100
#define A_IPI		0x200
#define A_SEND		0x300
#define A_UNMASK	0x400
#define A_VIRQ		0x500
#define A_POLL		0x600
#define A_POLL_PORTS	0x680
#define A_RUNSTATE	0x700
#define A_UPCALL_VEC	0x800
#define A_UNBOUND	0x900
#define A_GNT_PHYSMAP	0xa00
#define A_GNT_QUERY	0xb00
#define A_GNT_SETUP	0xc00
#define A_GNT_FRAMES	0xc80
#define A_MEMMAP	0xd00
#define A_MEMMAP_BUF	0xd80
#define A_GNT_VERSION	0xe00
#define A_GNT_GETVER	0xe10
#define A_VCPU_INFO	0xe20
#define A_TIME_AREA	0xe40
#define A_RUNSTATE_INFO	0xe80
#define VCPU_INFO_GFN	0x120
#define TIME_AREA_VA	0x9800

/* VARS */
#define V_COUNT		0x00		/* upcalls taken at VEC */
#define V_PENDING	0x08		/* the pending word the last one saw */
#define V_SEL		0x10		/* and the selector */
#define V_COUNT2	0x18		/* upcalls taken at VEC2 */

#define STR(x)		#x
#define XSTR(x)		STR(x)
#define NR_MEMORY	XSTR(__HYPERVISOR_memory_op)
#define NR_HVM		XSTR(__HYPERVISOR_hvm_op)
#define NR_EVTCHN	XSTR(__HYPERVISOR_event_channel_op)
#define NR_SCHED	XSTR(__HYPERVISOR_sched_op)
#define NR_VCPU		XSTR(__HYPERVISOR_vcpu_op)
#define NR_TIMER	XSTR(__HYPERVISOR_set_timer_op)
#define NR_GNTTAB	XSTR(__HYPERVISOR_grant_table_op)
#define NR_VM_ASSIST	XSTR(__HYPERVISOR_vm_assist)
#define ARG(a)		XSTR(ARGS + a)
#define VAR(v)		XSTR(VARS + v)
#define PARAM(p)	XSTR(PARAMS + 8 * p)

/* The pvclock fields the guest code reads, at the offsets it uses. */
_Static_assert(offsetof(struct vcpu_time_info, tsc_timestamp) == 8, "");
_Static_assert(offsetof(struct vcpu_time_info, system_time) == 16, "");
_Static_assert(offsetof(struct vcpu_time_info, tsc_to_system_mul) == 24, "");
_Static_assert(offsetof(struct vcpu_time_info, tsc_shift) == 28, "");

/*
 * 64-bit: system time now into RAX, from the pvclock whose address is in
 * RSI, the way a guest kernel reads it (retrying while the version is odd
 * or changed).  Clobbers RCX, RDX, R8.
 */
#define PVCLOCK64							\
	"8:	mov (%rsi), %r8d\n"					\
	"	lfence\n"						\
	"	rdtsc\n"						\
	"	shl $32, %rdx\n"					\
	"	or %rdx, %rax\n"					\
	"	sub 8(%rsi), %rax\n"					\
	"	movsbl 28(%rsi), %ecx\n"				\
	"	test %ecx, %ecx\n"					\
	"	js 9f\n"						\
	"	shl %cl, %rax\n"					\
	"	jmp 7f\n"						\
	"9:	neg %ecx\n"						\
	"	shr %cl, %rax\n"					\
	"7:	mov 24(%rsi), %ecx\n"					\
	"	mul %rcx\n"						\
	"	shrd $32, %rdx, %rax\n"					\
	"	add 16(%rsi), %rax\n"					\
	"	cmp (%rsi), %r8d\n"					\
	"	jne 8b\n"						\
	"	test $1, %r8d\n"					\
	"	jnz 8b\n"

#define NOW64	"	mov " PARAM(P_TIME) ", %rsi\n" PVCLOCK64

/* 64-bit: hypercall @nr(@cmd, ARGS + @arg), result out on @port. */
#define HCALL64(nr, cmd, arg, port)					\
	"	mov $" nr ", %eax\n"					\
	"	mov $" XSTR(cmd) ", %edi\n"				\
	"	mov $" ARG(arg) ", %esi\n"				\
	"	vmcall\n"						\
	"	out %eax, $" XSTR(port) "\n"

/* Lets one pending upcall in: STI's shadow ends after the NOP. */
#define TAKE_UPCALL	"	sti\n	nop\n	cli\n"

#define OUT_VAR(v, port)						\
	"	mov " VAR(v) ", %eax\n"					\
	"	out %eax, $" XSTR(port) "\n"

#define OUT_UPCALL_PENDING(port)					\
	"	mov " PARAM(P_VCPU_INFO) ", %rbx\n"			\
	"	movzbl (%rbx), %eax\n"					\
	"	out %eax, $" XSTR(port) "\n"

/*
 * The 64-bit guest, step by step; the port numbers of its OUTs say which
 * step a value is from.
 */
GUEST_CODE(guest_ev64);
extern const unsigned char guest_ev64_handler[], guest_ev64_handler2[];
asm(".pushsection .rodata\n"
    "guest_ev64_start:\n"
    /* shared_info, the callback vector, an IPI port (R15) */
    "	mov " XSTR(SHINFO) ", %eax\n"
    "	out %eax, $0x50\n"
    HCALL64(NR_MEMORY, XENMEM_add_to_physmap, A_PHYSMAP, 0x60)
    "	mov " XSTR(SHINFO) ", %eax\n"
    "	out %eax, $0x51\n"
    "	mov " PARAM(P_TIME) ", %rbx\n"
    "	mov (%rbx), %eax\n"
    "	out %eax, $0x52\n"
    "	mov 24(%rbx), %eax\n"
    "	out %eax, $0x53\n"
    "	mov " PARAM(P_WC) ", %rbx\n"
    "	mov (%rbx), %eax\n"
    "	out %eax, $0x54\n"
    "	mov 4(%rbx), %eax\n"
    "	out %eax, $0x55\n"
    HCALL64(NR_HVM, HVMOP_set_param, A_PARAM, 0x61)
    HCALL64(NR_EVTCHN, EVTCHNOP_bind_ipi, A_IPI, 0x62)
    "	mov " ARG(A_IPI + 4) ", %r15d\n"
    "	mov %r15d, " ARG(A_SEND) "\n"
    "	mov %r15d, " ARG(A_UNMASK) "\n"
    "	mov %r15d, " ARG(A_POLL_PORTS) "\n"
    /* sent with interrupts off: pending, not taken until STI */
    HCALL64(NR_EVTCHN, EVTCHNOP_send, A_SEND, 0x63)
    OUT_UPCALL_PENDING(0x64)
    OUT_VAR(V_COUNT, 0x65)
    TAKE_UPCALL
    OUT_VAR(V_COUNT, 0x66)
    OUT_VAR(V_PENDING, 0x67)
    /* masked: not delivered; unmasked: delivered */
    "	mov " PARAM(P_MASK) ", %rbx\n"
    "	lock bts %r15, (%rbx)\n"
    HCALL64(NR_EVTCHN, EVTCHNOP_send, A_SEND, 0x40)
    TAKE_UPCALL
    OUT_VAR(V_COUNT, 0x68)
    HCALL64(NR_EVTCHN, EVTCHNOP_unmask, A_UNMASK, 0x41)
    TAKE_UPCALL
    OUT_VAR(V_COUNT, 0x69)
    /* VIRQ_TIMER (R14) 2 ms ahead, HLT until it fires */
    HCALL64(NR_EVTCHN, EVTCHNOP_bind_virq, A_VIRQ, 0x6a)
    "	mov " ARG(A_VIRQ + 8) ", %r14d\n"
    NOW64
    "	lea 2000000(%rax), %r13\n"
    "	mov %r13, %rdi\n"
    "	mov $" NR_TIMER ", %eax\n"
    "	vmcall\n"
    "	out %eax, $0x6b\n"
    "	sti\n"
    "	hlt\n"
    "	cli\n"
    NOW64
    "	sub %r13, %rax\n"
    "	out %eax, $0x6c\n"
    OUT_VAR(V_COUNT, 0x6d)
    OUT_VAR(V_PENDING, 0x6e)
    /* SCHEDOP_block with interrupts off: woken by the event, not taken */
    NOW64
    "	lea 1000000(%rax), %rdi\n"
    "	mov $" NR_TIMER ", %eax\n"
    "	vmcall\n"
    "	mov $" NR_SCHED ", %eax\n"
    "	mov $" XSTR(SCHEDOP_block) ", %edi\n"
    "	vmcall\n"
    OUT_UPCALL_PENDING(0x6f)
    TAKE_UPCALL
    /* a deadline in the past fires at once */
    "	mov $1, %edi\n"
    "	mov $" NR_TIMER ", %eax\n"
    "	vmcall\n"
    OUT_UPCALL_PENDING(0x70)
    TAKE_UPCALL
    OUT_VAR(V_COUNT, 0x71)
    /* a poll on the idle IPI port times out 3 ms later, not sooner */
    NOW64
    "	lea 3000000(%rax), %r13\n"
    "	mov %r13, " ARG(A_POLL + 16) "\n"
    HCALL64(NR_SCHED, SCHEDOP_poll, A_POLL, 0x72)
    NOW64
    "	sub %r13, %rax\n"
    "	out %eax, $0x73\n"
    /* the per-vCPU vector takes over from the callback vector */
    HCALL64(NR_HVM, HVMOP_set_evtchn_upcall_vector, A_UPCALL_VEC, 0x74)
    HCALL64(NR_EVTCHN, EVTCHNOP_send, A_SEND, 0x42)
    TAKE_UPCALL
    OUT_VAR(V_COUNT2, 0x75)
    /* the runstate area: blocked for 2 ms, then running again */
    "	mov $" NR_VM_ASSIST ", %eax\n"
    "	mov $" XSTR(VMASST_CMD_enable) ", %edi\n"
    "	mov $" XSTR(VMASST_TYPE_runstate_update_flag) ", %esi\n"
    "	vmcall\n"
    "	mov $" NR_VCPU ", %eax\n"
    "	mov $" XSTR(VCPUOP_register_runstate_memory_area) ", %edi\n"
    "	xor %esi, %esi\n"
    "	mov $" ARG(A_RUNSTATE) ", %edx\n"
    "	vmcall\n"
    "	out %eax, $0x76\n"
    NOW64
    "	lea 2000000(%rax), %rdi\n"
    "	mov $" NR_TIMER ", %eax\n"
    "	vmcall\n"
    "	mov $" NR_SCHED ", %eax\n"
    "	mov $" XSTR(SCHEDOP_block) ", %edi\n"
    "	vmcall\n"
    "	mov " XSTR(RUNSTATE_VA) ", %eax\n"
    "	out %eax, $0x77\n"
    "	mov " XSTR(RUNSTATE_VA + 16 + 8 * RUNSTATE_blocked) ", %rax\n"
    "	shr $10, %rax\n"			/* in units of 1024 ns */
    "	out %eax, $0x78\n"
    "	mov " XSTR(RUNSTATE_VA + 8) ", %rax\n"
    "	shr $32, %rax\n"
    "	out %eax, $0x79\n"
    /* shared_info moves: the RAM under its old place is back */
    "	incl " ARG(A_PHYSMAP + 16) "\n"
    HCALL64(NR_MEMORY, XENMEM_add_to_physmap, A_PHYSMAP, 0x7a)
    "	mov " XSTR(SHINFO) ", %eax\n"
    "	out %eax, $0x7b\n"
    "	hlt\n"
    /* the callback: take the upcall, the selector, pending word 0 */
    "guest_ev64_handler:\n"
    "	push %rax\n"
    "	push %rbx\n"
    "	mov " PARAM(P_VCPU_INFO) ", %rbx\n"
    "	movb $0, (%rbx)\n"
    "	mov " PARAM(P_SEL) ", %rbx\n"
    "	xor %eax, %eax\n"
    "	xchg %rax, (%rbx)\n"
    "	mov %rax, " VAR(V_SEL) "\n"
    "	mov " PARAM(P_PENDING) ", %rbx\n"
    "	xor %eax, %eax\n"
    "	xchg %rax, (%rbx)\n"
    "	mov %rax, " VAR(V_PENDING) "\n"
    "	incl " VAR(V_COUNT) "\n"
    "	pop %rbx\n"
    "	pop %rax\n"
    "	iretq\n"
    "guest_ev64_handler2:\n"
    "	push %rax\n"
    "	push %rbx\n"
    "	mov " PARAM(P_VCPU_INFO) ", %rbx\n"
    "	movb $0, (%rbx)\n"
    "	mov " PARAM(P_SEL) ", %rbx\n"
    "	movq $0, (%rbx)\n"
    "	mov " PARAM(P_PENDING) ", %rbx\n"
    "	movq $0, (%rbx)\n"
    "	incl " VAR(V_COUNT2) "\n"
    "	pop %rbx\n"
    "	pop %rax\n"
    "	iretq\n"
    "guest_ev64_end:\n"
    ".popsection\n");

/*
 * 32-bit: hypercall @nr(@cmd, ARGS + @arg) in EBX, ECX, through its stub in
 * the hypercall page; result on @port.
 */
#define HCALL32(nr, cmd, arg, port)					\
	"	mov $" XSTR(HCALL_PAGE) " + 32 * " nr ", %eax\n"		\
	"	mov $" XSTR(cmd) ", %ebx\n"				\
	"	mov $" ARG(arg) ", %ecx\n"				\
	"	call *%eax\n"						\
	"	out %eax, $" XSTR(port) "\n"

/*
 * The 32-bit guest, through the hypercall page: shared_info in the 32-bit
 * layout, an IPI on port 33 (32 unbound ports before it) whose selector
 * bit is 1 and whose pending bit is bit 1 of word 1; a timer in the past,
 * its deadline in EBX:ECX.
 */
GUEST_CODE(guest_ev32);
extern const unsigned char guest_ev32_handler[];
asm(".pushsection .rodata\n"
    "guest_ev32_start:\n"
    ".code32\n"
    "	mov $0x40000000, %ecx\n"		/* the hypercall page */
    "	mov $" XSTR(HCALL_PAGE) ", %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    HCALL32(NR_MEMORY, XENMEM_add_to_physmap, A_PHYSMAP, 0x60)
    HCALL32(NR_HVM, HVMOP_set_param, A_PARAM, 0x61)
    "	mov $32, %esi\n"
    "1:	mov $" NR_EVTCHN ", %eax\n"
    "	mov $" XSTR(EVTCHNOP_alloc_unbound) ", %ebx\n"
    "	mov $" ARG(A_UNBOUND) ", %ecx\n"
    "	vmcall\n"
    "	dec %esi\n"
    "	jnz 1b\n"
    HCALL32(NR_EVTCHN, EVTCHNOP_bind_ipi, A_IPI, 0x62)
    "	mov " ARG(A_IPI + 4) ", %eax\n"
    "	mov %eax, " ARG(A_SEND) "\n"
    "	out %eax, $0x63\n"
    HCALL32(NR_EVTCHN, EVTCHNOP_send, A_SEND, 0x64)
    TAKE_UPCALL
    OUT_VAR(V_COUNT, 0x65)
    OUT_VAR(V_SEL, 0x66)
    OUT_VAR(V_PENDING, 0x67)
    HCALL32(NR_EVTCHN, EVTCHNOP_bind_virq, A_VIRQ, 0x68)
    "	mov $" NR_TIMER ", %eax\n"
    "	mov $1, %ebx\n"
    "	xor %ecx, %ecx\n"
    "	vmcall\n"
    "	out %eax, $0x69\n"
    TAKE_UPCALL
    OUT_VAR(V_COUNT, 0x6a)
    "	hlt\n"
    "guest_ev32_handler:\n"
    "	push %eax\n"
    "	push %ebx\n"
    "	mov " PARAM(P_VCPU_INFO) ", %ebx\n"
    "	movb $0, (%ebx)\n"
    "	mov " PARAM(P_SEL) ", %ebx\n"
    "	xor %eax, %eax\n"
    "	xchg %eax, (%ebx)\n"
    "	mov %eax, " VAR(V_SEL) "\n"
    "	mov " PARAM(P_PENDING) ", %ebx\n"
    "	xor %eax, %eax\n"
    "	xchg %eax, 4(%ebx)\n"			/* word 1 */
    "	mov %eax, " VAR(V_PENDING) "\n"
    "	incl " VAR(V_COUNT) "\n"
    "	pop %ebx\n"
    "	pop %eax\n"
    "	iret\n"
    ".code64\n"
    "guest_ev32_end:\n"
    ".popsection\n");

/* 64-bit: vcpu_op @cmd on vCPU 0 with ARGS + @arg; result on @port. */
#define VCPUOP64(cmd, arg, port)					\
	"	mov $" NR_VCPU ", %eax\n"				\
	"	mov $" XSTR(cmd) ", %edi\n"				\
	"	xor %esi, %esi\n"					\
	"	mov $" ARG(arg) ", %edx\n"				\
	"	vmcall\n"						\
	"	out %eax, $" XSTR(port) "\n"

/* 64-bit: grant_table_op @cmd with ARGS + @arg, count 1. */
#define GNTTAB64(cmd, arg, port)					\
	"	mov $" NR_GNTTAB ", %eax\n"				\
	"	mov $" XSTR(cmd) ", %edi\n"				\
	"	mov $" ARG(arg) ", %esi\n"				\
	"	mov $1, %edx\n"					\
	"	vmcall\n"						\
	"	out %eax, $" XSTR(port) "\n"

/*
 * 64-bit: the memory map the toolstack set (its result on 0x60, entries
 * into A_MEMMAP_BUF), then the grant table: query_size (0x61), frame 0
 * placed at GNTTAB_GFN (0x62), an entry written and read back there
 * (0x63), setup_table (0x64), set_version 1 (0x65), get_version (0x66);
 * then vcpu_op: the time area (0x67), vcpu_info moved into RAM (0x68),
 * is_up (0x69), get_runstate_info (0x6a).
 */
GUEST_CODE(guest_mem);
asm(".pushsection .rodata\n"
    "guest_mem_start:\n"
    HCALL64(NR_MEMORY, XENMEM_memory_map, A_MEMMAP, 0x60)
    GNTTAB64(GNTTABOP_query_size, A_GNT_QUERY, 0x61)
    HCALL64(NR_MEMORY, XENMEM_add_to_physmap, A_GNT_PHYSMAP, 0x62)
    "	movl $0x12345678, " XSTR(GNTTAB_GFN << 12) "\n"
    "	mov " XSTR(GNTTAB_GFN << 12) ", %eax\n"
    "	out %eax, $0x63\n"
    GNTTAB64(GNTTABOP_setup_table, A_GNT_SETUP, 0x64)
    GNTTAB64(GNTTABOP_set_version, A_GNT_VERSION, 0x65)
    GNTTAB64(GNTTABOP_get_version, A_GNT_GETVER, 0x66)
    VCPUOP64(VCPUOP_register_vcpu_time_memory_area, A_TIME_AREA, 0x67)
    VCPUOP64(VCPUOP_register_vcpu_info, A_VCPU_INFO, 0x68)
    VCPUOP64(VCPUOP_is_up, 0, 0x69)
    VCPUOP64(VCPUOP_get_runstate_info, A_RUNSTATE_INFO, 0x6a)
    "	hlt\n"
    "guest_mem_end:\n"
    ".popsection\n");

/* 64-bit: a timer a minute ahead, then HLT: only the host ends this. */
GUEST_CODE(guest_sleeper);
asm(".pushsection .rodata\n"
    "guest_sleeper_start:\n"
    HCALL64(NR_EVTCHN, EVTCHNOP_bind_virq, A_VIRQ, 0x60)
    "	movabs $60000000000, %rdi\n"
    "	mov $" NR_TIMER ", %eax\n"
    "	vmcall\n"
    "	sti\n"
    "1:	hlt\n"
    "	jmp 1b\n"
    "guest_sleeper_end:\n"
    ".popsection\n");

/*
 * FIFO event channels: the control block at CB, the event array at ARRAY
 * (the host masks every word first, as Linux does).
 */
#define CB_GFN		0x130
#define CB		(CB_GFN << 12)
#define ARRAY_GFN	0x131
#define ARRAY		(ARRAY_GFN << 12)
#define A_INIT_CTL	0xf00
#define A_EXPAND	0xf20
#define A_PRIO		0xf40
#define A_RESET		0xf60
#define A_IPI2		0xf80
#define V_COUNT3	0x20		/* FIFO upcalls */
#define V_HEAD		0x28		/* the port at the head they took */
#define V_READY		0x30		/* the READY word they saw */
#define FIFO_KEEP	0x5ffe0000	/* MASKED, BUSY, reserved bits */

_Static_assert(offsetof(struct evtchn_fifo_control_block, head) == 8, "");

/* 64-bit: the event word of the port in @reg into RBX. */
#define FIFO_WORD(reg)	"	lea " XSTR(ARRAY) "(, " reg ", 4), %rbx\n"

/*
 * The FIFO guest: init_control (0x80, link bits on 0x81), expand_array
 * (0x82), an IPI port (R15) unmasked and sent with interrupts off (0x83:
 * upcall pending; 0x84-0x86: upcalls, head, READY once taken); masked, it
 * is pending but not taken (0x87, 0x88: its word) until unmask (0x89,
 * 0x8a); at priority 0 (0x8b) it is READY bit 0 (0x8c); VIRQ_TIMER in the
 * past (0x8d, 0x8e: its port at the head); two events queue one after
 * the other (0x8f: the first's word links the second); reset (0x90) and a
 * send on the closed port (0x91); init_control again (0x92).
 */
GUEST_CODE(guest_fifo);
extern const unsigned char guest_fifo_handler[];
asm(".pushsection .rodata\n"
    "guest_fifo_start:\n"
    HCALL64(NR_MEMORY, XENMEM_add_to_physmap, A_PHYSMAP, 0x60)
    HCALL64(NR_HVM, HVMOP_set_param, A_PARAM, 0x61)
    HCALL64(NR_EVTCHN, EVTCHNOP_init_control, A_INIT_CTL, 0x80)
    "	movzbl " ARG(A_INIT_CTL + 16) ", %eax\n"
    "	out %eax, $0x81\n"
    HCALL64(NR_EVTCHN, EVTCHNOP_expand_array, A_EXPAND, 0x82)
    HCALL64(NR_EVTCHN, EVTCHNOP_bind_ipi, A_IPI, 0x62)
    "	mov " ARG(A_IPI + 4) ", %r15d\n"
    "	mov %r15d, " ARG(A_SEND) "\n"
    "	mov %r15d, " ARG(A_UNMASK) "\n"
    "	mov %r15d, " ARG(A_PRIO) "\n"
    FIFO_WORD("%r15")
    "	lock btrl $" XSTR(EVTCHN_FIFO_MASKED) ", (%rbx)\n"
    HCALL64(NR_EVTCHN, EVTCHNOP_send, A_SEND, 0x63)
    OUT_UPCALL_PENDING(0x83)
    TAKE_UPCALL
    OUT_VAR(V_COUNT3, 0x84)
    OUT_VAR(V_HEAD, 0x85)
    OUT_VAR(V_READY, 0x86)
    /* masked: pending, not linked; Linux's unmask: clear, then the op */
    FIFO_WORD("%r15")
    "	lock btsl $" XSTR(EVTCHN_FIFO_MASKED) ", (%rbx)\n"
    HCALL64(NR_EVTCHN, EVTCHNOP_send, A_SEND, 0x40)
    TAKE_UPCALL
    OUT_VAR(V_COUNT3, 0x87)
    FIFO_WORD("%r15")
    "	mov (%rbx), %eax\n"
    "	out %eax, $0x88\n"
    "	lock btrl $" XSTR(EVTCHN_FIFO_MASKED) ", (%rbx)\n"
    HCALL64(NR_EVTCHN, EVTCHNOP_unmask, A_UNMASK, 0x89)
    TAKE_UPCALL
    OUT_VAR(V_COUNT3, 0x8a)
    /* the highest priority */
    HCALL64(NR_EVTCHN, EVTCHNOP_set_priority, A_PRIO, 0x8b)
    HCALL64(NR_EVTCHN, EVTCHNOP_send, A_SEND, 0x41)
    TAKE_UPCALL
    OUT_VAR(V_READY, 0x8c)
    /* VIRQ_TIMER: a deadline in the past */
    HCALL64(NR_EVTCHN, EVTCHNOP_bind_virq, A_VIRQ, 0x8d)
    "	mov " ARG(A_VIRQ + 8) ", %r14d\n"
    FIFO_WORD("%r14")
    "	lock btrl $" XSTR(EVTCHN_FIFO_MASKED) ", (%rbx)\n"
    "	mov $1, %edi\n"
    "	mov $" NR_TIMER ", %eax\n"
    "	vmcall\n"
    TAKE_UPCALL
    OUT_VAR(V_HEAD, 0x8e)
    /* two events before the upcall: one queue, the first links the second */
    HCALL64(NR_EVTCHN, EVTCHNOP_bind_ipi, A_IPI, 0x42)
    "	mov " ARG(A_IPI + 4) ", %r12d\n"
    FIFO_WORD("%r12")
    "	lock btrl $" XSTR(EVTCHN_FIFO_MASKED) ", (%rbx)\n"
    HCALL64(NR_EVTCHN, EVTCHNOP_bind_ipi, A_IPI2, 0x43)
    "	mov " ARG(A_IPI2 + 4) ", %r13d\n"
    FIFO_WORD("%r13")
    "	lock btrl $" XSTR(EVTCHN_FIFO_MASKED) ", (%rbx)\n"
    "	mov %r12d, " ARG(A_SEND) "\n"
    HCALL64(NR_EVTCHN, EVTCHNOP_send, A_SEND, 0x44)
    "	mov %r13d, " ARG(A_SEND) "\n"
    HCALL64(NR_EVTCHN, EVTCHNOP_send, A_SEND, 0x45)
    FIFO_WORD("%r12")
    "	mov (%rbx), %eax\n"
    "	out %eax, $0x8f\n"
    /* back to 2-level: every port closed */
    HCALL64(NR_EVTCHN, EVTCHNOP_reset, A_RESET, 0x90)
    HCALL64(NR_EVTCHN, EVTCHNOP_send, A_SEND, 0x91)
    HCALL64(NR_EVTCHN, EVTCHNOP_init_control, A_INIT_CTL, 0x92)
    "	hlt\n"
    /* the upcall: the first READY queue's head, unlinked and taken */
    "guest_fifo_handler:\n"
    "	push %rax\n"
    "	push %rbx\n"
    "	push %rcx\n"
    "	mov " PARAM(P_VCPU_INFO) ", %rbx\n"
    "	movb $0, (%rbx)\n"
    "	xor %eax, %eax\n"
    "	xchg %eax, " XSTR(CB) "\n"
    "	mov %eax, " VAR(V_READY) "\n"
    "	test %eax, %eax\n"
    "	jz 1f\n"
    "	bsf %eax, %ecx\n"
    "	mov " XSTR(CB + 8) "(, %rcx, 4), %eax\n"
    "	mov %eax, " VAR(V_HEAD) "\n"
    FIFO_WORD("%rax")
    "	lock andl $" XSTR(FIFO_KEEP) ", (%rbx)\n"
    "	incl " VAR(V_COUNT3) "\n"
    "1:	pop %rcx\n"
    "	pop %rbx\n"
    "	pop %rax\n"
    "	iretq\n"
    "guest_fifo_end:\n"
    ".popsection\n");

#define GUEST_ADDR(g, sym)	(GUEST_CODE_GPA + (sym - g##_start))

/* The next exit must be an OUT to @port; its value. */
static __u32 out_on(struct __test_metadata *_metadata, struct uv_vm *vm,
		    __u16 port)
{
	if (uv_run(vm)) {
		TH_LOG("run: %s", strerror(errno));
		_metadata->passed = 0;
		return 0;
	}
	if (vm->run->exit_reason != MICROV_EXIT_IO ||
	    vm->run->io.port != port) {
		TH_LOG("wanted an OUT to %#x: exit %u port %#x", port,
		       vm->run->exit_reason, vm->run->io.port);
		_metadata->passed = 0;
		return 0;
	}
	return vm->run->io.data;
}

/* Where the guest finds things in shared_info at SHINFO, by layout. */
static void set_params(struct uv_vm *vm, bool is_32)
{
	__u64 *p = (void *)(vm->mem + PARAMS);

	p[P_VCPU_INFO] = SHINFO;
	p[P_TIME] = SHINFO + offsetof(struct vcpu_info, time);
	if (is_32) {
		/* A 32-bit guest's layout, as Xen's foreign header has it. */
		p[P_PENDING] = SHINFO + offsetof(struct shared_info_x86_32,
						 evtchn_pending);
		p[P_MASK] = SHINFO + offsetof(struct shared_info_x86_32,
					      evtchn_mask);
		p[P_SEL] = SHINFO + offsetof(struct vcpu_info_x86_32,
					     evtchn_pending_sel);
		p[P_WC] = SHINFO + offsetof(struct shared_info_x86_32,
					    wc_version);
	} else {
		p[P_PENDING] = SHINFO + offsetof(struct shared_info,
						 evtchn_pending);
		p[P_MASK] = SHINFO + offsetof(struct shared_info, evtchn_mask);
		p[P_SEL] = SHINFO + offsetof(struct vcpu_info,
					     evtchn_pending_sel);
		p[P_WC] = SHINFO + offsetof(struct shared_info, wc_version);
	}
}

/* The arguments both guests use; structures of the guest's own layout. */
static void set_args(struct uv_vm *vm, bool is_32)
{
	unsigned char *a = vm->mem + ARGS;
	struct xen_hvm_param *param = (void *)(a + A_PARAM);
	struct evtchn_bind_virq *virq = (void *)(a + A_VIRQ);
	struct evtchn_alloc_unbound *unbound = (void *)(a + A_UNBOUND);
	struct xen_hvm_evtchn_upcall_vector *uv = (void *)(a + A_UPCALL_VEC);
	__u64 *poll = (void *)(a + A_POLL);

	if (is_32) {
		/* domid, size, space; idx and gpfn of 32 bits */
		__u32 *physmap = (void *)(a + A_PHYSMAP);

		*(__u16 *)physmap = DOMID_SELF;
		physmap[1] = XENMAPSPACE_shared_info;
		physmap[2] = 0;
		physmap[3] = SHINFO_GFN;
	} else {
		struct xen_add_to_physmap *physmap = (void *)(a + A_PHYSMAP);

		physmap->domid = DOMID_SELF;
		physmap->space = XENMAPSPACE_shared_info;
		physmap->idx = 0;
		physmap->gpfn = SHINFO_GFN;
	}
	param->domid = DOMID_SELF;
	param->index = HVM_PARAM_CALLBACK_IRQ;
	param->value = (__u64)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | VEC;
	virq->virq = VIRQ_TIMER;
	virq->vcpu = 0;
	unbound->dom = DOMID_SELF;
	unbound->remote_dom = DOMID_SELF;
	uv->vcpu = 0;
	uv->vector = VEC2;
	poll[0] = ARGS + A_POLL_PORTS;
	poll[1] = 1;				/* nr_ports */
	*(__u64 *)(a + A_RUNSTATE) = RUNSTATE_VA;
}

static void start_with_idt(struct __test_metadata *_metadata,
			   struct uv_vm *vm, enum uv_mode mode)
{
	struct microv_sregs sregs;

	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_SREGS, &sregs));
	uv_tables(vm, mode, &sregs);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_SREGS, &sregs));
}

FIXTURE(events) {
	struct uv_vm vm;
	int warnings;
};

FIXTURE_SETUP(events)
{
	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	self->vm.dev = self->vm.dom = self->vm.vcpu = -1;
	self->warnings = klog_count("cut here") + klog_count("BUG");
}

FIXTURE_TEARDOWN(events)
{
	uv_vm_destroy(&self->vm);
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	EXPECT_EQ(self->warnings, klog_count("cut here") + klog_count("BUG"));
}

TEST_F(events, long64)
{
	struct uv_vm *vm = &self->vm;
	__u32 port, vtimer, v;
	time_t now = time(NULL);

	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, guest_ev64_start,
				  guest_ev64_end, UV_LONG64));
	memset(vm->mem + SHINFO, 0xab, 0x2000);
	set_params(vm, false);
	set_args(vm, false);
	uv_set_gate(vm, UV_LONG64, VEC, GUEST_ADDR(guest_ev64, guest_ev64_handler));
	uv_set_gate(vm, UV_LONG64, VEC2,
		    GUEST_ADDR(guest_ev64, guest_ev64_handler2));
	start_with_idt(_metadata, vm, UV_LONG64);

	/* RAM before, the hypervisor's page after; RAM itself untouched. */
	EXPECT_EQ(0xabababab, out_on(_metadata, vm, 0x50));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x60));
	EXPECT_NE(0xabababab, out_on(_metadata, vm, 0x51));
	v = out_on(_metadata, vm, 0x52);
	EXPECT_TRUE(v && !(v & 1)) TH_LOG("pvclock version %u", v);
	EXPECT_NE(0, out_on(_metadata, vm, 0x53));	/* tsc_to_system_mul */
	v = out_on(_metadata, vm, 0x54);		/* wc_version */
	EXPECT_TRUE(v && !(v & 1)) TH_LOG("wallclock version %u", v);
	v = out_on(_metadata, vm, 0x55);		/* wc_sec */
	EXPECT_TRUE(v >= now - 10 && v <= now + 10)
		TH_LOG("wall clock %u, host %ld", v, (long)now);
	EXPECT_EQ(0, out_on(_metadata, vm, 0x61));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x62));
	port = *(__u32 *)(vm->mem + ARGS + A_IPI + 4);
	EXPECT_LT(0, port);

	EXPECT_EQ(0, out_on(_metadata, vm, 0x63));	/* send */
	EXPECT_EQ(1, out_on(_metadata, vm, 0x64));	/* upcall pending */
	EXPECT_EQ(0, out_on(_metadata, vm, 0x65));	/* not taken, IF=0 */
	EXPECT_EQ(1, out_on(_metadata, vm, 0x66));	/* taken after STI */
	EXPECT_EQ(1u << port, out_on(_metadata, vm, 0x67));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x40));
	EXPECT_EQ(1, out_on(_metadata, vm, 0x68));	/* masked */
	EXPECT_EQ(0, out_on(_metadata, vm, 0x41));
	EXPECT_EQ(2, out_on(_metadata, vm, 0x69));	/* unmasked */

	EXPECT_EQ(0, out_on(_metadata, vm, 0x6a));	/* bind VIRQ_TIMER */
	vtimer = *(__u32 *)(vm->mem + ARGS + A_VIRQ + 8);
	EXPECT_EQ(0, out_on(_metadata, vm, 0x6b));	/* set_timer_op */
	v = out_on(_metadata, vm, 0x6c);		/* ns after deadline */
	EXPECT_TRUE((int)v >= 0 && (int)v < 1000000000);
	TH_LOG("HLT woke %d ns after the timer's deadline", (int)v);
	EXPECT_EQ(3, out_on(_metadata, vm, 0x6d));
	EXPECT_EQ(1u << vtimer, out_on(_metadata, vm, 0x6e));
	EXPECT_EQ(1, out_on(_metadata, vm, 0x6f));	/* block woke */
	EXPECT_EQ(1, out_on(_metadata, vm, 0x70));	/* past deadline */
	EXPECT_EQ(5, out_on(_metadata, vm, 0x71));

	EXPECT_EQ(0, out_on(_metadata, vm, 0x72));	/* poll timed out */
	v = out_on(_metadata, vm, 0x73);
	EXPECT_TRUE((int)v >= 0 && (int)v < 1000000000);
	TH_LOG("poll returned %d ns after its timeout", (int)v);
	EXPECT_EQ(0, out_on(_metadata, vm, 0x74));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x42));
	EXPECT_EQ(1, out_on(_metadata, vm, 0x75));	/* at VEC2 */

	EXPECT_EQ(0, out_on(_metadata, vm, 0x76));	/* runstate area */
	EXPECT_EQ(RUNSTATE_running, out_on(_metadata, vm, 0x77));
	v = out_on(_metadata, vm, 0x78);		/* blocked, 1024 ns */
	EXPECT_LE(2000000 / 1024, v) TH_LOG("blocked %u us", v);
	EXPECT_EQ(0, out_on(_metadata, vm, 0x79) & (XEN_RUNSTATE_UPDATE >> 32));

	EXPECT_EQ(0, out_on(_metadata, vm, 0x7a));	/* moved */
	EXPECT_EQ(0xabababab, out_on(_metadata, vm, 0x7b));
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);

	EXPECT_EQ(0xabababab, *(__u32 *)(vm->mem + SHINFO));
}

TEST_F(events, prot32)
{
	struct uv_vm *vm = &self->vm;

	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, guest_ev32_start,
				  guest_ev32_end, UV_PROT32));
	set_params(vm, true);
	set_args(vm, true);
	uv_set_gate(vm, UV_PROT32, VEC, GUEST_ADDR(guest_ev32, guest_ev32_handler));
	start_with_idt(_metadata, vm, UV_PROT32);

	EXPECT_EQ(0, out_on(_metadata, vm, 0x60));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x61));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x62));
	EXPECT_EQ(33, out_on(_metadata, vm, 0x63));	/* the IPI's port */
	EXPECT_EQ(0, out_on(_metadata, vm, 0x64));
	EXPECT_EQ(1, out_on(_metadata, vm, 0x65));
	EXPECT_EQ(1u << 1, out_on(_metadata, vm, 0x66));	/* word 1 */
	EXPECT_EQ(1u << 1, out_on(_metadata, vm, 0x67));	/* bit 33 */
	EXPECT_EQ(0, out_on(_metadata, vm, 0x68));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x69));	/* timer in the past */
	EXPECT_EQ(2, out_on(_metadata, vm, 0x6a));
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);
}

TEST_F(events, memory_grants_vcpu_ops)
{
	struct microv_e820_entry e820[3] = {
		{ .addr = 0, .size = 0x9f000, .type = 1 },
		{ .addr = 0xf0000, .size = 0x10000, .type = 2 },
		{ .addr = 0x100000, .size = MEM_SIZE - 0x100000, .type = 1 },
	};
	struct microv_memory_map map = {
		.nr_entries = 3, .entries = (unsigned long)e820,
	};
	struct uv_vm *vm = &self->vm;
	unsigned char *a;
	struct xen_memory_map *mm;
	struct gnttab_query_size *q;
	struct gnttab_setup_table *st;
	struct xen_add_to_physmap *gp;
	struct vcpu_register_vcpu_info *vi;
	struct vcpu_runstate_info *rs;
	struct vcpu_time_info *t;
	struct e820 {
		__u64 addr, size;
		__u32 type;
	} __attribute__((packed)) *got;	/* as BIOS E820 lays them out */

	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, guest_mem_start,
				  guest_mem_end, UV_LONG64));
	a = vm->mem + ARGS;
	mm = (void *)(a + A_MEMMAP);
	q = (void *)(a + A_GNT_QUERY);
	st = (void *)(a + A_GNT_SETUP);
	gp = (void *)(a + A_GNT_PHYSMAP);
	got = (void *)(a + A_MEMMAP_BUF);
	vi = (void *)(a + A_VCPU_INFO);
	rs = (void *)(a + A_RUNSTATE_INFO);

	/* Bad maps are refused whole. */
	map.flags = 1;
	EXPECT_EQ(-1, ioctl(vm->dom, MICROV_SET_MEMORY_MAP, &map));
	EXPECT_EQ(EINVAL, errno);
	map.flags = 0;
	map.nr_entries = MICROV_E820_MAX + 1;
	EXPECT_EQ(-1, ioctl(vm->dom, MICROV_SET_MEMORY_MAP, &map));
	EXPECT_EQ(EINVAL, errno);
	map.nr_entries = 3;
	e820[1].size = 0;
	EXPECT_EQ(-1, ioctl(vm->dom, MICROV_SET_MEMORY_MAP, &map));
	EXPECT_EQ(EINVAL, errno);
	e820[1].size = 0x10000;
	map.entries = 8;
	EXPECT_EQ(-1, ioctl(vm->dom, MICROV_SET_MEMORY_MAP, &map));
	EXPECT_EQ(EFAULT, errno);
	map.entries = (unsigned long)e820;
	ASSERT_EQ(0, ioctl(vm->dom, MICROV_SET_MEMORY_MAP, &map));

	mm->nr_entries = 2;			/* room for two of the three */
	set_xen_guest_handle(mm->buffer, (void *)(ARGS + A_MEMMAP_BUF));
	q->dom = DOMID_SELF;
	gp->domid = DOMID_SELF;
	gp->space = XENMAPSPACE_grant_table;
	gp->idx = 0;
	gp->gpfn = GNTTAB_GFN;
	st->dom = DOMID_SELF;
	st->nr_frames = 1;
	set_xen_guest_handle(st->frame_list, (void *)(ARGS + A_GNT_FRAMES));
	((struct gnttab_set_version *)(a + A_GNT_VERSION))->version = 1;
	((struct gnttab_get_version *)(a + A_GNT_GETVER))->dom = DOMID_SELF;
	*(__u64 *)(a + A_TIME_AREA) = TIME_AREA_VA;
	vi->mfn = VCPU_INFO_GFN;
	vi->offset = 64;
	rs->state = -1;

	EXPECT_EQ(0, out_on(_metadata, vm, 0x60));
	EXPECT_EQ(2, mm->nr_entries);
	EXPECT_EQ(0x9f000, got[0].size);
	EXPECT_EQ(2, got[1].type);
	EXPECT_EQ(0, out_on(_metadata, vm, 0x61));
	EXPECT_EQ(GNTST_okay, q->status);
	EXPECT_EQ(0, q->nr_frames);
	EXPECT_LT(0, q->max_nr_frames);
	EXPECT_EQ(0, out_on(_metadata, vm, 0x62));
	EXPECT_EQ(0x12345678, out_on(_metadata, vm, 0x63));
	/* The frame is the hypervisor's: the RAM there never saw the write. */
	EXPECT_EQ(0, *(__u32 *)(vm->mem + (GNTTAB_GFN << 12)));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x64));
	EXPECT_EQ(GNTST_okay, st->status);
	EXPECT_EQ(GNTTAB_GFN, *(__u64 *)(vm->mem + ARGS + A_GNT_FRAMES));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x65));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x66));
	EXPECT_EQ(1, ((struct gnttab_get_version *)(a + A_GNT_GETVER))->version);

	/* A pvclock in the time area, and in the vcpu_info moved to RAM. */
	EXPECT_EQ(0, out_on(_metadata, vm, 0x67));
	t = (void *)(vm->mem + TIME_AREA_VA);
	EXPECT_TRUE(t->version && !(t->version & 1));
	EXPECT_NE(0, t->tsc_to_system_mul);
	EXPECT_EQ(0, out_on(_metadata, vm, 0x68));
	t = (void *)(vm->mem + (VCPU_INFO_GFN << 12) + 64 +
		     offsetof(struct vcpu_info, time));
	EXPECT_TRUE(t->version && !(t->version & 1));
	EXPECT_NE(0, t->tsc_to_system_mul);
	/* Every selector bit raised, and the upcall: nothing is lost. */
	EXPECT_EQ(1, vm->mem[(VCPU_INFO_GFN << 12) + 64]);
	EXPECT_EQ(~0ull, *(__u64 *)(vm->mem + (VCPU_INFO_GFN << 12) + 64 +
				    offsetof(struct vcpu_info,
					     evtchn_pending_sel)));
	EXPECT_EQ(1, out_on(_metadata, vm, 0x69));	/* is_up */
	EXPECT_EQ(0, out_on(_metadata, vm, 0x6a));
	EXPECT_EQ(RUNSTATE_running, rs->state);
	EXPECT_LT(0, rs->time[RUNSTATE_running]);
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);
}

/* The FIFO ABI from a 64-bit guest, as Linux uses it. */
TEST_F(events, fifo64)
{
	struct uv_vm *vm = &self->vm;
	unsigned char *a;
	struct evtchn_init_control *ic;
	__u32 *words, port, vtimer, p2, p3, i;

	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, guest_fifo_start,
				  guest_fifo_end, UV_LONG64));
	set_params(vm, false);
	set_args(vm, false);
	a = vm->mem + ARGS;
	ic = (void *)(a + A_INIT_CTL);
	ic->control_gfn = CB_GFN;
	ic->vcpu = 0;
	ic->link_bits = 0;
	((struct evtchn_expand_array *)(a + A_EXPAND))->array_gfn = ARRAY_GFN;
	((struct evtchn_reset *)(a + A_RESET))->dom = DOMID_SELF;
	words = (void *)(vm->mem + ARRAY);
	for (i = 0; i < 1024; i++)
		words[i] = 1u << EVTCHN_FIFO_MASKED;
	uv_set_gate(vm, UV_LONG64, VEC, GUEST_ADDR(guest_fifo, guest_fifo_handler));
	start_with_idt(_metadata, vm, UV_LONG64);

	EXPECT_EQ(0, out_on(_metadata, vm, 0x60));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x61));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x80));	/* init_control */
	EXPECT_EQ(EVTCHN_FIFO_LINK_BITS, out_on(_metadata, vm, 0x81));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x82));	/* expand_array */
	EXPECT_EQ(0, out_on(_metadata, vm, 0x62));
	port = *(__u32 *)(a + A_IPI + 4);
	EXPECT_LT(0, port);
	EXPECT_EQ(0, out_on(_metadata, vm, 0x63));	/* send */
	EXPECT_EQ(1, out_on(_metadata, vm, 0x83));	/* upcall pending */
	EXPECT_EQ(1, out_on(_metadata, vm, 0x84));	/* taken */
	EXPECT_EQ(port, out_on(_metadata, vm, 0x85));	/* at the head */
	EXPECT_EQ(1u << EVTCHN_FIFO_PRIORITY_DEFAULT,
		  out_on(_metadata, vm, 0x86));

	EXPECT_EQ(0, out_on(_metadata, vm, 0x40));	/* send, masked */
	EXPECT_EQ(1, out_on(_metadata, vm, 0x87));	/* not taken */
	EXPECT_EQ(1u << EVTCHN_FIFO_PENDING | 1u << EVTCHN_FIFO_MASKED,
		  out_on(_metadata, vm, 0x88));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x89));	/* unmask */
	EXPECT_EQ(2, out_on(_metadata, vm, 0x8a));

	EXPECT_EQ(0, out_on(_metadata, vm, 0x8b));	/* priority 0 */
	EXPECT_EQ(0, out_on(_metadata, vm, 0x41));
	EXPECT_EQ(1, out_on(_metadata, vm, 0x8c));	/* READY bit 0 */

	EXPECT_EQ(0, out_on(_metadata, vm, 0x8d));	/* VIRQ_TIMER */
	vtimer = *(__u32 *)(a + A_VIRQ + 8);
	EXPECT_EQ(vtimer, out_on(_metadata, vm, 0x8e));

	EXPECT_EQ(0, out_on(_metadata, vm, 0x42));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x43));
	p2 = *(__u32 *)(a + A_IPI + 4);
	p3 = *(__u32 *)(a + A_IPI2 + 4);
	EXPECT_EQ(0, out_on(_metadata, vm, 0x44));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x45));
	EXPECT_EQ(1u << EVTCHN_FIFO_PENDING | 1u << EVTCHN_FIFO_LINKED | p3,
		  out_on(_metadata, vm, 0x8f)) TH_LOG("ports %u %u", p2, p3);
	EXPECT_EQ(1u << EVTCHN_FIFO_PENDING | 1u << EVTCHN_FIFO_LINKED,
		  words[p3]);			/* the tail */
	EXPECT_EQ(p2, ((struct evtchn_fifo_control_block *)
		       (vm->mem + CB))->head[EVTCHN_FIFO_PRIORITY_DEFAULT]);

	EXPECT_EQ(0, out_on(_metadata, vm, 0x90));	/* reset */
	EXPECT_EQ(-EINVAL, (int)out_on(_metadata, vm, 0x91));
	EXPECT_EQ(0, out_on(_metadata, vm, 0x92));	/* FIFO again */
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);
}

/*
 * A vCPU asleep in HLT with its timer armed: a signal ends RUN, the
 * domain goes with its timer (no timer may fire into a freed vCPU).
 */
TEST_F(events, teardown_with_timer_armed)
{
	struct uv_vm *vm = &self->vm;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, guest_sleeper_start,
					  guest_sleeper_end, UV_LONG64));
		set_args(vm, false);
		EXPECT_EQ(0, out_on(_metadata, vm, 0x60));
		run_until_signal(_metadata, vm);
		uv_vm_destroy(vm);
		EXPECT_EQ(0, microv_counter("domains"));
	}
}

/* The same, the process killed while its vCPU sleeps. */
TEST_F(events, killed_while_halted)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct uv_vm vm;

		if (uv_vm_create(&vm, MEM_SIZE, guest_sleeper_start,
				 guest_sleeper_end, UV_LONG64))
			_exit(1);
		set_args(&vm, false);
		uv_run(&vm);		/* the OUT */
		uv_run(&vm);		/* sleeps until killed */
		_exit(2);
	}
	usleep(300000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
}

TEST_HARNESS_MAIN
