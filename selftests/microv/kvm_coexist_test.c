// SPDX-License-Identifier: GPL-2.0
/*
 * microv beside Debian's own kvm_intel in the same kernel: only one of
 * them can be loaded.  Whoever comes second must fail cleanly (EBUSY)
 * with one clear line, leave the first one's VMX state alone, and the
 * kernel must not warn (both would take the kernel's single emergency
 * virtualization callback slot).
 *
 * The test machine carries kvm's modules in /microv/kvm/.  Linux 6.12's
 * kvm takes VMX when kvm_intel loads (enable_virt_at_load); 6.1's only
 * when it creates a VM, but it takes the callback slot at load.
 */
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "microv_util.h"

#define KVM_DIR			"/microv/kvm/"

/* One of Debian's kvm modules that the test machine carries. */
static int load_ko(const char *file, const char *params)
{
	char path[128];

	snprintf(path, sizeof(path), KVM_DIR "%s", file);
	return load_module_file(path, params);
}

static bool module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return path_exists(path);
}

static void unload_if_loaded(const char *name)
{
	if (module_loaded(name))
		syscall(SYS_delete_module, name, O_NONBLOCK);
}

FIXTURE(kvm) {
	int warnings;
};

FIXTURE_SETUP(kvm)
{
	if (microv_loaded())
		ASSERT_EQ(0, microv_unload());
	self->warnings = klog_count("cut here");
	ASSERT_LE(0, self->warnings);
	if (!module_loaded("irqbypass"))
		ASSERT_EQ(0, load_ko("irqbypass.ko", "")) TH_LOG("irqbypass: %s", strerror(errno));
	if (!module_loaded("kvm"))
		ASSERT_EQ(0, load_ko("kvm.ko", "enable_virt_at_load=1")) TH_LOG("kvm: %s", strerror(errno));
}

FIXTURE_TEARDOWN(kvm)
{
	unload_if_loaded("microv");
	unload_if_loaded("kvm_intel");
	/* No kernel warning, whichever way the test went. */
	EXPECT_EQ(self->warnings, klog_count("cut here"));
}

TEST_F_TIMEOUT(kvm, microv_second, 300)
{
	const char *msg = "kvm_intel is loaded and microv cannot share vmx";
	int before = klog_count(msg);

	ASSERT_EQ(0, load_ko("kvm-intel.ko", "")) TH_LOG("kvm_intel: %s", strerror(errno));
	ASSERT_EQ(-1, microv_load());
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(before + 1, klog_count(msg));
	ASSERT_FALSE(microv_loaded());
	ASSERT_FALSE(path_exists(MICROV_DEV));

	/* Once kvm_intel is gone (and with it its VMXON), microv loads. */
	ASSERT_EQ(0, syscall(SYS_delete_module, "kvm_intel", O_NONBLOCK));
	ASSERT_EQ(0, microv_load()) TH_LOG("load after kvm_intel: %s", strerror(errno));
	ASSERT_EQ(0, microv_unload());
}

TEST_F_TIMEOUT(kvm, kvm_second, 300)
{
	const char *msg = "refusing to let kvm_intel load while microv holds vmx";
	int before = klog_count(msg);
	char cpus[16];

	ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	ASSERT_EQ(-1, load_ko("kvm-intel.ko", ""));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(before + 1, klog_count(msg));
	ASSERT_FALSE(module_loaded("kvm_intel"));
	/* microv's VMX was not disturbed. */
	ASSERT_EQ(0, microv_sysfs("cpus", cpus, sizeof(cpus)));
	ASSERT_STREQ("0-1", cpus);
	ASSERT_EQ(0, microv_unload());

	/* The veto ends with microv. */
	ASSERT_EQ(0, load_ko("kvm-intel.ko", "")) TH_LOG("kvm_intel after microv: %s", strerror(errno));
}

TEST_HARNESS_MAIN
