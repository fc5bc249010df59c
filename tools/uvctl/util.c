// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: messages, whole files and sizes, shared by every other part.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uvctl.h"

bool uv_verbose;

/*
 * The last message uv_err() printed in this thread (the disk threads
 * print too): the unit tests check what a user would read without
 * having to capture stderr.
 */
__thread char uv_last_error[512];

/* Set by the unit tests, which check uv_last_error instead. */
bool uv_quiet;

/**
 * uv_err() - tell the user why something failed
 * @fmt: printf format, without "uvctl: " and without a newline
 *
 * Every error goes through here so that all of them look alike.
 */
void uv_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(uv_last_error, sizeof(uv_last_error), fmt, ap);
	va_end(ap);
	if (!uv_quiet)
		fprintf(stderr, "uvctl: %s\n", uv_last_error);
}

static struct timespec uv_phase_t0, uv_phase_last;

static double uv_ms(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

/**
 * uv_phase() - for --verbose: how long the step that just ended took
 * @what: the step; NULL starts the clock
 *
 * One "startup: WHAT: N ms (N ms in all)" line per step, from the
 * command's start to the guest's first instruction.
 */
void uv_phase(const char *what)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (what)
		uv_log("startup: %s: %.1f ms (%.1f ms in all)", what,
		       uv_ms(&uv_phase_last, &now), uv_ms(&uv_phase_t0, &now));
	else
		uv_phase_t0 = now;
	uv_phase_last = now;
}

/**
 * uv_log() - a note for --verbose, to stderr
 * @fmt: printf format, without "uvctl: " and without a newline
 *
 * One line in one write: vCPU threads log while the console loop writes
 * to the same file, and a line cut in pieces would mix with theirs.
 */
void uv_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!uv_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "uvctl: %s\n", line);
}

/**
 * uv_read_file() - read a whole regular file into memory
 * @path: the file
 * @what: what it is, for messages ("kernel", "initrd")
 * @b:    filled with a malloc()ed copy
 *
 * Kernels and initrds are a few tens of MiB: reading them whole keeps
 * the parsers free of I/O and lets libelf work on memory.
 *
 * Return: 0, or -1 after a message.
 */
int uv_read_file(const char *path, const char *what, struct uv_buf *b)
{
	struct stat st;
	size_t done = 0;
	int fd;

	b->data = NULL;
	b->size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		uv_err("cannot read the %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		uv_err("cannot read the %s %s: %s", what, path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		uv_err("the %s %s is not a regular file", what, path);
		goto fail;
	}
	b->size = st.st_size;
	b->data = malloc(b->size ? b->size : 1);
	if (!b->data) {
		uv_err("the %s %s: out of memory (%zu bytes)", what, path,
		       b->size);
		goto fail;
	}
	while (done < b->size) {
		ssize_t n = read(fd, b->data + done, b->size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			uv_err("cannot read the %s %s: %s", what, path,
			       n ? strerror(errno) : "the file shrank");
			goto fail;
		}
		done += n;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	uv_buf_free(b);
	return -1;
}

void uv_buf_free(struct uv_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->size = 0;
}

/**
 * uv_parse_size() - a size of guest RAM (--ram, mem-set)
 * @s:     a number with an optional K, M or G suffix (any case); a plain
 *         number is MiB, as with QEMU's -m and xl's memory=
 * @what:  the option or command, for messages
 * @bytes: the size in bytes
 *
 * The size must be whole pages (the memory slot's rule), at least
 * UV_RAM_MIN (the first MiB and the special pages, with room for a small
 * kernel: whether a kernel fits is uv_layout_plan()'s to say) and at most
 * MICROV_MAX_GPA.
 *
 * Return: 0, or -1 after a message.
 */
int uv_parse_size(const char *s, const char *what, uint64_t *bytes)
{
	unsigned long long n, unit = UV_MiB;
	char *end;

	if (!isdigit((unsigned char)*s)) {
		uv_err("%s %s: expected a size such as 256M or 1G", what, s);
		return -1;
	}
	errno = 0;
	n = strtoull(s, &end, 10);
	switch (*end) {
	case 'k':
	case 'K':
		unit = UV_KiB;
		end++;
		break;
	case 'm':
	case 'M':
		end++;
		break;
	case 'g':
	case 'G':
		unit = UV_GiB;
		end++;
		break;
	}
	if (*end) {
		uv_err("%s %s: expected a size such as 256M or 1G (suffixes K, M, G; no suffix means MiB)",
		       what, s);
		return -1;
	}
	if (errno == ERANGE || n > UV_RAM_MAX / unit) {
		uv_err("%s %s: more than the %lluG microv can map", what,
		       s, (unsigned long long)(UV_RAM_MAX / UV_GiB));
		return -1;
	}
	n *= unit;
	if (n < UV_RAM_MIN) {
		uv_err("%s %s: less than the minimum of %lluM", what,
		       s, (unsigned long long)(UV_RAM_MIN / UV_MiB));
		return -1;
	}
	if (n % UV_PAGE_SIZE) {
		uv_err("%s %s: not a multiple of 4K", what, s);
		return -1;
	}
	*bytes = n;
	return 0;
}

/* The argument of --ram: uv_parse_size()'s rules. */
int uv_parse_ram(const char *s, uint64_t *bytes)
{
	return uv_parse_size(s, "--ram", bytes);
}

/**
 * uv_parse_uint() - a decimal number for an option
 * @s:   the text
 * @max: the largest value accepted
 * @out: the value
 *
 * Return: 0, or -1 (no message: the caller names the option).
 */
int uv_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long n;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (*end || errno == ERANGE || n > max)
		return -1;
	*out = n;
	return 0;
}

uint32_t uv_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t uv_le64(const unsigned char *p)
{
	return uv_le32(p) | (uint64_t)uv_le32(p + 4) << 32;
}
