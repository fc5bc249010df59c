// SPDX-License-Identifier: GPL-2.0
/*
 * Architectural consistency of the special registers userspace sets on a
 * vCPU (Intel SDM Vol. 3, 2.5 and 26.3.1; AMD APM Vol. 2, 15.5): state the
 * CPU could never be in is refused with -EINVAL here, before any VM entry,
 * and the same rules serve every backend.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "domain.h"

#define MICROV_CR0_KNOWN (X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			  X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			  X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define MICROV_EFER_KNOWN (EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static bool canonical(u64 addr)
{
	return (u64)((s64)(addr << 16) >> 16) == addr;
}

/* The limit must be expressible with the granularity bit as set. */
static bool limit_fits(const struct microv_segment *seg)
{
	if (seg->g)
		return (seg->limit & 0xfff) == 0xfff;
	return seg->limit <= 0xfffff;
}

static bool segment_ok(const struct microv_segment *seg)
{
	if (seg->unusable)
		return true;
	return seg->type <= 15 && seg->dpl <= 3 && seg->s <= 1 &&
	       seg->present <= 1 && seg->avl <= 1 && seg->l <= 1 &&
	       seg->db <= 1 && seg->g <= 1 && limit_fits(seg);
}

static int microv_control_check(const struct microv_sregs *s)
{
	bool pg = s->cr0 & X86_CR0_PG, lme = s->efer & EFER_LME;

	if (s->cr0 & ~(u64)MICROV_CR0_KNOWN || s->cr4 & ~(u64)MICROV_CR4_ALLOWED ||
	    s->efer & ~(u64)MICROV_EFER_KNOWN)
		return -EINVAL;
	if (pg && !(s->cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD))
		return -EINVAL;
	/* LMA is what LME and paging make of it, not a free bit. */
	if (!!(s->efer & EFER_LMA) != (lme && pg))
		return -EINVAL;
	if (lme && pg && !(s->cr4 & X86_CR4_PAE))
		return -EINVAL;
	if ((s->cr4 & X86_CR4_PCIDE) && !(s->efer & EFER_LMA))
		return -EINVAL;
	/* No address bits beyond what the CPU has (CPUID 0x80000008). */
	if (s->cr3 >> boot_cpu_data.x86_phys_bits)
		return -EINVAL;
	return 0;
}

/**
 * microv_sregs_check() - is this a state an x86 CPU can be in?
 * @s: special registers from userspace
 *
 * Return: 0, or -EINVAL.
 */
int microv_sregs_check(const struct microv_sregs *s)
{
	const struct microv_segment *data[] = {
		&s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->ldt,
	};
	bool lma = s->efer & EFER_LMA;
	int i;

	if (s->flags || microv_control_check(s))
		return -EINVAL;

	/* CS and TR always hold something usable and present. */
	if (s->cs.unusable || !s->cs.present || !s->cs.s ||
	    !segment_ok(&s->cs) || (lma && s->cs.l && s->cs.db))
		return -EINVAL;
	if (s->tr.unusable || !s->tr.present || s->tr.s || !segment_ok(&s->tr) ||
	    (s->tr.type != 11 && (lma || s->tr.type != 3)))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(data); i++)
		if (!segment_ok(data[i]))
			return -EINVAL;
	if (!s->ldt.unusable && (s->ldt.s || s->ldt.type != 2))
		return -EINVAL;

	if (!canonical(s->fs.base) || !canonical(s->gs.base) ||
	    !canonical(s->tr.base) || !canonical(s->ldt.base) ||
	    !canonical(s->gdt.base) || !canonical(s->idt.base))
		return -EINVAL;
	return 0;
}
