/* SPDX-License-Identifier: GPL-2.0 */
/* VMCS field access (Intel SDM Vol. 3, 24.11.2) and the per-vCPU VMX state. */
#ifndef MICROV_VMX_VMCS_H
#define MICROV_VMX_VMCS_H

#include <linux/list.h>
#include <linux/types.h>
#include <asm/vmx.h>

#include "../module/domain.h"
#include "../module/x86.h"

/* Guest general registers in the order vmenter.S loads and saves them. */
enum vmx_gpr {
	VMX_RAX, VMX_RCX, VMX_RDX, VMX_RBX, VMX_RSP, VMX_RBP, VMX_RSI, VMX_RDI,
	VMX_R8, VMX_R9, VMX_R10, VMX_R11, VMX_R12, VMX_R13, VMX_R14, VMX_R15,
	VMX_NR_GPRS
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
 * @fpu:       the guest's XSAVE area, @fpu_size bytes
 * @io_in_size: size of an IN that userspace completes on the next run
 * @pdptes:    the guest's PAE PDPTEs as MICROV_RUN starts (with EPT, VM
 *             entry loads them from the VMCS, not from memory)
 * @deferred:  what the last exit left for preemptible context
 * @deferred_msr, @deferred_val: the WRMSR of VMX_DEFER_WRMSR
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
	void *fpu;
	size_t fpu_size;
	u8 io_in_size;
	u64 pdptes[4];
	enum vmx_deferred {
		VMX_DEFER_NONE,
		VMX_DEFER_HYPERCALL,	/* a VMCALL for the personality */
		VMX_DEFER_WRMSR,	/* a WRMSR to a hypervisor MSR */
	} deferred;
	u32 deferred_msr;
	u64 deferred_val;
};

static inline struct vmx_vcpu *to_vmx(struct microv_vcpu *v)
{
	return v->arch;
}

void vmcs_write(unsigned long field, unsigned long val);
unsigned long vmcs_read(unsigned long field);

/* What an exit handler tells the run loop. */
enum vmx_exit_action {
	VMX_EXIT_CONTINUE,	/* enter the guest again */
	VMX_EXIT_USER,		/* return to userspace; run area filled */
	VMX_EXIT_HALT,		/* sleep until an event, then continue */
	VMX_EXIT_DEFER,		/* vv->deferred: work that may sleep */
};

enum vmx_exit_action vmx_handle_exit(struct vmx_vcpu *vv, u32 reason);
void vmx_inject_exception(struct vmx_vcpu *vv, u8 vector, bool has_code,
			  u32 code);
void vmx_skip_instruction(void);
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
void vmx_state_load(struct vmx_vcpu *vv);
void vmx_state_store(struct vmx_vcpu *vv);
void vmx_flush_vpid(u16 vpid);
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
