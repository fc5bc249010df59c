// SPDX-License-Identifier: GPL-2.0
/*
 * Task switches on VMX: every one exits (reason 9, Intel SDM Vol. 3,
 * 26.4.2), and module/x86_task.c carries it out in preemptible context,
 * since it reads and writes guest memory.  An event whose delivery went
 * through a task gate is delivered by the switch, not injected again.
 */
#include <linux/string.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include <asm/vmx.h>

#include "../module/backend.h"
#include "../module/x86.h"
#include "vmcs.h"
#include "vmx.h"

enum vmx_exit_action vmx_exit_task_switch(struct vmx_vcpu *vv)
{
	u32 idt = vmcs_read(IDT_VECTORING_INFO_FIELD);

	/* vmx_event_reinject() queued the event again: the switch is it. */
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	/* An NMI's handler task runs with NMIs blocked, until its IRET. */
	if ((idt & VECTORING_INFO_VALID_MASK) &&
	    (idt & VECTORING_INFO_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   vmcs_read(GUEST_INTERRUPTIBILITY_INFO) |
			   GUEST_INTR_STATE_NMI);
	vv->deferred = VMX_DEFER_TASK_SWITCH;
	return VMX_EXIT_DEFER;
}

static int vmx_task_mem(void *ctx, const struct x86_paging *p, u64 linear,
			void *buf, size_t len, bool write, struct x86_fault *f)
{
	return microv_linear_access(ctx, p, linear, buf, len, write, f);
}

/*
 * What began the switch, from the exit's fields (kept in the VMCS until
 * the next exit): the qualification's selector and source, the event
 * being delivered.  The old task resumes after the instruction (CALL,
 * JMP, IRET, INT n), or at it for a fault or a hardware interrupt.
 *
 * Return: the hardware exception being delivered, or -1.
 */
static int vmx_task_info(struct x86_task_switch *ts)
{
	u64 q = vmcs_read(EXIT_QUALIFICATION);
	u32 idt = vmcs_read(IDT_VECTORING_INFO_FIELD);
	u32 type = idt & VECTORING_INFO_TYPE_MASK;
	bool after = true;
	int first = -1;

	ts->selector = q & 0xffff;
	ts->source = (q >> 30) & 3;
	if (idt & VECTORING_INFO_VALID_MASK) {
		if (type == INTR_TYPE_HARD_EXCEPTION)
			first = idt & VECTORING_INFO_VECTOR_MASK;
		ts->has_error = idt & VECTORING_INFO_DELIVER_CODE_MASK;
		ts->error = vmcs_read(IDT_VECTORING_ERROR_CODE);
		after = type != INTR_TYPE_HARD_EXCEPTION &&
			type != INTR_TYPE_EXT_INTR &&
			type != INTR_TYPE_NMI_INTR;
	}
	ts->return_ip = vmcs_read(GUEST_RIP);
	if (after)
		ts->return_ip += vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	return first;
}

/**
 * vmx_run_task_switch() - carry out VMX_DEFER_TASK_SWITCH
 * @vv: the vCPU, preemptible
 *
 * The registers come out of the VMCS, through x86_task_switch() and
 * back, with the PDPTEs of a new CR3 under PAE paging; a new CR3 flushes
 * the vCPU's VPID, as the load of CR3 flushes a TLB.  A fault while an
 * exception is delivered through a task gate may become #DF, or a triple
 * fault.  Guest memory the guest's page tables do not map gives #PF;
 * memory with no RAM behind it ends the run with an internal error.
 *
 * Return: 0 to enter the guest again, 1 to return to userspace.
 */
int vmx_run_task_switch(struct vmx_vcpu *vv)
{
	struct microv_vcpu *v = vv->vcpu;
	struct x86_task_switch ts = { .mem = vmx_task_mem, .ctx = v };
	const struct microv_sregs *s = &v->sregs;
	u64 cr3, dr7 = vv->guest_dr7, pdptes[4];
	bool pdptes_ok = true;
	struct x86_fault f;
	int i, ret, first;

	vv->deferred = VMX_DEFER_NONE;
	preempt_disable();
	vmx_vcpu_load(vv);
	first = vmx_task_info(&ts);
	vmx_sregs_store(vv);
	vmx_regs_store(vv);
	for (i = 0; i < ARRAY_SIZE(pdptes); i++)
		pdptes[i] = vmcs_read(GUEST_PDPTR0 + 2 * i);
	preempt_enable();

	cr3 = s->cr3;
	ret = x86_task_switch(&ts, &v->sregs, &v->regs, &v->debug, &dr7, &f);
	if (!ret && s->cr3 != cr3 && (s->cr0 & X86_CR0_PG) &&
	    (s->cr4 & X86_CR4_PAE))
		pdptes_ok = vmx_pdptes_read(v, s->cr3, pdptes);
	if (!ret && !pdptes_ok) {
		f.vector = X86_TRAP_GP;
		f.has_error = true;
		f.error = 0;
	}
	if (!ret && first >= 0 && f.vector >= 0 &&
	    x86_fault_during(first, &f)) {
		v->run->exit_reason = MICROV_EXIT_TRIPLE_FAULT;
		ret = 1;
	}

	preempt_disable();
	vmx_vcpu_load(vv);
	if (ret) {
		if (ret < 0)
			vmx_internal_error(vv, MICROV_INTERNAL_UNHANDLED_EXIT);
		vmx_run_store_state(vv);
	} else {
		memcpy(vv->pdptes, pdptes, sizeof(pdptes));
		vmx_sregs_load(vv);
		vmx_regs_load(vv);
		/* A new instruction stream: no shadow, no pending trap. */
		vmx_end_intr_shadow();
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
		vmx_set_dr7(vv, dr7);
		if (s->cr3 != cr3)
			vmx_flush_vpid(vv->vpid);
		if (f.vector >= 0)
			vmx_inject_fault(vv, &f);
	}
	preempt_enable();
	return !!ret;
}
