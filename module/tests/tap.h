/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unit tests' TAP scaffolding: CHECK() notes a failed condition and
 * goes on, tap_run() runs one test function and prints its result line.
 */
#ifndef MICROV_TESTS_TAP_H
#define MICROV_TESTS_TAP_H

#include <stdio.h>

static int tap_nr, tap_failed_total, tap_failed;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			tap_failed = 1;					\
		}							\
	} while (0)

static inline void tap_run(const char *name, void (*fn)(void))
{
	tap_failed = 0;
	fn();
	tap_nr++;
	printf("%s %d %s\n", tap_failed ? "not ok" : "ok", tap_nr, name);
	tap_failed_total += tap_failed;
}

/* main()'s status: 1 if any test failed. */
static inline int tap_status(void)
{
	return tap_failed_total ? 1 : 0;
}

#endif /* MICROV_TESTS_TAP_H */
