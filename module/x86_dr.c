// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's debug registers (Intel SDM Vol. 3, 18.2).  MOV to and from
 * DRn always exits, so DR0-DR3 and DR6 live here and the hardware's are
 * never the guest's to read; DR7 is kept by the backend (the VMCS loads
 * and saves it), and the guest's DR0-DR3 are put in the hardware only
 * around a VM entry whose DR7 enables a breakpoint.  #DB is intercepted:
 * the exit says which conditions hit, and DR6 is updated here.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>

#include "x86.h"

void x86_dr_init(struct x86_debugregs *d)
{
	int i;

	for (i = 0; i < 4; i++)
		d->db[i] = 0;
	d->dr6 = X86_DR6_FIXED_1;
}

/**
 * x86_dr_access() - MOV to or from a debug register
 * @d:     the guest's DR0-DR3 and DR6
 * @dr7:   its DR7, in and out
 * @a:     what the guest did, and the registers that decide it
 * @val:   the value written, or out: the value read (zero-extended)
 *
 * Return: X86_DR_OK, or the exception the instruction raises instead:
 * X86_DR_GP (CPL > 0, reserved bits), X86_DR_UD (DR4/DR5 with CR4.DE),
 * X86_DR_DB (DR7.GD; DR6.BD is set and GD cleared, as delivery does).
 */
enum x86_dr_result x86_dr_access(struct x86_debugregs *d, u64 *dr7,
				 const struct x86_dr_insn *a, u64 *val)
{
	unsigned int dr = a->dr;
	u64 v = *val;

	if (a->cpl)
		return X86_DR_GP;
	if (dr == 4 || dr == 5) {
		if (a->cr4_de)
			return X86_DR_UD;
		dr += 2;	/* aliases of DR6 and DR7 */
	}
	if (*dr7 & X86_DR7_GD) {
		d->dr6 = (d->dr6 & ~X86_DR6_TRAP_BITS) | X86_DR6_BD;
		*dr7 &= ~X86_DR7_GD;
		return X86_DR_DB;
	}
	if (a->mode != 64)
		v = (u32)v;

	if (!a->write) {
		if (dr < 4)
			v = d->db[dr];
		else if (dr == 6)
			v = d->dr6;
		else
			v = *dr7;
		*val = a->mode == 64 ? v : (u32)v;
		return X86_DR_OK;
	}
	if (dr < 4) {
		d->db[dr] = v;
		return X86_DR_OK;
	}
	if (v >> 32)
		return X86_DR_GP;
	if (dr == 6)
		d->dr6 = (v & X86_DR6_WRITABLE) | X86_DR6_FIXED_1;
	else if (v & X86_DR7_RESERVED)
		return X86_DR_GP;
	else
		*dr7 = v | X86_DR7_FIXED_1;
	return X86_DR_OK;
}

/**
 * x86_dr6_debug_trap() - DR6 as a #DB leaves it
 * @d:    the guest's debug registers
 * @hits: B0-B3, BD and BS as the hardware reported them (for VMX, the
 *        exit qualification of the #DB)
 *
 * B0-B3 are replaced, the other status bits accumulate, as on a CPU.
 */
void x86_dr6_debug_trap(struct x86_debugregs *d, u64 hits)
{
	d->dr6 &= ~X86_DR6_TRAP_BITS;
	d->dr6 |= hits & (X86_DR6_TRAP_BITS | X86_DR6_BD | X86_DR6_BS);
}
