// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC from a guest: the mode changes the SDM allows and the
 * one it forbids, the xAPIC registers through the MMIO page (version,
 * ID, TPR, a self-IPI by ICR, EOI), back to x2APIC, then the timer
 * firing in one-shot, periodic and TSC-deadline mode, each interrupt
 * taken through the guest's IDT and retired by EOI.
 */
#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)
#define COUNTER_GPA	0x3000

/*
 * 32-bit protected mode, no paging, so that 0xfee00000 is at hand.  Each
 * answer goes out on a port of its own (0x60 up); every interrupt
 * handler says its vector on 0x70, the #GP handler 13 on 0x50 (and skips
 * the 2-byte WRMSR).
 */
GUEST_CODE(apic);
extern const unsigned char a_gp[], a_h41[], a_h42[], a_h43[], a_h44[];
asm(".pushsection .rodata\n"
    ".code32\n"
    "apic_start:\n"
    "	mov $0x1b, %ecx\n"
    "	rdmsr\n"
    "	out %eax, $0x60\n"			/* x2APIC at reset */
    "	mov $0xfee00900, %eax\n"		/* x2APIC -> xAPIC: #GP */
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	mov $0xfee00100, %eax\n"		/* -> disabled */
    "	wrmsr\n"
    "	mov $0xfee00900, %eax\n"		/* -> xAPIC */
    "	wrmsr\n"
    "	rdmsr\n"
    "	out %eax, $0x61\n"
    "	mov 0xfee00030, %eax\n"			/* version */
    "	out %eax, $0x62\n"
    "	mov 0xfee00020, %eax\n"			/* ID */
    "	out %eax, $0x63\n"
    "	movl $0x1ff, 0xfee000f0\n"		/* SVR: on */
    "	movl $0x20, 0xfee00080\n"		/* TPR */
    "	mov 0xfee00080, %eax\n"
    "	out %eax, $0x64\n"
    "	movl $0, 0xfee00080\n"
    "	movl $0x40041, 0xfee00300\n"		/* ICR: self, vector 0x41 */
    "	sti\n"
    "	nop\n"
    "	cli\n"
    "	mov $0x1b, %ecx\n"			/* xAPIC -> x2APIC */
    "	mov $0xfee00d00, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	mov $0x802, %ecx\n"
    "	rdmsr\n"
    "	out %eax, $0x65\n"			/* x2APIC id */
    /* One-shot, divide by 1, 2 ms: TMCCT goes down, then vector 0x42. */
    "	xor %edx, %edx\n"
    "	mov $0x83e, %ecx\n"
    "	mov $0xb, %eax\n"
    "	wrmsr\n"
    "	mov $0x832, %ecx\n"
    "	mov $0x42, %eax\n"
    "	wrmsr\n"
    "	mov $0x838, %ecx\n"
    "	mov $2000000, %eax\n"
    "	wrmsr\n"
    "	mov $0x839, %ecx\n"
    "	rdmsr\n"
    "	mov %eax, %ebx\n"
    "	mov $0x3000, %esi\n"
    "1:	dec %esi\n"
    "	jnz 1b\n"
    "	rdmsr\n"
    "	xor %edi, %edi\n"
    "	cmp %ebx, %eax\n"
    "	setb %al\n"
    "	cmp $2000000, %ebx\n"
    "	setbe %ah\n"
    "	and %ah, %al\n"
    "	movzbl %al, %eax\n"
    "	out %eax, $0x66\n"			/* 1: counting down */
    "	sti\n"
    "	hlt\n"
    "	cli\n"
    "	rdmsr\n"
    "	out %eax, $0x67\n"			/* TMCCT 0 after it ran out */
    /* Periodic, 200 us, vector 0x43: five interrupts, then masked. */
    "	movl $0, 0x3000\n"
    "	mov $0x832, %ecx\n"
    "	mov $0x20043, %eax\n"
    "	wrmsr\n"
    "	mov $0x838, %ecx\n"
    "	mov $200000, %eax\n"
    "	wrmsr\n"
    "	sti\n"
    "2:	hlt\n"
    "	cmpl $5, 0x3000\n"
    "	jb 2b\n"
    "	cli\n"
    "	mov $0x832, %ecx\n"
    "	mov $0x10043, %eax\n"
    "	wrmsr\n"
    "	mov 0x3000, %eax\n"
    "	out %eax, $0x68\n"			/* 5 (or one more) */
    /* TSC deadline, offered by CPUID, 1M ticks ahead, vector 0x44. */
    "	mov $1, %eax\n"
    "	cpuid\n"
    "	shr $24, %ecx\n"
    "	and $1, %ecx\n"
    "	mov %ecx, %eax\n"
    "	out %eax, $0x69\n"
    "	mov $0x832, %ecx\n"
    "	mov $0x40044, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	rdtsc\n"
    "	add $1000000, %eax\n"
    "	adc $0, %edx\n"
    "	mov $0x6e0, %ecx\n"
    "	wrmsr\n"
    "	sti\n"
    "	hlt\n"
    "	cli\n"
    "	rdmsr\n"
    "	or %edx, %eax\n"
    "	out %eax, $0x6a\n"			/* 0: disarmed once it fired */
    "	hlt\n"
    "a_gp:\n"
    "	add $4, %esp\n"
    "	addl $2, (%esp)\n"
    "	push %eax\n"
    "	mov $13, %eax\n"
    "	out %eax, $0x50\n"
    "	pop %eax\n"
    "	iret\n"
    "a_h41:\n"				/* xAPIC: EOI through the page */
    "	push %eax\n"
    "	mov $0x41, %eax\n"
    "	out %eax, $0x70\n"
    "	movl $0, 0xfee000b0\n"
    "	pop %eax\n"
    "	iret\n"
    "a_h42:\n"
    "	push %eax\n"
    "	mov $0x42, %eax\n"
    "	jmp 3f\n"
    "a_h44:\n"
    "	push %eax\n"
    "	mov $0x44, %eax\n"
    "3:	out %eax, $0x70\n"
    "	pop %eax\n"
    "a_h43:\n"				/* x2APIC: EOI by WRMSR */
    "	push %eax\n"
    "	push %ecx\n"
    "	push %edx\n"
    "	incl 0x3000\n"
    "	mov $0x80b, %ecx\n"
    "	xor %eax, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "	pop %edx\n"
    "	pop %ecx\n"
    "	pop %eax\n"
    "	iret\n"
    ".code64\n"
    "apic_end:\n"
    ".popsection\n");

#define ADDR(label)	(GUEST_CODE_GPA + (label - apic_start))

FIXTURE(apic) {
	struct uv_vm vm;
};

FIXTURE_SETUP(apic)
{
	struct microv_sregs s;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	ASSERT_EQ(0, uv_vm_create(&self->vm, MEM_SIZE, apic_start, apic_end,
				  UV_PROT32));
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_GET_SREGS, &s));
	uv_tables(&self->vm, UV_PROT32, &s);
	ASSERT_EQ(0, ioctl(self->vm.vcpu, MICROV_SET_SREGS, &s));
	uv_set_gate(&self->vm, UV_PROT32, 13, ADDR(a_gp));
	uv_set_gate(&self->vm, UV_PROT32, 0x41, ADDR(a_h41));
	uv_set_gate(&self->vm, UV_PROT32, 0x42, ADDR(a_h42));
	uv_set_gate(&self->vm, UV_PROT32, 0x43, ADDR(a_h43));
	uv_set_gate(&self->vm, UV_PROT32, 0x44, ADDR(a_h44));
}

FIXTURE_TEARDOWN(apic)
{
	uv_vm_destroy(&self->vm);
}

TEST_F(apic, modes_xapic_page_and_timer)
{
	struct uv_vm *vm = &self->vm;
	struct microv_domain_info info = { 0 };

	/* Enabled, x2APIC, bootstrap processor. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x60, 4, 0xfee00d00);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x50, 4, 13);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x61, 4, 0xfee00900);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x62, 4, 0x50014);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x63, 4, 0);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x64, 4, 0x20);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x70, 4, 0x41);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x65, 4, 0);
	/* The one-shot timer. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x66, 4, 1);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x70, 4, 0x42);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x67, 4, 0);
	/* Periodic. */
	ASSERT_EQ(0, uv_run(vm));
	ASSERT_EQ(MICROV_EXIT_IO, vm->run->exit_reason);
	EXPECT_EQ(0x68, vm->run->io.port);
	EXPECT_TRUE(vm->run->io.data == 5 || vm->run->io.data == 6)
		TH_LOG("%u periodic interrupts", vm->run->io.data);
	/* TSC deadline. */
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x69, 4, 1);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x70, 4, 0x44);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x6a, 4, 0);
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);
	/* The APIC page is a device, not memory with nothing there. */
	ASSERT_EQ(0, ioctl(vm->dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(0, info.nr_mmio_unbacked);
}

/* A strict domain stops at memory with nothing there, not at the APIC. */
TEST(apic_strict)
{
	struct microv_domain_info info = { 0 };
	struct microv_sregs s;
	struct uv_vm vm;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load());
	ASSERT_EQ(0, uv_vm_create_flags(&vm, MEM_SIZE, apic_start, apic_end,
					UV_PROT32, MICROV_DOMAIN_STRICT_MMIO));
	ASSERT_EQ(0, ioctl(vm.vcpu, MICROV_GET_SREGS, &s));
	uv_tables(&vm, UV_PROT32, &s);
	ASSERT_EQ(0, ioctl(vm.vcpu, MICROV_SET_SREGS, &s));
	uv_set_gate(&vm, UV_PROT32, 13, ADDR(a_gp));
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x60, 4, 0xfee00d00);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x50, 4, 13);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x61, 4, 0xfee00900);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x62, 4, 0x50014);
	ASSERT_EQ(0, ioctl(vm.dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(0, info.nr_mmio_unbacked);
	uv_vm_destroy(&vm);
}

TEST_HARNESS_MAIN
