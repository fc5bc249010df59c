// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs that microv emulates for a guest whatever the backend: those a
 * Linux guest reads before it can take a #GP (verify_cpu and early CPU
 * setup), answered as Xen answers an HVM guest; IA32_APIC_BASE and the
 * x2APIC registers (x86_lapic.c); the MTRRs (x86_mtrr.c); CPUID faulting;
 * and the SYSCALL MSRs, which no VMX control switches: their guest values
 * live here and the backend puts them in the hardware from the first VM
 * entry of a run until the thread leaves the CPU or returns to userspace
 * (x86_syscall_msrs[]).  Documentation/xen-abi.rst has the whole table.
 */
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "domain.h"
#include "x86.h"

const u32 x86_syscall_msrs[X86_NR_SYSCALL_MSRS] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

static int x86_syscall_msr(u32 msr)
{
	int i;

	for (i = 0; i < X86_NR_SYSCALL_MSRS; i++)
		if (x86_syscall_msrs[i] == msr)
			return i;
	return -1;
}

/*
 * IA32_MISC_ENABLE as Xen shows it: the host's, without the performance
 * monitoring and MONITOR/MWAIT it does not virtualise, with BTS, PEBS and
 * xTPR messages unavailable.
 */
static u64 x86_misc_enable(void)
{
	u64 val;

	rdmsrl(MSR_IA32_MISC_ENABLE, val);
	val &= ~(MSR_IA32_MISC_ENABLE_EMON | MSR_IA32_MISC_ENABLE_MWAIT);
	return val | MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |
	       MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |
	       MSR_IA32_MISC_ENABLE_XTPR_DISABLE;
}

/*
 * The guest's MAXPHYADDR: CPUID.80000008H:EAX[7:0], the host's, read once
 * (CPUID may itself exit when the host is a guest).
 */
static unsigned int x86_guest_phys_bits(void)
{
	static unsigned int bits;

	if (!READ_ONCE(bits))
		WRITE_ONCE(bits, cpuid_eax(0x80000008) & 0xff);
	return READ_ONCE(bits);
}

/**
 * x86_cpuid_faults() - does CPUID give this guest a #GP?
 * @v:   the vCPU
 * @cpl: its privilege level
 *
 * CPUID faulting (MSR_MISC_FEATURES_ENABLES bit 0), as Xen offers it to
 * HVM guests: CPUID outside ring 0 is a #GP, for a kernel that emulates
 * it for its processes (Linux's ARCH_SET_CPUID).
 */
bool x86_cpuid_faults(const struct microv_vcpu *v, int cpl)
{
	return cpl > 0 && (READ_ONCE(v->misc_features_enables) &
			   MSR_MISC_FEATURES_ENABLES_CPUID_FAULT);
}

static bool x86_canonical(u64 val)
{
	return (u64)((s64)(val << 16) >> 16) == val;
}

/**
 * x86_msr_read() - RDMSR of an MSR microv emulates
 * @v:   the vCPU
 * @msr: ECX
 * @val: the value, if it is one
 *
 * Return: 0, -EINVAL for a #GP, or -ENOENT if not one of these (the
 * backend decides).
 */
int x86_msr_read(struct microv_vcpu *v, u32 msr, u64 *val)
{
	int i = x86_syscall_msr(msr), ret;

	ret = microv_lapic_msr_read(v, msr, val);
	if (ret != -ENOENT)
		return ret;
	ret = x86_mtrr_read(&v->mtrr, msr, val);
	if (ret != -ENOENT)
		return ret;
	if (i >= 0) {
		*val = v->syscall_msrs[i];
		return 0;
	}
	switch (msr) {
	case MSR_IA32_MISC_ENABLE:
		*val = x86_misc_enable();
		return 0;
	case MSR_PLATFORM_INFO:		/* only: CPUID faulting exists */
		*val = MSR_PLATFORM_INFO_CPUID_FAULT;
		return 0;
	case MSR_MISC_FEATURES_ENABLES:
		*val = v->misc_features_enables;
		return 0;
	case MSR_IA32_FEAT_CTL:		/* locked, nothing enabled: no VMX */
		*val = FEAT_CTL_LOCKED;
		return 0;
	case MSR_IA32_UCODE_REV:	/* no microcode to speak of */
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_PERF_STATUS:	/* no frequency control, no sensors */
	case MSR_IA32_PERF_CTL:
	case MSR_IA32_THERM_STATUS:
		*val = 0;
		return 0;
	default:
		return -ENOENT;
	}
}

/**
 * x86_msr_write() - WRMSR of an MSR microv emulates
 * @v:   the vCPU
 * @msr: ECX
 * @val: EDX:EAX
 *
 * Return: 0, -EINVAL for a #GP, or -ENOENT if not one of these.
 */
int x86_msr_write(struct microv_vcpu *v, u32 msr, u64 val)
{
	int i = x86_syscall_msr(msr), ret;

	ret = microv_lapic_msr_write(v, msr, val);
	if (ret != -ENOENT)
		return ret;
	ret = x86_mtrr_write(&v->mtrr, msr, val, x86_guest_phys_bits());
	if (ret != -ENOENT)
		return ret;
	if (i >= 0) {
		/* The host loads the value: what the CPU refuses is #GP here. */
		if (msr != MSR_STAR && msr != MSR_SYSCALL_MASK &&
		    !x86_canonical(val))
			return -EINVAL;
		if (msr == MSR_SYSCALL_MASK && val >> 32)
			return -EINVAL;
		v->syscall_msrs[i] = val;
		return 0;
	}
	switch (msr) {
	case MSR_IA32_MISC_ENABLE:
		/* As Xen: a write that changes nothing is allowed. */
		return val == x86_misc_enable() ? 0 : -EINVAL;
	case MSR_MISC_FEATURES_ENABLES:
		if (val & ~MSR_MISC_FEATURES_ENABLES_CPUID_FAULT)
			return -EINVAL;
		WRITE_ONCE(v->misc_features_enables, val);
		return 0;
	case MSR_IA32_UCODE_REV:	/* asks the CPU to latch it: a no-op */
	case MSR_IA32_PERF_CTL:		/* as Xen: dropped */
		return 0;
	default:
		return -ENOENT;
	}
}
