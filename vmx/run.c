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
#include <asm/asm.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/cpu.h>
#include <asm/debugreg.h>
#include <asm/mce.h>
#include <asm/tlbflush.h>
#include <asm/special_insns.h>
#include <asm/traps.h>
/* smp_send_reschedule() traces the IPI from 6.12 on. */
#include <trace/events/ipi.h>

#include "../module/backend.h"
#include "../module/bench.h"
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
	/* The static key behind every vCPU's preempt notifier. */
	preempt_notifier_inc();
	memset(page_address(vmx_msr_bitmap), 0xff, PAGE_SIZE);
	memset(page_address(vmx_io_bitmaps), 0xff, 2 * PAGE_SIZE);
	/* VPID 0 is the host's. */
	__set_bit(0, vmx_vpids);
	return 0;
}

void vmx_run_unsetup(void)
{
	if (vmx_msr_bitmap && vmx_io_bitmaps && vmx_vpids)
		preempt_notifier_dec();
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

static void vmx_invvpid(u64 type, const void *desc)
{
	asm goto("1: invvpid %0, %1\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : "m" (*(const u8 (*)[16])desc), "r" (type)
		 : "cc", "memory" : fault);
	return;
fault:
	vmx_insn_fault("INVVPID");
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
	vmx_invvpid(type, &desc);
}

/* INVVPID all-context: every VPID's translations on this CPU. */
void vmx_flush_vpid_all(void)
{
	struct { u64 vpid, gla; } desc = { 0, 0 };

	if (vmx_caps_features() & MICROV_FEATURE_VPID)
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, &desc);
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
	/* The guest's FPU state, in its initial state (MXCSR at reset). */
	if (!vv->vmcs || !fpu_alloc_guest_fpstate(&vv->guest_fpu)) {
		if (vv->vmcs)
			__free_page(vv->vmcs);
		kfree(vv);
		return -ENOMEM;
	}
	*(u32 *)page_address(vv->vmcs) = vmx_caps.revision;
	vv->vcpu = v;
	vv->cpu = -1;
	INIT_LIST_HEAD(&vv->loaded_link);
	vv->vpid = vmx_vpid_alloc();
	vv->guest_xcr0 = X86_XCR0_X87;
	vv->guest_dr7 = X86_DR7_FIXED_1;
	preempt_notifier_init(&vv->preempt, &vmx_preempt_ops);
	v->arch = vv;
	return 0;
}

void vmx_vcpu_destroy(struct microv_vcpu *v)
{
	struct vmx_vcpu *vv = to_vmx(v);

	vmx_vcpu_clear(vv);
	vmx_vpid_free(vv->vpid);
	fpu_free_guest_fpstate(&vv->guest_fpu);
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
 * Before the first entry of a run, the VMCS loaded: the registers
 * userspace set since the last run, then what it left for the guest on
 * the previous exit (the data of an IN).
 */
static void vmx_run_load_state(struct vmx_vcpu *vv)
{
	struct microv_vcpu *v = vv->vcpu;

	if (v->state_dirty & MICROV_VCPU_SREGS)
		vmx_sregs_load(vv);
	if (v->state_dirty & MICROV_VCPU_REGS)
		vmx_regs_load(vv);
	v->state_dirty = 0;
	if (vv->io_in_size) {
		vmx_io_in_write(vv, vv->io_in_size, v->run->io.data);
		vv->io_in_size = 0;
	}
}

/*
 * Back to userspace, the VMCS loaded: the general registers into the
 * module's copy; the special ones stay in the VMCS until asked for.
 */
void vmx_run_store_state(struct vmx_vcpu *vv)
{
	vmx_regs_store(vv);
	vv->vcpu->sregs_stale = true;
}

/* MICROV_GET_SREGS after a run: the VMCS has them. */
void vmx_vcpu_store_sregs(struct microv_vcpu *v)
{
	struct vmx_vcpu *vv = to_vmx(v);

	preempt_disable();
	vmx_vcpu_load(vv);
	vmx_sregs_store(vv);
	preempt_enable();
}

/*
 * The guest's debug registers in the hardware for this entry: DR0-DR3
 * only if its DR7 (loaded by VM entry) enables a breakpoint.  DR6 is
 * never the guest's in the hardware: MOV DR exits, and a #DB that exits
 * does not write it.
 */
static void vmx_load_guest_debugregs(struct vmx_vcpu *vv)
{
	const u64 *db = vv->vcpu->debug.db;

	if (!(vv->guest_dr7 & X86_DR7_ENABLES))
		return;
	/* Not one host instruction on the way in may hit a guest address. */
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	set_debugreg(db[0], 0);
	set_debugreg(db[1], 1);
	set_debugreg(db[2], 2);
	set_debugreg(db[3], 3);
	microv_count(MICROV_INSN_MOV_DR);
}

/*
 * The fast path's bound.  A host interrupt that arrives makes the next
 * entry exit at once on a real CPU; an emulated one (Bochs) does not exit
 * on it while the guest has IF=0, and the preemption timer starts afresh
 * at each entry: after this many exits in a row the host looks anyway.
 */
#define VMX_FASTPATH_MAX	1024

/*
 * One VM entry and exit, interrupts off, or several: exits that
 * vmx_exit_fastpath() handles on the spot go straight back in.  Only
 * what a VM exit clobbers and the kernel needs right away is switched
 * here: CR2, XCR0 (when the guest's differs), DR7 and DEBUGCTL (when the
 * host uses them); the rest is switched once per run (host_state.c) or,
 * for the FPU, with the task's own state (fpu_swap_kvm_fpstate()).
 */
static int vmx_enter_once(struct vmx_vcpu *vv, u32 *reason)
{
	unsigned long cr3 = __read_cr3(), cr4 = cr4_read_shadow();
	bool xcr0 = vv->guest_xcr0 != x86_host_xcr0;
	unsigned int n;
	int fail;

	vmx_host_state_prepare(vv);
	if (unlikely(cr3 != vv->host_cr3)) {
		vmcs_write(HOST_CR3, cr3);
		vv->host_cr3 = cr3;
	}
	if (unlikely(cr4 != vv->host_cr4)) {
		vmcs_write(HOST_CR4, cr4);
		vv->host_cr4 = cr4;
	}
	if (test_thread_flag(TIF_NEED_FPU_LOAD)) {
		switch_fpu_return();
		microv_count(MICROV_INSN_XRSTOR);
	}
	/* XSETBV checked the value (x86_xsetbv_check()): it cannot fault. */
	if (xcr0) {
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vv->guest_xcr0);
		microv_count(MICROV_INSN_XSETBV);
	}
	if (native_read_cr2() != vv->guest_cr2)
		native_write_cr2(vv->guest_cr2);
	vmx_load_guest_debugregs(vv);

	for (n = 0; ; n++) {
		vv->paging_fresh = false;
		fail = vmx_vmenter(vv->gprs, vv->launched);
		microv_count(MICROV_INSN_EXIT);
		if (fail)
			break;
		*reason = vmcs_read(VM_EXIT_REASON);
		/* A failed entry (reason bit 31) leaves the VMCS unlaunched. */
		if (*reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
			break;
		vv->launched = true;
		vmx_exit_ss_fixup();
		if (n >= VMX_FASTPATH_MAX || need_resched() ||
		    microv_vcpu_has_work(vv->vcpu) ||
		    !vmx_exit_fastpath(vv, *reason))
			break;
	}

	vv->guest_cr2 = native_read_cr2();
	if (xcr0) {
		xsetbv(XCR_XFEATURE_ENABLED_MASK, x86_host_xcr0);
		microv_count(MICROV_INSN_XSETBV);
	}
	/* A VM exit clears DEBUGCTL and sets DR7 to 0x400. */
	if (vv->host.debugctl) {
		update_debugctlmsr(vv->host.debugctl);
		microv_count(MICROV_INSN_WRMSR);
	}
	if (hw_breakpoint_active()) {
		hw_breakpoint_restore();
		microv_count(MICROV_INSN_MOV_DR);
	}
	return fail;
}

/*
 * A machine check while the guest ran is the host's: its handler runs as
 * for one taken in user mode (the guest's code is not the kernel's).
 */
static void vmx_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = {
		.cs = 3,
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
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

/*
 * What an exit left for preemptible context: the personality's share
 * (module/ hooks), or the host's split-lock policy.
 */
static enum microv_hv_action vmx_run_deferred(struct vmx_vcpu *vv)
{
	struct microv_vcpu *v = vv->vcpu;

	switch (vv->deferred) {
	case VMX_DEFER_SPLIT_LOCK:
		return handle_guest_split_lock(vv->deferred_val) ?
		       MICROV_HV_DONE : MICROV_HV_FAULT;
	case VMX_DEFER_WRMSR:
		return microv_hv_wrmsr(v, vv->deferred_msr, vv->deferred_val);
	default:
		return microv_hv_hypercall(v);
	}
}

/*
 * Ends the deferred instruction with the VMCS loaded again: retired, or
 * faulted (#GP; #AC for a split lock the host's policy refuses), or to
 * run again (a split lock the policy lets through); on the way to
 * userspace, the registers are stored back.  A hypercall retired already
 * (vmx_exit_vmcall()): unless it goes to userspace, it needs nothing of
 * the VMCS.
 */
static void vmx_complete_deferred(struct vmx_vcpu *vv,
				  enum microv_hv_action hv)
{
	enum vmx_deferred what = vv->deferred;

	vv->deferred = VMX_DEFER_NONE;
	if ((what == VMX_DEFER_HYPERCALL && hv != MICROV_HV_USER) ||
	    (what == VMX_DEFER_SPLIT_LOCK && hv == MICROV_HV_DONE))
		return;
	preempt_disable();
	vmx_vcpu_load(vv);
	if (what == VMX_DEFER_SPLIT_LOCK)
		vmx_inject_exception(vv, X86_TRAP_AC, true, 0);
	else if (hv == MICROV_HV_FAULT)
		vmx_inject_exception(vv, X86_TRAP_GP, true, 0);
	else if (what == VMX_DEFER_WRMSR)
		vmx_skip_instruction();
	if (hv == MICROV_HV_USER)
		vmx_run_store_state(vv);
	preempt_enable();
}

/*
 * An access to no RAM, which module/ answers as Xen does: the registers
 * go out of the VMCS to the emulator and back.
 *
 * Return: 0, the instruction retired; -EOPNOTSUPP, not emulated.
 */
/* The registers an emulator works on, out of the VMCS; preemptible. */
static void vmx_emul_load(struct vmx_vcpu *vv, struct x86_emul *e)
{
	struct microv_vcpu *v = vv->vcpu;
	int i;

	preempt_disable();
	vmx_vcpu_load(vv);
	vmx_paging_snapshot(&v->paging);
	e->mode = v->paging.mode;
	e->fault.vector = -1;
	e->rip = vmcs_read(GUEST_RIP);
	e->rflags = vmcs_read(GUEST_RFLAGS);
	/* GUEST_ES_BASE to GUEST_GS_BASE, two encodings apart (SDM B.4.3). */
	for (i = 0; i < ARRAY_SIZE(e->seg_base); i++)
		e->seg_base[i] = vmcs_read(GUEST_ES_BASE + 2 * i);
	for (i = 0; i < VMX_NR_GPRS; i++)
		e->gprs[i] = vv->gprs[i];
	e->gprs[VMX_RSP] = vmcs_read(GUEST_RSP);
	preempt_enable();
}

/*
 * And back, the VMCS loaded: the instruction retired if RIP moved, else
 * it runs again (a REP with more to do), or it raised an exception (a
 * #PF, with CR2).
 */
static void vmx_emul_store(struct vmx_vcpu *vv, const struct x86_emul *e)
{
	const struct x86_fault *f = &e->fault;
	int i;

	for (i = 0; i < VMX_NR_GPRS; i++)
		vv->gprs[i] = e->gprs[i];
	vmcs_write(GUEST_RSP, e->gprs[VMX_RSP]);	/* a load into RSP */
	vmcs_write(GUEST_RFLAGS, e->rflags);
	if (f->vector >= 0)
		vmx_inject_fault(vv, f);
	else if (e->rip != vmcs_read(GUEST_RIP))
		vmx_retire_instruction(e->rip);
}

static int vmx_emulate_mmio(struct vmx_vcpu *vv)
{
	struct microv_vcpu *v = vv->vcpu;
	struct x86_emul e;
	int ret;

	vmx_emul_load(vv, &e);
	ret = microv_mmio_emulate(v, &e, vv->deferred_val, vv->deferred_write);
	if (ret)
		return ret;

	preempt_disable();
	vmx_vcpu_load(vv);
	vmx_emul_store(vv, &e);
	preempt_enable();
	return 0;
}

/*
 * An INS userspace answered: its element goes to guest memory before the
 * guest runs again, the registers userspace set loaded first.
 *
 * Return: 0, or 1 for an internal error (run area set).
 */
static int vmx_run_string_in(struct vmx_vcpu *vv)
{
	struct x86_emul e;
	int ret;

	preempt_disable();
	vmx_vcpu_load(vv);
	vmx_run_load_state(vv);
	preempt_enable();
	vmx_emul_load(vv, &e);
	ret = microv_string_in_done(vv->vcpu, &e);
	preempt_disable();
	vmx_vcpu_load(vv);
	if (ret) {
		vmx_internal_error(vv, MICROV_INTERNAL_UNHANDLED_EXIT);
		vmx_run_store_state(vv);
	} else {
		vmx_emul_store(vv, &e);
	}
	preempt_enable();
	return !!ret;
}

/*
 * An INS or OUTS: module/ moves what it can (microv_string_io()) and the
 * registers come back; an element for userspace, or one the module
 * cannot carry out (an internal error), ends the run.
 *
 * Return: 0 to enter the guest again, 1 to return to userspace.
 */
static int vmx_run_string_io(struct vmx_vcpu *vv)
{
	u64 q = vv->deferred_val;
	struct x86_emul e;
	int ret;

	vv->deferred = VMX_DEFER_NONE;
	vmx_emul_load(vv, &e);
	ret = microv_string_io(vv->vcpu, &e, q >> 16, (q & 7) + 1, q & BIT(3));
	preempt_disable();
	vmx_vcpu_load(vv);
	if (ret < 0) {
		vmx_internal_error(vv, MICROV_INTERNAL_UNHANDLED_EXIT);
		ret = 1;
	} else {
		vmx_emul_store(vv, &e);
	}
	if (ret)
		vmx_run_store_state(vv);
	preempt_enable();
	return ret;
}

/*
 * The guest touched a frame with nothing mapped: module/ pins and maps
 * the RAM there; or there is none, and the module answers the access
 * (vmx_emulate_mmio()) or userspace hears of it.
 *
 * Return: 0 to enter the guest again, 1 to return to userspace (run area
 * set), or -errno for MICROV_RUN (microv_memory_fault()).
 */
static int vmx_run_ept_fault(struct vmx_vcpu *vv)
{
	struct microv_run *run = vv->vcpu->run;
	int ret;

	vv->deferred = VMX_DEFER_NONE;
	ret = microv_memory_fault(vv->vcpu->domain, vv->deferred_val);
	if (ret != -ENOENT)
		return ret;
	if (vv->deferred_insn && !vmx_emulate_mmio(vv))
		return 0;
	run->exit_reason = MICROV_EXIT_MMIO;
	run->mmio.gpa = vv->deferred_val;
	run->mmio.is_write = vv->deferred_write;
	preempt_disable();
	vmx_vcpu_load(vv);
	vmx_run_store_state(vv);
	preempt_enable();
	return 1;
}

/* PDPTE bits that must be 0 in a present entry (SDM Vol. 3, 4.4.1). */
#define VMX_PDPTE_RESERVED	(0x1e6ull | \
				 ~((1ull << boot_cpu_data.x86_phys_bits) - 1))

/**
 * vmx_pdptes_read() - the PAE PDPTEs at @cr3, as MOV to CR3 reads them
 * @v:      the vCPU
 * @cr3:    where
 * @pdptes: out
 *
 * With EPT, VM entry takes the four PDPTEs from the VMCS (a VM exit saves
 * them there): who loads CR3 behind the CPU's back reads them.  No RAM
 * there: zeros, and the guest's first access faults, as on a machine.
 * Preemptible: guest memory may sleep.
 *
 * Return: false if a present one had reserved bits set (#GP for MOV to
 * CR3): it reads as not present, for VM entry to take the rest.
 */
bool vmx_pdptes_read(struct microv_vcpu *v, u64 cr3, u64 pdptes[4])
{
	bool ok = true;
	int i;

	if (microv_gpa_access(v->domain, cr3 & 0xffffffe0, pdptes,
			      4 * sizeof(*pdptes), false))
		memset(pdptes, 0, 4 * sizeof(*pdptes));
	for (i = 0; i < 4; i++) {
		if ((pdptes[i] & 1) && (pdptes[i] & VMX_PDPTE_RESERVED)) {
			pdptes[i] = 0;
			ok = false;
		}
	}
	return ok;
}

/* When userspace set the special registers, with PAE paging. */
static void vmx_read_pdptes(struct vmx_vcpu *vv)
{
	const struct microv_sregs *s = &vv->vcpu->sregs;

	if (!(vv->vcpu->state_dirty & MICROV_VCPU_SREGS))
		return;
	memset(vv->pdptes, 0, sizeof(vv->pdptes));
	if ((s->cr0 & X86_CR0_PG) && (s->cr4 & X86_CR4_PAE) &&
	    !(s->efer & EFER_LMA))
		vmx_pdptes_read(vv->vcpu, s->cr3, vv->pdptes);
}

/*
 * A run starts: the guest's FPU state goes into the registers (the
 * task's is saved, and comes back if the thread is scheduled out), and
 * the preempt notifier watches for the thread leaving the CPU.
 */
static void vmx_run_begin(struct vmx_vcpu *vv)
{
	fpu_swap_kvm_fpstate(&vv->guest_fpu, true);
	microv_count(MICROV_INSN_XSAVE);
	microv_count(MICROV_INSN_XRSTOR);
	preempt_disable();
	preempt_notifier_register(&vv->preempt);
	preempt_enable();
}

/* ... and ends: the host's state back before the thread returns. */
static void vmx_run_end(struct vmx_vcpu *vv)
{
	preempt_disable();
	vmx_host_state_put(vv);
	preempt_notifier_unregister(&vv->preempt);
	preempt_enable();
	fpu_swap_kvm_fpstate(&vv->guest_fpu, false);
	microv_count(MICROV_INSN_XSAVE);
	microv_count(MICROV_INSN_XRSTOR);
}

/*
 * Host events that made the guest exit, handled by the host's own
 * handlers right away, interrupts still off: an NMI, a machine check.
 */
static void vmx_exit_host_event(u32 reason)
{
	u32 info;

	if ((u16)reason == EXIT_REASON_MCE_DURING_VMENTRY) {
		vmx_machine_check();
		return;
	}
	if ((u16)reason != EXIT_REASON_EXCEPTION_NMI)
		return;
	info = vmcs_read(VM_EXIT_INTR_INFO);
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		asm volatile("int $2");
	else if ((info & INTR_INFO_VECTOR_MASK) == X86_TRAP_MC)
		vmx_machine_check();
}

/**
 * vmx_vcpu_run() - MICROV_RUN on VMX
 * @v: the vCPU, its run_lock held
 *
 * Return: 0 with the run area saying why, -EINTR (a signal is pending),
 * -ESRCH (the domain was destroyed), -EFAULT (guest RAM could not be
 * pinned: the memory behind its slot is gone) or -ENOMEM.
 */
int vmx_vcpu_run(struct microv_vcpu *v)
{
	struct vmx_vcpu *vv = to_vmx(v);
	enum vmx_exit_action action;
	bool loaded = false;
	int ret = 0;

	v->run->exit_reason = MICROV_EXIT_NONE;
	vmx_read_pdptes(vv);
	vmx_run_begin(vv);
	if (v->ins_size) {
		loaded = true;
		if (vmx_run_string_in(vv))
			goto out;
	}
	for (;;) {
		u32 reason;
		int fail;

		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		/* The machine goes down: VMX is off, or about to be. */
		if (READ_ONCE(microv_rebooting)) {
			ret = -EIO;
			break;
		}
		cond_resched();
		microv_vcpu_do_work(v);

		preempt_disable();
		vmx_vcpu_load(vv);
		if (!loaded) {
			vmx_run_load_state(vv);
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
		local_irq_disable();
		/* A timer that went off since the check above: take it first. */
		if (microv_vcpu_timer_fired(v)) {
			local_irq_enable();
			microv_vcpu_left_guest(v);
			preempt_enable();
			continue;
		}
		fail = vmx_enter_once(vv, &reason);
		microv_vcpu_left_guest(v);
		if (!fail)
			vmx_exit_host_event(reason);
		local_irq_enable();

		if (fail || (reason & VMX_EXIT_REASONS_FAILED_VMENTRY)) {
			vmx_entry_failed(vv, fail);
			action = VMX_EXIT_USER;
		} else {
			vmx_event_reinject();
			action = vmx_handle_exit(vv, reason);
		}
		if (action == VMX_EXIT_USER)
			vmx_run_store_state(vv);
		preempt_enable();

		if (action == VMX_EXIT_USER)
			goto out;
		if (action == VMX_EXIT_DEFER &&
		    vv->deferred == VMX_DEFER_STRING_IO) {
			if (vmx_run_string_io(vv))
				goto out;
			continue;
		}
		if (action == VMX_EXIT_DEFER &&
		    vv->deferred == VMX_DEFER_TASK_SWITCH) {
			if (vmx_run_task_switch(vv))
				goto out;
			continue;
		}
		if (action == VMX_EXIT_DEFER && vv->deferred == VMX_DEFER_EPT) {
			ret = vmx_run_ept_fault(vv);
			if (ret > 0) {
				ret = 0;
				goto out;
			}
			if (ret)
				break;
			continue;
		}
		if (action == VMX_EXIT_DEFER) {
			enum microv_hv_action hv = vmx_run_deferred(vv);

			vmx_complete_deferred(vv, hv);
			if (hv == MICROV_HV_USER)
				goto out;
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
		vmx_run_store_state(vv);
		preempt_enable();
	}
	v->run->exit_reason = MICROV_EXIT_NONE;
out:
	vmx_run_end(vv);
	return ret;
}
