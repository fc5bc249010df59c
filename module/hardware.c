// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware virtualization on every online CPU for as long as the module
 * is loaded: CPU-hotplug callbacks turn it on on each CPU that comes
 * online (and on those already online at load) and off on each one that
 * goes offline; a reboot notifier and the emergency (crash/NMI) hook
 * turn it off before the machine restarts, since VMX root operation
 * blocks INIT.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/preempt.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <asm/reboot.h>

#include "backend.h"
#include "microv.h"

static int microv_cpuhp_state;

static int microv_cpu_online(unsigned int cpu)
{
	int ret;

	/* The hotplug thread runs bound to @cpu; stay on it throughout. */
	preempt_disable();
	ret = microv_backend->hardware_enable();
	preempt_enable();
	return ret;
}

static int microv_cpu_offline(unsigned int cpu)
{
	preempt_disable();
	microv_backend->hardware_disable();
	preempt_enable();
	return 0;
}

static void microv_cpu_disable_ipi(void *unused)
{
	microv_backend->hardware_disable();
}

bool microv_rebooting;

static int microv_reboot(struct notifier_block *nb, unsigned long code,
			 void *unused)
{
	WRITE_ONCE(microv_rebooting, true);
	smp_mb();
	on_each_cpu(microv_cpu_disable_ipi, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block microv_reboot_nb = {
	.notifier_call = microv_reboot,
};

static void microv_emergency_disable(void)
{
	microv_backend->emergency_disable();
}

/**
 * microv_hardware_enable_all() - virtualization on on every online CPU
 *
 * If one CPU fails, the CPUs already done are turned off again by the
 * hotplug core before this returns.
 *
 * Return: 0 or the -errno of the first CPU that failed.
 */
int microv_hardware_enable_all(void)
{
	int ret;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "microv:online",
				microv_cpu_online, microv_cpu_offline);
	if (ret < 0)
		return ret;
	microv_cpuhp_state = ret;
	register_reboot_notifier(&microv_reboot_nb);
	cpu_emergency_register_virt_callback(microv_emergency_disable);
	return 0;
}

void microv_hardware_disable_all(void)
{
	cpu_emergency_unregister_virt_callback(microv_emergency_disable);
	unregister_reboot_notifier(&microv_reboot_nb);
	cpuhp_remove_state(microv_cpuhp_state);
}

static void microv_cpu_probe_ipi(void *mask)
{
	if (microv_backend->hardware_enabled())
		cpumask_set_cpu(smp_processor_id(), mask);
}

/**
 * microv_hardware_cpus() - the CPUs that are in virtualization mode now
 * @mask: out; read back from each online CPU, not from bookkeeping
 */
void microv_hardware_cpus(struct cpumask *mask)
{
	cpumask_clear(mask);
	cpus_read_lock();
	on_each_cpu(microv_cpu_probe_ipi, mask, 1);
	cpus_read_unlock();
}
