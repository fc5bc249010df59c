/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Xen's public headers, from wherever this file is built: the kernel's own
 * copies (include/xen/interface, arch/x86/include/asm/xen) in the module,
 * Xen's (libxen-dev, /usr/include/xen) in the userspace unit tests.  The
 * two spell a few types differently; the sizes below are taken from
 * whichever is included, never retyped.
 */
#ifndef XENABI_XEN_PUBLIC_H
#define XENABI_XEN_PUBLIC_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/xen/cpuid.h>
#include <xen/interface/xen.h>
#include <xen/interface/version.h>
#include <xen/interface/features.h>
#include <xen/interface/sched.h>
#include <xen/interface/memory.h>
#include <xen/interface/hvm/hvm_op.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/io/console.h>
#include <asm/pvclock-abi.h>

#define XENABI_COMMANDLINE_LEN	sizeof(struct xen_commandline)

/* The kernel's copies name the time structures after pvclock. */
typedef struct pvclock_vcpu_time_info xenabi_time_info_t;
#define XENABI_SHINFO_WC	offsetof(struct shared_info, wc)
#define XENABI_LEGACY_VCPUS	MAX_VIRT_CPUS
#define XENABI_PVCLOCK_TSC_STABLE	PVCLOCK_TSC_STABLE_BIT
#else
/*
 * The current interface, as the kernel's copies describe it: without this,
 * Xen's headers give the compatibility numbers of 2006 (sched_op 6).
 */
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/version.h>
#include <xen/features.h>
#include <xen/sched.h>
#include <xen/memory.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/event_channel.h>
#include <xen/vcpu.h>
#include <xen/grant_table.h>
#include <xen/io/console.h>
#include <xen/arch-x86/cpuid.h>

typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define XENABI_COMMANDLINE_LEN	sizeof(xen_commandline_t)

typedef struct vcpu_time_info xenabi_time_info_t;
#define XENABI_SHINFO_WC	offsetof(struct shared_info, wc_version)
#define XENABI_LEGACY_VCPUS	XEN_LEGACY_MAX_VCPUS
#define XENABI_PVCLOCK_TSC_STABLE	XEN_PVCLOCK_TSC_STABLE_BIT
#endif

#define XENABI_COMPILE_INFO_LEN	sizeof(struct xen_compile_info)
#define XENABI_HANDLE_LEN	sizeof(xen_domain_handle_t)

#endif /* XENABI_XEN_PUBLIC_H */
