// SPDX-License-Identifier: GPL-2.0
/*
 * Events into the guest (Intel SDM Vol. 3, 27.6 and 28.2.4): an event
 * whose delivery a VM exit interrupted is delivered again on the next
 * entry, and the personality's upcall or the local APIC's interrupt is
 * injected as an external interrupt once the guest can take one
 * (RFLAGS.IF set, no STI or MOV SS blocking, nothing else being
 * injected), with an interrupt-window exit asked for until then.
 */
#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "../module/backend.h"
#include "vmcs.h"

/* Right after an exit, with the VMCS loaded. */
void vmx_event_reinject(void)
{
	u32 info = vmcs_read(IDT_VECTORING_INFO_FIELD), type;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	type = info & VECTORING_INFO_TYPE_MASK;
	/* Bit 12 is undefined here and reserved in the entry field. */
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_UNBLOCK_NMI);
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE,
			   vmcs_read(IDT_VECTORING_ERROR_CODE));
	/* Software events are delivered with their instruction's length. */
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN,
			   vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

/*
 * The vector to present next: the personality's upcall (delivered as Xen
 * delivers its callback vector, past the APIC) or the APIC's own, the
 * higher first, as the APIC orders interrupts by vector.
 */
static int vmx_event_next(struct vmx_vcpu *vv, bool *from_lapic)
{
	int upcall = microv_hv_upcall_vector(vv->vcpu);
	int lapic = x86_lapic_pending(&vv->vcpu->lapic);

	*from_lapic = lapic > upcall;
	return *from_lapic ? lapic : upcall;
}

/* Before an entry, preemption off, the vCPU marked in the guest. */
void vmx_event_inject(struct vmx_vcpu *vv)
{
	u32 ctl = vv->proc_ctl;
	u32 want = ctl & ~CPU_BASED_INTR_WINDOW_EXITING;
	bool from_lapic;
	int vector = vmx_event_next(vv, &from_lapic);

	if (vector > 0) {
		/*
		 * A pending debug trap comes first (it exits: #DB); an
		 * injected interrupt would make VM entry drop it.
		 */
		if (!(vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK) &&
		    !(vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) &
		      VMX_PENDING_DBG_VALID) &&
		    (vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
		    !(vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & VMX_INTR_SHADOW)) {
			vmcs_write(VM_ENTRY_INTR_INFO_FIELD, vector |
				   INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
			if (from_lapic)
				x86_lapic_accept(&vv->vcpu->lapic, vector);
		} else {
			want |= CPU_BASED_INTR_WINDOW_EXITING;
		}
	}
	if (want != ctl) {
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, want);
		vv->proc_ctl = want;
	}
}
