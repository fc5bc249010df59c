// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code runs under microv: real mode, 32-bit protected mode and
 * 64-bit long mode guests execute port I/O, CPUID, HLT, MSR accesses,
 * touch memory with and without RAM behind it, triple-fault, loop until a
 * signal, and share memory with the host.  The guest code is in this file,
 * between labels, and copied into guest RAM at GUEST_CODE_GPA.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include <stdint.h>
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#include <xen/arch-x86/cpuid.h>

#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)

/* Real mode: OUT 0x42 to port 0x10, IN from 0x11 echoed to 0x12, HLT. */
GUEST_CODE(guest_io);
asm(".pushsection .rodata\n"
    "guest_io_start:\n"
    ".code16\n"
    "	mov $0x42, %al\n"
    "	out %al, $0x10\n"
    "	in $0x11, %al\n"
    "	out %al, $0x12\n"
    "	mov $0xbeef, %ax\n"
    "	mov $0x1234, %dx\n"
    "	out %ax, (%dx)\n"
    "	cli\n"
    "	hlt\n"
    ".code64\n"
    "guest_io_end:\n"
    ".popsection\n");

/* 32-bit protected mode: CPUID leaf 1 and leaf 0x40000000, then HLT. */
GUEST_CODE(guest_cpuid);
asm(".pushsection .rodata\n"
    "guest_cpuid_start:\n"
    ".code32\n"
    "	mov $1, %eax\n"
    "	cpuid\n"
    "	mov %ecx, %esi\n"
    "	mov %ebx, %edi\n"
    "	mov $0x40000000, %eax\n"
    "	cpuid\n"
    "	hlt\n"
    ".code64\n"
    "guest_cpuid_end:\n"
    ".popsection\n");

/* 64-bit: a 64-bit value only long mode can hold, a store, then HLT. */
GUEST_CODE(guest_long);
asm(".pushsection .rodata\n"
    "guest_long_start:\n"
    "	movabs $0x1122334455667788, %rax\n"
    "	mov %rax, 0x3000\n"
    "	mov 0x3008, %rbx\n"
    "	push %rbx\n"
    "	pop %rcx\n"
    "	hlt\n"
    "guest_long_end:\n"
    ".popsection\n");

/*
 * 64-bit: CPUID, then raw VMCALLs to the Xen personality (xen_version:
 * XENVER_version, then an unknown sub-op), each result out on port 0x41,
 * then XMM0 loaded, an exit to userspace, and XMM0 read back: the guest's
 * SSE state must survive what the host does.
 */
GUEST_CODE(guest_long_exits);
asm(".pushsection .rodata\n"
    "guest_long_exits_start:\n"
    "	mov $1, %eax\n"
    "	cpuid\n"
    "	mov %ecx, %esi\n"
    "	mov $1, %al\n"
    "	out %al, $0x40\n"
    "	mov $17, %eax\n"			/* __HYPERVISOR_xen_version */
    "	xor %edi, %edi\n"			/* XENVER_version */
    "	vmcall\n"
    "	out %eax, $0x41\n"
    "	mov $17, %eax\n"
    "	mov $0xa1, %edi\n"
    "	vmcall\n"
    "	out %eax, $0x41\n"
    "	movabs $0x0123456789abcdef, %rax\n"
    "	movq %rax, %xmm0\n"
    "	out %al, $0x42\n"
    "	movq %xmm0, %rbx\n"
    "	hlt\n"
    "guest_long_exits_end:\n"
    ".popsection\n");

/*
 * 64-bit, with a GDT and an IDT that the test writes: exception handlers
 * report their vector on port 0x50 and stop; each entry point does one
 * thing that must fault, or not.
 */
GUEST_CODE(guest_faults);
extern const unsigned char fault_ud[], fault_gp[], do_vmxon[], do_vmread[],
	do_xsetbv_bad[], do_xsetbv_ok[], do_cr4_vmxe[], do_cr0_ne[];
asm(".pushsection .rodata\n"
    "guest_faults_start:\n"
    "fault_ud:\n"
    "	mov $6, %al\n"
    "	out %al, $0x50\n"
    "	hlt\n"
    "fault_gp:\n"
    "	mov $13, %al\n"
    "	out %al, $0x50\n"
    "	hlt\n"
    "do_vmxon:\n"
    "	vmxon 0x3000\n"
    "	hlt\n"
    "do_vmread:\n"
    "	vmread %rax, %rbx\n"
    "	hlt\n"
    "do_xsetbv_bad:\n"			/* XCR0 without x87 */
    "	xor %ecx, %ecx\n"
    "	mov $2, %eax\n"
    "	xor %edx, %edx\n"
    "	xsetbv\n"
    "	hlt\n"
    "do_xsetbv_ok:\n"			/* x87 and SSE, read back */
    "	xor %ecx, %ecx\n"
    "	mov $3, %eax\n"
    "	xor %edx, %edx\n"
    "	xsetbv\n"
    "	xor %eax, %eax\n"
    "	xgetbv\n"
    "	out %al, $0x51\n"
    "	hlt\n"
    "do_cr4_vmxe:\n"
    "	mov %cr4, %rax\n"
    "	or $0x2000, %rax\n"
    "	mov %rax, %cr4\n"
    "	hlt\n"
    "do_cr0_ne:\n"			/* the guest sees the NE it wrote */
    "	mov %cr0, %rax\n"
    "	or $0x20, %eax\n"
    "	mov %rax, %cr0\n"
    "	mov %cr0, %rax\n"
    "	out %al, $0x52\n"
    "	and $~0x20, %eax\n"
    "	mov %rax, %cr0\n"
    "	mov %cr0, %rax\n"
    "	out %al, $0x52\n"
    "	hlt\n"
    "guest_faults_end:\n"
    ".popsection\n");

/* Real mode: an allowed MSR read, then a write to an MSR no guest may
 * touch; the #GP goes through the IVT to a handler that reports it. */
GUEST_CODE(guest_msr);
asm(".pushsection .rodata\n"
    "guest_msr_start:\n"
    ".code16\n"
    "	movw $(0x1000 + guest_msr_gp - guest_msr_start), 13*4\n"
    "	movw $0, 13*4+2\n"
    "	mov $0xc0000080, %ecx\n"	/* EFER: allowed */
    "	rdmsr\n"
    "	mov %eax, %esi\n"
    "	mov $0x10, %ecx\n"		/* TSC write: refused */
    "	wrmsr\n"
    "	mov $0x1, %al\n"
    "	out %al, $0x20\n"		/* not reached */
    "	cli\n"
    "	hlt\n"
    "guest_msr_gp:\n"
    "	mov $0xd, %al\n"
    "	out %al, $0x21\n"
    "	cli\n"
    "	hlt\n"
    ".code64\n"
    "guest_msr_end:\n"
    ".popsection\n");

/*
 * 64-bit: the MSRs Linux reads before it can take a #GP (MISC_ENABLE on
 * 0x60, UCODE_REV after its write on 0x61), SYSCALL through STAR and LSTAR
 * (LSTAR read back on 0x62; the return RIP in RCX on 0x63, RBX kept on
 * 0x64), SWAPGS with KERNEL_GS_BASE (the new GS base on 0x65, the old one
 * back in KERNEL_GS_BASE on 0x66), CPUID.1:EDX with the APIC and MTRR
 * bits but without the MCA bit on 0x67, and the x2APIC: IA32_APIC_BASE
 * on 0x68, its id on 0x69, and the #GP-free self-IPI sent with
 * interrupts off left pending in IRR (IRR1 on 0x6a).
 */
GUEST_CODE(guest_sysmsr);
asm(".pushsection .rodata\n"
    "guest_sysmsr_start:\n"
    "	mov $0x1a0, %ecx\n"
    "	rdmsr\n"
    "	out %eax, $0x60\n"
    "	mov $0x8b, %ecx\n"
    "	xor %eax, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	rdmsr\n"
    "	or %edx, %eax\n"
    "	out %eax, $0x61\n"
    "	mov $0xc0000080, %ecx\n"		/* EFER.SCE */
    "	rdmsr\n"
    "	or $1, %eax\n"
    "	wrmsr\n"
    "	mov $0xc0000081, %ecx\n"		/* STAR: CS 0x08 */
    "	xor %eax, %eax\n"
    "	mov $0x00100008, %edx\n"
    "	wrmsr\n"
    "	mov $0xc0000082, %ecx\n"		/* LSTAR */
    "	mov $(0x1000 + guest_sysmsr_target - guest_sysmsr_start), %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	rdmsr\n"
    "	out %eax, $0x62\n"
    "	mov $0x1234, %ebx\n"
    "	syscall\n"
    "guest_sysmsr_after:\n"
    "	hlt\n"					/* not reached */
    "guest_sysmsr_target:\n"
    "	mov %ecx, %eax\n"
    "	out %eax, $0x63\n"
    "	mov %ebx, %eax\n"
    "	out %eax, $0x64\n"
    "	mov $0xc0000102, %ecx\n"		/* KERNEL_GS_BASE */
    "	mov $0x5678, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	swapgs\n"
    "	mov $0xc0000101, %ecx\n"		/* GS_BASE */
    "	rdmsr\n"
    "	out %eax, $0x65\n"
    "	mov $0xc0000102, %ecx\n"
    "	rdmsr\n"
    "	out %eax, $0x66\n"
    "	mov $1, %eax\n"
    "	cpuid\n"
    "	and $((1 << 9) | (1 << 12) | (1 << 14)), %edx\n"
    "	mov %edx, %eax\n"
    "	out %eax, $0x67\n"
    "	mov $0x1b, %ecx\n"			/* IA32_APIC_BASE */
    "	rdmsr\n"
    "	out %eax, $0x68\n"
    "	mov $0x802, %ecx\n"			/* x2APIC id */
    "	rdmsr\n"
    "	out %eax, $0x69\n"
    "	mov $0x80f, %ecx\n"			/* SVR: APIC on */
    "	mov $0x1ff, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	mov $0x83f, %ecx\n"			/* SELF_IPI 0x31, IF=0 */
    "	mov $0x31, %eax\n"
    "	wrmsr\n"
    "	mov $0x821, %ecx\n"			/* IRR1: vectors 0x20-0x3f */
    "	rdmsr\n"
    "	out %eax, $0x6a\n"
    "	hlt\n"
    "guest_sysmsr_end:\n"
    ".popsection\n");
extern const unsigned char guest_sysmsr_after[], guest_sysmsr_target[];

/* Real mode: writes to RAM, to no RAM, and to a read-only slot. */
GUEST_CODE(guest_unbacked);
asm(".pushsection .rodata\n"
    "guest_unbacked_start:\n"
    ".code16\n"
    "	mov $0x3000, %ax\n"
    "	mov %ax, %ds\n"
    "	movb $0x5a, 0\n"		/* 0x30000: RAM */
    "	mov $0xf000, %ax\n"
    "	mov %ax, %es\n"
    "	movl $0xcafe, %es:0\n"	/* 0xf0000: RAM */
    "	mov $0x4000, %ax\n"
    "	mov %ax, %ds\n"
    "	movb $0x77, 0\n"		/* 0x40000: read-only slot */
    "	cli\n"
    "	hlt\n"
    ".code64\n"
    "guest_unbacked_end:\n"
    ".popsection\n");

/* 64-bit: a write at 1 MiB, a read near 2 MiB, then HLT. */
GUEST_CODE(guest_touch);
asm(".pushsection .rodata\n"
    "guest_touch_start:\n"
    "	movq $0x77, 0x100000\n"
    "	mov 0x1ff008, %rax\n"
    "	hlt\n"
    "guest_touch_end:\n"
    ".popsection\n");

/* Real mode: no IVT to speak of (limit 0), then INT3: triple fault. */
GUEST_CODE(guest_triple);
asm(".pushsection .rodata\n"
    "guest_triple_start:\n"
    ".code16\n"
    "	lidt (0x1000 + guest_triple_idt - guest_triple_start)\n"
    "	int3\n"
    "	hlt\n"
    "guest_triple_idt:\n"
    "	.word 0\n"
    "	.long 0\n"
    ".code64\n"
    "guest_triple_end:\n"
    ".popsection\n");

/*
 * Real mode: spin forever with interrupts off; only a signal ends RUN.  The
 * host's interrupts still leave the guest (and under Bochs, which does not
 * exit on them while the guest has IF=0, the VMX preemption timer does).
 */
GUEST_CODE(guest_spin);
asm(".pushsection .rodata\n"
    "guest_spin_start:\n"
    ".code16\n"
    "	cli\n"
    "1:	jmp 1b\n"
    ".code64\n"
    "guest_spin_end:\n"
    ".popsection\n");

/* Real mode: HLT with interrupts on: sleeps until a signal. */
GUEST_CODE(guest_sleep);
asm(".pushsection .rodata\n"
    "guest_sleep_start:\n"
    ".code16\n"
    "	sti\n"
    "	hlt\n"
    ".code64\n"
    "guest_sleep_end:\n"
    ".popsection\n");

/* Real mode: counts up in a loop, one OUT per round. */
GUEST_CODE(guest_count);
asm(".pushsection .rodata\n"
    "guest_count_start:\n"
    ".code16\n"
    "	xor %ax, %ax\n"
    "1:	inc %ax\n"
    "	out %ax, $0x30\n"
    "	jmp 1b\n"
    ".code64\n"
    "guest_count_end:\n"
    ".popsection\n");

/* Real mode: counts at 0x3000 forever, without ever exiting. */
GUEST_CODE(guest_counter);
asm(".pushsection .rodata\n"
    "guest_counter_start:\n"
    ".code16\n"
    "	cli\n"
    "1:	incl 0x3000\n"
    "	jmp 1b\n"
    ".code64\n"
    "guest_counter_end:\n"
    ".popsection\n");

/*
 * 64-bit: IN of 1, 2 and 4 bytes and an OUT on ports no one serves (0x42,
 * 0x43), over a RAX of known bits; the RAX after the 2- and 4-byte INs
 * goes out on 0x60 in halves; then a served IN of 4 bytes (0x61) and the
 * upper half of RAX after it (0x62); HLT.
 */
GUEST_CODE(guest_ports);
asm(".pushsection .rodata\n"
    "guest_ports_start:\n"
    "	mov $-1, %rax\n"
    "	in $0x42, %al\n"
    "	mov $0x1122334455667788, %rax\n"
    "	in $0x42, %ax\n"
    "	mov %rax, %rbx\n"
    "	mov $0x1122334455667788, %rax\n"
    "	in $0x42, %eax\n"
    "	mov %rax, %rcx\n"
    "	out %al, $0x43\n"
    "	mov %rbx, %rax\n"
    "	out %eax, $0x60\n"
    "	shr $32, %rax\n"
    "	out %eax, $0x60\n"
    "	mov %rcx, %rax\n"
    "	out %eax, $0x60\n"
    "	shr $32, %rax\n"
    "	out %eax, $0x60\n"
    "	mov $0x1122334455667788, %rax\n"
    "	in $0x61, %eax\n"
    "	shr $32, %rax\n"
    "	out %eax, $0x62\n"
    "	hlt\n"
    "guest_ports_end:\n"
    ".popsection\n");

/*
 * 64-bit: INS and OUTS.  REP INSB of 0x2100 bytes from a port no one
 * serves (ones across three pages; RCX, then RDI on 0x60), REP INSD of
 * three with DF set (RDI), a REP with RCX 0 (RDI), OUTSW (RSI), REP
 * OUTSB of "hello" to a served port (one exit a byte; RSI), an OUTSB
 * with a 32-bit address (RSI in halves); then INSB and REP INSW of two
 * from a served port (RDI after each), an INSB whose answer the host
 * drops by moving RIP.
 */
GUEST_CODE(guest_strings);
asm(".pushsection .rodata\n"
    "guest_strings_start:\n"
    "	cld\n"
    "	mov $0x42, %edx\n"
    "	mov $0x5000, %edi\n"
    "	mov $0x2100, %ecx\n"
    "	rep insb\n"
    "	mov %ecx, %eax\n"
    "	out %eax, $0x60\n"
    "	mov %edi, %eax\n"
    "	out %eax, $0x60\n"
    "	std\n"
    "	mov $0x9ffc, %edi\n"
    "	mov $3, %ecx\n"
    "	rep insl\n"
    "	cld\n"
    "	mov %edi, %eax\n"
    "	out %eax, $0x60\n"
    "	xor %ecx, %ecx\n"
    "	mov $0xa000, %edi\n"
    "	rep insb\n"
    "	mov %edi, %eax\n"
    "	out %eax, $0x60\n"
    "	mov $0x3000, %esi\n"
    "	outsw\n"
    "	mov %esi, %eax\n"
    "	out %eax, $0x60\n"
    "	mov $0x61, %edx\n"
    "	mov $0x3100, %esi\n"
    "	mov $5, %ecx\n"
    "	rep outsb\n"
    "	mov %esi, %eax\n"
    "	out %eax, $0x60\n"
    "	mov $0x42, %edx\n"
    "	movabs $0x1234567800003200, %rsi\n"
    "	addr32 outsb\n"
    "	mov %rsi, %rax\n"
    "	out %eax, $0x60\n"
    "	shr $32, %rax\n"
    "	out %eax, $0x60\n"
    "	mov $0x61, %edx\n"
    "	mov $0x5000, %edi\n"
    "	insb\n"
    "	mov %edi, %eax\n"
    "	out %eax, $0x60\n"
    "	mov $2, %ecx\n"
    "	mov $0x5010, %edi\n"
    "	rep insw\n"
    "	mov %edi, %eax\n"
    "	out %eax, $0x60\n"
    "	mov $0x5020, %edi\n"
    "	insb\n"
    "	hlt\n"
    "guest_strings_end:\n"
    ".popsection\n");

/*
 * 64-bit: REP INSB from a port no one serves into memory past the
 * identity-mapped GiB, whose page tables say not present: a #PF (write,
 * not present: error code 2, CR2 the address) with RCX untouched; the
 * handler says both on 0x61 and 0x62 and steps over the INSB.
 */
GUEST_CODE(guest_strfault);
extern const unsigned char strfault_pf[];
asm(".pushsection .rodata\n"
    "guest_strfault_start:\n"
    "	mov $0x42, %edx\n"
    "	mov $0x40000000, %edi\n"
    "	mov $4, %ecx\n"
    "	rep insb\n"
    "	mov %ecx, %eax\n"
    "	out %eax, $0x60\n"
    "	hlt\n"
    "strfault_pf:\n"
    "	pop %rax\n"
    "	out %eax, $0x61\n"
    "	mov %cr2, %rax\n"
    "	out %eax, $0x62\n"
    "	addq $2, (%rsp)\n"
    "	iretq\n"
    "guest_strfault_end:\n"
    ".popsection\n");

FIXTURE(run) {
	struct uv_vm vm;
};

FIXTURE_SETUP(run)
{
	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	self->vm.dev = self->vm.dom = self->vm.vcpu = -1;
}

FIXTURE_TEARDOWN(run)
{
	cpu_set_t all;

	uv_vm_destroy(&self->vm);
	cpu_set_online(1, true);
	CPU_ZERO(&all);
	CPU_SET(0, &all);
	CPU_SET(1, &all);
	sched_setaffinity(0, sizeof(all), &all);
	/* Nothing outlives the fds: no domain, no pinned page. */
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
}

#define CREATE_FLAGS(vm, name, mode, flags)				\
	ASSERT_EQ(0, uv_vm_create_flags(vm, MEM_SIZE, name##_start,	\
					name##_end, mode, flags))	\
		TH_LOG("create: %s", strerror(errno))
#define CREATE(vm, name, mode)	CREATE_FLAGS(vm, name, mode, 0)

TEST_F(run, real_mode_port_io)
{
	struct microv_regs regs;

	CREATE(&self->vm, guest_io, UV_REAL);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x10, 1, 0x42);
	expect_io(_metadata, &self->vm, MICROV_IO_IN, 0x11, 1, 0);
	self->vm.run->io.data = 0x5a;
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x12, 1, 0x5a);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x1234, 2, 0xbeef);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	/* RIP is past the HLT: the guest's last instruction retired. */
	EXPECT_EQ(GUEST_CODE_GPA + (guest_io_end - guest_io_start), regs.rip);
	EXPECT_EQ(0x1234, regs.rdx);
}

static int set_ports(int dom, __u32 first, __u32 count, __u32 flags)
{
	struct microv_io_ports p = { .first = first, .count = count,
				     .flags = flags };

	return ioctl(dom, MICROV_SET_IO_PORTS, &p);
}

/*
 * Ports the process does not serve are answered in the module, as Xen
 * answers a port with no device model: all ones in (a 4-byte IN clears
 * RAX's upper half, as any 32-bit write does; 1 and 2 bytes keep the
 * rest), writes dropped, counted in the domain info.  Served ports exit.
 */
TEST_F(run, unserved_ports_answered_in_module)
{
	struct microv_domain_info info = { 0 };
	struct microv_io_ports p = { 0 };

	CREATE(&self->vm, guest_ports, UV_LONG64);
	/* Every port exits until the process says otherwise. */
	ASSERT_EQ(0, set_ports(self->vm.dom, 0, 65536, 0));
	ASSERT_EQ(0, set_ports(self->vm.dom, 0x60, 16, MICROV_IO_CLAIM));
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0x5566ffff);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0x11223344);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0xffffffff);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_IN, 0x61, 4, 0);
	self->vm.run->io.data = 0x12345678;
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x62, 4, 0);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(4, info.nr_io_unclaimed);

	/* Bad ranges, flags, padding, pointers. */
	EXPECT_EQ(-1, set_ports(self->vm.dom, 65535, 2, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_ports(self->vm.dom, 65537, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_ports(self->vm.dom, 1, 0xffffffff, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_ports(self->vm.dom, 0, 1, 2));
	EXPECT_EQ(EINVAL, errno);
	p.pad = 1;
	EXPECT_EQ(-1, ioctl(self->vm.dom, MICROV_SET_IO_PORTS, &p));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->vm.dom, MICROV_SET_IO_PORTS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, set_ports(self->vm.dom, 65536, 0, MICROV_IO_CLAIM));
	EXPECT_EQ(0, set_ports(self->vm.dom, 65535, 1, MICROV_IO_CLAIM));
}

/*
 * INS and OUTS: the module moves a port no one serves a page at a time
 * (INS stores ones, the registers move as the CPU moves them, DF, REP
 * with RCX 0, a 32-bit address size); a served port gets each element
 * as an OUT or an IN.
 */
TEST_F(run, string_io)
{
	struct microv_domain_info info = { 0 };
	struct microv_regs regs;
	unsigned char *m;
	unsigned int i;
	bool ones = true;

	CREATE(&self->vm, guest_strings, UV_LONG64);
	m = self->vm.mem;
	memset(m + 0x5000, 0, 0x5000);
	memcpy(m + 0x3100, "hello", 5);
	ASSERT_EQ(0, set_ports(self->vm.dom, 0, 65536, 0));
	ASSERT_EQ(0, set_ports(self->vm.dom, 0x60, 16, MICROV_IO_CLAIM));
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0x7100);
	for (i = 0x5000; i < 0x7100; i++)
		ones &= m[i] == 0xff;
	EXPECT_TRUE(ones);
	EXPECT_EQ(0, m[0x7100]);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0x9ff0);
	EXPECT_EQ(0, *(__u32 *)(m + 0x9ff0));
	EXPECT_EQ(~0u, *(__u32 *)(m + 0x9ff4));
	EXPECT_EQ(~0u, *(__u32 *)(m + 0x9ffc));
	EXPECT_EQ(0, m[0xa000]);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0xa000);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0x3002);
	for (i = 0; i < 5; i++)
		expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x61, 1,
			  "hello"[i]);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0x3105);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0x3201);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0);
	/* A served port: one IN per element, stored when answered. */
	expect_io(_metadata, &self->vm, MICROV_IO_IN, 0x61, 1, 0);
	self->vm.run->io.data = 0x5a;
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0x5001);
	EXPECT_EQ(0x5a, m[0x5000]);
	expect_io(_metadata, &self->vm, MICROV_IO_IN, 0x61, 2, 0);
	self->vm.run->io.data = 0x1234;
	expect_io(_metadata, &self->vm, MICROV_IO_IN, 0x61, 2, 0);
	EXPECT_EQ(0x1234, *(__u16 *)(m + 0x5010));
	self->vm.run->io.data = 0x5678;
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 0x5014);
	EXPECT_EQ(0x5678, *(__u16 *)(m + 0x5012));
	/* Moved on before answering: the element is dropped. */
	expect_io(_metadata, &self->vm, MICROV_IO_IN, 0x61, 1, 0);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	regs.rip += 1;				/* past the INSB, to HLT */
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_REGS, &regs));
	self->vm.run->io.data = 0x77;
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
	EXPECT_EQ(0xff, m[0x5020]);		/* from the REP INSB above */
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(0x2100 + 3 + 1 + 1, info.nr_io_unclaimed);
}

/* String I/O into memory the guest's page tables do not map: #PF. */
TEST_F(run, string_io_page_fault)
{
	struct microv_sregs s;

	CREATE(&self->vm, guest_strfault, UV_LONG64);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_SREGS, &s));
	uv_tables(&self->vm, UV_LONG64, &s);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_SREGS, &s));
	uv_set_gate(&self->vm, UV_LONG64, 14, GUEST_CODE_GPA +
		    (strfault_pf - guest_strfault_start));
	ASSERT_EQ(0, set_ports(self->vm.dom, 0, 65536, 0));
	ASSERT_EQ(0, set_ports(self->vm.dom, 0x60, 16, MICROV_IO_CLAIM));
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x61, 4, 2);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x62, 4, 0x40000000);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x60, 4, 4);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
}

TEST_F(run, prot32_cpuid)
{
	struct microv_regs regs;

	CREATE(&self->vm, guest_cpuid, UV_PROT32);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	EXPECT_TRUE(regs.rsi & (1u << 31)) TH_LOG("hypervisor bit: ecx %#llx", regs.rsi);
	EXPECT_FALSE(regs.rsi & (1u << 5)) TH_LOG("VMX visible: ecx %#llx", regs.rsi);
	EXPECT_EQ(0, regs.rdi >> 24);	/* APIC id: vCPU 0 */
	/* The hypervisor leaves are Xen's: the highest leaf, "XenV". */
	EXPECT_EQ(XEN_CPUID_LEAF(4), regs.rax);
	EXPECT_EQ(XEN_CPUID_SIGNATURE_EBX, regs.rbx);
}

TEST_F(run, long_mode_memory_shared)
{
	struct microv_regs regs;
	struct microv_sregs sregs;

	CREATE(&self->vm, guest_long, UV_LONG64);
	*(__u64 *)(self->vm.mem + 0x3008) = 0xfeedface12345678ull;
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	EXPECT_EQ(0x1122334455667788ull, regs.rax);
	EXPECT_EQ(0xfeedface12345678ull, regs.rcx);
	EXPECT_EQ(GUEST_STACK_TOP, regs.rsp);
	EXPECT_EQ(0x1122334455667788ull, *(__u64 *)(self->vm.mem + 0x3000));
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_SREGS, &sregs));
	EXPECT_EQ(0x500, sregs.efer);
	EXPECT_EQ(1, sregs.cs.l);
	EXPECT_EQ(0x80000011, sregs.cr0);
}

/* MICROV_RUN through a raw syscall, XMM0 holding @mark around it. */
static unsigned long run_keeping_xmm0(int vcpu, unsigned long mark,
				      unsigned long *xmm0)
{
	unsigned long ret;

	asm volatile("movq %[mark], %%xmm0\n\t"
		     "syscall\n\t"
		     "movq %%xmm0, %[out]"
		     : "=a" (ret), [out] "=r" (*xmm0)
		     : "a" ((long)SYS_ioctl), "D" ((long)vcpu),
		       "S" ((long)MICROV_RUN), "d" (0L), [mark] "r" (mark)
		     : "rcx", "r11", "xmm0", "memory");
	return ret;
}

TEST_F(run, long_mode_exits_and_fpu)
{
	struct microv_diag_entry enosys;
	struct microv_diag diag = {
		.nr_entries = 1, .entries = (unsigned long)&enosys,
	};
	struct microv_sregs sregs;
	struct microv_regs regs;
	unsigned long xmm0;

	CREATE(&self->vm, guest_long_exits, UV_LONG64);
	/* SSE on: CR4.OSFXSR, CR0.MP (CR0.EM clear). */
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_SREGS, &sregs));
	sregs.cr4 |= 0x200;
	sregs.cr0 |= 0x2;
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_SREGS, &sregs));

	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x40, 1, 1);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	EXPECT_TRUE(regs.rsi & (1u << 31));	/* hypervisor bit */

	/* The Xen personality answers in the kernel: no exit to userspace. */
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x41, 4, 4 << 16 | 17);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x41, 4, (__u32)-ENOSYS);
	/* Named in the domain's diagnostics: xen_version, sub-op 0xa1. */
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_GET_DIAG, &diag));
	ASSERT_EQ(1, diag.nr_entries);
	EXPECT_EQ(MICROV_DIAG_ENOSYS, enosys.kind);
	EXPECT_EQ(17, enosys.code);
	EXPECT_EQ(0xa1, enosys.arg);
	EXPECT_EQ(1, enosys.count);

	/* The guest loads XMM0 and exits; ours must come back untouched. */
	ASSERT_EQ(0, run_keeping_xmm0(self->vm.vcpu, 0x5555aaaa5555aaaaul, &xmm0));
	EXPECT_EQ(0x5555aaaa5555aaaaul, xmm0);
	ASSERT_EQ(MICROV_EXIT_IO, self->vm.run->exit_reason);
	EXPECT_EQ(0x42, self->vm.run->io.port);
	/* And the guest's comes back to it, whatever ours held meanwhile. */
	ASSERT_EQ(0, run_keeping_xmm0(self->vm.vcpu, 0x1111222233334444ul, &xmm0));
	EXPECT_EQ(0x1111222233334444ul, xmm0);
	ASSERT_EQ(MICROV_EXIT_HLT, self->vm.run->exit_reason);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	EXPECT_EQ(0x0123456789abcdefull, regs.rbx);
}

#define GUEST_ADDR(sym)	(GUEST_CODE_GPA + (sym - guest_faults_start))

/* Starts the faults guest at @entry, with GDT, IDT, OSXSAVE and SSE. */
static void start_faults(struct __test_metadata *_metadata, struct uv_vm *vm,
			 const unsigned char *entry)
{
	struct microv_sregs sregs;
	struct microv_regs regs;

	uv_set_gate(vm, UV_LONG64, 6, GUEST_ADDR(fault_ud));
	uv_set_gate(vm, UV_LONG64, 13, GUEST_ADDR(fault_gp));
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_SREGS, &sregs));
	uv_tables(vm, UV_LONG64, &sregs);
	sregs.cr4 |= 0x40200;			/* OSXSAVE, OSFXSR */
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_SREGS, &sregs));
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_REGS, &regs));
	regs.rip = GUEST_ADDR(entry);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_REGS, &regs));
}

/* VMX instructions #UD, XSETBV and CR4.VMXE are checked, CR0.NE shadowed. */
TEST_F(run, long_mode_faults)
{
	const struct {
		const unsigned char *entry;
		__u16 port;
		__u32 data;
	} cases[] = {
		{ do_vmxon, 0x50, 6 },
		{ do_vmread, 0x50, 6 },
		{ do_xsetbv_bad, 0x50, 13 },
		{ do_xsetbv_ok, 0x51, 3 },
		{ do_cr4_vmxe, 0x50, 13 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CREATE(&self->vm, guest_faults, UV_LONG64);
		start_faults(_metadata, &self->vm, cases[i].entry);
		expect_io(_metadata, &self->vm, MICROV_IO_OUT, cases[i].port, 1,
			  cases[i].data);
		uv_vm_destroy(&self->vm);
	}
	CREATE(&self->vm, guest_faults, UV_LONG64);
	start_faults(_metadata, &self->vm, do_cr0_ne);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x52, 1, 0x31);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x52, 1, 0x11);
}

TEST_F(run, msr_allowed_and_refused)
{
	struct microv_regs regs;

	CREATE(&self->vm, guest_msr, UV_REAL);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x21, 1, 0xd);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	EXPECT_EQ(0, regs.rsi);		/* EFER of a real-mode guest */
}

/*
 * The emulated MSRs, SYSCALL and SWAPGS in the guest, while this process
 * makes its own system calls between runs: the host's SYSCALL MSRs must
 * be back every time.
 */
TEST_F(run, syscall_msrs_and_cpu_features)
{
	__u32 v;

	CREATE(&self->vm, guest_sysmsr, UV_LONG64);
	ASSERT_EQ(0, uv_run(&self->vm));
	v = self->vm.run->io.data;
	EXPECT_TRUE(v & (1u << 11)) TH_LOG("MISC_ENABLE %#x: BTS available", v);
	EXPECT_TRUE(v & (1u << 12)) TH_LOG("MISC_ENABLE %#x: PEBS available", v);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x61, 4, 0);
	EXPECT_LT(0, getpid());			/* a host syscall in between */
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x62, 4, GUEST_CODE_GPA +
		  (guest_sysmsr_target - guest_sysmsr_start));
	EXPECT_LT(0, getppid());
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x63, 4, GUEST_CODE_GPA +
		  (guest_sysmsr_after - guest_sysmsr_start));
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x64, 4, 0x1234);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x65, 4, 0x5678);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x66, 4, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x67, 4,
		  (1u << 9) | (1u << 12));
	/* Base 0xfee00000, enabled, x2APIC mode, bootstrap processor. */
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x68, 4, 0xfee00d00);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x69, 4, 0);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x6a, 4, 1u << 0x11);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
}

TEST_F(run, unbacked_and_readonly_memory)
{
	struct uv_vm *vm = &self->vm;
	void *rom;

	CREATE_FLAGS(vm, guest_unbacked, UV_REAL, MICROV_DOMAIN_STRICT_MMIO);
	/* RAM below 0x40000 only (the slot shrinks), one page of ROM there. */
	ASSERT_EQ(0, uv_set_region(vm->dom, 0, 0, vm->mem, 0x40000, 0));
	rom = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rom);
	ASSERT_EQ(0, uv_set_region(vm->dom, 1, 0x40000, rom, 0x1000,
				   MICROV_MEM_READONLY));
	/* 0xf0000 has no RAM now: the write exits with its address. */
	expect_exit(_metadata, vm, MICROV_EXIT_MMIO);
	EXPECT_EQ(0xf0000, vm->run->mmio.gpa);
	EXPECT_EQ(1, vm->run->mmio.is_write);
	EXPECT_EQ(0x5a, vm->mem[0x30000]);
	/* RAM there: the retried write completes. */
	ASSERT_EQ(0, uv_set_region(vm->dom, 2, 0xf0000, vm->mem + 0xf0000,
				   0x10000, 0));
	expect_exit(_metadata, vm, MICROV_EXIT_MMIO);
	EXPECT_EQ(0x40000, vm->run->mmio.gpa);
	EXPECT_EQ(1, vm->run->mmio.is_write);
	EXPECT_EQ(0xcafe, *(__u32 *)(vm->mem + 0xf0000));
	EXPECT_EQ(0, *(unsigned char *)rom);
	ASSERT_EQ(0, uv_set_region(vm->dom, 1, 0, NULL, 0, 0));
	munmap(rom, 0x1000);
}

/*
 * Guest RAM is pinned 16 pages at a time as it is first touched: a 2 MiB
 * guest that touches its code, its page tables and two far pages has 4
 * chunks pinned.  A page the process unmapped behind the slot makes
 * MICROV_RUN fail with EFAULT; with memory back there, the guest goes on.
 */
TEST_F(run, ram_pinned_when_touched)
{
	unsigned char *far;
	struct microv_regs regs;

	CREATE(&self->vm, guest_touch, UV_LONG64);
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	*(__u64 *)(self->vm.mem + 0x1ff008) = 0xabcdef;
	far = self->vm.mem + 0x100000;
	ASSERT_EQ(0, munmap(far, 0x1000));
	ASSERT_EQ(-1, ioctl(self->vm.vcpu, MICROV_RUN, 0));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(far, mmap(far, 0x1000, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	EXPECT_EQ(0xabcdef, regs.rax);
	EXPECT_EQ(0x77, *(__u64 *)far);
	EXPECT_EQ(4 * 16, microv_counter("pinned_pages"));
}

/*
 * A state each ioctl accepts but the CPU refuses as a whole: RFLAGS.VM in
 * a 64-bit guest.  The entry fails and says why ("invalid guest state").
 */
TEST_F(run, failed_entry_reports_reason)
{
	struct microv_regs regs;

	CREATE(&self->vm, guest_long, UV_LONG64);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	regs.rflags |= 1u << 17;		/* VM: virtual-8086 mode */
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_REGS, &regs));
	expect_exit(_metadata, &self->vm, MICROV_EXIT_FAIL_ENTRY);
	EXPECT_EQ(0x80000021, self->vm.run->fail_entry.hw_reason);
	/* Fixed, it runs. */
	regs.rflags &= ~(1u << 17);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_REGS, &regs));
	expect_exit(_metadata, &self->vm, MICROV_EXIT_HLT);
}

TEST_F(run, triple_fault)
{
	CREATE(&self->vm, guest_triple, UV_REAL);
	expect_exit(_metadata, &self->vm, MICROV_EXIT_TRIPLE_FAULT);
}

TEST_F(run, endless_loop_ends_on_signal)
{
	struct microv_regs regs;

	CREATE(&self->vm, guest_spin, UV_REAL);
	run_until_signal(_metadata, &self->vm);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_REGS, &regs));
	EXPECT_EQ(GUEST_CODE_GPA + 1, regs.rip);	/* at the loop */
	/* And runs again afterwards. */
	run_until_signal(_metadata, &self->vm);
}

TEST_F(run, hlt_with_interrupts_sleeps)
{
	CREATE(&self->vm, guest_sleep, UV_REAL);
	run_until_signal(_metadata, &self->vm);
}

TEST_F(run, two_domains_at_once)
{
	struct uv_vm other;
	int i;

	CREATE(&self->vm, guest_count, UV_REAL);
	ASSERT_EQ(0, uv_vm_create(&other, MEM_SIZE, guest_io_start,
				  guest_io_end, UV_REAL));
	EXPECT_NE(self->vm.domid, other.domid);
	EXPECT_EQ(2, microv_counter("domains"));
	for (i = 1; i <= 5; i++)
		expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x30, 2, i);
	expect_io(_metadata, &other, MICROV_IO_OUT, 0x10, 1, 0x42);
	expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x30, 2, 6);
	uv_vm_destroy(&other);
}

/* The thread moves between the CPUs between runs: VMCLEAR/VMPTRLD. */
TEST_F(run, vcpu_migrates_between_cpus)
{
	int i, ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	ASSERT_LE(2, ncpu);
	CREATE(&self->vm, guest_count, UV_REAL);
	for (i = 1; i <= 40; i++) {
		CPU_ZERO(&set);
		CPU_SET(i % ncpu, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
		expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x30, 2, i);
		ASSERT_EQ(i % ncpu, sched_getcpu());
	}
}

static void pin_to(struct __test_metadata *_metadata, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
}

/*
 * The CPU where the vCPU's VMCS is active goes offline between two runs:
 * VMX is turned off there only after the VMCS is cleared, and the vCPU
 * goes on on the other CPU.
 */
TEST_F(run, cpu_offline_under_vcpu)
{
	int i;

	CREATE(&self->vm, guest_count, UV_REAL);
	pin_to(_metadata, 1);
	for (i = 1; i <= 3; i++)
		expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x30, 2, i);
	pin_to(_metadata, 0);
	ASSERT_EQ(0, cpu_set_online(1, false));
	for (; i <= 6; i++)
		expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x30, 2, i);
	ASSERT_EQ(0, cpu_set_online(1, true));
	pin_to(_metadata, 1);
	for (; i <= 9; i++)
		expect_io(_metadata, &self->vm, MICROV_IO_OUT, 0x30, 2, i);
}

struct run_thread {
	struct uv_vm *vm;
	int ret, err;
};

static void *run_thread(void *arg)
{
	struct run_thread *t = arg;

	t->ret = uv_run(t->vm);
	t->err = errno;
	return NULL;
}

/* Waits up to 10 s for the guest's counter at 0x3000 to pass @than. */
static bool counter_passes(struct uv_vm *vm, __u32 than)
{
	volatile __u32 *count = (void *)(vm->mem + 0x3000);
	int i;

	for (i = 0; i < 10000; i++) {
		if (*count > than)
			return true;
		usleep(1000);
	}
	return false;
}

/* Pause stops a running vCPU in the guest, unpause lets it go on, and
 * destroy ends its MICROV_RUN and releases the domain at once. */
TEST_F(run, pause_unpause_destroy)
{
	struct microv_domain_info info = { 0 };
	struct run_thread t = { .vm = &self->vm };
	volatile __u32 *count;
	pthread_t thread;
	__u32 seen;

	CREATE(&self->vm, guest_counter, UV_REAL);
	count = (void *)(self->vm.mem + 0x3000);
	ASSERT_EQ(0, pthread_create(&thread, NULL, run_thread, &t));
	ASSERT_TRUE(counter_passes(&self->vm, 0));

	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_PAUSE_DOMAIN, 0));
	seen = *count;
	usleep(100000);
	EXPECT_EQ(seen, *count);
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(MICROV_DOMAIN_PAUSED, info.state);
	/* Pausing twice is pausing. */
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_PAUSE_DOMAIN, 0));

	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_UNPAUSE_DOMAIN, 0));
	ASSERT_TRUE(counter_passes(&self->vm, seen));
	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(0, info.state);

	ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_DESTROY_DOMAIN, 0));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(-1, t.ret);
	EXPECT_EQ(ESRCH, t.err);
	/* Gone from the table, memory released, while the fds are open. */
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	ASSERT_EQ(-1, ioctl(self->vm.dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(ESRCH, errno);
	ASSERT_EQ(-1, uv_run(&self->vm));
	EXPECT_EQ(ESRCH, errno);
	ASSERT_EQ(-1, ioctl(self->vm.dom, MICROV_DESTROY_DOMAIN, 0));
	EXPECT_EQ(ESRCH, errno);
}

/* A vCPU asleep in HLT, or waiting while paused, wakes up to a destroy. */
TEST_F(run, destroy_wakes_sleeping_vcpus)
{
	struct run_thread t = { .vm = &self->vm };
	pthread_t thread;
	int round;

	for (round = 0; round < 2; round++) {
		CREATE(&self->vm, guest_sleep, UV_REAL);
		if (round)
			ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_PAUSE_DOMAIN, 0));
		ASSERT_EQ(0, pthread_create(&thread, NULL, run_thread, &t));
		usleep(100000);
		ASSERT_EQ(0, ioctl(self->vm.dom, MICROV_DESTROY_DOMAIN, 0));
		ASSERT_EQ(0, pthread_join(thread, NULL));
		EXPECT_EQ(-1, t.ret);
		EXPECT_EQ(ESRCH, t.err);
		uv_vm_destroy(&self->vm);
	}
}

TEST_HARNESS_MAIN
