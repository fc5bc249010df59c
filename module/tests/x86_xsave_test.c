// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/x86_xsave.c in userspace: which of the host's XCR0
 * components a guest is offered, and every #GP of XSETBV (CPL, ECX, bits
 * not offered, x87, AVX without SSE, MPX, AVX-512 and AMX pairs).  TAP.
 */
#include <errno.h>
#include <stdio.h>

#include "../x86.h"
#include "tap.h"

#define X87	X86_XCR0_X87
#define SSE	X86_XCR0_SSE
#define AVX	X86_XCR0_AVX
#define BNDREGS	X86_XCR0_BNDREGS
#define BNDCSR	X86_XCR0_BNDCSR
#define OPMASK	BIT_ULL(5)
#define ZMM_HI256 BIT_ULL(6)
#define HI16_ZMM BIT_ULL(7)
#define AVX512	X86_XCR0_AVX512
#define PT	BIT_ULL(8)		/* IA32_XSS only */
#define PKRU	X86_XCR0_PKRU
#define TILECFG	X86_XCR0_TILECFG
#define TILEDATA X86_XCR0_TILEDATA

/* A host XCR0 with every component the checks know of. */
#define HOST_ALL (X87 | SSE | AVX | BNDREGS | BNDCSR | AVX512 | PKRU | \
		  TILECFG | TILEDATA)


/* XSETBV of @val to XCR0 at CPL 0, with @supported offered. */
static int xsetbv(u64 val, u64 supported)
{
	return x86_xsetbv_check(0, val, supported, 0);
}

static void guest_supported(void)
{
	CHECK(x86_xcr0_guest_supported(0) == 0);
	CHECK(x86_xcr0_guest_supported(X87) == X87);
	CHECK(x86_xcr0_guest_supported(X87 | SSE) == (X87 | SSE));
	CHECK(x86_xcr0_guest_supported(0x7) == 0x7);
	CHECK(x86_xcr0_guest_supported(0xe7) == 0xe7);
	/* Never PKRU, MPX or AMX, whatever the host has. */
	CHECK(x86_xcr0_guest_supported(0x7 | PKRU) == 0x7);
	CHECK(x86_xcr0_guest_supported(0x7 | BNDREGS | BNDCSR) == 0x7);
	CHECK(x86_xcr0_guest_supported(0x7 | TILECFG | TILEDATA) == 0x7);
	CHECK(x86_xcr0_guest_supported(0x2ff) == 0xe7);	/* Skylake-SP */
	CHECK(x86_xcr0_guest_supported(HOST_ALL) == 0xe7);
	CHECK(x86_xcr0_guest_supported(~0ULL) == 0xe7);
	/* AVX-512: all three components or none. */
	CHECK(x86_xcr0_guest_supported(0x7 | OPMASK) == 0x7);
	CHECK(x86_xcr0_guest_supported(0x7 | ZMM_HI256) == 0x7);
	CHECK(x86_xcr0_guest_supported(0x7 | HI16_ZMM) == 0x7);
	CHECK(x86_xcr0_guest_supported(0x7 | OPMASK | ZMM_HI256) == 0x7);
	CHECK(x86_xcr0_guest_supported(0x7 | OPMASK | HI16_ZMM) == 0x7);
	CHECK(x86_xcr0_guest_supported(0x7 | ZMM_HI256 | HI16_ZMM) == 0x7);
	CHECK(x86_xcr0_guest_supported(0x7 | ZMM_HI256 | HI16_ZMM | PKRU |
				       TILECFG | TILEDATA) == 0x7);
}

/* What is offered is what a guest may then set, for any real host. */
static void supported_is_settable(void)
{
	static const u64 hosts[] = {
		X87 | SSE, 0x7, 0x7 | PKRU, 0x1f, 0xe7, 0x2e7, 0x2ff, HOST_ALL,
	};
	unsigned int i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		u64 s = x86_xcr0_guest_supported(hosts[i]);

		CHECK((s & ~hosts[i]) == 0);
		CHECK(xsetbv(s, s) == 0);
		CHECK(xsetbv(X87, s) == 0);
	}
}

static void valid_values(void)
{
	CHECK(xsetbv(0x1, 0xe7) == 0);
	CHECK(xsetbv(0x3, 0xe7) == 0);
	CHECK(xsetbv(0x7, 0xe7) == 0);
	CHECK(xsetbv(0xe7, 0xe7) == 0);
	CHECK(xsetbv(0x1, 0x1) == 0);
	/* Components the check itself has rules for, when offered. */
	CHECK(xsetbv(X87 | BNDREGS | BNDCSR, ~0ULL) == 0);
	CHECK(xsetbv(0x7 | TILECFG | TILEDATA, ~0ULL) == 0);
	CHECK(xsetbv(HOST_ALL, HOST_ALL) == 0);
	CHECK(xsetbv(0x7 | PKRU, 0x7 | PKRU) == 0);
}

static void general_protection(void)
{
	int cpl;

	/* Not at CPL 0, or not XCR0. */
	for (cpl = 1; cpl <= 3; cpl++) {
		CHECK(x86_xsetbv_check(0, 0x7, 0xe7, cpl) == -EINVAL);
		CHECK(x86_xsetbv_check(0, 0x1, 0xe7, cpl) == -EINVAL);
	}
	CHECK(x86_xsetbv_check(1, 0x7, 0xe7, 0) == -EINVAL);	/* XINUSE */
	CHECK(x86_xsetbv_check(1, 0x1, ~0ULL, 0) == -EINVAL);
	CHECK(x86_xsetbv_check(0x80000000, 0x7, 0xe7, 0) == -EINVAL);
	CHECK(x86_xsetbv_check(~0U, 0x7, 0xe7, 0) == -EINVAL);

	/* A component not offered. */
	CHECK(xsetbv(0x7 | PKRU, 0xe7) == -EINVAL);
	CHECK(xsetbv(0x7, 0x3) == -EINVAL);
	CHECK(xsetbv(0x3, 0x1) == -EINVAL);
	CHECK(xsetbv(0xe7, 0x7) == -EINVAL);
	CHECK(xsetbv(X87 | BNDREGS | BNDCSR, 0xe7) == -EINVAL);
	CHECK(xsetbv(0x7 | TILECFG | TILEDATA, 0xe7) == -EINVAL);
	CHECK(xsetbv(0x7 | PT, 0xe7) == -EINVAL);
	CHECK(xsetbv(0x7 | BIT_ULL(63), 0xe7) == -EINVAL);
	CHECK(xsetbv(0x7 | BIT_ULL(32), 0xe7) == -EINVAL);
	CHECK(xsetbv(0x1, 0) == -EINVAL);

	/* x87 state is always enabled. */
	CHECK(xsetbv(0, 0xe7) == -EINVAL);
	CHECK(xsetbv(0, ~0ULL) == -EINVAL);
	CHECK(xsetbv(SSE, 0xe7) == -EINVAL);
	CHECK(xsetbv(0x6, 0xe7) == -EINVAL);
	CHECK(xsetbv(0xe6, 0xe7) == -EINVAL);

	/* AVX needs SSE. */
	CHECK(xsetbv(X87 | AVX, 0xe7) == -EINVAL);
	CHECK(xsetbv(X87 | AVX | AVX512, 0xe7) == -EINVAL);

	/* BNDREGS and BNDCSR together or not at all. */
	CHECK(xsetbv(X87 | BNDREGS, ~0ULL) == -EINVAL);
	CHECK(xsetbv(X87 | BNDCSR, ~0ULL) == -EINVAL);
	CHECK(xsetbv(0x7 | BNDREGS, ~0ULL) == -EINVAL);

	/* AVX-512: all three, and with AVX. */
	CHECK(xsetbv(0x7 | OPMASK, 0xe7) == -EINVAL);
	CHECK(xsetbv(0x7 | ZMM_HI256, 0xe7) == -EINVAL);
	CHECK(xsetbv(0x7 | HI16_ZMM, 0xe7) == -EINVAL);
	CHECK(xsetbv(0x7 | OPMASK | ZMM_HI256, 0xe7) == -EINVAL);
	CHECK(xsetbv(0x7 | OPMASK | HI16_ZMM, 0xe7) == -EINVAL);
	CHECK(xsetbv(0x7 | ZMM_HI256 | HI16_ZMM, 0xe7) == -EINVAL);
	CHECK(xsetbv(X87 | SSE | AVX512, 0xe7) == -EINVAL);
	CHECK(xsetbv(X87 | AVX512, 0xe7) == -EINVAL);

	/* TILECFG and TILEDATA together or not at all. */
	CHECK(xsetbv(0x7 | TILECFG, ~0ULL) == -EINVAL);
	CHECK(xsetbv(0x7 | TILEDATA, ~0ULL) == -EINVAL);
	CHECK(xsetbv(0xe7 | TILEDATA, HOST_ALL) == -EINVAL);
}

/*
 * Every value of bits 0-7 (x87 to AVX-512), and of the AMX pair, against
 * the list of the ones a CPU takes: nothing else passes.
 */
static void exhaustive(void)
{
	static const u64 ok[] = {
		0x01, 0x03, 0x07, 0xe7,	/* x87, SSE, AVX, AVX-512 */
		0x19, 0x1b, 0x1f, 0xff,	/* the same with MPX */
	};
	u64 val, tile;
	unsigned int i;

	for (tile = 0; tile < 4; tile++) {
		for (val = 0; val < 0x100; val++) {
			u64 v = val | tile << 17;
			int want = -EINVAL;

			for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
				if (val == ok[i] && (tile == 0 || tile == 3))
					want = 0;
			if (x86_xsetbv_check(0, v, ~0ULL, 0) != want) {
				printf("# XSETBV %#llx: want %d\n",
				       (unsigned long long)v, want);
				tap_failed = 1;
			}
		}
	}
}

int main(void)
{
	printf("TAP version 13\n1..5\n");
	tap_run("guest XCR0: x87, SSE, AVX, whole AVX-512; never PKRU, MPX, AMX",
	    guest_supported);
	tap_run("what is offered passes XSETBV", supported_is_settable);
	tap_run("XSETBV takes x87, SSE, AVX, AVX-512, MPX and AMX when offered",
	    valid_values);
	tap_run("XSETBV #GP: CPL, ECX, not offered, x87, AVX, MPX, AVX-512, AMX",
	    general_protection);
	tap_run("XSETBV over every x87-to-AVX-512 and AMX pattern", exhaustive);
	return tap_status();
}
