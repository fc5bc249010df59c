// SPDX-License-Identifier: GPL-2.0
/*
 * Host state that a VM exit leaves wrong but the kernel itself never
 * uses: the SYSCALL MSRs, KERNEL_GS_BASE (the user's GS base while in
 * the kernel), the data and FS/GS selectors, the GDT limit and the TSS's
 * I/O bitmap limit.  The guest's values go in before the first VM entry
 * of a run; the host's come back once, when the thread is scheduled out
 * (a preempt notifier) or MICROV_RUN returns, as KVM does in
 * vmx_prepare_switch_to_guest()/_host(): not at every exit.
 */
#include <linux/preempt.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fsgsbase.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>

#include "../module/bench.h"
#include "vmcs.h"

/* STAR, LSTAR, CSTAR, SFMASK; KERNEL_GS_BASE is x86_syscall_msrs[4]. */
#define VMX_NR_SWITCHED_SYSCALL	(X86_NR_SYSCALL_MSRS - 1)
#define VMX_KERNEL_GS_BASE	(X86_NR_SYSCALL_MSRS - 1)

/*
 * The guest's SYSCALL MSRs and KERNEL_GS_BASE into the CPU: only for a
 * guest that may enter long mode (EFER.LME, which only WRMSR sets): in
 * any other mode SYSCALL and SWAPGS are #UD on Intel and the registers
 * mean nothing to it.
 */
static void vmx_load_guest_syscall(struct vmx_vcpu *vv)
{
	struct vmx_host_state *h = &vv->host;
	const u64 *guest = vv->vcpu->syscall_msrs;
	int i;

	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	microv_count(MICROV_INSN_RDMSR);
	for (i = 0; i < VMX_NR_SWITCHED_SYSCALL; i++) {
		rdmsrl(x86_syscall_msrs[i], h->syscall[i]);
		microv_count(MICROV_INSN_RDMSR);
		if (guest[i] != h->syscall[i]) {
			wrmsrl(x86_syscall_msrs[i], guest[i]);
			microv_count(MICROV_INSN_WRMSR);
		}
	}
	wrmsrl(MSR_KERNEL_GS_BASE, guest[VMX_KERNEL_GS_BASE]);
	microv_count(MICROV_INSN_WRMSR);
	h->syscall_loaded = true;
}

/**
 * vmx_host_state_prepare() - the guest's values in, the host's kept
 * @vv: the vCPU about to enter, its VMCS current, interrupts off
 */
void vmx_host_state_prepare(struct vmx_vcpu *vv)
{
	struct vmx_host_state *h = &vv->host;

	if (h->loaded)
		return;
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=rm" (h->ldt));
	/* The VM exit loads it from the VMCS; the thread may have moved it. */
	h->fs_base = x86_fsbase_read_cpu();
	if (!boot_cpu_has(X86_FEATURE_FSGSBASE))
		microv_count(MICROV_INSN_RDMSR);
	vmcs_write(HOST_FS_BASE, h->fs_base);
	h->syscall_loaded = false;
	if (vmcs_read(GUEST_IA32_EFER) & EFER_LME) {
		vmx_load_guest_syscall(vv);
	} else if (h->gs) {
		/* load_gs_index() in vmx_host_state_put() clobbers it. */
		rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
		microv_count(MICROV_INSN_RDMSR);
	}
	h->debugctl = get_debugctlmsr();
	microv_count(MICROV_INSN_RDMSR);
	h->loaded = true;
}

/**
 * vmx_host_state_put() - the host's values back
 * @vv: the vCPU, preemption off (or in the scheduler, interrupts off)
 *
 * SWAPGS in the guest changes KERNEL_GS_BASE without an exit: it is read
 * back first.  The guest's other SYSCALL MSRs only change by WRMSR, which
 * exits.
 */
void vmx_host_state_put(struct vmx_vcpu *vv)
{
	struct vmx_host_state *h = &vv->host;
	u64 *guest = vv->vcpu->syscall_msrs;
	int i;

	if (!h->loaded)
		return;
	if (h->syscall_loaded) {
		rdmsrl(MSR_KERNEL_GS_BASE, guest[VMX_KERNEL_GS_BASE]);
		microv_count(MICROV_INSN_RDMSR);
		for (i = 0; i < VMX_NR_SWITCHED_SYSCALL; i++) {
			if (guest[i] != h->syscall[i]) {
				wrmsrl(x86_syscall_msrs[i], h->syscall[i]);
				microv_count(MICROV_INSN_WRMSR);
			}
		}
	}
	/*
	 * A VM exit leaves LDTR null: a process with an LDT needs it back,
	 * before any of its selectors is loaded.
	 */
	if (h->ldt) {
		asm volatile("lldt %0" : : "rm" (h->ldt));
		microv_count(MICROV_INSN_SEGMENT_LOAD);
	}
	if (h->ds) {
		loadsegment(ds, h->ds);
		microv_count(MICROV_INSN_SEGMENT_LOAD);
	}
	if (h->es) {
		loadsegment(es, h->es);
		microv_count(MICROV_INSN_SEGMENT_LOAD);
	}
	if (h->fs) {
		loadsegment(fs, h->fs);
		x86_fsbase_write_cpu(h->fs_base);
		microv_count(MICROV_INSN_SEGMENT_LOAD);
	}
	/*
	 * Loading GS through its selector swaps GS bases twice: the guest's
	 * KERNEL_GS_BASE must not be the kernel's GS base even for the NMI
	 * that may come in between; and it clobbers KERNEL_GS_BASE.
	 */
	if (h->syscall_loaded || h->gs) {
		wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
		microv_count(MICROV_INSN_WRMSR);
	}
	if (h->gs) {
		load_gs_index(h->gs);
		wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
		microv_count(MICROV_INSN_SEGMENT_LOAD);
		microv_count(MICROV_INSN_WRMSR);
	}

	/* A VM exit leaves the GDT limit at 0xffff and TR's at 0x67. */
	load_fixmap_gdt(raw_smp_processor_id());
	microv_count(MICROV_INSN_LGDT_LIDT_LTR);
	invalidate_tss_limit();
	h->loaded = false;
}

/*
 * A guest RDMSR of KERNEL_GS_BASE, right after an exit: the value is in
 * the CPU while the guest's SYSCALL state is.
 */
void vmx_host_state_sync(struct vmx_vcpu *vv)
{
	if (!vv->host.loaded || !vv->host.syscall_loaded)
		return;
	rdmsrl(MSR_KERNEL_GS_BASE, vv->vcpu->syscall_msrs[VMX_KERNEL_GS_BASE]);
	microv_count(MICROV_INSN_RDMSR);
}

/*
 * A guest WRMSR that x86_msr_write() or the VMCS took: a SYSCALL MSR goes
 * into the CPU if the guest's are there; EFER.LME puts them there.
 */
void vmx_host_state_wrmsr(struct vmx_vcpu *vv, u32 msr, u64 val)
{
	int i;

	if (!vv->host.loaded)
		return;
	if (!vv->host.syscall_loaded) {
		if (msr == MSR_EFER && (val & EFER_LME))
			vmx_load_guest_syscall(vv);
		return;
	}
	for (i = 0; i < X86_NR_SYSCALL_MSRS; i++) {
		if (x86_syscall_msrs[i] == msr) {
			wrmsrl(msr, val);
			microv_count(MICROV_INSN_WRMSR);
		}
	}
}

static void vmx_sched_in(struct preempt_notifier *pn, int cpu)
{
}

static void vmx_sched_out(struct preempt_notifier *pn,
			  struct task_struct *next)
{
	vmx_host_state_put(container_of(pn, struct vmx_vcpu, preempt));
}

struct preempt_ops vmx_preempt_ops = {
	.sched_in	= vmx_sched_in,
	.sched_out	= vmx_sched_out,
};
