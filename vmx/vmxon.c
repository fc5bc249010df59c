// SPDX-License-Identifier: GPL-2.0
/*
 * VMX operation per CPU: VMXON and VMXOFF (Intel SDM Vol. 3, 24.7 and
 * 24.11.5).  Every CPU needs its own VMXON region, allocated for every
 * possible CPU up front so that turning VMX on never allocates and can
 * run with preemption off on the CPU concerned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <asm/asm.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "vmcs.h"
#include "vmx.h"

/**
 * struct vmx_cpu - VMX state of one CPU
 * @vmxon_region: the 4 KiB-aligned VMXON region given to VMXON
 * @vmxon:        this module executed a successful VMXON here
 */
struct vmx_cpu {
	struct page *vmxon_region;
	bool vmxon;
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);

static int vmxon(u64 region_pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[vmfail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (region_pa) : "cc", "memory" : vmfail, fault);
	return 0;
vmfail:
	return -EIO;
fault:
	return -EFAULT;
}

/* VMXOFF outside VMX operation raises #UD; treat that as already off. */
static void vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : fault);
fault:
	return;
}

/*
 * VMPTRST is legal only in VMX operation and #UDs outside it, so it reads
 * back from the CPU itself whether VMXON is in effect.
 */
static bool vmx_in_operation(void)
{
	u64 vmcs_pa;

	asm goto("1: vmptrst %[pa]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : [pa] "=m" (vmcs_pa) : : "memory" : fault);
	return true;
fault:
	return false;
}

/* The VMXON regions of all possible CPUs, with the revision id written. */
int vmx_regions_alloc(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);
		struct page *page;

		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page) {
			vmx_regions_free();
			return -ENOMEM;
		}
		*(u32 *)page_address(page) = vmx_caps.revision;
		vc->vmxon_region = page;
	}
	return 0;
}

void vmx_regions_free(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		if (vc->vmxon_region)
			__free_page(vc->vmxon_region);
		vc->vmxon_region = NULL;
	}
}

/* IA32_FEATURE_CONTROL of this CPU: lock it with VMX allowed if unlocked. */
static int vmx_cpu_feature_control(void)
{
	u64 ctl;

	rdmsrl(MSR_IA32_FEAT_CTL, ctl);
	if (!(ctl & FEAT_CTL_LOCKED)) {
		ctl |= FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
		wrmsrl(MSR_IA32_FEAT_CTL, ctl);
	}
	if (!(ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("CPU %d: VMX is disabled by the firmware (IA32_FEATURE_CONTROL=%#llx)\n",
		       smp_processor_id(), ctl);
		return -EPERM;
	}
	return 0;
}

/*
 * CR0 and CR4 must honour IA32_VMX_CRn_FIXED0 (bits that must be 1) and
 * IA32_VMX_CRn_FIXED1 (bits that may be 1) in VMX operation.
 */
static int vmx_check_fixed(const char *name, unsigned long val,
			   u32 fixed0_msr, u32 fixed1_msr)
{
	u64 fixed0, fixed1;

	rdmsrl(fixed0_msr, fixed0);
	rdmsrl(fixed1_msr, fixed1);
	if ((val & fixed0) == fixed0 && !(val & ~fixed1))
		return 0;
	pr_err("CPU %d: %s=%#lx does not fit VMX's fixed bits (must be 1: %#llx, may be 1: %#llx)\n",
	       smp_processor_id(), name, val, fixed0, fixed1);
	return -EOPNOTSUPP;
}

bool vmx_cpu_in_use(void)
{
	return (cr4_read_shadow() & X86_CR4_VMXE) &&
	       !this_cpu_read(vmx_cpu.vmxon);
}

/**
 * vmx_cpu_enable() - enter VMX root operation on this CPU
 *
 * Called with preemption disabled on the CPU to enable.
 *
 * Return: 0; -EBUSY if another hypervisor holds VMX here; -EPERM if the
 * firmware forbids VMX; -EOPNOTSUPP if CR0/CR4 cannot take VMX's fixed
 * bits; -EIO if VMXON fails.
 */
int vmx_cpu_enable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	int cpu = smp_processor_id();
	int ret;

	if (vc->vmxon)
		return 0;
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err("CPU %d: VMX is already in use (CR4.VMXE is set) by another hypervisor; if it is kvm_intel, unload it, or on Linux 6.12+ load kvm with enable_virt_at_load=0\n",
		       cpu);
		return -EBUSY;
	}
	ret = vmx_cpu_feature_control();
	if (ret)
		return ret;
	ret = vmx_check_fixed("CR0", read_cr0(), MSR_IA32_VMX_CR0_FIXED0,
			      MSR_IA32_VMX_CR0_FIXED1);
	if (!ret)
		ret = vmx_check_fixed("CR4", __read_cr4() | X86_CR4_VMXE,
				      MSR_IA32_VMX_CR4_FIXED0,
				      MSR_IA32_VMX_CR4_FIXED1);
	if (ret)
		return ret;

	cr4_set_bits(X86_CR4_VMXE);
	ret = vmxon(page_to_phys(vc->vmxon_region));
	if (ret) {
		cr4_clear_bits(X86_CR4_VMXE);
		pr_err("CPU %d: VMXON %s\n", cpu,
		       ret == -EFAULT ? "faulted" : "failed (VMfail)");
		return -EIO;
	}
	vc->vmxon = true;
	vmx_vmcs_init_cpu();
	vmx_flush_all_cpu();
	return 0;
}

static void vmx_cpu_off(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	if (!vc->vmxon)
		return;
	vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
	vc->vmxon = false;
}

/*
 * Leave VMX operation on this CPU (preemption disabled); idempotent.  The
 * VMCSs active here are cleared first: VMXOFF would leave their state in
 * the CPU, and their vCPUs must go on on another one.
 */
void vmx_cpu_disable(void)
{
	if (!this_cpu_read(vmx_cpu.vmxon))
		return;
	vmx_vmcs_clear_cpu();
	vmx_cpu_off();
}

/* This module's VMXON is in effect here (bookkeeping; any context). */
bool vmx_cpu_vmxon(void)
{
	return this_cpu_read(vmx_cpu.vmxon);
}

/* Read back from the CPU that VMX operation is on and CR4.VMXE is set. */
bool vmx_cpu_enabled(void)
{
	return this_cpu_read(vmx_cpu.vmxon) &&
	       (__read_cr4() & X86_CR4_VMXE) && vmx_in_operation();
}

/* Crash or emergency reboot (NMI context): INIT is blocked in VMX root. */
void vmx_cpu_emergency_disable(void)
{
	vmx_cpu_off();
}
