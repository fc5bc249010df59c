// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xenabi/ in userspace, over a fake vCPU: the CPUID leaves,
 * the hypercall page, hypercall dispatch (64-bit and 32-bit argument
 * registers, CPL, unknown numbers) and every xen_version sub-op with its
 * error paths.  Output: TAP.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fake_vcpu.h"

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

TEST(cpuid_leaves)
{
	u32 out[4];

	fake_init(&f, 64);
	CHECK(!xen_cpuid(&f.xv, 0x3fffffff, out));
	CHECK(!xen_cpuid(&f.xv, 0x40000100, out));
	CHECK(xen_cpuid(&f.xv, 0x40000000, out));
	CHECK(out[0] == 0x40000004);
	CHECK(!memcmp(&out[1], "XenVMMXenVMM", 12));
	CHECK(xen_cpuid(&f.xv, 0x40000001, out));
	CHECK(out[0] == (4 << 16 | 17));
	CHECK(xen_cpuid(&f.xv, 0x40000002, out));
	CHECK(out[0] == 1 && out[1] == 0x40000000);
	CHECK(xen_cpuid(&f.xv, 0x40000004, out));
	CHECK(out[0] == (XEN_HVM_CPUID_VCPU_ID_PRESENT |
			 XEN_HVM_CPUID_DOMID_PRESENT));
	CHECK(out[1] == 3 && out[2] == 7);
	CHECK(xen_cpuid(&f.xv, 0x400000ff, out));
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
	CHECK(call(64, __HYPERVISOR_set_trap_table, 0, 0) == -ENOSYS);
	CHECK(f.dom.nr_enosys == 2);
	/* 32-bit results are 32 bits. */
	call(32, 1000, 0, 0);
	CHECK(f.regs[XEN_REG_RAX] == (u32)-ENOSYS);
	f.cpl = 3;
	CHECK(call(64, __HYPERVISOR_xen_version, XENVER_version, 0) == -EPERM);
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
	CHECK(fi.submap == 1u << XENFEAT_auto_translated_physmap);
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
	CHECK(call(64, __HYPERVISOR_sched_op, SCHEDOP_poll, 0) == -ENOSYS);
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
	CHECK(call(64, __HYPERVISOR_hvm_op, HVMOP_pagetable_dying, 0x200) == -ENOSYS);
}

TEST(memory_and_assists)
{
	domid_t self = DOMID_SELF, other = 8;

	fake_init(&f, 64);
	f.dom.nr_pages = 512;
	f.dom.max_gfn = 0x1200;
	memcpy(f.mem + 0x300, &self, sizeof(self));
	memcpy(f.mem + 0x302, &other, sizeof(other));
	CHECK(call(64, __HYPERVISOR_memory_op, XENMEM_current_reservation,
		   0x300) == 512);
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
#undef CONS
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

int main(void)
{
	printf("TAP version 13\n1..10\n");
	run("cpuid_leaves", cpuid_leaves);
	run("hypercall_page", hypercall_page);
	run("dispatch", dispatch);
	run("version_strings", version_strings);
	run("version_values", version_values);
	run("version_bad_pointers", version_bad_pointers);
	run("sched", sched);
	run("hvm_params", hvm_params);
	run("memory_and_assists", memory_and_assists);
	run("console", console);
	return nr_failed ? 1 : 0;
}
