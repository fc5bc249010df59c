// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/x86_mtrr.c in userspace: what IA32_MTRRCAP says,
 * every MTRR reads back what was written, and each #GP (memory types that
 * do not exist, reserved bits, bits past MAXPHYADDR, writes to MTRRCAP,
 * variable ranges past the eighth).  TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <asm/msr-index.h>

#include "../x86.h"
#include "tap.h"

#define PHYSBASE(n)	(0x200 + 2 * (n))
#define PHYSMASK(n)	(0x201 + 2 * (n))

static u64 rd(const struct x86_mtrr *m, u32 msr)
{
	u64 val = 0x5a5a;

	CHECK(x86_mtrr_read(m, msr, &val) == 0);
	return val;
}

static void at_reset(void)
{
	struct x86_mtrr m = { 0 };
	u32 msr;
	u64 val;

	/* 8 variable ranges, fixed ranges, write-combining. */
	CHECK(rd(&m, MSR_MTRRcap) == 0x508);
	CHECK(rd(&m, MSR_MTRRdefType) == 0);
	for (msr = PHYSBASE(0); msr <= PHYSMASK(7); msr++)
		CHECK(rd(&m, msr) == 0);
	CHECK(rd(&m, MSR_MTRRfix64K_00000) == 0);
	CHECK(rd(&m, MSR_MTRRfix16K_80000) == 0);
	CHECK(rd(&m, MSR_MTRRfix16K_A0000) == 0);
	for (msr = MSR_MTRRfix4K_C0000; msr <= MSR_MTRRfix4K_F8000; msr++)
		CHECK(rd(&m, msr) == 0);
	/* Not MTRRs: a ninth range, the gaps between the fixed ones. */
	CHECK(x86_mtrr_read(&m, PHYSBASE(8), &val) == -ENOENT);
	CHECK(x86_mtrr_read(&m, 0x251, &val) == -ENOENT);
	CHECK(x86_mtrr_read(&m, 0x25a, &val) == -ENOENT);
	CHECK(x86_mtrr_read(&m, 0x267, &val) == -ENOENT);
	CHECK(x86_mtrr_read(&m, 0x270, &val) == -ENOENT);
	CHECK(x86_mtrr_write(&m, PHYSBASE(8), 0, 46) == -ENOENT);
}

static void read_back(void)
{
	struct x86_mtrr m = { 0 };
	u32 msr;

	/* WB default, fixed ranges and MTRRs enabled (E, FE). */
	CHECK(x86_mtrr_write(&m, MSR_MTRRdefType, 0xc06, 46) == 0);
	CHECK(rd(&m, MSR_MTRRdefType) == 0xc06);
	/* 0-2 GiB write-back: base type WB, mask valid. */
	CHECK(x86_mtrr_write(&m, PHYSBASE(7), 0x6, 46) == 0);
	CHECK(x86_mtrr_write(&m, PHYSMASK(7), 0x3fff80000800ULL, 46) == 0);
	CHECK(rd(&m, PHYSBASE(7)) == 0x6);
	CHECK(rd(&m, PHYSMASK(7)) == 0x3fff80000800ULL);
	/* Each fixed range its own value, every type. */
	for (msr = MSR_MTRRfix4K_C0000; msr <= MSR_MTRRfix4K_F8000; msr++)
		CHECK(x86_mtrr_write(&m, msr, 0x0605040100000000ULL | msr,
				     46) == -EINVAL);
	for (msr = MSR_MTRRfix4K_C0000; msr <= MSR_MTRRfix4K_F8000; msr++)
		CHECK(x86_mtrr_write(&m, msr, 0x0605040106050401ULL, 46) == 0);
	CHECK(x86_mtrr_write(&m, MSR_MTRRfix64K_00000, 0x0606060606060606ULL,
			     46) == 0);
	CHECK(x86_mtrr_write(&m, MSR_MTRRfix16K_A0000, 0x0101010100000000ULL,
			     46) == 0);
	CHECK(rd(&m, MSR_MTRRfix64K_00000) == 0x0606060606060606ULL);
	CHECK(rd(&m, MSR_MTRRfix16K_80000) == 0);
	CHECK(rd(&m, MSR_MTRRfix16K_A0000) == 0x0101010100000000ULL);
	CHECK(rd(&m, MSR_MTRRfix4K_F8000) == 0x0605040106050401ULL);
}

static void gp(void)
{
	struct x86_mtrr m = { 0 };

	CHECK(x86_mtrr_write(&m, MSR_MTRRcap, 0x508, 46) == -EINVAL);
	/* Types 2, 3, 7 and up; bits 9:8 and 63:12 of DEF_TYPE. */
	CHECK(x86_mtrr_write(&m, MSR_MTRRdefType, 2, 46) == -EINVAL);
	CHECK(x86_mtrr_write(&m, MSR_MTRRdefType, 3, 46) == -EINVAL);
	CHECK(x86_mtrr_write(&m, MSR_MTRRdefType, 7, 46) == -EINVAL);
	CHECK(x86_mtrr_write(&m, MSR_MTRRdefType, 0x106, 46) == -EINVAL);
	CHECK(x86_mtrr_write(&m, MSR_MTRRdefType, 0x1006, 46) == -EINVAL);
	/* PHYSBASE: type, bits 11:8, past MAXPHYADDR. */
	CHECK(x86_mtrr_write(&m, PHYSBASE(0), 0x2, 46) == -EINVAL);
	CHECK(x86_mtrr_write(&m, PHYSBASE(0), 0x806, 46) == -EINVAL);
	CHECK(x86_mtrr_write(&m, PHYSBASE(0), (1ULL << 46) | 6, 46) == -EINVAL);
	CHECK(x86_mtrr_write(&m, PHYSBASE(0), (1ULL << 45) | 6, 46) == 0);
	/* PHYSMASK: bits 10:0, past MAXPHYADDR. */
	CHECK(x86_mtrr_write(&m, PHYSMASK(0), 0x801, 46) == -EINVAL);
	CHECK(x86_mtrr_write(&m, PHYSMASK(0), 1ULL << 39, 39) == -EINVAL);
	CHECK(x86_mtrr_write(&m, PHYSMASK(0), 1ULL << 38, 39) == 0);
	/* A fixed range with one bad byte. */
	CHECK(x86_mtrr_write(&m, MSR_MTRRfix16K_80000, 0x0606060606060603ULL,
			     46) == -EINVAL);
	/* A refused write changes nothing. */
	CHECK(rd(&m, MSR_MTRRdefType) == 0);
	CHECK(rd(&m, PHYSBASE(0)) == ((1ULL << 45) | 6));
	CHECK(rd(&m, MSR_MTRRfix16K_80000) == 0);
}

int main(void)
{
	printf("TAP version 13\n1..3\n");
	tap_run("at reset: MTRRCAP 0x508, every MTRR 0, nothing else", at_reset);
	tap_run("every MTRR reads back what was written", read_back);
	tap_run("#GP: MTRRCAP, bad types, reserved and address bits", gp);
	return tap_status();
}
