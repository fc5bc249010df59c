/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the microv selftests: loading and unloading the
 * module, reading the sysfs files it exposes, CPU hotplug.
 */
#ifndef MICROV_UTIL_H
#define MICROV_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MICROV_DEV		"/dev/microv"
#define MICROV_SYSFS		"/sys/class/misc/microv/"
#define MICROV_MODULE_SYSFS	"/sys/module/microv"
#define MICROV_MODULE_DEFAULT	"/microv/microv.ko"

/* The module file: $MICROV_MODULE, or where the test machine puts it. */
static inline const char *microv_module_path(void)
{
	const char *path = getenv("MICROV_MODULE");

	return path ? path : MICROV_MODULE_DEFAULT;
}

/* finit_module(2) of a module file: 0, or -1 with errno set. */
static inline int load_module_file(const char *path, const char *params)
{
	int fd, ret, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

static inline int microv_load(void)
{
	return load_module_file(microv_module_path(), "");
}

/* delete_module(2) as rmmod does it (O_NONBLOCK): 0, or -1 with errno. */
static inline int microv_unload(void)
{
	return syscall(SYS_delete_module, "microv", O_NONBLOCK);
}

static inline bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static inline bool microv_loaded(void)
{
	return path_exists(MICROV_MODULE_SYSFS);
}

/* Reads a small text file into @buf without its trailing newline. */
static inline int read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

static inline int write_text(const char *path, const char *text)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A sysfs file of the microv device, e.g. "cpus". */
static inline int microv_sysfs(const char *name, char *buf, size_t size)
{
	char path[256];

	snprintf(path, sizeof(path), MICROV_SYSFS "%s", name);
	return read_text(path, buf, size);
}

static inline int cpus_online(char *buf, size_t size)
{
	return read_text("/sys/devices/system/cpu/online", buf, size);
}

static inline int cpu_set_online(int cpu, bool online)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	return write_text(path, online ? "1" : "0");
}

#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_SIZE_BUFFER	10

/* How often @needle occurs in the kernel log, or -1. */
static inline int klog_count(const char *needle)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	int n, count = 0;
	char *buf, *p;

	if (size <= 0)
		return -1;
	buf = calloc(1, size + 1);
	if (!buf)
		return -1;
	n = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
	if (n >= 0) {
		buf[n] = '\0';
		for (p = buf; (p = strstr(p, needle)); p++)
			count++;
	}
	free(buf);
	return n < 0 ? -1 : count;
}

#endif /* MICROV_UTIL_H */
