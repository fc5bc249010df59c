// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of module/x86_walk.c in userspace: page tables built in a
 * buffer for each paging mode, translations and every refusal.  TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../x86.h"

#define MEM	(1 << 20)

static unsigned char mem[MEM];
static int nr, failed_total;

static int read_gpa(void *ctx, u64 gpa, void *buf, size_t len)
{
	if (gpa >= MEM || len > MEM - gpa)
		return -EFAULT;
	memcpy(buf, mem + gpa, len);
	return 0;
}

static struct x86_walk walk(u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	struct x86_walk w = {
		.paging = { .cr0 = cr0, .cr3 = cr3, .cr4 = cr4, .efer = efer },
		.read_gpa = read_gpa,
	};
	return w;
}

static void put32(u64 gpa, u32 v) { memcpy(mem + gpa, &v, 4); }
static void put64(u64 gpa, u64 v) { memcpy(mem + gpa, &v, 8); }

/*
 * Translates @gva and compares: @want of -1 means it must be refused,
 * with a #PF (-EFAULT) or without (-ENXIO).
 */
#define CHECK_GVA(w, gva, write, want)					\
	do {								\
		u64 gpa = 0;						\
		int r = x86_gva_to_gpa(&(w), (gva), (write), &gpa, NULL); \
		if ((long long)(want) < 0 ? (r != -EFAULT && r != -ENXIO) : \
		    (r || gpa != (u64)(want))) {			\
			printf("# %s:%d: gva %#llx -> %d %#llx\n", __FILE__, \
			       __LINE__, (unsigned long long)(gva), r,	\
			       (unsigned long long)gpa);		\
			failed = 1;					\
		}							\
	} while (0)

#define PG	X86_CR0_PG
#define PE	X86_CR0_PE
#define WP	X86_CR0_WP

static int no_paging(void)
{
	struct x86_walk w = walk(PE, 0, 0, 0);
	int failed = 0;

	CHECK_GVA(w, 0x1234, false, 0x1234);
	CHECK_GVA(w, 0x1ffffffffull, false, 0xffffffff);	/* 32 bits */
	return failed;
}

static int paging_32(void)
{
	struct x86_walk w = walk(PE | PG | WP, 0x1000, X86_CR4_PSE, 0);
	int failed = 0;

	memset(mem, 0, MEM);
	put32(0x1000 + 0 * 4, 0x2000 | 3);		/* PDE 0 -> PT */
	put32(0x2000 + 5 * 4, 0x7000 | 3);		/* 0x5000 -> 0x7000 */
	put32(0x2000 + 6 * 4, 0x8000 | 1);		/* read-only */
	put32(0x1000 + 1 * 4, 0x00c00000 | 0x83);	/* 4 MiB page */
	CHECK_GVA(w, 0x5123, false, 0x7123);
	CHECK_GVA(w, 0x6010, false, 0x8010);
	CHECK_GVA(w, 0x6010, true, -1);			/* WP on */
	CHECK_GVA(w, 0x401234, false, 0xc01234);
	CHECK_GVA(w, 0x9000, false, -1);		/* not present */
	CHECK_GVA(w, 0x100000000ull, false, -1);
	w.paging.cr0 &= ~(u64)WP;
	CHECK_GVA(w, 0x6010, true, 0x8010);		/* WP off */
	w.paging.cr4 = 0;				/* no PSE: a table */
	CHECK_GVA(w, 0x401234, false, -1);		/* 0xc00000: no RAM */
	return failed;
}

static int paging_pae(void)
{
	struct x86_walk w = walk(PE | PG | WP, 0x1000, X86_CR4_PAE, 0);
	int failed = 0;

	memset(mem, 0, MEM);
	put64(0x1000 + 1 * 8, 0x2000 | 1);		/* PDPTE 1 */
	put64(0x2000 + 0 * 8, 0x3000 | 3);		/* PDE 0 -> PT */
	put64(0x3000 + 1 * 8, 0x9000 | 3);
	put64(0x2000 + 1 * 8, 0x400000 | 0x83);		/* 2 MiB page */
	CHECK_GVA(w, 0x40001abc, true, 0x9abc);
	CHECK_GVA(w, 0x40212345, false, 0x412345);
	CHECK_GVA(w, 0x00001000, false, -1);		/* PDPTE 0 absent */
	CHECK_GVA(w, 0x40003000, false, -1);
	return failed;
}

static int paging_64(void)
{
	struct x86_walk w = walk(PE | PG | WP, 0x1000, X86_CR4_PAE,
				 EFER_LME | EFER_LMA);
	int failed = 0;

	memset(mem, 0, MEM);
	put64(0x1000 + 0 * 8, 0x2000 | 3);		/* PML4E 0 */
	put64(0x2000 + 0 * 8, 0x3000 | 3);		/* PDPTE 0 -> PD */
	put64(0x3000 + 0 * 8, 0x4000 | 3);		/* PDE 0 -> PT */
	put64(0x4000 + 2 * 8, 0xa000 | 3);
	put64(0x3000 + 1 * 8, 0x200000 | 0x83);		/* 2 MiB */
	put64(0x2000 + 1 * 8, 0x40000000ull | 0x83);	/* 1 GiB */
	put64(0x1000 + 1 * 8, 0x80 | 3);		/* PS at level 4 */
	CHECK_GVA(w, 0x2fff, false, 0xafff);
	CHECK_GVA(w, 0x212345, false, 0x212345);
	CHECK_GVA(w, 0x40654321, false, 0x40654321);
	CHECK_GVA(w, 0x8000000000ull, false, -1);	/* PS in PML4E */
	CHECK_GVA(w, 0x0000800000000000ull, false, -1);	/* non-canonical */
	CHECK_GVA(w, 0xffff800000000000ull, false, -1);	/* canonical, absent */
	w.paging.cr4 |= X86_CR4_LA57;
	CHECK_GVA(w, 0x2fff, false, -1);		/* 5-level: not offered */
	w.paging.cr4 &= ~(u64)X86_CR4_LA57;
	w.paging.cr3 = MEM;				/* tables outside RAM */
	CHECK_GVA(w, 0x2fff, false, -1);
	return failed;
}

/* The #PF error code of a refusal; -1 for success, -2 for no #PF. */
static long pfec_of(const struct x86_walk *w, u64 gva, bool write)
{
	u32 pfec = 0xdead;
	u64 gpa;
	int r = x86_gva_to_gpa(w, gva, write, &gpa, &pfec);

	return !r ? -1 : r == -EFAULT ? (long)pfec : -2;
}

/* User accesses, and the error code of each refusal. */
static int error_codes(void)
{
	struct x86_walk w = walk(PE | PG | WP, 0x1000, X86_CR4_PAE,
				 EFER_LME | EFER_LMA);
	int failed = 0;

	memset(mem, 0, MEM);
	put64(0x1000, 0x2000 | 7);			/* user, writable */
	put64(0x2000, 0x3000 | 7);
	put64(0x3000, 0x4000 | 7);
	put64(0x4000 + 1 * 8, 0x5000 | 7);		/* user page */
	put64(0x4000 + 2 * 8, 0x6000 | 3);		/* supervisor page */
	put64(0x4000 + 3 * 8, 0x7000 | 5);		/* user, read-only */
	put64(0x4000 + 4 * 8, 0x8000 | 1);		/* supervisor, read-only */
	w.user = true;
	CHECK_GVA(w, 0x1234, true, 0x5234);
	CHECK_GVA(w, 0x3234, false, 0x7234);
	if (pfec_of(&w, 0x2000, false) != (X86_PF_PROT | X86_PF_USER) ||
	    pfec_of(&w, 0x3000, true) !=
	    (X86_PF_PROT | X86_PF_USER | X86_PF_WRITE) ||
	    pfec_of(&w, 0x9000, true) != (X86_PF_USER | X86_PF_WRITE))
		failed = 1;
	w.user = false;
	CHECK_GVA(w, 0x2000, true, 0x6000);
	if (pfec_of(&w, 0x4000, true) != (X86_PF_PROT | X86_PF_WRITE) ||
	    pfec_of(&w, 0x9000, false) != 0)
		failed = 1;
	w.paging.cr0 &= ~(u64)WP;			/* supervisor may write */
	CHECK_GVA(w, 0x4000, true, 0x8000);
	/* No #PF: non-canonical, or tables outside RAM. */
	if (pfec_of(&w, 0x0000800000000000ull, false) != -2)
		failed = 1;
	w.paging.cr3 = MEM;
	if (pfec_of(&w, 0x1000, false) != -2)
		failed = 1;
	/* A large page at level 4 is a reserved bit. */
	w.paging.cr3 = 0x1000;
	put64(0x1000 + 8, 0x80 | 3);
	if (pfec_of(&w, 0x8000000000ull, false) != (X86_PF_PROT | X86_PF_RSVD))
		failed = 1;
	return failed;
}

static void run(const char *name, int (*fn)(void))
{
	int failed = fn();

	nr++;
	failed_total += failed;
	printf("%sok %d %s\n", failed ? "not " : "", nr, name);
}

int main(void)
{
	printf("TAP version 13\n1..5\n");
	run("no_paging", no_paging);
	run("paging_32", paging_32);
	run("paging_pae", paging_pae);
	run("paging_64", paging_64);
	run("error_codes", error_codes);
	return failed_total ? 1 : 0;
}
