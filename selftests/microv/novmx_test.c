// SPDX-License-Identifier: GPL-2.0
/*
 * On a CPU without VMX (the QEMU TCG test machine) the module must refuse
 * to load with ENODEV and one clear log line, and leave nothing behind.
 */
#include "kselftest_harness.h"
#include "microv_util.h"

/* Does /proc/cpuinfo list the vmx flag? */
static bool cpu_has_vmx(void)
{
	char line[4096];
	bool vmx = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && !vmx && fgets(line, sizeof(line), f))
		vmx = !strncmp(line, "flags", 5) && strstr(line, " vmx");
	if (f)
		fclose(f);
	return vmx;
}

TEST(load_refused_without_vmx)
{
	const char *msg = "microv: no Intel VMX";
	int i, before = klog_count(msg);

	if (cpu_has_vmx())
		SKIP(return, "this CPU has VMX");

	ASSERT_LE(0, before);
	for (i = 1; i <= 5; i++) {
		ASSERT_EQ(-1, microv_load());
		ASSERT_EQ(ENODEV, errno) TH_LOG("load %d: %s", i, strerror(errno));
		/* Exactly one log line per refused load. */
		ASSERT_EQ(before + i, klog_count(msg));
		ASSERT_FALSE(microv_loaded());
		ASSERT_FALSE(path_exists(MICROV_DEV));
		ASSERT_FALSE(path_exists("/sys/class/misc/microv"));
	}
}

TEST_HARNESS_MAIN
