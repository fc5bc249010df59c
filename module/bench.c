// SPDX-License-Identifier: GPL-2.0
/* The counters of a bench build (bench.h), summed over the CPUs. */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "bench.h"

#ifdef MICROV_BENCH
DEFINE_PER_CPU(struct microv_bench, microv_bench);

static const char * const microv_insn_names[MICROV_NR_INSN] = {
	[MICROV_INSN_EXIT]		= "exits",
	[MICROV_INSN_VMREAD]		= "vmread",
	[MICROV_INSN_VMWRITE]		= "vmwrite",
	[MICROV_INSN_RDMSR]		= "rdmsr",
	[MICROV_INSN_WRMSR]		= "wrmsr",
	[MICROV_INSN_XSAVE]		= "xsave",
	[MICROV_INSN_XRSTOR]		= "xrstor",
	[MICROV_INSN_XSETBV]		= "xsetbv",
	[MICROV_INSN_LGDT_LIDT_LTR]	= "lgdt_lidt_ltr",
	[MICROV_INSN_SEGMENT_LOAD]	= "segment_load",
	[MICROV_INSN_MOV_DR]		= "mov_dr",
};

/* One "NAME COUNT" line per counter. */
static ssize_t bench_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	int i, cpu, len = 0;

	for (i = 0; i < MICROV_NR_INSN; i++) {
		u64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu(microv_bench, cpu).count[i];
		len += sysfs_emit_at(buf, len, "%s %llu\n",
				     microv_insn_names[i], sum);
	}
	return len;
}

/* Any write resets them. */
static ssize_t bench_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&microv_bench, cpu), 0,
		       sizeof(struct microv_bench));
	return count;
}

static DEVICE_ATTR_RW(bench);

static struct attribute *microv_bench_attrs[] = {
	&dev_attr_bench.attr,
	NULL,
};
#else
static struct attribute *microv_bench_attrs[] = {
	NULL,
};
#endif

const struct attribute_group microv_bench_group = {
	.attrs = microv_bench_attrs,
};
