// SPDX-License-Identifier: GPL-2.0
/*
 * VM exits, as a table indexed by basic exit reason (Intel SDM Vol. 3,
 * Appendix C).  A reason without a handler goes to userspace as an
 * internal error: never ignored.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include <asm/vmx.h>

#include "../module/backend.h"
#include "../module/x86.h"
#include "vmcs.h"
#include "vmx.h"

typedef enum vmx_exit_action (*vmx_exit_handler)(struct vmx_vcpu *vv);

/*
 * Whether the guest single-steps: RFLAGS.TF, and DEBUGCTL.BTF clear (with
 * BTF only branches trap, and no branch exits).
 */
static bool vmx_single_step_armed(void)
{
	return (vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_TF) &&
	       !(vmcs_read(GUEST_IA32_DEBUGCTL) & DEBUGCTLMSR_BTF);
}

/* A single-step #DB pending after the current instruction (DR6.BS). */
static void vmx_pending_single_step(void)
{
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
		   vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) | X86_DR6_BS);
}

/* The instruction at GUEST_RIP retired; the next one is at @next_rip. */
void vmx_retire_instruction(u64 next_rip)
{
	vmcs_write(GUEST_RIP, next_rip);
	/* The instruction retired: STI/MOV SS blocking ends with it. */
	vmx_end_intr_shadow();
	/*
	 * A single-stepping guest is owed a trap once an instruction
	 * retires, and the CPU did not retire this one: the next entry
	 * delivers the #DB (DR6.BS).
	 */
	if (vmx_single_step_armed())
		vmx_pending_single_step();
}

void vmx_skip_instruction(void)
{
	vmx_retire_instruction(vmcs_read(GUEST_RIP) +
			       vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

/* Error codes are not pushed in real mode (SDM 26.2.1.3). */
void vmx_inject_exception(struct vmx_vcpu *vv, u8 vector, bool has_code,
			  u32 code)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	if (has_code && (vmcs_read(GUEST_CR0) & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, code);
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
}

/* An exception the module's emulation found; a #PF with its CR2. */
void vmx_inject_fault(struct vmx_vcpu *vv, const struct x86_fault *f)
{
	if (f->vector == X86_TRAP_PF)
		vv->guest_cr2 = f->address;
	vmx_inject_exception(vv, f->vector, f->has_error, f->error);
}

static enum vmx_exit_action vmx_user_exit(struct vmx_vcpu *vv, u32 reason)
{
	vv->vcpu->run->exit_reason = reason;
	return VMX_EXIT_USER;
}

enum vmx_exit_action vmx_internal_error(struct vmx_vcpu *vv, u32 sub)
{
	struct microv_run *run = vv->vcpu->run;

	run->internal.suberror = sub;
	run->internal.hw_reason = vmcs_read(VM_EXIT_REASON);
	run->internal.qualification = vmcs_read(EXIT_QUALIFICATION);
	return vmx_user_exit(vv, MICROV_EXIT_INTERNAL_ERROR);
}

static enum vmx_exit_action vmx_exit_continue(struct vmx_vcpu *vv)
{
	return VMX_EXIT_CONTINUE;
}

static enum vmx_exit_action vmx_exit_skip(struct vmx_vcpu *vv)
{
	vmx_skip_instruction();
	return VMX_EXIT_CONTINUE;
}

static enum vmx_exit_action vmx_exit_ud(struct vmx_vcpu *vv)
{
	vmx_inject_exception(vv, X86_TRAP_UD, false, 0);
	return VMX_EXIT_CONTINUE;
}

static enum vmx_exit_action vmx_exit_gp(struct vmx_vcpu *vv)
{
	vmx_inject_exception(vv, X86_TRAP_GP, true, 0);
	return VMX_EXIT_CONTINUE;
}

/* A general register by its x86 number; RSP lives in the VMCS. */
static u64 vmx_gpr_read(struct vmx_vcpu *vv, unsigned int reg)
{
	return reg == VMX_RSP ? vmcs_read(GUEST_RSP) : vv->gprs[reg];
}

static void vmx_gpr_write(struct vmx_vcpu *vv, unsigned int reg, u64 val)
{
	if (reg == VMX_RSP)
		vmcs_write(GUEST_RSP, val);
	else
		vv->gprs[reg] = val;
}

void vmx_set_dr7(struct vmx_vcpu *vv, u64 dr7)
{
	vv->guest_dr7 = dr7;
	vmcs_write(GUEST_DR7, dr7);
}

/*
 * Work that may sleep (the personality's hypercalls and MSRs, which touch
 * guest memory; the host's split-lock policy): it runs after the exit,
 * preemptible, with the paging state as the guest left it.
 */
static enum vmx_exit_action vmx_defer(struct vmx_vcpu *vv,
				      enum vmx_deferred what)
{
	if (!vv->paging_fresh)
		vmx_paging_snapshot(&vv->vcpu->paging);
	vv->deferred = what;
	return VMX_EXIT_DEFER;
}

/*
 * A #DB the guest's own debug features raised: DR6 says what hit (the
 * hardware's DR6 is not written when #DB exits), then the guest gets it.
 * ICEBP (INT1) is a privileged software exception and leaves DR6 alone.
 * It replaces an event whose delivery it interrupted: both are benign,
 * handled one after the other, and the first comes again from its cause.
 */
static enum vmx_exit_action vmx_exit_db(struct vmx_vcpu *vv, u32 info)
{
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	if (type == INTR_TYPE_PRIV_SW_EXCEPTION) {
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN,
			   vmcs_read(VM_EXIT_INSTRUCTION_LEN));
	} else {
		type = INTR_TYPE_HARD_EXCEPTION;
		x86_dr6_debug_trap(&vv->vcpu->debug,
				   vmcs_read(EXIT_QUALIFICATION));
	}
	/* Entering the #DB handler clears DR7.GD. */
	if (vv->guest_dr7 & X86_DR7_GD)
		vmx_set_dr7(vv, vv->guest_dr7 & ~X86_DR7_GD);
	/*
	 * A #DB in the shadow of STI or MOV SS while single-stepping: VM
	 * entry wants a single-step trap pending there, and none with BTF
	 * (SDM 26.3.1.5), which the CPU does not record when #DB exits.  The
	 * injected #DB is delivered first; the guest sees no difference.
	 */
	if ((vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & VMX_INTR_SHADOW) &&
	    vmx_single_step_armed())
		vmx_pending_single_step();
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD,
		   X86_TRAP_DB | type | INTR_INFO_VALID_MASK);
	return VMX_EXIT_CONTINUE;
}

/*
 * #AC is the guest's when its alignment checking is on (CPL 3, CR0.AM,
 * RFLAGS.AC); any other is the host's split-lock detection, which the
 * host's policy settles (handle_guest_split_lock(), preemptible: it may
 * sleep): the instruction runs again, or the guest gets the #AC.
 */
static enum vmx_exit_action vmx_exit_ac(struct vmx_vcpu *vv)
{
	struct x86_paging p;

	vmx_paging_snapshot(&p);
	if (p.cpl == 3 && (p.cr0 & X86_CR0_AM) &&
	    (vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_AC)) {
		vmx_inject_exception(vv, X86_TRAP_AC, true, 0);
		return VMX_EXIT_CONTINUE;
	}
	vv->deferred_val = vmcs_read(GUEST_RIP);
	return vmx_defer(vv, VMX_DEFER_SPLIT_LOCK);
}

/*
 * Exceptions in VMX_EXCEPTIONS_INTERCEPTED and NMIs.  An NMI or a machine
 * check is the host's and its handler already ran (run.c).
 */
static enum vmx_exit_action vmx_exit_exception_nmi(struct vmx_vcpu *vv)
{
	u32 info = vmcs_read(VM_EXIT_INTR_INFO);

	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		return VMX_EXIT_CONTINUE;
	switch (info & INTR_INFO_VECTOR_MASK) {
	case X86_TRAP_MC:
		return VMX_EXIT_CONTINUE;
	case X86_TRAP_DB:
		return vmx_exit_db(vv, info);
	case X86_TRAP_AC:
		return vmx_exit_ac(vv);
	default:
		return vmx_internal_error(vv, MICROV_INTERNAL_UNHANDLED_EXIT);
	}
}

static enum vmx_exit_action vmx_exit_triple_fault(struct vmx_vcpu *vv)
{
	return vmx_user_exit(vv, MICROV_EXIT_TRIPLE_FAULT);
}

/* CPUID faulting on, and the guest outside ring 0 (CPL is SS.DPL). */
static bool vmx_cpuid_faults(struct vmx_vcpu *vv)
{
	return READ_ONCE(vv->vcpu->misc_features_enables) &&
	       x86_cpuid_faults(vv->vcpu,
				(vmcs_read(GUEST_SS_AR_BYTES) >> 5) & 3);
}

static enum vmx_exit_action vmx_exit_cpuid(struct vmx_vcpu *vv)
{
	struct microv_cpuid out;

	if (vmx_cpuid_faults(vv))
		return vmx_exit_gp(vv);
	microv_cpuid(vv->vcpu, vv->gprs[VMX_RAX], vv->gprs[VMX_RCX],
		     vmcs_read(CR4_READ_SHADOW), &out);
	vv->gprs[VMX_RAX] = out.eax;
	vv->gprs[VMX_RBX] = out.ebx;
	vv->gprs[VMX_RCX] = out.ecx;
	vv->gprs[VMX_RDX] = out.edx;
	vmx_skip_instruction();
	return VMX_EXIT_CONTINUE;
}

/* HLT with interrupts off stops the guest for good: userspace decides. */
static enum vmx_exit_action vmx_exit_hlt(struct vmx_vcpu *vv)
{
	vmx_skip_instruction();
	if (!(vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_IF))
		return vmx_user_exit(vv, MICROV_EXIT_HLT);
	/* The wait updates the guest's runstate area, by virtual address. */
	vmx_paging_snapshot(&vv->vcpu->paging);
	return VMX_EXIT_HALT;
}

/*
 * A hypercall never faults: its instruction retires here, with the VMCS
 * at hand, so that the personality's work needs no VMCS after it.
 */
static enum vmx_exit_action vmx_exit_vmcall(struct vmx_vcpu *vv)
{
	vmx_skip_instruction();
	return vmx_defer(vv, VMX_DEFER_HYPERCALL);
}

/*
 * Port I/O goes to userspace, or is answered here for a port no one
 * serves; INS and OUTS (string, maybe REP) need guest memory: module/
 * carries them out in preemptible context (vmx_run_string_io()).
 */
static enum vmx_exit_action vmx_exit_io(struct vmx_vcpu *vv)
{
	u64 q = vmcs_read(EXIT_QUALIFICATION);
	struct microv_run *run = vv->vcpu->run;
	u8 size = (q & 7) + 1;

	if (q & BIT(4)) {
		vv->deferred_val = q;
		return vmx_defer(vv, VMX_DEFER_STRING_IO);
	}
	/* No one serves it: all ones in, nothing out, as on Xen. */
	if (!microv_io_claimed(vv->vcpu->domain, q >> 16, size)) {
		if (q & BIT(3))
			vmx_io_in_write(vv, size, ~0ull);
		vmx_skip_instruction();
		return VMX_EXIT_CONTINUE;
	}
	run->io.size = size;
	run->io.port = q >> 16;
	run->io.direction = (q & BIT(3)) ? MICROV_IO_IN : MICROV_IO_OUT;
	if (run->io.direction == MICROV_IO_OUT) {
		run->io.data = vv->gprs[VMX_RAX] & ((1ull << (size * 8)) - 1);
	} else {
		run->io.data = 0;
		vv->io_in_size = size;
	}
	vmx_skip_instruction();
	return vmx_user_exit(vv, MICROV_EXIT_IO);
}

/* The MSRs a guest may use: those the VMCS switches for us. */
static const struct {
	u32 msr;
	u32 field;
} vmx_guest_msrs[] = {
	{ MSR_IA32_SYSENTER_CS, GUEST_SYSENTER_CS },
	{ MSR_IA32_SYSENTER_ESP, GUEST_SYSENTER_ESP },
	{ MSR_IA32_SYSENTER_EIP, GUEST_SYSENTER_EIP },
	{ MSR_FS_BASE, GUEST_FS_BASE },
	{ MSR_GS_BASE, GUEST_GS_BASE },
	{ MSR_IA32_CR_PAT, GUEST_IA32_PAT },
	{ MSR_EFER, GUEST_IA32_EFER },
	{ MSR_IA32_DEBUGCTLMSR, GUEST_IA32_DEBUGCTL },
};

static int vmx_guest_msr(u32 msr)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_guest_msrs); i++)
		if (vmx_guest_msrs[i].msr == msr)
			return vmx_guest_msrs[i].field;
	return -1;
}

static enum vmx_exit_action vmx_exit_rdmsr(struct vmx_vcpu *vv)
{
	u32 msr = vv->gprs[VMX_RCX];
	int field, ret;
	u64 val;

	/* SWAPGS changes the guest's KERNEL_GS_BASE without an exit. */
	if (msr == MSR_KERNEL_GS_BASE)
		vmx_host_state_sync(vv);
	/* Emulated (module/x86_msr.c), else switched by the VMCS, else #GP. */
	ret = x86_msr_read(vv->vcpu, msr, &val);
	if (ret) {
		field = ret == -ENOENT ? vmx_guest_msr(msr) : -1;
		if (field < 0) {
			microv_msr_fault(vv->vcpu, msr, false);
			vmx_inject_exception(vv, X86_TRAP_GP, true, 0);
			return VMX_EXIT_CONTINUE;
		}
		val = vmcs_read(field);
	}
	vv->gprs[VMX_RAX] = (u32)val;
	vv->gprs[VMX_RDX] = val >> 32;
	vmx_skip_instruction();
	return VMX_EXIT_CONTINUE;
}

static bool vmx_wrmsr_ok(u32 msr, u64 val)
{
	switch (msr) {
	case MSR_EFER:
		/* LMA is the CPU's to set; LME only changes with paging off. */
		if (val & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return false;
		return !((val ^ vmcs_read(GUEST_IA32_EFER)) &
			 (EFER_LMA | ((vmcs_read(GUEST_CR0) & X86_CR0_PG) ?
				      EFER_LME : 0)));
	case MSR_IA32_CR_PAT:
		/* Each byte a memory type: 0, 1, 4, 5, 6 or 7. */
		for (; val; val >>= 8)
			if ((val & 0xf8) || (val & 7) == 2 || (val & 7) == 3)
				return false;
		return true;
	case MSR_IA32_DEBUGCTLMSR:
		/* Single-step on branches; no LBR, BTS or freezes. */
		return !(val & ~(u64)DEBUGCTLMSR_BTF);
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		return (u64)((s64)(val << 16) >> 16) == val;
	default:
		return true;
	}
}

/* MSRs 0x40000000-0x400000ff belong to the hypervisor personality. */
#define VMX_HV_MSR_FIRST	0x40000000u
#define VMX_HV_MSR_LAST		0x400000ffu

static enum vmx_exit_action vmx_exit_wrmsr(struct vmx_vcpu *vv)
{
	u32 msr = vv->gprs[VMX_RCX];
	u64 val = (vv->gprs[VMX_RDX] << 32) | (u32)vv->gprs[VMX_RAX];
	int field = vmx_guest_msr(msr), ret;

	if (msr >= VMX_HV_MSR_FIRST && msr <= VMX_HV_MSR_LAST) {
		vv->deferred_msr = msr;
		vv->deferred_val = val;
		return vmx_defer(vv, VMX_DEFER_WRMSR);
	}

	ret = x86_msr_write(vv->vcpu, msr, val);
	if (ret == -ENOENT && field >= 0 && vmx_wrmsr_ok(msr, val)) {
		vmcs_write(field, val);
		ret = 0;
	}
	if (!ret)
		vmx_host_state_wrmsr(vv, msr, val);
	if (ret) {
		microv_msr_fault(vv->vcpu, msr, true);
		vmx_inject_exception(vv, X86_TRAP_GP, true, 0);
		return VMX_EXIT_CONTINUE;
	}
	vmx_skip_instruction();
	return VMX_EXIT_CONTINUE;
}

/* The guest's new CR0, in the shadow and (with VMX's bits) the CPU. */
static enum vmx_exit_action vmx_cr0_commit(struct vmx_vcpu *vv, u64 val,
					   u64 changed)
{
	vmcs_write(CR0_READ_SHADOW, val);
	vmcs_write(GUEST_CR0, vmx_cr0_real(val));
	/* The CPU would flush what it cached under the old paging bits. */
	if (changed & (X86_CR0_PG | X86_CR0_WP | X86_CR0_CD))
		vmx_flush_vpid(vv->vpid);
	vmx_skip_instruction();
	return VMX_EXIT_CONTINUE;
}

/*
 * MOV to CR0 that changes a bit the host owns (NE, which VMX fixes to 1;
 * CD and NW, which would make the physical CPU run uncached): the guest
 * keeps its value in the read shadow, and every check the instruction
 * makes is made here, since the CPU did not execute it.  Paging turned on
 * or off in the same write changes EFER.LMA as the CPU would; legacy PAE
 * paging turned on that way would need its PDPTEs read from guest memory
 * here, and is not done.
 */
static enum vmx_exit_action vmx_write_cr0(struct vmx_vcpu *vv, u64 val)
{
	struct x86_paging p;
	u64 changed, efer;
	u32 entry;

	vmx_paging_snapshot(&p);
	if (p.mode != 64)
		val = (u32)val;
	if ((val >> 32) || ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(val & X86_CR0_PE)))
		return vmx_exit_gp(vv);
	changed = val ^ p.cr0;
	efer = p.efer;
	if (changed & X86_CR0_PG) {
		bool cs_l = vmcs_read(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK;

		if (val & X86_CR0_PG) {
			if (!(efer & EFER_LME))
				return (p.cr4 & X86_CR4_PAE) ?
				       vmx_internal_error(vv, MICROV_INTERNAL_UNHANDLED_EXIT) :
				       vmx_cr0_commit(vv, val, changed);
			if (!(p.cr4 & X86_CR4_PAE) || cs_l)
				return vmx_exit_gp(vv);
			efer |= EFER_LMA;
		} else {
			if ((cs_l && (efer & EFER_LMA)) ||
			    (p.cr4 & X86_CR4_PCIDE))
				return vmx_exit_gp(vv);
			efer &= ~EFER_LMA;
		}
		vmcs_write(GUEST_IA32_EFER, efer);
		entry = vmcs_read(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE;
		vmcs_write(VM_ENTRY_CONTROLS,
			   entry | ((efer & EFER_LMA) ? VM_ENTRY_IA32E_MODE : 0));
	}
	return vmx_cr0_commit(vv, val, changed);
}

/*
 * A legal CR4 value never exits: only a bit outside MICROV_CR4_ALLOWED
 * (VMXE, PKE, LA57, CET, ...) does, and gets #GP as on a CPU without it.
 */
static enum vmx_exit_action vmx_write_cr4(struct vmx_vcpu *vv, u64 val)
{
	if (val & ~(u64)MICROV_CR4_ALLOWED)
		return vmx_exit_gp(vv);
	return vmx_internal_error(vv, MICROV_INTERNAL_UNHANDLED_EXIT);
}

/* CR8 is the APIC's TPR, kept in the vCPU's APIC, never the host's. */
static enum vmx_exit_action vmx_exit_cr8(struct vmx_vcpu *vv, bool write,
					 unsigned int reg)
{
	struct x86_lapic *l = &vv->vcpu->lapic;

	if (!write)
		vmx_gpr_write(vv, reg, x86_lapic_cr8_read(l));
	else if (x86_lapic_cr8_write(l, vmx_gpr_read(vv, reg)))
		return vmx_exit_gp(vv);
	vmx_skip_instruction();
	return VMX_EXIT_CONTINUE;
}

static enum vmx_exit_action vmx_exit_cr(struct vmx_vcpu *vv)
{
	u64 q = vmcs_read(EXIT_QUALIFICATION);
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;

	/* Access types: 0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW. */
	if (cr == 8 && type < 2)
		return vmx_exit_cr8(vv, type == 0, reg);
	if (type == 0 && cr == 0)
		return vmx_write_cr0(vv, vmx_gpr_read(vv, reg));
	if (type == 0 && cr == 4)
		return vmx_write_cr4(vv, vmx_gpr_read(vv, reg));
	return vmx_internal_error(vv, MICROV_INTERNAL_UNHANDLED_EXIT);
}

/* MOV to or from DRn: emulated (module/x86_dr.c), never the host's. */
static enum vmx_exit_action vmx_exit_dr(struct vmx_vcpu *vv)
{
	u64 q = vmcs_read(EXIT_QUALIFICATION), dr7 = vv->guest_dr7, val = 0;
	unsigned int reg = (q >> 8) & 15;
	struct x86_dr_insn a;
	struct x86_paging p;

	vmx_paging_snapshot(&p);
	a.dr = q & 7;
	a.write = !(q & BIT(4));
	a.cpl = p.cpl;
	a.mode = p.mode;
	a.cr4_de = p.cr4 & X86_CR4_DE;
	if (a.write)
		val = vmx_gpr_read(vv, reg);
	switch (x86_dr_access(&vv->vcpu->debug, &dr7, &a, &val)) {
	case X86_DR_GP:
		return vmx_exit_gp(vv);
	case X86_DR_UD:
		return vmx_exit_ud(vv);
	case X86_DR_DB:
		vmx_set_dr7(vv, dr7);
		vmx_inject_exception(vv, X86_TRAP_DB, false, 0);
		return VMX_EXIT_CONTINUE;
	case X86_DR_OK:
		break;
	}
	if (!a.write)
		vmx_gpr_write(vv, reg, val);
	else if (dr7 != vv->guest_dr7)
		vmx_set_dr7(vv, dr7);
	vmx_skip_instruction();
	return VMX_EXIT_CONTINUE;
}

/*
 * XSETBV: every check the CPU makes (module/x86_xsave.c), so that the
 * value loaded before the next entry is one the CPU takes.
 */
static enum vmx_exit_action vmx_exit_xsetbv(struct vmx_vcpu *vv)
{
	u64 val = (vv->gprs[VMX_RDX] << 32) | (u32)vv->gprs[VMX_RAX];
	int cpl = (vmcs_read(GUEST_SS_AR_BYTES) >> 5) & 3;

	if (x86_xsetbv_check(vv->gprs[VMX_RCX], val,
			     x86_xcr0_guest_supported(x86_host_xcr0), cpl))
		return vmx_exit_gp(vv);
	vv->guest_xcr0 = val;
	vmx_skip_instruction();
	return VMX_EXIT_CONTINUE;
}

/*
 * Nothing mapped there: RAM not pinned yet, or none at all, which the run
 * loop finds out (vmx_run_ept_fault()); or a write to read-only RAM, for
 * userspace to emulate.  Only an instruction's access to its operand,
 * with no event being delivered, may be emulated.
 */
static enum vmx_exit_action vmx_exit_ept_violation(struct vmx_vcpu *vv)
{
	u64 qual = vmcs_read(EXIT_QUALIFICATION);
	struct microv_run *run = vv->vcpu->run;

	vv->deferred_val = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	vv->deferred_write = qual & EPT_VIOLATION_ACC_WRITE;
	vv->deferred_insn =
		(qual & EPT_VIOLATION_GVA_IS_VALID) &&
		(qual & EPT_VIOLATION_GVA_TRANSLATED) &&
		!(qual & EPT_VIOLATION_ACC_INSTR) &&
		!(vmcs_read(IDT_VECTORING_INFO_FIELD) & VECTORING_INFO_VALID_MASK);
	if (!(qual & EPT_VIOLATION_RWX_MASK)) {
		vv->deferred = VMX_DEFER_EPT;
		return VMX_EXIT_DEFER;
	}
	run->mmio.gpa = vv->deferred_val;
	run->mmio.is_write = vv->deferred_write;
	return vmx_user_exit(vv, MICROV_EXIT_MMIO);
}

static const vmx_exit_handler vmx_exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI]	= vmx_exit_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = vmx_exit_continue,
	[EXIT_REASON_TRIPLE_FAULT]	= vmx_exit_triple_fault,
	[EXIT_REASON_TASK_SWITCH]	= vmx_exit_task_switch,
	/* The window opened: vmx_event_inject() injects and closes it. */
	[EXIT_REASON_INTERRUPT_WINDOW]	= vmx_exit_continue,
	[EXIT_REASON_CPUID]		= vmx_exit_cpuid,
	[EXIT_REASON_HLT]		= vmx_exit_hlt,
	[EXIT_REASON_INVD]		= vmx_exit_skip,
	[EXIT_REASON_VMCALL]		= vmx_exit_vmcall,
	[EXIT_REASON_VMCLEAR]		= vmx_exit_ud,
	[EXIT_REASON_VMLAUNCH]		= vmx_exit_ud,
	[EXIT_REASON_VMPTRLD]		= vmx_exit_ud,
	[EXIT_REASON_VMPTRST]		= vmx_exit_ud,
	[EXIT_REASON_VMREAD]		= vmx_exit_ud,
	[EXIT_REASON_VMRESUME]		= vmx_exit_ud,
	[EXIT_REASON_VMWRITE]		= vmx_exit_ud,
	[EXIT_REASON_VMOFF]		= vmx_exit_ud,
	[EXIT_REASON_VMON]		= vmx_exit_ud,
	[EXIT_REASON_RDPMC]		= vmx_exit_gp,	/* no PMU */
	[EXIT_REASON_CR_ACCESS]		= vmx_exit_cr,
	[EXIT_REASON_DR_ACCESS]		= vmx_exit_dr,
	[EXIT_REASON_IO_INSTRUCTION]	= vmx_exit_io,
	[EXIT_REASON_MSR_READ]		= vmx_exit_rdmsr,
	[EXIT_REASON_MSR_WRITE]		= vmx_exit_wrmsr,
	[EXIT_REASON_MWAIT_INSTRUCTION]	= vmx_exit_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION] = vmx_exit_ud,
	[EXIT_REASON_EPT_VIOLATION]	= vmx_exit_ept_violation,
	[EXIT_REASON_INVEPT]		= vmx_exit_ud,
	[EXIT_REASON_PREEMPTION_TIMER]	= vmx_exit_continue,
	[EXIT_REASON_INVVPID]		= vmx_exit_ud,
	/* Guest RAM is write-back and no device DMAs: nothing to write back. */
	[EXIT_REASON_WBINVD]		= vmx_exit_skip,
	[EXIT_REASON_XSETBV]		= vmx_exit_xsetbv,
};

/**
 * vmx_exit_fastpath() - handle an exit on the spot, interrupts off
 * @vv:     the vCPU that just left the guest
 * @reason: VM_EXIT_REASON, a successful entry's
 *
 * For exits that need nothing of the host but a little computation: the
 * guest's XCR0, CR2 and debug registers are still loaded, and it goes
 * back in at once.  No event can be pending from such an exit.
 *
 * Return: true if handled; false to leave it to vmx_handle_exit().
 */
bool vmx_exit_fastpath(struct vmx_vcpu *vv, u32 reason)
{
	switch ((u16)reason) {
	case EXIT_REASON_CPUID:
		if (vmx_cpuid_faults(vv))
			return false;	/* the #GP is injected the slow way */
		vmx_exit_cpuid(vv);
		return true;
	case EXIT_REASON_VMCALL:
		vmx_paging_snapshot(&vv->vcpu->paging);
		vv->paging_fresh = true;	/* for vmx_defer() if not answered */
		if (!microv_hv_hypercall_atomic(vv->vcpu))
			return false;
		vmx_skip_instruction();
		return true;
	default:
		return false;
	}
}

enum vmx_exit_action vmx_handle_exit(struct vmx_vcpu *vv, u32 reason)
{
	u16 basic = reason;

	if (basic < ARRAY_SIZE(vmx_exit_handlers) && vmx_exit_handlers[basic])
		return vmx_exit_handlers[basic](vv);
	return vmx_internal_error(vv, MICROV_INTERNAL_UNHANDLED_EXIT);
}
