// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical addresses with no RAM: the local APIC's page in xAPIC
 * mode (lapic.c), or nothing.  Xen answers a guest's access to nothing as
 * a bus with nothing on it, reads all ones and drops writes, and the
 * guest goes on.  The backend reports the
 * access; the instruction is fetched through the guest's own page tables
 * and emulated (x86_emulate.c).  A domain created with
 * MICROV_DOMAIN_STRICT_MMIO, an instruction not emulated, or an access
 * that was no instruction's (a page walk, event delivery) stops the
 * guest instead: MICROV_EXIT_MMIO, as a debugging aid.
 */
#include <linux/minmax.h>
#include <linux/mm.h>

#include "backend.h"
#include "domain.h"

/* The xAPIC page, or nothing: all ones, writes dropped, counted. */
static int microv_mmio_access(void *ctx, u64 gpa, unsigned int size,
			      bool write, u64 *val)
{
	struct microv_vcpu *v = ctx;

	if (x86_lapic_xapic_page(&v->lapic, gpa)) {
		microv_lapic_mmio(v, gpa, size, write, val);
		return 0;
	}
	atomic64_inc(&v->domain->nr_mmio_unbacked);
	microv_diag_note(v->domain, MICROV_DIAG_UNBACKED, write,
			 gpa & PAGE_MASK);
	if (!write)
		*val = ~0ULL;
	return 0;
}

/*
 * The instruction at CS:RIP, as many of its 15 bytes as the guest maps:
 * the decoder refuses one it cannot read whole.
 */
void microv_fetch_insn(struct microv_vcpu *v, struct x86_emul *e)
{
	u64 ip = e->seg_base[1] + e->rip;
	size_t first;

	if (e->mode != 64)
		ip = (u32)ip;
	first = min_t(size_t, X86_MAX_INSN_LEN, PAGE_SIZE - offset_in_page(ip));
	e->insn_len = 0;
	if (microv_gva_access(v, ip, e->insn, first, false))
		return;
	e->insn_len = first;
	if (first < X86_MAX_INSN_LEN &&
	    !microv_gva_access(v, ip + first, e->insn + first,
			       X86_MAX_INSN_LEN - first, false))
		e->insn_len = X86_MAX_INSN_LEN;
}

/**
 * microv_mmio_emulate() - answer an access to a guest-physical address
 * with no RAM, as Xen does
 * @v:     the vCPU, its paging state (v->paging) as it exited
 * @e:     its registers (the instruction is fetched here); updated
 * @gpa:   the address the access hit
 * @write: the access was a write
 *
 * Called by the backend, preemptible, after microv_memory_fault() found
 * no RAM there, for an access an instruction made to its operand.
 *
 * Return: 0, the instruction retired (write back @e), or -EOPNOTSUPP: the
 * domain is strict, or the instruction is not one emulated (stop the
 * guest with MICROV_EXIT_MMIO).
 */
int microv_mmio_emulate(struct microv_vcpu *v, struct x86_emul *e, u64 gpa,
			bool write)
{
	/* A strict domain stops at memory with no device either. */
	if (v->domain->strict_mmio && !x86_lapic_xapic_page(&v->lapic, gpa))
		return -EOPNOTSUPP;
	microv_fetch_insn(v, e);
	return x86_emulate_mmio(e, gpa, write, microv_mmio_access, v);
}
