// SPDX-License-Identifier: GPL-2.0
/*
 * microv module lifecycle: VMX on every online CPU while loaded, off when
 * unloaded, kept right across CPU hotplug, unload refused while the
 * device is open.  Runs as root inside the emulated-VMX test machine.
 *
 * "VMX on" is read back from the hardware by the module: its sysfs file
 * "cpus" lists the CPUs where CR4.VMXE is set and VMPTRST does not #UD.
 * "VMX off" after an unload is proven by the next load: the module
 * refuses to load (EBUSY) on a CPU whose CR4.VMXE is still set.
 */
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include <linux/microv.h>

#include "kselftest_harness.h"
#include "microv_util.h"

#define LOAD_CYCLES	20

/* Every test starts with the module unloaded and both CPUs online. */
FIXTURE(lifecycle) {
	int unused;
};

FIXTURE_SETUP(lifecycle)
{
	char online[8];

	if (read_text("/sys/devices/system/cpu/cpu1/online", online,
		      sizeof(online)) == 0 && strcmp(online, "1"))
		ASSERT_EQ(0, cpu_set_online(1, true));
	if (microv_loaded())
		ASSERT_EQ(0, microv_unload()) TH_LOG("unload: %s", strerror(errno));
}

FIXTURE_TEARDOWN(lifecycle)
{
}

/* The CPUs with VMX on, as the module reads them back, match @expect. */
static void expect_vmx_cpus(struct __test_metadata *_metadata,
			    const char *expect)
{
	char cpus[64];

	ASSERT_EQ(0, microv_sysfs("cpus", cpus, sizeof(cpus)));
	ASSERT_STREQ(expect, cpus);
}

static void expect_vmx_on_online_cpus(struct __test_metadata *_metadata)
{
	char online[64];

	ASSERT_EQ(0, cpus_online(online, sizeof(online)));
	expect_vmx_cpus(_metadata, online);
}

TEST_F(lifecycle, two_cpus_online)
{
	char online[64];

	ASSERT_EQ(0, cpus_online(online, sizeof(online)));
	ASSERT_STREQ("0-1", online) TH_LOG("the test machine must bring up 2 CPUs");
}

TEST_F_TIMEOUT(lifecycle, load_unload_cycles, 600)
{
	struct stat st;
	int i, fd;

	for (i = 0; i < LOAD_CYCLES; i++) {
		ASSERT_EQ(0, microv_load()) TH_LOG("cycle %d: load: %s", i, strerror(errno));
		expect_vmx_on_online_cpus(_metadata);

		ASSERT_EQ(0, stat(MICROV_DEV, &st));
		ASSERT_TRUE(S_ISCHR(st.st_mode));
		ASSERT_EQ(0600, st.st_mode & 07777);
		fd = open(MICROV_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(MICROV_API_VERSION, ioctl(fd, MICROV_GET_API_VERSION, 0));
		close(fd);

		ASSERT_EQ(0, microv_unload()) TH_LOG("cycle %d: unload: %s", i, strerror(errno));
		ASSERT_FALSE(microv_loaded());
		ASSERT_FALSE(path_exists(MICROV_DEV));
	}
	/* One more load proves the last unload left CR4.VMXE clear. */
	ASSERT_EQ(0, microv_load()) TH_LOG("load after cycles: %s", strerror(errno));
	ASSERT_EQ(0, microv_unload());
}

TEST_F(lifecycle, load_twice_refused)
{
	ASSERT_EQ(0, microv_load());
	ASSERT_EQ(-1, microv_load());
	ASSERT_EQ(EEXIST, errno);
	expect_vmx_on_online_cpus(_metadata);
	ASSERT_EQ(0, microv_unload());
}

TEST_F(lifecycle, unload_refused_while_open)
{
	char refcnt[16];
	int fd;

	ASSERT_EQ(0, microv_load());
	ASSERT_EQ(0, read_text(MICROV_MODULE_SYSFS "/refcnt", refcnt, sizeof(refcnt)));
	ASSERT_STREQ("0", refcnt);

	fd = open(MICROV_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, read_text(MICROV_MODULE_SYSFS "/refcnt", refcnt, sizeof(refcnt)));
	ASSERT_STREQ("1", refcnt);

	ASSERT_EQ(-1, microv_unload());
	ASSERT_EQ(EWOULDBLOCK, errno);
	ASSERT_TRUE(microv_loaded());
	expect_vmx_on_online_cpus(_metadata);
	ASSERT_EQ(MICROV_API_VERSION, ioctl(fd, MICROV_GET_API_VERSION, 0));

	close(fd);
	ASSERT_EQ(0, microv_unload()) TH_LOG("unload after close: %s", strerror(errno));
}

TEST_F_TIMEOUT(lifecycle, cpu_offline_online, 300)
{
	ASSERT_EQ(0, microv_load());
	expect_vmx_cpus(_metadata, "0-1");

	ASSERT_EQ(0, cpu_set_online(1, false)) TH_LOG("offline cpu1: %s", strerror(errno));
	expect_vmx_cpus(_metadata, "0");
	/* A CPU left in VMX root operation would not come back: INIT is blocked. */
	ASSERT_EQ(0, cpu_set_online(1, true)) TH_LOG("online cpu1: %s", strerror(errno));
	expect_vmx_cpus(_metadata, "0-1");

	ASSERT_EQ(0, cpu_set_online(1, false));
	ASSERT_EQ(0, cpu_set_online(1, true));
	expect_vmx_cpus(_metadata, "0-1");
	ASSERT_EQ(0, microv_unload());
}

TEST_F_TIMEOUT(lifecycle, load_with_cpu_offline, 300)
{
	ASSERT_EQ(0, cpu_set_online(1, false));
	ASSERT_EQ(0, microv_load());
	expect_vmx_cpus(_metadata, "0");

	ASSERT_EQ(0, cpu_set_online(1, true));
	expect_vmx_cpus(_metadata, "0-1");
	ASSERT_EQ(0, microv_unload());

	/* Hotplug after unload: the CPU must not get VMX back. */
	ASSERT_EQ(0, cpu_set_online(1, false));
	ASSERT_EQ(0, cpu_set_online(1, true));
	ASSERT_EQ(0, microv_load()) TH_LOG("load after hotplug: %s", strerror(errno));
	expect_vmx_cpus(_metadata, "0-1");
	ASSERT_EQ(0, microv_unload());
}

TEST_HARNESS_MAIN
