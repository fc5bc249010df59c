/* SPDX-License-Identifier: GPL-2.0 */
/* VMCS field access (Intel SDM Vol. 3, 24.11.2) and the per-vCPU VMX state. */
#ifndef MICROV_VMX_VMCS_H
#define MICROV_VMX_VMCS_H

#include <linux/list.h>
#include <linux/preempt.h>
#include <linux/types.h>
#include <asm/asm.h>
#include <asm/fpu/types.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "../module/bench.h"
#include "../module/domain.h"
#include "../module/x86.h"

/* Guest general registers in the order vmenter.S loads and saves them. */
enum vmx_gpr {
	VMX_RAX, VMX_RCX, VMX_RDX, VMX_RBX, VMX_RSP, VMX_RBP, VMX_RSI, VMX_RDI,
	VMX_R8, VMX_R9, VMX_R10, VMX_R11, VMX_R12, VMX_R13, VMX_R14, VMX_R15,
	VMX_NR_GPRS
};

/**
 * struct vmx_host_state - host state a VM exit does not restore, and
 * Linux needs only once the thread leaves the kernel or the CPU
 * @loaded:  the guest's values are in the CPU (from the first VM entry of
 *           a run to vmx_host_state_put())
 * @syscall_loaded: the guest's SYSCALL MSRs and KERNEL_GS_BASE among them
 * @ds, @es, @fs, @gs, @ldt: the host's selectors (a VM exit loads them
 *           as 0)
 * @fs_base: the host's FS base
 * @kernel_gs_base: the host's (the user's GS base, while in the kernel)
 * @syscall: STAR, LSTAR, CSTAR, SFMASK
 * @debugctl: IA32_DEBUGCTL (a VM exit clears it)
 */
struct vmx_host_state {
	bool loaded;
	bool syscall_loaded;
	u16 ds, es, fs, gs, ldt;
	u64 fs_base;
	u64 kernel_gs_base;
	u64 syscall[X86_NR_SYSCALL_MSRS - 1];
	u64 debugctl;
};

/**
 * struct vmx_vcpu - VMX state of one vCPU
 * @vcpu:      the module's vCPU
 * @vmcs:      its VMCS region
 * @cpu:       the CPU on which the VMCS is active, or -1 (clear)
 * @loaded_link: in that CPU's list of active VMCSs
 * @vmcs_setup: controls and host state written once
 * @launched:  VMLAUNCH done since the last VMCLEAR: VMRESUME next
 * @vpid:      VPID tagging its TLB entries, 0 without VPID
 * @gprs:      guest registers while it is not running (RSP unused: VMCS)
 * @guest_cr2: CR2 is not switched by VMX
 * @guest_xcr0: the guest's XCR0 (XSETBV)
 * @guest_dr7: the guest's DR7, as in the VMCS (MOV to DR7 always exits)
 * @guest_fpu: the guest's FPU and extended state: in the registers from
 *             the start of a run to its end (the task's own are saved)
 * @host:      the host state switched lazily (host_state.c)
 * @preempt:   puts @host back when the thread is scheduled out
 * @host_cr3, @host_cr4: the values in the VMCS's host-state area
 * @proc_ctl:  the primary processor-based controls, as in the VMCS
 * @io_in_size: size of an IN that userspace completes on the next run
 * @pdptes:    the guest's PAE PDPTEs as MICROV_RUN starts (with EPT, VM
 *             entry loads them from the VMCS, not from memory)
 * @deferred:  what the last exit left for preemptible context
 * @deferred_msr, @deferred_val: the WRMSR of VMX_DEFER_WRMSR; the RIP
 *             of VMX_DEFER_SPLIT_LOCK; the guest-physical address of
 *             VMX_DEFER_EPT
 * @deferred_write: VMX_DEFER_EPT's access was a write
 * @deferred_insn: ... and an instruction's, to its operand (not a page
 *             walk's, an instruction fetch's or an event delivery's): it
 *             may be emulated
 * @paging_fresh: vcpu->paging was captured at the current exit already
 */
struct vmx_vcpu {
	struct microv_vcpu *vcpu;
	struct page *vmcs;
	int cpu;
	struct list_head loaded_link;
	bool vmcs_setup;
	bool launched;
	u16 vpid;
	unsigned long gprs[VMX_NR_GPRS];
	unsigned long guest_cr2;
	u64 guest_xcr0;
	u64 guest_dr7;
	struct fpu_guest guest_fpu;
	struct vmx_host_state host;
	struct preempt_notifier preempt;
	unsigned long host_cr3, host_cr4;
	u32 proc_ctl;
	u8 io_in_size;
	u64 pdptes[4];
	enum vmx_deferred {
		VMX_DEFER_NONE,
		VMX_DEFER_HYPERCALL,	/* a VMCALL for the personality */
		VMX_DEFER_WRMSR,	/* a WRMSR to a hypervisor MSR */
		VMX_DEFER_SPLIT_LOCK,	/* a split-lock #AC, at deferred_val */
		VMX_DEFER_EPT,		/* nothing mapped at deferred_val */
		VMX_DEFER_STRING_IO,	/* INS/OUTS, qualification in deferred_val */
		VMX_DEFER_TASK_SWITCH,	/* exit reason 9 (task.c) */
	} deferred;
	u32 deferred_msr;
	u64 deferred_val;
	bool deferred_write;
	bool deferred_insn;
	bool paging_fresh;
};

static inline struct vmx_vcpu *to_vmx(struct microv_vcpu *v)
{
	return v->arch;
}

/*
 * Exceptions that always exit: #DB and #AC, whose delivery can loop
 * inside the CPU for ever (CVE-2015-8104, CVE-2015-5307), and #MC, the
 * host's to handle.
 */
#define VMX_EXCEPTIONS_INTERCEPTED \
	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC))

u64 vmx_cr0_host_owned(void);
u64 vmx_cr4_host_owned(void);
u64 vmx_cr0_real(u64 guest);
u64 vmx_cr4_real(u64 guest);

void vmx_insn_fault(const char *insn);
void vmcs_write_failed(unsigned long field, unsigned long val);

/*
 * VMCS field access, inline: the exit path is made of little else.  A
 * fault means VMX is off on this CPU (vmx_insn_fault()).
 */
static __always_inline void vmcs_write(unsigned long field, unsigned long val)
{
	microv_count(MICROV_INSN_VMWRITE);
	asm goto("1: vmwrite %[val], %[field]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [field] "r" (field), [val] "rm" (val) : "cc"
		 : fail, fault);
	return;
fail:
	vmcs_write_failed(field, val);
	return;
fault:
	vmx_insn_fault("VMWRITE");
}

static __always_inline unsigned long vmcs_read(unsigned long field)
{
	unsigned long val;

	microv_count(MICROV_INSN_VMREAD);
	asm goto("1: vmread %[field], %[val]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : [val] "=rm" (val) : [field] "r" (field) : "cc" : fault);
	return val;
fault:
	vmx_insn_fault("VMREAD");
	return 0;
}

/* What an exit handler tells the run loop. */
enum vmx_exit_action {
	VMX_EXIT_CONTINUE,	/* enter the guest again */
	VMX_EXIT_USER,		/* return to userspace; run area filled */
	VMX_EXIT_HALT,		/* sleep until an event, then continue */
	VMX_EXIT_DEFER,		/* vv->deferred: work that may sleep */
};

enum vmx_exit_action vmx_handle_exit(struct vmx_vcpu *vv, u32 reason);
bool vmx_exit_fastpath(struct vmx_vcpu *vv, u32 reason);

/* Blocking by STI or by MOV SS: the one-instruction shadow after them. */
#define VMX_INTR_SHADOW	(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)

/* The instruction that opened a shadow is behind the guest now. */
static __always_inline void vmx_end_intr_shadow(void)
{
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
		   vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & ~VMX_INTR_SHADOW);
}

/*
 * Pending debug exceptions that VM entry delivers (SDM 26.6.3): a
 * single step (BS) or an enabled breakpoint (bit 12).
 */
#define VMX_PENDING_DBG_VALID	(X86_DR6_BS | BIT(12))

/* AR bytes of a flat 32-bit read/write data segment, and the DPL field. */
#define VMX_AR_FLAT_DATA	(3 | VMX_AR_S_MASK | VMX_AR_P_MASK | \
				 VMX_AR_DB_MASK | VMX_AR_G_MASK)
#define VMX_AR_DPL_MASK		(3 << VMX_AR_DPL_SHIFT)

/**
 * vmx_exit_ss_fixup() - flat attributes for an unusable SS
 *
 * A 64-bit kernel runs with a NULL SS after an interrupt from user mode,
 * and the VMCS keeps such an SS as unusable, its attributes other than
 * DPL undefined.  Intel's SYSRET then gives the 32-bit user code it
 * returns to flat SS attributes; AMD's (and Bochs's, for every CPU
 * model) keeps the ones SS had, and with a B bit of 0 from the VMCS the
 * user code's pushes and pops use SP: a 32-bit program dies at a system
 * call's return.  A CPU ignores these fields of an unusable SS, so they
 * are made flat 32-bit data, base and limit with them: after such a
 * SYSRET the segment is usable again, and a G bit without a page-granular
 * limit (or a base above 4 GiB) would fail the next VM entry.  Per exit:
 * one VMREAD.
 */
/*
 * What an IN of @size bytes leaves in RAX: a 32-bit destination is
 * zero-extended, as every 32-bit write to a register is; AL and AX keep
 * the bits above them.
 */
static inline void vmx_io_in_write(struct vmx_vcpu *vv, u8 size, u64 data)
{
	u64 mask = (1ull << (size * 8)) - 1;

	if (size == 4)
		vv->gprs[VMX_RAX] = data & mask;
	else
		vv->gprs[VMX_RAX] = (vv->gprs[VMX_RAX] & ~mask) | (data & mask);
}

static __always_inline void vmx_exit_ss_fixup(void)
{
	u32 ar = vmcs_read(GUEST_SS_AR_BYTES);

	if (unlikely(ar & VMX_AR_UNUSABLE_MASK) && !(ar & VMX_AR_DB_MASK)) {
		vmcs_write(GUEST_SS_AR_BYTES,
			   (ar & (VMX_AR_UNUSABLE_MASK | VMX_AR_DPL_MASK)) |
			   VMX_AR_FLAT_DATA);
		vmcs_write(GUEST_SS_BASE, 0);
		vmcs_write(GUEST_SS_LIMIT, 0xffffffff);
	}
}

void vmx_inject_exception(struct vmx_vcpu *vv, u8 vector, bool has_code,
			  u32 code);
struct x86_fault;
void vmx_inject_fault(struct vmx_vcpu *vv, const struct x86_fault *f);
void vmx_skip_instruction(void);
void vmx_retire_instruction(u64 next_rip);
enum vmx_exit_action vmx_internal_error(struct vmx_vcpu *vv, u32 sub);
void vmx_set_dr7(struct vmx_vcpu *vv, u64 dr7);
enum vmx_exit_action vmx_exit_task_switch(struct vmx_vcpu *vv);
int vmx_run_task_switch(struct vmx_vcpu *vv);
void vmx_run_store_state(struct vmx_vcpu *vv);
bool vmx_pdptes_read(struct microv_vcpu *v, u64 cr3, u64 pdptes[4]);
void vmx_event_reinject(void);
void vmx_event_inject(struct vmx_vcpu *vv);

int vmx_ept_init(struct microv_domain *d);
void vmx_ept_destroy(struct microv_domain *d);
int vmx_ept_map(struct microv_domain *d, u64 gpa, struct page **pages,
		u64 npages, bool writable);
void vmx_ept_unmap(struct microv_domain *d, u64 gpa, u64 npages);
u64 vmx_eptp(struct microv_domain *d);

void vmx_vcpu_load(struct vmx_vcpu *vv);
void vmx_vcpu_clear(struct vmx_vcpu *vv);
void vmx_vmcs_clear_cpu(void);
void vmx_vmcs_init_cpu(void);
void vmx_host_state_prepare(struct vmx_vcpu *vv);
void vmx_host_state_put(struct vmx_vcpu *vv);
void vmx_host_state_sync(struct vmx_vcpu *vv);
void vmx_host_state_wrmsr(struct vmx_vcpu *vv, u32 msr, u64 val);
extern struct preempt_ops vmx_preempt_ops;
void vmx_sregs_load(struct vmx_vcpu *vv);
void vmx_regs_load(struct vmx_vcpu *vv);
void vmx_sregs_store(struct vmx_vcpu *vv);
void vmx_regs_store(struct vmx_vcpu *vv);
void vmx_vcpu_store_sregs(struct microv_vcpu *v);
void vmx_flush_vpid(u16 vpid);
void vmx_flush_vpid_all(void);
void vmx_flush_all_cpu(void);
void vmx_ept_note_cpu(struct microv_domain *d);
u64 vmx_ept_table_pages(void);
void vmx_paging_snapshot(struct x86_paging *p);

int vmx_vcpu_init(struct microv_vcpu *v);
void vmx_vcpu_destroy(struct microv_vcpu *v);
int vmx_vcpu_run(struct microv_vcpu *v);
void vmx_vcpu_kick(struct microv_vcpu *v);
unsigned long vmx_get_gpr(struct microv_vcpu *v, unsigned int reg);
void vmx_set_gpr(struct microv_vcpu *v, unsigned int reg, unsigned long val);

/* vmenter.S: 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed. */
int vmx_vmenter(unsigned long *gprs, bool launched);
void vmx_vmexit(void);

#endif /* MICROV_VMX_VMCS_H */
