// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: drive the microv hypervisor from the shell.
 *
 * Today it reports what the module found on this host; launching guests
 * (kernel, initrd, RAM, command line, console) comes with the guest
 * execution and Xen ABI work.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/microv.h>

#define UVCTL_VERSION	"0.1"
#define MICROV_DEVICE	"/dev/microv"

static const char *progname = "uvctl";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTION]... COMMAND\n"
		"Drive the microv hypervisor (/dev/microv).\n"
		"\n"
		"Commands:\n"
		"  info           show the API version, the virtualization backend,\n"
		"                 its revision and features, and the CPUs it runs on\n"
		"\n"
		"Options:\n"
		"  -d, --device=PATH  the microv device (default %s, or $MICROV_DEVICE)\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n"
		"\n"
		"Exit status: 0 on success, 1 on failure, 2 on a usage error.\n",
		progname, MICROV_DEVICE);
}

static const struct {
	__u64 bit;
	const char *name;
} features[] = {
	{ MICROV_FEATURE_EPT, "ept" },
	{ MICROV_FEATURE_VPID, "vpid" },
	{ MICROV_FEATURE_UNRESTRICTED_GUEST, "unrestricted_guest" },
	{ MICROV_FEATURE_PREEMPTION_TIMER, "preemption_timer" },
	{ MICROV_FEATURE_POSTED_INTR, "posted_intr" },
	{ MICROV_FEATURE_EPT_AD, "ept_ad" },
	{ MICROV_FEATURE_EPT_1GB, "ept_1gb" },
};

static int cmd_info(int fd)
{
	struct microv_host_info info = { 0 };
	unsigned int i;
	int api;

	api = ioctl(fd, MICROV_GET_API_VERSION, 0);
	if (api < 0) {
		fprintf(stderr, "%s: MICROV_GET_API_VERSION: %s\n", progname,
			strerror(errno));
		return 1;
	}
	if (api != MICROV_API_VERSION) {
		fprintf(stderr, "%s: the module speaks API %d, this uvctl %d\n",
			progname, api, MICROV_API_VERSION);
		return 1;
	}
	if (ioctl(fd, MICROV_GET_HOST_INFO, &info) < 0) {
		fprintf(stderr, "%s: MICROV_GET_HOST_INFO: %s\n", progname,
			strerror(errno));
		return 1;
	}
	printf("api_version: %d\n", api);
	printf("backend: %s\n",
	       info.backend == MICROV_BACKEND_VMX ? "vmx" : "unknown");
	printf("revision: %#x\n", info.revision);
	printf("cpus: %u\n", info.nr_cpus);
	printf("features:");
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (info.features & features[i].bit)
			printf(" %s", features[i].name);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = getenv("MICROV_DEVICE");
	int c, fd, ret;

	if (!device)
		device = MICROV_DEVICE;
	while ((c = getopt_long(argc, argv, "d:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("uvctl %s (microv API %d)\n", UVCTL_VERSION,
			       MICROV_API_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s: expected one command\n", progname);
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[optind], "info")) {
		fprintf(stderr, "%s: unknown command '%s'\n", progname,
			argv[optind]);
		usage(stderr);
		return 2;
	}

	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s%s\n", progname, device,
			strerror(errno),
			errno == ENOENT ? " (is the microv module loaded?)" : "");
		return 1;
	}
	ret = cmd_info(fd);
	close(fd);
	return ret;
}
