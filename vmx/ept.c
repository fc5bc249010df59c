// SPDX-License-Identifier: GPL-2.0
/*
 * EPT (Intel SDM Vol. 3, 29.3): 4-level tables of 4 KiB pages mapping
 * guest-physical memory onto the pinned pages of the domain's slots,
 * write-back, "ignore PAT" so the guest cannot make RAM uncached.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/vmx.h>

#include "vmcs.h"
#include "vmx.h"

#define EPT_LEVELS	4
#define EPT_ENTRIES	512
#define EPT_TABLE	(VMX_EPT_RWX_MASK)	/* a non-leaf entry */
#define EPT_LEAF_WB	((u64)VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT | \
			 VMX_EPT_IPAT_BIT)

struct vmx_ept {
	u64 *root;
};

static struct vmx_ept *to_ept(struct microv_domain *d)
{
	return d->arch;
}

int vmx_ept_init(struct microv_domain *d)
{
	struct vmx_ept *ept = kzalloc(sizeof(*ept), GFP_KERNEL_ACCOUNT);

	if (!ept)
		return -ENOMEM;
	ept->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!ept->root) {
		kfree(ept);
		return -ENOMEM;
	}
	d->arch = ept;
	return 0;
}

static void vmx_ept_free_table(u64 *table, int level)
{
	int i;

	if (level > 1)
		for (i = 0; i < EPT_ENTRIES; i++)
			if (table[i] & VMX_EPT_RWX_MASK)
				vmx_ept_free_table(__va(table[i] & PAGE_MASK),
						   level - 1);
	free_page((unsigned long)table);
}

void vmx_ept_destroy(struct microv_domain *d)
{
	vmx_ept_free_table(to_ept(d)->root, EPT_LEVELS);
	kfree(d->arch);
	d->arch = NULL;
}

u64 vmx_eptp(struct microv_domain *d)
{
	return __pa(to_ept(d)->root) | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB;
}

/* The level-1 entry for @gpa, allocating tables on the way if @alloc. */
static u64 *vmx_ept_pte(struct vmx_ept *ept, u64 gpa, bool alloc)
{
	u64 *table = ept->root;
	int level;

	for (level = EPT_LEVELS; level > 1; level--) {
		u64 *entry = &table[(gpa >> (12 + 9 * (level - 1))) & 511];

		if (!(*entry & VMX_EPT_RWX_MASK)) {
			void *next;

			if (!alloc)
				return NULL;
			next = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!next)
				return NULL;
			*entry = __pa(next) | EPT_TABLE;
		}
		table = __va(*entry & PAGE_MASK);
	}
	return &table[(gpa >> 12) & 511];
}

int vmx_ept_map(struct microv_domain *d, u64 gpa, struct page **pages,
		u64 npages, bool writable)
{
	u64 perm = VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK |
		   (writable ? VMX_EPT_WRITABLE_MASK : 0);
	u64 i;

	for (i = 0; i < npages; i++) {
		u64 *pte = vmx_ept_pte(to_ept(d), gpa + (i << PAGE_SHIFT), true);

		if (!pte)
			return -ENOMEM;
		*pte = page_to_phys(pages[i]) | perm | EPT_LEAF_WB;
	}
	return 0;
}

static void vmx_invept_ipi(void *eptp)
{
	struct { u64 eptp, reserved; } desc = { *(u64 *)eptp, 0 };
	u64 type = VMX_EPT_EXTENT_CONTEXT;

	if (!(vmx_caps.ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT_BIT))
		type = VMX_EPT_EXTENT_GLOBAL;
	asm volatile("invept %0, %1" : : "m" (desc), "r" (type) : "cc", "memory");
}

/*
 * Unmaps a range (tables stay until the domain dies) and flushes the
 * translations every CPU may have cached for this EPT.
 */
void vmx_ept_unmap(struct microv_domain *d, u64 gpa, u64 npages)
{
	u64 eptp = vmx_eptp(d);
	u64 i;

	for (i = 0; i < npages; i++) {
		u64 *pte = vmx_ept_pte(to_ept(d), gpa + (i << PAGE_SHIFT), false);

		if (pte)
			*pte = 0;
	}
	on_each_cpu(vmx_invept_ipi, &eptp, 1);
}
