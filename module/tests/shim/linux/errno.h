/* SPDX-License-Identifier: GPL-2.0 */
/* The errno values, from the uapi headers (glibc's errno.h comes back here). */
#include <asm-generic/errno.h>
