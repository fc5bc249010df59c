// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xenabi/ in userspace, over a fake vCPU: the CPUID leaves
 * (with the time leaf), the hypercall page, hypercall dispatch (64-bit
 * and 32-bit argument registers, CPL, unknown numbers), every xen_version
 * sub-op, sched_op (with poll), hvm_op (parameters, upcall vectors),
 * memory_op (memory map, add_to_physmap and the shared_info layout
 * latch), pvclock and wall clock, event channels, vcpu_op, timers,
 * runstates and grant_table_op (with the FIFO event channel ABI: queues,
 * priorities, words the guest changes), each with its error paths and, where a
 * structure differs, in both the 64-bit and the 32-bit guest's layout;
 * then the host's backend on a ring in guest memory: the console ring
 * (pulled and pushed across its end and the indexes' wrap, a producer
 * gone too far), the ports bound to the host, and a guest talking to the
 * console through events.
 * Xen's own headers say where things are: struct shared_info for a 64-bit
 * guest, <xen/foreign/x86_32.h> for a 32-bit one.  Output: TAP.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <xen/foreign/x86_32.h>

#include "fake_vcpu.h"
#include "../shinfo.h"

static int nr_tests, nr_failed;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failed = 1;					\
		}							\
	} while (0)

#define TEST(name) static void name(int *failedp)
#define failed (*failedp)

static struct fake_vcpu f;

/* A hypercall as the guest makes it: number in EAX, arguments by mode. */
static long call(int mode, unsigned long nr, unsigned long a0,
		 unsigned long a1)
{
	f.mode = mode;
	f.regs[XEN_REG_RAX] = nr;
	if (mode == 64) {
		f.regs[XEN_REG_RDI] = a0;
		f.regs[XEN_REG_RSI] = a1;
	} else {
		f.regs[XEN_REG_RBX] = a0;
		f.regs[XEN_REG_RCX] = a1;
	}
	xen_hypercall(&f.xv);
	return mode == 64 ? (long)f.regs[XEN_REG_RAX] :
			    (long)(int)f.regs[XEN_REG_RAX];
}

/* The third argument is RDX (EDX) in both modes. */
static long call3(int mode, unsigned long nr, unsigned long a0,
		  unsigned long a1, unsigned long a2)
{
	f.regs[XEN_REG_RDX] = a2;
	return call(mode, nr, a0, a1);
}

TEST(cpuid_leaves)
{
	u32 out[4];

	fake_init(&f, 64);
	CHECK(!xen_cpuid(&f.xv, 0x3fffffff, 0, out));
	CHECK(!xen_cpuid(&f.xv, 0x40000100, 0, out));
	CHECK(xen_cpuid(&f.xv, 0x40000000, 0, out));
	CHECK(out[0] == 0x40000004);
	CHECK(!memcmp(&out[1], "XenVMMXenVMM", 12));
	CHECK(xen_cpuid(&f.xv, 0x40000001, 0, out));
	CHECK(out[0] == (4 << 16 | 17));
	CHECK(xen_cpuid(&f.xv, 0x40000002, 0, out));
	CHECK(out[0] == 1 && out[1] == 0x40000000);
	CHECK(xen_cpuid(&f.xv, 0x40000004, 0, out));
	CHECK(out[0] == (XEN_HVM_CPUID_VCPU_ID_PRESENT |
			 XEN_HVM_CPUID_DOMID_PRESENT |
			 XEN_HVM_CPUID_UPCALL_VECTOR));
	CHECK(out[1] == 3 && out[2] == 7 && out[3] == 0);
	CHECK(xen_cpuid(&f.xv2, 0x40000004, 0, out));
	CHECK(out[1] == FAKE_VCPU2_ID);
	CHECK(xen_cpuid(&f.xv, 0x400000ff, 0, out));
	CHECK(!out[0] && !out[1] && !out[2] && !out[3]);
}

TEST(hypercall_page)
{
	static const unsigned char stub17[] = {
		0xb8, 17, 0, 0, 0, 0x0f, 0x01, 0xc1, 0xc3, 0xcc,
	};
	unsigned char *page = f.mem + 0x2000;

	fake_init(&f, 64);
	CHECK(xen_wrmsr(&f.xv, 0x40000001, 0x2000) == -ENOENT);
	CHECK(xen_wrmsr(&f.xv, 0x40000000, 0x2001) == -EINVAL);
	CHECK(xen_wrmsr(&f.xv, 0x40000000, FAKE_MEM_SIZE) == -EINVAL);
	CHECK(xen_wrmsr(&f.xv, 0x40000000, 0x2000) == 0);
	CHECK(!memcmp(page + 17 * 32, stub17, sizeof(stub17)));
	CHECK(page[0] == 0xb8 && page[1] == 0);
	CHECK(page[23 * 32] == 0x0f && page[23 * 32 + 1] == 0x0b); /* iret */
	CHECK(page[127 * 32] == 0xb8 && page[127 * 32 + 1] == 127);
	CHECK(page[4095] == 0xcc);
}

TEST(dispatch)
{
	fake_init(&f, 64);
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_version, 0) ==
	      (4 << 16 | 17));
	/* The number is EAX: high bits of RAX do not matter. */
	CHECK(call(64, 0xffffffff00000000ul | __HYPERVISOR_xen_version,
		   XENVER_version, 0) == (4 << 16 | 17));
	CHECK(call(32, __HYPERVISOR_xen_version, XENVER_pagesize, 0) == 4096);
	/* 32-bit arguments are EBX, ECX: RDI holds garbage. */
	f.regs[XEN_REG_RDI] = XENVER_build_id;
	CHECK(call(32, __HYPERVISOR_xen_version, XENVER_version, 0) ==
	      (4 << 16 | 17));
	CHECK(f.dom.nr_hypercalls == 4);
	CHECK(call(64, 1000, 0, 0) == -ENOSYS);
	CHECK(f.unsupported == 1 && f.unsupported_nr == 1000);
	CHECK(call(64, __HYPERVISOR_set_trap_table, 0x77, 0) == -ENOSYS);
	CHECK(f.dom.nr_enosys == 2 && f.unsupported == 2);
	CHECK(f.unsupported_nr == __HYPERVISOR_set_trap_table &&
	      f.unsupported_arg == 0x77);
	/* A known hypercall's unknown sub-op: its number and the sub-op. */
	CHECK(call(64, __HYPERVISOR_memory_op, 0x1234, 0) == -ENOSYS);
	CHECK(f.unsupported == 3 && f.unsupported_arg == 0x1234 &&
	      f.unsupported_nr == __HYPERVISOR_memory_op);
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_version, 0) ==
	      (4 << 16 | 17));
	CHECK(f.unsupported == 3);
	/* 32-bit results are 32 bits. */
	call(32, 1000, 0, 0);
	CHECK(f.regs[XEN_REG_RAX] == (u32)-ENOSYS);
	f.cpl = 3;
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_version, 0) == -EPERM);
}

/*
 * xen_hypercall_atomic() answers exactly what needs no guest memory: for
 * every number, xen_version sub-op, mode and CPL, either it leaves the
 * vCPU as it was, or it gives what xen_hypercall() gives and touched no
 * guest memory.  xen_version(XENVER_version), CPL 3 and unknown numbers
 * are answered; a sub-op that writes to the guest and event channels are
 * not.
 */
/* A fresh vCPU in @mode at @cpl about to make hypercall @nr(@sub, 0x1000). */
static void atomic_setup(int mode, int cpl, unsigned long nr,
			 unsigned long sub)
{
	fake_init(&f, mode);
	f.cpl = cpl;
	f.regs[XEN_REG_RAX] = nr;
	f.regs[mode == 64 ? XEN_REG_RDI : XEN_REG_RBX] = sub;
	f.regs[mode == 64 ? XEN_REG_RSI : XEN_REG_RCX] = 0x1000;
}

TEST(hypercall_atomic)
{
	static unsigned char before[FAKE_MEM_SIZE];
	unsigned long nr, sub, answered = 0;
	int mode, cpl;

	for (mode = 32; mode <= 64; mode += 32)
	for (cpl = 0; cpl <= 3; cpl += 3)
	for (nr = 0; nr < 64; nr++)
	for (sub = 0; sub < (nr == __HYPERVISOR_xen_version ? 16 : 1); sub++) {
		unsigned long rax;
		u64 calls;

		atomic_setup(mode, cpl, nr, sub);
		memcpy(before, f.mem, sizeof(before));
		calls = f.dom.nr_hypercalls;
		if (!xen_hypercall_atomic(&f.xv)) {
			CHECK(f.regs[XEN_REG_RAX] == nr);
			CHECK(f.dom.nr_hypercalls == calls);
			continue;
		}
		answered++;
		rax = f.regs[XEN_REG_RAX];
		CHECK(f.xv.exit == XEN_EXIT_NONE);
		CHECK(!memcmp(before, f.mem, sizeof(before)));
		CHECK(f.dom.nr_hypercalls == calls + 1);
		atomic_setup(mode, cpl, nr, sub);
		xen_hypercall(&f.xv);
		CHECK(f.regs[XEN_REG_RAX] == rax);
	}
	CHECK(answered > 2 * 64);	/* CPL 3: all of them */
	atomic_setup(64, 0, __HYPERVISOR_xen_version, XENVER_version);
	CHECK(xen_hypercall_atomic(&f.xv));
	CHECK(f.regs[XEN_REG_RAX] ==
	      (XENABI_VERSION_MAJOR << 16 | XENABI_VERSION_MINOR));
	atomic_setup(64, 0, __HYPERVISOR_xen_version, XENVER_extraversion);
	CHECK(!xen_hypercall_atomic(&f.xv));
	atomic_setup(64, 0, __HYPERVISOR_event_channel_op, EVTCHNOP_send);
	CHECK(!xen_hypercall_atomic(&f.xv));
	atomic_setup(64, 0, 63, 0);
	CHECK(xen_hypercall_atomic(&f.xv));
	CHECK((long)f.regs[XEN_REG_RAX] == -ENOSYS);
}

TEST(version_strings)
{
	char buf[1024];

	fake_init(&f, 64);
	memset(f.mem + 0x1000, 0xaa, 2048);
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_extraversion,
		   0x1000) == 0);
	CHECK(!strcmp((char *)f.mem + 0x1000, "-microv"));
	CHECK(f.mem[0x1000 + XEN_EXTRAVERSION_LEN - 1] == 0);
	CHECK(f.mem[0x1000 + XEN_EXTRAVERSION_LEN] == 0xaa);

	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_capabilities,
		   0x1000) == 0);
	CHECK(!strncmp((char *)f.mem + 0x1000, "hvm-3.0-x86_64", 14));
	memset(buf, 0, sizeof(buf));
	CHECK(!memcmp(f.mem + 0x1000 + 100, buf, XEN_CAPABILITIES_INFO_LEN - 100));

	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_changeset, 0x1000) == 0);
	CHECK(!strcmp((char *)f.mem + 0x1000, "microv"));
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_commandline,
		   0x1000) == 0);
	CHECK(f.mem[0x1000] == 0);
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_compile_info,
		   0x1000) == 0);
	CHECK(!strcmp((char *)f.mem + 0x1000, "microv"));
}

TEST(version_values)
{
	struct xen_feature_info fi = { .submap_idx = 0 };
	u64 start;
	u32 start32 = 0xdead;

	fake_init(&f, 64);
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_platform_parameters,
		   0x1000) == 0);
	memcpy(&start, f.mem + 0x1000, sizeof(start));
	CHECK(start == __HYPERVISOR_VIRT_START);
	memcpy(f.mem + 0x1000, &start32, sizeof(start32));
	CHECK(call(32, __HYPERVISOR_xen_version, XENVER_platform_parameters,
		   0x1000) == 0);
	memcpy(&start32, f.mem + 0x1000, sizeof(start32));
	CHECK(start32 == 0);

	memcpy(f.mem + 0x1000, &fi, sizeof(fi));
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_get_features,
		   0x1000) == 0);
	memcpy(&fi, f.mem + 0x1000, sizeof(fi));
	CHECK(fi.submap == (1u << XENFEAT_auto_translated_physmap |
			    1u << XENFEAT_hvm_callback_vector |
			    1u << XENFEAT_hvm_safe_pvclock));
	fi.submap_idx = 1;
	memcpy(f.mem + 0x1000, &fi, sizeof(fi));
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_get_features,
		   0x1000) == 0);
	memcpy(&fi, f.mem + 0x1000, sizeof(fi));
	CHECK(fi.submap == 0);

	memset(f.dom.handle, 0x5a, sizeof(f.dom.handle));
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_guest_handle,
		   0x1000) == 0);
	CHECK(!memcmp(f.mem + 0x1000, f.dom.handle, 16));
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_pagesize, 0) == 4096);
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_build_id, 0x1000) ==
	      -ENODATA);
	CHECK(call(64, __HYPERVISOR_xen_version, 99, 0x1000) == -ENOSYS);
}

/* Every sub-op that writes through a pointer fails cleanly on a bad one. */
TEST(version_bad_pointers)
{
	static const int ops[] = {
		XENVER_extraversion, XENVER_compile_info, XENVER_capabilities,
		XENVER_changeset, XENVER_platform_parameters,
		XENVER_get_features, XENVER_guest_handle, XENVER_commandline,
	};
	unsigned int i;

	fake_init(&f, 64);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		CHECK(call(64, __HYPERVISOR_xen_version, ops[i],
			   FAKE_MEM_SIZE) == -EFAULT);
		/* Straddling the end of memory: nothing half-written counts. */
		CHECK(call(64, __HYPERVISOR_xen_version, ops[i],
			   FAKE_MEM_SIZE - 4) == -EFAULT);
		CHECK(call(32, __HYPERVISOR_xen_version, ops[i],
			   0xfffffff0) == -EFAULT);
	}
}

TEST(sched)
{
	struct sched_shutdown ss = { .reason = SHUTDOWN_crash };

	fake_init(&f, 64);
	/* Built against the current interface, as the kernel's headers are. */
	CHECK(__HYPERVISOR_sched_op == 29);
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_yield, 0) == 0);
	CHECK(f.xv.exit == XEN_EXIT_YIELD);
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_block, 0) == 0);
	CHECK(f.xv.exit == XEN_EXIT_BLOCK);
	/* The next hypercall starts with no exit pending. */
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_version, 0) > 0);
	CHECK(f.xv.exit == XEN_EXIT_NONE);

	memcpy(f.mem + 0x100, &ss, sizeof(ss));
	CHECK(call(32, __HYPERVISOR_sched_op, SCHEDOP_shutdown, 0x100) == 0);
	CHECK(f.xv.exit == XEN_EXIT_SHUTDOWN);
	CHECK(f.dom.shutdown_reason == SHUTDOWN_crash);

	/* A code set beforehand wins over the shutdown's own reason. */
	ss.reason = SHUTDOWN_watchdog;
	memcpy(f.mem + 0x100, &ss, sizeof(ss));
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_shutdown_code, 0x100) == 0);
	CHECK(f.xv.exit == XEN_EXIT_NONE);
	ss.reason = SHUTDOWN_poweroff;
	memcpy(f.mem + 0x104, &ss, sizeof(ss));
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_shutdown, 0x104) == 0);
	CHECK(f.dom.shutdown_reason == SHUTDOWN_watchdog);

	ss.reason = SHUTDOWN_MAX + 1;
	memcpy(f.mem + 0x100, &ss, sizeof(ss));
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_shutdown, 0x100) == -EINVAL);
	CHECK(f.xv.exit == XEN_EXIT_NONE);
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_shutdown,
		   FAKE_MEM_SIZE - 2) == -EFAULT);
	/* Poll is implemented (see sched_poll); its argument must be there. */
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_poll,
		   FAKE_MEM_SIZE - 8) == -EFAULT);
	CHECK(f.xv.exit == XEN_EXIT_NONE && !f.xv.polling);
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_remote_shutdown,
		   0x100) == -ENOSYS);
	CHECK(call(64, __HYPERVISOR_sched_op, 1234, 0) == -ENOSYS);
}

TEST(hvm_params)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF };
	u64 val;

	fake_init(&f, 64);
#define HVM(cmd, idx, v) (p.index = (idx), p.value = (v),		\
			  memcpy(f.mem + 0x200, &p, sizeof(p)),		\
			  call(64, __HYPERVISOR_hvm_op, (cmd), 0x200))
	/* The guest sets its callback and reads it back. */
	CHECK(HVM(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, 2ull << 56 | 0xf3) == 0);
	CHECK(HVM(HVMOP_get_param, HVM_PARAM_CALLBACK_IRQ, 0) == 0);
	memcpy(&p, f.mem + 0x200, sizeof(p));
	CHECK(p.value == (2ull << 56 | 0xf3));
	/* Where its rings are: the toolstack's to set, the guest's to read. */
	CHECK(HVM(HVMOP_set_param, HVM_PARAM_CONSOLE_PFN, 0x1234) == -EPERM);
	CHECK(xen_toolstack_set_param(&f.dom, HVM_PARAM_CONSOLE_PFN, 0xfeff) == 0);
	CHECK(HVM(HVMOP_get_param, HVM_PARAM_CONSOLE_PFN, 0) == 0);
	memcpy(&p, f.mem + 0x200, sizeof(p));
	CHECK(p.value == 0xfeff);
	CHECK(xen_toolstack_get_param(&f.dom, HVM_PARAM_CALLBACK_IRQ, &val) == 0);
	CHECK(val == (2ull << 56 | 0xf3));
	/* Neither side of the rest, nor beyond the known ones. */
	CHECK(HVM(HVMOP_get_param, HVM_PARAM_TIMER_MODE, 0) == -EPERM);
	/* Set by the guest, but not for it to read back (as Xen 4.17). */
	CHECK(HVM(HVMOP_set_param, HVM_PARAM_VM86_TSS, 0x1000) == 0);
	CHECK(HVM(HVMOP_get_param, HVM_PARAM_VM86_TSS, 0) == -EPERM);
	CHECK(HVM(HVMOP_set_param, HVM_PARAM_IDENT_PT, 1) == -EPERM);
	CHECK(HVM(HVMOP_get_param, XENABI_NR_PARAMS, 0) == -EINVAL);
	CHECK(xen_toolstack_set_param(&f.dom, XENABI_NR_PARAMS, 1) == -EINVAL);
	CHECK(xen_toolstack_get_param(&f.dom, 1000, &val) == -EINVAL);
	/* Its own domid is fine; another's is not. */
	p.domid = 7;
	CHECK(HVM(HVMOP_get_param, HVM_PARAM_CONSOLE_PFN, 0) == 0);
	p.domid = 8;
	CHECK(HVM(HVMOP_get_param, HVM_PARAM_CONSOLE_PFN, 0) == -EPERM);
#undef HVM
	CHECK(call(64, __HYPERVISOR_hvm_op, HVMOP_get_param, FAKE_MEM_SIZE - 8) == -EFAULT);
	/* Not needed with EPT, as Xen answers with HAP; read first. */
	CHECK(call(64, __HYPERVISOR_hvm_op, HVMOP_pagetable_dying, 0x200) ==
	      -EINVAL);
	CHECK(call(64, __HYPERVISOR_hvm_op, HVMOP_pagetable_dying,
		   FAKE_MEM_SIZE - 8) == -EFAULT);
	CHECK(call(32, __HYPERVISOR_hvm_op, HVMOP_pagetable_dying,
		   FAKE_MEM_SIZE - 8) == -EFAULT);
	CHECK(call(64, __HYPERVISOR_hvm_op, HVMOP_flush_tlbs, 0) == -ENOSYS);
}

TEST(memory_and_assists)
{
	domid_t self = DOMID_SELF, other = 8;

	fake_init(&f, 64);
	f.dom.nr_pages = 500;
	f.dom.max_pages = 512;
	f.dom.max_gfn = 0x1200;
	memcpy(f.mem + 0x300, &self, sizeof(self));
	memcpy(f.mem + 0x302, &other, sizeof(other));
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_current_reservation,
		   0x300) == 500);
	CHECK(call(32, __HYPERVISOR_memory_op, XENMEM_maximum_reservation,
		   0x300) == 512);
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_current_reservation,
		   0x302) == -EPERM);
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_current_reservation,
		   FAKE_MEM_SIZE - 1) == -EFAULT);
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_maximum_ram_page, 0) ==
	      0x1200);
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_machine_memory_map, 0) ==
	      -ENOSYS);

	CHECK(call(64, __HYPERVISOR_vm_assist, VMASST_CMD_enable,
		   VMASST_TYPE_runstate_update_flag) == 0);
	CHECK(f.dom.vm_assist == 1UL << VMASST_TYPE_runstate_update_flag);
	CHECK(call(64, __HYPERVISOR_vm_assist, VMASST_CMD_disable,
		   VMASST_TYPE_runstate_update_flag) == 0);
	CHECK(f.dom.vm_assist == 0);
	CHECK(call(64, __HYPERVISOR_vm_assist, VMASST_CMD_enable,
		   VMASST_TYPE_writable_pagetables) == -EINVAL);
	CHECK(call(64, __HYPERVISOR_vm_assist, 7, 0) == -ENOSYS);
}

TEST(console)
{
	static const char hello[] = "hello from the guest\n";
	size_t passed;
	int i;

	fake_init(&f, 64);
	memcpy(f.mem + 0x400, hello, sizeof(hello) - 1);
	f.regs[XEN_REG_RDX] = 0x400;
#define CONS(cmd, count) (f.regs[XEN_REG_RAX] = __HYPERVISOR_console_io,	\
			  f.regs[XEN_REG_RDI] = (cmd),				\
			  f.regs[XEN_REG_RSI] = (count),			\
			  xen_hypercall(&f.xv), (long)f.regs[XEN_REG_RAX])
	CHECK(CONS(CONSOLEIO_write, sizeof(hello) - 1) == 0);
	CHECK(f.console_len == sizeof(hello) - 1);
	CHECK(!memcmp(f.console, hello, sizeof(hello) - 1));
	/* Long writes are cut at 4 KiB; the rest is not even read. */
	f.console_len = 0;
	CHECK(CONS(CONSOLEIO_write, 60000) == 0);
	CHECK(f.console_len == 4096);
	f.regs[XEN_REG_RDX] = FAKE_MEM_SIZE - 10;
	CHECK(CONS(CONSOLEIO_write, 20) == -EFAULT);
	CHECK(CONS(CONSOLEIO_read, 20) == 0);
	CHECK(CONS(7, 20) == -ENOSYS);

	/*
	 * Rate limit: what is left of the 128 KiB burst passes, the rest is
	 * dropped and counted; a second of system time brings 64 KiB more.
	 */
	fake_init(&f, 64);
	f.regs[XEN_REG_RDX] = 0x400;
	for (i = 0, passed = 0; i < 40; i++) {
		f.console_len = 0;
		CHECK(CONS(CONSOLEIO_write, 4096) == 0);
		passed += f.console_len;
	}
	CHECK(passed == XENABI_CONSOLE_BURST);
	CHECK(f.dom.console_limited == 40 * 4096 - XENABI_CONSOLE_BURST);
	f.tsc += FAKE_TSC_HZ;
	for (i = 0, passed = 0; i < 40; i++) {
		f.console_len = 0;
		CHECK(CONS(CONSOLEIO_write, 4096) == 0);
		passed += f.console_len;
	}
	CHECK(passed == XENABI_CONSOLE_RATE);
#undef CONS
}

/* Guest memory as the test sets it up and reads it back. */
#define PUT(gva, obj)	memcpy(f.mem + (gva), &(obj), sizeof(obj))
#define GET(obj, gva)	memcpy(&(obj), f.mem + (gva), sizeof(obj))

/* struct xen_memory_reservation at 0x100 in @mode's layout, list at 0x200. */
static long reservation(int mode, unsigned long cmd, const u64 *gfns,
			unsigned int nr, u32 order, domid_t domid)
{
	unsigned int l = mode == 64 ? 8 : 4, i;
	u64 list = 0x200, n = nr;

	memset(f.mem + 0x100, 0, 0x40);
	memcpy(f.mem + 0x100, &list, l);
	memcpy(f.mem + 0x100 + l, &n, l);
	memcpy(f.mem + 0x100 + 2 * l, &order, 4);
	memcpy(f.mem + 0x100 + 2 * l + 8, &domid, 2);
	for (i = 0; i < nr; i++)
		memcpy(f.mem + 0x200 + i * l, &gfns[i], l);
	return call(mode, __HYPERVISOR_memory_op, cmd, 0x100);
}

TEST(balloon)
{
	const u64 two[] = { 10, 12 }, bad[] = { 11, 99, 13 }, pair[] = { 14 };
	struct { domid_t domid; u16 pad[3]; u64 gpfn; } rm = { .domid = DOMID_SELF };
	int mode;

	for (mode = 32; mode <= 64; mode += 32) {
		fake_init(&f, mode);
		f.dom.nr_pages = f.dom.max_pages = 16;
		/* Two frames back, then the reservation says so. */
		memset(f.mem + 10 * 4096, 0x5a, 4096);
		CHECK(reservation(mode, XENMEM_decrease_reservation, two, 2, 0,
				  DOMID_SELF) == 2);
		CHECK(f.given_back == (1U << 10 | 1U << 12));
		CHECK(call(mode, __HYPERVISOR_memory_op,
			   XENMEM_current_reservation, 0x100 + 2 * (mode / 8) + 8) == 14);
		CHECK(call(mode, __HYPERVISOR_memory_op,
			   XENMEM_maximum_reservation, 0x100 + 2 * (mode / 8) + 8) == 16);
		/* Again: the first is gone already, none done. */
		CHECK(reservation(mode, XENMEM_decrease_reservation, two, 2, 0,
				  DOMID_SELF) == 0);
		/* A bad frame ends the count there. */
		CHECK(reservation(mode, XENMEM_decrease_reservation, bad, 3, 0,
				  7) == 1);
		CHECK(f.given_back == (1U << 10 | 1U << 11 | 1U << 12));
		/* Taken again, zeroed; a frame not given back ends it. */
		CHECK(reservation(mode, XENMEM_populate_physmap, bad, 3, 0,
				  DOMID_SELF) == 1);
		CHECK(reservation(mode, XENMEM_populate_physmap, two, 2, 0,
				  DOMID_SELF) == 2);
		CHECK(f.given_back == 0 && f.mem[10 * 4096] == 0);
		CHECK(f.dom.nr_pages == 16);
		/* From extent 1 of the command: only the second. */
		CHECK(reservation(mode, XENMEM_decrease_reservation |
				  (1 << 6), two, 2, 0, DOMID_SELF) == 2);
		CHECK(f.given_back == 1U << 12);
		CHECK(reservation(mode, XENMEM_populate_physmap | (2 << 6), two,
				  2, 0, DOMID_SELF) == 2);
		/* An order-1 extent is two frames. */
		CHECK(reservation(mode, XENMEM_decrease_reservation, pair, 1, 1,
				  DOMID_SELF) == 1);
		CHECK(f.given_back == (1U << 12 | 1U << 14 | 1U << 15));
		/* None done: another domain, order past 9, too many, none. */
		CHECK(reservation(mode, XENMEM_populate_physmap, two, 2, 0,
				  8) == 0);
		CHECK(reservation(mode, XENMEM_populate_physmap, two, 2, 10,
				  DOMID_SELF) == 0);
		CHECK(reservation(mode, XENMEM_increase_reservation, two, 2, 0,
				  DOMID_SELF) == 0);
		CHECK(f.given_back == (1U << 12 | 1U << 14 | 1U << 15));
		CHECK(call(mode, __HYPERVISOR_memory_op,
			   XENMEM_decrease_reservation, FAKE_MEM_SIZE - 4) == 0);
		/* Queries take no start extent. */
		CHECK(call(mode, __HYPERVISOR_memory_op,
			   XENMEM_current_reservation | (1 << 6), 0x100) == -EINVAL);

		/* remove_from_physmap: RAM, then a Xen page over RAM. */
		rm.gpfn = 9;
		if (mode == 32) {
			memcpy(f.mem + 0x300, &rm.domid, 2);
			memcpy(f.mem + 0x304, &rm.gpfn, 4);
		} else {
			PUT(0x300, rm);
		}
		CHECK(call(mode, __HYPERVISOR_memory_op,
			   XENMEM_remove_from_physmap, 0x300) == 0);
		CHECK(f.given_back & (1U << 9));
		CHECK(call(mode, __HYPERVISOR_memory_op,
			   XENMEM_remove_from_physmap, 0x300) == -ENOENT);
		f.dom.xen_page_gfn[0] = 8;
		CHECK(reservation(mode, XENMEM_decrease_reservation,
				  (const u64[]){ 8 }, 1, 0, DOMID_SELF) == 0);
		f.mem[0x300 + (mode == 32 ? 4 : 8)] = 8;
		CHECK(call(mode, __HYPERVISOR_memory_op,
			   XENMEM_remove_from_physmap, 0x300) == 0);
		CHECK(f.dom.xen_page_gfn[0] == XENABI_NO_GFN);
		CHECK(f.released == 8 && f.populated == 3);
		/* A Xen page on a frame given back: it alone goes. */
		f.dom.xen_page_gfn[1] = 8;
		CHECK(call(mode, __HYPERVISOR_memory_op,
			   XENMEM_remove_from_physmap, 0x300) == 0);
		CHECK(f.dom.xen_page_gfn[1] == XENABI_NO_GFN);
		CHECK(call(mode, __HYPERVISOR_memory_op,
			   XENMEM_remove_from_physmap, 0x300) == -ENOENT);
	}
}
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NSEC		1000000000ULL
#define GVA(p)		((void *)(uintptr_t)(p))	/* for guest handles */

/*
 * A 32-bit guest's view of structures holding longs or handles (4 bytes)
 * or 64-bit fields (4-byte aligned), as Xen's compat layer has them.
 */
struct xatp32 {			/* struct xen_add_to_physmap */
	u16 domid, size;
	u32 space, idx, gpfn;
} __attribute__((packed));

struct memory_map32 {		/* struct xen_memory_map */
	u32 nr_entries, buffer;
} __attribute__((packed));

struct sched_poll32 {		/* struct sched_poll */
	u32 ports, nr_ports;
	u64 timeout;
} __attribute__((packed));

struct setup_table32 {		/* struct gnttab_setup_table */
	u16 dom, pad;
	u32 nr_frames;
	s16 status;
	u16 pad2;
	u32 frame_list;
} __attribute__((packed));

struct runstate32 {		/* struct vcpu_runstate_info */
	u32 state;
	u64 state_entry_time;
	u64 time[4];
} __attribute__((packed));

/* shinfo.h works the 32-bit layout out by hand: Xen's header says. */
_Static_assert(XENABI_SHINFO32_PENDING ==
	       offsetof(struct shared_info_x86_32, evtchn_pending), "pending");
_Static_assert(XENABI_SHINFO32_WORDS ==
	       sizeof(((struct shared_info_x86_32 *)0)->evtchn_pending),
	       "bitmap");
_Static_assert(XENABI_SHINFO32_PENDING + XENABI_SHINFO32_WORDS ==
	       offsetof(struct shared_info_x86_32, evtchn_mask), "mask");
_Static_assert(XENABI_SHINFO32_PENDING + 2 * XENABI_SHINFO32_WORDS ==
	       offsetof(struct shared_info_x86_32, wc_version), "wc");
_Static_assert(XENABI_SHINFO32_WC_SEC_HI * sizeof(u32) ==
	       offsetof(struct shared_info_x86_32, arch.wc_sec_hi) -
	       offsetof(struct shared_info_x86_32, wc_version), "wc_sec_hi");
_Static_assert(XENABI_VCPU_INFO32_SEL ==
	       offsetof(struct vcpu_info_x86_32, evtchn_pending_sel), "sel");
_Static_assert(sizeof(struct vcpu_info) == sizeof(struct vcpu_info_x86_32),
	       "vcpu_info");
_Static_assert(offsetof(struct vcpu_info, time) ==
	       offsetof(struct vcpu_info_x86_32, time), "time");
_Static_assert(sizeof(struct vcpu_time_info) ==
	       sizeof(struct vcpu_time_info_x86_32), "time size");
_Static_assert(XENABI_LEGACY_VCPUS == XEN_LEGACY_MAX_VCPUS_X86_32, "vcpus");

static struct shared_info *shinfo(void)
{
	return (struct shared_info *)f.shared_info;
}

static struct shared_info_x86_32 *shinfo32(void)
{
	return (struct shared_info_x86_32 *)f.shared_info;
}

static struct vcpu_info *vinfo(u32 id)
{
	return &shinfo()->vcpu_info[id];
}

static struct vcpu_info_x86_32 *vinfo32(u32 id)
{
	return (struct vcpu_info_x86_32 *)vinfo(id);
}

#define WORD_BITS	((int)(8 * sizeof(xen_ulong_t)))

static bool is_pending(u32 port)
{
	return shinfo()->evtchn_pending[port / WORD_BITS] >>
	       (port % WORD_BITS) & 1;
}

static void set_masked(u32 port)
{
	shinfo()->evtchn_mask[port / WORD_BITS] |= 1UL << (port % WORD_BITS);
}

static bool is_masked(u32 port)
{
	return shinfo()->evtchn_mask[port / WORD_BITS] >>
	       (port % WORD_BITS) & 1;
}

static bool is_pending32(u32 port)
{
	return shinfo32()->evtchn_pending[port / 32] >> (port % 32) & 1;
}

/* What a guest's upcall handler does: takes the events in. */
static void ack_events(struct vcpu_info *vi)
{
	vi->evtchn_upcall_pending = 0;
	vi->evtchn_pending_sel = 0;
	memset(shinfo()->evtchn_pending, 0, sizeof(shinfo()->evtchn_pending));
}

/* System time at @tsc from a pvclock, as a guest computes it. */
static u64 guest_ns(const struct vcpu_time_info *t, u64 tsc)
{
	u64 delta = tsc - t->tsc_timestamp;

	if (t->tsc_shift < 0)
		delta >>= -t->tsc_shift;
	else
		delta <<= t->tsc_shift;
	return t->system_time +
	       (u64)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
}

/* Within one part per million. */
static bool near_ppm(u64 got, u64 want)
{
	u64 diff = got > want ? got - want : want - got;

	return diff <= want / 1000000;
}

/* The fake TSC at system time @ns (2 ticks a nanosecond from 1000). */
static u64 tsc_at(u64 ns)
{
	return 1000 + ns * (FAKE_TSC_HZ / NSEC);
}

/* Where event_channel_op arguments go. */
#define ARG	0x800

/* An event_channel_op in the current mode; the argument is copied back. */
static long evtchn_op(unsigned int cmd, void *arg, size_t len)
{
	long ret;

	memcpy(f.mem + ARG, arg, len);
	ret = call(f.mode, __HYPERVISOR_event_channel_op, cmd, ARG);
	memcpy(arg, f.mem + ARG, len);
	return ret;
}

#define EVTCHN(cmd, s)	evtchn_op((cmd), &(s), sizeof(s))

/* These return the port, or the error. */
static long alloc_unbound(domid_t remote)
{
	struct evtchn_alloc_unbound a = {
		.dom = DOMID_SELF, .remote_dom = remote, .port = 0xdead,
	};
	long ret = EVTCHN(EVTCHNOP_alloc_unbound, a);

	return ret ? ret : (long)a.port;
}

static long bind_interdomain(u32 remote_port)
{
	struct evtchn_bind_interdomain b = {
		.remote_dom = DOMID_SELF, .remote_port = remote_port,
	};
	long ret = EVTCHN(EVTCHNOP_bind_interdomain, b);

	return ret ? ret : (long)b.local_port;
}

static long bind_virq(u32 virq, u32 vcpu)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long ret = EVTCHN(EVTCHNOP_bind_virq, b);

	return ret ? ret : (long)b.port;
}

static long bind_ipi(u32 vcpu)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long ret = EVTCHN(EVTCHNOP_bind_ipi, b);

	return ret ? ret : (long)b.port;
}

static long send(u32 port)
{
	struct evtchn_send s = { .port = port };

	return EVTCHN(EVTCHNOP_send, s);
}

static long close_port(u32 port)
{
	struct evtchn_close c = { .port = port };

	return EVTCHN(EVTCHNOP_close, c);
}

static long unmask(u32 port)
{
	struct evtchn_unmask u = { .port = port };

	return EVTCHN(EVTCHNOP_unmask, u);
}

static long bind_vcpu(u32 port, u32 vcpu)
{
	struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

	return EVTCHN(EVTCHNOP_bind_vcpu, b);
}

static long status(u32 port, struct evtchn_status *st)
{
	memset(st, 0xee, sizeof(*st));
	st->dom = DOMID_SELF;
	st->port = port;
	return evtchn_op(EVTCHNOP_status, st, sizeof(*st));
}

/* The helpers of shinfo.h point where Xen's headers say, by layout. */
TEST(shinfo_layout)
{
	char *base = (char *)f.shared_info;

	fake_init(&f, 64);
	CHECK(xen_nr_ports(&f.dom) == XENABI_NR_EVTCHNS);
	CHECK(xen_nr_ports(&f.dom) == 8 * sizeof(shinfo()->evtchn_pending));
	CHECK(xen_evtchn_pending(&f.dom) == (void *)shinfo()->evtchn_pending);
	CHECK(xen_evtchn_mask(&f.dom) == (void *)shinfo()->evtchn_mask);
	CHECK((void *)xen_wallclock(&f.dom) == (void *)&shinfo()->wc_version);
	CHECK(xen_sel_bit(&f.dom, 5) ==
	      8 * offsetof(struct vcpu_info, evtchn_pending_sel) + 5);
	CHECK((void *)xen_vcpu_time(vinfo(3)) == (void *)&vinfo(3)->time);

	f.dom.shinfo_32 = true;
	CHECK(xen_nr_ports(&f.dom) == 8 * sizeof(shinfo32()->evtchn_pending));
	CHECK((char *)xen_evtchn_pending(&f.dom) ==
	      base + offsetof(struct shared_info_x86_32, evtchn_pending));
	CHECK((char *)xen_evtchn_mask(&f.dom) ==
	      base + offsetof(struct shared_info_x86_32, evtchn_mask));
	CHECK((char *)xen_wallclock(&f.dom) ==
	      base + offsetof(struct shared_info_x86_32, wc_version));
	CHECK(xen_sel_bit(&f.dom, 5) ==
	      8 * offsetof(struct vcpu_info_x86_32, evtchn_pending_sel) + 5);
	CHECK((char *)xen_vcpu_time(vinfo(3)) ==
	      (char *)vinfo(3) + offsetof(struct vcpu_info_x86_32, time));
}

/* arch-x86/cpuid.h describes leaf 3 in prose only. */
#define TSC_RELIABLE		(1u << 1)	/* sub-leaf 0 EAX */
#define TSC_MODE_NEVER_EMULATE	2		/* sub-leaf 0 EBX */

TEST(cpuid_time_leaf)
{
	const u32 leaf = XEN_CPUID_FIRST_LEAF + 3;
	u32 out[4];

	fake_init(&f, 64);
	CHECK(xen_cpuid(&f.xv, leaf, 0, out));
	CHECK(out[0] == TSC_RELIABLE && out[1] == TSC_MODE_NEVER_EMULATE);
	CHECK(out[2] == FAKE_TSC_HZ / 1000 && out[3] == 0);
	/* 2 GHz: ns = ticks * 2^31 >> 32, no shift. */
	CHECK(xen_cpuid(&f.xv, leaf, 1, out));
	CHECK(out[0] == 0 && out[1] == 0);
	CHECK(out[2] == 1u << 31 && out[3] == 0);
	CHECK(out[2] == vinfo(3)->time.tsc_to_system_mul);
	CHECK(xen_cpuid(&f.xv, leaf, 2, out));
	CHECK(out[0] == FAKE_TSC_HZ / 1000);
	CHECK(!out[1] && !out[2] && !out[3]);
	memset(out, 0xff, sizeof(out));
	CHECK(xen_cpuid(&f.xv, leaf, 3, out));
	CHECK(!out[0] && !out[1] && !out[2] && !out[3]);

	/* 1 MHz, unstable: the shift is positive; 10 GHz: negative. */
	xen_time_init(&f.dom, 0, 1000000, 0, false);
	CHECK(xen_cpuid(&f.xv, leaf, 0, out));
	CHECK(out[0] == 0 && out[2] == 1000);
	CHECK(xen_cpuid(&f.xv, leaf, 1, out));
	CHECK(out[2] == 4194304000u && out[3] == 10);	/* 2^10 MHz */
	xen_time_init(&f.dom, 0, 10 * NSEC, 0, true);
	CHECK(xen_cpuid(&f.xv, leaf, 1, out));
	CHECK(out[3] == (u32)-3);	/* 10 GHz / 8 = 1.25 GHz */
	CHECK(xen_cpuid(&f.xv, leaf, 2, out));
	CHECK(out[0] == 10000000);
}

TEST(add_to_physmap)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
		.idx = 0, .gpfn = 9,
	};
	struct gnttab_query_size q = { .dom = DOMID_SELF };

#define XATP(space_, idx_, gpfn_) (xatp.space = (space_), xatp.idx = (idx_), \
				   xatp.gpfn = (gpfn_), PUT(0x100, xatp),    \
				   call(64, __HYPERVISOR_memory_op,	     \
					XENMEM_add_to_physmap, 0x100))
	fake_init(&f, 64);
	CHECK(XATP(XENMAPSPACE_shared_info, 0, 9) == 0);
	CHECK(f.dom.xen_page_gfn[XENABI_PAGE_SHARED_INFO] == 9);
	CHECK(!f.dom.shinfo_32);
	/* It moves; a bad index or frame changes nothing. */
	CHECK(XATP(XENMAPSPACE_shared_info, 0, 10) == 0);
	CHECK(f.dom.xen_page_gfn[XENABI_PAGE_SHARED_INFO] == 10);
	CHECK(XATP(XENMAPSPACE_shared_info, 1, 11) == -EINVAL);
	CHECK(XATP(XENMAPSPACE_shared_info, 0, FAKE_MEM_SIZE / 4096) == -EINVAL);
	CHECK(f.dom.xen_page_gfn[XENABI_PAGE_SHARED_INFO] == 10);

	/* Grant frames, up to XENABI_GNTTAB_FRAMES; placing one grows it. */
	CHECK(f.dom.gnttab_frames == 0);
	CHECK(XATP(XENMAPSPACE_grant_table, 0, 12) == 0);
	CHECK(f.dom.xen_page_gfn[XENABI_PAGE_GNTTAB(0)] == 12);
	CHECK(f.dom.gnttab_frames == 1);
	CHECK(XATP(XENMAPSPACE_grant_table, XENABI_GNTTAB_FRAMES - 1, 13) == 0);
	CHECK(f.dom.xen_page_gfn[XENABI_PAGE_GNTTAB(XENABI_GNTTAB_FRAMES - 1)] ==
	      13);
	CHECK(f.dom.gnttab_frames == XENABI_GNTTAB_FRAMES);
	CHECK(XATP(XENMAPSPACE_grant_table, XENABI_GNTTAB_FRAMES, 14) ==
	      -EINVAL);
	CHECK(XATP(XENMAPSPACE_grant_table, XENMAPIDX_grant_table_status, 14) ==
	      -EINVAL);
	CHECK(f.dom.xen_page_gfn[XENABI_PAGE_GNTTAB(1)] == XENABI_NO_GFN);
	PUT(0x200, q);
	CHECK(call3(64, __HYPERVISOR_grant_table_op, GNTTABOP_query_size,
		    0x200, 1) == 0);
	GET(q, 0x200);
	CHECK(q.nr_frames == XENABI_GNTTAB_FRAMES);

	CHECK(XATP(XENMAPSPACE_gmfn, 0, 14) == -ENOSYS);
	CHECK(XATP(XENMAPSPACE_gmfn_foreign, 0, 14) == -ENOSYS);
	xatp.domid = 7;
	CHECK(XATP(XENMAPSPACE_shared_info, 0, 11) == 0);
	xatp.domid = 8;
	CHECK(XATP(XENMAPSPACE_shared_info, 0, 12) == -EPERM);
	CHECK(f.dom.xen_page_gfn[XENABI_PAGE_SHARED_INFO] == 11);
#undef XATP
	/* gpfn (bytes 16-23) past the end of memory, or all of it. */
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   FAKE_MEM_SIZE - 20) == -EFAULT);
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   FAKE_MEM_SIZE) == -EFAULT);
}

/*
 * A 32-bit guest's struct, and the layout latch: shared_info takes the
 * layout of the mode that places it, and the wall clock moves with it.
 */
TEST(add_to_physmap_32)
{
	struct xatp32 x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
		.idx = 0, .gpfn = 9,
	};
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
		.idx = 0, .gpfn = 9,
	};
	struct shared_info_x86_32 *s32 = shinfo32();
	u32 version;

	fake_init(&f, 64);
	/* Past the 32-bit struct: what a 64-bit reading would take. */
	memset(f.mem + 0x100, 0xff, 32);
	PUT(0x100, x);
	CHECK(shinfo()->wc_version == 2 && shinfo()->wc_sec == 1);
	CHECK(s32->wc_version == 0);
	CHECK(call(32, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   0x100) == 0);
	CHECK(f.dom.xen_page_gfn[XENABI_PAGE_SHARED_INFO] == 9);
	CHECK(f.dom.shinfo_32);
	CHECK(s32->wc_version == 2 && s32->wc_sec == 1);
	CHECK(s32->wc_nsec == 500000000);

	/* Errors and other spaces do not latch. */
	x.space = XENMAPSPACE_grant_table;
	x.idx = 2;
	x.gpfn = 12;
	PUT(0x100, x);
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   0x100) == -EINVAL);	/* read as 64-bit: idx is garbage */
	CHECK(call(32, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   0x100) == 0);
	CHECK(f.dom.xen_page_gfn[XENABI_PAGE_GNTTAB(2)] == 12);
	CHECK(f.dom.gnttab_frames == 3);
	CHECK(f.dom.shinfo_32);
	x.space = XENMAPSPACE_shared_info;
	x.idx = 1;
	PUT(0x100, x);
	CHECK(call(32, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   0x100) == -EINVAL);
	x.idx = 0;
	x.domid = 8;
	PUT(0x100, x);
	CHECK(call(32, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   0x100) == -EPERM);
	CHECK(call(32, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   FAKE_MEM_SIZE - 12) == -EFAULT);

	/* Back to 64-bit: the 64-bit wall clock is written again. */
	version = shinfo()->wc_version;
	PUT(0x100, xatp);
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   0x100) == 0);
	CHECK(!f.dom.shinfo_32);
	CHECK(f.dom.xen_page_gfn[XENABI_PAGE_SHARED_INFO] == 9);
	CHECK(shinfo()->wc_version == version + 2);
	CHECK(shinfo()->wc_sec == 1 && shinfo()->wc_nsec == 500000000);
}

TEST(pvclock)
{
	struct vcpu_time_info *t = &vinfo(FAKE_VCPU_ID)->time;
	struct vcpu_time_info *t2 = &vinfo(FAKE_VCPU2_ID)->time;

	fake_init(&f, 64);
	/* Valid from xen_vcpu_init(): even version, TSC 1000 is time 0. */
	CHECK(t->version != 0 && t->version % 2 == 0);
	CHECK(t->tsc_timestamp == 1000 && t->system_time == 0);
	CHECK(t->flags & XEN_PVCLOCK_TSC_STABLE_BIT);
	CHECK(guest_ns(t, 1000) == 0);
	CHECK(near_ppm(guest_ns(t, 1000 + FAKE_TSC_HZ), NSEC));
	CHECK(near_ppm(guest_ns(t, 1000 + 3600 * FAKE_TSC_HZ), 3600 * NSEC));
	CHECK(guest_ns(t, 1000 + 2468) == 1234);
	CHECK(!memcmp(t, t2, sizeof(*t)));
	/* Only the vCPUs' own: vCPU 4's is not written. */
	CHECK(vinfo(4)->time.version == 0 && vinfo(4)->time.tsc_to_system_mul == 0);

	/* The hypervisor's own idea of the time agrees with the guest's. */
	CHECK(xen_system_time(&f.xv) == 0);
	f.tsc = 999;
	CHECK(xen_system_time(&f.xv) == 0);
	f.tsc = 1000 + 2468;
	CHECK(xen_system_time(&f.xv) == 1234);
	f.tsc = 1000 + 10 * FAKE_TSC_HZ + 2;
	CHECK(xen_system_time(&f.xv) == 10 * NSEC + 1);
	CHECK(xen_system_time(&f.xv2) == guest_ns(t2, f.tsc));

	/* An unstable TSC is not claimed to be stable. */
	xen_time_init(&f.dom, 1000, FAKE_TSC_HZ, 0, false);
	xen_time_update(&f.xv);
	CHECK(!(t->flags & XEN_PVCLOCK_TSC_STABLE_BIT));
	CHECK(t->version % 2 == 0);
}

/* The scale is right, and the most precise, at any TSC frequency. */
TEST(pvclock_frequencies)
{
	static const u64 hz[] = {
		1000000, 100000000, NSEC, 2394000001ULL, 3 * NSEC, 10 * NSEC,
	};
	static const u64 secs[] = { 1, 3600, 30 * 86400 };
	struct vcpu_time_info *t = &vinfo(FAKE_VCPU_ID)->time;
	unsigned int i, j;
	u32 version;

	for (i = 0; i < ARRAY_SIZE(hz); i++) {
		fake_init(&f, 64);
		version = t->version;
		xen_time_init(&f.dom, 5000, hz[i], 0, true);
		xen_time_update(&f.xv);
		CHECK(t->version % 2 == 0 && t->version > version);
		CHECK(t->tsc_timestamp == 5000 && t->system_time == 0);
		CHECK(t->tsc_to_system_mul >= 1u << 31);
		CHECK(f.dom.tsc_khz == hz[i] / 1000);
		for (j = 0; j < ARRAY_SIZE(secs); j++) {
			f.tsc = 5000 + hz[i] * secs[j];
			CHECK(near_ppm(guest_ns(t, f.tsc), secs[j] * NSEC));
			CHECK(xen_system_time(&f.xv) == guest_ns(t, f.tsc));
		}
		/* A millisecond: within a nanosecond. */
		f.tsc = 5000 + hz[i] / 1000;
		CHECK(near_ppm(guest_ns(t, f.tsc), 1000000));
	}
}

TEST(wallclock)
{
	struct shared_info_x86_32 *s32 = shinfo32();

	/* 1.5 s after the epoch, in struct shared_info's own fields. */
	fake_init(&f, 64);
	CHECK(shinfo()->wc_version == 2);
	CHECK(shinfo()->wc_sec == 1 && shinfo()->wc_nsec == 500000000);
	CHECK(shinfo()->wc_sec_hi == 0);

	/* Past 2106: the high half too, in the place of each layout. */
	xen_time_init(&f.dom, 1000, FAKE_TSC_HZ, ((1ULL << 32) + 5) * NSEC + 7,
		      true);
	CHECK(shinfo()->wc_version == 4);
	CHECK(shinfo()->wc_sec == 5 && shinfo()->wc_nsec == 7);
	CHECK(shinfo()->wc_sec_hi == 1);
	f.mode = 32;
	xen_shinfo_latch(&f.xv);
	CHECK(s32->wc_version == 2);
	CHECK(s32->wc_sec == 5 && s32->wc_nsec == 7);
	CHECK(s32->arch.wc_sec_hi == 1);
	/* Latching the same layout again writes nothing. */
	xen_shinfo_latch(&f.xv);
	CHECK(s32->wc_version == 2);
	f.mode = 64;
	xen_shinfo_latch(&f.xv);
	CHECK(shinfo()->wc_version == 6 && shinfo()->wc_sec_hi == 1);
}

TEST(memory_map)
{
	static struct xen_e820_entry big[XENABI_E820_MAX + 1];
	static const struct xen_e820_entry map[3] = {
		{ 0, 0x9f000, 1 }, { 0x100000, 0x7f00000, 1 },
		{ 0xfc000000, 0x1000, 2 },
	};
	struct xen_e820_entry bad[2] = { map[0], { 0x100000, 0, 1 } };
	struct xen_memory_map mm = { .nr_entries = 8 };
	struct memory_map32 mm32 = { .nr_entries = 8, .buffer = 0x1800 };
	unsigned char fill[sizeof(map)];
	unsigned int i;

#define MAP(mode) call((mode), __HYPERVISOR_memory_op, XENMEM_memory_map, 0x100)
	fake_init(&f, 64);
	memset(fill, 0xaa, sizeof(fill));
	set_xen_guest_handle(mm.buffer, GVA(0x1000));
	PUT(0x100, mm);
	CHECK(MAP(64) == -ENOSYS);

	/* The toolstack's map is checked whole. */
	for (i = 0; i < ARRAY_SIZE(big); i++)
		big[i] = (struct xen_e820_entry){ i * 0x1000ULL, 0x1000, 1 };
	CHECK(xen_set_memory_map(&f.dom, big, XENABI_E820_MAX + 1) == -EINVAL);
	CHECK(xen_set_memory_map(&f.dom, bad, 2) == -EINVAL);
	bad[1] = (struct xen_e820_entry){ ~0ULL - 0xfff, 0x2000, 1 };
	CHECK(xen_set_memory_map(&f.dom, bad, 2) == -EINVAL);
	CHECK(f.dom.nr_e820 == 0);
	CHECK(MAP(64) == -ENOSYS);
	CHECK(xen_set_memory_map(&f.dom, big, XENABI_E820_MAX) == 0);
	CHECK(f.dom.nr_e820 == XENABI_E820_MAX);
	CHECK(xen_set_memory_map(&f.dom, map, 3) == 0);
	CHECK(f.dom.nr_e820 == 3);

	/* Room for 8: all 3 come, and nr_entries says so. */
	memset(f.mem + 0x1000, 0xaa, 0x400);
	CHECK(MAP(64) == 0);
	GET(mm, 0x100);
	CHECK(mm.nr_entries == 3);
	CHECK(!memcmp(f.mem + 0x1000, map, sizeof(map)));
	CHECK(f.mem[0x1000 + sizeof(map)] == 0xaa);
	/* Room for 2: cut there. */
	memset(f.mem + 0x1000, 0xaa, 0x400);
	mm.nr_entries = 2;
	PUT(0x100, mm);
	CHECK(MAP(64) == 0);
	GET(mm, 0x100);
	CHECK(mm.nr_entries == 2);
	CHECK(!memcmp(f.mem + 0x1000, map, 2 * sizeof(map[0])));
	CHECK(!memcmp(f.mem + 0x1000 + 2 * sizeof(map[0]), fill,
		      sizeof(map[0])));
	memset(f.mem + 0x1000, 0xaa, 0x400);
	mm.nr_entries = 0;
	PUT(0x100, mm);
	CHECK(MAP(64) == 0);
	GET(mm, 0x100);
	CHECK(mm.nr_entries == 0 && f.mem[0x1000] == 0xaa);

	/* 32-bit: the buffer handle is at offset 4. */
	memset(f.mem + 0x100, 0xff, 16);
	PUT(0x100, mm32);
	CHECK(MAP(32) == 0);
	GET(mm32, 0x100);
	CHECK(mm32.nr_entries == 3 && mm32.buffer == 0x1800);
	CHECK(!memcmp(f.mem + 0x1800, map, sizeof(map)));

	/* The struct, or the buffer, out of reach. */
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_memory_map,
		   FAKE_MEM_SIZE - 4) == -EFAULT);
	CHECK(call(32, __HYPERVISOR_memory_op, XENMEM_memory_map,
		   FAKE_MEM_SIZE - 4) == -EFAULT);
	mm.nr_entries = 3;
	set_xen_guest_handle(mm.buffer, GVA(FAKE_MEM_SIZE - 2 * sizeof(map[0])));
	PUT(0x100, mm);
	CHECK(MAP(64) == -EFAULT);

	/* No map again: as before. */
	CHECK(xen_set_memory_map(&f.dom, map, 0) == 0);
	set_xen_guest_handle(mm.buffer, GVA(0x1000));
	PUT(0x100, mm);
	CHECK(MAP(64) == -ENOSYS);
#undef MAP
}

/*
 * A loopback channel: alloc_unbound, then bind_interdomain to it within
 * the domain; sends on either end reach the other.
 */
TEST(evtchn_interdomain)
{
	struct vcpu_info *vi = vinfo(FAKE_VCPU_ID), *vi2 = vinfo(FAKE_VCPU2_ID);
	struct evtchn_status st;
	long a, b, p;

	fake_init(&f, 64);
	a = alloc_unbound(DOMID_SELF);
	CHECK(a == 1);			/* the lowest: 0 is never a port */
	CHECK(status(a, &st) == 0);
	CHECK(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 7);
	b = bind_interdomain(a);
	CHECK(b == 2);
	/* The new end starts pending, so that nothing sent before is lost. */
	CHECK(is_pending(b) && !is_pending(a));
	CHECK(status(a, &st) == 0);
	CHECK(st.status == EVTCHNSTAT_interdomain);
	CHECK(st.u.interdomain.dom == 7 && st.u.interdomain.port == b);
	CHECK(status(b, &st) == 0);
	CHECK(st.status == EVTCHNSTAT_interdomain);
	CHECK(st.u.interdomain.dom == 7 && st.u.interdomain.port == a);
	/* Both notify vCPU 0, which this domain lacks: no upcall anywhere. */
	CHECK(st.vcpu == 0);
	CHECK(!vi->evtchn_upcall_pending && !vi2->evtchn_upcall_pending);
	CHECK(f.kicks[0] == 0 && f.kicks[1] == 0);

	/* To xv: pending, the selector bit of word 0, the upcall, one kick. */
	CHECK(bind_vcpu(a, FAKE_VCPU_ID) == 0);
	CHECK(send(b) == 0);
	CHECK(is_pending(a));
	CHECK(vi->evtchn_pending_sel == 1);
	CHECK(vi->evtchn_upcall_pending == 1);
	CHECK(f.kicks[0] == 1 && f.kicks[1] == 0);
	CHECK(!vi2->evtchn_pending_sel && !vi2->evtchn_upcall_pending);
	/* Already pending; then pending again with the upcall still up. */
	CHECK(send(b) == 0);
	CHECK(f.kicks[0] == 1);
	shinfo()->evtchn_pending[0] = 0;
	vi->evtchn_pending_sel = 0;
	CHECK(send(b) == 0);
	CHECK(is_pending(a) && vi->evtchn_pending_sel == 1);
	CHECK(f.kicks[0] == 1);
	/* Taken in: the next event kicks again. */
	ack_events(vi);
	CHECK(send(b) == 0);
	CHECK(f.kicks[0] == 2 && vi->evtchn_upcall_pending);
	CHECK(xen_upcall_pending(&f.xv) && !xen_upcall_pending(&f.xv2));
	/* The other way: b notifies vCPU 0, absent; nothing but the bit. */
	ack_events(vi);
	CHECK(send(a) == 0);
	CHECK(is_pending(b) && !is_pending(a) && !vi->evtchn_upcall_pending);

	/* A port of word 1 sets selector bit 1. */
	ack_events(vi);
	do
		p = alloc_unbound(DOMID_SELF);
	while (p > 0 && p < WORD_BITS + 3);
	CHECK(p == WORD_BITS + 3);
	CHECK(bind_vcpu(p, FAKE_VCPU_ID) == 0);
	CHECK(xen_evtchn_set_pending(&f.dom, p) == 0);
	CHECK(is_pending(p) && vi->evtchn_pending_sel == 2);

	/* An IPI goes to its own vCPU. */
	ack_events(vi);
	p = bind_ipi(FAKE_VCPU2_ID);
	CHECK(p > 0);
	CHECK(send(p) == 0);
	CHECK(is_pending(p));
	CHECK(vi2->evtchn_pending_sel == 1UL << (p / WORD_BITS));
	CHECK(vi2->evtchn_upcall_pending && f.kicks[1] == 1);
	CHECK(!vi->evtchn_upcall_pending);

	/* Unbound: dropped; closed, none, or a VIRQ: -EINVAL. */
	ack_events(vi2);
	p = alloc_unbound(DOMID_SELF);
	CHECK(send(p) == 0 && !is_pending(p));
	CHECK(send(p + 1) == -EINVAL);
	CHECK(send(0) == -EINVAL);
	CHECK(send(XENABI_NR_EVTCHNS) == -EINVAL);
	p = bind_virq(VIRQ_TIMER, FAKE_VCPU_ID);
	CHECK(p > 0 && send(p) == -EINVAL);
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_send,
		   FAKE_MEM_SIZE - 2) == -EFAULT);

	/* Binding needs an unbound port of this domain, for this domain. */
	CHECK(bind_interdomain(a) == -EINVAL);		/* interdomain */
	CHECK(bind_interdomain(0) == -EINVAL);
	CHECK(bind_interdomain(XENABI_NR_EVTCHNS) == -EINVAL);
	CHECK(bind_interdomain(500) == -EINVAL);	/* closed */
	p = alloc_unbound(0);				/* for domain 0 */
	CHECK(p > 0);
	CHECK(status(p, &st) == 0 && st.u.unbound.dom == 0);
	CHECK(bind_interdomain(p) == -EINVAL);
	p = alloc_unbound(7);
	CHECK(p > 0 && status(p, &st) == 0 && st.u.unbound.dom == 7);
	{
		struct evtchn_bind_interdomain bi = {
			.remote_dom = 8, .remote_port = p,
		};
		struct evtchn_alloc_unbound au = {
			.dom = 8, .remote_dom = DOMID_SELF,
		};

		CHECK(EVTCHN(EVTCHNOP_bind_interdomain, bi) == -ESRCH);
		bi.remote_dom = 7;
		CHECK(EVTCHN(EVTCHNOP_bind_interdomain, bi) == 0);
		CHECK(bi.local_port > 0);
		CHECK(EVTCHN(EVTCHNOP_alloc_unbound, au) == -EPERM);
		au.dom = 7;
		CHECK(EVTCHN(EVTCHNOP_alloc_unbound, au) == 0);
	}
}

/* A masked port pends without an upcall; unmasking delivers it. */
TEST(evtchn_mask)
{
	struct vcpu_info *vi = vinfo(FAKE_VCPU_ID);
	long a, b;

	fake_init(&f, 64);
	a = alloc_unbound(DOMID_SELF);
	b = bind_interdomain(a);
	CHECK(bind_vcpu(a, FAKE_VCPU_ID) == 0);
	CHECK(bind_vcpu(b, FAKE_VCPU_ID) == 0);
	ack_events(vi);
	set_masked(a);
	CHECK(send(b) == 0);
	CHECK(is_pending(a));
	CHECK(!vi->evtchn_pending_sel && !vi->evtchn_upcall_pending);
	CHECK(f.kicks[0] == 0 && !xen_vcpu_wakeup(&f.xv));
	CHECK(xen_evtchn_set_pending(&f.dom, a) == 0);
	CHECK(f.kicks[0] == 0);

	CHECK(unmask(a) == 0);
	CHECK(!is_masked(a));
	CHECK(vi->evtchn_pending_sel == 1 && vi->evtchn_upcall_pending);
	CHECK(f.kicks[0] == 1 && xen_vcpu_wakeup(&f.xv));
	/* Unmasking a port that is not pending raises nothing. */
	ack_events(vi);
	set_masked(b);
	CHECK(unmask(b) == 0);
	CHECK(!is_masked(b) && !vi->evtchn_upcall_pending);
	CHECK(!vi->evtchn_pending_sel && f.kicks[0] == 1);
	CHECK(unmask(0) == -EINVAL);
	CHECK(unmask(XENABI_NR_EVTCHNS) == -EINVAL);
	/* A closed port stays masked, and is never pending, as on Xen. */
	set_masked(100);
	shinfo()->evtchn_pending[100 / WORD_BITS] |= 1UL << (100 % WORD_BITS);
	CHECK(unmask(100) == 0 && is_masked(100));
	CHECK(!vi->evtchn_upcall_pending && !xen_evtchn_is_pending(&f.dom, 100));
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_unmask,
		   FAKE_MEM_SIZE - 2) == -EFAULT);
}

TEST(evtchn_close_status)
{
	struct evtchn_status st;
	long a, b, v, i;

	fake_init(&f, 64);
	a = alloc_unbound(DOMID_SELF);
	b = bind_interdomain(a);
	CHECK(send(b) == 0 && is_pending(a));
	/* Closing one end: its pending bit goes, the peer waits again. */
	CHECK(close_port(a) == 0);
	CHECK(!is_pending(a));
	CHECK(status(a, &st) == 0 && st.status == EVTCHNSTAT_closed);
	CHECK(status(b, &st) == 0 && st.status == EVTCHNSTAT_unbound);
	CHECK(st.u.unbound.dom == 7);
	memset(shinfo()->evtchn_pending, 0, sizeof(shinfo()->evtchn_pending));
	CHECK(send(b) == 0 && !is_pending(b) && !is_pending(a));
	CHECK(close_port(a) == -EINVAL);
	CHECK(close_port(0) == -EINVAL);
	CHECK(close_port(XENABI_NR_EVTCHNS) == -EINVAL);
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_close,
		   FAKE_MEM_SIZE - 2) == -EFAULT);
	/* The peer can be bound again, and the closed port is reused. */
	CHECK(bind_interdomain(b) == a);
	CHECK(status(b, &st) == 0 && st.status == EVTCHNSTAT_interdomain);
	CHECK(st.u.interdomain.port == a);

	/* Every state, each with what goes with it. */
	v = bind_virq(VIRQ_DEBUG, FAKE_VCPU2_ID);
	i = bind_ipi(FAKE_VCPU_ID);
	CHECK(v == 3 && i == 4);
	CHECK(status(v, &st) == 0 && st.status == EVTCHNSTAT_virq);
	CHECK(st.u.virq == VIRQ_DEBUG && st.vcpu == FAKE_VCPU2_ID);
	CHECK(status(i, &st) == 0 && st.status == EVTCHNSTAT_ipi);
	CHECK(st.vcpu == FAKE_VCPU_ID);
	CHECK(status(5, &st) == 0 && st.status == EVTCHNSTAT_closed);
	CHECK(st.vcpu == 0);
	CHECK(status(XENABI_NR_EVTCHNS - 1, &st) == 0);
	CHECK(st.status == EVTCHNSTAT_closed);
	CHECK(status(0, &st) == -EINVAL);
	CHECK(status(XENABI_NR_EVTCHNS, &st) == -EINVAL);
	memset(&st, 0, sizeof(st));
	st.dom = 8;
	st.port = v;
	CHECK(EVTCHN(EVTCHNOP_status, st) == -EPERM);
	st.dom = 7;
	CHECK(EVTCHN(EVTCHNOP_status, st) == 0 && st.status == EVTCHNSTAT_virq);
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_status,
		   FAKE_MEM_SIZE - 8) == -EFAULT);

	/* Closing a VIRQ frees it to be bound again; an IPI just goes. */
	CHECK(bind_virq(VIRQ_DEBUG, FAKE_VCPU2_ID) == -EEXIST);
	CHECK(close_port(v) == 0);
	CHECK(xen_evtchn_send_virq(&f.xv2, VIRQ_DEBUG) == -ENOENT);
	CHECK(bind_virq(VIRQ_DEBUG, FAKE_VCPU2_ID) == v);
	CHECK(close_port(i) == 0);
	CHECK(status(i, &st) == 0 && st.status == EVTCHNSTAT_closed);
	CHECK(xen_evtchn_set_pending(&f.dom, i) == -EINVAL);
}

TEST(evtchn_virq_ipi)
{
	struct vcpu_info *vi = vinfo(FAKE_VCPU_ID), *vi0 = vinfo(0);
	struct evtchn_status st;
	long t, t2, c, p;

	fake_init(&f, 64);
	t = bind_virq(VIRQ_TIMER, FAKE_VCPU_ID);
	CHECK(t == 1);
	CHECK(f.xv.virq_port[VIRQ_TIMER] == t);
	CHECK(bind_virq(VIRQ_TIMER, FAKE_VCPU_ID) == -EEXIST);
	t2 = bind_virq(VIRQ_TIMER, FAKE_VCPU2_ID);	/* one per vCPU */
	CHECK(t2 == 2);
	CHECK(bind_virq(VIRQ_DEBUG, FAKE_VCPU_ID) == 3);
	CHECK(bind_virq(VIRQ_XENOPROF, FAKE_VCPU_ID) == 4);
	CHECK(bind_virq(VIRQ_XENPMU, FAKE_VCPU2_ID) == 5);
	/* Global VIRQs: on vCPU 0 only, which must exist. */
	CHECK(bind_virq(VIRQ_CONSOLE, FAKE_VCPU_ID) == -EINVAL);
	CHECK(bind_virq(VIRQ_ARCH_0, FAKE_VCPU_ID) == -EINVAL);
	CHECK(bind_virq(VIRQ_CONSOLE, 0) == -ENOENT);
	CHECK(bind_virq(VIRQ_TIMER, 4) == -ENOENT);
	CHECK(bind_virq(VIRQ_TIMER, XENABI_MAX_VCPUS) == -ENOENT);
	CHECK(bind_virq(NR_VIRQS, FAKE_VCPU_ID) == -EINVAL);
	CHECK(bind_virq(NR_VIRQS, 0) == -EINVAL);
	CHECK(fake_add_vcpu0(&f) == 0);
	c = bind_virq(VIRQ_CONSOLE, 0);
	CHECK(c == 6);
	CHECK(status(c, &st) == 0 && st.status == EVTCHNSTAT_virq);
	CHECK(st.vcpu == 0 && st.u.virq == VIRQ_CONSOLE);
	CHECK(bind_virq(VIRQ_CONSOLE, 0) == -EEXIST);
	CHECK(bind_virq(VIRQ_ARCH_7, 0) == 7);
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq,
		   FAKE_MEM_SIZE - 4) == -EFAULT);

	/* The host raises them. */
	CHECK(xen_evtchn_send_virq(&f.xv, VIRQ_TIMER) == 0);
	CHECK(is_pending(t) && !is_pending(t2));
	CHECK(vi->evtchn_upcall_pending && f.kicks[0] == 1);
	CHECK(xen_evtchn_send_virq(&f.xv0, VIRQ_CONSOLE) == 0);
	CHECK(is_pending(c) && vi0->evtchn_upcall_pending && f.kicks[2] == 1);
	CHECK(vi0->evtchn_pending_sel == 1);
	CHECK(xen_evtchn_send_virq(&f.xv, VIRQ_CONSOLE) == -ENOENT);
	CHECK(xen_evtchn_send_virq(&f.xv2, VIRQ_DEBUG) == -ENOENT);
	CHECK(xen_evtchn_send_virq(&f.xv, NR_VIRQS) == -EINVAL);
	CHECK(f.kicks[1] == 0);

	/* IPIs: to a vCPU that exists. */
	CHECK(bind_ipi(4) == -ENOENT);
	CHECK(bind_ipi(XENABI_MAX_VCPUS) == -ENOENT);
	p = bind_ipi(FAKE_VCPU2_ID);
	CHECK(p == 8);
	CHECK(status(p, &st) == 0 && st.status == EVTCHNSTAT_ipi);
	CHECK(st.vcpu == FAKE_VCPU2_ID);
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi,
		   FAKE_MEM_SIZE - 2) == -EFAULT);
	/* And from the host, on any bound port. */
	CHECK(xen_evtchn_set_pending(&f.dom, p) == 0);
	CHECK(is_pending(p) && f.kicks[1] == 1);
	CHECK(xen_evtchn_set_pending(&f.dom, 0) == -EINVAL);
	CHECK(xen_evtchn_set_pending(&f.dom, 100) == -EINVAL);
	CHECK(xen_evtchn_set_pending(&f.dom, XENABI_NR_EVTCHNS) == -EINVAL);
	CHECK(!is_pending(100));
}

TEST(evtchn_bind_vcpu)
{
	struct vcpu_info *vi = vinfo(FAKE_VCPU_ID), *vi2 = vinfo(FAKE_VCPU2_ID);
	struct evtchn_status st;
	long u, a, b, c, t, i;

	fake_init(&f, 64);
	CHECK(fake_add_vcpu0(&f) == 0);
	u = alloc_unbound(0);
	a = alloc_unbound(DOMID_SELF);
	b = bind_interdomain(a);
	c = bind_virq(VIRQ_DOM_EXC, 0);
	t = bind_virq(VIRQ_TIMER, FAKE_VCPU_ID);
	i = bind_ipi(FAKE_VCPU_ID);
	CHECK(u > 0 && b > 0 && c > 0 && t > 0 && i > 0);
	/* b started pending, for vCPU 0: taken in. */
	ack_events(vinfo(0));
	f.kicks[2] = 0;

	/* Unbound, interdomain and global VIRQ ports may move. */
	CHECK(bind_vcpu(u, FAKE_VCPU2_ID) == 0);
	CHECK(status(u, &st) == 0 && st.vcpu == FAKE_VCPU2_ID);
	CHECK(xen_evtchn_set_pending(&f.dom, u) == 0);
	CHECK(vi2->evtchn_upcall_pending && !vi->evtchn_upcall_pending);
	CHECK(bind_vcpu(b, FAKE_VCPU_ID) == 0);
	CHECK(send(a) == 0 && vi->evtchn_upcall_pending);
	ack_events(vi);
	CHECK(bind_vcpu(c, FAKE_VCPU_ID) == 0);
	CHECK(status(c, &st) == 0 && st.vcpu == FAKE_VCPU_ID);
	CHECK(xen_evtchn_send_virq(&f.xv0, VIRQ_DOM_EXC) == 0);
	CHECK(is_pending(c) && vi->evtchn_upcall_pending);
	CHECK(!vinfo(0)->evtchn_upcall_pending && f.kicks[2] == 0);

	/* Per-vCPU VIRQs and IPIs stay; closed ports have nothing to move. */
	CHECK(bind_vcpu(t, FAKE_VCPU2_ID) == -EINVAL);
	CHECK(bind_vcpu(i, FAKE_VCPU2_ID) == -EINVAL);
	CHECK(bind_vcpu(100, FAKE_VCPU2_ID) == -EINVAL);
	CHECK(status(t, &st) == 0 && st.vcpu == FAKE_VCPU_ID);
	CHECK(status(i, &st) == 0 && st.vcpu == FAKE_VCPU_ID);
	CHECK(bind_vcpu(u, 4) == -ENOENT);
	CHECK(bind_vcpu(u, XENABI_MAX_VCPUS) == -ENOENT);
	CHECK(bind_vcpu(0, FAKE_VCPU_ID) == -EINVAL);
	CHECK(bind_vcpu(XENABI_NR_EVTCHNS, FAKE_VCPU_ID) == -EINVAL);
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_vcpu,
		   FAKE_MEM_SIZE - 4) == -EFAULT);

	/* A global VIRQ that moved is unbound from vCPU 0 when it closes. */
	CHECK(close_port(c) == 0);
	CHECK(f.xv0.virq_port[VIRQ_DOM_EXC] == 0);
	CHECK(xen_evtchn_send_virq(&f.xv0, VIRQ_DOM_EXC) == -ENOENT);
	i = bind_ipi(FAKE_VCPU2_ID);		/* takes the port c had */
	CHECK(i == c);
	CHECK(xen_evtchn_send_virq(&f.xv0, VIRQ_DOM_EXC) == -ENOENT);
	CHECK(!is_pending(i));
	CHECK(bind_virq(VIRQ_DOM_EXC, 0) > 0);
}

TEST(evtchn_reset_and_errors)
{
	struct evtchn_reset r = { .dom = 8 };
	struct evtchn_status st;
	long a, b, t, i, p;

	fake_init(&f, 64);
	a = alloc_unbound(DOMID_SELF);
	b = bind_interdomain(a);
	t = bind_virq(VIRQ_TIMER, FAKE_VCPU_ID);
	i = bind_ipi(FAKE_VCPU2_ID);
	CHECK(send(i) == 0 && send(b) == 0);
	CHECK(EVTCHN(EVTCHNOP_reset, r) == -EPERM);
	CHECK(status(t, &st) == 0 && st.status == EVTCHNSTAT_virq);
	r.dom = DOMID_SELF;
	CHECK(EVTCHN(EVTCHNOP_reset, r) == 0);
	for (p = 1; p <= i; p++) {
		CHECK(status(p, &st) == 0 && st.status == EVTCHNSTAT_closed);
		CHECK(!is_pending(p));
	}
	CHECK(f.xv.virq_port[VIRQ_TIMER] == 0);
	CHECK(xen_evtchn_send_virq(&f.xv, VIRQ_TIMER) == -ENOENT);
	CHECK(bind_virq(VIRQ_TIMER, FAKE_VCPU_ID) == 1);
	r.dom = 7;
	CHECK(EVTCHN(EVTCHNOP_reset, r) == 0);
	CHECK(alloc_unbound(DOMID_SELF) == 1);
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_reset,
		   FAKE_MEM_SIZE - 1) == -EFAULT);

	/* No PIRQs. */
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_pirq,
		   ARG) == -ENOSYS);
	CHECK(call(64, __HYPERVISOR_event_channel_op, 1000, ARG) == -ENOSYS);
	CHECK(call(64, __HYPERVISOR_event_channel_op, -1UL, ARG) == -ENOSYS);
	/* A bad pointer for the rest. */
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound,
		   FAKE_MEM_SIZE - 4) == -EFAULT);
	CHECK(call(64, __HYPERVISOR_event_channel_op,
		   EVTCHNOP_bind_interdomain, FAKE_MEM_SIZE - 4) == -EFAULT);
	CHECK(call(32, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound,
		   0xfffffff0) == -EFAULT);
	CHECK(status(2, &st) == 0 && st.status == EVTCHNSTAT_closed);
}

TEST(evtchn_exhaustion)
{
	long p, n = 0, last = 0;

	fake_init(&f, 64);
	while ((p = alloc_unbound(DOMID_SELF)) > 0) {
		n++;
		last = p;
	}
	CHECK(p == -ENOSPC);
	CHECK(n == XENABI_NR_EVTCHNS - 1 && last == XENABI_NR_EVTCHNS - 1);
	CHECK(bind_ipi(FAKE_VCPU_ID) == -ENOSPC);
	CHECK(bind_virq(VIRQ_TIMER, FAKE_VCPU_ID) == -ENOSPC);
	CHECK(bind_interdomain(1) == -ENOSPC);
	CHECK(f.xv.virq_port[VIRQ_TIMER] == 0);
	CHECK(close_port(77) == 0);
	CHECK(bind_interdomain(1) == 77);
	CHECK(alloc_unbound(DOMID_SELF) == -ENOSPC);
}

/*
 * A 32-bit guest's shared_info: 32-bit words, so port 40 is bit 8 of word
 * 1, its selector a 32-bit word at vcpu_info + 4, and only 1024 ports.
 */
TEST(evtchn_32bit)
{
	struct xatp32 x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .gpfn = 9,
	};
	struct vcpu_info_x86_32 *vi = vinfo32(FAKE_VCPU_ID);
	struct shared_info_x86_32 *s32 = shinfo32();
	unsigned char zero[8] = { 0 };
	long p, n = 1;

	fake_init(&f, 32);
	PUT(0x100, x);
	CHECK(call(32, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   0x100) == 0);
	CHECK(f.dom.shinfo_32);
	while ((p = alloc_unbound(DOMID_SELF)) > 0 && p < 40)
		n++;
	CHECK(p == 40);
	CHECK(bind_vcpu(40, FAKE_VCPU_ID) == 0);
	CHECK(xen_evtchn_set_pending(&f.dom, 40) == 0);
	CHECK(s32->evtchn_pending[1] == 1u << 8 && is_pending32(40));
	CHECK(vi->evtchn_pending_sel == 1u << 1);
	CHECK(vi->evtchn_upcall_pending == 1 && f.kicks[0] == 1);
	/* Where a 64-bit selector would be: the 32-bit arch.cr2, untouched. */
	CHECK(!memcmp((char *)vi + offsetof(struct vcpu_info, evtchn_pending_sel),
		      zero, sizeof(zero)));

	/* Masked in the 32-bit mask; unmasked by a 32-bit guest. */
	while ((p = alloc_unbound(DOMID_SELF)) > 0 && p < 70)
		;
	CHECK(p == 70 && bind_vcpu(70, FAKE_VCPU_ID) == 0);
	s32->evtchn_mask[2] = 1u << 6;
	CHECK(xen_evtchn_set_pending(&f.dom, 70) == 0);
	CHECK(is_pending32(70) && vi->evtchn_pending_sel == 1u << 1);
	CHECK(unmask(70) == 0);
	CHECK(s32->evtchn_mask[2] == 0);
	CHECK(vi->evtchn_pending_sel == (1u << 1 | 1u << 2));

	/* Ports past 1023 do not exist in this layout. */
	CHECK(send(1024) == -EINVAL);
	CHECK(xen_evtchn_set_pending(&f.dom, 1024) == -EINVAL);
	CHECK(bind_vcpu(1024, FAKE_VCPU_ID) == -EINVAL);
	CHECK(unmask(1024) == -EINVAL);
	n = 70;
	while ((p = alloc_unbound(DOMID_SELF)) > 0)
		n = p;
	CHECK(p == -ENOSPC && n == 1023);
	/* The wall clock right after the bitmaps is still whole. */
	CHECK(s32->wc_version == 2 && s32->wc_sec == 1);
	CHECK(s32->wc_nsec == 500000000);
}

/* FIFO: control blocks at frames 4 (xv) and 5 (xv2, at 64), words from 8. */
#define FIFO_CB_GFN	4
#define FIFO_CB2_GFN	5
#define FIFO_CB2_OFF	64
#define FIFO_ARRAY_GFN	8
#define FIFO_P		(1u << EVTCHN_FIFO_PENDING)
#define FIFO_M		(1u << EVTCHN_FIFO_MASKED)
#define FIFO_L		(1u << EVTCHN_FIFO_LINKED)
#define FIFO_B		(1u << EVTCHN_FIFO_BUSY)

static long init_control(u64 gfn, u32 offset, u32 vcpu)
{
	struct evtchn_init_control c = {
		.control_gfn = gfn, .offset = offset, .vcpu = vcpu,
	};
	long ret = EVTCHN(EVTCHNOP_init_control, c);

	return ret ? ret : c.link_bits;
}

static long expand_array(u64 gfn)
{
	struct evtchn_expand_array e = { .array_gfn = gfn };

	return EVTCHN(EVTCHNOP_expand_array, e);
}

static long set_priority(u32 port, u32 priority)
{
	struct evtchn_set_priority p = { .port = port, .priority = priority };

	return EVTCHN(EVTCHNOP_set_priority, p);
}

/* The event array pages are consecutive frames: one array of words. */
static event_word_t *fifo_word(u32 port)
{
	return (event_word_t *)(f.mem + FIFO_ARRAY_GFN * 4096) + port;
}

static struct evtchn_fifo_control_block *fifo_cb(void)
{
	return (void *)(f.mem + FIFO_CB_GFN * 4096);
}

static struct evtchn_fifo_control_block *fifo_cb2(void)
{
	return (void *)(f.mem + FIFO_CB2_GFN * 4096 + FIFO_CB2_OFF);
}

/* vCPU xv on FIFO with @pages pages of words, each word as @word. */
static bool fifo_setup(int mode, unsigned int pages, event_word_t word)
{
	unsigned int i;
	bool ok;

	fake_init(&f, mode);
	for (i = 0; i < pages * 1024; i++)
		*fifo_word(i) = word;
	ok = init_control(FIFO_CB_GFN, 0, FAKE_VCPU_ID) == EVTCHN_FIFO_LINK_BITS;
	for (i = 0; i < pages; i++)
		ok = ok && expand_array(FIFO_ARRAY_GFN + i) == 0;
	return ok;
}

/* What the guest does with the head of queue @q: unlinks and returns it. */
static u32 fifo_consume(struct evtchn_fifo_control_block *cb, u32 q,
			u32 *head)
{
	u32 port = *head ? *head : cb->head[q];
	event_word_t w = *fifo_word(port);

	*fifo_word(port) = w & ~(FIFO_L | FIFO_P | EVTCHN_FIFO_LINK_MASK);
	*head = w & EVTCHN_FIFO_LINK_MASK;
	return port;
}

/* init_control's and expand_array's errors, and what switching keeps. */
TEST(evtchn_fifo_setup)
{
	struct vcpu_info *vi = vinfo(FAKE_VCPU_ID);
	long p;

	fake_init(&f, 64);
	CHECK(init_control(FIFO_CB_GFN, 0, 4) == -ENOENT);
	CHECK(init_control(FIFO_CB_GFN, 0, XENABI_MAX_VCPUS) == -ENOENT);
	CHECK(init_control(FIFO_CB_GFN, 0, -1U) == -ENOENT);
	CHECK(init_control(FIFO_CB_GFN, 4096 - 72 + 8, FAKE_VCPU_ID) ==
	      -EINVAL);
	CHECK(init_control(FIFO_CB_GFN, 4, FAKE_VCPU_ID) == -EINVAL);
	CHECK(init_control(FAKE_MEM_SIZE / 4096, 0, FAKE_VCPU_ID) == -EINVAL);
	CHECK(init_control(~0ULL, 0, FAKE_VCPU_ID) == -EINVAL);
	CHECK(f.mapped == 0 && !f.dom.evtchn_fifo);
	CHECK(expand_array(FIFO_ARRAY_GFN) == -EOPNOTSUPP);
	p = bind_ipi(FAKE_VCPU_ID);
	CHECK(set_priority(p, 3) == -ENOSYS);
	CHECK(set_priority(0, 3) == -EINVAL);
	CHECK(call(64, __HYPERVISOR_event_channel_op, EVTCHNOP_init_control,
		   FAKE_MEM_SIZE - 8) == -EFAULT);

	/* Pending under 2-level: raised once its word is there. */
	CHECK(send(p) == 0 && is_pending(p));
	vi->evtchn_upcall_pending = 0;
	memset(f.mem + FIFO_ARRAY_GFN * 4096, 0, 4 * 4096);
	CHECK(init_control(FIFO_CB_GFN, 4096 - 72, FAKE_VCPU_ID) == 17);
	CHECK(init_control(FIFO_CB_GFN, 0, FAKE_VCPU_ID) == -EINVAL);
	CHECK(f.mapped == 1 && f.unmapped == 0);
	CHECK(f.dom.evtchn_fifo && xen_nr_ports(&f.dom) == XENABI_NR_EVTCHNS);
	CHECK(!vi->evtchn_upcall_pending);
	CHECK(expand_array(FAKE_MEM_SIZE / 4096) == -EINVAL);
	CHECK(expand_array(FIFO_ARRAY_GFN) == 0);
	CHECK(*fifo_word(p) == (FIFO_P | FIFO_L));
	CHECK(((struct evtchn_fifo_control_block *)
	       (f.mem + FIFO_CB_GFN * 4096 + 4096 - 72))->head[7] == p);
	CHECK(vi->evtchn_upcall_pending);
	CHECK(expand_array(FIFO_ARRAY_GFN + 1) == 0);
	CHECK(expand_array(FIFO_ARRAY_GFN + 2) == 0);
	CHECK(expand_array(FIFO_ARRAY_GFN + 3) == 0);
	CHECK(expand_array(FIFO_ARRAY_GFN + 4) == -ENOSPC);
	CHECK(f.dom.fifo_nr_ports == XENABI_NR_EVTCHNS);
	CHECK(set_priority(p, 16) == -EINVAL);
	CHECK(set_priority(XENABI_NR_EVTCHNS, 0) == -EINVAL);
	CHECK(set_priority(p, EVTCHN_FIFO_PRIORITY_MIN) == 0);

	/* Reset: 2-level again, every page let go, and FIFO once more. */
	CHECK(EVTCHN(EVTCHNOP_reset, ((struct evtchn_reset){ DOMID_SELF })) ==
	      0);
	CHECK(!f.dom.evtchn_fifo && f.dom.fifo_nr_ports == 0);
	CHECK(f.mapped == f.unmapped);
	CHECK(xen_nr_ports(&f.dom) == 4096 && !f.xv.fifo_cb);
	CHECK(init_control(FIFO_CB_GFN, 0, FAKE_VCPU_ID) == 17);

	/* A domain's vCPUs go: their blocks, then with the last, the array. */
	CHECK(expand_array(FIFO_ARRAY_GFN) == 0);
	CHECK(init_control(FIFO_CB2_GFN, FIFO_CB2_OFF, FAKE_VCPU2_ID) == 17);
	xen_vcpu_destroy(&f.xv2);
	CHECK(f.mapped == f.unmapped + 2 && f.dom.fifo_nr_ports == 1024);
	xen_vcpu_destroy(&f.xv);
	CHECK(f.mapped == f.unmapped && f.dom.fifo_nr_ports == 0);
}

/* Queues: linking, priorities, masking, vCPUs, what the guest consumed. */
TEST(evtchn_fifo_queues)
{
	struct evtchn_fifo_control_block *cb = fifo_cb();
	struct vcpu_info *vi = vinfo(FAKE_VCPU_ID);
	u32 head = 0;
	long a, b, c, u, d;

	CHECK(fifo_setup(64, 1, 0));
	a = bind_ipi(FAKE_VCPU_ID);
	b = bind_ipi(FAKE_VCPU_ID);
	CHECK(a > 0 && b > 0 && f.kicks[0] == 0);
	CHECK(send(a) == 0);
	CHECK(*fifo_word(a) == (FIFO_P | FIFO_L));
	CHECK(cb->head[7] == (u32)a && cb->ready == 1u << 7);
	CHECK(vi->evtchn_upcall_pending && f.kicks[0] == 1);
	CHECK(xen_evtchn_is_pending(&f.dom, a) &&
	      !xen_evtchn_is_pending(&f.dom, b));
	CHECK(send(b) == 0);
	CHECK(*fifo_word(a) == (FIFO_P | FIFO_L | (u32)b));
	CHECK(*fifo_word(b) == (FIFO_P | FIFO_L));
	CHECK(cb->head[7] == (u32)a && f.kicks[0] == 1);
	CHECK(send(a) == 0);		/* already pending: nothing moves */
	CHECK(*fifo_word(a) == (FIFO_P | FIFO_L | (u32)b));

	/* The guest takes both; a new event starts the queue again. */
	cb->ready = 0;
	vi->evtchn_upcall_pending = 0;
	CHECK(fifo_consume(cb, 7, &head) == (u32)a && head == (u32)b);
	CHECK(fifo_consume(cb, 7, &head) == (u32)b && head == 0);
	CHECK(send(b) == 0);
	CHECK(cb->head[7] == (u32)b && *fifo_word(b) == (FIFO_P | FIFO_L));
	CHECK(cb->ready == 1u << 7 && f.kicks[0] == 2);
	CHECK(send(a) == 0 && (*fifo_word(b) & EVTCHN_FIFO_LINK_MASK) == a);

	/* The guest unlinked the tail: the next event is a new head. */
	*fifo_word(a) &= ~FIFO_L;
	*fifo_word(a) &= ~FIFO_P;
	cb->head[7] = 0;
	CHECK(send(a) == 0 && cb->head[7] == (u32)a);

	/* Masked: pending, not linked, until unmasked. */
	c = bind_ipi(FAKE_VCPU_ID);
	*fifo_word(c) = FIFO_M;
	CHECK(send(c) == 0 && *fifo_word(c) == (FIFO_M | FIFO_P));
	CHECK(unmask(c) == 0 && *fifo_word(c) == (FIFO_P | FIFO_L));
	CHECK((*fifo_word(a) & EVTCHN_FIFO_LINK_MASK) == c);
	CHECK(unmask(XENABI_NR_EVTCHNS) == -EINVAL);

	/* A priority: its own queue and READY bit. */
	d = bind_ipi(FAKE_VCPU_ID);
	CHECK(set_priority(d, EVTCHN_FIFO_PRIORITY_MAX) == 0);
	CHECK(send(d) == 0);
	CHECK(cb->head[0] == (u32)d && (cb->ready & 1) &&
	      (*fifo_word(c) & EVTCHN_FIFO_LINK_MASK) == 0);

	/* Closing clears PENDING; the guest unlinks it when it gets there. */
	CHECK(close_port(d) == 0 && *fifo_word(d) == FIFO_L);
	CHECK(!xen_evtchn_is_pending(&f.dom, d));
	/* A closed port, whatever the guest writes: as Xen, not usable. */
	*fifo_word(d) = FIFO_P | FIFO_M;
	CHECK(unmask(d) == 0 && *fifo_word(d) == (FIFO_P | FIFO_M));
	CHECK(set_priority(d, 3) == -EACCES);
	CHECK(!xen_evtchn_is_pending(&f.dom, d));
	*fifo_word(d) = FIFO_L;

	/* Another vCPU's queue: its own block; none yet: dropped. */
	u = alloc_unbound(DOMID_SELF);
	*fifo_word(u) = 0;		/* it is d's: the guest unlinked it */
	CHECK(bind_vcpu(u, FAKE_VCPU2_ID) == 0);
	CHECK(xen_evtchn_set_pending(&f.dom, u) == 0);
	CHECK(*fifo_word(u) == 0 && f.kicks[1] == 0);
	CHECK(init_control(FIFO_CB2_GFN, FIFO_CB2_OFF, FAKE_VCPU2_ID) == 17);
	CHECK(xen_evtchn_set_pending(&f.dom, u) == 0);
	CHECK(fifo_cb2()->head[7] == (u32)u && fifo_cb2()->ready == 1u << 7);
	CHECK(vinfo(FAKE_VCPU2_ID)->evtchn_upcall_pending && f.kicks[1] == 1);
	CHECK(*fifo_word(u) == (FIFO_P | FIFO_L));
	/* Moved back while linked there: the old queue's tail is forgotten. */
	*fifo_word(u) = 0;
	CHECK(bind_vcpu(u, FAKE_VCPU_ID) == 0);
	CHECK(xen_evtchn_set_pending(&f.dom, u) == 0);
	CHECK(f.xv2.fifo_tail[7] == 0 && f.xv.fifo_tail[7] == (u32)u);
}

/*
 * What a guest may do to its words meanwhile: junk in a tail's link is
 * replaced, BUSY is dropped, and ports past the pages it gave wait for
 * them.  32-bit guests use the same structures.
 */
TEST(evtchn_fifo_words)
{
	struct evtchn_fifo_control_block *cb = fifo_cb();
	long a, b, p, n;

	CHECK(fifo_setup(32, 1, 0));
	a = bind_ipi(FAKE_VCPU_ID);
	b = bind_ipi(FAKE_VCPU_ID);
	CHECK(send(a) == 0);
	*fifo_word(a) |= 0x1ffff;	/* a guest's junk link */
	CHECK(send(b) == 0 && *fifo_word(a) == (FIFO_P | FIFO_L | (u32)b));
	CHECK(send(a) == 0);		/* still pending: not linked again */

	/* Ports above the array: kept until expand_array. */
	for (n = 0; n < 1100; n++)
		if ((p = alloc_unbound(DOMID_SELF)) < 0)
			break;
	CHECK(p >= 1024);
	CHECK(bind_vcpu(p, FAKE_VCPU_ID) == 0);
	CHECK(xen_evtchn_set_pending(&f.dom, p) == 0);
	CHECK(!xen_evtchn_is_pending(&f.dom, p));
	*fifo_word(p) = 0;
	cb->head[7] = 0;
	*fifo_word(b) &= ~FIFO_L;	/* the guest consumed the queue */
	CHECK(expand_array(FIFO_ARRAY_GFN + 1) == 0);
	CHECK(*fifo_word(p) == (FIFO_P | FIFO_L) && cb->head[7] == (u32)p);
	CHECK(xen_evtchn_is_pending(&f.dom, p));
	/* All 4096 ports, also for a 32-bit guest. */
	for (n = 0; n < 4096; n++)
		if (alloc_unbound(DOMID_SELF) < 0)
			break;
	CHECK(n == 4096 - 1 - p);
	CHECK(alloc_unbound(DOMID_SELF) == -ENOSPC);
}

/*
 * The guest's other vCPU, between microv's read of a tail word and its
 * compare-exchange: as Linux, it masks, or unmasks unless BUSY is set,
 * or unlinks; a hostile one changes the word every time, BUSY or not.
 */
enum { RACE_MASK, RACE_UNLINK, RACE_ALWAYS } race;
static unsigned int races, busy_seen;

static void race_hook(u32 *w)
{
	if (races++ == 0 || race == RACE_ALWAYS) {
		if (*w & FIFO_B)
			busy_seen++;
		if (race == RACE_UNLINK)
			*w &= ~(FIFO_L | EVTCHN_FIFO_LINK_MASK);
		else if (race == RACE_ALWAYS || !(*w & FIFO_B))
			*w ^= FIFO_M;
	}
}

/* Links @b after the linked tail @a with the guest racing as @how. */
static event_word_t race_link(long a, long b, int how)
{
	*fifo_word(a) = FIFO_P | FIFO_L;
	*fifo_word(b) = 0;
	fifo_cb()->head[7] = a;
	f.xv.fifo_tail[7] = a;
	race = how;
	races = busy_seen = 0;
	xenabi_cmpxchg_hook = race_hook;
	send(b);
	xenabi_cmpxchg_hook = NULL;
	return *fifo_word(a);
}

TEST(evtchn_fifo_busy)
{
	long a, b;

	CHECK(fifo_setup(64, 1, 0));
	a = bind_ipi(FAKE_VCPU_ID);
	b = bind_ipi(FAKE_VCPU_ID);
	/* Masked under it: BUSY goes up, the next try links and drops it. */
	CHECK(race_link(a, b, RACE_MASK) == (FIFO_P | FIFO_L | FIFO_M | b));
	CHECK(races == 2 && fifo_cb()->head[7] == (u32)a);
	/* Unlinked under it: the queue was empty, b is its head. */
	CHECK(race_link(a, b, RACE_UNLINK) == FIFO_P);
	CHECK(fifo_cb()->head[7] == (u32)b && f.xv.fifo_tail[7] == (u32)b);
	/* A guest that ignores BUSY: four more tries, then given up. */
	CHECK((race_link(a, b, RACE_ALWAYS) &
	       (FIFO_B | FIFO_L | EVTCHN_FIFO_LINK_MASK)) == FIFO_L);
	CHECK(races == 5 && busy_seen == 4);
	CHECK(fifo_cb()->head[7] == (u32)a && *fifo_word(b) == (FIFO_P | FIFO_L));
}

/* SCHEDOP_poll sees a FIFO port's PENDING, masked or not. */
TEST(evtchn_fifo_poll)
{
	long p;
	u32 port;

	CHECK(fifo_setup(64, 1, FIFO_M));
	p = bind_ipi(FAKE_VCPU_ID);
	port = p;
	memcpy(f.mem + 0x900, &port, sizeof(port));
	*(u64 *)(f.mem + 0xa00) = 0x900;
	*(u32 *)(f.mem + 0xa08) = 1;
	*(u64 *)(f.mem + 0xa10) = 0;
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_poll, 0xa00) == 0);
	CHECK(f.xv.polling && !xen_vcpu_wakeup(&f.xv));
	CHECK(send(p) == 0 && *fifo_word(p) == (FIFO_M | FIFO_P));
	CHECK(f.kicks[0] == 1 && xen_vcpu_wakeup(&f.xv));
	xen_poll_end(&f.xv);
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_poll, 0xa00) == 0);
	CHECK(!f.xv.polling);		/* pending already: back at once */
}

TEST(upcall_vector)
{
	const u64 via = (u64)HVM_PARAM_CALLBACK_TYPE_VECTOR <<
			XENABI_CALLBACK_TYPE_SHIFT | 0xf3;
	struct xen_hvm_param hp = {
		.domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ,
	};
	struct xen_hvm_evtchn_upcall_vector uv;
	long p, p2;

#define CALLBACK(val) (hp.value = (val), PUT(0x200, hp),		\
		       call(64, __HYPERVISOR_hvm_op, HVMOP_set_param, 0x200))
#define VECTOR(id, vec) (uv.vcpu = (id), uv.vector = (vec), PUT(0x240, uv), \
			 call(64, __HYPERVISOR_hvm_op,			  \
			      HVMOP_set_evtchn_upcall_vector, 0x240))
	fake_init(&f, 64);
	CHECK(xen_upcall_vector(&f.xv) == 0 && !xen_vcpu_wakeup(&f.xv));
	p = bind_ipi(FAKE_VCPU_ID);
	p2 = bind_ipi(FAKE_VCPU2_ID);
	CHECK(send(p) == 0 && f.kicks[0] == 1);
	/* Pending, and it wakes the vCPU, but there is no vector yet. */
	CHECK(xen_vcpu_wakeup(&f.xv) && !xen_vcpu_wakeup(&f.xv2));
	CHECK(xen_upcall_vector(&f.xv) == 0);

	/* Only a vector can be delivered: GSI and INTx are refused. */
	CHECK(CALLBACK((u64)HVM_PARAM_CALLBACK_TYPE_GSI <<
		       XENABI_CALLBACK_TYPE_SHIFT | 9) == -EINVAL);
	CHECK(CALLBACK((u64)HVM_PARAM_CALLBACK_TYPE_PCI_INTX <<
		       XENABI_CALLBACK_TYPE_SHIFT | 0x10) == -EINVAL);
	CHECK(f.dom.params[HVM_PARAM_CALLBACK_IRQ] == 0 && f.kicks[0] == 1);
	/* Set: the vCPU with an upcall pending is kicked to take it. */
	CHECK(CALLBACK(via) == 0);
	CHECK(f.kicks[0] == 2 && f.kicks[1] == 0);
	CHECK(xen_upcall_vector(&f.xv) == 0xf3);
	CHECK(xen_upcall_vector(&f.xv2) == 0);	/* nothing pending */
	/* 0 turns upcalls off. */
	CHECK(CALLBACK(0) == 0);
	CHECK(xen_upcall_vector(&f.xv) == 0 && f.kicks[0] == 2);
	CHECK(CALLBACK(via) == 0 && f.kicks[0] == 3);

	/* A vCPU's own vector wins over the domain's callback. */
	CHECK(VECTOR(FAKE_VCPU_ID, 0xe0) == 0);
	CHECK(f.xv.upcall_vector == 0xe0 && f.kicks[0] == 4);
	CHECK(xen_upcall_vector(&f.xv) == 0xe0);
	CHECK(VECTOR(FAKE_VCPU2_ID, 0x10) == 0);	/* the lowest allowed */
	CHECK(f.kicks[1] == 0 && xen_upcall_vector(&f.xv2) == 0);
	CHECK(send(p2) == 0 && f.kicks[1] == 1);
	CHECK(xen_upcall_vector(&f.xv2) == 0x10);
	CHECK(VECTOR(FAKE_VCPU_ID, 0x0f) == -EINVAL);
	CHECK(VECTOR(4, 0xe1) == -ENOENT);
	CHECK(VECTOR(XENABI_MAX_VCPUS, 0xe1) == -ENOENT);
	CHECK(VECTOR(4, 0x0f) == -EINVAL);
	CHECK(f.xv.upcall_vector == 0xe0);
	CHECK(call(64, __HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector,
		   FAKE_MEM_SIZE - 4) == -EFAULT);
	/* Taken in: nothing to deliver, nothing to wake for. */
	ack_events(vinfo(FAKE_VCPU_ID));
	CHECK(xen_upcall_vector(&f.xv) == 0 && !xen_vcpu_wakeup(&f.xv));

	/* A 32-bit guest setting its callback latches the 32-bit layout. */
	CHECK(!f.dom.shinfo_32);
	hp.value = (u64)HVM_PARAM_CALLBACK_TYPE_GSI << XENABI_CALLBACK_TYPE_SHIFT | 9;
	PUT(0x200, hp);
	CHECK(call(32, __HYPERVISOR_hvm_op, HVMOP_set_param, 0x200) == -EINVAL);
	CHECK(!f.dom.shinfo_32);
	hp.value = via;
	PUT(0x200, hp);
	CHECK(call(32, __HYPERVISOR_hvm_op, HVMOP_set_param, 0x200) == 0);
	CHECK(f.dom.shinfo_32);
	CHECK(shinfo32()->wc_version == 2 && shinfo32()->wc_sec == 1);
#undef CALLBACK
#undef VECTOR
}

#define REGISTER(mode, id) (PUT(0x100, r),				\
			    call3((mode), __HYPERVISOR_vcpu_op,		\
				  VCPUOP_register_vcpu_info, (id), 0x100))

TEST(vcpu_info_register)
{
	struct vcpu_register_vcpu_info r = { .mfn = 6, .offset = 0x40 };
	struct vcpu_info *old = vinfo(FAKE_VCPU_ID);
	struct vcpu_info *vi = (struct vcpu_info *)(f.mem + 6 * 4096 + 0x40);
	u32 version;
	long p;

	fake_init(&f, 64);
	old->arch.cr2 = 0x1234;
	old->evtchn_pending_sel = 1UL << 5;
	version = old->time.version;
	memset(f.mem + 6 * 4096, 0xaa, 4096);
	CHECK(REGISTER(64, FAKE_VCPU_ID) == 0);
	CHECK(f.xv.vcpu_info == vi && f.xv.vcpu_info_page && f.mapped == 1);
	/* What was there comes along; every selector bit and the upcall. */
	CHECK(vi->arch.cr2 == 0x1234);
	CHECK(vi->evtchn_pending_sel == ~0UL);
	CHECK(vi->evtchn_upcall_pending == 1 && f.kicks[0] == 1);
	CHECK(xen_upcall_pending(&f.xv));
	/* A pvclock there, newer than the one it came from. */
	CHECK(vi->time.version % 2 == 0 && vi->time.version > version);
	CHECK(vi->time.tsc_timestamp == 1000 && vi->time.system_time == 0);
	CHECK(near_ppm(guest_ns(&vi->time, 1000 + 5 * FAKE_TSC_HZ), 5 * NSEC));
	/* Only its 64 bytes of the page. */
	CHECK(f.mem[6 * 4096 + 0x3f] == 0xaa);
	CHECK(f.mem[6 * 4096 + 0x40 + sizeof(*vi)] == 0xaa);

	/* Once only. */
	r.mfn = 7;
	CHECK(REGISTER(64, FAKE_VCPU_ID) == -EINVAL);
	CHECK(f.xv.vcpu_info == vi && f.mapped == 1);

	/* Events go to the new place, not the old. */
	ack_events(vi);
	ack_events(old);
	p = bind_ipi(FAKE_VCPU_ID);
	CHECK(send(p) == 0);
	CHECK(vi->evtchn_upcall_pending);
	CHECK(vi->evtchn_pending_sel == 1UL << (p / WORD_BITS));
	CHECK(!old->evtchn_upcall_pending && !old->evtchn_pending_sel);
	CHECK(f.kicks[0] == 2);
	/* A layout latch leaves the pvclock be: it is where it was. */
	version = vi->time.version;
	f.mode = 32;
	xen_shinfo_latch(&f.xv);
	CHECK(f.dom.shinfo_32 && vi->time.version == version);
	CHECK(vi->time.tsc_to_system_mul == f.dom.tsc_mul);

	/* For xv2: misaligned, past the page, reserved bits, no RAM. */
	r.offset = 4;
	CHECK(REGISTER(64, FAKE_VCPU2_ID) == -EINVAL);
	r.offset = 4096 - sizeof(struct vcpu_info) + 8;
	CHECK(REGISTER(64, FAKE_VCPU2_ID) == -EINVAL);
	r.offset = 0xfffffff8;
	CHECK(REGISTER(64, FAKE_VCPU2_ID) == -EINVAL);
	r.offset = 0x80;
	r.rsvd = 1;
	CHECK(REGISTER(64, FAKE_VCPU2_ID) == -EINVAL);
	r.rsvd = 0;
	r.mfn = FAKE_MEM_SIZE / 4096;
	CHECK(REGISTER(64, FAKE_VCPU2_ID) == -EINVAL);
	r.mfn = ~0ULL;
	CHECK(REGISTER(64, FAKE_VCPU2_ID) == -EINVAL);
	CHECK(REGISTER(64, 4) == -ENOENT);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info,
		    FAKE_VCPU2_ID, FAKE_MEM_SIZE - 8) == -EFAULT);
	CHECK(f.mapped == 1 && f.xv2.vcpu_info == vinfo(FAKE_VCPU2_ID));
	CHECK(f.kicks[1] == 0);
	/* The last place in a page, registered by another vCPU. */
	r.mfn = 7;
	r.offset = 4096 - sizeof(struct vcpu_info);
	CHECK(REGISTER(64, FAKE_VCPU2_ID) == 0);
	CHECK(f.xv2.vcpu_info == f.mem + 8 * 4096 - sizeof(struct vcpu_info));
	CHECK(f.mapped == 2 && f.kicks[1] == 1);

	/* Gone with the domain: the pages are let go. */
	xen_vcpu_destroy(&f.xv);
	CHECK(f.unmapped == 1 && !f.dom.vcpus[FAKE_VCPU_ID]);
	CHECK(!f.xv.vcpu_info && !f.xv.vcpu_info_page);
	CHECK(xen_evtchn_set_pending(&f.dom, p) == 0 && f.kicks[0] == 2);
	xen_vcpu_destroy(&f.xv2);
	CHECK(f.unmapped == 2 && !f.dom.vcpus[FAKE_VCPU2_ID]);
}

/*
 * Another vCPU moves the same vcpu_info while this one maps its page (as
 * on two host CPUs): one wins, the loser's page is let go.
 */
static long meanwhile_ret = 1;

static void register_meanwhile(struct fake_vcpu *fv, u64 gfn)
{
	struct vcpu_register_vcpu_info r = { .mfn = 7, .offset = 0x80 };
	unsigned long regs[ARRAY_SIZE(fv->regs)];

	(void)gfn;
	fv->on_map = NULL;
	memcpy(regs, fv->regs, sizeof(regs));
	fv->regs[XEN_REG_RDX] = 0x300;
	PUT(0x300, r);
	fv->regs[XEN_REG_RAX] = __HYPERVISOR_vcpu_op;
	fv->regs[XEN_REG_RDI] = VCPUOP_register_vcpu_info;
	fv->regs[XEN_REG_RSI] = FAKE_VCPU_ID;
	xen_hypercall(&fv->xv2);
	meanwhile_ret = fv->regs[XEN_REG_RAX];
	memcpy(fv->regs, regs, sizeof(regs));
}

TEST(vcpu_info_register_race)
{
	struct vcpu_register_vcpu_info r = { .mfn = 6, .offset = 0x40 };

	fake_init(&f, 64);
	f.on_map = register_meanwhile;
	CHECK(REGISTER(64, FAKE_VCPU_ID) == -EINVAL);
	CHECK(meanwhile_ret == 0);
	CHECK(f.xv.vcpu_info == f.mem + 7 * 4096 + 0x80);
	CHECK(f.mapped == 2 && f.unmapped == 1);
	xen_vcpu_destroy(&f.xv);
	CHECK(f.unmapped == 2);
}

/*
 * A vCPU being made is out of the other vCPUs' reach until published:
 * its creation may still fail and free it.
 */
TEST(vcpu_unpublished)
{
	fake_init(&f, 64);
	CHECK(xen_vcpu_init(&f.xv0, &f.dom, FAKE_VCPU0_ID, &fake_ops) == 0);
	CHECK(!f.dom.vcpus[FAKE_VCPU0_ID]);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_is_up, FAKE_VCPU0_ID,
		    0) == -ENOENT);
	xen_vcpu_publish(&f.xv0);
	CHECK(f.dom.vcpus[FAKE_VCPU0_ID] == &f.xv0);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_is_up, FAKE_VCPU0_ID,
		    0) == 1);
	xen_vcpu_destroy(&f.xv0);
	CHECK(!f.dom.vcpus[FAKE_VCPU0_ID]);
}

/* In the 32-bit layout: a 32-bit selector at +4, all 32 bits raised. */
TEST(vcpu_info_register_32)
{
	struct vcpu_register_vcpu_info r = { .mfn = 6, .offset = 0x40 };
	struct vcpu_info_x86_32 *vi =
		(struct vcpu_info_x86_32 *)(f.mem + 6 * 4096 + 0x40);
	unsigned char arch[8];
	long p;

	fake_init(&f, 32);
	xen_shinfo_latch(&f.xv);
	CHECK(f.dom.shinfo_32);
	memcpy(arch, (char *)vinfo32(FAKE_VCPU_ID) +
	       offsetof(struct vcpu_info_x86_32, arch), sizeof(arch));
	CHECK(REGISTER(32, FAKE_VCPU_ID) == 0);
	CHECK(vi->evtchn_pending_sel == ~0u && vi->evtchn_upcall_pending == 1);
	/* Past the 32-bit selector: arch, as it was. */
	CHECK(!memcmp((char *)vi + offsetof(struct vcpu_info_x86_32, arch),
		      arch, sizeof(arch)));
	CHECK(f.kicks[0] == 1);
	vi->evtchn_pending_sel = 0;
	vi->evtchn_upcall_pending = 0;
	while ((p = alloc_unbound(DOMID_SELF)) > 0 && p < 40)
		;
	CHECK(p == 40 && bind_vcpu(40, FAKE_VCPU_ID) == 0);
	CHECK(xen_evtchn_set_pending(&f.dom, 40) == 0);
	CHECK(vi->evtchn_pending_sel == 1u << 1 && vi->evtchn_upcall_pending);
}
#undef REGISTER

TEST(vcpu_areas)
{
	struct vcpu_register_runstate_memory_area ra;
	struct vcpu_register_time_memory_area ta;
	struct vcpu_runstate_info rs;
	struct vcpu_time_info t, *own = &vinfo(FAKE_VCPU_ID)->time;

#define AREA(mode, op, id, a) (PUT(0x100, a),				\
			       call3((mode), __HYPERVISOR_vcpu_op, (op), (id), \
				     0x100))
	fake_init(&f, 64);
	memset(f.mem + 0x2000, 0xff, 0x1000);
	/* Its own runstate area: written at once. */
	ra.addr.p = 0x2000;
	CHECK(AREA(64, VCPUOP_register_runstate_memory_area, FAKE_VCPU_ID,
		   ra) == 0);
	CHECK(f.xv.runstate_area == 0x2000);
	GET(rs, 0x2000);
	CHECK(rs.state == RUNSTATE_offline && rs.state_entry_time == 0);
	CHECK(!rs.time[0] && !rs.time[1] && !rs.time[2] && !rs.time[3]);
	/* Another's: written in its own context, when it next changes. */
	ra.addr.p = 0x2100;
	CHECK(AREA(64, VCPUOP_register_runstate_memory_area, FAKE_VCPU2_ID,
		   ra) == 0);
	CHECK(f.xv2.runstate_area == 0x2100);
	CHECK(f.mem[0x2100] == 0xff && f.mem[0x2100 + sizeof(rs) - 1] == 0xff);
	f.tsc = tsc_at(700);
	xen_runstate_set(&f.xv2, RUNSTATE_running);
	GET(rs, 0x2100);
	CHECK(rs.state == RUNSTATE_running && rs.state_entry_time == 700);
	CHECK(rs.time[RUNSTATE_offline] == 700);
	GET(rs, 0x2000);
	CHECK(rs.state == RUNSTATE_offline);

	/* Time areas: the same pvclock as in vcpu_info. */
	ta.addr.p = 0x2200;
	CHECK(AREA(64, VCPUOP_register_vcpu_time_memory_area, FAKE_VCPU_ID,
		   ta) == 0);
	GET(t, 0x2200);
	CHECK(t.version != 0 && t.version % 2 == 0);
	CHECK(t.tsc_timestamp == own->tsc_timestamp && t.system_time == 0);
	CHECK(t.tsc_to_system_mul == own->tsc_to_system_mul);
	CHECK(t.tsc_shift == own->tsc_shift && t.flags == own->flags);
	CHECK(t.tsc_timestamp == 1000 && t.flags == XEN_PVCLOCK_TSC_STABLE_BIT);
	/* Another's: at its next xen_runstate_set(), state changed or not. */
	ta.addr.p = 0x2300;
	CHECK(AREA(64, VCPUOP_register_vcpu_time_memory_area, FAKE_VCPU2_ID,
		   ta) == 0);
	CHECK(f.mem[0x2300] == 0xff && f.xv2.time_area_stale);
	xen_runstate_set(&f.xv2, RUNSTATE_running);
	GET(t, 0x2300);
	CHECK(t.version % 2 == 0 && t.tsc_timestamp == 1000);
	CHECK(t.tsc_to_system_mul == own->tsc_to_system_mul);
	CHECK(!f.xv2.time_area_stale);

	/* Address 0: no area, nothing written any more. */
	ra.addr.p = 0;
	CHECK(AREA(64, VCPUOP_register_runstate_memory_area, FAKE_VCPU_ID,
		   ra) == 0);
	memset(f.mem + 0x2000, 0xff, sizeof(rs));
	xen_runstate_set(&f.xv, RUNSTATE_running);
	CHECK(f.mem[0x2000] == 0xff && f.xv.runstate.state == RUNSTATE_running);

	/* A 32-bit guest: the low half of the 64-bit address field. */
	ra.addr.p = 0xdead000000002400ULL;
	CHECK(AREA(32, VCPUOP_register_runstate_memory_area, FAKE_VCPU_ID,
		   ra) == 0);
	CHECK(f.xv.runstate_area == 0x2400);
	GET(rs, 0x2400);
	CHECK(rs.state == RUNSTATE_running);
	ta.addr.p = 0xdead000000002500ULL;
	CHECK(AREA(32, VCPUOP_register_vcpu_time_memory_area, FAKE_VCPU_ID,
		   ta) == 0);
	CHECK(f.xv.time_area == 0x2500);
	GET(t, 0x2500);
	CHECK(t.tsc_timestamp == 1000 && t.version % 2 == 0);

	CHECK(call3(64, __HYPERVISOR_vcpu_op,
		    VCPUOP_register_runstate_memory_area, FAKE_VCPU_ID,
		    FAKE_MEM_SIZE - 4) == -EFAULT);
	CHECK(call3(64, __HYPERVISOR_vcpu_op,
		    VCPUOP_register_vcpu_time_memory_area, FAKE_VCPU_ID,
		    FAKE_MEM_SIZE - 4) == -EFAULT);
	CHECK(AREA(64, VCPUOP_register_runstate_memory_area, 4, ra) == -ENOENT);
	CHECK(AREA(64, VCPUOP_register_vcpu_time_memory_area, 4, ta) ==
	      -ENOENT);
	/* An area out of reach is the guest's problem: nothing written. */
	ra.addr.p = FAKE_MEM_SIZE - 8;
	CHECK(AREA(64, VCPUOP_register_runstate_memory_area, FAKE_VCPU_ID,
		   ra) == 0);
	xen_runstate_set(&f.xv, RUNSTATE_blocked);
#undef AREA
}

#define SSHOT(mode, id) (PUT(0x100, st),				\
			 call3((mode), __HYPERVISOR_vcpu_op,		\
			       VCPUOP_set_singleshot_timer, (id), 0x100))

TEST(vcpu_timers)
{
	struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = 10 };
	long t;

	fake_init(&f, 64);
	f.tsc = tsc_at(1000);
	/* With no VIRQ_TIMER bound, a deadline passed raises nothing. */
	CHECK(SSHOT(64, FAKE_VCPU_ID) == 0);
	CHECK(!f.timer_armed && !f.xv.timer_deadline && f.kicks[0] == 0);

	t = bind_virq(VIRQ_TIMER, FAKE_VCPU_ID);
	CHECK(t > 0);
	st.timeout_abs_ns = 5000;
	CHECK(SSHOT(64, FAKE_VCPU_ID) == 0);
	CHECK(f.timer_armed && f.timer_ns == 4000);
	CHECK(f.xv.timer_deadline == 5000 && !is_pending(t));
	/* The host's timer went off early: armed again for the rest. */
	f.tsc = tsc_at(4999);
	f.timer_armed = false;
	xen_timer_fired(&f.xv);
	CHECK(!is_pending(t) && f.timer_armed && f.timer_ns == 1);
	f.tsc = tsc_at(5000);
	xen_timer_fired(&f.xv);
	CHECK(is_pending(t) && vinfo(FAKE_VCPU_ID)->evtchn_upcall_pending);
	CHECK(f.kicks[0] == 1);
	CHECK(!f.timer_armed && f.xv.timer_deadline == 0);
	/* Once. */
	ack_events(vinfo(FAKE_VCPU_ID));
	xen_timer_fired(&f.xv);
	CHECK(!is_pending(t));

	/* In the past: at once; unless the guest wants the future only. */
	st.timeout_abs_ns = 4000;
	CHECK(SSHOT(64, FAKE_VCPU_ID) == 0 && is_pending(t) && !f.timer_armed);
	ack_events(vinfo(FAKE_VCPU_ID));
	st.flags = VCPU_SSHOTTMR_future;
	CHECK(SSHOT(64, FAKE_VCPU_ID) == -ETIME && !is_pending(t));
	st.timeout_abs_ns = 0;
	CHECK(SSHOT(64, FAKE_VCPU_ID) == -ETIME && !is_pending(t));
	st.timeout_abs_ns = 9000;
	CHECK(SSHOT(64, FAKE_VCPU_ID) == 0 && f.timer_armed);
	CHECK(f.timer_ns == 4000 && !is_pending(t));
	/* 0 is long past, not "stop". */
	st.flags = 0;
	st.timeout_abs_ns = 0;
	CHECK(SSHOT(64, FAKE_VCPU_ID) == 0 && is_pending(t) && !f.timer_armed);
	ack_events(vinfo(FAKE_VCPU_ID));

	/* Only its own. */
	st.timeout_abs_ns = 9000;
	CHECK(SSHOT(64, FAKE_VCPU2_ID) == -EINVAL);
	CHECK(f.xv2.timer_deadline == 0 && !f.timer_armed);
	CHECK(SSHOT(64, 4) == -ENOENT);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer,
		    FAKE_VCPU_ID, FAKE_MEM_SIZE - 8) == -EFAULT);

	/* Stopped, by itself only. */
	CHECK(SSHOT(64, FAKE_VCPU_ID) == 0 && f.timer_armed);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer,
		    FAKE_VCPU2_ID, 0) == -EINVAL);
	CHECK(f.timer_armed && f.xv.timer_deadline == 9000);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer,
		    FAKE_VCPU_ID, 0) == 0);
	CHECK(!f.timer_armed && f.xv.timer_deadline == 0);
	f.tsc = tsc_at(10000);
	xen_timer_fired(&f.xv);
	CHECK(!is_pending(t));
	/* There is no periodic timer: stopping it always works. */
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer,
		    FAKE_VCPU_ID, 0) == 0);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer,
		    FAKE_VCPU2_ID, 0) == 0);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer,
		    4, 0) == -ENOENT);

	/* A 32-bit guest's struct is 12 bytes: all it needs is those. */
	st.timeout_abs_ns = 12000;
	st.flags = VCPU_SSHOTTMR_future;
	memcpy(f.mem + FAKE_MEM_SIZE - 12, &st, 12);
	CHECK(call3(32, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer,
		    FAKE_VCPU_ID, FAKE_MEM_SIZE - 12) == 0);
	CHECK(f.xv.timer_deadline == 12000 && f.timer_ns == 2000);
	CHECK(call3(32, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer,
		    FAKE_VCPU_ID, FAKE_MEM_SIZE - 8) == -EFAULT);
}
#undef SSHOT

TEST(set_timer_op)
{
	long t;

	fake_init(&f, 64);
	t = bind_virq(VIRQ_TIMER, FAKE_VCPU_ID);
	CHECK(call(64, __HYPERVISOR_set_timer_op, (1UL << 32) + 5, 0) == 0);
	CHECK(f.xv.timer_deadline == (1ULL << 32) + 5);
	CHECK(f.timer_armed && f.timer_ns == (1ULL << 32) + 5);
	/* 32-bit: the deadline's halves in EBX and ECX. */
	CHECK(call(32, __HYPERVISOR_set_timer_op, 0xffffffff00000007UL,
		   0xffffffff00000002UL) == 0);
	CHECK(f.xv.timer_deadline == (2ULL << 32) + 7);
	CHECK(f.timer_ns == (2ULL << 32) + 7);
	/* 0 stops it. */
	CHECK(call(64, __HYPERVISOR_set_timer_op, 0, 0) == 0);
	CHECK(!f.timer_armed && f.xv.timer_deadline == 0);
	CHECK(call(32, __HYPERVISOR_set_timer_op, 7, 0) == 0 && f.timer_armed);
	CHECK(call(32, __HYPERVISOR_set_timer_op, 0, 0) == 0 && !f.timer_armed);
	/* Past: VIRQ_TIMER at once. */
	f.tsc = tsc_at(1000);
	CHECK(call(64, __HYPERVISOR_set_timer_op, 999, 0) == 0);
	CHECK(is_pending(t) && !f.timer_armed);
	ack_events(vinfo(FAKE_VCPU_ID));
	CHECK(call(32, __HYPERVISOR_set_timer_op, 1000, 0) == 0);
	CHECK(is_pending(t));
	ack_events(vinfo(FAKE_VCPU_ID));
	/* 64-bit: RSI is no part of it. */
	CHECK(call(64, __HYPERVISOR_set_timer_op, 5000, 1) == 0);
	CHECK(f.timer_ns == 4000 && !is_pending(t));
}

TEST(vcpu_op_misc)
{
	static const unsigned long nosys[] = {
		VCPUOP_initialise, VCPUOP_up, VCPUOP_down,
		VCPUOP_set_periodic_timer, VCPUOP_send_nmi, VCPUOP_get_physid,
		VCPUOP_register_vcpu_time_memory_area + 1, 1000,
	};
	struct vcpu_runstate_info rs;
	struct runstate32 rs32;
	unsigned int i;

	fake_init(&f, 64);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_is_up, FAKE_VCPU_ID, 0) == 1);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_is_up, FAKE_VCPU2_ID, 0) ==
	      1);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 0, 0) == -ENOENT);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 4, 0) == -ENOENT);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_is_up, XENABI_MAX_VCPUS,
		    0) == -ENOENT);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_is_up, -1UL, 0) ==
	      -ENOENT);
	/* 32-bit: the id is ECX. */
	CHECK(call3(32, __HYPERVISOR_vcpu_op, VCPUOP_is_up,
		    0x100000000UL | FAKE_VCPU2_ID, 0) == 1);
	for (i = 0; i < ARRAY_SIZE(nosys); i++) {
		CHECK(call3(64, __HYPERVISOR_vcpu_op, nosys[i], FAKE_VCPU_ID,
			    0x100) == -ENOSYS);
		/* The vCPU is looked up first. */
		CHECK(call3(64, __HYPERVISOR_vcpu_op, nosys[i], 4, 0x100) ==
		      -ENOENT);
	}

	/* Another vCPU's runstate, counted up to now. */
	f.tsc = tsc_at(1000);
	xen_runstate_set(&f.xv2, RUNSTATE_running);
	f.tsc = tsc_at(4000);
	memset(f.mem + 0x300, 0xaa, 0x100);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info,
		    FAKE_VCPU2_ID, 0x300) == 0);
	GET(rs, 0x300);
	CHECK(rs.state == RUNSTATE_running && rs.state_entry_time == 1000);
	CHECK(rs.time[RUNSTATE_running] == 3000);
	CHECK(rs.time[RUNSTATE_offline] == 1000);
	CHECK(!rs.time[RUNSTATE_blocked] && !rs.time[RUNSTATE_runnable]);
	CHECK(f.mem[0x300 + sizeof(rs)] == 0xaa);
	/* Counting up is for the answer only. */
	CHECK(f.xv2.runstate.time[RUNSTATE_running] == 0);
	/* A 32-bit caller gets its own layout. */
	memset(f.mem + 0x300, 0xaa, 0x100);
	CHECK(call3(32, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info,
		    FAKE_VCPU2_ID, 0x300) == 0);
	GET(rs32, 0x300);
	CHECK(rs32.state == RUNSTATE_running);
	CHECK(rs32.state_entry_time == 1000);
	CHECK(rs32.time[RUNSTATE_running] == 3000);
	CHECK(rs32.time[RUNSTATE_offline] == 1000);
	CHECK(f.mem[0x300 + sizeof(rs32)] == 0xaa);
	/* Its own: offline since it began. */
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info,
		    FAKE_VCPU_ID, 0x300) == 0);
	GET(rs, 0x300);
	CHECK(rs.state == RUNSTATE_offline && rs.time[RUNSTATE_offline] == 4000);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info,
		    FAKE_VCPU2_ID, FAKE_MEM_SIZE - 8) == -EFAULT);
	CHECK(call3(32, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info,
		    FAKE_VCPU2_ID, FAKE_MEM_SIZE - sizeof(rs32) + 4) == -EFAULT);
	CHECK(call3(32, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info,
		    FAKE_VCPU2_ID, FAKE_MEM_SIZE - sizeof(rs32)) == 0);
	CHECK(call3(64, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info,
		    4, 0x300) == -ENOENT);
}

/* What the guest's runstate area held after each write to it. */
static u64 watch_base;
static size_t watch_len;
static size_t watch_entry;	/* offset of state_entry_time */
static unsigned int nr_writes;
static u64 seen_entry[8];
static u32 seen_state[8];

static void watch_runstate(struct fake_vcpu *ff, u64 gva, size_t len)
{
	if (gva >= watch_base + watch_len || gva + len <= watch_base)
		return;
	if (nr_writes < ARRAY_SIZE(seen_entry)) {
		memcpy(&seen_entry[nr_writes],
		       ff->mem + watch_base + watch_entry, sizeof(u64));
		memcpy(&seen_state[nr_writes], ff->mem + watch_base,
		       sizeof(u32));
	}
	nr_writes++;
}

/*
 * With the update flag, a reader on another vCPU must see
 * XEN_RUNSTATE_UPDATE from before the first byte of the update changes
 * until after the last: every write but the last leaves it set.
 */
static void check_flagged_update(int *failedp, u32 old_state, u64 entry)
{
	unsigned int i;

	CHECK(nr_writes >= 2 && nr_writes <= ARRAY_SIZE(seen_entry));
	if (nr_writes < 2 || nr_writes > ARRAY_SIZE(seen_entry))
		return;
	CHECK(seen_state[0] == old_state);
	for (i = 0; i + 1 < nr_writes; i++)
		CHECK(seen_entry[i] & XEN_RUNSTATE_UPDATE);
	CHECK(seen_entry[nr_writes - 1] == entry);
}

TEST(runstate)
{
	struct vcpu_register_runstate_memory_area ra = { .addr.p = 0x2000 };
	struct vcpu_runstate_info rs, *r = &f.xv.runstate;
	struct runstate32 rs32;
	unsigned int i;

	fake_init(&f, 64);
	PUT(0x100, ra);
	CHECK(call3(64, __HYPERVISOR_vcpu_op,
		    VCPUOP_register_runstate_memory_area, FAKE_VCPU_ID,
		    0x100) == 0);
	f.tsc = tsc_at(1000);
	xen_runstate_set(&f.xv, RUNSTATE_running);
	f.tsc = tsc_at(3000);
	xen_runstate_set(&f.xv, RUNSTATE_blocked);
	f.tsc = tsc_at(3500);
	xen_runstate_set(&f.xv, RUNSTATE_running);
	f.tsc = tsc_at(6000);
	xen_runstate_set(&f.xv, RUNSTATE_runnable);
	f.tsc = tsc_at(6100);
	xen_runstate_set(&f.xv, RUNSTATE_runnable);	/* no change */
	CHECK(r->state == RUNSTATE_runnable && r->state_entry_time == 6000);
	CHECK(r->time[RUNSTATE_offline] == 1000);
	CHECK(r->time[RUNSTATE_running] == 2000 + 2500);
	CHECK(r->time[RUNSTATE_blocked] == 500);
	CHECK(r->time[RUNSTATE_runnable] == 0);
	GET(rs, 0x2000);
	CHECK(!memcmp(&rs, r, sizeof(rs)));
	/* Read now: the current state counts up to now. */
	xen_runstate_get(&f.xv, &rs);
	CHECK(rs.time[RUNSTATE_runnable] == 100 && rs.state_entry_time == 6000);

	/* Not a nanosecond counted twice, though the TSC moves as it is read. */
	f.tsc_step = 7;
	for (i = 0; i < 8; i++)
		xen_runstate_set(&f.xv, i % 2 ? RUNSTATE_running :
						RUNSTATE_blocked);
	f.tsc_step = 0;
	CHECK(r->time[0] + r->time[1] + r->time[2] + r->time[3] ==
	      r->state_entry_time);
	CHECK(r->state == RUNSTATE_running);

	/* The update flag. */
	CHECK(call(64, __HYPERVISOR_vm_assist, VMASST_CMD_enable,
		   VMASST_TYPE_runstate_update_flag) == 0);
	watch_base = 0x2000;
	watch_len = sizeof(rs);
	watch_entry = offsetof(struct vcpu_runstate_info, state_entry_time);
	nr_writes = 0;
	f.on_write = watch_runstate;
	f.tsc += 2 * 2000;
	xen_runstate_set(&f.xv, RUNSTATE_blocked);
	f.on_write = NULL;
	check_flagged_update(failedp, RUNSTATE_running, r->state_entry_time);
	GET(rs, 0x2000);
	CHECK(!memcmp(&rs, r, sizeof(rs)));
	CHECK(!(rs.state_entry_time & XEN_RUNSTATE_UPDATE));

	/* In the 32-bit layout (latched): 4-byte aligned times. */
	f.mode = 32;
	xen_shinfo_latch(&f.xv);
	memset(f.mem + 0x2000, 0xaa, 0x100);
	watch_len = sizeof(rs32);
	watch_entry = offsetof(struct runstate32, state_entry_time);
	nr_writes = 0;
	f.on_write = watch_runstate;
	f.tsc += 2 * 3000;
	xen_runstate_set(&f.xv, RUNSTATE_running);
	f.on_write = NULL;
	check_flagged_update(failedp, 0xaaaaaaaa, r->state_entry_time);
	GET(rs32, 0x2000);
	CHECK(rs32.state == RUNSTATE_running);
	CHECK(rs32.state_entry_time == r->state_entry_time);
	for (i = 0; i < 4; i++)
		CHECK(rs32.time[i] == r->time[i]);
	CHECK(f.mem[0x2000 + sizeof(rs32)] == 0xaa);

	/* Without it: one plain copy. */
	CHECK(call(32, __HYPERVISOR_vm_assist, VMASST_CMD_disable,
		   VMASST_TYPE_runstate_update_flag) == 0);
	nr_writes = 0;
	f.on_write = watch_runstate;
	f.tsc += 2 * 1000;
	xen_runstate_set(&f.xv, RUNSTATE_blocked);
	f.on_write = NULL;
	CHECK(nr_writes == 1 && seen_entry[0] == r->state_entry_time);
	CHECK(!(seen_entry[0] & XEN_RUNSTATE_UPDATE));
}

#define POLL() (PUT(0x100, sp), call(64, __HYPERVISOR_sched_op, SCHEDOP_poll, \
				     0x100))

TEST(sched_poll)
{
	struct vcpu_info *vi = vinfo(FAKE_VCPU_ID);
	struct sched_poll sp = { .nr_ports = 2 };
	u32 ports[XENABI_POLL_MAX + 1];
	long a, b, i, q, q2;
	unsigned int k;

	fake_init(&f, 64);
	a = alloc_unbound(DOMID_SELF);
	b = bind_interdomain(a);
	i = bind_ipi(FAKE_VCPU_ID);
	q = bind_ipi(FAKE_VCPU_ID);
	q2 = bind_ipi(FAKE_VCPU2_ID);
	CHECK(a > 0 && b > 0 && i > 0 && q > 0 && q2 > 0);
	ports[0] = a;
	ports[1] = i;
	memcpy(f.mem + 0x300, ports, 2 * sizeof(u32));
	set_xen_guest_handle(sp.ports, GVA(0x300));

	/* A polled port already pending: back at once. */
	CHECK(send(i) == 0);
	CHECK(POLL() == 0 && f.xv.exit == XEN_EXIT_NONE && !f.xv.polling);
	ack_events(vi);
	f.kicks[0] = 0;

	/* Otherwise it waits, for a polled port only. */
	CHECK(POLL() == 0);
	CHECK(f.xv.exit == XEN_EXIT_POLL && f.xv.polling && f.xv.nr_poll == 2);
	CHECK(!f.timer_armed && !xen_vcpu_wakeup(&f.xv));
	CHECK(send(a) == 0 && is_pending(b));		/* not polled */
	CHECK(!xen_vcpu_wakeup(&f.xv));
	/* Masked, and for an absent vCPU 0: it wakes, and is kicked to. */
	set_masked(a);
	CHECK(send(b) == 0 && is_pending(a) && !vi->evtchn_upcall_pending);
	CHECK(xen_vcpu_wakeup(&f.xv));
	CHECK(f.kicks[0] == 1);
	xen_poll_end(&f.xv);
	CHECK(!f.xv.polling && f.xv.nr_poll == 0);
	CHECK(!xen_vcpu_wakeup(&f.xv));
	ack_events(vi);

	/* A timeout arms the timer; the vCPU wakes when it has passed. */
	f.tsc = tsc_at(1000);
	sp.timeout = 6000;
	CHECK(POLL() == 0 && f.xv.exit == XEN_EXIT_POLL);
	CHECK(f.timer_armed && f.timer_ns == 5000 && !f.xv.timer_deadline);
	f.tsc = tsc_at(5999);
	xen_timer_fired(&f.xv);
	CHECK(!xen_vcpu_wakeup(&f.xv) && f.timer_armed && f.timer_ns == 1);
	f.tsc = tsc_at(6000);
	xen_timer_fired(&f.xv);
	CHECK(xen_vcpu_wakeup(&f.xv) && f.xv.poll_timed_out);
	CHECK(!f.timer_armed);
	xen_poll_end(&f.xv);
	CHECK(!f.xv.poll_timed_out && !f.timer_armed && !xen_vcpu_wakeup(&f.xv));
	/* Already past: back at once. */
	CHECK(POLL() == 0 && f.xv.exit == XEN_EXIT_NONE && !f.xv.polling);

	/* With a single-shot timer too: the earlier of the two, then the other. */
	CHECK(call(64, __HYPERVISOR_set_timer_op, 10000, 0) == 0);
	CHECK(f.timer_ns == 4000);
	sp.timeout = 8000;
	CHECK(POLL() == 0 && f.timer_ns == 2000);
	xen_poll_end(&f.xv);
	CHECK(f.timer_armed && f.timer_ns == 4000);
	CHECK(f.xv.timer_deadline == 10000 && f.xv.poll_deadline == 0);
	sp.timeout = 12000;
	CHECK(POLL() == 0 && f.timer_ns == 4000);
	xen_poll_end(&f.xv);
	CHECK(call(64, __HYPERVISOR_set_timer_op, 0, 0) == 0 && !f.timer_armed);

	/* An upcall ends a poll too. */
	sp.timeout = 0;
	CHECK(POLL() == 0 && f.xv.polling);
	CHECK(xen_evtchn_set_pending(&f.dom, q) == 0);
	CHECK(xen_vcpu_wakeup(&f.xv));
	xen_poll_end(&f.xv);
	ack_events(vi);

	/* A polled port for another vCPU: the poller is kicked all the same. */
	ports[0] = q2;
	memcpy(f.mem + 0x300, ports, sizeof(u32));
	sp.nr_ports = 1;
	f.kicks[0] = f.kicks[1] = 0;
	CHECK(POLL() == 0 && f.xv.polling);
	CHECK(xen_evtchn_set_pending(&f.dom, q2) == 0);
	CHECK(xen_vcpu_wakeup(&f.xv) && f.kicks[0] == 1 && f.kicks[1] == 1);
	xen_poll_end(&f.xv);
	ack_events(vinfo(FAKE_VCPU2_ID));

	/* XENABI_POLL_MAX ports at most, each one that can exist. */
	for (k = 0; k < ARRAY_SIZE(ports); k++)
		ports[k] = a;
	memcpy(f.mem + 0x300, ports, sizeof(ports));
	sp.nr_ports = XENABI_POLL_MAX;
	CHECK(POLL() == 0 && f.xv.exit == XEN_EXIT_POLL);
	CHECK(f.xv.nr_poll == XENABI_POLL_MAX);
	xen_poll_end(&f.xv);
	sp.nr_ports = XENABI_POLL_MAX + 1;
	CHECK(POLL() == -EINVAL && f.xv.exit == XEN_EXIT_NONE);
	CHECK(!f.xv.polling);
	sp.nr_ports = 2;
	ports[1] = 0;
	memcpy(f.mem + 0x300, ports, 2 * sizeof(u32));
	CHECK(POLL() == -EINVAL && !f.xv.polling);
	ports[1] = XENABI_NR_EVTCHNS;
	memcpy(f.mem + 0x300, ports, 2 * sizeof(u32));
	CHECK(POLL() == -EINVAL && !f.xv.polling);
	ports[1] = XENABI_NR_EVTCHNS - 1;		/* closed, but a port */
	memcpy(f.mem + 0x300, ports, 2 * sizeof(u32));
	CHECK(POLL() == 0 && f.xv.polling);
	xen_poll_end(&f.xv);
	/* No ports and no timeout: only an upcall ends it. */
	sp.nr_ports = 0;
	CHECK(POLL() == 0 && f.xv.polling && !xen_vcpu_wakeup(&f.xv));
	CHECK(xen_evtchn_set_pending(&f.dom, i) == 0 && xen_vcpu_wakeup(&f.xv));
	xen_poll_end(&f.xv);
	/* Out of reach: the list, or the struct. */
	sp.nr_ports = 2;
	memcpy(f.mem + FAKE_MEM_SIZE - 4, &ports[0], sizeof(u32));
	set_xen_guest_handle(sp.ports, GVA(FAKE_MEM_SIZE - 4));
	CHECK(POLL() == -EFAULT && !f.xv.polling);
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_poll,
		   FAKE_MEM_SIZE - 16) == -EFAULT);
	CHECK(f.xv.exit == XEN_EXIT_NONE && !f.xv.polling);
}
#undef POLL

/* A 32-bit guest's struct sched_poll: 4-byte handle, timeout at 8. */
TEST(sched_poll_32)
{
	struct sched_poll32 sp = { .ports = 0x300, .nr_ports = 1,
				   .timeout = 7000 };
	u32 port;
	long i;

	fake_init(&f, 32);
	i = bind_ipi(FAKE_VCPU_ID);
	port = i;
	PUT(0x300, port);
	memset(f.mem + 0x100, 0xff, 32);
	PUT(0x100, sp);
	f.tsc = tsc_at(1000);
	CHECK(call(32, __HYPERVISOR_sched_op, SCHEDOP_poll, 0x100) == 0);
	CHECK(f.xv.exit == XEN_EXIT_POLL && f.xv.nr_poll == 1);
	CHECK(f.xv.poll_ports[0] == i && f.xv.poll_deadline == 7000);
	CHECK(f.timer_armed && f.timer_ns == 6000);
	CHECK(!xen_vcpu_wakeup(&f.xv));
	CHECK(xen_evtchn_set_pending(&f.dom, i) == 0 && xen_vcpu_wakeup(&f.xv));
	xen_poll_end(&f.xv);
	/* 16 bytes at the very end of memory are all it takes. */
	PUT(FAKE_MEM_SIZE - sizeof(sp), sp);
	CHECK(call(32, __HYPERVISOR_sched_op, SCHEDOP_poll,
		   FAKE_MEM_SIZE - sizeof(sp)) == 0);
	CHECK(f.xv.exit == XEN_EXIT_NONE);	/* i is pending */
	CHECK(call(32, __HYPERVISOR_sched_op, SCHEDOP_poll,
		   FAKE_MEM_SIZE - sizeof(sp) + 4) == -EFAULT);
	/* Latched 32-bit: port 1024 does not exist. */
	xen_shinfo_latch(&f.xv);
	port = 1024;
	PUT(0x300, port);
	CHECK(call(32, __HYPERVISOR_sched_op, SCHEDOP_poll, 0x100) == -EINVAL);
	port = 1023;
	PUT(0x300, port);
	CHECK(call(32, __HYPERVISOR_sched_op, SCHEDOP_poll, 0x100) == 0);
	CHECK(f.xv.exit == XEN_EXIT_POLL);
	xen_poll_end(&f.xv);
}

#define GNT(cmd, s) (PUT(0x100, s), call3(64, __HYPERVISOR_grant_table_op, \
					  (cmd), 0x100, 1))

TEST(grant_table)
{
	static const unsigned long nosys[] = {
		GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref,
		GNTTABOP_dump_table, GNTTABOP_transfer, GNTTABOP_copy,
		GNTTABOP_unmap_and_replace, GNTTABOP_get_status_frames,
		GNTTABOP_swap_grant_ref, GNTTABOP_cache_flush, 1000,
	};
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 2 };
	struct gnttab_set_version sv = { .version = 1 };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
		.idx = 1, .gpfn = 12,
	};
	xen_pfn_t frames[3];
	unsigned int k;

	fake_init(&f, 64);
	CHECK(GNT(GNTTABOP_query_size, q) == 0);
	GET(q, 0x100);
	CHECK(q.nr_frames == 0 && q.max_nr_frames == XENABI_GNTTAB_FRAMES);
	CHECK(q.status == GNTST_okay);
	q.dom = 8;
	CHECK(GNT(GNTTABOP_query_size, q) == 0);
	GET(q, 0x100);
	CHECK(q.status == GNTST_permission_denied);
	/* One argument at a time. */
	q.dom = DOMID_SELF;
	PUT(0x100, q);
	CHECK(call3(64, __HYPERVISOR_grant_table_op, GNTTABOP_query_size,
		    0x100, 0) == -EINVAL);
	CHECK(call3(64, __HYPERVISOR_grant_table_op, GNTTABOP_query_size,
		    0x100, 2) == -EINVAL);
	CHECK(call3(64, __HYPERVISOR_grant_table_op, GNTTABOP_query_size,
		    FAKE_MEM_SIZE - 8, 1) == -EFAULT);

	/* setup_table: frames not placed yet are ~0. */
	set_xen_guest_handle(st.frame_list, GVA(0x400));
	memset(f.mem + 0x400, 0xaa, 0x100);
	CHECK(GNT(GNTTABOP_setup_table, st) == 0);
	GET(st, 0x100);
	CHECK(st.status == GNTST_okay);
	memcpy(frames, f.mem + 0x400, sizeof(frames));
	CHECK(frames[0] == (xen_pfn_t)XENABI_NO_GFN);
	CHECK(frames[1] == (xen_pfn_t)XENABI_NO_GFN);
	CHECK(frames[2] == (xen_pfn_t)0xaaaaaaaaaaaaaaaaULL);
	CHECK(f.dom.gnttab_frames == 2);
	CHECK(GNT(GNTTABOP_query_size, q) == 0);
	GET(q, 0x100);
	CHECK(q.nr_frames == 2);
	/* Placed: where it is. */
	PUT(0x200, xatp);
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   0x200) == 0);
	CHECK(GNT(GNTTABOP_setup_table, st) == 0);
	memcpy(frames, f.mem + 0x400, sizeof(frames));
	CHECK(frames[0] == (xen_pfn_t)XENABI_NO_GFN && frames[1] == 12);
	/* No more than XENABI_GNTTAB_FRAMES, and none for another domain. */
	memset(f.mem + 0x400, 0xaa, 0x100);
	st.nr_frames = XENABI_GNTTAB_FRAMES + 1;
	CHECK(GNT(GNTTABOP_setup_table, st) == 0);
	GET(st, 0x100);
	CHECK(st.status == GNTST_general_error && f.mem[0x400] == 0xaa);
	CHECK(f.dom.gnttab_frames == 2);
	st.nr_frames = 1;
	st.dom = 8;
	CHECK(GNT(GNTTABOP_setup_table, st) == 0);
	GET(st, 0x100);
	CHECK(st.status == GNTST_permission_denied && f.mem[0x400] == 0xaa);
	st.dom = 7;
	st.nr_frames = XENABI_GNTTAB_FRAMES;
	CHECK(GNT(GNTTABOP_setup_table, st) == 0);
	GET(st, 0x100);
	CHECK(st.status == GNTST_okay);
	CHECK(f.dom.gnttab_frames == XENABI_GNTTAB_FRAMES);
	memcpy(frames, f.mem + 0x400, sizeof(frames));
	CHECK(frames[1] == 12 && frames[2] == (xen_pfn_t)XENABI_NO_GFN);
	set_xen_guest_handle(st.frame_list, GVA(FAKE_MEM_SIZE - 8));
	CHECK(GNT(GNTTABOP_setup_table, st) == -EFAULT);
	CHECK(call3(64, __HYPERVISOR_grant_table_op, GNTTABOP_setup_table,
		    FAKE_MEM_SIZE - 12, 1) == -EFAULT);

	/* Version 1 only; the answer is the version in force. */
	CHECK(GNT(GNTTABOP_set_version, sv) == 0);
	GET(sv, 0x100);
	CHECK(sv.version == 1);
	sv.version = 2;
	CHECK(GNT(GNTTABOP_set_version, sv) == -EINVAL);
	GET(sv, 0x100);
	CHECK(sv.version == 1);
	sv.version = 0;
	CHECK(GNT(GNTTABOP_set_version, sv) == -EINVAL);
	GET(sv, 0x100);
	CHECK(sv.version == 1);
	CHECK(call3(64, __HYPERVISOR_grant_table_op, GNTTABOP_set_version,
		    FAKE_MEM_SIZE - 2, 1) == -EFAULT);
	gv.version = 0;
	CHECK(GNT(GNTTABOP_get_version, gv) == 0);
	GET(gv, 0x100);
	CHECK(gv.version == 1);
	gv.dom = 8;
	CHECK(GNT(GNTTABOP_get_version, gv) == -EPERM);
	gv.dom = 7;
	CHECK(GNT(GNTTABOP_get_version, gv) == 0);
	CHECK(call3(64, __HYPERVISOR_grant_table_op, GNTTABOP_get_version,
		    FAKE_MEM_SIZE - 4, 1) == -EFAULT);
	CHECK(call3(64, __HYPERVISOR_grant_table_op, GNTTABOP_get_version,
		    0x100, 3) == -EINVAL);

	for (k = 0; k < ARRAY_SIZE(nosys); k++) {
		CHECK(call3(64, __HYPERVISOR_grant_table_op, nosys[k], 0x100,
			    1) == -ENOSYS);
		CHECK(call3(64, __HYPERVISOR_grant_table_op, nosys[k], 0x100,
			    5) == -ENOSYS);
	}
}
#undef GNT

/* A 32-bit guest: a 4-byte frame list handle at 12, 4-byte frames. */
TEST(grant_table_32)
{
	struct setup_table32 st = {
		.dom = DOMID_SELF, .nr_frames = 3, .frame_list = 0x400,
	};
	struct xatp32 x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
		.idx = 1, .gpfn = 12,
	};
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	u32 frames[4];

	fake_init(&f, 32);
	PUT(0x200, x);
	CHECK(call(32, __HYPERVISOR_memory_op, XENMEM_add_to_physmap,
		   0x200) == 0);
	memset(f.mem + 0x400, 0xaa, 0x100);
	memset(f.mem + 0x100, 0xff, 32);
	PUT(0x100, st);
	CHECK(call3(32, __HYPERVISOR_grant_table_op, GNTTABOP_setup_table,
		    0x100, 1) == 0);
	GET(st, 0x100);
	CHECK(st.status == GNTST_okay && st.frame_list == 0x400);
	memcpy(frames, f.mem + 0x400, sizeof(frames));
	CHECK(frames[0] == 0xffffffff && frames[1] == 12);
	CHECK(frames[2] == 0xffffffff && frames[3] == 0xaaaaaaaa);
	CHECK(call3(32, __HYPERVISOR_grant_table_op, GNTTABOP_setup_table,
		    FAKE_MEM_SIZE - 14, 1) == -EFAULT);
	/* The count is EDX. */
	PUT(0x200, q);
	CHECK(call3(32, __HYPERVISOR_grant_table_op, GNTTABOP_query_size,
		    0x200, 0xffffffff00000001UL) == 0);
	GET(q, 0x200);
	CHECK(q.nr_frames == 3 && q.status == GNTST_okay);
}

/* Where the tests put the console ring in guest memory. */
#define CONS_RING	0x6000

static struct xencons_interface *cring(void)
{
	return (struct xencons_interface *)(f.mem + CONS_RING);
}

/* The byte a guest writes at ring index @idx: it tells indexes apart. */
static char pat(u32 idx)
{
	return (char)(idx * 7 + (idx >> 8) + 1);
}

/* The guest writes @len bytes of console output, without an event. */
static void cons_write(u32 len)
{
	struct xencons_interface *c = cring();
	u32 i;

	for (i = 0; i < len; i++)
		c->out[MASK_XENCONS_IDX(c->out_prod + i, c->out)] =
			pat(c->out_prod + i);
	c->out_prod += len;
}

/* Whether @buf holds the @n bytes the guest wrote from index @from. */
static bool pulled(const char *buf, u32 from, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (buf[i] != pat(from + i))
			return false;
	return true;
}

static size_t pull(char *buf, size_t len)
{
	return xen_console_pull(&f.dom, buf, len);
}

TEST(console_ring_pull)
{
	struct xencons_interface *c = cring();
	static char buf[3 * 2048];
	u32 start;

	fake_init(&f, 64);
	/* Nothing connected: nothing, and no index moves. */
	cons_write(5);
	CHECK(pull(buf, sizeof(buf)) == 0);
	CHECK(c->out_cons == 0);
	f.dom.console_ring = c;
	CHECK(pull(buf, sizeof(buf)) == 5);
	CHECK(pulled(buf, 0, 5) && c->out_cons == 5 && c->out_prod == 5);
	CHECK(pull(buf, sizeof(buf)) == 0 && c->out_cons == 5);
	/* At most @len; the rest stays for the next pull. */
	cons_write(100);
	memset(buf, 0x5a, sizeof(buf));
	CHECK(pull(buf, 30) == 30);
	CHECK(pulled(buf, 5, 30) && c->out_cons == 35);
	CHECK(buf[30] == 0x5a);
	CHECK(pull(buf, 0) == 0 && c->out_cons == 35);
	CHECK(pull(buf, sizeof(buf)) == 70);
	CHECK(pulled(buf, 35, 70) && c->out_cons == 105);
	/* A ring exactly full, across its end: all of it, in order. */
	cons_write(2048);
	CHECK(pull(buf, sizeof(buf)) == 2048);
	CHECK(pulled(buf, 105, 2048) && c->out_cons == 105 + 2048);
	/* Across the end of the ring where the indexes wrap at 2^32. */
	start = 0u - 1000;
	c->out_cons = start;
	c->out_prod = start;
	cons_write(1500);
	CHECK(c->out_prod == 500);
	CHECK(pull(buf, sizeof(buf)) == 1500);
	CHECK(pulled(buf, start, 1500) && c->out_cons == 500);
	/* A producer more than a ring ahead: only the last 2048 bytes. */
	start = 0u - 100;
	c->out_cons = start;
	c->out_prod = start;
	cons_write(2048 + 300);
	CHECK(pull(buf, sizeof(buf)) == 2048);
	CHECK(pulled(buf, c->out_prod - 2048, 2048));
	CHECK(c->out_cons == c->out_prod);
	/* ... also when taken a piece at a time. */
	cons_write(3000);
	CHECK(pull(buf, 100) == 100);
	CHECK(pulled(buf, c->out_prod - 2048, 100));
	CHECK(c->out_cons == c->out_prod - 1948);
	CHECK(pull(buf, sizeof(buf)) == 1948);
	CHECK(pulled(buf, c->out_prod - 1948, 1948));
	CHECK(c->out_cons == c->out_prod);
	/* A producer behind its consumer is as far ahead as can be. */
	c->out_cons = c->out_prod + 1;
	CHECK(pull(buf, sizeof(buf)) == 2048);
	CHECK(pulled(buf, c->out_prod - 2048, 2048));
	CHECK(c->out_cons == c->out_prod);
	/* Output and input are apart. */
	CHECK(c->in_cons == 0 && c->in_prod == 0);
}

TEST(console_ring_push)
{
	struct xencons_interface *c = cring();
	unsigned char before[sizeof(c->in)];
	char src[2048];
	u32 start, i;
	bool ok;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (char)(i * 13 + 5);
	fake_init(&f, 64);
	CHECK(xen_console_push(&f.dom, src, 10) == 0);
	CHECK(xen_console_room(&f.dom) == 0);
	CHECK(c->in_prod == 0 && !c->in[0]);
	f.dom.console_ring = c;
	memset(c->in, 0xee, sizeof(c->in));
	/* The indexes wrap at 2^32, 824 bytes into the ring. */
	start = 0u - 200;
	c->in_cons = start;
	c->in_prod = start;
	CHECK(xen_console_room(&f.dom) == 1024);
	CHECK(xen_console_push(&f.dom, src, 300) == 300);
	CHECK(c->in_prod == start + 300 && c->in_cons == start);
	CHECK(xen_console_room(&f.dom) == 724);
	for (i = 0, ok = true; i < 300; i++)
		ok &= c->in[MASK_XENCONS_IDX(start + i, c->in)] == src[i];
	CHECK(ok);
	for (i = 100, ok = true; i < 824; i++)
		ok &= (unsigned char)c->in[i] == 0xee;
	CHECK(ok);
	/* Fills the ring and stops there. */
	CHECK(xen_console_push(&f.dom, src + 300, 1000) == 724);
	CHECK(c->in_prod == start + 1024 && xen_console_room(&f.dom) == 0);
	for (i = 0, ok = true; i < 1024; i++)
		ok &= c->in[MASK_XENCONS_IDX(start + i, c->in)] == src[i];
	CHECK(ok);
	CHECK(xen_console_push(&f.dom, src, 1) == 0);
	CHECK(c->in_prod == start + 1024);
	/* The guest reads some: that much room again. */
	c->in_cons += 100;
	CHECK(xen_console_room(&f.dom) == 100);
	CHECK(xen_console_push(&f.dom, src + 1024, 50) == 50);
	CHECK(c->in_prod == start + 1074 && xen_console_room(&f.dom) == 50);
	for (i = 0, ok = true; i < 50; i++)
		ok &= c->in[MASK_XENCONS_IDX(start + 1024 + i, c->in)] ==
		      src[1024 + i];
	CHECK(ok);
	CHECK(xen_console_push(&f.dom, src, 0) == 0);
	CHECK(c->in_prod == start + 1074);
	/* Nonsense indexes: nothing goes in, in_prod stays as it is. */
	memcpy(before, c->in, sizeof(before));
	c->in_cons = c->in_prod + 1;
	CHECK(xen_console_push(&f.dom, src, 10) == 0);
	CHECK(xen_console_room(&f.dom) == 0);
	CHECK(c->in_prod == start + 1074);
	c->in_cons = c->in_prod - 1025;
	CHECK(xen_console_push(&f.dom, src, 10) == 0);
	CHECK(xen_console_room(&f.dom) == 0);
	CHECK(c->in_prod == start + 1074);
	CHECK(!memcmp(before, c->in, sizeof(before)));
	/* A ring just full is not nonsense, only full. */
	c->in_cons = c->in_prod - 1024;
	CHECK(xen_console_room(&f.dom) == 0);
	CHECK(xen_console_push(&f.dom, src, 10) == 0);
	c->in_cons = c->in_prod - 1023;
	CHECK(xen_console_room(&f.dom) == 1);
	CHECK(xen_console_push(&f.dom, src, 10) == 1);
	CHECK(c->out_cons == 0 && c->out_prod == 0);
}

/* Every port's pending bit clear. */
static bool none_pending(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(shinfo()->evtchn_pending); i++)
		if (shinfo()->evtchn_pending[i])
			return false;
	return true;
}

TEST(evtchn_host)
{
	struct vcpu_info *vi = vinfo(FAKE_VCPU_ID), *vi0 = vinfo(0);
	struct evtchn_status st;
	long a, h, h2, b, p, u, i;
	static const u32 others[] = { 0, 100, XENABI_NR_EVTCHNS, ~0u };

	fake_init(&f, 64);
	CHECK(fake_add_vcpu0(&f) == 0);
	a = alloc_unbound(DOMID_SELF);
	h = xen_evtchn_bind_host(&f.dom);
	CHECK(a == 1 && h == 2);
	CHECK(close_port(a) == 0);
	h2 = xen_evtchn_bind_host(&f.dom);
	CHECK(h2 == 1);
	/* To the guest: interdomain, to domain 0's port 0, on vCPU 0. */
	CHECK(status(h, &st) == 0 && st.status == EVTCHNSTAT_interdomain);
	CHECK(st.u.interdomain.dom == XENABI_BACKEND_DOMID);
	CHECK(st.u.interdomain.dom == 0 && st.u.interdomain.port == 0);
	CHECK(st.vcpu == 0);
	CHECK(none_pending() && !vi0->evtchn_upcall_pending);

	/* The guest's event goes to the host, with its port; none to it. */
	CHECK(send(h) == 0);
	CHECK(f.notified == 1 && f.notify_port == h);
	CHECK(none_pending() && !vi0->evtchn_upcall_pending);
	CHECK(!vi0->evtchn_pending_sel && !f.kicks[0] && !f.kicks[2]);
	CHECK(send(h2) == 0 && f.notified == 2 && f.notify_port == h2);
	CHECK(none_pending());

	/* The host's event: pending, the selector, the upcall, a kick. */
	CHECK(xen_evtchn_notify_from_host(&f.dom, h) == 0);
	CHECK(is_pending(h) && vi0->evtchn_pending_sel == 1);
	CHECK(vi0->evtchn_upcall_pending && f.kicks[2] == 1);
	CHECK(!f.kicks[0] && f.notified == 2);
	/* To the vCPU the guest moved it to; masked, only pending. */
	ack_events(vi0);
	CHECK(bind_vcpu(h, FAKE_VCPU_ID) == 0);
	CHECK(xen_evtchn_notify_from_host(&f.dom, h) == 0);
	CHECK(is_pending(h) && vi->evtchn_upcall_pending && f.kicks[0] == 1);
	CHECK(!vi0->evtchn_upcall_pending);
	ack_events(vi);
	set_masked(h2);
	CHECK(xen_evtchn_notify_from_host(&f.dom, h2) == 0);
	CHECK(is_pending(h2) && !vi0->evtchn_upcall_pending);
	ack_events(vi0);

	/* Only the host's ports: not the guest's own, nor ones not there. */
	p = bind_ipi(FAKE_VCPU_ID);
	u = alloc_unbound(0);
	CHECK(p > 0 && u > 0);
	CHECK(xen_evtchn_notify_from_host(&f.dom, p) == -EINVAL);
	CHECK(xen_evtchn_notify_from_host(&f.dom, u) == -EINVAL);
	for (i = 0; i < (long)ARRAY_SIZE(others); i++)
		CHECK(xen_evtchn_notify_from_host(&f.dom, others[i]) ==
		      -EINVAL);
	CHECK(none_pending() && !f.kicks[1] && f.kicks[0] == 1);

	/* Closed by the guest (the host told): neither way any more. */
	CHECK(close_port(h) == 0);
	CHECK(f.notified == 3 && f.notify_port == h && !f.notify_local);
	CHECK(xen_evtchn_notify_from_host(&f.dom, h) == -EINVAL);
	CHECK(send(h) == -EINVAL && f.notified == 3);
	CHECK(none_pending());
	/* Its number, reused by the guest, is the guest's: even for dom 0. */
	CHECK(alloc_unbound(0) == h);
	CHECK(xen_evtchn_notify_from_host(&f.dom, h) == -EINVAL);
	CHECK(send(h) == 0 && f.notified == 3 && none_pending());
	CHECK(close_port(h) == 0);
	CHECK(alloc_unbound(DOMID_SELF) == h);
	b = bind_interdomain(h);
	CHECK(b > 0);
	memset(shinfo()->evtchn_pending, 0, sizeof(shinfo()->evtchn_pending));
	CHECK(xen_evtchn_notify_from_host(&f.dom, h) == -EINVAL);
	CHECK(xen_evtchn_notify_from_host(&f.dom, b) == -EINVAL);
	CHECK(send(h) == 0 && is_pending(b) && f.notified == 3);
	/* A reset closes the host's ports too. */
	CHECK(xen_evtchn_notify_from_host(&f.dom, h2) == 0);
	xen_evtchn_reset(&f.xv);
	CHECK(xen_evtchn_notify_from_host(&f.dom, h2) == -EINVAL);

	/* A domain with the backends' id: its own channels stay its own. */
	fake_init(&f, 64);
	f.dom.domid = XENABI_BACKEND_DOMID;
	h = xen_evtchn_bind_host(&f.dom);
	a = alloc_unbound(DOMID_SELF);
	b = bind_interdomain(a);
	CHECK(h == 1 && a == 2 && b == 3);
	memset(shinfo()->evtchn_pending, 0, sizeof(shinfo()->evtchn_pending));
	CHECK(xen_evtchn_notify_from_host(&f.dom, a) == -EINVAL);
	CHECK(xen_evtchn_notify_from_host(&f.dom, b) == -EINVAL);
	CHECK(send(h) == 0 && f.notified == 1 && f.notify_port == h);
	CHECK(none_pending());
	CHECK(send(b) == 0 && is_pending(a) && f.notified == 1);
	CHECK(close_port(b) == 0);	/* a waits again, for port 0 */
	CHECK(xen_evtchn_notify_from_host(&f.dom, a) == -EINVAL);
	CHECK(xen_evtchn_notify_from_host(&f.dom, h) == 0 && is_pending(h));

	/* Every port taken: -ENOSPC; one freed is the next. */
	fake_init(&f, 64);
	for (i = 1; (p = xen_evtchn_bind_host(&f.dom)) > 0; i++)
		if (p != i)
			break;
	CHECK(p == -ENOSPC && i == XENABI_NR_EVTCHNS);
	CHECK(alloc_unbound(DOMID_SELF) == -ENOSPC);
	CHECK(close_port(77) == 0);
	CHECK(xen_evtchn_bind_host(&f.dom) == 77);
	CHECK(xen_evtchn_bind_host(&f.dom) == -ENOSPC);
	/* Of the 32-bit layout, the fewer ports it has. */
	fake_init(&f, 32);
	f.dom.shinfo_32 = true;
	for (i = 1; (p = xen_evtchn_bind_host(&f.dom)) > 0; i++)
		if (p != i)
			break;
	CHECK(p == -ENOSPC && i == 1024);
}

/*
 * A host process's end of a channel (MICROV_EVTCHN_BIND): the guest's
 * port, unbound for domain 0, bound to the host's port 5; events both
 * ways, each end closing.
 */
TEST(evtchn_host_bind)
{
	struct evtchn_status st;
	long u, g, s, x;

	fake_init(&f, 64);
	CHECK(fake_add_vcpu0(&f) == 0);
	u = xen_evtchn_alloc_unbound_host(&f.dom);
	g = alloc_unbound(0);			/* a frontend's, for dom 0 */
	s = alloc_unbound(DOMID_SELF);
	CHECK(u == 1 && g == 2 && s == 3);
	CHECK(status(u, &st) == 0 && st.status == EVTCHNSTAT_unbound &&
	      st.u.unbound.dom == 0);

	/* Only a port unbound for domain 0, once. */
	CHECK(xen_evtchn_host_bind(&f.dom, s, 5) == -EINVAL);
	CHECK(xen_evtchn_host_bind(&f.dom, 0, 5) == -EINVAL);
	CHECK(xen_evtchn_host_bind(&f.dom, 100, 5) == -EINVAL);
	CHECK(xen_evtchn_host_bind(&f.dom, ~0u, 5) == -EINVAL);
	CHECK(xen_evtchn_host_bind(&f.dom, u, 5) == 0);
	CHECK(xen_evtchn_host_bind(&f.dom, u, 6) == -EINVAL);
	CHECK(xen_evtchn_host_bind(&f.dom, g, 6) == 0);
	CHECK(status(u, &st) == 0 && st.status == EVTCHNSTAT_interdomain &&
	      st.u.interdomain.dom == 0 && st.u.interdomain.port == 5);
	CHECK(xen_evtchn_host_bound(&f.dom, u, 5));
	CHECK(!xen_evtchn_host_bound(&f.dom, u, 6));
	CHECK(!xen_evtchn_host_bound(&f.dom, s, 0));
	/* Not the module's rings: they are the host's port 0. */
	CHECK(xen_evtchn_notify_from_host(&f.dom, u) == -EINVAL);

	/* Guest to host: the host's port with it; host to guest: pending. */
	CHECK(send(u) == 0 && f.notified == 1 && f.notify_port == u &&
	      f.notify_local == 5);
	CHECK(none_pending());
	CHECK(xen_evtchn_host_send(&f.dom, u, 5) == 0 && is_pending(u));
	CHECK(!is_pending(g));
	CHECK(xen_evtchn_host_send(&f.dom, u, 6) == -EPIPE);
	CHECK(xen_evtchn_host_send(&f.dom, s, 0) == -EPIPE);

	/* The guest closes: the host is told, and its end is gone. */
	CHECK(close_port(u) == 0);
	CHECK(f.notified == 2 && f.notify_port == u && f.notify_local == 5);
	CHECK(!xen_evtchn_host_bound(&f.dom, u, 5));
	CHECK(xen_evtchn_host_send(&f.dom, u, 5) == -EPIPE);
	/* Its number reused: not the old binding's. */
	x = alloc_unbound(0);
	CHECK(x == u && !xen_evtchn_host_bound(&f.dom, x, 5));
	CHECK(xen_evtchn_host_send(&f.dom, x, 5) == -EPIPE);
	/* Unbinding a port bound elsewhere changes nothing. */
	xen_evtchn_host_unbind(&f.dom, x, 5);
	CHECK(status(x, &st) == 0 && st.status == EVTCHNSTAT_unbound);
	xen_evtchn_host_unbind(&f.dom, g, 5);
	CHECK(xen_evtchn_host_bound(&f.dom, g, 6));

	/* The host closes: the guest's port waits for domain 0 again. */
	xen_evtchn_host_unbind(&f.dom, g, 6);
	CHECK(status(g, &st) == 0 && st.status == EVTCHNSTAT_unbound &&
	      st.u.unbound.dom == 0);
	CHECK(send(g) == 0 && f.notified == 2);	/* dropped */
	CHECK(xen_evtchn_host_bind(&f.dom, g, 7) == 0);

	/* A reset: the host is told that every port went. */
	CHECK(EVTCHN(EVTCHNOP_reset, ((struct evtchn_reset){ DOMID_SELF })) ==
	      0);
	CHECK(f.notified == 3 && f.notify_port == 0 && f.notify_local == 0);
	CHECK(!xen_evtchn_host_bound(&f.dom, g, 7));

	/*
	 * Bound past what a 32-bit layout has, then the layout shrinks: not
	 * raised out there, but still found, and let go.
	 */
	fake_init(&f, 64);
	f.dom.evtchn[2000] = (struct xen_evtchn){ .state = EVTCHNSTAT_unbound,
						  .remote_dom = 0 };
	CHECK(xen_evtchn_host_bind(&f.dom, 2000, 9) == 0);
	f.dom.shinfo_32 = true;
	CHECK(xen_evtchn_host_bound(&f.dom, 2000, 9));
	CHECK(xen_evtchn_host_send(&f.dom, 2000, 9) == -EPIPE);
	xen_evtchn_host_unbind(&f.dom, 2000, 9);
	CHECK(f.dom.evtchn[2000].state == EVTCHNSTAT_unbound &&
	      !f.dom.evtchn[2000].remote_port);

	/* A domain that is domain 0: its unbound ports are its own. */
	fake_init(&f, 64);
	f.dom.domid = XENABI_BACKEND_DOMID;
	u = alloc_unbound(DOMID_SELF);
	CHECK(u == 1 && xen_evtchn_host_bind(&f.dom, u, 5) == -EINVAL);
}

/* The guest, between microv's read of an entry and its compare-exchange. */
static unsigned int grant_races;
static u16 grant_race_flags, grant_race_flip;

static void grant_race(u32 *p)
{
	if (grant_races) {
		grant_races--;
		*(u16 *)p = grant_race_flags;
		grant_race_flags ^= grant_race_flip;
	}
}

/*
 * The host (domain 0) using what the guest granted it: only permit-access
 * grants to domain 0, read-only ones only for reading, the flags set while
 * in use and cleared after, an entry the guest keeps changing given up on.
 */
TEST(grant_host)
{
	static struct grant_entry_v1 frame[XENABI_GRANTS_PER_FRAME]
		__attribute__((aligned(4096)));
	u64 gfn = 0;

	fake_init(&f, 64);
	memset(frame, 0, sizeof(frame));
	f.dom.gnttab[0] = frame;
	frame[8] = (struct grant_entry_v1){ GTF_permit_access, 0, 0x123 };
	frame[9] = (struct grant_entry_v1){ GTF_permit_access | GTF_readonly,
					    0, 0x124 };
	frame[10] = (struct grant_entry_v1){ GTF_permit_access, 7, 0x125 };
	frame[12] = (struct grant_entry_v1){ GTF_accept_transfer, 0, 0x126 };

	CHECK(xen_grant_acquire(&f.dom, 8, true, &gfn) == 0 && gfn == 0x123);
	CHECK(frame[8].flags == (GTF_permit_access | GTF_reading |
				 GTF_writing));
	CHECK(xen_grant_acquire(&f.dom, 8, false, &gfn) == 0);
	CHECK(frame[8].flags == (GTF_permit_access | GTF_reading |
				 GTF_writing));
	/* Read-only: reading only, and a refused write leaves no mark. */
	CHECK(xen_grant_acquire(&f.dom, 9, true, &gfn) == -EPERM);
	CHECK(frame[9].flags == (GTF_permit_access | GTF_readonly));
	CHECK(xen_grant_acquire(&f.dom, 9, false, &gfn) == 0 && gfn == 0x124);
	CHECK(frame[9].flags == (GTF_permit_access | GTF_readonly |
				 GTF_reading));
	/* Another domain's, none, a transfer, frames not there, past all. */
	CHECK(xen_grant_acquire(&f.dom, 10, false, &gfn) == -EINVAL);
	CHECK(xen_grant_acquire(&f.dom, 11, false, &gfn) == -EINVAL);
	CHECK(xen_grant_acquire(&f.dom, 12, false, &gfn) == -EINVAL);
	CHECK(xen_grant_acquire(&f.dom, XENABI_GRANTS_PER_FRAME, false,
				&gfn) == -EINVAL);
	CHECK(xen_grant_acquire(&f.dom, XENABI_GNTTAB_FRAMES *
				XENABI_GRANTS_PER_FRAME, false, &gfn) == -EINVAL);
	CHECK(xen_grant_acquire(&f.dom, ~0u, false, &gfn) == -EINVAL);
	CHECK(frame[10].flags == GTF_permit_access &&
	      frame[12].flags == GTF_accept_transfer);

	/* The last write use, then the last use: the bits go in turn. */
	xen_grant_release(&f.dom, 8, true, false);
	CHECK(frame[8].flags == (GTF_permit_access | GTF_reading));
	xen_grant_release(&f.dom, 8, false, true);
	CHECK(frame[8].flags == GTF_permit_access && frame[8].frame == 0x123);
	xen_grant_release(&f.dom, 9, false, true);
	CHECK(frame[9].flags == (GTF_permit_access | GTF_readonly));
	xen_grant_release(&f.dom, 4096, true, true);	/* not there: nothing */

	/* The guest makes it read-only just before the exchange. */
	xenabi_cmpxchg_hook = grant_race;
	grant_races = 1;
	grant_race_flags = GTF_permit_access | GTF_readonly;
	CHECK(xen_grant_acquire(&f.dom, 8, true, &gfn) == -EPERM);
	CHECK(frame[8].flags == (GTF_permit_access | GTF_readonly));
	/* It ends the grant: refused, nothing set. */
	frame[8].flags = GTF_permit_access;
	grant_races = 1;
	grant_race_flags = 0;
	CHECK(xen_grant_acquire(&f.dom, 8, false, &gfn) == -EINVAL);
	CHECK(frame[8].flags == 0);
	/* It keeps flipping a bit: given up on, with no bit of ours set. */
	frame[8].flags = GTF_permit_access;
	grant_races = 100;
	grant_race_flags = GTF_permit_access | GTF_sub_page;
	grant_race_flip = GTF_sub_page;
	CHECK(xen_grant_acquire(&f.dom, 8, false, &gfn) == -EBUSY);
	CHECK(!(frame[8].flags & GTF_reading));
	/* Once: the second attempt takes it. */
	grant_races = 1;
	CHECK(xen_grant_acquire(&f.dom, 8, false, &gfn) == 0);
	CHECK(frame[8].flags & GTF_reading);
	xenabi_cmpxchg_hook = NULL;
	grant_races = grant_race_flip = 0;

	/* The toolstack's entries: the two reserved ones only. */
	CHECK(xen_grant_seed(&f.dom, GNTTAB_RESERVED_XENSTORE, 0x130) == 0);
	CHECK(frame[1].flags == GTF_permit_access && frame[1].domid == 0 &&
	      frame[1].frame == 0x130);
	CHECK(xen_grant_acquire(&f.dom, 1, true, &gfn) == 0 && gfn == 0x130);
	CHECK(xen_grant_seed(&f.dom, GNTTAB_RESERVED_CONSOLE, 0x131) == 0);
	CHECK(frame[0].frame == 0x131);
	CHECK(xen_grant_seed(&f.dom, 2, 0x131) == -EINVAL);
	CHECK(xen_grant_seed(&f.dom, 1, 1ULL << 32) == -EINVAL);
	f.dom.gnttab[0] = NULL;
	CHECK(xen_grant_seed(&f.dom, 1, 0x130) == -EINVAL);
}

/*
 * The host's console backend, as module/ring.c serves it (but for a bound
 * on the pulls: a ring's worth is 8); other ports bound to the host have
 * no backend there.
 */
static void backends(struct fake_vcpu *fv, struct xen_vcpu *v, u32 port,
		     u32 local)
{
	char buf[256];
	size_t n;
	bool any = false;
	int i;

	if (local)
		return;
	if (fv->dom.console_ring && port == fv->dom.console_port) {
		for (i = 0; i < 16 &&
		     (n = xen_console_pull(&fv->dom, buf, sizeof(buf))); i++) {
			v->ops->console_write(v, buf, n);
			any = true;
		}
		if (any)
			xen_evtchn_notify_from_host(&fv->dom, port);
	}
}

/* A guest and its console backend, talking through the ring and events. */
TEST(ring_events)
{
	struct vcpu_info *vi0 = vinfo(0);
	long cp, op;

	fake_init(&f, 64);
	CHECK(fake_add_vcpu0(&f) == 0);
	f.on_notify = backends;
	cp = xen_evtchn_bind_host(&f.dom);
	op = xen_evtchn_bind_host(&f.dom);
	CHECK(cp == 1 && op == 2);
	f.dom.console_ring = cring();
	f.dom.console_port = cp;

	/* Console output: into the stream, and the guest hears back. */
	memcpy(cring()->out, "boot\n", 5);
	cring()->out_prod = 5;
	CHECK(send(cp) == 0);
	CHECK(f.console_len == 5 && !memcmp(f.console, "boot\n", 5));
	CHECK(cring()->out_cons == 5);
	CHECK(is_pending(cp) && vi0->evtchn_upcall_pending);
	ack_events(vi0);
	/* Nothing to take: no event back. */
	CHECK(send(cp) == 0 && none_pending() && f.notified == 2);

	/*
	 * Output waiting, sent on another port bound to the host: heard,
	 * but no backend serves it; the output waits for its own port.
	 */
	memcpy(cring()->out + 5, "more\n", 5);
	cring()->out_prod = 10;
	CHECK(send(op) == 0 && f.notified == 3 && f.notify_port == op);
	CHECK(none_pending() && f.console_len == 5);
	CHECK(cring()->out_cons == 5);
	CHECK(send(cp) == 0 && is_pending(cp) && !is_pending(op));
	CHECK(f.console_len == 10 && !memcmp(f.console, "boot\nmore\n", 10));
}

#undef failed

static void run(const char *name, void (*fn)(int *))
{
	int failed = 0;

	fn(&failed);
	nr_tests++;
	nr_failed += failed;
	printf("%sok %d %s\n", failed ? "not " : "", nr_tests, name);
}

/* The plan: one line per test below. */
#define NR_TESTS	53
#define RUN(name)	run(#name, name)

int main(void)
{
	printf("TAP version 13\n1..%d\n", NR_TESTS);
	RUN(cpuid_leaves);
	RUN(hypercall_page);
	RUN(dispatch);
	RUN(hypercall_atomic);
	RUN(version_strings);
	RUN(version_values);
	RUN(version_bad_pointers);
	RUN(sched);
	RUN(hvm_params);
	RUN(memory_and_assists);
	RUN(balloon);
	RUN(console);
	RUN(shinfo_layout);
	RUN(cpuid_time_leaf);
	RUN(add_to_physmap);
	RUN(add_to_physmap_32);
	RUN(pvclock);
	RUN(pvclock_frequencies);
	RUN(wallclock);
	RUN(memory_map);
	RUN(evtchn_interdomain);
	RUN(evtchn_mask);
	RUN(evtchn_close_status);
	RUN(evtchn_virq_ipi);
	RUN(evtchn_bind_vcpu);
	RUN(evtchn_reset_and_errors);
	RUN(evtchn_exhaustion);
	RUN(evtchn_32bit);
	RUN(evtchn_fifo_setup);
	RUN(evtchn_fifo_queues);
	RUN(evtchn_fifo_words);
	RUN(evtchn_fifo_busy);
	RUN(evtchn_fifo_poll);
	RUN(upcall_vector);
	RUN(vcpu_info_register);
	RUN(vcpu_info_register_race);
	RUN(vcpu_unpublished);
	RUN(vcpu_info_register_32);
	RUN(vcpu_areas);
	RUN(vcpu_timers);
	RUN(set_timer_op);
	RUN(vcpu_op_misc);
	RUN(runstate);
	RUN(sched_poll);
	RUN(sched_poll_32);
	RUN(grant_table);
	RUN(grant_table_32);
	RUN(console_ring_pull);
	RUN(console_ring_push);
	RUN(evtchn_host);
	RUN(evtchn_host_bind);
	RUN(grant_host);
	RUN(ring_events);
	return nr_failed || nr_tests != NR_TESTS ? 1 : 0;
}
