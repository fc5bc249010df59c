// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a kernel image as a hostile user or distribution
 * mirror could hand uvctl, through what uvctl does with it before any
 * guest runs: the ELF and bzImage parsers (with every decompressor), the
 * layout with an initrd and a command line, and the write of all of it
 * into guest RAM.  Guest RAM is a heap block of exactly the guest's
 * size, so that AddressSanitizer sees any byte written outside it.
 *
 * Input: one byte of RAM size (32 + n % 32 MiB), two of initrd size (in
 * 4 KiB pages), one of command line length, then the image.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uvctl.h"

#define HEADER	4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char cmdline[256];
	struct uv_buf file, initrd = { NULL, 0 };
	struct uv_kernel k;
	struct uv_layout l;
	uint64_t ram;
	unsigned char *mem;

	if (size < HEADER)
		return 0;
	uv_quiet = true;
	ram = (32 + data[0] % 32) * UV_MiB;
	initrd.size = (data[1] | (size_t)data[2] << 8) % 512 * UV_PAGE_SIZE;
	memset(cmdline, 'c', data[3]);
	cmdline[data[3]] = '\0';

	file.size = size - HEADER;
	file.data = malloc(file.size ? file.size : 1);
	if (!file.data)
		return 0;
	memcpy(file.data, data + HEADER, file.size);
	if (uv_kernel_from_buf(&k, "fuzz", &file) ||
	    uv_layout_plan(&l, ram, 1, &k, initrd.size, strlen(cmdline)))
		goto out;
	mem = malloc(ram);
	initrd.data = calloc(1, initrd.size ? initrd.size : 1);
	if (mem && initrd.data)
		uv_layout_write(&l, mem, &k, initrd.size ? &initrd : NULL,
				cmdline);
	free(initrd.data);
	free(mem);
out:
	uv_kernel_free(&k);
	return 0;
}
