// SPDX-License-Identifier: GPL-2.0
/*
 * XCR0 as a guest may set it with XSETBV (Intel SDM Vol. 1, 13.3, and
 * the XSETBV reference in Vol. 2): the checks the CPU itself makes, done
 * before the value is ever loaded into the hardware, where a value the
 * CPU refuses would fault in the host with interrupts off.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>

#include "x86.h"

/*
 * What a guest may enable: x87, SSE, AVX and the AVX-512 trio.  Never
 * PKRU (the register stays the host's: see Documentation/security.rst),
 * nor MPX or AMX, whose state needs VMX controls and XFD microv does not
 * switch.
 */
#define X86_XCR0_GUEST_ALLOWED	(X86_XCR0_X87 | X86_XCR0_SSE | \
				 X86_XCR0_AVX | X86_XCR0_AVX512)

/* The host's XCR0, read once at load (0 without XSAVE). */
u64 x86_host_xcr0;

/**
 * x86_xcr0_guest_supported() - the XCR0 bits a guest may set
 * @host_xcr0: the host's XCR0 (the guest's state is saved in its format)
 */
u64 x86_xcr0_guest_supported(u64 host_xcr0)
{
	u64 ok = host_xcr0 & X86_XCR0_GUEST_ALLOWED;

	/* AVX-512 is all three components or none of them. */
	if ((ok & X86_XCR0_AVX512) != X86_XCR0_AVX512)
		ok &= ~X86_XCR0_AVX512;
	return ok;
}

/**
 * x86_xsetbv_check() - would XSETBV take this value?
 * @index:     ECX: the XCR
 * @val:       EDX:EAX
 * @supported: x86_xcr0_guest_supported()
 * @cpl:       the guest's privilege level
 *
 * Return: 0, or -EINVAL where the instruction raises #GP(0).
 */
int x86_xsetbv_check(u32 index, u64 val, u64 supported, int cpl)
{
	u64 avx512 = val & X86_XCR0_AVX512;

	if (cpl || index != 0 || (val & ~supported))
		return -EINVAL;
	if (!(val & X86_XCR0_X87))
		return -EINVAL;
	if ((val & X86_XCR0_AVX) && !(val & X86_XCR0_SSE))
		return -EINVAL;
	if (!(val & X86_XCR0_BNDREGS) != !(val & X86_XCR0_BNDCSR))
		return -EINVAL;
	if (avx512 && (avx512 != X86_XCR0_AVX512 || !(val & X86_XCR0_AVX)))
		return -EINVAL;
	if (!(val & X86_XCR0_TILECFG) != !(val & X86_XCR0_TILEDATA))
		return -EINVAL;
	return 0;
}
