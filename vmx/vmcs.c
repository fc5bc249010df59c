// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCS of a vCPU: controls built from the capability MSRs, host state,
 * guest state loaded from and stored into the module's registers, and
 * the VMCS following the vCPU's thread from CPU to CPU (VMCLEAR on the
 * old one, VMPTRLD on the new one).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/asm.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>

#include "../module/backend.h"
#include "../module/bench.h"
#include "vmcs.h"
#include "vmx.h"

/* The VMCS current on each CPU, to skip a VMPTRLD that is not needed. */
static DEFINE_PER_CPU(struct vmx_vcpu *, vmx_current);
/* The VMCSs active on each CPU: what must be cleared before VMXOFF. */
static DEFINE_PER_CPU(struct list_head, vmx_loaded);

/* VMWRITE refused the value (VMfailValid): a bug of microv's. */
void vmcs_write_failed(unsigned long field, unsigned long val)
{
	pr_err_ratelimited("VMWRITE %#lx=%#lx failed\n", field, val);
}

/**
 * vmx_insn_fault() - a VMX instruction faulted: VMX is off on this CPU
 * @insn: its name
 *
 * A bug, but never an oops; expected only once the machine reboots: the
 * reboot notifier turns VMX off under vCPUs that may still run (as KVM's
 * kvm_rebooting), and they stop at their next entry.
 */
void vmx_insn_fault(const char *insn)
{
	if (!READ_ONCE(microv_rebooting))
		WARN_ONCE(1, "microv: %s faulted: VMX is off on CPU %d\n", insn,
			  raw_smp_processor_id());
}

static void vmclear(struct page *vmcs)
{
	u64 pa = page_to_phys(vmcs);

	asm goto("1: vmclear %0\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : "m" (pa) : "cc", "memory" : fault);
	return;
fault:
	vmx_insn_fault("VMCLEAR");
}

static void vmptrld(struct page *vmcs)
{
	u64 pa = page_to_phys(vmcs);

	asm goto("1: vmptrld %0\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : "m" (pa) : "cc", "memory" : fault);
	return;
fault:
	vmx_insn_fault("VMPTRLD");
}

/*
 * A control value: the bits we want within allowed-1, plus the bits the
 * capability MSR requires (allowed-0 settings, low half).
 */
static u32 vmx_adjust(u32 msr, u32 want)
{
	u64 cap;

	rdmsrl(msr, cap);
	microv_count(MICROV_INSN_RDMSR);
	return (want & (cap >> 32)) | (u32)cap;
}

static u32 vmx_ctl_msr(u32 plain, u32 true_msr)
{
	return (vmx_caps.basic & VMX_BASIC_HAS_TRUE_CTLS) ? true_msr : plain;
}

/*
 * The VMX preemption timer bounds each stay in the guest to about 1 ms, so
 * that signals and need_resched are seen even if no host interrupt makes
 * the guest exit.  Bochs needs it: it does not exit on an external
 * interrupt while the guest runs with IF=0.
 */
#define VMX_SLICE_US	1000

static u32 vmx_slice_ticks(void)
{
	u64 misc;

	rdmsrl(MSR_IA32_VMX_MISC, misc);
	microv_count(MICROV_INSN_RDMSR);
	return ((u64)tsc_khz * VMX_SLICE_US / 1000) >>
	       (misc & VMX_MISC_TIMER_RATE_MASK);
}

static void vmx_controls_setup(struct vmx_vcpu *vv)
{
	u32 pin = PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
		  PIN_BASED_VMX_PREEMPTION_TIMER;
	/*
	 * No "enable RDTSCP": RDTSCP and RDPID #UD (CPUID hides them), so
	 * the guest never reads the host's TSC_AUX.
	 */
	u32 proc2 = SECONDARY_EXEC_ENABLE_EPT |
		    SECONDARY_EXEC_UNRESTRICTED_GUEST |
		    SECONDARY_EXEC_ENABLE_INVPCID |
		    SECONDARY_EXEC_WBINVD_EXITING;

	if (vv->vpid)
		proc2 |= SECONDARY_EXEC_ENABLE_VPID;
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL,
		   vmx_adjust(vmx_ctl_msr(MSR_IA32_VMX_PINBASED_CTLS,
					  MSR_IA32_VMX_TRUE_PINBASED_CTLS),
			      pin));
	vv->proc_ctl = vmx_adjust(vmx_ctl_msr(MSR_IA32_VMX_PROCBASED_CTLS,
					      MSR_IA32_VMX_TRUE_PROCBASED_CTLS),
			      CPU_BASED_HLT_EXITING |
			      CPU_BASED_CR8_LOAD_EXITING |
			      CPU_BASED_CR8_STORE_EXITING |
			      CPU_BASED_MOV_DR_EXITING |
			      CPU_BASED_RDPMC_EXITING |
			      CPU_BASED_USE_IO_BITMAPS |
			      CPU_BASED_USE_MSR_BITMAPS |
			      CPU_BASED_MWAIT_EXITING |
			      CPU_BASED_MONITOR_EXITING |
			      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vv->proc_ctl);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL,
		   vmx_adjust(MSR_IA32_VMX_PROCBASED_CTLS2, proc2));
	vmcs_write(VM_EXIT_CONTROLS,
		   vmx_adjust(vmx_ctl_msr(MSR_IA32_VMX_EXIT_CTLS,
					  MSR_IA32_VMX_TRUE_EXIT_CTLS),
			      VM_EXIT_HOST_ADDR_SPACE_SIZE |
			      VM_EXIT_SAVE_DEBUG_CONTROLS |
			      VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
			      VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT));
	vmcs_write(VM_ENTRY_CONTROLS,
		   vmx_adjust(vmx_ctl_msr(MSR_IA32_VMX_ENTRY_CTLS,
					  MSR_IA32_VMX_TRUE_ENTRY_CTLS),
			      VM_ENTRY_LOAD_DEBUG_CONTROLS |
			      VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT));

	vmcs_write(EXCEPTION_BITMAP, VMX_EXCEPTIONS_INTERCEPTED);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(TSC_OFFSET, 0);
	vmcs_write(MSR_BITMAP, page_to_phys(vmx_msr_bitmap));
	vmcs_write(IO_BITMAP_A, page_to_phys(vmx_io_bitmaps));
	vmcs_write(IO_BITMAP_B, page_to_phys(vmx_io_bitmaps) + PAGE_SIZE);
	vmcs_write(EPT_POINTER, vmx_eptp(vv->vcpu->domain));
	if (vv->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vv->vpid);
	vmcs_write(VMCS_LINK_POINTER, -1ull);
	if (vmcs_read(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VMX_PREEMPTION_TIMER)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_slice_ticks());

	vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_host_owned());
	vmcs_write(CR4_GUEST_HOST_MASK, vmx_cr4_host_owned());
}

/*
 * Guest state that userspace does not set: as at reset, once, when the
 * VMCS is new; it lives in the VMCS from then on, across runs.
 */
static void vmx_guest_reset(void)
{
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_DR7, X86_DR7_FIXED_1);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ull);
}

/*
 * CR0 bits whose MOV exits: those VMX fixes to 1 (NE), and CD and NW: a
 * guest's CD would make the physical CPU run uncached.  The guest reads
 * its own values from the read shadow.
 */
u64 vmx_cr0_host_owned(void)
{
	return (vmx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG)) |
	       X86_CR0_CD | X86_CR0_NW;
}

/* CR4: the bits VMX fixes (VMXE) and every bit a guest may not set. */
u64 vmx_cr4_host_owned(void)
{
	return vmx_caps.cr4_fixed0 | ~(u64)MICROV_CR4_ALLOWED;
}

/* What the CPU runs with for a guest value of CR0 or CR4. */
u64 vmx_cr0_real(u64 guest)
{
	return (guest & ~(u64)(X86_CR0_CD | X86_CR0_NW)) |
	       (vmx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG));
}

u64 vmx_cr4_real(u64 guest)
{
	return guest | vmx_caps.cr4_fixed0;
}

/* Host state that is the same whatever CPU the VMCS is on. */
static void vmx_host_setup(void)
{
	u64 val;

	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_write(HOST_RIP, (unsigned long)vmx_vmexit);
	rdmsrl(MSR_EFER, val);
	vmcs_write(HOST_IA32_EFER, val);
	rdmsrl(MSR_IA32_CR_PAT, val);
	vmcs_write(HOST_IA32_PAT, val);
	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	vmcs_write(HOST_IA32_SYSENTER_CS, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	vmcs_write(HOST_IA32_SYSENTER_EIP, val);
	microv_count_n(MICROV_INSN_RDMSR, 4);
}

/* Host state of this CPU: per-CPU tables and stacks. */
static void vmx_host_cpu_setup(void)
{
	int cpu = smp_processor_id();
	struct desc_ptr idt;
	u64 val;

	store_idt(&idt);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	vmcs_write(HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	rdmsrl(MSR_GS_BASE, val);
	vmcs_write(HOST_GS_BASE, val);
	rdmsrl(MSR_IA32_SYSENTER_ESP, val);
	vmcs_write(HOST_IA32_SYSENTER_ESP, val);
	microv_count_n(MICROV_INSN_RDMSR, 2);
}

/*
 * Clears @vv's VMCS on this CPU, where it is active: VMCLEAR writes its
 * state back to memory and makes it launchable anywhere.
 */
static void vmx_vmcs_clear_here(struct vmx_vcpu *vv)
{
	vmclear(vv->vmcs);
	list_del(&vv->loaded_link);
	if (this_cpu_read(vmx_current) == vv)
		this_cpu_write(vmx_current, NULL);
	vv->launched = false;
	/* The VMCS is clean before anyone sees it owned by no CPU. */
	smp_wmb();
	WRITE_ONCE(vv->cpu, -1);
}

static void vmx_vmclear_ipi(void *data)
{
	struct vmx_vcpu *vv = data;

	/* The CPU may have cleared it already, going offline. */
	if (READ_ONCE(vv->cpu) == smp_processor_id())
		vmx_vmcs_clear_here(vv);
}

/*
 * Clears the VMCS of @vv wherever it is active (preemptible or not): before
 * it moves to this CPU, and before it is freed.
 */
void vmx_vcpu_clear(struct vmx_vcpu *vv)
{
	int cpu = READ_ONCE(vv->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_vmclear_ipi, vv, 1);
	smp_rmb();
}

/**
 * vmx_vmcs_clear_cpu() - VMCLEAR every VMCS active on this CPU
 *
 * Before VMXOFF (CPU going offline, module unload, reboot): VMXOFF leaves
 * an active VMCS's state in the CPU, where it would be lost.  Preemption
 * off, on the CPU concerned.
 */
void vmx_vmcs_clear_cpu(void)
{
	struct list_head *loaded = this_cpu_ptr(&vmx_loaded);
	struct vmx_vcpu *vv, *tmp;
	unsigned long flags;

	local_irq_save(flags);
	list_for_each_entry_safe(vv, tmp, loaded, loaded_link)
		vmx_vmcs_clear_here(vv);
	local_irq_restore(flags);
}

void vmx_vmcs_init_cpu(void)
{
	INIT_LIST_HEAD(this_cpu_ptr(&vmx_loaded));
}

/*
 * Makes @vv's VMCS current on this CPU (preemption disabled).  A VMCS may
 * be active on one CPU only: if the thread moved, VMCLEAR it on the CPU
 * it left first.
 */
void vmx_vcpu_load(struct vmx_vcpu *vv)
{
	int cpu = smp_processor_id();
	unsigned long flags;

	if (READ_ONCE(vv->cpu) == cpu) {
		if (this_cpu_read(vmx_current) != vv) {
			vmptrld(vv->vmcs);
			this_cpu_write(vmx_current, vv);
		}
		return;
	}
	vmx_vcpu_clear(vv);
	if (!vv->vmcs_setup)
		vmclear(vv->vmcs);
	local_irq_save(flags);
	vmptrld(vv->vmcs);
	this_cpu_write(vmx_current, vv);
	list_add(&vv->loaded_link, this_cpu_ptr(&vmx_loaded));
	WRITE_ONCE(vv->cpu, cpu);
	local_irq_restore(flags);
	if (!vv->vmcs_setup) {
		vmx_controls_setup(vv);
		vmx_host_setup();
		vmx_guest_reset();
		vv->vmcs_setup = true;
	}
	vmx_host_cpu_setup();
	vmx_ept_note_cpu(vv->vcpu->domain);
	/* Translations cached under this VPID on another CPU are stale here. */
	vmx_flush_vpid(vv->vpid);
}

static u32 vmx_ar(const struct microv_segment *s)
{
	if (s->unusable)
		return VMX_AR_UNUSABLE_MASK;
	return s->type | s->s << 4 | s->dpl << 5 | s->present << 7 |
	       s->avl << 12 | s->l << 13 | s->db << 14 | s->g << 15;
}

static void vmx_ar_decode(u32 ar, struct microv_segment *s)
{
	s->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
	s->type = ar & 15;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
}

/* The VMCS fields of one segment register: selector, base, limit, AR. */
static const struct {
	size_t offset;
	u32 selector, base, limit, ar;
} vmx_segs[] = {
#define SEG(f, F) { offsetof(struct microv_sregs, f), GUEST_##F##_SELECTOR, \
		    GUEST_##F##_BASE, GUEST_##F##_LIMIT, GUEST_##F##_AR_BYTES }
	SEG(cs, CS), SEG(ds, DS), SEG(es, ES), SEG(fs, FS), SEG(gs, GS),
	SEG(ss, SS), SEG(tr, TR), SEG(ldt, LDTR),
#undef SEG
};

/* Where each general register of struct microv_regs lives in gprs[]. */
static const struct {
	size_t offset;
	enum vmx_gpr gpr;
} vmx_gpr_map[] = {
#define GPR(r, R) { offsetof(struct microv_regs, r), VMX_##R }
	GPR(rax, RAX), GPR(rbx, RBX), GPR(rcx, RCX), GPR(rdx, RDX),
	GPR(rsi, RSI), GPR(rdi, RDI), GPR(rbp, RBP), GPR(r8, R8),
	GPR(r9, R9), GPR(r10, R10), GPR(r11, R11), GPR(r12, R12),
	GPR(r13, R13), GPR(r14, R14), GPR(r15, R15),
#undef GPR
};

/*
 * The registers userspace set (MICROV_SET_SREGS) into the VMCS, before
 * the next entry; with PAE paging, the PDPTEs read at the start of the
 * run (vmx_read_pdptes()).
 */
void vmx_sregs_load(struct vmx_vcpu *vv)
{
	const struct microv_sregs *s = &vv->vcpu->sregs;
	u32 entry;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_segs); i++) {
		const struct microv_segment *seg = (void *)s + vmx_segs[i].offset;

		vmcs_write(vmx_segs[i].selector, seg->selector);
		vmcs_write(vmx_segs[i].base, seg->base);
		vmcs_write(vmx_segs[i].limit, seg->limit);
		vmcs_write(vmx_segs[i].ar, vmx_ar(seg));
	}
	vmcs_write(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, s->idt.limit);

	vmcs_write(CR0_READ_SHADOW, s->cr0);
	vmcs_write(GUEST_CR0, vmx_cr0_real(s->cr0));
	vmcs_write(CR4_READ_SHADOW, s->cr4);
	vmcs_write(GUEST_CR4, vmx_cr4_real(s->cr4));
	vmcs_write(GUEST_CR3, s->cr3);
	for (i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR0 + 2 * i, vv->pdptes[i]);
	vv->guest_cr2 = s->cr2;
	vmcs_write(GUEST_IA32_EFER, s->efer);
	entry = vmcs_read(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE;
	if (s->efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	vmcs_write(VM_ENTRY_CONTROLS, entry);
}

/* The general registers userspace set (MICROV_SET_REGS), likewise. */
void vmx_regs_load(struct vmx_vcpu *vv)
{
	const struct microv_regs *r = &vv->vcpu->regs;
	int i;

	/*
	 * Moved to another instruction: what was pending after the old one
	 * (a single-step trap, an STI shadow) does not follow it there.
	 */
	if (vmcs_read(GUEST_RIP) != r->rip) {
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
		vmx_end_intr_shadow();
	}
	vmcs_write(GUEST_RIP, r->rip);
	vmcs_write(GUEST_RSP, r->rsp);
	vmcs_write(GUEST_RFLAGS, r->rflags);
	for (i = 0; i < ARRAY_SIZE(vmx_gpr_map); i++)
		vv->gprs[vmx_gpr_map[i].gpr] =
			*(const u64 *)((const void *)r + vmx_gpr_map[i].offset);
}

/* CR0/CR4 as the guest sees them: its own value in the bits the host owns. */
static u64 vmx_guest_cr(unsigned long real, unsigned long shadow, u64 mask)
{
	return (vmcs_read(real) & ~mask) | (vmcs_read(shadow) & mask);
}

/**
 * vmx_paging_snapshot() - the guest's paging registers, CPL and mode
 * @p: out
 *
 * The mode: 16 in real mode, 64 in a 64-bit code segment of long mode,
 * else CS.D.
 */
void vmx_paging_snapshot(struct x86_paging *p)
{
	u32 cs = vmcs_read(GUEST_CS_AR_BYTES);

	p->cr0 = vmx_guest_cr(GUEST_CR0, CR0_READ_SHADOW, vmx_cr0_host_owned());
	p->cr4 = vmx_guest_cr(GUEST_CR4, CR4_READ_SHADOW, vmx_cr4_host_owned());
	p->cr3 = vmcs_read(GUEST_CR3);
	p->efer = vmcs_read(GUEST_IA32_EFER);
	p->cpl = (vmcs_read(GUEST_SS_AR_BYTES) >> 5) & 3;
	if (!(p->cr0 & X86_CR0_PE))
		p->mode = 16;
	else if ((p->efer & EFER_LMA) && (cs & VMX_AR_L_MASK))
		p->mode = 64;
	else
		p->mode = (cs & VMX_AR_DB_MASK) ? 32 : 16;
}

/*
 * The VMCS into the module's special registers: when userspace asks for
 * them (MICROV_GET_SREGS), not at every return from MICROV_RUN.
 */
void vmx_sregs_store(struct vmx_vcpu *vv)
{
	struct microv_sregs *s = &vv->vcpu->sregs;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_segs); i++) {
		struct microv_segment *seg = (void *)s + vmx_segs[i].offset;

		seg->selector = vmcs_read(vmx_segs[i].selector);
		seg->base = vmcs_read(vmx_segs[i].base);
		seg->limit = vmcs_read(vmx_segs[i].limit);
		vmx_ar_decode(vmcs_read(vmx_segs[i].ar), seg);
	}
	s->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_read(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	s->cr0 = vmx_guest_cr(GUEST_CR0, CR0_READ_SHADOW, vmx_cr0_host_owned());
	s->cr4 = vmx_guest_cr(GUEST_CR4, CR4_READ_SHADOW, vmx_cr4_host_owned());
	s->cr3 = vmcs_read(GUEST_CR3);
	s->cr2 = vv->guest_cr2;
	s->efer = vmcs_read(GUEST_IA32_EFER);
}

/* The general registers, as every MICROV_RUN returns. */
void vmx_regs_store(struct vmx_vcpu *vv)
{
	struct microv_regs *r = &vv->vcpu->regs;
	int i;

	r->rip = vmcs_read(GUEST_RIP);
	r->rsp = vmcs_read(GUEST_RSP);
	r->rflags = vmcs_read(GUEST_RFLAGS);
	for (i = 0; i < ARRAY_SIZE(vmx_gpr_map); i++)
		*(u64 *)((void *)r + vmx_gpr_map[i].offset) =
			vv->gprs[vmx_gpr_map[i].gpr];
}
