// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/microv: open/close, API version, capability and host queries,
 * errors for unknown ioctls, bad pointers, unknown flags and non-root
 * callers.  Loads the module if it is not loaded, and leaves it loaded.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>

#include <linux/microv.h>

#include "kselftest_harness.h"
#include "microv_util.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	self->fd = open(MICROV_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, node)
{
	struct stat st;

	ASSERT_EQ(0, stat(MICROV_DEV, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(10, major(st.st_rdev)); /* MISC_MAJOR */
	ASSERT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, st.st_uid);
}

TEST_F(dev, open_close_refcount)
{
	char refcnt[16];
	int i, fd;

	/* The fixture holds one open file: one module reference. */
	ASSERT_EQ(0, read_text(MICROV_MODULE_SYSFS "/refcnt", refcnt, sizeof(refcnt)));
	ASSERT_STREQ("1", refcnt);
	for (i = 0; i < 100; i++) {
		fd = open(MICROV_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, read_text(MICROV_MODULE_SYSFS "/refcnt", refcnt, sizeof(refcnt)));
		ASSERT_STREQ("2", refcnt);
		ASSERT_EQ(0, close(fd));
	}
	ASSERT_EQ(0, read_text(MICROV_MODULE_SYSFS "/refcnt", refcnt, sizeof(refcnt)));
	ASSERT_STREQ("1", refcnt);
}

TEST_F(dev, api_version)
{
	ASSERT_EQ(MICROV_API_VERSION, ioctl(self->fd, MICROV_GET_API_VERSION, 0));
	ASSERT_EQ(-1, ioctl(self->fd, MICROV_GET_API_VERSION, 1));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(dev, check_extension)
{
	ASSERT_EQ(1, ioctl(self->fd, MICROV_CHECK_EXTENSION, MICROV_CAP_HOST_INFO));
	ASSERT_EQ(0, ioctl(self->fd, MICROV_CHECK_EXTENSION, 0));
	ASSERT_EQ(0, ioctl(self->fd, MICROV_CHECK_EXTENSION, 0x7fffffff));
	ASSERT_EQ(0, ioctl(self->fd, MICROV_CHECK_EXTENSION, ~0UL));
}

TEST_F(dev, host_info)
{
	struct microv_host_info info = { 0 };
	char revision[32], features[256], backend[16];

	ASSERT_EQ(0, ioctl(self->fd, MICROV_GET_HOST_INFO, &info));
	ASSERT_EQ(MICROV_BACKEND_VMX, info.backend);
	ASSERT_EQ(2, info.nr_cpus);
	ASSERT_EQ(0, info.flags);
	ASSERT_EQ(MICROV_FEATURE_EPT | MICROV_FEATURE_UNRESTRICTED_GUEST,
		  info.features & (MICROV_FEATURE_EPT | MICROV_FEATURE_UNRESTRICTED_GUEST));

	/* sysfs tells the same story. */
	ASSERT_EQ(0, microv_sysfs("revision", revision, sizeof(revision)));
	ASSERT_EQ(info.revision, strtoul(revision, NULL, 16));
	ASSERT_EQ(0, microv_sysfs("backend", backend, sizeof(backend)));
	ASSERT_STREQ("vmx", backend);
	ASSERT_EQ(0, microv_sysfs("features", features, sizeof(features)));
	ASSERT_NE(NULL, strstr(features, "ept"));
	ASSERT_NE(NULL, strstr(features, "unrestricted_guest"));
	ASSERT_EQ(!!(info.features & MICROV_FEATURE_VPID),
		  strstr(features, "vpid") != NULL);
}

TEST_F(dev, host_info_unknown_flags)
{
	struct microv_host_info info = { .flags = 1 };

	ASSERT_EQ(-1, ioctl(self->fd, MICROV_GET_HOST_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
	info.flags = 1U << 31;
	ASSERT_EQ(-1, ioctl(self->fd, MICROV_GET_HOST_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(dev, host_info_bad_pointer)
{
	long page = sysconf(_SC_PAGESIZE);
	void *ro;

	ASSERT_EQ(-1, ioctl(self->fd, MICROV_GET_HOST_INFO, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, MICROV_GET_HOST_INFO, (void *)8));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, MICROV_GET_HOST_INFO, (void *)-4096L));
	ASSERT_EQ(EFAULT, errno);

	/* Readable but not writable: the copy back to the caller faults. */
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(-1, ioctl(self->fd, MICROV_GET_HOST_INFO, ro));
	ASSERT_EQ(EFAULT, errno);
	munmap(ro, page);
}

TEST_F(dev, unknown_ioctl)
{
	struct termios t;

	ASSERT_EQ(-1, ioctl(self->fd, _IO(MICROVIO, 0x7f)));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IOW(MICROVIO, 0x02, __u32), 0));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, TCGETS, &t));
	ASSERT_EQ(ENOTTY, errno);
}

TEST_F(dev, nonroot_open_refused)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (open(MICROV_DEV, O_RDWR) >= 0)
			_exit(3);
		_exit(errno == EACCES ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("2: setuid failed, 3: open succeeded, 4: wrong errno");
}

TEST_HARNESS_MAIN
