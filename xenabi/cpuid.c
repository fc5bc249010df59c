// SPDX-License-Identifier: GPL-2.0
/*
 * Xen's CPUID leaves at 0x40000000 (xen/arch-x86/cpuid.h): the signature
 * a guest looks for, the version, where the hypercall page comes from, and
 * the HVM leaf with the vCPU id and the domid.
 */
#include "xenabi.h"

/* 0x40000000-0x400000ff: Xen's range; leaves past the last are zeros. */
#define XENABI_CPUID_RANGE_END	(XEN_CPUID_FIRST_LEAF + 0x100)

/**
 * xen_cpuid() - answer a CPUID leaf of the hypervisor range
 * @v:       the vCPU asking
 * @leaf:    EAX
 * @out:     EAX, EBX, ECX, EDX
 *
 * Return: false if @leaf is not in Xen's range (the caller answers it).
 */
bool xen_cpuid(struct xen_vcpu *v, u32 leaf, u32 out[4])
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
	case 4:
		out[0] = XEN_HVM_CPUID_VCPU_ID_PRESENT |
			 XEN_HVM_CPUID_DOMID_PRESENT;
		out[1] = v->vcpu_id;
		out[2] = v->domain->domid;
		break;
	default:
		/* Leaf 3 (time) is not offered yet: zeros. */
		break;
	}
	return true;
}
