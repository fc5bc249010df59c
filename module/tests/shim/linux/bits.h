/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MICROV_SHIM_LINUX_BITS_H
#define MICROV_SHIM_LINUX_BITS_H
#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))
#endif
