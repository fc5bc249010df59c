/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Vendor-neutral x86 logic that every backend's exit handlers call: what
 * CPUID says to a guest, the MSRs and local APIC microv emulates, and the
 * guest page walk.
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

/* LVT timer, thermal, performance counters, LINT0, LINT1, error. */
#define X86_LAPIC_NR_LVT	6

/**
 * struct x86_lapic - a vCPU's local APIC, x2APIC mode (x86_lapic.c)
 * @apic_base: IA32_APIC_BASE
 * @icr:       the last ICR written
 * @id:        x2APIC id
 * @tpr, @svr: task priority, spurious-interrupt vector registers
 * @lvt:       LVT timer to LVT error; @lvt_cmci the CMCI one
 * @timer_icr, @timer_dcr: the timer's initial count and divide registers
 * @irr, @isr: requested and in-service vectors, 256 bits each
 */
struct x86_lapic {
	u64 apic_base;
	u64 icr;
	u32 id, tpr, svr;
	u32 lvt[X86_LAPIC_NR_LVT];
	u32 lvt_cmci;
	u32 timer_icr, timer_dcr;
	u64 irr[4], isr[4];
};

void x86_lapic_init(struct x86_lapic *l, u32 id);
int x86_lapic_msr_read(struct x86_lapic *l, u32 msr, u64 *val);
int x86_lapic_msr_write(struct x86_lapic *l, u32 msr, u64 val);
int x86_lapic_pending(const struct x86_lapic *l);
void x86_lapic_accept(struct x86_lapic *l, u8 vector);

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
