// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/microv: API version and capability queries.  The misc device's
 * file operations carry THIS_MODULE, so every open file holds a module
 * reference and the module cannot be unloaded while one is open.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include <uapi/linux/microv.h>
#include "domain.h"
#include "bench.h"
#include "microv.h"

static long microv_check_extension(unsigned long ext)
{
	switch (ext) {
	case MICROV_CAP_HOST_INFO:
		return 1;
	case MICROV_CAP_DOMAINS:
		return MICROV_MAX_VCPUS;
	case MICROV_CAP_NR_MEMSLOTS:
		return MICROV_MAX_MEMSLOTS;
	case MICROV_CAP_OPEN_CONSOLE:
	case MICROV_CAP_EVTCHN_BIND:
		return 1;
	case MICROV_CAP_GNTDEV:
		return MICROV_GRANT_MAP_MAX;
	default:
		return 0;
	}
}

static long microv_get_host_info(struct microv_host_info __user *uinfo)
{
	struct microv_host_info info;
	cpumask_var_t cpus;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if (info.flags)
		return -EINVAL;
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL))
		return -ENOMEM;
	microv_hardware_cpus(cpus);

	memset(&info, 0, sizeof(info));
	info.backend = microv_caps.backend;
	info.revision = microv_caps.revision;
	info.nr_cpus = cpumask_weight(cpus);
	info.features = microv_caps.features;
	free_cpumask_var(cpus);

	if (copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long microv_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	switch (cmd) {
	case MICROV_GET_API_VERSION:
		return arg ? -EINVAL : MICROV_API_VERSION;
	case MICROV_CHECK_EXTENSION:
		return microv_check_extension(arg);
	case MICROV_GET_HOST_INFO:
		return microv_get_host_info((void __user *)arg);
	case MICROV_CREATE_DOMAIN:
		return microv_create_domain((void __user *)arg);
	case MICROV_OPEN_CONSOLE:
		return microv_open_console((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static ssize_t backend_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", microv_backend->name);
}
static DEVICE_ATTR_RO(backend);

static ssize_t revision_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%#x\n", microv_caps.revision);
}
static DEVICE_ATTR_RO(revision);

static ssize_t features_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	int len = microv_features_format(buf, PAGE_SIZE - 1,
					 microv_caps.features);

	return len + sysfs_emit_at(buf, len, "\n");
}
static DEVICE_ATTR_RO(features);

/* The CPUs in virtualization mode, read back from each CPU's hardware. */
static ssize_t cpus_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	cpumask_var_t cpus;
	ssize_t len;

	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL))
		return -ENOMEM;
	microv_hardware_cpus(cpus);
	len = sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(cpus));
	free_cpumask_var(cpus);
	return len;
}
static DEVICE_ATTR_RO(cpus);

/* Live domains, and the pages pinned for them: leak checks read these. */
static ssize_t domains_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%lu\n", microv_nr_domains());
}
static DEVICE_ATTR_RO(domains);

static ssize_t pinned_pages_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", microv_pinned_pages());
}
static DEVICE_ATTR_RO(pinned_pages);

static ssize_t table_pages_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", microv_backend->table_pages());
}
static DEVICE_ATTR_RO(table_pages);

static struct attribute *microv_dev_attrs[] = {
	&dev_attr_backend.attr,
	&dev_attr_revision.attr,
	&dev_attr_features.attr,
	&dev_attr_cpus.attr,
	&dev_attr_domains.attr,
	&dev_attr_pinned_pages.attr,
	&dev_attr_table_pages.attr,
	NULL,
};
static const struct attribute_group microv_dev_group = {
	.attrs = microv_dev_attrs,
};

/* The bench build's counters (bench.h) come along; empty otherwise. */
static const struct attribute_group *microv_dev_groups[] = {
	&microv_dev_group,
	&microv_bench_group,
	NULL,
};

static const struct file_operations microv_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= microv_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice microv_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "microv",
	.fops	= &microv_dev_fops,
	.groups	= microv_dev_groups,
	.mode	= 0600,
};

int microv_dev_register(void)
{
	return misc_register(&microv_dev);
}

void microv_dev_unregister(void)
{
	misc_deregister(&microv_dev);
}
