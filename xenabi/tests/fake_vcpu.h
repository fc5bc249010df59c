/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A domain for the xenabi unit tests: vCPU "xv" (id 3) and a second one,
 * "xv2" (id FAKE_VCPU2_ID), sharing registers in an array, and a vCPU 0
 * "xv0" that only fake_add_vcpu0() registers (global VIRQs live there);
 * guest memory in a buffer where virtual and physical addresses are the
 * same (frame n is at n * 4096); shared_info in a page of its own; a TSC
 * (advancing by tsc_step at each read, if set) and a timer the test
 * drives; mode and CPL chosen by the test.  Kicks, timer settings,
 * pages placed and events the guest sent to the host (notify_host) are
 * recorded for the test to look at; on_write, if set, sees each write to
 * guest memory as it happens, and on_notify each notify_host, as a host's
 * backend would.
 */
#ifndef XENABI_FAKE_VCPU_H
#define XENABI_FAKE_VCPU_H

#include "../xenabi.h"

#define FAKE_MEM_SIZE	(64 * 1024)
#define FAKE_VCPU_ID	3
#define FAKE_VCPU2_ID	5
#define FAKE_VCPU0_ID	0
#define FAKE_TSC_HZ	2000000000ULL	/* 2 GHz: 2 ticks a nanosecond */

struct fake_vcpu {
	struct xen_vcpu xv, xv2, xv0;
	struct xen_domain dom;
	unsigned long regs[XEN_REG_R10 + 1];
	int mode, cpl;
	unsigned char mem[FAKE_MEM_SIZE] __attribute__((aligned(4096)));
	unsigned char shared_info[4096] __attribute__((aligned(4096)));
	char console[8192];
	size_t console_len;
	u64 tsc, tsc_step;
	bool timer_armed;
	u64 timer_ns;
	unsigned int kicks[3];		/* xv, xv2, xv0 */
	unsigned int mapped, unmapped;	/* map_gfn / unmap_gfn calls */
	unsigned int notified;		/* notify_host calls */
	unsigned int unsupported;	/* unsupported calls */
	u32 unsupported_nr;		/* the last one's hypercall */
	u64 unsupported_arg;		/* and its first argument */
	u32 notify_port;		/* the last one's port */
	u32 notify_local;		/* and the host's */
	void (*on_write)(struct fake_vcpu *f, u64 gva, size_t len);
	void (*on_notify)(struct fake_vcpu *f, struct xen_vcpu *v, u32 port,
			  u32 local);
	void (*on_map)(struct fake_vcpu *f, u64 gfn);	/* once mapped */
	u32 given_back;			/* frame n given back: bit n */
	unsigned int released, populated;	/* frames, both ways */
};

void (*xenabi_cmpxchg_hook)(u32 *p);

static inline struct fake_vcpu *to_fake(struct xen_vcpu *v)
{
	if (v->vcpu_id == FAKE_VCPU2_ID)
		return (struct fake_vcpu *)((char *)v -
					    offsetof(struct fake_vcpu, xv2));
	if (v->vcpu_id == FAKE_VCPU0_ID)
		return (struct fake_vcpu *)((char *)v -
					    offsetof(struct fake_vcpu, xv0));
	return (struct fake_vcpu *)((char *)v - offsetof(struct fake_vcpu, xv));
}

/* Index of @v in fake_vcpu.kicks. */
static inline unsigned int fake_index(struct xen_vcpu *v)
{
	return v->vcpu_id == FAKE_VCPU2_ID ? 1 :
	       v->vcpu_id == FAKE_VCPU0_ID ? 2 : 0;
}

static unsigned long fake_get_reg(struct xen_vcpu *v, enum xen_reg reg)
{
	return to_fake(v)->regs[reg];
}

static void fake_set_reg(struct xen_vcpu *v, enum xen_reg reg,
			 unsigned long val)
{
	to_fake(v)->regs[reg] = val;
}

static int fake_mode(struct xen_vcpu *v)
{
	return to_fake(v)->mode;
}

static int fake_cpl(struct xen_vcpu *v)
{
	return to_fake(v)->cpl;
}

static bool fake_range(u64 addr, size_t len)
{
	return addr < FAKE_MEM_SIZE && len <= FAKE_MEM_SIZE - addr;
}

static int fake_copy_from(struct xen_vcpu *v, void *dst, u64 gva, size_t len)
{
	if (!fake_range(gva, len))
		return -EFAULT;
	memcpy(dst, to_fake(v)->mem + gva, len);
	return 0;
}

static int fake_copy_to(struct xen_vcpu *v, u64 gva, const void *src,
			size_t len)
{
	struct fake_vcpu *f = to_fake(v);

	if (!fake_range(gva, len))
		return -EFAULT;
	memcpy(f->mem + gva, src, len);
	if (f->on_write)
		f->on_write(f, gva, len);
	return 0;
}

static void fake_console_write(struct xen_vcpu *v, const char *buf,
			       size_t len)
{
	struct fake_vcpu *f = to_fake(v);

	if (len > sizeof(f->console) - f->console_len)
		len = sizeof(f->console) - f->console_len;
	memcpy(f->console + f->console_len, buf, len);
	f->console_len += len;
}

static void *fake_map_gfn(struct xen_vcpu *v, u64 gfn)
{
	if (gfn >= FAKE_MEM_SIZE / 4096)
		return NULL;
	to_fake(v)->mapped++;
	if (to_fake(v)->on_map)
		to_fake(v)->on_map(to_fake(v), gfn);
	return to_fake(v)->mem + gfn * 4096;
}

static void fake_unmap_gfn(struct xen_vcpu *v, void *va)
{
	(void)va;
	to_fake(v)->unmapped++;
}

/* Records the place; the page's contents stay where the test has them. */
static int fake_map_xen_page(struct xen_vcpu *v, unsigned int idx, u64 gfn)
{
	if (idx >= XENABI_NR_XEN_PAGES || gfn >= FAKE_MEM_SIZE / 4096)
		return -EINVAL;
	v->domain->xen_page_gfn[idx] = gfn;
	return 0;
}

/* Frames of the buffer go and come back, zeroed; a Xen page only @any. */
static int fake_release_gfn(struct xen_vcpu *v, u64 gfn, bool any)
{
	struct fake_vcpu *f = to_fake(v);
	bool removed = false;
	unsigned int i;

	if (gfn >= FAKE_MEM_SIZE / 4096)
		return -ENOENT;
	for (i = 0; i < XENABI_NR_XEN_PAGES; i++) {
		if (v->domain->xen_page_gfn[i] != gfn)
			continue;
		if (!any)
			return -EBUSY;
		v->domain->xen_page_gfn[i] = XENABI_NO_GFN;
		removed = true;
	}
	if (f->given_back & (1U << gfn))
		return removed ? 0 : -ENOENT;
	f->given_back |= 1U << gfn;
	f->released++;
	v->domain->nr_pages--;
	memset(f->mem + gfn * 4096, 0xdd, 4096);
	return 0;
}

static int fake_populate_gfn(struct xen_vcpu *v, u64 gfn)
{
	struct fake_vcpu *f = to_fake(v);

	if (gfn >= FAKE_MEM_SIZE / 4096)
		return -ENOENT;
	if (!(f->given_back & (1U << gfn)))
		return -EEXIST;
	f->given_back &= ~(1U << gfn);
	f->populated++;
	v->domain->nr_pages++;
	memset(f->mem + gfn * 4096, 0, 4096);
	return 0;
}

static void fake_kick(struct xen_vcpu *v)
{
	to_fake(v)->kicks[fake_index(v)]++;
}

/* Real TSCs move between two reads: tsc_step makes this one do so too. */
static u64 fake_read_tsc(struct xen_vcpu *v)
{
	struct fake_vcpu *f = to_fake(v);
	u64 tsc = f->tsc;

	f->tsc += f->tsc_step;
	return tsc;
}

static void fake_set_timer(struct xen_vcpu *v, u64 ns)
{
	to_fake(v)->timer_armed = true;
	to_fake(v)->timer_ns = ns;
}

static void fake_stop_timer(struct xen_vcpu *v)
{
	to_fake(v)->timer_armed = false;
}

static void fake_notify_host(struct xen_vcpu *v, u32 port, u32 local)
{
	struct fake_vcpu *f = to_fake(v);

	f->notified++;
	f->notify_port = port;
	f->notify_local = local;
	if (f->on_notify)
		f->on_notify(f, v, port, local);
}

static void fake_unsupported(struct xen_vcpu *v, u32 nr, u64 arg)
{
	struct fake_vcpu *f = to_fake(v);

	f->unsupported++;
	f->unsupported_nr = nr;
	f->unsupported_arg = arg;
}

static const struct xen_vcpu_ops fake_ops = {
	.get_reg = fake_get_reg,
	.set_reg = fake_set_reg,
	.mode = fake_mode,
	.cpl = fake_cpl,
	.copy_from_guest = fake_copy_from,
	.copy_to_guest = fake_copy_to,
	.write_gpa = fake_copy_to,
	.console_write = fake_console_write,
	.map_gfn = fake_map_gfn,
	.unmap_gfn = fake_unmap_gfn,
	.map_xen_page = fake_map_xen_page,
	.release_gfn = fake_release_gfn,
	.populate_gfn = fake_populate_gfn,
	.kick = fake_kick,
	.read_tsc = fake_read_tsc,
	.set_timer = fake_set_timer,
	.stop_timer = fake_stop_timer,
	.notify_host = fake_notify_host,
	.unsupported = fake_unsupported,
};

/* Domain 7 started at TSC 1000, wall clock 1.5 s after the epoch. */
static inline void fake_init(struct fake_vcpu *f, int mode)
{
	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->tsc = 1000;
	xen_domain_init(&f->dom, 7, f->shared_info);
	memcpy(f->dom.hypercall_insn, "\x0f\x01\xc1", 3);
	xen_time_init(&f->dom, 1000, FAKE_TSC_HZ, 1500000000ULL, true);
	xen_vcpu_init(&f->xv, &f->dom, FAKE_VCPU_ID, &fake_ops);
	xen_vcpu_publish(&f->xv);
	xen_vcpu_init(&f->xv2, &f->dom, FAKE_VCPU2_ID, &fake_ops);
	xen_vcpu_publish(&f->xv2);
}

/* Gives the domain its vCPU 0, as a real one has. */
static inline int fake_add_vcpu0(struct fake_vcpu *f)
{
	int ret = xen_vcpu_init(&f->xv0, &f->dom, FAKE_VCPU0_ID, &fake_ops);

	if (!ret)
		xen_vcpu_publish(&f->xv0);
	return ret;
}

#endif /* XENABI_FAKE_VCPU_H */
