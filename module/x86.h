/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Vendor-neutral x86 logic that every backend's exit handlers call: what
 * CPUID says to a guest, and the guest page walk.
 */
#ifndef MICROV_X86_H
#define MICROV_X86_H

#include <linux/types.h>

struct microv_vcpu;

struct microv_cpuid {
	u32 eax, ebx, ecx, edx;
};

void microv_cpuid(struct microv_vcpu *v, u32 leaf, u32 subleaf,
		  u64 guest_cr4, struct microv_cpuid *out);

/* STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE: switched around VM entry. */
#define X86_NR_SYSCALL_MSRS	5
extern const u32 x86_syscall_msrs[X86_NR_SYSCALL_MSRS];

int x86_msr_read(struct microv_vcpu *v, u32 msr, u64 *val);
int x86_msr_write(struct microv_vcpu *v, u32 msr, u64 val);

/**
 * struct x86_paging - what decides how a guest translates and runs
 * @cr0, @cr3, @cr4, @efer: its control registers
 * @cpl:  its current privilege level (SS.DPL)
 * @mode: 16, 32 or 64: its code size (CR0.PE, EFER.LMA, CS.L, CS.D)
 */
struct x86_paging {
	u64 cr0, cr3, cr4, efer;
	int cpl;
	int mode;
};

/**
 * struct x86_walk - a guest page walk
 * @paging:   the guest's registers
 * @read_gpa: reads guest-physical memory; 0 or -EFAULT
 * @ctx:      for @read_gpa
 */
struct x86_walk {
	struct x86_paging paging;
	int (*read_gpa)(void *ctx, u64 gpa, void *buf, size_t len);
	void *ctx;
};

int x86_gva_to_gpa(const struct x86_walk *w, u64 gva, bool write, u64 *gpa);

#endif /* MICROV_X86_H */
