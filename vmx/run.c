// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs on VMX: creation, VPIDs, and the run loop that enters the guest
 * on the calling thread, preemptible between entries, on whatever CPU
 * Linux picks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/tlbflush.h>
#include <asm/special_insns.h>
#include <asm/traps.h>
/* smp_send_reschedule() traces the IPI from 6.12 on. */
#include <trace/events/ipi.h>

#include "../module/backend.h"
#include "vmcs.h"
#include "vmx.h"

/*
 * Every MSR access and every port exits: the MSR allow-list lives in the
 * exit handler, ports go to userspace.  The I/O bitmaps A and B are two
 * consecutive pages.
 */
struct page *vmx_msr_bitmap;
struct page *vmx_io_bitmaps;

#define VMX_NR_VPIDS	(1 << 16)
static unsigned long *vmx_vpids;
static DEFINE_SPINLOCK(vmx_vpid_lock);

int vmx_run_setup(void)
{
	vmx_msr_bitmap = alloc_page(GFP_KERNEL);
	vmx_io_bitmaps = alloc_pages(GFP_KERNEL, 1);
	vmx_vpids = bitmap_zalloc(VMX_NR_VPIDS, GFP_KERNEL);
	if (!vmx_msr_bitmap || !vmx_io_bitmaps || !vmx_vpids) {
		vmx_run_unsetup();
		return -ENOMEM;
	}
	memset(page_address(vmx_msr_bitmap), 0xff, PAGE_SIZE);
	memset(page_address(vmx_io_bitmaps), 0xff, 2 * PAGE_SIZE);
	/* VPID 0 is the host's. */
	__set_bit(0, vmx_vpids);
	return 0;
}

void vmx_run_unsetup(void)
{
	bitmap_free(vmx_vpids);
	if (vmx_io_bitmaps)
		__free_pages(vmx_io_bitmaps, 1);
	if (vmx_msr_bitmap)
		__free_page(vmx_msr_bitmap);
	vmx_vpids = NULL;
	vmx_io_bitmaps = vmx_msr_bitmap = NULL;
}

static u16 vmx_vpid_alloc(void)
{
	unsigned long vpid;

	if (!(vmx_caps_features() & MICROV_FEATURE_VPID))
		return 0;
	spin_lock(&vmx_vpid_lock);
	vpid = find_first_zero_bit(vmx_vpids, VMX_NR_VPIDS);
	if (vpid < VMX_NR_VPIDS)
		__set_bit(vpid, vmx_vpids);
	else
		vpid = 0;	/* out of VPIDs: run untagged, flushing */
	spin_unlock(&vmx_vpid_lock);
	return vpid;
}

static void vmx_vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vpid, vmx_vpids);
	spin_unlock(&vmx_vpid_lock);
}

/* INVVPID single-context (all-context when that is all there is). */
void vmx_flush_vpid(u16 vpid)
{
	struct { u64 vpid, gla; } desc = { vpid, 0 };
	u64 type = VMX_VPID_EXTENT_SINGLE_CONTEXT;

	if (!vpid)
		return;
	if (!((vmx_caps.ept_vpid_cap >> 32) & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT))
		type = VMX_VPID_EXTENT_ALL_CONTEXT;
	asm volatile("invvpid %0, %1" : : "m" (desc), "r" (type) : "cc", "memory");
}

int vmx_vcpu_init(struct microv_vcpu *v)
{
	struct vmx_vcpu *vv;

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return -EOPNOTSUPP;
	vv = kzalloc(sizeof(*vv), GFP_KERNEL_ACCOUNT);
	if (!vv)
		return -ENOMEM;
	vv->vmcs = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	/*
	 * XSAVE area for everything the host's XCR0 enables (the guest's is a
	 * subset).  An all-zero header means every component in its initial
	 * state; MXCSR is loaded from the legacy area all the same.
	 */
	vv->fpu_size = PAGE_ALIGN(cpuid_ebx(0xd));
	vv->fpu = alloc_pages_exact(vv->fpu_size, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vv->vmcs || !vv->fpu) {
		if (vv->vmcs)
			__free_page(vv->vmcs);
		if (vv->fpu)
			free_pages_exact(vv->fpu, vv->fpu_size);
		kfree(vv);
		return -ENOMEM;
	}
	((struct fxregs_state *)vv->fpu)->mxcsr = MXCSR_DEFAULT;
	*(u32 *)page_address(vv->vmcs) = vmx_caps.revision;
	vv->vcpu = v;
	vv->cpu = -1;
	INIT_LIST_HEAD(&vv->loaded_link);
	vv->vpid = vmx_vpid_alloc();
	vv->guest_xcr0 = XFEATURE_MASK_FP;
	v->arch = vv;
	return 0;
}

void vmx_vcpu_destroy(struct microv_vcpu *v)
{
	struct vmx_vcpu *vv = to_vmx(v);

	vmx_vcpu_clear(vv);
	vmx_vpid_free(vv->vpid);
	free_pages_exact(vv->fpu, vv->fpu_size);
	__free_page(vv->vmcs);
	kfree(vv);
	v->arch = NULL;
}

/*
 * General registers of a vCPU between exit and entry: in vv->gprs, so no
 * VMCS is needed (and preemption may be on).  RSP lives in the VMCS and is
 * not offered.
 */
unsigned long vmx_get_gpr(struct microv_vcpu *v, unsigned int reg)
{
	if (WARN_ON_ONCE(reg >= VMX_NR_GPRS || reg == VMX_RSP))
		return 0;
	return to_vmx(v)->gprs[reg];
}

void vmx_set_gpr(struct microv_vcpu *v, unsigned int reg, unsigned long val)
{
	if (WARN_ON_ONCE(reg >= VMX_NR_GPRS || reg == VMX_RSP))
		return;
	to_vmx(v)->gprs[reg] = val;
}

/*
 * An IPI to the CPU the vCPU runs on: a host interrupt makes it exit.  The
 * reschedule IPI, as KVM sends: any context may send it (a timer's hard
 * interrupt too), and it carries nothing that could outlive the vCPU.
 */
void vmx_vcpu_kick(struct microv_vcpu *v)
{
	int cpu = READ_ONCE(to_vmx(v)->cpu);

	if (cpu >= 0 && cpu != raw_smp_processor_id())
		smp_send_reschedule(cpu);
}

/*
 * What userspace left for the guest on the previous exit, into the
 * registers vmx_state_load() is about to load.
 */
static void vmx_complete_user_exit(struct vmx_vcpu *vv)
{
	struct microv_run *run = vv->vcpu->run;
	struct microv_regs *regs = &vv->vcpu->regs;

	if (vv->io_in_size) {
		u64 mask = (1ull << (vv->io_in_size * 8)) - 1;

		regs->rax = (regs->rax & ~mask) | (run->io.data & mask);
		vv->io_in_size = 0;
	}

	run->exit_reason = MICROV_EXIT_NONE;
}

/*
 * One VM entry and exit, interrupts off.  The guest's FPU state and XCR0
 * are in the registers only in between; kernel_fpu_begin() saved the
 * task's own state first, to be restored on the way back to userspace.
 */
static int vmx_enter_once(struct vmx_vcpu *vv)
{
	struct microv_vcpu *v = vv->vcpu;
	u64 host_sys[X86_NR_SYSCALL_MSRS];
	bool sys = v->syscall_msrs_used;
	u64 host_xcr0 = 0, mask = -1ull;
	unsigned long cr3, cr4;
	u16 fs, gs, ds, es;
	u64 fs_base;
	int fail;

	savesegment(fs, fs);
	savesegment(gs, gs);
	savesegment(ds, ds);
	savesegment(es, es);
	rdmsrl(MSR_FS_BASE, fs_base);
	vmcs_write(HOST_FS_BASE, fs_base);
	cr3 = __read_cr3();
	vmcs_write(HOST_CR3, cr3);
	cr4 = cr4_read_shadow();
	vmcs_write(HOST_CR4, cr4);

	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		asm volatile("xrstor64 %0" : : "m" (*(u8 *)vv->fpu),
			     "a" ((u32)mask), "d" ((u32)(mask >> 32)) : "memory");
		if (vv->guest_xcr0 != host_xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vv->guest_xcr0);
	}
	if (native_read_cr2() != vv->guest_cr2)
		native_write_cr2(vv->guest_cr2);
	/*
	 * No VMX control switches the SYSCALL MSRs: once the guest set them,
	 * swap them by hand, interrupts off (the host's own are in use from
	 * the next syscall on).  SWAPGS changes KERNEL_GS_BASE without an
	 * exit: read it back.
	 */
	if (sys) {
		int i;

		for (i = 0; i < X86_NR_SYSCALL_MSRS; i++) {
			rdmsrl(x86_syscall_msrs[i], host_sys[i]);
			wrmsrl(x86_syscall_msrs[i], v->syscall_msrs[i]);
		}
	}

	fail = vmx_vmenter(vv->gprs, vv->launched);

	if (sys) {
		int i;

		rdmsrl(MSR_KERNEL_GS_BASE,
		       v->syscall_msrs[X86_NR_SYSCALL_MSRS - 1]);
		for (i = 0; i < X86_NR_SYSCALL_MSRS; i++)
			wrmsrl(x86_syscall_msrs[i], host_sys[i]);
	}

	vv->guest_cr2 = native_read_cr2();
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		if (vv->guest_xcr0 != host_xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
		asm volatile("xsave64 %0" : "+m" (*(u8 *)vv->fpu)
			     : "a" ((u32)mask), "d" ((u32)(mask >> 32)));
	}

	/* A VM exit sets the GDT and IDT limits to 0xffff and TR's to 0x67. */
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();
	{
		struct desc_ptr idt;

		store_idt(&idt);
		idt.size = IDT_ENTRIES * sizeof(gate_desc) - 1;
		load_idt(&idt);
	}
	if (ds)
		loadsegment(ds, ds);
	if (es)
		loadsegment(es, es);
	if (fs) {
		loadsegment(fs, fs);
		wrmsrl(MSR_FS_BASE, fs_base);
	}
	if (gs)
		load_gs_index(gs);

	return fail;
}

/* Fills the run area for a VM entry that the CPU refused. */
static void vmx_entry_failed(struct vmx_vcpu *vv, bool vmfail)
{
	struct microv_run *run = vv->vcpu->run;

	run->exit_reason = MICROV_EXIT_FAIL_ENTRY;
	if (vmfail) {
		/* VMfailValid: the VM-instruction error number. */
		run->fail_entry.hw_reason = vmcs_read(VM_INSTRUCTION_ERROR);
		run->fail_entry.qualification = 0;
	} else {
		run->fail_entry.hw_reason = vmcs_read(VM_EXIT_REASON);
		run->fail_entry.qualification = vmcs_read(EXIT_QUALIFICATION);
	}
}

/* The personality's share of an exit (module/ hooks); preemptible. */
static enum microv_hv_action vmx_run_deferred(struct vmx_vcpu *vv)
{
	struct microv_vcpu *v = vv->vcpu;

	if (vv->deferred == VMX_DEFER_WRMSR)
		return microv_hv_wrmsr(v, vv->deferred_msr, vv->deferred_val);
	return microv_hv_hypercall(v);
}

/*
 * Ends the deferred instruction, retired or faulted, with the VMCS loaded
 * again; on the way to userspace, the registers are stored back.
 */
static void vmx_complete_deferred(struct vmx_vcpu *vv,
				  enum microv_hv_action hv)
{
	preempt_disable();
	vmx_vcpu_load(vv);
	if (hv == MICROV_HV_FAULT)
		vmx_inject_exception(vv, X86_TRAP_GP, true, 0);
	else
		vmx_skip_instruction();
	if (hv == MICROV_HV_USER)
		vmx_state_store(vv);
	preempt_enable();
	vv->deferred = VMX_DEFER_NONE;
}

/*
 * PAE paging (not long mode): with EPT, VM entry takes the four PDPTEs
 * from the VMCS, so read them where CR3 points, as MOV to CR3 would.
 * Preemptible: guest memory may sleep.  No RAM there: zeros, and the
 * guest's first access faults, as on a machine.
 */
static void vmx_read_pdptes(struct vmx_vcpu *vv)
{
	const struct microv_sregs *s = &vv->vcpu->sregs;

	memset(vv->pdptes, 0, sizeof(vv->pdptes));
	if ((s->cr0 & X86_CR0_PG) && (s->cr4 & X86_CR4_PAE) &&
	    !(s->efer & EFER_LMA) &&
	    microv_gpa_access(vv->vcpu->domain, s->cr3 & 0xffffffe0,
			      vv->pdptes, sizeof(vv->pdptes), false))
		memset(vv->pdptes, 0, sizeof(vv->pdptes));
}

/**
 * vmx_vcpu_run() - MICROV_RUN on VMX
 * @v: the vCPU, its run_lock held
 *
 * Return: 0 with the run area saying why, -EINTR (a signal is pending) or
 * -ESRCH (the domain was destroyed).
 */
int vmx_vcpu_run(struct microv_vcpu *v)
{
	struct vmx_vcpu *vv = to_vmx(v);
	enum vmx_exit_action action;
	bool loaded = false;
	int ret = 0;

	vmx_complete_user_exit(vv);
	vmx_read_pdptes(vv);
	for (;;) {
		u32 reason;
		int fail;

		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
		microv_vcpu_do_work(v);

		preempt_disable();
		vmx_vcpu_load(vv);
		if (!loaded) {
			vmx_state_load(vv);
			loaded = true;
		}
		if (!microv_vcpu_may_enter(v)) {
			preempt_enable();
			ret = microv_vcpu_wait_runnable(v);
			if (ret)
				break;
			continue;
		}
		vmx_event_inject(vv);
		kernel_fpu_begin();
		local_irq_disable();
		/* A timer that went off since the check above: take it first. */
		if (microv_vcpu_has_work(v)) {
			local_irq_enable();
			kernel_fpu_end();
			microv_vcpu_left_guest(v);
			preempt_enable();
			continue;
		}
		fail = vmx_enter_once(vv);
		microv_vcpu_left_guest(v);
		reason = fail ? 0 : vmcs_read(VM_EXIT_REASON);
		/* A failed entry (reason bit 31) leaves the VMCS unlaunched. */
		if (!fail && !(reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
			vv->launched = true;
		if (!fail && (u16)reason == EXIT_REASON_EXCEPTION_NMI &&
		    (vmcs_read(VM_EXIT_INTR_INFO) & INTR_INFO_INTR_TYPE_MASK) ==
		    INTR_TYPE_NMI_INTR)
			asm volatile("int $2");	/* the host's NMI, not the guest's */
		local_irq_enable();
		kernel_fpu_end();

		if (fail || (reason & VMX_EXIT_REASONS_FAILED_VMENTRY)) {
			vmx_entry_failed(vv, fail);
			action = VMX_EXIT_USER;
		} else {
			vmx_event_reinject();
			action = vmx_handle_exit(vv, reason);
		}
		if (action == VMX_EXIT_USER)
			vmx_state_store(vv);
		preempt_enable();

		if (action == VMX_EXIT_USER)
			return 0;
		if (action == VMX_EXIT_DEFER) {
			enum microv_hv_action hv = vmx_run_deferred(vv);

			vmx_complete_deferred(vv, hv);
			if (hv == MICROV_HV_USER)
				return 0;
			if (hv == MICROV_HV_HALT)
				action = VMX_EXIT_HALT;
		}
		if (action == VMX_EXIT_HALT) {
			ret = microv_vcpu_halt(v);
			if (ret)
				break;
		}
	}
	/* Back to userspace mid-run: keep the registers it may read. */
	if (loaded) {
		preempt_disable();
		vmx_vcpu_load(vv);
		vmx_state_store(vv);
		preempt_enable();
	}
	v->run->exit_reason = MICROV_EXIT_NONE;
	return ret;
}
