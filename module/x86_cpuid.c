// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as a guest sees it: the host's leaves, less what microv does not
 * virtualise, plus the hypervisor bit.  Leaves 0x40000000-0x4fffffff are
 * the hypervisor's own: the Xen personality answers its range there.
 */
#include <asm/cpufeatures.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "domain.h"
#include "x86.h"

#define F(feature)	BIT((X86_FEATURE_##feature) & 31)

/*
 * CPUID.1 bits a guest must not see: no VMX/SMX, no MONITOR/MWAIT (they
 * #UD), no performance or debug-store machinery; and what microv does not
 * emulate: machine checks.  The local APIC is there, x2APIC and xAPIC,
 * with its TSC-deadline timer (x86_lapic.c); so are the MTRRs.
 */
#define LEAF1_ECX_HIDDEN (F(VMX) | F(SMX) | F(MWAIT) | F(PDCM) | F(DTES64) | \
			  F(DSCPL) | F(EST) | F(TM2) | F(XTPR))
#define LEAF1_EDX_HIDDEN (F(ACPI) | F(ACC) | F(PBE) | F(DS) | \
			  F(MCE) | F(MCA))

/*
 * CPUID.7.0: MSRs and instructions microv does not virtualise (TSC_ADJUST,
 * INVPCID and RDPID without their VMX controls, RDT, PT, WAITPKG, bus-lock
 * detection, the speculation-control MSRs and ARCH_CAPABILITIES), and
 * every feature whose CR4 enable bit a guest may not set
 * (MICROV_CR4_ALLOWED: PKU, LA57, CET, PKS), nor MPX or AMX.
 */
#define LEAF7_EBX_HIDDEN (F(TSC_ADJUST) | F(INVPCID) | F(CQM) | F(RDT_A) | \
			  F(INTEL_PT) | F(MPX))
#define LEAF7_ECX_CET_SS	BIT(7)		/* shadow stacks: CR4.CET */
#define LEAF7_ECX_PKS		BIT(31)		/* supervisor keys: CR4.PKS */
#define LEAF7_ECX_HIDDEN (F(WAITPKG) | F(RDPID) | F(BUS_LOCK_DETECT) | \
			  F(PKU) | F(OSPKE) | F(LA57) | LEAF7_ECX_CET_SS | \
			  LEAF7_ECX_PKS)
#define LEAF7_EDX_HIDDEN (F(SPEC_CTRL) | F(INTEL_STIBP) | F(FLUSH_L1D) | \
			  F(ARCH_CAPABILITIES) | F(CORE_CAPABILITIES) | \
			  F(SPEC_CTRL_SSBD) | F(AMX_BF16) | F(AMX_TILE) | \
			  F(AMX_INT8) | F(IBT))

/**
 * microv_cpuid() - the guest's view of CPUID
 * @v:         the vCPU asking (its id is its APIC id)
 * @leaf:      EAX
 * @subleaf:   ECX
 * @guest_cr4: the guest's CR4, for OSXSAVE
 * @out:       the four registers
 */
void microv_cpuid(struct microv_vcpu *v, u32 leaf, u32 subleaf,
		  u64 guest_cr4, struct microv_cpuid *out)
{
	u32 max_basic = cpuid_eax(0);
	u32 regs[4];

	memset(out, 0, sizeof(*out));
	if (leaf >= 0x40000000 && leaf <= 0x4fffffff) {
		if (xen_cpuid(&v->xen, leaf, subleaf, regs)) {
			out->eax = regs[0];
			out->ebx = regs[1];
			out->ecx = regs[2];
			out->edx = regs[3];
		}
		return;
	}
	if (leaf < 0x80000000 && leaf > max_basic)
		return;
	cpuid_count(leaf, subleaf, &out->eax, &out->ebx, &out->ecx, &out->edx);

	switch (leaf) {
	case 1:
		out->ecx &= ~LEAF1_ECX_HIDDEN;
		out->ecx |= F(HYPERVISOR);
		out->ecx &= ~F(OSXSAVE);
		if (guest_cr4 & X86_CR4_OSXSAVE)
			out->ecx |= F(OSXSAVE);
		/* Emulated whatever the host has (x86_lapic.c). */
		out->ecx |= F(X2APIC) | F(TSC_DEADLINE_TIMER);
		out->edx &= ~LEAF1_EDX_HIDDEN;
		out->edx |= F(APIC);
		/* Initial APIC id in bits 31:24; one logical CPU per package. */
		out->ebx = (out->ebx & 0xffff) | (v->id << 24) | (1 << 16);
		break;
	case 0xb:	/* x2APIC topology: one thread, one core per package */
	case 0x1f:
		out->eax = 0;
		out->ebx = subleaf < 2 ? 1 : 0;
		out->ecx = subleaf < 2 ? (subleaf + 1) << 8 | subleaf : subleaf;
		out->edx = v->id;
		break;
	case 7:
		if (subleaf == 0) {
			out->ebx &= ~LEAF7_EBX_HIDDEN;
			out->ecx &= ~LEAF7_ECX_HIDDEN;
			out->edx &= ~LEAF7_EDX_HIDDEN;
		}
		break;
	case 0xd: {
		/* Only the components XSETBV lets it enable (x86_xsave.c). */
		u64 ok = x86_xcr0_guest_supported(x86_host_xcr0);

		if (subleaf == 0) {
			out->eax &= ok;
			out->edx = 0;
		} else if (subleaf == 1) {
			out->eax &= ~F(XSAVES);	/* needs its VMX control */
		} else if (subleaf < 64 && !(ok & BIT_ULL(subleaf))) {
			memset(out, 0, sizeof(*out));
		}
		break;
	}
	case 0x80000001:
		out->edx &= ~F(RDTSCP);		/* and TSC_AUX switching */
		break;
	case 5:		/* MONITOR/MWAIT */
	case 6:		/* thermal and power */
	case 0xa:	/* architectural PMU */
		memset(out, 0, sizeof(*out));
		break;
	}
}
