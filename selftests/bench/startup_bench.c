// SPDX-License-Identifier: GPL-2.0
/*
 * startup_bench: how long "uvctl run" takes to start a guest, and where
 * the time goes.  It runs "uvctl run --verbose --ram SIZE" of a kernel
 * (tiny_pvh.elf: its first instruction powers the guest off) ROUNDS
 * times and prints the medians of
 *
 *   startup-SIZE          uvctl's start to its first MICROV_RUN: what
 *                         comes before the guest's first instruction
 *   startup-SIZE.STEP     each step of that ("startup:" lines of
 *                         --verbose; STEP is their name, dashed)
 *   startup-SIZE.all      fork to exit: the guest run and torn down too
 *
 * as "BENCH microv WHAT VALUE ms" lines.  Under Bochs every figure is
 * emulated time.  Not a test: it fails only if a guest does not power
 * off (uvctl's status is not 0).
 *
 * Usage: startup_bench UVCTL KERNEL SIZE ROUNDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STEPS	16
#define MAX_ROUNDS	1000

struct step {
	char name[64];
	double ms[MAX_ROUNDS];
};

static struct step steps[MAX_STEPS];
static unsigned int nr_steps;
static double first_run[MAX_ROUNDS], all[MAX_ROUNDS];

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* "uvctl: startup: STEP: N ms (M ms in all)": STEP's N, dashed. */
static void parse_line(const char *line, int round)
{
	const char *p = strstr(line, "startup: "), *colon;
	double ms, in_all;
	unsigned int i, len;
	char name[64];

	if (!p)
		return;
	p += strlen("startup: ");
	colon = strstr(p, ": ");
	if (!colon || sscanf(colon, ": %lf ms (%lf ms in all)", &ms, &in_all) != 2)
		return;
	len = colon - p;
	if (len > sizeof(name) - 1)
		len = sizeof(name) - 1;
	for (i = 0; i < len; i++)
		name[i] = (p[i] == ' ' || p[i] == '(' || p[i] == ')') ? '-' : p[i];
	name[len] = '\0';
	for (i = 0; i < nr_steps && strcmp(steps[i].name, name); i++)
		;
	if (i == nr_steps) {
		if (nr_steps == MAX_STEPS)
			return;
		strcpy(steps[nr_steps++].name, name);
	}
	steps[i].ms[round] = ms;
	if (!strcmp(name, "first-MICROV_RUN"))
		first_run[round] = in_all;
}

static int one_round(char *const argv[], int round)
{
	double t0 = now_ms();
	char line[512];
	int fds[2], status;
	pid_t pid;
	FILE *f;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (f && fgets(line, sizeof(line), f))
		parse_line(line, round);
	if (f)
		fclose(f);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	all[round] = now_ms() - t0;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

int main(int argc, char **argv)
{
	char *uvargv[] = { NULL, "run", "--verbose", "--kernel", NULL, "--ram",
			   NULL, NULL };
	int rounds, i;
	unsigned int s;

	if (argc != 5 || (rounds = atoi(argv[4])) <= 0 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: startup_bench UVCTL KERNEL SIZE ROUNDS\n");
		return 2;
	}
	uvargv[0] = argv[1];
	uvargv[4] = argv[2];
	uvargv[6] = argv[3];
	for (i = 0; i < rounds; i++) {
		if (one_round(uvargv, i)) {
			fprintf(stderr, "startup_bench: round %d: uvctl failed\n", i);
			return 1;
		}
	}
	printf("BENCH microv startup-%s %.1f ms\n", argv[3],
	       median(first_run, rounds));
	for (s = 0; s < nr_steps; s++)
		printf("BENCH microv startup-%s.%s %.1f ms\n", argv[3],
		       steps[s].name, median(steps[s].ms, rounds));
	printf("BENCH microv startup-%s.all %.1f ms\n", argv[3],
	       median(all, rounds));
	return 0;
}
