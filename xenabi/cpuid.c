// SPDX-License-Identifier: GPL-2.0
/*
 * Xen's CPUID leaves at 0x40000000 (xen/arch-x86/cpuid.h): the signature
 * a guest looks for, the version, where the hypercall page comes from, and
 * the TSC's scale, and the HVM leaf with the vCPU id, the domid and the
 * per-vCPU upcall vector.
 */
#include "xenabi.h"

/* 0x40000000-0x400000ff: Xen's range; leaves past the last are zeros. */
#define XENABI_CPUID_RANGE_END	(XEN_CPUID_FIRST_LEAF + 0x100)

/* Leaf 3, sub-leaf 0 (arch-x86/cpuid.h spells these out in prose only). */
#define XENABI_TSC_RELIABLE	(1u << 1)	/* EAX: host TSC reliable */
#define XENABI_TSC_NEVER_EMULATE 2		/* EBX: tsc_mode */

/* The time leaf: the TSC is never emulated, and how it scales to ns. */
static void xen_cpuid_time(struct xen_vcpu *v, u32 subleaf, u32 out[4])
{
	const struct xen_domain *d = v->domain;

	switch (subleaf) {
	case 0:
		out[0] = d->tsc_stable ? XENABI_TSC_RELIABLE : 0;
		out[1] = XENABI_TSC_NEVER_EMULATE;
		out[2] = d->tsc_khz;
		break;
	case 1:
		out[2] = d->tsc_mul;
		out[3] = (u32)(s32)d->tsc_shift;
		break;
	case 2:
		out[0] = d->tsc_khz;
		break;
	}
}

/**
 * xen_cpuid() - answer a CPUID leaf of the hypervisor range
 * @v:       the vCPU asking
 * @leaf:    EAX
 * @subleaf: ECX
 * @out:     EAX, EBX, ECX, EDX
 *
 * Return: false if @leaf is not in Xen's range (the caller answers it).
 */
bool xen_cpuid(struct xen_vcpu *v, u32 leaf, u32 subleaf, u32 out[4])
{
	if (leaf < XEN_CPUID_FIRST_LEAF || leaf >= XENABI_CPUID_RANGE_END)
		return false;
	memset(out, 0, 4 * sizeof(*out));

	switch (leaf - XEN_CPUID_FIRST_LEAF) {
	case 0:
		out[0] = XEN_CPUID_LEAF(XENABI_CPUID_LEAVES - 1);
		out[1] = XEN_CPUID_SIGNATURE_EBX;
		out[2] = XEN_CPUID_SIGNATURE_ECX;
		out[3] = XEN_CPUID_SIGNATURE_EDX;
		break;
	case 1:
		out[0] = XENABI_VERSION_MAJOR << 16 | XENABI_VERSION_MINOR;
		break;
	case 2:
		out[0] = 1;			/* hypercall pages */
		out[1] = XENABI_HYPERCALL_MSR;
		break;
	case 3:
		xen_cpuid_time(v, subleaf, out);
		break;
	case 4:
		out[0] = XEN_HVM_CPUID_VCPU_ID_PRESENT |
			 XEN_HVM_CPUID_DOMID_PRESENT |
			 XEN_HVM_CPUID_UPCALL_VECTOR;
		out[1] = v->vcpu_id;
		out[2] = v->domain->domid;
		break;
	default:
		break;
	}
	return true;
}
