// SPDX-License-Identifier: GPL-2.0
/*
 * The instructions a guest uses on memory-mapped I/O, emulated when the
 * access hit a guest-physical address with no RAM behind it (an EPT
 * violation, or a nested page fault on SVM): the data moves (MOV, MOVZX,
 * MOVSX, MOVSXD, XCHG), the integer ALU forms with a memory operand (ADD,
 * OR, ADC, SBB, AND, SUB, XOR, CMP, TEST) and their arithmetic flags
 * (Intel SDM Vol. 2).  Compilers emit those for a volatile pointer, and
 * Linux's readl()/writel() are plain MOVs.  Anything else (string
 * instructions, SSE, an operand that crosses a page) is refused: the
 * caller stops the guest, as before this emulator existed.
 *
 * The operand's address is the one the exit reported; the decoded one is
 * checked against it, so an instruction changed since it faulted, or an
 * access that began on the page before, is refused rather than guessed.
 *
 * Port I/O's string forms (INS, OUTS, with REP) are decoded here too, for
 * module/io_ports.c: where the element is and how the registers move.
 */
#include <linux/errno.h>
#include <linux/string.h>

#include "x86.h"

#define RFLAGS_CF	BIT_ULL(0)
#define RFLAGS_PF	BIT_ULL(2)
#define RFLAGS_AF	BIT_ULL(4)
#define RFLAGS_ZF	BIT_ULL(6)
#define RFLAGS_SF	BIT_ULL(7)
#define RFLAGS_OF	BIT_ULL(11)
#define RFLAGS_RF	BIT_ULL(16)
#define RFLAGS_ARITH	(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | \
			 RFLAGS_SF | RFLAGS_OF)

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

/* What the decoder found: the instruction's shape, not yet its effect. */
struct x86_decoded {
	unsigned int len;	/* bytes consumed so far */
	unsigned int opsize;	/* 1, 2, 4 or 8 */
	unsigned int adsize;	/* 2, 4 or 8 */
	int seg;		/* override, or -1 */
	bool lock;
	u8 rep;			/* 0xf2, 0xf3, or 0 */
	u8 rex;
	u8 modrm;
	u64 linear;		/* the memory operand's linear address */
};

/* The next instruction byte, or -1 past what was fetched. */
static int x86_next(const struct x86_emul *e, struct x86_decoded *d)
{
	if (d->len >= e->insn_len || d->len >= X86_MAX_INSN_LEN)
		return -1;
	return e->insn[d->len++];
}

/* A little-endian immediate or displacement of @n bytes, sign-extended. */
static int x86_imm(const struct x86_emul *e, struct x86_decoded *d,
		   unsigned int n, s64 *val)
{
	u64 v = 0;
	unsigned int i;
	int b;

	for (i = 0; i < n; i++) {
		b = x86_next(e, d);
		if (b < 0)
			return -EOPNOTSUPP;
		v |= (u64)b << (8 * i);
	}
	*val = n == 8 ? (s64)v : (s64)(v << (64 - 8 * n)) >> (64 - 8 * n);
	return 0;
}

static u64 x86_mask(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* The 16-bit forms of ModRM (SDM Vol. 2, table 2-1). */
static int x86_ea16(const struct x86_emul *e, struct x86_decoded *d,
		    u64 *ea, int *seg)
{
	static const signed char base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
	static const signed char index[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };
	unsigned int mod = d->modrm >> 6, rm = d->modrm & 7;
	s64 disp = 0;

	*seg = (rm == 2 || rm == 3 || (rm == 6 && mod)) ? SEG_SS : SEG_DS;
	if (mod == 0 && rm == 6) {
		if (x86_imm(e, d, 2, &disp))
			return -EOPNOTSUPP;
		*ea = (u16)disp;
		return 0;
	}
	if (mod && x86_imm(e, d, mod == 1 ? 1 : 2, &disp))
		return -EOPNOTSUPP;
	*ea = e->gprs[base[rm]] + disp;
	if (index[rm] >= 0)
		*ea += e->gprs[index[rm]];
	*ea = (u16)*ea;
	return 0;
}

/*
 * The 32- and 64-bit forms, SIB and RIP-relative (tables 2-2, 2-3).
 * Return: 1 for RIP-relative (the caller adds the next instruction's
 * address, once its length is known), 0, or -EOPNOTSUPP.
 */
static int x86_ea32(const struct x86_emul *e, struct x86_decoded *d,
		    u64 *ea, int *seg)
{
	unsigned int mod = d->modrm >> 6, rm = d->modrm & 7, base = rm, index;
	bool no_base = mod == 0 && rm == 5;	/* RIP-relative in 64-bit mode */
	s64 disp = 0;
	int sib;

	*ea = 0;
	*seg = SEG_DS;
	if (rm == 4) {
		sib = x86_next(e, d);
		if (sib < 0)
			return -EOPNOTSUPP;
		base = sib & 7;
		no_base = mod == 0 && base == 5;
		index = ((sib >> 3) & 7) | ((d->rex & 2) << 2);	/* REX.X */
		if (index != 4)
			*ea = e->gprs[index] << (sib >> 6);
	}
	if ((mod == 1 || mod == 2 || no_base) &&
	    x86_imm(e, d, mod == 1 ? 1 : 4, &disp))
		return -EOPNOTSUPP;
	*ea += disp;
	if (no_base)
		return rm == 5 && e->mode == 64;
	base |= (d->rex & 1) << 3;		/* REX.B */
	*ea += e->gprs[base];
	if ((base & 7) == 4 || (base & 7) == 5)
		*seg = SEG_SS;
	return 0;
}

/*
 * The memory operand of ModRM: its linear address in d->linear.  @tail is
 * how many immediate bytes follow it (RIP-relative addresses count from
 * the instruction's end).  A register operand (mod 3) is not MMIO.
 */
static int x86_modrm_mem(const struct x86_emul *e, struct x86_decoded *d,
			 unsigned int tail)
{
	int m = x86_next(e, d), seg, ret;
	u64 ea;

	if (m < 0 || (m >> 6) == 3)
		return -EOPNOTSUPP;
	d->modrm = m;
	if (d->adsize == 2)
		ret = x86_ea16(e, d, &ea, &seg);
	else
		ret = x86_ea32(e, d, &ea, &seg);
	if (ret < 0)
		return ret;
	if (ret == 1)
		ea += e->rip + d->len + tail;
	if (d->adsize == 4)
		ea = (u32)ea;
	if (d->seg >= 0)
		seg = d->seg;
	/* In 64-bit mode only FS and GS have a base. */
	if (e->mode != 64 || seg == SEG_FS || seg == SEG_GS)
		ea += e->seg_base[seg];
	d->linear = e->mode == 64 ? ea : (u32)ea;
	return 0;
}

/* A general register of @size bytes, by number (AH-BH without REX). */
static u64 x86_reg_read(const struct x86_emul *e, const struct x86_decoded *d,
			unsigned int reg, unsigned int size)
{
	if (size == 1 && !d->rex && reg >= 4 && reg < 8)
		return (e->gprs[reg - 4] >> 8) & 0xff;
	return e->gprs[reg] & x86_mask(size);
}

/* As the CPU writes it: 32-bit results clear the upper half. */
static void x86_reg_write(struct x86_emul *e, const struct x86_decoded *d,
			  unsigned int reg, unsigned int size, u64 val)
{
	u64 *r = &e->gprs[reg];

	if (size == 1 && !d->rex && reg >= 4 && reg < 8) {
		r = &e->gprs[reg - 4];
		*r = (*r & ~0xff00ULL) | (val & 0xff) << 8;
	} else if (size == 4) {
		*r = (u32)val;
	} else {
		*r = (*r & ~x86_mask(size)) | (val & x86_mask(size));
	}
}

/* Parity of the low byte: PF is set for an even number of ones. */
static bool x86_parity_even(u64 v)
{
	v &= 0xff;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return !(v & 1);
}

/**
 * x86_alu() - an integer ALU operation and its arithmetic flags
 * @op:     ADD, OR, ADC, SBB, AND, SUB, XOR, CMP or TEST
 * @a:      the destination operand
 * @b:      the source operand
 * @size:   1, 2, 4 or 8 bytes
 * @rflags: in: CF for ADC and SBB; out: CF, PF, AF, ZF, SF, OF
 *
 * AF is 0 after the logical operations, where the SDM leaves it undefined.
 *
 * Return: the result, @size bytes wide.
 */
u64 x86_alu(unsigned int op, u64 a, u64 b, unsigned int size, u64 *rflags)
{
	u64 m = x86_mask(size), sign = 1ULL << (size * 8 - 1), r, f = 0;
	u64 c = *rflags & RFLAGS_CF;

	a &= m;
	b &= m;
	switch (op) {
	case X86_ALU_ADD:
	case X86_ALU_ADC:
		c = op == X86_ALU_ADC ? c : 0;
		r = (a + b + c) & m;
		if (c ? r <= a : r < a)
			f |= RFLAGS_CF;
		if ((a ^ r) & (b ^ r) & sign)
			f |= RFLAGS_OF;
		f |= (a ^ b ^ r) & RFLAGS_AF;
		break;
	case X86_ALU_SUB:
	case X86_ALU_SBB:
	case X86_ALU_CMP:
		c = op == X86_ALU_SBB ? c : 0;
		r = (a - b - c) & m;
		if (c ? a <= b : a < b)
			f |= RFLAGS_CF;
		if ((a ^ b) & (a ^ r) & sign)
			f |= RFLAGS_OF;
		f |= (a ^ b ^ r) & RFLAGS_AF;
		break;
	case X86_ALU_OR:
		r = a | b;
		break;
	case X86_ALU_XOR:
		r = a ^ b;
		break;
	default:	/* AND, TEST */
		r = a & b;
		break;
	}
	if (!r)
		f |= RFLAGS_ZF;
	if (r & sign)
		f |= RFLAGS_SF;
	if (x86_parity_even(r))
		f |= RFLAGS_PF;
	*rflags = (*rflags & ~RFLAGS_ARITH) | f;
	return r;
}

/* Legacy and REX prefixes; operand and address sizes from them. */
static int x86_prefixes(const struct x86_emul *e, struct x86_decoded *d)
{
	bool opsize = false, adsize = false;
	int b;

	d->seg = -1;
	for (;;) {
		b = x86_next(e, d);
		if (b < 0)
			return -EOPNOTSUPP;
		if (b == 0x66) {
			opsize = true;
		} else if (b == 0x67) {
			adsize = true;
		} else if (b == 0xf0) {
			d->lock = true;	/* one device access is atomic anyway */
		} else if (b == 0xf2 || b == 0xf3) {
			d->rep = b;	/* REP, or part of an SSE opcode */
		} else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e) {
			d->seg = (b >> 3) & 3;		/* ES, CS, SS, DS */
		} else if (b == 0x64 || b == 0x65) {
			d->seg = SEG_FS + (b & 1);
		} else if (e->mode == 64 && (b & 0xf0) == 0x40) {
			d->rex = b;
			b = x86_next(e, d);	/* REX comes last */
			if (b < 0)
				return -EOPNOTSUPP;
			break;
		} else {
			break;
		}
		d->rex = 0;
	}
	if (e->mode == 16)
		d->opsize = opsize ? 4 : 2;
	else
		d->opsize = opsize ? 2 : 4;
	if (d->rex & 8)				/* REX.W */
		d->opsize = 8;
	if (e->mode == 64)
		d->adsize = adsize ? 4 : 8;
	else
		d->adsize = ((e->mode == 16) != adsize) ? 2 : 4;
	return b;
}

/* The immediate of an operand of @size bytes: at most 32 bits. */
static unsigned int x86_imm_len(unsigned int size)
{
	return size == 8 ? 4 : size;
}

/* MOV AL/rAX <-> moffs: the address is in the instruction. */
static int x86_moffs(const struct x86_emul *e, struct x86_decoded *d)
{
	int seg = d->seg >= 0 ? d->seg : SEG_DS;
	s64 off;

	if (x86_imm(e, d, d->adsize, &off))
		return -EOPNOTSUPP;
	d->linear = (u64)off & x86_mask(d->adsize);
	if (e->mode != 64 || seg == SEG_FS || seg == SEG_GS)
		d->linear += e->seg_base[seg];
	if (e->mode != 64)
		d->linear = (u32)d->linear;
	d->modrm = 0;				/* the register is rAX */
	d->rex &= ~4;
	return 0;
}

/**
 * x86_emulate_mmio() - emulate the instruction that touched unbacked memory
 * @e:      the guest's registers and the instruction's bytes; updated
 * @gpa:    the guest-physical address the access hit
 * @write:  the access was a write
 * @access: reads or writes the device at a guest-physical address
 * @ctx:    for @access
 *
 * Return: 0, the instruction retired (registers, RFLAGS and RIP updated),
 * -EOPNOTSUPP (not one emulated, or not the access that was reported), or
 * what @access returned.
 */
int x86_emulate_mmio(struct x86_emul *e, u64 gpa, bool write,
		     x86_mmio_fn access, void *ctx)
{
	struct x86_decoded d = { 0 };
	unsigned int size, reg, op = X86_ALU_NONE, imm_len = 0, dst_size;
	bool load = false, store = false, to_reg = false, sign = false;
	u64 val = 0, src, rflags = e->rflags;
	int opcode, ret;
	s64 imm = 0;

	opcode = x86_prefixes(e, &d);
	if (opcode < 0)
		return opcode;
	if (d.rep)
		return -EOPNOTSUPP;	/* a string instruction, or SSE */
	size = (opcode & 1) ? d.opsize : 1;
	dst_size = size;
	switch (opcode) {
	case 0x00 ... 0x03: case 0x08 ... 0x0b: case 0x10 ... 0x13:
	case 0x18 ... 0x1b: case 0x20 ... 0x23: case 0x28 ... 0x2b:
	case 0x30 ... 0x33: case 0x38 ... 0x3b:
		op = (opcode >> 3) & 7;		/* ADD ... CMP */
		to_reg = opcode & 2;
		break;
	case 0x84: case 0x85:			/* TEST r/m, r */
		op = X86_ALU_TEST;
		break;
	case 0x86: case 0x87:			/* XCHG r/m, r */
		load = store = to_reg = true;
		break;
	case 0x88: case 0x89:			/* MOV r/m, r */
		store = true;
		break;
	case 0x8a: case 0x8b:			/* MOV r, r/m */
		load = to_reg = true;
		break;
	case 0x63:				/* MOVSXD r, r/m32 */
		if (e->mode != 64)
			return -EOPNOTSUPP;
		size = d.opsize == 8 ? 4 : d.opsize;
		dst_size = d.opsize;
		load = to_reg = sign = true;
		break;
	case 0x80: case 0x81: case 0x83:	/* group 1: ALU r/m, imm */
		size = opcode == 0x80 ? 1 : d.opsize;
		imm_len = opcode == 0x81 ? x86_imm_len(size) : 1;
		op = X86_ALU_GROUP;
		break;
	case 0xc6: case 0xc7:			/* MOV r/m, imm */
		imm_len = x86_imm_len(size);
		store = true;
		break;
	case 0xf6: case 0xf7:			/* group 3: TEST r/m, imm */
		imm_len = x86_imm_len(size);
		op = X86_ALU_TEST;
		break;
	case 0xa0 ... 0xa3:			/* MOV AL/rAX <-> moffs */
		load = to_reg = opcode < 0xa2;
		store = !load;
		break;
	case 0x0f:				/* MOVZX, MOVSX r, r/m8 or 16 */
		opcode = 0x0f00 | x86_next(e, &d);
		if (opcode != 0x0fb6 && opcode != 0x0fb7 &&
		    opcode != 0x0fbe && opcode != 0x0fbf)
			return -EOPNOTSUPP;
		size = (opcode & 1) ? 2 : 1;
		dst_size = d.opsize;
		sign = opcode >= 0x0fbe;
		load = to_reg = true;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (opcode >= 0xa0 && opcode <= 0xa3)
		ret = x86_moffs(e, &d);
	else
		ret = x86_modrm_mem(e, &d, imm_len);
	if (ret)
		return ret;
	reg = (d.modrm >> 3) & 7;
	if (op == X86_ALU_GROUP)
		op = reg;
	if ((opcode == 0xc6 || opcode == 0xc7) && reg)
		return -EOPNOTSUPP;
	if ((opcode == 0xf6 || opcode == 0xf7) && reg > 1)
		return -EOPNOTSUPP;		/* NOT, NEG, MUL, DIV ... */
	reg |= (d.rex & 4) << 1;		/* REX.R */
	if (imm_len && x86_imm(e, &d, imm_len, &imm))
		return -EOPNOTSUPP;
	/* An ALU instruction reads memory; it writes it back unless it tests. */
	if (op != X86_ALU_NONE) {
		load = true;
		store = !to_reg && op != X86_ALU_CMP && op != X86_ALU_TEST;
	}
	/* LOCK is #UD but on a read-modify-write: not emulated then. */
	if (d.lock && !(load && store))
		return -EOPNOTSUPP;
	/* The access the CPU reported, and no other. */
	if ((d.linear & 0xfff) != (gpa & 0xfff) ||
	    (gpa & 0xfff) + size > 0x1000 || (write ? !store : !load))
		return -EOPNOTSUPP;

	src = imm_len ? (u64)imm : x86_reg_read(e, &d, reg, size);
	if (load) {
		ret = access(ctx, gpa, size, false, &val);
		if (ret)
			return ret;
		val &= x86_mask(size);
	}
	if (sign)
		val = (u64)((s64)(val << (64 - 8 * size)) >> (64 - 8 * size));
	if (op != X86_ALU_NONE) {
		if (!to_reg)
			val = x86_alu(op, val, src, size, &rflags);
		else if (op != X86_ALU_CMP)
			x86_reg_write(e, &d, reg, size,
				      x86_alu(op, src, val, size, &rflags));
		else
			x86_alu(op, src, val, size, &rflags);
	} else if (to_reg) {
		x86_reg_write(e, &d, reg, dst_size, val);	/* a load */
		val = src;				/* XCHG stores */
	} else {
		val = src;				/* a store */
	}
	if (store) {
		ret = access(ctx, gpa, size, true, &val);
		if (ret)
			return ret;
	}
	e->rflags = rflags & ~RFLAGS_RF;	/* an instruction retired */
	e->rip += d.len;
	if (e->mode == 16)
		e->rip = (u16)e->rip;
	else if (e->mode == 32)
		e->rip = (u32)e->rip;
	return 0;
}

/* IP after an instruction of @len bytes, wrapped as the mode wraps it. */
static u64 x86_next_ip(const struct x86_emul *e, unsigned int len)
{
	u64 ip = e->rip + len;

	return e->mode == 64 ? ip : e->mode == 32 ? (u32)ip : (u16)ip;
}

/**
 * x86_decode_string_io() - the INS or OUTS an I/O exit reported
 * @e:    the guest's registers and the instruction's bytes
 * @in:   the exit was an IN (INS), else an OUT (OUTS)
 * @size: its access size: 1, 2 or 4
 * @s:    out: the element's linear address, the elements left, ...
 *
 * INS stores at ES:rDI, OUTS loads from DS:rSI (or the override's
 * segment); the address size (and 0x67) says rSI/rDI's and rCX's width.
 *
 * Return: 0, or -EOPNOTSUPP if the bytes are not that INS or OUTS (the
 * guest changed them since the exit).
 */
int x86_decode_string_io(const struct x86_emul *e, bool in, unsigned int size,
			 struct x86_string_io *s)
{
	struct x86_decoded d = { 0 };
	int opcode = x86_prefixes(e, &d), seg;
	u64 mask;

	if (opcode < 0)
		return -EOPNOTSUPP;
	if (opcode != (in ? 0x6c : 0x6e) + (size > 1) ||
	    (size > 1 && d.opsize != size && !(d.opsize == 8 && size == 4)))
		return -EOPNOTSUPP;
	mask = x86_mask(d.adsize);
	s->adsize = d.adsize;
	s->reg = in ? 7 : 6;				/* rDI, rSI */
	seg = in ? SEG_ES : d.seg >= 0 ? d.seg : SEG_DS;
	s->linear = e->gprs[s->reg] & mask;
	if (e->mode != 64 || seg == SEG_FS || seg == SEG_GS)
		s->linear += e->seg_base[seg];
	if (e->mode != 64)
		s->linear = (u32)s->linear;
	s->rep = d.rep != 0;
	s->count = s->rep ? e->gprs[1] & mask : 1;	/* rCX */
	s->down = e->rflags & BIT_ULL(10);		/* DF */
	s->next_rip = x86_next_ip(e, d.len);
	return 0;
}

/* Writes @val into register @reg at @size bytes, as the CPU does. */
static void x86_string_reg(struct x86_emul *e, int reg, unsigned int size,
			   u64 val)
{
	struct x86_decoded d = { .rex = 1 };

	x86_reg_write(e, &d, reg, size, val);
}

/**
 * x86_string_io_done() - @n elements of @size bytes moved
 * @e:    the registers; updated
 * @s:    from x86_decode_string_io(), updated to match
 * @size: the element size
 * @n:    how many, at most s->count
 *
 * rSI or rDI moves by @n elements (down if DF), rCX counts them off a
 * REP, and once none is left the instruction retires (RIP past it, RF
 * clear); until then RIP stays on it and the CPU runs it again.
 */
void x86_string_io_done(struct x86_emul *e, struct x86_string_io *s,
			unsigned int size, u64 n)
{
	u64 step = n * size;

	x86_string_reg(e, s->reg, s->adsize, s->down ?
		       e->gprs[s->reg] - step : e->gprs[s->reg] + step);
	s->linear = s->down ? s->linear - step : s->linear + step;
	s->count -= n;
	if (s->rep)
		x86_string_reg(e, 1, s->adsize, s->count);
	if (!s->count) {
		e->rip = s->next_rip;
		e->rflags &= ~RFLAGS_RF;
	}
}
