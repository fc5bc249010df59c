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
#include <asm/asm.h>
#include <asm/vmx.h>

#include "vmcs.h"
#include "vmx.h"

#define EPT_LEVELS	4
#define EPT_ENTRIES	512
#define EPT_TABLE	(VMX_EPT_RWX_MASK)	/* a non-leaf entry */
#define EPT_LEAF_WB	((u64)VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT | \
			 VMX_EPT_IPAT_BIT)

/**
 * struct vmx_ept - a domain's EPT
 * @root:   the PML4 table
 * @cpus:   CPUs that ran one of its vCPUs: their TLBs may hold its
 *          translations, and only they are asked to flush them
 * @tables: table pages, the root included
 */
struct vmx_ept {
	u64 *root;
	cpumask_var_t cpus;
	unsigned long tables;
};

/* EPT table pages of all domains: sysfs table_pages. */
static atomic64_t vmx_ept_tables = ATOMIC64_INIT(0);

u64 vmx_ept_table_pages(void)
{
	return atomic64_read(&vmx_ept_tables);
}

static struct vmx_ept *to_ept(struct microv_domain *d)
{
	return d->arch;
}

static u64 *vmx_ept_table_alloc(struct vmx_ept *ept)
{
	u64 *table = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (table) {
		ept->tables++;
		atomic64_inc(&vmx_ept_tables);
	}
	return table;
}

static void vmx_ept_table_free(struct vmx_ept *ept, u64 *table)
{
	ept->tables--;
	atomic64_dec(&vmx_ept_tables);
	free_page((unsigned long)table);
}

int vmx_ept_init(struct microv_domain *d)
{
	struct vmx_ept *ept = kzalloc(sizeof(*ept), GFP_KERNEL_ACCOUNT);

	if (!ept)
		return -ENOMEM;
	if (!zalloc_cpumask_var(&ept->cpus, GFP_KERNEL_ACCOUNT)) {
		kfree(ept);
		return -ENOMEM;
	}
	ept->root = vmx_ept_table_alloc(ept);
	if (!ept->root) {
		free_cpumask_var(ept->cpus);
		kfree(ept);
		return -ENOMEM;
	}
	d->arch = ept;
	return 0;
}

/* A vCPU of @d is loaded on this CPU: it may cache @d's translations. */
void vmx_ept_note_cpu(struct microv_domain *d)
{
	struct vmx_ept *ept = to_ept(d);
	int cpu = smp_processor_id();

	if (!cpumask_test_cpu(cpu, ept->cpus))
		cpumask_set_cpu(cpu, ept->cpus);
}

static void vmx_invept(u64 type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };

	asm goto("1: invept %0, %1\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : "m" (desc), "r" (type) : "cc", "memory" : fault);
	return;
fault:
	vmx_insn_fault("INVEPT");
}

/* A CPU that left VMX operation (going offline) flushes when it is back. */
static void vmx_invept_ipi(void *eptp)
{
	u64 type = VMX_EPT_EXTENT_CONTEXT;

	if (!vmx_cpu_vmxon())
		return;
	if (!(vmx_caps.ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT_BIT))
		type = VMX_EPT_EXTENT_GLOBAL;
	vmx_invept(type, *(u64 *)eptp);
}

/*
 * Every translation derived from @d's EPT leaves every TLB that may hold
 * one, before the caller frees a page or table they could lead to.
 */
static void vmx_ept_flush(struct microv_domain *d)
{
	u64 eptp = vmx_eptp(d);

	/* The entries cleared before the CPUs that may cache them are read. */
	smp_mb();
	on_each_cpu_mask(to_ept(d)->cpus, vmx_invept_ipi, &eptp, 1);
}

/**
 * vmx_flush_all_cpu() - forget every guest translation on this CPU
 *
 * Right after VMXON: while the CPU was out of VMX operation (offline) it
 * took no flush request, and an EPT root freed meanwhile may come back as
 * another domain's.
 */
void vmx_flush_all_cpu(void)
{
	vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);	/* required at load */
	vmx_flush_vpid_all();
}

static void vmx_ept_free_table(struct vmx_ept *ept, u64 *table, int level)
{
	int i;

	if (level > 1)
		for (i = 0; i < EPT_ENTRIES; i++)
			if (table[i] & VMX_EPT_RWX_MASK)
				vmx_ept_free_table(ept, __va(table[i] & PAGE_MASK),
						   level - 1);
	vmx_ept_table_free(ept, table);
}

/* No vCPU is left: flushed first, the tables and the pages can go. */
void vmx_ept_destroy(struct microv_domain *d)
{
	struct vmx_ept *ept = to_ept(d);

	vmx_ept_flush(d);
	vmx_ept_free_table(ept, ept->root, EPT_LEVELS);
	free_cpumask_var(ept->cpus);
	kfree(ept);
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
			next = vmx_ept_table_alloc(ept);
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

/* Bytes of guest-physical space one entry of a table at @level maps. */
static u64 vmx_ept_span(int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

static bool vmx_ept_table_empty(const u64 *table)
{
	int i;

	for (i = 0; i < EPT_ENTRIES; i++)
		if (table[i])
			return false;
	return true;
}

/*
 * Clears the entries for [@start, @end) under @table (at @level, mapping
 * from @base, which the range overlaps) and unlinks the tables that
 * leaves empty onto @freed; they are freed after the flush, as the CPU
 * may cache the links to them.  Only what is mapped is visited: a big
 * slot the guest barely touched goes at the cost of what it touched.
 */
static void vmx_ept_zap(struct vmx_ept *ept, u64 *table, int level, u64 base,
			u64 start, u64 end, struct list_head *freed)
{
	u64 span = vmx_ept_span(level);
	u64 first = start > base ? (start - base) / span : 0;
	u64 last = min_t(u64, (end - 1 - base) / span, EPT_ENTRIES - 1);
	u64 i, *child;

	for (i = first; i <= last; i++) {
		if (!(table[i] & VMX_EPT_RWX_MASK))
			continue;
		if (level == 1) {
			table[i] = 0;
			continue;
		}
		child = __va(table[i] & PAGE_MASK);
		vmx_ept_zap(ept, child, level - 1, base + i * span, start, end,
			    freed);
		if (vmx_ept_table_empty(child)) {
			table[i] = 0;
			list_add(&virt_to_page(child)->lru, freed);
		}
	}
}

/*
 * Unmaps a range, flushes the translations of every CPU that may cache
 * them, and frees the tables the range leaves empty: a guest moving a
 * page around (XENMEM_add_to_physmap) leaves no tables behind.
 */
void vmx_ept_unmap(struct microv_domain *d, u64 gpa, u64 npages)
{
	struct vmx_ept *ept = to_ept(d);
	struct page *page, *tmp;
	LIST_HEAD(freed);

	if (!npages)
		return;
	vmx_ept_zap(ept, ept->root, EPT_LEVELS, 0, gpa,
		    gpa + (npages << PAGE_SHIFT), &freed);
	vmx_ept_flush(d);
	list_for_each_entry_safe(page, tmp, &freed, lru) {
		list_del(&page->lru);
		vmx_ept_table_free(ept, page_address(page));
	}
}
