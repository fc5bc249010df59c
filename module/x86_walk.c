// SPDX-License-Identifier: GPL-2.0
/*
 * The guest page walk (Intel SDM Vol. 3, 4.3-4.5): a guest-virtual
 * address to a guest-physical one through the guest's own page tables, in
 * each paging mode (none, 32-bit, PAE, 4-level), with the permission
 * checks of a supervisor or a user access and the #PF error code of a
 * refusal.  No accessed or dirty bits are set, no reserved bit is looked
 * for but a 4-level large page, SMEP and SMAP are not applied.
 * Vendor-neutral; reads the tables through a callback, so it knows
 * nothing of where guest memory lives.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "x86.h"

#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	0x000ffffffffff000ULL

/*
 * Reads one entry of @size bytes (4 or 8) at @gpa; a table outside RAM
 * is no #PF: -ENXIO.
 */
static int walk_read(const struct x86_walk *w, u64 gpa, unsigned int size,
		     u64 *entry)
{
	*entry = 0;
	return w->read_gpa(w->ctx, gpa, entry, size) ? -ENXIO : 0;
}

/*
 * A page that is not present is never reachable; user accesses need U/S
 * and, to write, R/W; supervisor writes honour R/W only with CR0.WP.
 * A refusal is a #PF: its error code in *@pfec.
 */
static int walk_check(const struct x86_walk *w, u64 entry, bool write,
		      u32 *pfec)
{
	*pfec = (write ? X86_PF_WRITE : 0) | (w->user ? X86_PF_USER : 0);
	if (!(entry & PTE_P))
		goto fault;
	*pfec |= X86_PF_PROT;
	if (w->user && !(entry & PTE_US))
		goto fault;
	if (write && !(entry & PTE_RW) &&
	    (w->user || (w->paging.cr0 & X86_CR0_WP)))
		goto fault;
	return 0;
fault:
	return -EFAULT;
}

/**
 * x86_gva_to_gpa() - translate as the guest's CPU would
 * @w:     the guest's paging registers and a way to read its memory
 * @gva:   the guest-virtual address
 * @write: a write access
 * @gpa:   out: the guest-physical address
 * @pfec:  out, for -EFAULT: the #PF error code; may be NULL
 *
 * Return: 0; -EFAULT, a #PF (not mapped, not allowed, a reserved bit);
 * -ENXIO, no #PF to give: a page table outside RAM, or a non-canonical
 * address (#GP on a CPU).
 */
int x86_gva_to_gpa(const struct x86_walk *w, u64 gva, bool write, u64 *gpa,
		   u32 *pfec)
{
	const struct x86_paging *p = &w->paging;
	u64 entry, table;
	int level, shift, ret;
	u32 code;

	if (!pfec)
		pfec = &code;

	if (!(p->cr0 & X86_CR0_PG)) {
		*gpa = (p->efer & EFER_LMA) ? gva : (u32)gva;
		return 0;
	}

	if (!(p->cr4 & X86_CR4_PAE)) {
		/* 32-bit paging: 2 levels of 4-byte entries, 4 MiB pages. */
		if (gva >> 32)
			return -EFAULT;
		table = p->cr3 & 0xfffff000;
		ret = walk_read(w, table + (gva >> 22) * 4, 4, &entry) ?:
		      walk_check(w, entry, write, pfec);
		if (ret)
			return ret;
		if ((entry & PTE_PS) && (p->cr4 & X86_CR4_PSE)) {
			*gpa = (entry & 0xffc00000) | (gva & 0x3fffff);
			return 0;
		}
		table = entry & 0xfffff000;
		ret = walk_read(w, table + ((gva >> 12) & 1023) * 4, 4, &entry) ?:
		      walk_check(w, entry, write, pfec);
		if (ret)
			return ret;
		*gpa = (entry & 0xfffff000) | (gva & 0xfff);
		return 0;
	}

	if (p->efer & EFER_LMA) {
		/* 4-level paging; 5-level (CR4.LA57) is not offered. */
		if ((u64)((s64)(gva << 16) >> 16) != gva ||
		    (p->cr4 & X86_CR4_LA57))
			return -ENXIO;
		table = p->cr3 & PTE_ADDR;
		level = 4;
	} else {
		/* PAE: 4 PDPTEs at CR3, then 2 levels of 8-byte entries. */
		if (gva >> 32)
			return -ENXIO;
		ret = walk_read(w, (p->cr3 & 0xffffffe0) + (gva >> 30) * 8, 8,
				&entry);
		if (ret)
			return ret;
		if (!(entry & PTE_P)) {
			*pfec = (write ? X86_PF_WRITE : 0) |
				(w->user ? X86_PF_USER : 0);
			return -EFAULT;
		}
		table = entry & PTE_ADDR;
		level = 2;
	}

	for (; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		ret = walk_read(w, table + ((gva >> shift) & 511) * 8, 8,
				&entry) ?: walk_check(w, entry, write, pfec);
		if (ret)
			return ret;
		/* A large page at level 2 (2 MiB) or 3 (1 GiB); none at 4. */
		if (level > 1 && (entry & PTE_PS)) {
			if (level == 4) {
				*pfec |= X86_PF_RSVD;
				return -EFAULT;
			}
			*gpa = (entry & PTE_ADDR & ~((1ULL << shift) - 1)) |
			       (gva & ((1ULL << shift) - 1));
			return 0;
		}
		table = entry & PTE_ADDR;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}
