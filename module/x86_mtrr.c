// SPDX-License-Identifier: GPL-2.0
/*
 * The MTRRs (Intel SDM Vol. 3, 12.11) as Xen gives them to an HVM or PVH
 * domU: IA32_MTRRCAP says 8 variable ranges, the fixed ranges and
 * write-combining; every range MSR and IA32_MTRR_DEF_TYPE read back what
 * was written, with #GP for a reserved bit or an undefined memory type;
 * all are zero at reset (MTRRs disabled).  They change no memory type:
 * guest RAM is write-back in the EPT, and no device is passed through,
 * which is also when Xen ignores a domU's MTRRs.
 */
#include <linux/errno.h>
#include <linux/nospec.h>
#include <asm/msr-index.h>

#include "x86.h"

#define MTRRCAP_VCNT	X86_MTRR_NR_VAR
#define MTRRCAP_FIX	BIT_ULL(8)
#define MTRRCAP_WC	BIT_ULL(10)
#define DEF_TYPE_VALID	0xcffULL	/* type, FE (bit 10), E (bit 11) */
#define X86_MTRR_PHYSBASE0	0x200	/* PHYSBASE0, PHYSMASK0, PHYSBASE1 ... */

/* UC, WC, WT, WP, WB; 2, 3 and 7 and up are reserved. */
static bool x86_mtrr_type_ok(u8 type)
{
	return type <= 6 && type != 2 && type != 3;
}

/* MSR_MTRRfix64K_00000, fix16K_80000/A0000, fix4K_C0000 ... F8000. */
static int x86_mtrr_fixed_index(u32 msr)
{
	if (msr == MSR_MTRRfix64K_00000)
		return 0;
	if (msr == MSR_MTRRfix16K_80000 || msr == MSR_MTRRfix16K_A0000)
		return 1 + msr - MSR_MTRRfix16K_80000;
	if (msr >= MSR_MTRRfix4K_C0000 && msr <= MSR_MTRRfix4K_F8000)
		return 3 + msr - MSR_MTRRfix4K_C0000;
	return -1;
}

/**
 * x86_mtrr_read() - RDMSR of an MTRR
 * @m:   the vCPU's MTRRs
 * @msr: ECX
 * @val: the value
 *
 * Return: 0, or -ENOENT if @msr is not an MTRR microv has.
 */
int x86_mtrr_read(const struct x86_mtrr *m, u32 msr, u64 *val)
{
	int i = x86_mtrr_fixed_index(msr);

	if (i >= 0) {
		*val = m->fixed[i];
		return 0;
	}
	if (msr >= X86_MTRR_PHYSBASE0 &&
	    msr < X86_MTRR_PHYSBASE0 + 2 * X86_MTRR_NR_VAR) {
		*val = m->var[array_index_nospec(msr - X86_MTRR_PHYSBASE0,
						 2 * X86_MTRR_NR_VAR)];
		return 0;
	}
	switch (msr) {
	case MSR_MTRRcap:
		*val = MTRRCAP_WC | MTRRCAP_FIX | MTRRCAP_VCNT;
		return 0;
	case MSR_MTRRdefType:
		*val = m->def_type;
		return 0;
	default:
		return -ENOENT;
	}
}

/**
 * x86_mtrr_write() - WRMSR of an MTRR
 * @m:         the vCPU's MTRRs
 * @msr:       ECX
 * @val:       EDX:EAX
 * @phys_bits: the guest's MAXPHYADDR: address bits above it are reserved
 *
 * Return: 0, -EINVAL for a #GP (IA32_MTRRCAP, a reserved bit, a memory
 * type that does not exist), or -ENOENT if @msr is not an MTRR.
 */
int x86_mtrr_write(struct x86_mtrr *m, u32 msr, u64 val,
		   unsigned int phys_bits)
{
	u64 above = phys_bits < 64 ? ~0ULL << phys_bits : 0;
	int i = x86_mtrr_fixed_index(msr);
	unsigned int n;

	if (i >= 0) {
		for (n = 0; n < 64; n += 8)
			if (!x86_mtrr_type_ok(val >> n))
				return -EINVAL;
		m->fixed[i] = val;
		return 0;
	}
	if (msr >= X86_MTRR_PHYSBASE0 &&
	    msr < X86_MTRR_PHYSBASE0 + 2 * X86_MTRR_NR_VAR) {
		i = array_index_nospec(msr - X86_MTRR_PHYSBASE0,
				       2 * X86_MTRR_NR_VAR);
		if (i % 2 == 0 ?	/* PHYSBASE: type, bits 11:8 reserved */
		    !x86_mtrr_type_ok(val & 0xff) || (val & (0xf00 | above)) :
		    (val & (0x7ff | above)))	/* PHYSMASK: bits 10:0 */
			return -EINVAL;
		m->var[i] = val;
		return 0;
	}
	switch (msr) {
	case MSR_MTRRcap:
		return -EINVAL;
	case MSR_MTRRdefType:
		if ((val & ~DEF_TYPE_VALID) || !x86_mtrr_type_ok(val & 0xff))
			return -EINVAL;
		m->def_type = val;
		return 0;
	default:
		return -ENOENT;
	}
}
