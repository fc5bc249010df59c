/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instruction counters of a bench build (make bench builds the module
 * with MICROV_BENCH=1): how many of each instruction that costs on a
 * real CPU the module executes, counted where it executes them, and how
 * many VM exits there were.  /sys/class/misc/microv/bench shows them;
 * writing to it resets them.  Other builds count nothing and have no
 * such file.
 */
#ifndef MICROV_BENCH_H
#define MICROV_BENCH_H

#include <linux/percpu.h>
#include <linux/types.h>

enum microv_insn {
	MICROV_INSN_EXIT,	/* VM exits, not an instruction */
	MICROV_INSN_VMREAD,
	MICROV_INSN_VMWRITE,
	MICROV_INSN_RDMSR,
	MICROV_INSN_WRMSR,
	MICROV_INSN_XSAVE,
	MICROV_INSN_XRSTOR,
	MICROV_INSN_XSETBV,
	MICROV_INSN_LGDT_LIDT_LTR,
	MICROV_INSN_SEGMENT_LOAD,
	MICROV_INSN_MOV_DR,
	MICROV_NR_INSN
};

#ifdef MICROV_BENCH
struct microv_bench {
	u64 count[MICROV_NR_INSN];
};

DECLARE_PER_CPU(struct microv_bench, microv_bench);

#define microv_count(insn)	this_cpu_inc(microv_bench.count[insn])
#define microv_count_n(insn, n)	this_cpu_add(microv_bench.count[insn], n)
#else
#define microv_count(insn)	do { } while (0)
#define microv_count_n(insn, n)	do { } while (0)
#endif

extern const struct attribute_group microv_bench_group;

#endif /* MICROV_BENCH_H */
