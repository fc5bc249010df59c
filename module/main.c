// SPDX-License-Identifier: GPL-2.0
/*
 * microv: turns the running kernel into a hypervisor host for guests that
 * speak the Xen ABI.  Loading the module turns hardware virtualization on
 * on every CPU and creates /dev/microv; unloading turns it off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <asm/fpu/xcr.h>

#include <uapi/linux/microv.h>
#include "microv.h"
#include "x86.h"

const struct microv_backend_ops *microv_backend = &vmx_backend_ops;
struct microv_host_caps microv_caps;

static const struct {
	u64 bit;
	const char *name;
} microv_feature_names[] = {
	{ MICROV_FEATURE_EPT, "ept" },
	{ MICROV_FEATURE_VPID, "vpid" },
	{ MICROV_FEATURE_UNRESTRICTED_GUEST, "unrestricted_guest" },
	{ MICROV_FEATURE_PREEMPTION_TIMER, "preemption_timer" },
	{ MICROV_FEATURE_POSTED_INTR, "posted_intr" },
	{ MICROV_FEATURE_EPT_AD, "ept_ad" },
	{ MICROV_FEATURE_EPT_1GB, "ept_1gb" },
};

/**
 * microv_features_format() - feature bits as space-separated names
 * @buf: output
 * @size: size of @buf
 * @features: MICROV_FEATURE_* bits
 *
 * Return: characters written, not counting the terminating NUL.
 */
int microv_features_format(char *buf, size_t size, u64 features)
{
	int i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(microv_feature_names); i++)
		if (features & microv_feature_names[i].bit)
			len += scnprintf(buf + len, size - len, "%s%s",
					 len ? " " : "",
					 microv_feature_names[i].name);
	return len;
}

static void microv_report(void)
{
	cpumask_var_t cpus;
	char features[128];

	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL))
		return;
	microv_hardware_cpus(cpus);
	microv_features_format(features, sizeof(features),
			       microv_caps.features);
	pr_info("%s on CPUs %*pbl, revision %#x, features: %s\n",
		microv_backend->name, cpumask_pr_args(cpus),
		microv_caps.revision, features);
	free_cpumask_var(cpus);
}

static int __init microv_init(void)
{
	int ret;

	ret = microv_rival_block();
	if (ret)
		return ret;
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		x86_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	ret = microv_backend->hardware_setup(&microv_caps);
	if (ret)
		goto unblock;
	ret = microv_hardware_enable_all();
	if (ret)
		goto unsetup;
	ret = microv_dev_register();
	if (ret)
		goto disable;
	microv_report();
	return 0;

disable:
	microv_hardware_disable_all();
unsetup:
	microv_backend->hardware_unsetup();
unblock:
	microv_rival_unblock();
	return ret;
}

static void __exit microv_exit(void)
{
	microv_dev_unregister();
	microv_hardware_disable_all();
	microv_backend->hardware_unsetup();
	microv_rival_unblock();
	pr_info("%s off on all CPUs\n", microv_backend->name);
}

module_init(microv_init);
module_exit(microv_exit);

MODULE_DESCRIPTION("microv: a hypervisor for Xen ABI guests");
MODULE_LICENSE("GPL");
