// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: the domain, built through /dev/microv from a planned layout.
 *
 * Order matters only where the module says so: the memory map is set
 * before the guest runs, and the rings need their RAM to exist.  Each
 * step fails with a message that names the ioctl and, where the cause is
 * usually the host's configuration, what to change.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "uvctl.h"

void uv_guest_init(struct uv_guest *g)
{
	unsigned int i;

	memset(g, 0, sizeof(*g));
	g->dev = g->dom = g->console = g->hvlog = g->xs.fd = -1;
	g->hvlog_bol = true;
	g->done_pipe[0] = g->done_pipe[1] = -1;
	g->affinity = -1;
	g->status = -1;
	atomic_init(&g->stopping, false);
	pthread_mutex_init(&g->lock, NULL);
	for (i = 0; i < UV_MAX_VCPUS; i++) {
		g->vcpu[i].guest = g;
		g->vcpu[i].fd = -1;
		g->vcpu[i].run = MAP_FAILED;
	}
}

/**
 * uv_guest_open_device() - open /dev/microv and check that we agree
 * @g:      the guest
 * @device: the device's path
 *
 * Return: 0, or -1 after a message.
 */
int uv_guest_open_device(struct uv_guest *g, const char *device)
{
	int api;

	g->dev = open(device, O_RDWR | O_CLOEXEC);
	if (g->dev < 0) {
		uv_err("cannot open %s: %s%s", device, strerror(errno),
		       errno == ENOENT ? " (is the microv module loaded?)" : "");
		return -1;
	}
	api = ioctl(g->dev, MICROV_GET_API_VERSION, 0);
	if (api < 0) {
		uv_err("MICROV_GET_API_VERSION: %s", strerror(errno));
		return -1;
	}
	if (api != MICROV_API_VERSION) {
		uv_err("the module speaks API %d, this uvctl %d", api,
		       MICROV_API_VERSION);
		return -1;
	}
	return 0;
}

static int create_domain(struct uv_guest *g, const char *name)
{
	struct microv_create_domain req = {
		.flags = g->strict_mmio ? MICROV_DOMAIN_STRICT_MMIO : 0,
	};

	if (name)
		snprintf(req.name, sizeof(req.name), "%s", name);
	g->dom = ioctl(g->dev, MICROV_CREATE_DOMAIN, &req);
	if (g->dom < 0) {
		if (errno == EEXIST)
			uv_err("a domain named '%s' is running already", name);
		else
			uv_err("MICROV_CREATE_DOMAIN: %s", strerror(errno));
		return -1;
	}
	g->domid = req.domid;
	uv_log("domain %u%s%s", g->domid, name ? " " : "", name ? name : "");
	return 0;
}

static int set_ram(struct uv_guest *g)
{
	struct microv_memory_region r = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = g->ram_size,
		.userspace_addr = (uintptr_t)g->mem,
	};

	if (!ioctl(g->dom, MICROV_SET_MEMORY_REGION, &r))
		return 0;
	if (errno == ENOMEM)
		uv_err("MICROV_SET_MEMORY_REGION: %s (guest RAM is pinned: raise RLIMIT_MEMLOCK, ulimit -l, or run as root)",
		       strerror(errno));
	else
		uv_err("MICROV_SET_MEMORY_REGION: %s", strerror(errno));
	return -1;
}

/*
 * The same map as start_info's, for XENMEM_memory_map: Linux asks for it
 * when start_info has none, other PVH kernels may always ask.
 */
static int set_memory_map(struct uv_guest *g, const struct uv_layout *l)
{
	struct microv_e820_entry e[UV_E820_MAX] = { 0 };
	struct microv_memory_map map = {
		.nr_entries = l->nr_e820,
		.entries = (uintptr_t)e,
	};
	unsigned int i;

	for (i = 0; i < l->nr_e820; i++) {
		e[i].addr = l->e820[i].addr;
		e[i].size = l->e820[i].size;
		e[i].type = l->e820[i].type;
	}
	if (!ioctl(g->dom, MICROV_SET_MEMORY_MAP, &map))
		return 0;
	if (errno == ENOTTY) {
		uv_err("this microv module has no MICROV_SET_MEMORY_MAP: the guest finds its memory map in start_info only");
		return 0;
	}
	uv_err("MICROV_SET_MEMORY_MAP: %s", strerror(errno));
	return -1;
}

/*
 * The module serves the console ring and sets the HVM parameters that
 * tell the guest where it is; an older module without MICROV_CONNECT_RING
 * still runs the guest, which then has no hvc0 input or output.  The
 * xenstore ring is the daemon's (xsdomain.c).
 */
static int connect_console(struct uv_guest *g, const struct uv_layout *l)
{
	struct microv_ring r = {
		.kind = MICROV_RING_CONSOLE,
		.gfn = l->console_gpa / UV_PAGE_SIZE,
	};

	if (ioctl(g->dom, MICROV_CONNECT_RING, &r)) {
		if (errno == ENOTTY) {
			uv_err("this microv module has no MICROV_CONNECT_RING: the guest runs without a console ring (no hvc0)");
			return 0;
		}
		uv_err("MICROV_CONNECT_RING (console ring at gfn %#llx): %s",
		       (unsigned long long)r.gfn, strerror(errno));
		return -1;
	}
	uv_log("console ring: gfn %#llx, event channel %u",
	       (unsigned long long)r.gfn, r.port);
	return 0;
}

static int create_vcpu(struct uv_guest *g, struct uv_vcpu *v,
		       const struct uv_layout *l)
{
	struct microv_regs regs;
	struct microv_sregs sregs;

	v->fd = ioctl(g->dom, MICROV_CREATE_VCPU, v->id);
	if (v->fd < 0) {
		uv_err("MICROV_CREATE_VCPU %u: %s", v->id, strerror(errno));
		return -1;
	}
	v->run = mmap(NULL, sizeof(*v->run), PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		uv_err("mmap of vCPU %u's run area: %s", v->id,
		       strerror(errno));
		return -1;
	}
	uv_start_state(l, &regs, &sregs);
	if (ioctl(v->fd, MICROV_SET_SREGS, &sregs)) {
		uv_err("MICROV_SET_SREGS: %s", strerror(errno));
		return -1;
	}
	if (ioctl(v->fd, MICROV_SET_REGS, &regs)) {
		uv_err("MICROV_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The ports uvctl serves (run.c's handle_io()); the module answers every
 * other one itself, as Xen does with no device model behind it.  An
 * older module without MICROV_SET_IO_PORTS leaves them all to uvctl,
 * which answers the same.
 */
static int claim_ports(struct uv_guest *g)
{
	static const struct {
		uint16_t first, count;
	} served[] = {
		{ UV_DEBUG_PORT, 1 },
		{ UV_ACPI_SLEEP_CTL, 2 },	/* and its status register */
		{ UV_ACPI_RESET, 1 },
	};
	struct microv_io_ports p = { .first = 0, .count = 65536 };
	unsigned int i;

	if (ioctl(g->dom, MICROV_SET_IO_PORTS, &p)) {
		if (errno == ENOTTY)
			return 0;
		uv_err("MICROV_SET_IO_PORTS: %s", strerror(errno));
		return -1;
	}
	p.flags = MICROV_IO_CLAIM;
	for (i = 0; i < UV_ARRAY_SIZE(served); i++) {
		p.first = served[i].first;
		p.count = served[i].count;
		if (ioctl(g->dom, MICROV_SET_IO_PORTS, &p)) {
			uv_err("MICROV_SET_IO_PORTS %#x: %s", p.first,
			       strerror(errno));
			return -1;
		}
	}
	return 0;
}

/**
 * uv_guest_build() - the domain, ready to run
 * @g:    the guest: @dev open, @mem holding the loaded RAM, @ram_size,
 *        @nr_vcpus set
 * @name: the domain's name, or NULL
 * @l:    the layout @mem was written with
 *
 * Return: 0, or -1 after a message (uv_guest_close() cleans up).
 */
int uv_guest_build(struct uv_guest *g, const char *name,
		   const struct uv_layout *l)
{
	unsigned int i;

	if (create_domain(g, name))
		return -1;
	uv_phase("domain created");
	/* The module pins RAM as the guest touches it, not here. */
	if (set_ram(g))
		return -1;
	uv_phase("guest RAM slot set");
	if (set_memory_map(g, l) || connect_console(g, l) || claim_ports(g))
		return -1;
	for (i = 0; i < g->nr_vcpus; i++) {
		g->vcpu[i].id = i;
		if (create_vcpu(g, &g->vcpu[i], l))
			return -1;
	}
	uv_phase("memory map, rings and vCPUs set");
	/* Non-blocking: the console loop polls it with stdin. */
	g->console = ioctl(g->dom, MICROV_GET_CONSOLE, MICROV_CONSOLE_NONBLOCK);
	if (g->console < 0)
		uv_err("MICROV_GET_CONSOLE: %s: the guest's console output is lost",
		       strerror(errno));
	/* console_io's output: an older module has it in the console. */
	g->hvlog = ioctl(g->dom, MICROV_GET_CONSOLE,
			 MICROV_CONSOLE_NONBLOCK | MICROV_CONSOLE_HVLOG);
	if (g->hvlog < 0 && errno != EINVAL)
		uv_err("MICROV_GET_CONSOLE (hypervisor log): %s: the guest's console_io output is lost",
		       strerror(errno));
	return 0;
}

/**
 * uv_guest_destroy() - stop the domain for good, from any thread
 * @g: the guest
 *
 * Every MICROV_RUN, running or sleeping in the guest's HLT, returns
 * ESRCH at once: that is what ends a vCPU thread however busy its guest.
 */
void uv_guest_destroy(struct uv_guest *g)
{
	if (g->dom < 0)
		return;
	/* The counters for the summary: a destroyed domain answers none. */
	g->have_last_info = !ioctl(g->dom, MICROV_GET_DOMAIN_INFO,
				   &g->last_info);
	g->diag_hdr = (struct microv_diag){
		.nr_entries = MICROV_DIAG_MAX,
		.entries = (uintptr_t)g->diag,
	};
	g->have_diag = !ioctl(g->dom, MICROV_GET_DIAG, &g->diag_hdr);
	if (ioctl(g->dom, MICROV_DESTROY_DOMAIN, 0) && errno != ESRCH)
		uv_log("MICROV_DESTROY_DOMAIN: %s", strerror(errno));
}

/* Closing the last fd is what frees the domain in the module. */
void uv_guest_close(struct uv_guest *g)
{
	unsigned int i;

	for (i = 0; i < UV_MAX_VCPUS; i++) {
		struct uv_vcpu *v = &g->vcpu[i];

		if (v->run != MAP_FAILED)
			munmap(v->run, sizeof(*v->run));
		v->run = MAP_FAILED;
		if (v->fd >= 0)
			close(v->fd);
		v->fd = -1;
	}
	if (g->console >= 0)
		close(g->console);
	if (g->hvlog >= 0)
		close(g->hvlog);
	if (g->dom >= 0)
		close(g->dom);
	if (g->dev >= 0)
		close(g->dev);
	g->console = g->hvlog = g->dom = g->dev = -1;
	uv_xs_close(&g->xs);
}
