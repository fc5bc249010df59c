// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: drive the microv hypervisor from the shell.
 *
 *   uvctl info   what the module found on this host
 *   uvctl run    boot a Xen PVH kernel (Linux) as a guest, its console
 *                on this terminal
 *
 * This file is the command line: options, their checks, and the order of
 * the steps of "run"; the steps themselves live in the files uvctl.h
 * lists.  Documentation/uvctl.rst is the manual.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xen/xen.h>

#include "uvctl.h"

#define DEFAULT_CMDLINE	"console=hvc0"

static const char exit_status_help[] =
	"Exit status:\n"
	"  0      the guest powered off (or you detached with Ctrl-])\n"
	"  1      uvctl or the host failed, or the guest touched memory with no\n"
	"         RAM behind it\n"
	"  2      usage error\n"
	"  3      the guest rebooted (uvctl does not restart it)\n"
	"  4      the guest crashed, or its watchdog expired\n"
	"  5      the guest stopped otherwise: triple fault, HLT with interrupts\n"
	"         off, failed VM entry, suspend\n"
	"  128+N  stopped by signal N (SIGINT, SIGTERM, SIGHUP)\n";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: uvctl [OPTION]... COMMAND [ARG]...\n"
		"Drive the microv hypervisor (/dev/microv).\n"
		"\n"
		"Commands:\n"
		"  info           show the API version, the virtualization backend,\n"
		"                 its revision and features, and the CPUs it runs on\n"
		"  run            boot a Xen PVH kernel as a guest, its console here\n"
		"                 (uvctl run --help)\n"
		"  console DOMID  attach to the console of a guest another uvctl runs\n"
		"                 (its domid: \"uvctl run\" says it); Ctrl-] detaches\n"
		"  mem-set DOMAIN SIZE\n"
		"                 set the memory a running guest's balloon driver aims\n"
		"                 at (uvctl mem-set --help)\n"
		"\n"
		"Options:\n"
		"  -d, --device=PATH  the microv device (default %s, or $MICROV_DEVICE)\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n"
		"\n"
		"%s", MICROV_DEVICE, exit_status_help);
}

static void run_usage(FILE *out)
{
	fprintf(out,
		"Usage: uvctl [-d PATH] run --kernel FILE [OPTION]...\n"
		"Boot a kernel as a Xen PVH guest under microv, its console on stdout.\n"
		"\n"
		"  -k, --kernel=FILE   ELF vmlinux with a Xen PVH entry note, or a bzImage\n"
		"                      (gzip, xz, zstd or lz4 payload)\n"
		"  -i, --initrd=FILE   initial ramdisk (module 0 of start_info)\n"
		"  -m, --ram=SIZE      guest RAM, with a K, M or G suffix; a plain number\n"
		"                      is MiB (default 256M, at least 2M)\n"
		"  -c, --cmdline=STR   kernel command line (default \"%s\")\n"
		"  -n, --name=NAME     domain name, of letters, digits, '_', '.' and '-'\n"
		"      --disk=PATH[,ro][,vdev=xvdX]\n"
		"                      a file or block device as the guest's PV disk\n"
		"                      (xen-blkfront), xvda, xvdb... in order; ro: the\n"
		"                      guest may only read it.  Repeatable, up to %d\n"
		"      --hvc           send stdin to the guest's console; on a terminal,\n"
		"                      raw mode: every key goes to the guest, Ctrl-]\n"
		"                      detaches (stops the guest)\n"
		"  -a, --affinity=CPU  run the vCPU thread on host CPU number CPU only\n"
		"      --vcpus=N       number of vCPUs (only 1 for now)\n"
		"      --dry-run       load the kernel and print the guest's layout, with\n"
		"                      no /dev/microv, then exit\n"
		"      --strict-mmio   stop the guest when it touches a guest-physical\n"
		"                      address with no RAM (by default it reads all\n"
		"                      ones there and its writes are dropped, as on Xen)\n"
		"      --no-xenstore   give the guest no xenstore (by default uvctl\n"
		"                      introduces it to the host's xenstore daemon,\n"
		"                      $XENSTORED_PATH or %s,\n"
		"                      and starts microv-xenstored if none answers)\n"
		"  -v, --verbose       print the layout, the rings and unusual exits\n"
		"  -d, --device=PATH   the microv device (default %s)\n"
		"  -h, --help          show this help and exit\n"
		"\n"
		"%s", DEFAULT_CMDLINE, UV_MAX_DISKS, UV_XS_SOCKET,
		MICROV_DEVICE, exit_status_help);
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

static int info(const char *device)
{
	struct microv_host_info hi = { 0 };
	struct uv_guest g;
	unsigned int i;
	int ret = UV_EXIT_ERROR;

	uv_guest_init(&g);
	if (uv_guest_open_device(&g, device))
		goto out;
	if (ioctl(g.dev, MICROV_GET_HOST_INFO, &hi) < 0) {
		uv_err("MICROV_GET_HOST_INFO: %s", strerror(errno));
		goto out;
	}
	printf("api_version: %d\n", MICROV_API_VERSION);
	printf("backend: %s\n",
	       hi.backend == MICROV_BACKEND_VMX ? "vmx" : "unknown");
	printf("revision: %#x\n", hi.revision);
	printf("cpus: %u\n", hi.nr_cpus);
	printf("features:");
	for (i = 0; i < UV_ARRAY_SIZE(features); i++)
		if (hi.features & features[i].bit)
			printf(" %s", features[i].name);
	printf("\n");
	ret = 0;
out:
	uv_guest_close(&g);
	return ret;
}

static int cmd_info(const char *device, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return UV_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		uv_err("info takes no argument");
		return UV_EXIT_USAGE;
	}
	return info(device);
}

/**
 * struct run_opts - what "uvctl run" was asked for
 * @device:   the microv device
 * @kernel:   the kernel file
 * @initrd:   the initrd file, or NULL
 * @cmdline:  the kernel command line
 * @name:     the domain's name, or NULL
 * @ram:      guest RAM in bytes
 * @vcpus:    number of vCPUs
 * @affinity: host CPU for the vCPU threads, or -1
 * @hvc:      forward stdin to the console
 * @dry_run:  plan and load, print, but do not run
 * @strict_mmio: stop the guest at an access to no RAM
 * @no_xenstore: give the guest no xenstore
 * @nr_disks: --disk options in @disks
 * @disks:    them
 */
struct run_opts {
	const char *device, *kernel, *initrd, *cmdline, *name;
	uint64_t ram;
	unsigned int vcpus;
	int affinity;
	bool hvc, dry_run, strict_mmio, no_xenstore;
	unsigned int nr_disks;
	struct uv_disk disks[UV_MAX_DISKS];
};

/*
 * The module's rule for names, checked here for a clearer message; and
 * not all digits, which would read as a domid (mem-set, xl).
 */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= MICROV_NAME_MAX || strspn(s, "0123456789") == n)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/*
 * Everything after the vCPU threads start: the console loop in this
 * thread, then teardown in an order that keeps the guest's last output
 * and leaves the terminal as it was, whatever ended the run.
 */
static int run_loop(struct uv_guest *g, const struct run_opts *o)
{
	enum uv_end end = UV_END_ERROR;
	int sigfd, signo = 0, status;

	sigfd = uv_console_signals();
	if (sigfd < 0)
		return UV_EXIT_ERROR;

	if (o->hvc)
		uv_term_attach(g->domid);
	if (!uv_vcpus_start(g))
		end = uv_console_loop(g, o->hvc, sigfd, &signo);
	if (end != UV_END_GUEST)
		uv_vcpus_stop(g);
	uv_vcpus_join(g);
	/*
	 * The guest's last words matter when it ended by itself; after a
	 * signal or a detach, a stalled stdout must not keep uvctl alive.
	 */
	if (end == UV_END_GUEST)
		uv_console_drain(g);
	uv_term_restore();
	uv_end_say(g);

	switch (end) {
	case UV_END_GUEST:
		status = g->status >= 0 ? g->status : UV_EXIT_ERROR;
		break;
	case UV_END_DETACH:
		fprintf(stderr, "uvctl: detached\n");
		status = UV_EXIT_POWEROFF;
		break;
	case UV_END_SIGNAL:
		uv_log("%s: stopping the guest", strsignal(signo));
		status = UV_EXIT_SIGNAL + signo;
		break;
	default:
		status = UV_EXIT_ERROR;
		break;
	}
	uv_run_summary(g);
	uv_out_cancel_on(-1);
	close(sigfd);
	return status;
}

static int run(const struct run_opts *o)
{
	struct uv_buf initrd = { 0 };
	struct uv_kernel k;
	struct uv_layout l;
	struct uv_guest g;
	int status = UV_EXIT_ERROR;

	uv_guest_init(&g);
	uv_phase(NULL);
	if (uv_kernel_open(&k, o->kernel))
		goto out;
	uv_phase("kernel read and unpacked");
	if (o->initrd) {
		if (uv_read_file(o->initrd, "initrd", &initrd))
			goto out;
		if (!initrd.size) {
			uv_err("the initrd %s is empty", o->initrd);
			goto out;
		}
		uv_phase("initrd read");
	}
	if (uv_layout_plan(&l, o->ram, o->vcpus, &k, initrd.size,
			   strlen(o->cmdline)))
		goto out;

	/* Untouched pages cost nothing until the module pins them. */
	g.ram_size = o->ram;
	g.mem = mmap(NULL, o->ram, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g.mem == MAP_FAILED) {
		g.mem = NULL;
		uv_err("cannot map %lluM of guest RAM: %s",
		       (unsigned long long)(o->ram / UV_MiB), strerror(errno));
		goto out;
	}
	if (uv_layout_write(&l, g.mem, &k, &initrd, o->cmdline))
		goto out;
	uv_phase("guest RAM mapped and loaded");
	if (o->dry_run) {
		uv_layout_print(&l, &k, o->cmdline, stdout, "");
		status = 0;
		goto out;
	}
	if (uv_verbose)
		uv_layout_print(&l, &k, o->cmdline, stderr, "uvctl: ");
	/* The copies in guest RAM are all the guest needs from now on. */
	uv_kernel_free(&k);
	uv_buf_free(&initrd);

	g.nr_vcpus = o->vcpus;
	g.affinity = o->affinity;
	g.strict_mmio = o->strict_mmio;
	g.nr_disks = o->nr_disks;
	memcpy(g.disks, o->disks, sizeof(g.disks));
	/* The daemon is started, if it must be, before the domain exists. */
	if (uv_disks_open(&g) || uv_guest_open_device(&g, o->device) ||
	    (!o->no_xenstore && uv_xs_open(&g.xs, true)) ||
	    uv_guest_build(&g, o->name, &l))
		goto out;
	if (g.xs.fd < 0 ||
	    (!uv_store_domain(&g, o->name, &l) && !uv_disks_start(&g)))
		status = run_loop(&g, o);
	/*
	 * The daemon lets the domid go before the module does: a domain
	 * that gets it next must not lose its nodes to this one's release.
	 * Consoles attached elsewhere (uvctl console) see it end.
	 */
	uv_disks_stop(&g);	/* before the domid may be another's */
	uv_store_release(&g);
	uv_guest_destroy(&g);
out:
	uv_disks_stop(&g);
	uv_guest_close(&g);
	if (g.mem)
		munmap(g.mem, g.ram_size);
	free(g.io_counts);
	uv_kernel_free(&k);
	uv_buf_free(&initrd);
	return status;
}

static int cmd_console(const char *device, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long domid;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: uvctl [-d PATH] console DOMID\n"
			       "Attach to the console of the running domain DOMID: its\n"
			       "output not yet read, then as it comes; what you type goes\n"
			       "to the guest.  Ctrl-] detaches; it ends (status 0) when the\n"
			       "domain is destroyed.  Only the user who created the domain\n"
			       "(or CAP_SYS_ADMIN) may attach.\n");
			return 0;
		}
		return UV_EXIT_USAGE;
	}
	if (optind != argc - 1) {
		uv_err("console: expected one DOMID");
		return UV_EXIT_USAGE;
	}
	errno = 0;
	domid = strtoul(argv[optind], &end, 10);
	if (errno || *end || !*argv[optind] || !domid ||
	    domid >= DOMID_FIRST_RESERVED) {
		uv_err("console: '%s' is not a domid (1-%u)", argv[optind],
		       DOMID_FIRST_RESERVED - 1);
		return UV_EXIT_USAGE;
	}
	return uv_console_attach(device, domid);
}

static void mem_set_usage(FILE *out)
{
	fprintf(out,
		"Usage: uvctl mem-set DOMAIN SIZE\n"
		"Set the memory that the balloon driver of the running guest DOMAIN\n"
		"(a domid, or the name given to \"uvctl run --name\") aims at, as\n"
		"\"xl mem-set\" does: its xenstore node memory/target.  SIZE has a K,\n"
		"M or G suffix; a plain number is MiB.  It may not be more than the\n"
		"guest's RAM (--ram); the guest gives pages back or takes them again\n"
		"at its own pace, and one without a balloon driver ignores it.\n"
		"\n"
		"The xenstore daemon is the one at $XENSTORED_PATH, or %s.\n",
		UV_XS_SOCKET);
}

static int cmd_mem_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int domid;
	uint64_t bytes;
	struct uv_xs xs;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			mem_set_usage(stdout);
			return 0;
		}
		fprintf(stderr, "Try 'uvctl mem-set --help'.\n");
		return UV_EXIT_USAGE;
	}
	if (optind != argc - 2) {
		uv_err("mem-set: expected DOMAIN and SIZE");
		return UV_EXIT_USAGE;
	}
	if (uv_parse_size(argv[optind + 1], "mem-set", &bytes))
		return UV_EXIT_USAGE;
	if (uv_xs_open(&xs, false))
		return UV_EXIT_ERROR;
	ret = uv_store_find(&xs, argv[optind], &domid) ||
	      uv_store_set_target(&xs, domid, bytes) ? UV_EXIT_ERROR : 0;
	uv_xs_close(&xs);
	return ret;
}

static int cmd_run(const char *device, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "ram", required_argument, NULL, 'm' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "hvc", no_argument, NULL, 'H' },
		{ "affinity", required_argument, NULL, 'a' },
		{ "vcpus", required_argument, NULL, 'P' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "strict-mmio", no_argument, NULL, 'S' },
		{ "no-xenstore", no_argument, NULL, 'X' },
		{ "disk", required_argument, NULL, 'B' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = {
		.device = device,
		.cmdline = DEFAULT_CMDLINE,
		.ram = UV_RAM_DEFAULT,
		.vcpus = 1,
		.affinity = -1,
	};
	unsigned long n;
	int c;

	while ((c = getopt_long(argc, argv, "k:i:m:c:n:a:vd:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			o.kernel = optarg;
			break;
		case 'i':
			o.initrd = optarg;
			break;
		case 'm':
			if (uv_parse_ram(optarg, &o.ram))
				return UV_EXIT_USAGE;
			break;
		case 'c':
			o.cmdline = optarg;
			if (strlen(optarg) >= UV_CMDLINE_MAX) {
				uv_err("--cmdline: %zu bytes, more than the %d Linux keeps",
				       strlen(optarg), UV_CMDLINE_MAX - 1);
				return UV_EXIT_USAGE;
			}
			break;
		case 'n':
			if (!valid_name(optarg)) {
				uv_err("--name '%s': use 1 to %d letters, digits, '_', '.' or '-', not digits alone",
				       optarg, MICROV_NAME_MAX - 1);
				return UV_EXIT_USAGE;
			}
			o.name = optarg;
			break;
		case 'H':
			o.hvc = true;
			break;
		case 'a':
			if (uv_parse_uint(optarg, CPU_SETSIZE - 1, &n)) {
				uv_err("--affinity %s: expected a CPU number below %d",
				       optarg, CPU_SETSIZE);
				return UV_EXIT_USAGE;
			}
			o.affinity = n;
			break;
		case 'P':
			if (uv_parse_uint(optarg, MICROV_MAX_VCPUS, &n) || !n) {
				uv_err("--vcpus %s: expected a number from 1 to %d",
				       optarg, MICROV_MAX_VCPUS);
				return UV_EXIT_USAGE;
			}
			if (n > UV_MAX_VCPUS) {
				uv_err("--vcpus %lu: multi-vCPU guests are not supported yet",
				       n);
				return UV_EXIT_USAGE;
			}
			o.vcpus = n;
			break;
		case 'D':
			o.dry_run = true;
			break;
		case 'S':
			o.strict_mmio = true;
			break;
		case 'X':
			o.no_xenstore = true;
			break;
		case 'B':
			if (uv_disk_parse(optarg, o.nr_disks,
					  &o.disks[o.nr_disks]))
				return UV_EXIT_USAGE;
			o.nr_disks++;
			break;
		case 'v':
			uv_verbose = true;
			break;
		case 'd':
			o.device = optarg;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'uvctl run --help'.\n");
			return UV_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		uv_err("run: unexpected argument '%s'", argv[optind]);
		return UV_EXIT_USAGE;
	}
	if (!o.kernel) {
		uv_err("run: which kernel? (--kernel FILE)");
		return UV_EXIT_USAGE;
	}
	if (o.nr_disks && o.no_xenstore) {
		uv_err("run: --disk needs the xenstore (not --no-xenstore): the guest finds its disks there");
		return UV_EXIT_USAGE;
	}
	for (n = 0; n < o.nr_disks; n++) {
		unsigned int i;

		for (i = 0; i < n; i++) {
			if (o.disks[i].devid == o.disks[n].devid) {
				uv_err("run: two disks are %s", o.disks[n].vdev);
				return UV_EXIT_USAGE;
			}
		}
	}
	return run(&o);
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
	const char *cmd;
	int c;

	if (!device)
		device = MICROV_DEVICE;
	/* "+": stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+d:hV", opts, NULL)) != -1) {
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
			return UV_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		uv_err("expected a command");
		usage(stderr);
		return UV_EXIT_USAGE;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	/* getopt names argv[0] in its messages: "uvctl run: ...". */
	optind = 0;
	if (!strcmp(cmd, "info")) {
		argv[0] = (char *)"uvctl info";
		return cmd_info(device, argc, argv);
	}
	if (!strcmp(cmd, "run")) {
		argv[0] = (char *)"uvctl run";
		return cmd_run(device, argc, argv);
	}
	if (!strcmp(cmd, "console")) {
		argv[0] = (char *)"uvctl console";
		return cmd_console(device, argc, argv);
	}
	if (!strcmp(cmd, "mem-set")) {
		argv[0] = (char *)"uvctl mem-set";
		return cmd_mem_set(argc, argv);
	}
	uv_err("unknown command '%s'", cmd);
	usage(stderr);
	return UV_EXIT_USAGE;
}
