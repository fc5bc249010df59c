// SPDX-License-Identifier: GPL-2.0
/*
 * Probe the boot CPU for VMX and for the features microv needs to run
 * guests: EPT with 4-level walks and write-back paging structures, and
 * unrestricted guest (guests start in real mode or in the flat 32-bit
 * PVH entry state, with paging off).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/vmx.h>

#include <uapi/linux/microv.h>
#include "vmx.h"

struct vmx_caps vmx_caps;

/* Allowed-1 settings are the high half of a VMX control capability MSR. */
static u32 vmx_allowed1(u32 msr)
{
	u64 val;

	rdmsrl(msr, val);
	return val >> 32;
}

static int vmx_check_cpuid(void)
{
	if (cpuid_ecx(1) & BIT(X86_FEATURE_VMX & 31))
		return 0;

	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON)
		pr_err("no Intel VMX: this is an AMD CPU and microv has no AMD-V (SVM) backend yet\n");
	else
		pr_err("no Intel VMX: CPUID.1:ECX.VMX[bit 5] is 0 (no VT-x, or a hypervisor hides it)\n");
	return -ENODEV;
}

/*
 * IA32_FEATURE_CONTROL: locked with "VMX outside SMX" clear means the
 * firmware forbids VMX until the next reset.  An unlocked MSR is set and
 * locked per CPU in vmx_cpu_enable(), as KVM does.
 */
static int vmx_check_feature_control(void)
{
	u64 ctl;

	rdmsrl(MSR_IA32_FEAT_CTL, ctl);
	if ((ctl & FEAT_CTL_LOCKED) &&
	    !(ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX is disabled by the firmware (IA32_FEATURE_CONTROL=%#llx is locked without VMX outside SMX); enable VT-x in the firmware setup\n",
		       ctl);
		return -EPERM;
	}
	return 0;
}

static int vmx_check_basic(void)
{
	u64 basic;
	u32 memtype;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	vmx_caps.basic = basic;
	vmx_caps.revision = basic & VMX_BASIC_REVISION_MASK;
	vmx_caps.region_size = (basic >> VMX_BASIC_REGION_SIZE_SHIFT) &
			       VMX_BASIC_REGION_SIZE_MASK;
	memtype = (basic >> VMX_BASIC_MEMTYPE_SHIFT) & VMX_BASIC_MEMTYPE_MASK;

	if (!vmx_caps.region_size || vmx_caps.region_size > PAGE_SIZE) {
		pr_err("IA32_VMX_BASIC=%#llx reports a VMXON region of %u bytes; microv supports 1..%lu\n",
		       basic, vmx_caps.region_size, PAGE_SIZE);
		return -EOPNOTSUPP;
	}
	if (basic & VMX_BASIC_PHYS_32BIT) {
		pr_err("IA32_VMX_BASIC=%#llx limits VMX structures to 32-bit physical addresses; not supported\n",
		       basic);
		return -EOPNOTSUPP;
	}
	if (memtype != VMX_BASIC_MEMTYPE_WB) {
		pr_err("IA32_VMX_BASIC=%#llx: VMX structures are not write-back memory (type %u); not supported\n",
		       basic, memtype);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void vmx_read_controls(void)
{
	bool true_ctls = vmx_caps.basic & VMX_BASIC_HAS_TRUE_CTLS;

	vmx_caps.pin_allowed1 = vmx_allowed1(true_ctls ?
		MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	vmx_caps.proc_allowed1 = vmx_allowed1(true_ctls ?
		MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	vmx_caps.proc2_allowed1 = 0;
	if (vmx_caps.proc_allowed1 & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		vmx_caps.proc2_allowed1 =
			vmx_allowed1(MSR_IA32_VMX_PROCBASED_CTLS2);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, vmx_caps.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, vmx_caps.cr4_fixed0);
	vmx_caps.ept_vpid_cap = 0;
	if (vmx_caps.proc2_allowed1 &
	    (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
		rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, vmx_caps.ept_vpid_cap);
}

/*
 * The exits that keep the host's own CPU state out of the guest's hands
 * (Documentation/security.rst): never run a guest without them.
 */
#define VMX_PROC_REQUIRED (CPU_BASED_CR8_LOAD_EXITING | \
			   CPU_BASED_CR8_STORE_EXITING | \
			   CPU_BASED_MOV_DR_EXITING | CPU_BASED_RDPMC_EXITING)

/* What microv cannot run guests without, and why it is needed. */
static int vmx_check_required(void)
{
	const char *missing = NULL;

	if (!(vmx_caps.proc2_allowed1 & SECONDARY_EXEC_ENABLE_EPT))
		missing = "EPT";
	else if (!(vmx_caps.ept_vpid_cap & VMX_EPT_PAGE_WALK_4_BIT))
		missing = "EPT 4-level page walk";
	else if (!(vmx_caps.ept_vpid_cap & VMX_EPTP_WB_BIT))
		missing = "EPT write-back paging structures";
	else if (!(vmx_caps.ept_vpid_cap & VMX_EPT_INVEPT_BIT) ||
		 !(vmx_caps.ept_vpid_cap & VMX_EPT_EXTENT_GLOBAL_BIT))
		missing = "INVEPT, all-context";
	else if (!(vmx_caps.proc2_allowed1 &
		   SECONDARY_EXEC_UNRESTRICTED_GUEST))
		missing = "unrestricted guest";
	else if ((vmx_caps.proc_allowed1 & VMX_PROC_REQUIRED) !=
		 VMX_PROC_REQUIRED)
		missing = "CR8, MOV-DR or RDPMC exiting";
	else if (!(vmx_caps.proc2_allowed1 & SECONDARY_EXEC_WBINVD_EXITING))
		missing = "WBINVD exiting";

	if (!missing)
		return 0;
	pr_err("VMX lacks %s, which microv needs to run guests (controls %#x, secondary controls %#x, EPT/VPID caps %#llx)\n",
	       missing, vmx_caps.proc_allowed1, vmx_caps.proc2_allowed1,
	       vmx_caps.ept_vpid_cap);
	return -EOPNOTSUPP;
}

/**
 * vmx_caps_read() - probe the boot CPU and fill vmx_caps
 *
 * Return: 0, or -ENODEV (no VMX), -EPERM (disabled by firmware),
 * -EOPNOTSUPP (VMX lacks something microv needs); one log line says which.
 */
int vmx_caps_read(void)
{
	int ret;

	ret = vmx_check_cpuid();
	if (!ret)
		ret = vmx_check_feature_control();
	if (!ret)
		ret = vmx_check_basic();
	if (ret)
		return ret;
	vmx_read_controls();
	return vmx_check_required();
}

/* The uapi feature bits that the probed capabilities translate to. */
u64 vmx_caps_features(void)
{
	u64 f = MICROV_FEATURE_EPT | MICROV_FEATURE_UNRESTRICTED_GUEST;
	u64 ept = vmx_caps.ept_vpid_cap;

	if ((vmx_caps.proc2_allowed1 & SECONDARY_EXEC_ENABLE_VPID) &&
	    (ept & ((u64)VMX_VPID_INVVPID_BIT << 32)))
		f |= MICROV_FEATURE_VPID;
	if (vmx_caps.pin_allowed1 & PIN_BASED_VMX_PREEMPTION_TIMER)
		f |= MICROV_FEATURE_PREEMPTION_TIMER;
	if (vmx_caps.pin_allowed1 & PIN_BASED_POSTED_INTR)
		f |= MICROV_FEATURE_POSTED_INTR;
	if (ept & VMX_EPT_AD_BIT)
		f |= MICROV_FEATURE_EPT_AD;
	if (ept & VMX_EPT_1GB_PAGE_BIT)
		f |= MICROV_FEATURE_EPT_1GB;
	return f;
}
