// SPDX-License-Identifier: GPL-2.0
/*
 * One hypervisor module at a time.  Besides VMX root operation itself,
 * the kernel has a single slot for the callback that turns virtualization
 * off on a crash or emergency reboot (cpu_emergency_register_virt_callback()),
 * and KVM's vendor module takes it when it loads (Linux 6.1) or enables
 * virtualization (6.12), with a WARN if someone else holds it.  So microv
 * refuses to load while that module is loaded, and while microv is
 * loaded it vetoes that module's load (MODULE_STATE_COMING): either way
 * the second one fails with EBUSY and one clear line, and nothing warns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/string.h>

#include "microv.h"

static int microv_rival_notify(struct notifier_block *nb, unsigned long state,
			       void *data)
{
	struct module *mod = data;

	if (state != MODULE_STATE_COMING ||
	    strcmp(mod->name, microv_backend->rival_module))
		return NOTIFY_DONE;
	pr_err("refusing to let %s load while microv holds %s on every CPU; rmmod microv first\n",
	       mod->name, microv_backend->name);
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block microv_rival_nb = {
	.notifier_call = microv_rival_notify,
};

/*
 * Whether the rival module is loaded.  module_kset is not exported, but
 * it is the kset of every module's kobject, ours included.
 */
static bool microv_rival_loaded(void)
{
	struct kobject *kobj;

	kobj = kset_find_obj(THIS_MODULE->mkobj.kobj.kset,
			     microv_backend->rival_module);
	if (!kobj)
		return false;
	kobject_put(kobj);
	return true;
}

/**
 * microv_rival_block() - keep the backend's rival module out
 *
 * The notifier goes first, so a rival that is loading concurrently is
 * either already visible in sysfs or vetoed when it gets to COMING.
 *
 * Return: 0, or -EBUSY if the rival is loaded (one log line says so).
 */
int microv_rival_block(void)
{
	int ret;

	ret = register_module_notifier(&microv_rival_nb);
	if (ret)
		return ret;
	if (!microv_rival_loaded())
		return 0;
	unregister_module_notifier(&microv_rival_nb);
	pr_err("%s is loaded and microv cannot share %s with it: rmmod %s first\n",
	       microv_backend->rival_module, microv_backend->name,
	       microv_backend->rival_module);
	return -EBUSY;
}

void microv_rival_unblock(void)
{
	unregister_module_notifier(&microv_rival_nb);
}
