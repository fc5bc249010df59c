/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for the kernel's <linux/nospec.h>, for unit tests. */
#ifndef MICROV_SHIM_LINUX_NOSPEC_H
#define MICROV_SHIM_LINUX_NOSPEC_H
#define array_index_nospec(i, n)	((i) < (n) ? (i) : 0)
#endif
