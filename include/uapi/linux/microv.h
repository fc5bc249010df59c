/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * microv: the userspace interface of /dev/microv.
 *
 * This header is the only contract between the microv kernel module and
 * userspace.  It compiles on its own in userspace, every field has an
 * explicit width, and every structure carries a flags word whose unknown
 * bits are rejected with EINVAL so that it can grow compatibly.
 *
 * Documentation/api.rst describes every ioctl and errno.
 */
#ifndef _UAPI_LINUX_MICROV_H
#define _UAPI_LINUX_MICROV_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Bumped only for incompatible changes.  Additions are announced through
 * MICROV_CHECK_EXTENSION instead.
 */
#define MICROV_API_VERSION	1

/* ioctl type byte; not taken by any in-tree driver's uapi. */
#define MICROVIO		0xE4

/* Hardware virtualization backend reported in microv_host_info.backend. */
#define MICROV_BACKEND_VMX	1	/* Intel VT-x */

/* Host features reported in microv_host_info.features. */
#define MICROV_FEATURE_EPT			(1ULL << 0)
#define MICROV_FEATURE_VPID			(1ULL << 1)
#define MICROV_FEATURE_UNRESTRICTED_GUEST	(1ULL << 2)
#define MICROV_FEATURE_PREEMPTION_TIMER		(1ULL << 3)
#define MICROV_FEATURE_POSTED_INTR		(1ULL << 4)
#define MICROV_FEATURE_EPT_AD			(1ULL << 5)
#define MICROV_FEATURE_EPT_1GB			(1ULL << 6)

/**
 * struct microv_host_info - what the module found on the host
 * @flags:    in: must be 0 (no options are defined yet)
 * @backend:  out: MICROV_BACKEND_*
 * @revision: out: backend revision (the VMCS revision identifier for VMX)
 * @nr_cpus:  out: number of CPUs on which virtualization is on now
 * @features: out: MICROV_FEATURE_* bits
 */
struct microv_host_info {
	__u32 flags;
	__u32 backend;
	__u32 revision;
	__u32 nr_cpus;
	__u64 features;
};

/*
 * Extensions queried with MICROV_CHECK_EXTENSION.  The ioctl returns 0 for
 * an extension this module does not have, and a positive value otherwise.
 */
#define MICROV_CAP_HOST_INFO	1	/* MICROV_GET_HOST_INFO exists */

/* ioctls on /dev/microv */
#define MICROV_GET_API_VERSION	_IO(MICROVIO, 0x00)
#define MICROV_CHECK_EXTENSION	_IO(MICROVIO, 0x01)
#define MICROV_GET_HOST_INFO	_IOWR(MICROVIO, 0x02, struct microv_host_info)

#endif /* _UAPI_LINUX_MICROV_H */
