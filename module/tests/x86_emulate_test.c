// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/x86_emulate.c in userspace: each instruction form
 * the MMIO emulator takes, in 16-, 32- and 64-bit code, against a fake
 * device; the arithmetic flags of every ALU operation; and every refusal
 * (another access than the one reported, a page crossed, forms it does
 * not emulate, an instruction cut short); INS and OUTS decoded, and their
 * registers moved.  TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../x86.h"
#include "tap.h"

#define CF	(1ULL << 0)
#define PF	(1ULL << 2)
#define AF	(1ULL << 4)
#define ZF	(1ULL << 6)
#define SF	(1ULL << 7)
#define OF	(1ULL << 11)
#define ARITH	(CF | PF | AF | ZF | SF | OF)

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

/* The fake device: what it was asked, what it answers to a read. */
static struct {
	int reads, writes;
	u64 gpa, written, answer;
	unsigned int size;
} dev;

static int fake_access(void *ctx, u64 gpa, unsigned int size, bool write,
		       u64 *val)
{
	dev.gpa = gpa;
	dev.size = size;
	if (write) {
		dev.writes++;
		dev.written = *val;
	} else {
		dev.reads++;
		*val = dev.answer;
	}
	return 0;
}

static void setup(struct x86_emul *e, int mode, const char *bytes,
		  unsigned int len, u64 answer)
{
	memset(e, 0, sizeof(*e));
	memset(&dev, 0, sizeof(dev));
	e->mode = mode;
	e->rip = 0x1000;
	e->rflags = 0x2;
	memcpy(e->insn, bytes, len);
	e->insn_len = len;
	dev.answer = answer;
}

#define INSN(s)	s, sizeof(s) - 1

static int emulate(struct x86_emul *e, u64 gpa, bool write)
{
	return x86_emulate_mmio(e, gpa, write, fake_access, NULL);
}

static void loads(void)
{
	struct x86_emul e;

	/* mov (%rax),%ebx: 32-bit results clear the upper half. */
	setup(&e, 64, INSN("\x8b\x18"), 0xffffffffdeadbeefULL);
	e.gprs[RAX] = 0xfee00020;
	e.gprs[RBX] = ~0ULL;
	CHECK(emulate(&e, 0xfee00020, false) == 0);
	CHECK(e.gprs[RBX] == 0xdeadbeef);
	CHECK(dev.size == 4 && dev.reads == 1 && dev.writes == 0);
	CHECK(e.rip == 0x1002);

	/* mov (%rax,%rcx,4),%dx: 16 bits, the rest kept. */
	setup(&e, 64, INSN("\x66\x8b\x14\x88"), 0xffff);
	e.gprs[RAX] = 0x1000;
	e.gprs[RCX] = 3;
	e.gprs[RDX] = 0x1111222233334444ULL;
	CHECK(emulate(&e, 0xd000c, false) == 0);
	CHECK(e.gprs[RDX] == 0x111122223333ffffULL);
	CHECK(dev.size == 2 && e.rip == 0x1004);

	/* mov 0x100(%rip),%rax: from the next instruction's address. */
	setup(&e, 64, INSN("\x48\x8b\x05\x00\x01\x00\x00"), ~0ULL);
	CHECK(emulate(&e, 0x5107, false) == 0);
	CHECK(e.gprs[RAX] == ~0ULL && dev.size == 8);

	/* movzbl (%rsi),%eax and movswq (%rsi),%rax */
	setup(&e, 64, INSN("\x0f\xb6\x06"), 0xfff0);
	e.gprs[RAX] = ~0ULL;
	CHECK(emulate(&e, 0, false) == 0);
	CHECK(e.gprs[RAX] == 0xf0 && dev.size == 1);
	setup(&e, 64, INSN("\x48\x0f\xbf\x06"), 0x8001);
	CHECK(emulate(&e, 0, false) == 0);
	CHECK(e.gprs[RAX] == 0xffffffffffff8001ULL && dev.size == 2);

	/* movslq 8(%rbx),%r9 */
	setup(&e, 64, INSN("\x4c\x63\x4b\x08"), 0x80000000);
	CHECK(emulate(&e, 0x8, false) == 0);
	CHECK(e.gprs[9] == 0xffffffff80000000ULL && dev.size == 4);

	/* mov %fs:0x10,%eax: the FS base counts in 64-bit mode, DS's not. */
	setup(&e, 64, INSN("\x64\x8b\x04\x25\x10\x00\x00\x00"), 7);
	e.seg_base[4] = 0x7000;
	e.seg_base[3] = 0x100;
	CHECK(emulate(&e, 0x7010, false) == 0);
	CHECK(e.gprs[RAX] == 7);
}

static void stores(void)
{
	struct x86_emul e;

	/* mov %ecx,0x10(%rax) */
	setup(&e, 64, INSN("\x89\x48\x10"), 0);
	e.gprs[RAX] = 0x40000;
	e.gprs[RCX] = 0xaabbccdd11223344ULL;
	CHECK(emulate(&e, 0x40010, true) == 0);
	CHECK(dev.writes == 1 && dev.reads == 0 && dev.size == 4);
	CHECK(dev.written == 0x11223344);

	/* movb $0x5a,(%rdi); movq $-1,(%rdx): imm32 sign-extended */
	setup(&e, 64, INSN("\xc6\x07\x5a"), 0);
	CHECK(emulate(&e, 0, true) == 0);
	CHECK(dev.written == 0x5a && dev.size == 1 && e.rip == 0x1003);
	setup(&e, 64, INSN("\x48\xc7\x02\xff\xff\xff\xff"), 0);
	CHECK(emulate(&e, 0, true) == 0);
	CHECK(dev.written == ~0ULL && dev.size == 8);

	/* mov %ah,(%rbx) stores AH; with a REX prefix, SPL. */
	setup(&e, 64, INSN("\x88\x23"), 0);
	e.gprs[RAX] = 0x1234;
	e.gprs[RSP] = 0x99;
	CHECK(emulate(&e, 0, true) == 0);
	CHECK(dev.written == 0x12);
	setup(&e, 64, INSN("\x40\x88\x23"), 0);
	e.gprs[RAX] = 0x1234;
	e.gprs[RSP] = 0x99;
	CHECK(emulate(&e, 0, true) == 0);
	CHECK(dev.written == 0x99);

	/* mov %r10d,(%r8) */
	setup(&e, 64, INSN("\x45\x89\x10"), 0);
	e.gprs[8] = 0x300;
	e.gprs[10] = 0xfeed;
	CHECK(emulate(&e, 0x300, true) == 0);
	CHECK(dev.written == 0xfeed);

	/* xchg %eax,(%rbx): both ways */
	setup(&e, 64, INSN("\x87\x03"), 0x55);
	e.gprs[RAX] = 0x66;
	CHECK(emulate(&e, 0, true) == 0);
	CHECK(e.gprs[RAX] == 0x55 && dev.written == 0x66);
	CHECK(dev.reads == 1 && dev.writes == 1);
}

static void alu_memory(void)
{
	struct x86_emul e;

	/* cmpl $-1,(%rax): equal, nothing written */
	setup(&e, 64, INSN("\x83\x38\xff"), 0xffffffff);
	CHECK(emulate(&e, 0, false) == 0);
	CHECK((e.rflags & ARITH) == (ZF | PF));
	CHECK(dev.writes == 0 && e.rip == 0x1003);
	CHECK(e.rflags & 2);

	/* orl $1,(%rax): read, modify, write */
	setup(&e, 64, INSN("\x83\x08\x01"), 0x10);
	CHECK(emulate(&e, 0, true) == 0);
	CHECK(dev.reads == 1 && dev.written == 0x11);
	CHECK((e.rflags & ARITH) == PF);

	/* testl $0x80000000,(%rax) */
	setup(&e, 64, INSN("\xf7\x00\x00\x00\x00\x80"), 0x80000000);
	CHECK(emulate(&e, 0, false) == 0);
	CHECK((e.rflags & ARITH) == (SF | PF) && dev.writes == 0);

	/* add (%rbx),%ecx; cmp (%rbx),%ecx leaves ECX alone */
	setup(&e, 64, INSN("\x03\x0b"), 1);
	e.gprs[RCX] = 0xffffffff;
	CHECK(emulate(&e, 0, false) == 0);
	CHECK(e.gprs[RCX] == 0 && (e.rflags & (CF | ZF)) == (CF | ZF));
	setup(&e, 64, INSN("\x3b\x0b"), 5);
	e.gprs[RCX] = 3;
	CHECK(emulate(&e, 0, false) == 0);
	CHECK(e.gprs[RCX] == 3 && (e.rflags & (CF | SF)) == (CF | SF));

	/* subb $1,(%rax), sign-extended imm8 on a 64-bit operand */
	setup(&e, 64, INSN("\x80\x28\x01"), 0);
	CHECK(emulate(&e, 0, true) == 0);
	CHECK(dev.written == 0xff && dev.size == 1);
	setup(&e, 64, INSN("\x48\x83\x00\xff"), 1);
	CHECK(emulate(&e, 0, true) == 0);
	CHECK(dev.written == 0 && dev.size == 8 && (e.rflags & CF));
}

static void alu_flags(void)
{
	u64 f, r;

	f = 0;
	r = x86_alu(X86_ALU_ADD, 0xff, 1, 1, &f);
	CHECK(r == 0 && f == (CF | PF | AF | ZF));
	f = 0;
	r = x86_alu(X86_ALU_ADD, 0x7f, 1, 1, &f);
	CHECK(r == 0x80 && f == (AF | SF | OF));
	f = 0;
	r = x86_alu(X86_ALU_SUB, 0, 1, 4, &f);
	CHECK(r == 0xffffffff && f == (CF | PF | AF | SF));
	f = 0;
	r = x86_alu(X86_ALU_SUB, 0x80000000, 1, 4, &f);
	CHECK(r == 0x7fffffff && f == (OF | PF | AF));
	f = CF;
	r = x86_alu(X86_ALU_ADC, ~0ULL, 0, 8, &f);
	CHECK(r == 0 && (f & (CF | ZF)) == (CF | ZF));
	f = CF;
	r = x86_alu(X86_ALU_SBB, 5, 4, 2, &f);
	CHECK(r == 0 && (f & (CF | ZF)) == ZF);
	f = CF;
	r = x86_alu(X86_ALU_SBB, 4, 4, 2, &f);
	CHECK(r == 0xffff && (f & (CF | SF)) == (CF | SF));
	f = CF | OF | AF;
	r = x86_alu(X86_ALU_XOR, 0xf0, 0x0f, 1, &f);
	CHECK(r == 0xff && f == (SF | PF));
	f = 0;
	r = x86_alu(X86_ALU_AND, 0xf0, 0x0f, 1, &f);
	CHECK(r == 0 && f == (ZF | PF));
	f = 0;
	r = x86_alu(X86_ALU_OR, 1, 2, 1, &f);
	CHECK(r == 3 && f == PF);
	f = 0x202;		/* IF and the fixed bit stay */
	x86_alu(X86_ALU_CMP, 1, 1, 1, &f);
	CHECK(f == (0x202 | ZF | PF));
}

static void legacy_modes(void)
{
	struct x86_emul e;

	/* 32-bit: mov 0xfee000b0,%eax (moffs), with DS's base */
	setup(&e, 32, INSN("\xa1\xb0\x00\xe0\xfe"), 0);
	CHECK(emulate(&e, 0xfee000b0, false) == 0);
	CHECK(e.rip == 0x1005);
	/* ... mov %eax,0xfee000b0: a store */
	setup(&e, 32, INSN("\xa3\xb0\x00\xe0\xfe"), 0);
	e.gprs[RAX] = 0x1234;
	CHECK(emulate(&e, 0xfee000b0, true) == 0);
	CHECK(dev.written == 0x1234);
	/* mod 0, r/m 5 outside 64-bit mode: an absolute disp32, not EBP */
	setup(&e, 32, INSN("\x8b\x05\x00\x10\x00\x00"), 9);
	e.gprs[RBP] = 0x500;
	CHECK(emulate(&e, 0x1000, false) == 0);
	CHECK(e.gprs[RAX] == 9);
	/* 4(%ebp) is SS-relative */
	setup(&e, 32, INSN("\x8b\x45\x04"), 9);
	e.gprs[RBP] = 0x500;
	e.seg_base[2] = 0x10000;
	e.seg_base[3] = 0x20000;
	CHECK(emulate(&e, 0x10504, false) == 0);

	/* 16-bit: mov (%bx,%si),%ax; mov %al,%es:2(%bp,%di) */
	setup(&e, 16, INSN("\x8b\x00"), 0xabcd);
	e.gprs[RBX] = 0x100;
	e.gprs[RSI] = 0x20;
	e.seg_base[3] = 0xf0000;
	CHECK(emulate(&e, 0xf0120, false) == 0);
	CHECK(e.gprs[RAX] == 0xabcd && dev.size == 2 && e.rip == 0x1002);
	setup(&e, 16, INSN("\x26\x88\x43\x02"), 0);
	e.gprs[RAX] = 0x77;
	e.gprs[RBP] = 0x10;
	e.gprs[RDI] = 0x1;
	e.seg_base[0] = 0xb8000;
	CHECK(emulate(&e, 0xb8013, true) == 0);
	CHECK(dev.written == 0x77);
	/* 16-bit code with 0x66: a 32-bit operand */
	setup(&e, 16, INSN("\x66\x8b\x07"), 0x12345678);
	CHECK(emulate(&e, 0, false) == 0);
	CHECK(e.gprs[RAX] == 0x12345678);
	/* IP wraps at 64K in 16-bit code; RF is cleared. */
	setup(&e, 16, INSN("\x8b\x07"), 0);
	e.rip = 0xffff;
	e.rflags |= 1 << 16;
	CHECK(emulate(&e, 0, false) == 0);
	CHECK(e.rip == 1 && !(e.rflags & (1 << 16)));
}

static void refused(void)
{
	struct x86_emul e;

	/* Another address than the reported one: changed since it faulted. */
	setup(&e, 64, INSN("\x8b\x18"), 0);
	e.gprs[RAX] = 0x1004;
	CHECK(emulate(&e, 0x1000, false) == -EOPNOTSUPP);
	CHECK(dev.reads == 0);
	/* A load where a write was reported, and the other way round */
	setup(&e, 64, INSN("\x8b\x18"), 0);
	CHECK(emulate(&e, 0, true) == -EOPNOTSUPP);
	setup(&e, 64, INSN("\x89\x18"), 0);
	CHECK(emulate(&e, 0, false) == -EOPNOTSUPP);
	/* cmp never writes */
	setup(&e, 64, INSN("\x83\x38\xff"), 0);
	CHECK(emulate(&e, 0, true) == -EOPNOTSUPP);
	/* An operand that crosses into the next page */
	setup(&e, 64, INSN("\x8b\x18"), 0);
	e.gprs[RAX] = 0xffe;
	CHECK(emulate(&e, 0xffe, false) == -EOPNOTSUPP);
	/* Register operands, REP, string and SSE forms, NOT, MOV r/m /1 */
	setup(&e, 64, INSN("\x8b\xc3"), 0);
	CHECK(emulate(&e, 0, false) == -EOPNOTSUPP);
	setup(&e, 64, INSN("\xf3\xab"), 0);
	CHECK(emulate(&e, 0, true) == -EOPNOTSUPP);
	setup(&e, 64, INSN("\xa5"), 0);
	CHECK(emulate(&e, 0, true) == -EOPNOTSUPP);
	setup(&e, 64, INSN("\x0f\x10\x00"), 0);
	CHECK(emulate(&e, 0, false) == -EOPNOTSUPP);
	setup(&e, 64, INSN("\xf7\x10"), 0);
	CHECK(emulate(&e, 0, true) == -EOPNOTSUPP);
	setup(&e, 64, INSN("\xc7\x08\x00\x00\x00\x00"), 0);
	CHECK(emulate(&e, 0, true) == -EOPNOTSUPP);
	/* MOVSXD is ARPL outside 64-bit mode */
	setup(&e, 32, INSN("\x63\x00"), 0);
	CHECK(emulate(&e, 0, false) == -EOPNOTSUPP);
	/* Cut short: the displacement was not fetched */
	setup(&e, 64, INSN("\x8b\x80\x00\x10"), 0);
	CHECK(emulate(&e, 0x1000, false) == -EOPNOTSUPP);
	/* LOCK MOV is #UD, not ours; LOCK OR and XCHG are fine. */
	setup(&e, 64, INSN("\xf0\x89\x18"), 0);
	CHECK(emulate(&e, 0, true) == -EOPNOTSUPP);
	setup(&e, 64, INSN("\xf0\x83\x08\x01"), 0);
	CHECK(emulate(&e, 0, true) == 0);
	setup(&e, 64, INSN("\xf0\x87\x18"), 0);
	CHECK(emulate(&e, 0, true) == 0);
	/* Fifteen prefixes and more: too long for an instruction */
	setup(&e, 64, INSN("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66"
			   "\x66\x66\x8b"), 0);
	CHECK(emulate(&e, 0, false) == -EOPNOTSUPP);
	CHECK(dev.reads == 0 && dev.writes == 0);
}

/* INS and OUTS: where the element is, how the registers move. */
static void string_io(void)
{
	struct x86_string_io s;
	struct x86_emul e;

	/* rep insb, 64-bit: ES:RDI (ES's base does not count), RCX. */
	setup(&e, 64, INSN("\xf3\x6c"), 0);
	e.seg_base[0] = 0x9000;
	e.gprs[RDI] = 0x5000;
	e.gprs[RCX] = 3;
	CHECK(x86_decode_string_io(&e, true, 1, &s) == 0);
	CHECK(s.linear == 0x5000 && s.count == 3 && s.rep && !s.down);
	CHECK(s.reg == RDI && s.adsize == 8 && s.next_rip == 0x1002);
	x86_string_io_done(&e, &s, 1, 2);
	CHECK(e.gprs[RDI] == 0x5002 && e.gprs[RCX] == 1 && e.rip == 0x1000);
	CHECK(s.linear == 0x5002 && s.count == 1);
	x86_string_io_done(&e, &s, 1, 1);
	CHECK(e.gprs[RCX] == 0 && e.rip == 0x1002);

	/* outsl with %fs, DF set: FS's base counts, RSI goes down. */
	setup(&e, 64, INSN("\x64\x6f"), 0);
	e.seg_base[4] = 0x100000;
	e.gprs[RSI] = 0x40;
	e.rflags |= 1 << 10;
	CHECK(x86_decode_string_io(&e, false, 4, &s) == 0);
	CHECK(s.linear == 0x100040 && s.count == 1 && !s.rep && s.down);
	x86_string_io_done(&e, &s, 4, 1);
	CHECK(e.gprs[RSI] == 0x3c && e.rip == 0x1002);

	/* addr32 rep outsw, 64-bit: ESI and ECX, written back zero-extended. */
	setup(&e, 64, INSN("\x67\xf3\x66\x6f"), 0);
	e.gprs[RSI] = 0xaaaaaaaafffffffeULL;
	e.gprs[RCX] = 0xbbbbbbbb00000001ULL;
	CHECK(x86_decode_string_io(&e, false, 2, &s) == 0);
	CHECK(s.adsize == 4 && s.linear == 0xfffffffe && s.count == 1);
	x86_string_io_done(&e, &s, 2, 1);
	CHECK(e.gprs[RSI] == 0 && e.gprs[RCX] == 0 && e.rip == 0x1004);

	/* rep insw, 16-bit: ES:DI with ES's base; DI wraps, RDI's rest kept. */
	setup(&e, 16, INSN("\xf3\x6d"), 0);
	e.seg_base[0] = 0x20000;
	e.gprs[RDI] = 0x12345ffffULL;
	e.gprs[RCX] = 0x10002;
	CHECK(x86_decode_string_io(&e, true, 2, &s) == 0);
	CHECK(s.adsize == 2 && s.linear == 0x2ffff && s.count == 2);
	x86_string_io_done(&e, &s, 2, 1);
	CHECK(e.gprs[RDI] == 0x123450001ULL && e.gprs[RCX] == 0x10001);

	/* REP with rCX 0: nothing to move, it retires. */
	setup(&e, 32, INSN("\xf3\x6e"), 0);
	CHECK(x86_decode_string_io(&e, false, 1, &s) == 0 && s.count == 0);
	x86_string_io_done(&e, &s, 1, 0);
	CHECK(e.rip == 0x1002);

	/* REX.W: still 4 bytes of I/O. */
	setup(&e, 64, INSN("\x48\x6d"), 0);
	CHECK(x86_decode_string_io(&e, true, 4, &s) == 0);

	/* Not the instruction the exit reported: refused. */
	setup(&e, 64, INSN("\x6c"), 0);
	CHECK(x86_decode_string_io(&e, false, 1, &s) == -EOPNOTSUPP);
	CHECK(x86_decode_string_io(&e, true, 2, &s) == -EOPNOTSUPP);
	setup(&e, 64, INSN("\x66\x6d"), 0);
	CHECK(x86_decode_string_io(&e, true, 4, &s) == -EOPNOTSUPP);
	setup(&e, 64, INSN("\xec"), 0);			/* in (%dx),%al */
	CHECK(x86_decode_string_io(&e, true, 1, &s) == -EOPNOTSUPP);
	setup(&e, 64, INSN("\xf3"), 0);			/* cut short */
	CHECK(x86_decode_string_io(&e, true, 1, &s) == -EOPNOTSUPP);
}

int main(void)
{
	printf("TAP version 13\n1..7\n");
	tap_run("loads", loads);
	tap_run("stores", stores);
	tap_run("alu_memory", alu_memory);
	tap_run("alu_flags", alu_flags);
	tap_run("legacy_modes", legacy_modes);
	tap_run("refused", refused);
	tap_run("string_io", string_io);
	return tap_status();
}
