/* SPDX-License-Identifier: GPL-2.0 */
/* Intel VMX backend: internal declarations shared by the files of vmx/. */
#ifndef MICROV_VMX_H
#define MICROV_VMX_H

#include <linux/types.h>

/*
 * IA32_VMX_BASIC fields (Intel SDM Vol. 3, Appendix A.1).  Spelled out
 * here (and IA32_VMX_MISC's, A.6) because the kernel's own names for
 * them changed between 6.1 and 6.12.
 */
#define VMX_BASIC_REVISION_MASK		0x7fffffffULL
#define VMX_BASIC_REGION_SIZE_SHIFT	32
#define VMX_BASIC_REGION_SIZE_MASK	0x1fffULL
#define VMX_BASIC_PHYS_32BIT		BIT_ULL(48)
#define VMX_BASIC_MEMTYPE_SHIFT		50
#define VMX_BASIC_MEMTYPE_MASK		0xfULL
#define VMX_BASIC_MEMTYPE_WB		6
#define VMX_BASIC_HAS_TRUE_CTLS		BIT_ULL(55)

/* IA32_VMX_MISC bits 4:0: the preemption timer ticks every 2^n TSC ticks. */
#define VMX_MISC_TIMER_RATE_MASK	0x1fULL

/**
 * struct vmx_caps - VMX capabilities read once from the boot CPU
 * @basic:        IA32_VMX_BASIC
 * @revision:     VMCS revision identifier (bits 30:0 of @basic)
 * @region_size:  bytes of a VMXON region / VMCS
 * @pin_allowed1: allowed-1 settings of the pin-based controls
 * @proc_allowed1: allowed-1 settings of the primary processor-based controls
 * @proc2_allowed1: allowed-1 settings of the secondary controls
 * @ept_vpid_cap: IA32_VMX_EPT_VPID_CAP
 * @cr0_fixed0, @cr4_fixed0: CR bits that must be 1 in VMX operation
 */
struct vmx_caps {
	u64 basic;
	u32 revision;
	u32 region_size;
	u32 pin_allowed1;
	u32 proc_allowed1;
	u32 proc2_allowed1;
	u64 ept_vpid_cap;
	u64 cr0_fixed0, cr4_fixed0;
};

extern struct vmx_caps vmx_caps;

int vmx_caps_read(void);
u64 vmx_caps_features(void);

int vmx_regions_alloc(void);
void vmx_regions_free(void);

int vmx_cpu_enable(void);
void vmx_cpu_disable(void);
bool vmx_cpu_enabled(void);
bool vmx_cpu_in_use(void);
bool vmx_cpu_vmxon(void);
void vmx_cpu_emergency_disable(void);

struct page;
extern struct page *vmx_msr_bitmap;
extern struct page *vmx_io_bitmaps;
int vmx_run_setup(void);
void vmx_run_unsetup(void);

#endif /* MICROV_VMX_H */
