/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Vendor-neutral x86 policy that every backend's exit handlers call: what
 * CPUID says to a guest and which MSRs a guest may touch.
 */
#ifndef MICROV_X86_H
#define MICROV_X86_H

#include <linux/types.h>

struct microv_vcpu;

struct microv_cpuid {
	u32 eax, ebx, ecx, edx;
};

void microv_cpuid(const struct microv_vcpu *v, u32 leaf, u32 subleaf,
		  u64 guest_cr4, struct microv_cpuid *out);

#endif /* MICROV_X86_H */
