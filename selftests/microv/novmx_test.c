// SPDX-License-Identifier: GPL-2.0
/*
 * On a CPU without VMX (the QEMU TCG test machine) the module must refuse
 * to load with ENODEV and one clear log line, and leave nothing behind.
 */
#include <sys/klog.h>

#include "kselftest_harness.h"
#include "microv_util.h"

#define SYSLOG_ACTION_READ_ALL	3
#define SYSLOG_ACTION_SIZE_BUFFER	10

/* Counts the kernel log lines that contain @needle. */
static int klog_count(const char *needle)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	char *buf, *p;
	int n, count = 0;

	if (size <= 0)
		return -1;
	buf = calloc(1, size + 1);
	if (!buf)
		return -1;
	n = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
	if (n < 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, needle)); p++)
		count++;
	free(buf);
	return count;
}

TEST(load_refused_without_vmx)
{
	const char *msg = "microv: no Intel VMX";
	int i, before = klog_count(msg);

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
