// SPDX-License-Identifier: GPL-2.0
/*
 * microv-xenstored: the command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

#define EXIT_USAGE	2

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: microv-xenstored [OPTION]...\n"
		"The host's xenstore daemon: Xen's xenstore-* tools and\n"
		"libxenstore talk to it over a Unix socket.\n"
		"\n"
		"  -s, --socket PATH     listen on PATH (default:\n"
		"                        $XENSTORED_PATH, or\n"
		"                        " XS_DEFAULT_SOCKET ")\n"
		"  -F, --foreground      do not fork into the background\n"
		"                        (-N, --no-fork: the same)\n"
		"  -p, --pid-file FILE   write the daemon's pid to FILE\n"
		"  -V, --verbose         log domains and dropped events\n"
		"  -E, --entry-nb N      nodes a domain may own (1000)\n"
		"  -S, --entry-size N    bytes of a node (2048)\n"
		"  -W, --watch-nb N      watches per domain (128)\n"
		"  -t, --transaction N   open transactions per domain (10)\n"
		"  -A, --perm-nb N       permission entries per node (5)\n"
		"  -M, --path-max N      path length below /local/domain/N/\n"
		"                        (2048)\n"
		"  -Q, --quota WHAT=N    WHAT: nodes, node-size, watches,\n"
		"                        transactions, permissions,\n"
		"                        path-max, transaction-nodes\n"
		"                        (1024), outstanding (20 replies),\n"
		"                        memory (2621440 bytes a domain's\n"
		"                        transactions, watches and queued\n"
		"                        events hold)\n"
		"  -h, --help            show this help and exit\n"
		"      --version         show the version and exit\n");
}

static const struct {
	const char *name;
	size_t off;
} quotas[] = {
	{ "nodes", offsetof(struct xs_quota, nodes) },
	{ "node-size", offsetof(struct xs_quota, node_size) },
	{ "watches", offsetof(struct xs_quota, watches) },
	{ "transactions", offsetof(struct xs_quota, transactions) },
	{ "permissions", offsetof(struct xs_quota, perms) },
	{ "path-max", offsetof(struct xs_quota, path_max) },
	{ "transaction-nodes", offsetof(struct xs_quota, trans_nodes) },
	{ "outstanding", offsetof(struct xs_quota, outstanding) },
	{ "memory", offsetof(struct xs_quota, memory) },
};

static bool set_quota(struct xs_quota *q, const char *name, const char *val)
{
	unsigned long v;
	char *end;
	size_t i;

	v = strtoul(val, &end, 10);
	if (!*val || *end || v < 1 || v > 1UL << 30) {
		fprintf(stderr, "microv-xenstored: bad quota value '%s'\n",
			val);
		return false;
	}
	for (i = 0; i < sizeof(quotas) / sizeof(quotas[0]); i++) {
		if (!strcmp(name, quotas[i].name)) {
			*(unsigned int *)((char *)q + quotas[i].off) = v;
			return true;
		}
	}
	fprintf(stderr, "microv-xenstored: unknown quota '%s'\n", name);
	return false;
}

static bool quota_arg(struct xs_quota *q, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[32];

	if (!eq || eq - arg >= (long)sizeof(name)) {
		fprintf(stderr,
			"microv-xenstored: --quota wants WHAT=N, not '%s'\n",
			arg);
		return false;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	return set_quota(q, name, eq + 1);
}

static void log_stderr(const char *msg)
{
	fprintf(stderr, "microv-xenstored: %s\n", msg);
}

static const struct option opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "foreground", no_argument, NULL, 'F' },
	{ "no-fork", no_argument, NULL, 'N' },
	{ "pid-file", required_argument, NULL, 'p' },
	{ "verbose", no_argument, NULL, 'V' },
	{ "entry-nb", required_argument, NULL, 'E' },
	{ "entry-size", required_argument, NULL, 'S' },
	{ "watch-nb", required_argument, NULL, 'W' },
	{ "transaction", required_argument, NULL, 't' },
	{ "perm-nb", required_argument, NULL, 'A' },
	{ "path-max", required_argument, NULL, 'M' },
	{ "quota", required_argument, NULL, 'Q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

/* The short options that set one quota each, by its --quota name. */
static const char *quota_of(int c)
{
	switch (c) {
	case 'E': return "nodes";
	case 'S': return "node-size";
	case 'W': return "watches";
	case 't': return "transactions";
	case 'A': return "permissions";
	case 'M': return "path-max";
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct xs_server_opts o = { .socket = getenv("XENSTORED_PATH") };
	struct xs_quota q = xs_default_quota;
	struct xs_daemon xs;
	int c, ret;

	while ((c = getopt_long(argc, argv, "s:FNp:VE:S:W:t:A:M:Q:h", opts,
				NULL)) != -1) {
		if (quota_of(c)) {
			if (!set_quota(&q, quota_of(c), optarg))
				return EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 's':
			o.socket = optarg;
			break;
		case 'F':
		case 'N':
			o.foreground = true;
			break;
		case 'p':
			o.pid_file = optarg;
			break;
		case 'V':
			o.verbose = true;
			break;
		case 'Q':
			if (!quota_arg(&q, optarg))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("microv-xenstored %s\n", XS_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "microv-xenstored: unexpected argument '%s'\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	if (!o.socket || !*o.socket)
		o.socket = XS_DEFAULT_SOCKET;
	if (q.path_max > XENSTORE_REL_PATH_MAX)
		q.path_max = XENSTORE_REL_PATH_MAX;	/* as Xen */
	if (xs_init(&xs, &q)) {
		fprintf(stderr, "microv-xenstored: cannot build the tree\n");
		return 1;
	}
	if (o.verbose)
		xs.hooks.log = log_stderr;
	ret = xs_serve(&xs, &o);
	xs_free(&xs);
	return ret;
}
