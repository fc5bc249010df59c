// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/x86_dr.c in userspace: DR0-DR7 at reset, MOV to
 * and from them in each mode, DR4/DR5 as aliases or #UD, DR6's and DR7's
 * fixed and reserved bits, #GP, DR7.GD's #DB, and DR6 after a #DB.  TAP.
 */
#include <stdio.h>

#include "../x86.h"
#include "tap.h"

#define DR6_INIT	0xffff0ff0ULL
#define DR7_INIT	0x400ULL


/* A vCPU's debug registers as at reset: DR7 is the backend's. */
struct dr {
	struct x86_debugregs d;
	u64 dr7;
};

static void reset(struct dr *s)
{
	/* Garbage first: x86_dr_init() must set every field. */
	s->d.db[0] = s->d.db[1] = s->d.db[2] = s->d.db[3] = ~0ULL;
	s->d.dr6 = 0;
	x86_dr_init(&s->d);
	s->dr7 = DR7_INIT;
}

static enum x86_dr_result mov(struct dr *s, unsigned int dr, bool write,
			      int cpl, int mode, bool cr4_de, u64 *val)
{
	struct x86_dr_insn a = {
		.dr = dr, .write = write, .cpl = cpl, .mode = mode,
		.cr4_de = cr4_de,
	};

	return x86_dr_access(&s->d, &s->dr7, &a, val);
}

/* MOV to DRn at CPL 0, CR4.DE clear. */
static enum x86_dr_result wr(struct dr *s, unsigned int dr, int mode, u64 val)
{
	return mov(s, dr, true, 0, mode, false, &val);
}

/* MOV from DRn at CPL 0, CR4.DE clear; ~0 where it faults. */
static u64 rd(struct dr *s, unsigned int dr, int mode)
{
	u64 val = 0xdeadbeefcafef00dULL;

	if (mov(s, dr, false, 0, mode, false, &val) != X86_DR_OK)
		return ~0ULL;
	return val;
}

/* Nothing changed since @old. */
static bool same(const struct dr *s, const struct dr *old)
{
	int i;

	for (i = 0; i < 4; i++)
		if (s->d.db[i] != old->d.db[i])
			return false;
	return s->d.dr6 == old->d.dr6 && s->dr7 == old->dr7;
}

static void reset_state(void)
{
	struct dr s;
	unsigned int i;

	reset(&s);
	for (i = 0; i < 4; i++)
		CHECK(s.d.db[i] == 0);
	CHECK(s.d.dr6 == DR6_INIT);
	CHECK(rd(&s, 0, 64) == 0 && rd(&s, 3, 64) == 0);
	CHECK(rd(&s, 6, 64) == DR6_INIT && rd(&s, 6, 32) == DR6_INIT);
	CHECK(rd(&s, 7, 64) == DR7_INIT && rd(&s, 7, 16) == DR7_INIT);
}

static void breakpoint_addresses(void)
{
	struct dr s;
	unsigned int i;

	reset(&s);
	/* Each its own; 64 bits in 64-bit mode, non-canonical included. */
	for (i = 0; i < 4; i++)
		CHECK(wr(&s, i, 64, 0x8000000000001000ULL + i) == X86_DR_OK);
	for (i = 0; i < 4; i++) {
		CHECK(s.d.db[i] == 0x8000000000001000ULL + i);
		CHECK(rd(&s, i, 64) == 0x8000000000001000ULL + i);
	}
	CHECK(s.d.dr6 == DR6_INIT && s.dr7 == DR7_INIT);
	CHECK(wr(&s, 2, 64, 0) == X86_DR_OK && rd(&s, 2, 64) == 0);

	/* 32 and 16-bit modes: the low 32 bits, written and read. */
	CHECK(wr(&s, 0, 32, 0x1122334455667788ULL) == X86_DR_OK);
	CHECK(s.d.db[0] == 0x55667788 && rd(&s, 0, 64) == 0x55667788);
	CHECK(wr(&s, 1, 16, 0xffffffff00000010ULL) == X86_DR_OK);
	CHECK(s.d.db[1] == 0x10);
	CHECK(wr(&s, 3, 64, 0xfedcba9876543210ULL) == X86_DR_OK);
	CHECK(rd(&s, 3, 32) == 0x76543210 && rd(&s, 3, 16) == 0x76543210);
	/* Reading truncates the value, not the register. */
	CHECK(s.d.db[3] == 0xfedcba9876543210ULL);
}

static void dr6(void)
{
	struct dr s, old;

	reset(&s);
	/* Only B0-B3, BD, BS and BT are written; the rest read fixed. */
	CHECK(wr(&s, 6, 64, 0) == X86_DR_OK && rd(&s, 6, 64) == DR6_INIT);
	CHECK(wr(&s, 6, 64, 0x1) == X86_DR_OK && rd(&s, 6, 64) == 0xffff0ff1);
	CHECK(wr(&s, 6, 64, X86_DR6_BD) == X86_DR_OK &&
	      rd(&s, 6, 64) == (DR6_INIT | X86_DR6_BD));
	CHECK(wr(&s, 6, 64, X86_DR6_BS) == X86_DR_OK &&
	      rd(&s, 6, 64) == (DR6_INIT | X86_DR6_BS));
	CHECK(wr(&s, 6, 64, X86_DR6_BT) == X86_DR_OK &&
	      rd(&s, 6, 64) == (DR6_INIT | X86_DR6_BT));
	CHECK(wr(&s, 6, 64, 0xffffffff) == X86_DR_OK &&
	      rd(&s, 6, 64) == 0xffffefff);		/* bit 12 reads 0 */
	CHECK(wr(&s, 6, 64, 0x100a) == X86_DR_OK &&
	      rd(&s, 6, 64) == 0xffff0ffa);
	CHECK(wr(&s, 6, 64, 0) == X86_DR_OK && s.d.dr6 == DR6_INIT);

	/* Bits 63:32: #GP in 64-bit mode, dropped in the others. */
	old = s;
	CHECK(wr(&s, 6, 64, BIT_ULL(32) | 1) == X86_DR_GP && same(&s, &old));
	CHECK(wr(&s, 6, 64, BIT_ULL(63)) == X86_DR_GP && same(&s, &old));
	CHECK(wr(&s, 6, 64, ~0ULL) == X86_DR_GP && same(&s, &old));
	CHECK(wr(&s, 6, 32, BIT_ULL(32) | 2) == X86_DR_OK &&
	      rd(&s, 6, 64) == 0xffff0ff2);
	CHECK(wr(&s, 6, 16, ~0ULL) == X86_DR_OK &&
	      rd(&s, 6, 64) == 0xffffefff);
	CHECK(s.dr7 == DR7_INIT && s.d.db[0] == 0);
}

static void dr7(void)
{
	struct dr s, old;
	u64 bit;

	reset(&s);
	/* Bit 10 always reads 1. */
	CHECK(wr(&s, 7, 64, 0) == X86_DR_OK && s.dr7 == DR7_INIT &&
	      rd(&s, 7, 64) == DR7_INIT);
	CHECK(wr(&s, 7, 64, 0x3) == X86_DR_OK && rd(&s, 7, 64) == 0x403);
	CHECK(wr(&s, 7, 64, 0xffff03ff) == X86_DR_OK &&
	      rd(&s, 7, 64) == 0xffff07ff);	/* L0-G3, LE, GE, RW/LEN */
	CHECK(wr(&s, 7, 64, 0x401) == X86_DR_OK && rd(&s, 7, 64) == 0x401);
	CHECK(s.d.dr6 == DR6_INIT);

	/* Reserved bits 11, 12, 14, 15 and 63:32 (64-bit mode): #GP. */
	old = s;
	for (bit = 11; bit <= 15; bit++) {
		if (bit == 13)
			continue;
		CHECK(wr(&s, 7, 64, BIT_ULL(bit) | 0x3) == X86_DR_GP);
		CHECK(wr(&s, 7, 32, BIT_ULL(bit) | 0x3) == X86_DR_GP);
	}
	CHECK(wr(&s, 7, 64, BIT_ULL(32) | 0x3) == X86_DR_GP);
	CHECK(wr(&s, 7, 64, BIT_ULL(63)) == X86_DR_GP);
	CHECK(wr(&s, 7, 64, ~0ULL) == X86_DR_GP);
	CHECK(same(&s, &old));

	/* Not in the other modes: dropped. */
	CHECK(wr(&s, 7, 32, BIT_ULL(32) | 0x3) == X86_DR_OK &&
	      rd(&s, 7, 64) == 0x403);
	CHECK(wr(&s, 7, 16, 0xffffffff000000c0ULL) == X86_DR_OK &&
	      s.dr7 == 0x4c0);
}

static void dr4_dr5(void)
{
	struct dr s, old;
	u64 val;

	/* CR4.DE clear: DR6 and DR7 under other names. */
	reset(&s);
	CHECK(rd(&s, 4, 64) == DR6_INIT && rd(&s, 5, 64) == DR7_INIT);
	CHECK(wr(&s, 4, 64, 0x2) == X86_DR_OK && s.d.dr6 == 0xffff0ff2);
	CHECK(rd(&s, 4, 64) == 0xffff0ff2 && rd(&s, 6, 64) == 0xffff0ff2);
	CHECK(wr(&s, 5, 64, 0x2) == X86_DR_OK && s.dr7 == 0x402);
	CHECK(rd(&s, 5, 64) == 0x402 && rd(&s, 7, 64) == 0x402);
	CHECK(wr(&s, 6, 64, 0x4) == X86_DR_OK && rd(&s, 4, 64) == 0xffff0ff4);
	CHECK(wr(&s, 7, 64, 0x8) == X86_DR_OK && rd(&s, 5, 64) == 0x408);
	/* With their rules: reserved bits and bits 63:32. */
	CHECK(wr(&s, 5, 64, BIT_ULL(12)) == X86_DR_GP && s.dr7 == 0x408);
	CHECK(wr(&s, 4, 64, BIT_ULL(40)) == X86_DR_GP &&
	      s.d.dr6 == 0xffff0ff4);
	CHECK(s.d.db[0] == 0 && s.d.db[1] == 0 && s.d.db[2] == 0 &&
	      s.d.db[3] == 0);

	/* CR4.DE set: #UD, reading or writing, and nothing changes. */
	old = s;
	val = 0x1234;
	CHECK(mov(&s, 4, false, 0, 64, true, &val) == X86_DR_UD);
	CHECK(mov(&s, 5, false, 0, 64, true, &val) == X86_DR_UD);
	CHECK(mov(&s, 4, true, 0, 64, true, &val) == X86_DR_UD);
	CHECK(mov(&s, 5, true, 0, 32, true, &val) == X86_DR_UD);
	CHECK(val == 0x1234 && same(&s, &old));
	/* The others are not affected by CR4.DE. */
	val = 0;
	CHECK(mov(&s, 6, false, 0, 64, true, &val) == X86_DR_OK &&
	      val == 0xffff0ff4);
	val = 0x1;
	CHECK(mov(&s, 7, true, 0, 64, true, &val) == X86_DR_OK &&
	      s.dr7 == 0x401);
	val = 0x77;
	CHECK(mov(&s, 0, true, 0, 64, true, &val) == X86_DR_OK &&
	      s.d.db[0] == 0x77);

	/* #UD comes before DR7.GD's #DB. */
	s.dr7 |= X86_DR7_GD;
	old = s;
	CHECK(mov(&s, 4, false, 0, 64, true, &val) == X86_DR_UD);
	CHECK(mov(&s, 5, true, 0, 64, true, &val) == X86_DR_UD);
	CHECK(same(&s, &old));
}

static void privilege(void)
{
	struct dr s, old;
	unsigned int dr;
	int cpl;
	u64 val;

	reset(&s);
	CHECK(wr(&s, 0, 64, 0x1000) == X86_DR_OK);
	CHECK(wr(&s, 7, 64, 0x1) == X86_DR_OK);
	old = s;
	for (cpl = 1; cpl <= 3; cpl++) {
		for (dr = 0; dr < 8; dr++) {
			val = 0x5a5a;
			CHECK(mov(&s, dr, false, cpl, 64, false, &val) ==
			      X86_DR_GP);
			CHECK(val == 0x5a5a);
			CHECK(mov(&s, dr, true, cpl, 64, false, &val) ==
			      X86_DR_GP);
			CHECK(mov(&s, dr, true, cpl, 32, false, &val) ==
			      X86_DR_GP);
		}
	}
	CHECK(same(&s, &old));

	/* #GP comes before DR7.GD's #DB, which would clear GD. */
	s.dr7 |= X86_DR7_GD;
	old = s;
	CHECK(mov(&s, 0, false, 3, 64, false, &val) == X86_DR_GP);
	CHECK(mov(&s, 7, true, 3, 64, false, &val) == X86_DR_GP);
	CHECK(same(&s, &old));
}

static void general_detect(void)
{
	struct dr s, old;
	unsigned int dr;
	u64 val;

	reset(&s);
	CHECK(wr(&s, 1, 64, 0x2000) == X86_DR_OK);
	/* Setting GD is a plain write; the next access faults. */
	CHECK(wr(&s, 7, 64, X86_DR7_GD | 0x3) == X86_DR_OK);
	CHECK(s.dr7 == (DR7_INIT | X86_DR7_GD | 0x3));
	x86_dr6_debug_trap(&s.d, 0x5 | X86_DR6_BS);
	CHECK(s.d.dr6 == (DR6_INIT | 0x5 | X86_DR6_BS));

	/*
	 * #DB: BD set, B0-B3 cleared, BS kept; GD cleared and the other
	 * DR7 bits kept; the write not done, nothing read.
	 */
	val = 0x9999;
	CHECK(mov(&s, 1, true, 0, 64, false, &val) == X86_DR_DB);
	CHECK(s.d.dr6 == (DR6_INIT | X86_DR6_BD | X86_DR6_BS));
	CHECK(s.dr7 == (DR7_INIT | 0x3));
	CHECK(s.d.db[1] == 0x2000 && val == 0x9999);
	/* GD is clear now: the handler gets at the registers. */
	CHECK(rd(&s, 6, 64) == (DR6_INIT | X86_DR6_BD | X86_DR6_BS));
	CHECK(rd(&s, 1, 64) == 0x2000);

	/* A read, in 32-bit mode, through each register. */
	for (dr = 0; dr < 8; dr++) {
		CHECK(wr(&s, 6, 64, 0) == X86_DR_OK);
		x86_dr6_debug_trap(&s.d, 0xf);
		s.dr7 = DR7_INIT | X86_DR7_GD;
		val = 0x4444;
		CHECK(mov(&s, dr, false, 0, 32, false, &val) == X86_DR_DB);
		CHECK(s.d.dr6 == (DR6_INIT | X86_DR6_BD));
		CHECK(s.dr7 == DR7_INIT && val == 0x4444);
	}

	/* A write to DR7 itself: GD cleared, not the value written. */
	s.dr7 = DR7_INIT | X86_DR7_GD | 0x1;
	CHECK(wr(&s, 7, 64, 0xff) == X86_DR_DB && s.dr7 == (DR7_INIT | 0x1));
	/* A write to DR6: BD set, not the value written. */
	CHECK(wr(&s, 6, 64, 0) == X86_DR_OK);
	s.dr7 |= X86_DR7_GD;
	CHECK(wr(&s, 6, 64, 0x3) == X86_DR_DB &&
	      s.d.dr6 == (DR6_INIT | X86_DR6_BD));

	/* Before the checks of the value: #DB, not #GP. */
	s.dr7 |= X86_DR7_GD;
	old = s;
	CHECK(wr(&s, 7, 64, BIT_ULL(12)) == X86_DR_DB);
	CHECK(s.dr7 == (old.dr7 & ~X86_DR7_GD));
}

static void debug_trap(void)
{
	struct dr s;

	reset(&s);
	x86_dr6_debug_trap(&s.d, 0);
	CHECK(s.d.dr6 == DR6_INIT);
	x86_dr6_debug_trap(&s.d, 0x3);
	CHECK(s.d.dr6 == (DR6_INIT | 0x3));
	/* B0-B3 replaced... */
	x86_dr6_debug_trap(&s.d, 0x4);
	CHECK(s.d.dr6 == (DR6_INIT | 0x4));
	/* ...BS and BD accumulate. */
	x86_dr6_debug_trap(&s.d, X86_DR6_BS | 0x8);
	CHECK(s.d.dr6 == (DR6_INIT | X86_DR6_BS | 0x8));
	x86_dr6_debug_trap(&s.d, X86_DR6_BD);
	CHECK(s.d.dr6 == (DR6_INIT | X86_DR6_BS | X86_DR6_BD));
	x86_dr6_debug_trap(&s.d, 0x1);
	CHECK(s.d.dr6 == (DR6_INIT | X86_DR6_BS | X86_DR6_BD | 0x1));
	/* Nothing else is taken from @hits: not BT, bit 12 or 63:32. */
	reset(&s);
	x86_dr6_debug_trap(&s.d, ~0ULL);
	CHECK(s.d.dr6 == (DR6_INIT | 0xf | X86_DR6_BD | X86_DR6_BS));
	/* BT, once written, stays. */
	CHECK(wr(&s, 6, 64, X86_DR6_BT) == X86_DR_OK);
	x86_dr6_debug_trap(&s.d, 0x2);
	CHECK(s.d.dr6 == (DR6_INIT | X86_DR6_BT | 0x2));
	CHECK(s.dr7 == DR7_INIT);
}

int main(void)
{
	printf("TAP version 13\n1..8\n");
	tap_run("at reset: DR0-DR3 0, DR6 0xffff0ff0, DR7 0x400", reset_state);
	tap_run("DR0-DR3: 64 bits in 64-bit mode, 32 in the others",
	    breakpoint_addresses);
	tap_run("DR6: writable status bits, fixed bits, bits 63:32", dr6);
	tap_run("DR7: bit 10 reads 1, reserved bits and bits 63:32 #GP", dr7);
	tap_run("DR4/DR5: DR6/DR7 aliases, #UD with CR4.DE", dr4_dr5);
	tap_run("#GP at CPL > 0, before DR7.GD", privilege);
	tap_run("DR7.GD: #DB, DR6.BD set, B0-B3 and GD cleared", general_detect);
	tap_run("DR6 after a #DB: B0-B3 replaced, BD and BS accumulate",
	    debug_trap);
	return tap_status();
}
