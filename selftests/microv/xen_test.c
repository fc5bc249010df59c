// SPDX-License-Identifier: GPL-2.0
/*
 * The Xen ABI as a guest meets it: the CPUID leaves at 0x40000000, the
 * hypercall page written on the MSR that leaf 2 names, and xen_version
 * called through that page and through raw VMCALL, from 32-bit and 64-bit
 * guests with and without paging.  Buffers are passed by guest-virtual
 * address, at addresses the guest's page tables send elsewhere, across a
 * page boundary whose two halves are not contiguous in guest-physical
 * memory: what the guest finds there proves the page walk.
 */
#include <stdint.h>
/* Xen's current interface, not that of 2006 (where sched_op is 6). */
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#include <xen/arch-x86/cpuid.h>
#include <xen/sched.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/version.h>
#include <xen/xen.h>

#include <poll.h>

#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)
#define HCALL_PAGE	0x5000		/* guest-physical */
#define BUF_VA		0x40000ff8	/* 8 bytes before a page boundary */
#define BUF_PA_LO	0x7000		/* its first page, physically */
#define BUF_PA_HI	0x9000		/* its second page */
#define PT_32		0x40000		/* 32-bit and PAE tables from here */

/* Xen's constants, spelled into guest code as the assembler wants them. */
#define STR(x)		#x
#define XSTR(x)		STR(x)
#define NR_VERSION	XSTR(__HYPERVISOR_xen_version)
#define NR_SCHED	XSTR(__HYPERVISOR_sched_op)
#define NR_HVM		XSTR(__HYPERVISOR_hvm_op)
#define NR_MEMORY	XSTR(__HYPERVISOR_memory_op)
#define NR_VM_ASSIST	XSTR(__HYPERVISOR_vm_assist)
#define NR_CONSOLE	XSTR(__HYPERVISOR_console_io)

/*
 * Common to both modes (the assembler makes 32- or 64-bit code of it; the
 * registers a hypercall takes differ, so each mode has its own part):
 * report the Xen signature (EBX of leaf 0x40000000) on port 0x60 and the
 * hypercall MSR (EBX of leaf 0x40000002) on 0x61, then write the page.
 */
#define GUEST_SETUP							\
	"	mov $" XSTR(XEN_CPUID_LEAF(0)) ", %eax\n"		\
	"	cpuid\n"						\
	"	mov %ebx, %eax\n"					\
	"	out %eax, $0x60\n"					\
	"	mov $" XSTR(XEN_CPUID_LEAF(2)) ", %eax\n"		\
	"	cpuid\n"						\
	"	mov %ebx, %ecx\n"					\
	"	mov %ebx, %eax\n"					\
	"	out %eax, $0x61\n"					\
	"	mov $0x5000, %eax\n"					\
	"	xor %edx, %edx\n"					\
	"	wrmsr\n"

/* 64-bit: XENVER_extraversion into BUF_VA through the page, the result on
 * 0x62; XENVER_version by raw VMCALL on 0x63; a bad pointer on 0x64. */
GUEST_CODE(guest_xen64);
asm(".pushsection .rodata\n"
    "guest_xen64_start:\n"
    GUEST_SETUP
    "	mov $" XSTR(XENVER_extraversion) ", %edi\n"
    "	mov $0x40000ff8, %esi\n"
    "	mov $(0x5000 + " NR_VERSION " * 32), %eax\n"	/* its stub */
    "	call *%rax\n"
    "	out %eax, $0x62\n"
    "	mov $" NR_VERSION ", %eax\n"
    "	xor %edi, %edi\n"
    "	vmcall\n"
    "	out %eax, $0x63\n"
    "	mov $" NR_VERSION ", %eax\n"
    "	mov $" XSTR(XENVER_extraversion) ", %edi\n"
    "	movabs $0x7fff00000000, %rsi\n"		/* not mapped */
    "	vmcall\n"
    "	out %eax, $0x64\n"
    "	hlt\n"
    "guest_xen64_end:\n"
    ".popsection\n");

/* 32-bit: the same, arguments in EBX and ECX. */
GUEST_CODE(guest_xen32);
asm(".pushsection .rodata\n"
    "guest_xen32_start:\n"
    ".code32\n"
    GUEST_SETUP
    "	mov $" XSTR(XENVER_extraversion) ", %ebx\n"
    "	mov $0x40000ff8, %ecx\n"
    "	mov $(0x5000 + " NR_VERSION " * 32), %eax\n"
    "	call *%eax\n"
    "	out %eax, $0x62\n"
    "	mov $" NR_VERSION ", %eax\n"
    "	xor %ebx, %ebx\n"
    "	vmcall\n"
    "	out %eax, $0x63\n"
    "	mov $" NR_VERSION ", %eax\n"
    "	mov $" XSTR(XENVER_extraversion) ", %ebx\n"
    "	mov $0xfffffffc, %ecx\n"		/* wraps at 4 GiB */
    "	vmcall\n"
    "	out %eax, $0x64\n"
    "	hlt\n"
    ".code64\n"
    "guest_xen32_end:\n"
    ".popsection\n");

/* 64-bit: SCHEDOP_shutdown with the struct at 0x3000, its result on port
 * 0x65 should the domain be run again, then HLT. */
GUEST_CODE(guest_shutdown);
asm(".pushsection .rodata\n"
    "guest_shutdown_start:\n"
    "	mov $" NR_SCHED ", %eax\n"
    "	mov $" XSTR(SCHEDOP_shutdown) ", %edi\n"
    "	mov $0x3000, %esi\n"
    "	vmcall\n"
    "	out %eax, $0x65\n"
    "	hlt\n"
    "guest_shutdown_end:\n"
    ".popsection\n");

/* 64-bit: SCHEDOP_block with interrupts on: waits for an event. */
GUEST_CODE(guest_block);
asm(".pushsection .rodata\n"
    "guest_block_start:\n"
    "	sti\n"
    "	mov $" NR_SCHED ", %eax\n"
    "	mov $" XSTR(SCHEDOP_block) ", %edi\n"
    "	vmcall\n"
    "	hlt\n"
    "guest_block_end:\n"
    ".popsection\n");

/*
 * 64-bit: HVMOP_get_param with the struct at 0x3000 (result on 0x66, value
 * on 0x67), then HVMOP_set_param with the one at 0x3100 (result on 0x68).
 */
GUEST_CODE(guest_params);
asm(".pushsection .rodata\n"
    "guest_params_start:\n"
    "	mov $" NR_HVM ", %eax\n"
    "	mov $" XSTR(HVMOP_get_param) ", %edi\n"
    "	mov $0x3000, %esi\n"
    "	vmcall\n"
    "	out %eax, $0x66\n"
    "	mov 0x3008, %eax\n"
    "	out %eax, $0x67\n"
    "	mov $" NR_HVM ", %eax\n"
    "	mov $" XSTR(HVMOP_set_param) ", %edi\n"
    "	mov $0x3100, %esi\n"
    "	vmcall\n"
    "	out %eax, $0x68\n"
    "	hlt\n"
    "guest_params_end:\n"
    ".popsection\n");

/*
 * 64-bit: its reservation (DOMID_SELF at 0x3000) on 0x69, its highest
 * frame on 0x6a, and vm_assist(runstate_update_flag) on 0x6b.
 */
GUEST_CODE(guest_memory);
asm(".pushsection .rodata\n"
    "guest_memory_start:\n"
    "	mov $" NR_MEMORY ", %eax\n"
    "	mov $" XSTR(XENMEM_current_reservation) ", %edi\n"
    "	mov $0x3000, %esi\n"
    "	vmcall\n"
    "	out %eax, $0x69\n"
    "	mov $" NR_MEMORY ", %eax\n"
    "	mov $" XSTR(XENMEM_maximum_ram_page) ", %edi\n"
    "	vmcall\n"
    "	out %eax, $0x6a\n"
    "	mov $" NR_VM_ASSIST ", %eax\n"
    "	mov $" XSTR(VMASST_CMD_enable) ", %edi\n"
    "	mov $" XSTR(VMASST_TYPE_runstate_update_flag) ", %esi\n"
    "	vmcall\n"
    "	out %eax, $0x6b\n"
    "	hlt\n"
    "guest_memory_end:\n"
    ".popsection\n");

/*
 * 64-bit, ballooning: 32 pages at 1 MiB written, then given back
 * (decrease_reservation, list at 0x3000, struct at 0x3100): the first
 * reads all ones and takes no write; the reservation drops; taken again
 * (populate_physmap), zeroed.  Then two order-4 extents (struct 0x3200,
 * list 0x3400) both ways, and remove_from_physmap of one frame (struct 0x3300), twice.
 * Ports 0x70 up.
 */
#define BALLOON_GPA	0x100000
#define BALLOON_PAGES	32
GUEST_CODE(guest_balloon);
asm(".pushsection .rodata\n"
    "guest_balloon_start:\n"
    "	mov $" XSTR(BALLOON_GPA) ", %edi\n"
    "	mov $" XSTR(BALLOON_PAGES * 4096 / 8) ", %ecx\n"
    "	movabs $0xabababababababab, %rax\n"
    "	rep stosq\n"
    "	push %rax\n"				/* the stack pinned too */
    "	pop %rax\n"
    "	out %eax, $0x70\n"
    "	mov $" XSTR(XENMEM_decrease_reservation) ", %edi\n"
    "	mov $0x3100, %esi\n"
    "	call 1f\n"
    "	out %eax, $0x71\n"
    "	movl $0x12345678, " XSTR(BALLOON_GPA) "\n"
    "	mov " XSTR(BALLOON_GPA) ", %eax\n"
    "	out %eax, $0x72\n"
    "	mov $" XSTR(XENMEM_current_reservation) ", %edi\n"
    "	mov $0x3118, %esi\n"			/* the struct's domid */
    "	call 1f\n"
    "	out %eax, $0x73\n"
    "	mov $" XSTR(XENMEM_populate_physmap) ", %edi\n"
    "	mov $0x3100, %esi\n"
    "	call 1f\n"
    "	out %eax, $0x74\n"
    "	mov " XSTR(BALLOON_GPA) ", %eax\n"
    "	or " XSTR(BALLOON_GPA + BALLOON_PAGES * 4096 - 4) ", %eax\n"
    "	out %eax, $0x75\n"
    "	mov $" XSTR(XENMEM_decrease_reservation) ", %edi\n"
    "	mov $0x3200, %esi\n"
    "	call 1f\n"
    "	out %eax, $0x76\n"
    "	mov $" XSTR(XENMEM_populate_physmap) ", %edi\n"
    "	mov $0x3200, %esi\n"
    "	call 1f\n"
    "	out %eax, $0x77\n"
    "	mov $" XSTR(XENMEM_remove_from_physmap) ", %edi\n"
    "	mov $0x3300, %esi\n"
    "	call 1f\n"
    "	out %eax, $0x78\n"
    "	mov $" XSTR(XENMEM_remove_from_physmap) ", %edi\n"
    "	mov $0x3300, %esi\n"
    "	call 1f\n"
    "	out %eax, $0x79\n"
    "	hlt\n"
    "1:	mov $" NR_MEMORY ", %eax\n"
    "	vmcall\n"
    "	ret\n"
    "guest_balloon_end:\n"
    ".popsection\n");

/*
 * 64-bit, hostile: 20000 hypercalls with random numbers (0..63) and
 * arguments from a xorshift generator; half the sub-ops small, half the
 * pointers into the guest's upper MiB (away from its code, tables and
 * stack), the rest anything.  SCHEDOP_block and SCHEDOP_poll are skipped:
 * they may wait for ever.  Then 0x77 on port 0x70.
 */
GUEST_CODE(guest_chaos);
asm(".pushsection .rodata\n"
    "guest_chaos_start:\n"
    "	mov $20000, %r13d\n"
    "	movabs $0x9e3779b97f4a7c15, %r12\n"
    "1:	mov %r12, %rax\n"
    "	shl $13, %rax\n"
    "	xor %rax, %r12\n"
    "	mov %r12, %rax\n"
    "	shr $7, %rax\n"
    "	xor %rax, %r12\n"
    "	mov %r12, %rax\n"
    "	shl $17, %rax\n"
    "	xor %rax, %r12\n"
    "	mov %r12, %rdi\n"
    "	test $2, %r12b\n"
    "	jz 2f\n"
    "	and $15, %rdi\n"
    "2:	mov %r12, %rsi\n"
    "	ror $17, %rsi\n"
    "	test $1, %r12b\n"
    "	jz 3f\n"
    "	and $0xfffff, %rsi\n"
    "	or $0x100000, %rsi\n"
    "3:	mov %r12, %rdx\n"
    "	ror $29, %rdx\n"
    "	mov %r12, %r10\n"
    "	ror $41, %r10\n"
    "	mov %r12, %r8\n"
    "	ror $53, %r8\n"
    "	mov %r12, %rax\n"
    "	shr $58, %rax\n"
    "	cmp $" NR_SCHED ", %eax\n"
    "	jne 4f\n"
    "	cmp $" XSTR(SCHEDOP_block) ", %rdi\n"
    "	je 5f\n"
    "	cmp $" XSTR(SCHEDOP_poll) ", %rdi\n"
    "	je 5f\n"
    "4:	vmcall\n"
    "5:	dec %r13d\n"
    "	jnz 1b\n"
    "	mov $0x77, %al\n"
    "	out %al, $0x70\n"
    "	hlt\n"
    "guest_chaos_end:\n"
    ".popsection\n");

/*
 * 64-bit: console_io writes the 21 bytes at 0x3000 (result on 0x6c), then
 * five times 4 KiB from 0x100000, more than the stream keeps (on 0x6d).
 */
GUEST_CODE(guest_console);
asm(".pushsection .rodata\n"
    "guest_console_start:\n"
    "	mov $" NR_CONSOLE ", %eax\n"
    "	mov $" XSTR(CONSOLEIO_write) ", %edi\n"
    "	mov $21, %esi\n"
    "	mov $0x3000, %edx\n"
    "	vmcall\n"
    "	out %eax, $0x6c\n"
    "	mov $5, %r13d\n"
    "1:	mov $" NR_CONSOLE ", %eax\n"
    "	mov $" XSTR(CONSOLEIO_write) ", %edi\n"
    "	mov $4096, %esi\n"
    "	mov $0x100000, %edx\n"
    "	vmcall\n"
    "	dec %r13d\n"
    "	jnz 1b\n"
    "	out %eax, $0x6d\n"
    "	hlt\n"
    "guest_console_end:\n"
    ".popsection\n");

enum paging { NO_PAGING, PAGING_32, PAGING_PAE, PAGING_64 };

FIXTURE(xen) {
	struct uv_vm vm;
};

FIXTURE_VARIANT(xen) {
	enum paging paging;
};

FIXTURE_VARIANT_ADD(xen, prot32_no_paging) { .paging = NO_PAGING };
FIXTURE_VARIANT_ADD(xen, prot32_paging) { .paging = PAGING_32 };
FIXTURE_VARIANT_ADD(xen, prot32_pae) { .paging = PAGING_PAE };
FIXTURE_VARIANT_ADD(xen, long64) { .paging = PAGING_64 };

FIXTURE_SETUP(xen)
{
	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	self->vm.dev = self->vm.dom = self->vm.vcpu = -1;
}

FIXTURE_TEARDOWN(xen)
{
	uv_vm_destroy(&self->vm);
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
}

/*
 * Page tables that map the first 4 MiB (or 2 MiB) one to one, and the two
 * pages around BUF_VA to BUF_PA_LO and BUF_PA_HI.  Without paging, the
 * buffer is at BUF_VA physically: guest RAM must reach there, so the test
 * adds a slot.
 */
static void map_buffer(struct uv_vm *vm, enum paging paging,
		       struct microv_sregs *s)
{
	unsigned char *m = vm->mem;
	__u32 *pd32 = (void *)(m + PT_32), *pt32 = (void *)(m + PT_32 + 0x1000);
	__u64 *pdpt = (void *)(m + PT_32), *pd = (void *)(m + PT_32 + 0x1000),
	      *pt = (void *)(m + PT_32 + 0x2000);
	__u64 va = BUF_VA & ~0xfffull;

	switch (paging) {
	case NO_PAGING:
		break;
	case PAGING_32:
		pd32[0] = 0x83;				/* 4 MiB, PSE */
		pd32[va >> 22] = (PT_32 + 0x1000) | 3;
		pt32[(va >> 12) & 1023] = BUF_PA_LO | 3;
		pt32[((va >> 12) + 1) & 1023] = BUF_PA_HI | 3;
		s->cr3 = PT_32;
		s->cr4 = 0x10;				/* PSE */
		s->cr0 = 0x80000011;
		break;
	case PAGING_PAE:
		pdpt[0] = (PT_32 + 0x1000) | 1;
		pdpt[va >> 30] = (PT_32 + 0x3000) | 1;
		pd[0] = 0x83;				/* 2 MiB */
		((__u64 *)(m + PT_32 + 0x3000))[(va >> 21) & 511] =
			(PT_32 + 0x2000) | 3;
		pt[(va >> 12) & 511] = BUF_PA_LO | 3;
		pt[((va >> 12) + 1) & 511] = BUF_PA_HI | 3;
		s->cr3 = PT_32;
		s->cr4 = 0x20;				/* PAE */
		s->cr0 = 0x80000011;
		break;
	case PAGING_64:
		/* guest.h mapped the first GiB with 2 MiB pages; add the second. */
		((__u64 *)(m + GUEST_PT_GPA + 0x1000))[1] = (PT_32 + 0x1000) | 3;
		pd[(va >> 21) & 511] = (PT_32 + 0x2000) | 3;
		pt[(va >> 12) & 511] = BUF_PA_LO | 3;
		pt[((va >> 12) + 1) & 511] = BUF_PA_HI | 3;
		break;
	}
}

TEST_F(xen, version_through_page_and_vmcall)
{
	enum paging paging = variant->paging;
	struct microv_domain_info info = { 0 };
	struct microv_sregs sregs;
	struct uv_vm *vm = &self->vm;
	unsigned char *lo, *hi;
	void *high = NULL;

	if (paging == PAGING_64) {
		ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, guest_xen64_start,
					  guest_xen64_end, UV_LONG64));
	} else {
		ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, guest_xen32_start,
					  guest_xen32_end, UV_PROT32));
	}
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_GET_SREGS, &sregs));
	map_buffer(vm, paging, &sregs);
	ASSERT_EQ(0, ioctl(vm->vcpu, MICROV_SET_SREGS, &sregs));
	lo = vm->mem + BUF_PA_LO + 0xff8;
	hi = vm->mem + BUF_PA_HI;
	if (paging == NO_PAGING) {
		/* Two pages of RAM at BUF_VA itself. */
		high = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, high);
		ASSERT_EQ(0, uv_set_region(vm->dom, 1, BUF_VA & ~0xfffull,
					   high, 0x2000, 0));
		lo = (unsigned char *)high + 0xff8;
		hi = (unsigned char *)high + 0x1000;
	}

	memset(lo, 0xaa, 8);
	memset(hi, 0xaa, 8);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x60, 4, XEN_CPUID_SIGNATURE_EBX);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x61, 4, 0x40000000);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x62, 4, 0);
	/* The page: xen_version's stub is "mov $17, %eax; vmcall; ret". */
	EXPECT_EQ(0, memcmp(vm->mem + HCALL_PAGE + __HYPERVISOR_xen_version * 32,
			    "\xb8\x11\0\0\0\x0f\x01\xc1\xc3", 9));
	/* "-microv" and its padding, split where the guest's pages split. */
	EXPECT_EQ(0, memcmp(lo, "-microv\0", 8));
	EXPECT_EQ(0, memcmp(hi, "\0\0\0\0\0\0\0\0", 8));
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x63, 4, 4 << 16 | 17);
	expect_io(_metadata, vm, MICROV_IO_OUT, 0x64, 4, (__u32)-EFAULT);
	expect_exit(_metadata, vm, MICROV_EXIT_HLT);

	ASSERT_EQ(0, ioctl(vm->dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(3, info.nr_hypercalls);
	EXPECT_EQ(0, info.nr_enosys);
	if (high) {
		ASSERT_EQ(0, uv_set_region(vm->dom, 1, 0, NULL, 0, 0));
		munmap(high, 0x2000);
	}
}

/* Each shutdown reason reaches userspace; the hypercall itself returns 0. */
TEST(shutdown_reasons)
{
	static const __u32 reasons[] = {
		SHUTDOWN_poweroff, SHUTDOWN_reboot, SHUTDOWN_crash,
		SHUTDOWN_watchdog,
	};
	struct uv_vm vm;
	unsigned int i;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load());
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, guest_shutdown_start,
					  guest_shutdown_end, UV_LONG64));
		*(__u32 *)(vm.mem + 0x3000) = reasons[i];
		expect_exit(_metadata, &vm, MICROV_EXIT_SHUTDOWN);
		EXPECT_EQ(reasons[i], vm.run->shutdown.reason);
		expect_io(_metadata, &vm, MICROV_IO_OUT, 0x65, 4, 0);
		uv_vm_destroy(&vm);
	}
	/* A reason Xen does not define is refused, and nothing stops. */
	ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, guest_shutdown_start,
				  guest_shutdown_end, UV_LONG64));
	*(__u32 *)(vm.mem + 0x3000) = SHUTDOWN_MAX + 1;
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x65, 4, (__u32)-EINVAL);
	uv_vm_destroy(&vm);
}

/* The toolstack places a ring and the guest finds it; the guest picks its
 * callback and the toolstack sees it; what is not the guest's, it cannot. */
TEST(hvm_params)
{
	struct microv_hvm_param p = { .index = HVM_PARAM_CONSOLE_PFN,
				      .value = 0xfeff };
	struct xen_hvm_param *get, *set;
	struct uv_vm vm;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load());
	ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, guest_params_start,
				  guest_params_end, UV_LONG64));
	ASSERT_EQ(0, ioctl(vm.dom, MICROV_SET_HVM_PARAM, &p));
	get = (void *)(vm.mem + 0x3000);
	get->domid = DOMID_SELF;
	get->index = HVM_PARAM_CONSOLE_PFN;
	set = (void *)(vm.mem + 0x3100);
	set->domid = DOMID_SELF;
	set->index = HVM_PARAM_CALLBACK_IRQ;
	set->value = 2ull << 56 | 0xf3;		/* vector 0xf3 */
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x66, 4, 0);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x67, 4, 0xfeff);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x68, 4, 0);
	p.index = HVM_PARAM_CALLBACK_IRQ;
	ASSERT_EQ(0, ioctl(vm.dom, MICROV_GET_HVM_PARAM, &p));
	EXPECT_EQ(2ull << 56 | 0xf3, p.value);
	uv_vm_destroy(&vm);

	/* A parameter the guest may not set, run again from the start. */
	ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, guest_params_start,
				  guest_params_end, UV_LONG64));
	get = (void *)(vm.mem + 0x3000);
	get->domid = DOMID_SELF;
	get->index = HVM_PARAM_TIMER_MODE;
	set = (void *)(vm.mem + 0x3100);
	set->domid = DOMID_SELF;
	set->index = HVM_PARAM_STORE_PFN;
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x66, 4, (__u32)-EPERM);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x67, 4, 0);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x68, 4, (__u32)-EPERM);
	/* The toolstack's own errors. */
	p.index = 1000;
	ASSERT_EQ(-1, ioctl(vm.dom, MICROV_SET_HVM_PARAM, &p));
	EXPECT_EQ(EINVAL, errno);
	p.index = HVM_PARAM_STORE_PFN;
	p.flags = 1;
	ASSERT_EQ(-1, ioctl(vm.dom, MICROV_GET_HVM_PARAM, &p));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(vm.dom, MICROV_GET_HVM_PARAM, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	uv_vm_destroy(&vm);
}

/* The guest's reservation is its RAM, and follows a slot added later. */
TEST(memory_reservation)
{
	struct uv_vm vm;
	void *more;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load());
	ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, guest_memory_start,
				  guest_memory_end, UV_LONG64));
	more = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, more);
	ASSERT_EQ(0, uv_set_region(vm.dom, 1, 0x10000000, more, 0x10000, 0));
	*(__u16 *)(vm.mem + 0x3000) = DOMID_SELF;
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x69, 4,
		  (MEM_SIZE + 0x10000) / 4096);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x6a, 4,
		  (0x10000000 + 0x10000) / 4096);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x6b, 4, 0);
	uv_vm_destroy(&vm);
	munmap(more, 0x10000);
}

/* struct xen_memory_reservation, 64-bit, at @gpa: @nr extents at @list. */
static void put_reservation(struct uv_vm *vm, __u64 gpa, __u64 list,
			    __u64 nr, __u32 order)
{
	struct xen_memory_reservation r = {
		.nr_extents = nr, .extent_order = order, .domid = DOMID_SELF,
	};

	set_xen_guest_handle(r.extent_start, (xen_pfn_t *)list);
	memcpy(vm->mem + gpa, &r, sizeof(r));
}

/*
 * A guest gives pages back and takes them again: the host's pinned count
 * and the guest's reservation follow, the process's memory behind them is
 * dropped (its mapping reads zero), and what the guest finds is no RAM,
 * then zeroed RAM.
 */
TEST(balloon)
{
	struct { domid_t domid; __u16 pad[3]; __u64 gpfn; } rm = {
		.domid = DOMID_SELF, .gpfn = BALLOON_GPA / 4096,
	};
	struct microv_domain_info info = { 0 };
	__u64 *list;
	long pinned;
	struct uv_vm vm;
	int i;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load());
	ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, guest_balloon_start,
				  guest_balloon_end, UV_LONG64));
	list = (void *)(vm.mem + 0x3000);
	for (i = 0; i < BALLOON_PAGES; i++)
		list[i] = BALLOON_GPA / 4096 + i;
	put_reservation(&vm, 0x3100, 0x3000, BALLOON_PAGES, 0);
	put_reservation(&vm, 0x3200, 0x3400, 2, 4);
	list = (void *)(vm.mem + 0x3400);
	list[0] = BALLOON_GPA / 4096;
	list[1] = BALLOON_GPA / 4096 + 16;
	memcpy(vm.mem + 0x3300, &rm, sizeof(rm));

	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x70, 4, 0xabababab);
	pinned = microv_counter("pinned_pages");
	EXPECT_EQ(0xab, vm.mem[BALLOON_GPA + 5 * 4096]);

	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x71, 4, BALLOON_PAGES);
	EXPECT_EQ(pinned - BALLOON_PAGES, microv_counter("pinned_pages"));
	ASSERT_EQ(0, ioctl(vm.dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(BALLOON_PAGES, info.nr_pages_given_back);
	EXPECT_EQ(MEM_SIZE / 4096, info.nr_pages);
	/* The host has the memory back: its mapping reads zero again. */
	EXPECT_EQ(0, vm.mem[BALLOON_GPA + 5 * 4096]);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x72, 4, 0xffffffff);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x73, 4,
		  MEM_SIZE / 4096 - BALLOON_PAGES);

	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x74, 4, BALLOON_PAGES);
	EXPECT_EQ(pinned, microv_counter("pinned_pages"));
	ASSERT_EQ(0, ioctl(vm.dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(0, info.nr_pages_given_back);
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x75, 4, 0);

	/* Two extents of 16 pages, out and in. */
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x76, 4, 2);
	EXPECT_EQ(pinned - 32, microv_counter("pinned_pages"));
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x77, 4, 2);
	EXPECT_EQ(pinned, microv_counter("pinned_pages"));

	/* remove_from_physmap: the frame goes, then there is nothing. */
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x78, 4, 0);
	EXPECT_EQ(pinned - 1, microv_counter("pinned_pages"));
	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x79, 4, (__u32)-ENOENT);
	expect_exit(_metadata, &vm, MICROV_EXIT_HLT);
	uv_vm_destroy(&vm);
	EXPECT_EQ(0, microv_counter("pinned_pages"));
}

/*
 * A hostile guest: whatever its hypercalls do to it (it may even wreck
 * itself), the host stays healthy: no kernel warning, its exits are ones
 * microv documents, and the domain goes away cleanly.
 */
FIXTURE(hostile) {
	int unused;
};

FIXTURE_SETUP(hostile)
{
}

FIXTURE_TEARDOWN(hostile)
{
}

TEST_F_TIMEOUT(hostile, random_hypercalls, 300)
{
	struct microv_domain_info info = { 0 };
	int warnings = klog_count("cut here") + klog_count("BUG");
	bool finished = false;
	struct uv_vm vm;
	int i;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load());
	ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, guest_chaos_start,
				  guest_chaos_end, UV_LONG64));
	for (i = 0; i < 1000 && !finished; i++) {
		ASSERT_EQ(0, uv_run(&vm)) TH_LOG("run: %s", strerror(errno));
		switch (vm.run->exit_reason) {
		case MICROV_EXIT_SHUTDOWN:
			continue;	/* it asked; run it on */
		case MICROV_EXIT_IO:
			finished = vm.run->io.port == 0x70 &&
				   vm.run->io.data == 0x77;
			ASSERT_TRUE(finished) TH_LOG("port %#x", vm.run->io.port);
			break;
		default:
			/* It wrecked itself (a triple fault, most likely). */
			TH_LOG("guest ended with exit %u after %d runs",
			       vm.run->exit_reason, i);
			finished = true;
			break;
		}
	}
	EXPECT_TRUE(finished);
	ASSERT_EQ(0, ioctl(vm.dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_LT(1000, info.nr_hypercalls);
	TH_LOG("%llu hypercalls, %llu answered -ENOSYS",
	       (unsigned long long)info.nr_hypercalls,
	       (unsigned long long)info.nr_enosys);
	uv_vm_destroy(&vm);
	EXPECT_EQ(0, microv_counter("domains"));
	EXPECT_EQ(0, microv_counter("pinned_pages"));
	EXPECT_EQ(warnings, klog_count("cut here") + klog_count("BUG"));
}

/*
 * What the guest writes to its hypervisor console comes out of the console
 * fd, with poll; what nobody read in time is dropped from the front and
 * counted.
 */
TEST(console_stream)
{
	struct microv_domain_info info = { 0 };
	static char buf[32768];
	struct pollfd pfd;
	struct uv_vm vm;
	ssize_t n, total;
	int cons, ring, i;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load());
	ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, guest_console_start,
				  guest_console_end, UV_LONG64));
	memcpy(vm.mem + 0x3000, "hello from the guest\n", 21);
	memset(vm.mem + 0x100000, 'x', 4096);
	ASSERT_EQ(-1, ioctl(vm.dom, MICROV_GET_CONSOLE, 4));
	EXPECT_EQ(EINVAL, errno);
	/* console_io goes to the hypervisor log, not to the console. */
	cons = ioctl(vm.dom, MICROV_GET_CONSOLE,
		     MICROV_CONSOLE_NONBLOCK | MICROV_CONSOLE_HVLOG);
	ASSERT_LE(0, cons);
	ring = ioctl(vm.dom, MICROV_GET_CONSOLE, MICROV_CONSOLE_NONBLOCK);
	ASSERT_LE(0, ring);
	EXPECT_EQ(-1, write(cons, "x", 1));	/* the log takes no input */
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(-1, read(cons, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	pfd.fd = cons;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x6c, 4, 0);
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	n = read(cons, buf, sizeof(buf));
	ASSERT_EQ(21, n);
	EXPECT_EQ(0, memcmp(buf, "hello from the guest\n", 21));
	EXPECT_EQ(-1, read(ring, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);

	expect_io(_metadata, &vm, MICROV_IO_OUT, 0x6d, 4, 0);
	for (total = 0; (n = read(cons, buf + total, sizeof(buf) - total)) > 0;)
		total += n;
	EXPECT_EQ(16384, total);
	for (i = 0; i < total; i++)
		if (buf[i] != 'x')
			break;
	EXPECT_EQ(total, i);
	ASSERT_EQ(0, ioctl(vm.dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(5 * 4096 - 16384, info.console_dropped);

	/* The log fd keeps the domain alive after its other fds close. */
	close(ring);
	uv_vm_destroy(&vm);
	EXPECT_EQ(1, microv_counter("domains"));
	close(cons);
	EXPECT_EQ(0, microv_counter("domains"));
}

TEST(block_waits_for_an_event)
{
	struct uv_vm vm;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load());
	ASSERT_EQ(0, uv_vm_create(&vm, MEM_SIZE, guest_block_start,
				  guest_block_end, UV_LONG64));
	run_until_signal(_metadata, &vm);
	uv_vm_destroy(&vm);
}

TEST_HARNESS_MAIN
