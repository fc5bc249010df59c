// SPDX-License-Identifier: GPL-2.0
/*
 * Wiring of the Xen personality (xenabi/) into microv: each domain and
 * vCPU carries its Xen state, and the accessors xenabi sees a vCPU
 * through are made of the backend's registers and module/'s guest memory.
 */
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "domain.h"
#include "microv.h"
#include "x86.h"

/* Guest registers in the x86 encoding the backend's get_gpr() takes. */
static const u8 microv_xen_gpr[] = {
	[XEN_REG_RAX] = 0, [XEN_REG_RCX] = 1, [XEN_REG_RDX] = 2,
	[XEN_REG_RBX] = 3, [XEN_REG_RSI] = 6, [XEN_REG_RDI] = 7,
	[XEN_REG_R8] = 8, [XEN_REG_R9] = 9, [XEN_REG_R10] = 10,
};

static struct microv_vcpu *to_vcpu(struct xen_vcpu *xv)
{
	return container_of(xv, struct microv_vcpu, xen);
}

static unsigned long microv_xen_get_reg(struct xen_vcpu *xv, enum xen_reg reg)
{
	return microv_backend->get_gpr(to_vcpu(xv), microv_xen_gpr[reg]);
}

static void microv_xen_set_reg(struct xen_vcpu *xv, enum xen_reg reg,
			       unsigned long val)
{
	microv_backend->set_gpr(to_vcpu(xv), microv_xen_gpr[reg], val);
}

static int microv_xen_mode(struct xen_vcpu *xv)
{
	return to_vcpu(xv)->paging.mode;
}

static int microv_xen_cpl(struct xen_vcpu *xv)
{
	return to_vcpu(xv)->paging.cpl;
}

static int microv_xen_copy_from(struct xen_vcpu *xv, void *dst, u64 gva,
				size_t len)
{
	return microv_gva_access(to_vcpu(xv), gva, dst, len, false);
}

static int microv_xen_copy_to(struct xen_vcpu *xv, u64 gva, const void *src,
			      size_t len)
{
	return microv_gva_access(to_vcpu(xv), gva, (void *)src, len, true);
}

static int microv_xen_write_gpa(struct xen_vcpu *xv, u64 gpa, const void *src,
				size_t len)
{
	return microv_gpa_access(to_vcpu(xv)->domain, gpa, (void *)src, len,
				 true);
}

static void microv_xen_console_write(struct xen_vcpu *xv, const char *buf,
				     size_t len)
{
	microv_console_write(&to_vcpu(xv)->domain->hvlog, buf, len);
}

/* A hypercall answered -ENOSYS: noted for MICROV_GET_DIAG. */
static void microv_xen_unsupported(struct xen_vcpu *xv, u32 nr, u64 arg)
{
	microv_diag_note(to_vcpu(xv)->domain, MICROV_DIAG_ENOSYS, nr, arg);
}

/* A guest page of RAM, held (get_page) while xenabi keeps its address. */
static void *microv_xen_map_gfn(struct xen_vcpu *xv, u64 gfn)
{
	struct microv_domain *d = to_vcpu(xv)->domain;
	struct page *page;

	if (gfn >= MICROV_MAX_GPA >> PAGE_SHIFT)
		return NULL;
	mutex_lock(&d->lock);
	page = microv_gpa_page(d, gfn << PAGE_SHIFT, true);
	if (page)
		get_page(page);
	mutex_unlock(&d->lock);
	return page ? page_address(page) : NULL;
}

static void microv_xen_unmap_gfn(struct xen_vcpu *xv, void *va)
{
	put_page(virt_to_page(va));
}

/*
 * Puts guest frame @gfn back as the slots say: RAM if a slot has it
 * pinned, else nothing (the guest's next touch pins it); d->lock held.
 * The unmap flushes what CPUs cached of it.
 */
static void microv_gfn_restore(struct microv_domain *d, u64 gfn)
{
	struct microv_memslot *s = microv_memslot_at(d, gfn << PAGE_SHIFT);
	struct page **page;

	microv_backend->unmap(d, gfn << PAGE_SHIFT, 1);
	if (!s)
		return;
	page = &s->pages[gfn - (s->gpa >> PAGE_SHIFT)];
	if (*page)
		microv_backend->map(d, gfn << PAGE_SHIFT, page, 1,
				    !(s->flags & MICROV_MEM_READONLY));
}

/**
 * microv_xen_page_get() - the hypervisor's page @idx of @d, made if need be
 * @d:   the domain, d->lock held
 * @idx: XENABI_PAGE_*
 *
 * Return: 0 or -ENOMEM.
 */
int microv_xen_page_get(struct microv_domain *d, unsigned int idx)
{
	if (d->xen_pages[idx])
		return 0;
	d->xen_pages[idx] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!d->xen_pages[idx])
		return -ENOMEM;
	/* Grant frames, where the host's grant mappings read them. */
	if (idx >= XENABI_PAGE_GNTTAB(0))
		WRITE_ONCE(d->xen.gnttab[idx - XENABI_PAGE_GNTTAB(0)],
			   page_address(d->xen_pages[idx]));
	return 0;
}

static int microv_xen_map_page(struct xen_vcpu *xv, unsigned int idx, u64 gfn)
{
	struct microv_domain *d = to_vcpu(xv)->domain;
	u64 *where = d->xen.xen_page_gfn;
	unsigned int i;
	int ret = 0;

	if (idx >= XENABI_NR_XEN_PAGES || gfn >= MICROV_MAX_GPA >> PAGE_SHIFT)
		return -EINVAL;
	mutex_lock(&d->lock);
	ret = microv_xen_page_get(d, idx);
	if (ret)
		goto out;
	/* It leaves its old place; whatever of ours was at the new one too. */
	for (i = 0; i < XENABI_NR_XEN_PAGES; i++) {
		if ((i == idx && where[i] != XENABI_NO_GFN) ||
		    (i != idx && where[i] == gfn)) {
			u64 old = where[i];

			where[i] = XENABI_NO_GFN;
			microv_gfn_restore(d, old);
		}
	}
	microv_backend->unmap(d, gfn << PAGE_SHIFT, 1);
	ret = microv_backend->map(d, gfn << PAGE_SHIFT, &d->xen_pages[idx], 1,
				  true);
	if (ret)
		microv_gfn_restore(d, gfn);
	else
		where[idx] = gfn;
out:
	mutex_unlock(&d->lock);
	return ret;
}

/* Wakes the vCPU if it waits, and gets it out of the guest if it runs. */
static void microv_xen_kick(struct xen_vcpu *xv)
{
	struct microv_vcpu *v = to_vcpu(xv);

	wake_up_interruptible(&v->wait);
	microv_backend->vcpu_kick(v);
}

/* The guest reads the host's TSC (no offset, no scaling). */
static u64 microv_xen_read_tsc(struct xen_vcpu *xv)
{
	return rdtsc_ordered();
}

static void microv_xen_set_timer(struct xen_vcpu *xv, u64 ns)
{
	hrtimer_start(&to_vcpu(xv)->xen_timer, ns_to_ktime(ns),
		      HRTIMER_MODE_REL);
}

static void microv_xen_stop_timer(struct xen_vcpu *xv)
{
	hrtimer_cancel(&to_vcpu(xv)->xen_timer);
}

/* A ring the module serves (the host's port 0), or host processes' ends. */
static void microv_xen_notify_host(struct xen_vcpu *xv, u32 port, u32 local)
{
	struct microv_vcpu *v = to_vcpu(xv);

	if (local || !port)
		microv_evtchn_notify(v->domain, port, local);
	if (!local && port)
		microv_ring_notify(v, port);
}

/* Hard-irq context: the event is raised by the vCPU's own thread. */
static enum hrtimer_restart microv_xen_timer_fn(struct hrtimer *t)
{
	struct microv_vcpu *v = container_of(t, struct microv_vcpu, xen_timer);

	WRITE_ONCE(v->timer_fired, true);
	microv_xen_kick(&v->xen);
	return HRTIMER_NORESTART;
}

static int microv_xen_release_gfn(struct xen_vcpu *xv, u64 gfn, bool any)
{
	return microv_gfn_release(to_vcpu(xv)->domain, gfn, any);
}

static int microv_xen_populate_gfn(struct xen_vcpu *xv, u64 gfn)
{
	return microv_gfn_populate(to_vcpu(xv)->domain, gfn);
}

static const struct xen_vcpu_ops microv_xen_vcpu_ops = {
	.get_reg		= microv_xen_get_reg,
	.set_reg		= microv_xen_set_reg,
	.mode			= microv_xen_mode,
	.cpl			= microv_xen_cpl,
	.copy_from_guest	= microv_xen_copy_from,
	.copy_to_guest		= microv_xen_copy_to,
	.write_gpa		= microv_xen_write_gpa,
	.console_write		= microv_xen_console_write,
	.map_gfn		= microv_xen_map_gfn,
	.unmap_gfn		= microv_xen_unmap_gfn,
	.map_xen_page		= microv_xen_map_page,
	.release_gfn		= microv_xen_release_gfn,
	.populate_gfn		= microv_xen_populate_gfn,
	.kick			= microv_xen_kick,
	.read_tsc		= microv_xen_read_tsc,
	.set_timer		= microv_xen_set_timer,
	.stop_timer		= microv_xen_stop_timer,
	.notify_host		= microv_xen_notify_host,
	.unsupported		= microv_xen_unsupported,
};

/**
 * microv_hv_hypercall() - a guest's hypercall, for the backend
 * @v: the vCPU, out of the guest, preemptible; v->paging as it exited
 *
 * Return: what the backend does next; for a shutdown the run area says
 * MICROV_EXIT_SHUTDOWN and the reason.
 */
enum microv_hv_action microv_hv_hypercall(struct microv_vcpu *v)
{
	switch (xen_hypercall(&v->xen)) {
	case XEN_EXIT_SHUTDOWN:
		v->run->exit_reason = MICROV_EXIT_SHUTDOWN;
		v->run->shutdown.reason = v->domain->xen.shutdown_reason;
		return MICROV_HV_USER;
	case XEN_EXIT_BLOCK:
	case XEN_EXIT_POLL:
		return MICROV_HV_HALT;
	case XEN_EXIT_YIELD:
		cond_resched();
		return MICROV_HV_DONE;
	case XEN_EXIT_NONE:
	default:
		return MICROV_HV_DONE;
	}
}

/*
 * microv_hv_hypercall_atomic() - a hypercall answered with interrupts off,
 * if it needs no guest memory (xen_hypercall_atomic()); v->paging as it
 * exited.  Return: true if answered: retire it and enter the guest again.
 */
bool microv_hv_hypercall_atomic(struct microv_vcpu *v)
{
	return xen_hypercall_atomic(&v->xen);
}

/* A WRMSR to 0x40000000-0x400000ff: the hypercall page, or #GP. */
enum microv_hv_action microv_hv_wrmsr(struct microv_vcpu *v, u32 msr, u64 val)
{
	if (!xen_wrmsr(&v->xen, msr, val))
		return MICROV_HV_DONE;
	microv_msr_fault(v, msr, true);
	return MICROV_HV_FAULT;
}

/* The vector to inject for a pending event upcall, or 0 (preemption off). */
u8 microv_hv_upcall_vector(struct microv_vcpu *v)
{
	return xen_upcall_vector(&v->xen);
}

/*
 * The hypervisor page at guest frame @gfn leaves the physmap
 * (XENMEM_remove_from_physmap); the RAM below shows again.  d->lock held.
 */
void microv_xen_page_remove(struct microv_domain *d, u64 gfn)
{
	unsigned int i;

	for (i = 0; i < XENABI_NR_XEN_PAGES; i++) {
		if (d->xen.xen_page_gfn[i] == gfn) {
			d->xen.xen_page_gfn[i] = XENABI_NO_GFN;
			microv_gfn_restore(d, gfn);
		}
	}
}

/*
 * Where a hypervisor page sits in the guest's physmap, if one does at
 * @gpa; d->lock held.
 */
struct page *microv_xen_page_at(struct microv_domain *d, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < XENABI_NR_XEN_PAGES; i++)
		if (d->xen.xen_page_gfn[i] == gpa >> PAGE_SHIFT)
			return d->xen_pages[i];
	return NULL;
}

/*
 * Slots changed over [gpa, +npages): hypervisor pages placed in that range
 * stay on top of the RAM; d->lock held.
 */
void microv_xen_pages_remap(struct microv_domain *d, u64 gpa, u64 npages)
{
	u64 first = gpa >> PAGE_SHIFT;
	unsigned int i;

	for (i = 0; i < XENABI_NR_XEN_PAGES; i++) {
		u64 gfn = d->xen.xen_page_gfn[i];

		if (gfn == XENABI_NO_GFN || gfn < first || gfn >= first + npages)
			continue;
		microv_backend->unmap(d, gfn << PAGE_SHIFT, 1);
		if (microv_backend->map(d, gfn << PAGE_SHIFT, &d->xen_pages[i],
					1, true))
			d->xen.xen_page_gfn[i] = XENABI_NO_GFN;
	}
}

/*
 * A new domain's Xen state, once it has its domid: its shared_info page,
 * and its clock (system time 0 is now).
 *
 * Return: 0 or -ENOMEM.
 */
int microv_xen_domain_init(struct microv_domain *d)
{
	struct page *shinfo = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	bool stable;

	if (!shinfo)
		return -ENOMEM;
	d->xen_pages[XENABI_PAGE_SHARED_INFO] = shinfo;
	xen_domain_init(&d->xen, d->domid, page_address(shinfo));
	memcpy(d->xen.hypercall_insn, microv_backend->hypercall_insn,
	       sizeof(d->xen.hypercall_insn));
	stable = boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
		 boot_cpu_has(X86_FEATURE_NONSTOP_TSC) && !check_tsc_unstable();
	xen_time_init(&d->xen, rdtsc_ordered(), (u64)tsc_khz * 1000,
		      ktime_get_real_ns(), stable);
	return 0;
}

/* After the backend let go of the domain's memory: the pages go too. */
void microv_xen_domain_free(struct microv_domain *d)
{
	unsigned int i;

	for (i = 0; i < XENABI_NR_XEN_PAGES; i++)
		if (d->xen_pages[i])
			__free_page(d->xen_pages[i]);
}

/* A new vCPU's Xen state and timer; its vcpu_info is in shared_info. */
int microv_xen_vcpu_init(struct microv_vcpu *v)
{
	hrtimer_init(&v->xen_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	v->xen_timer.function = microv_xen_timer_fn;
	return xen_vcpu_init(&v->xen, &v->domain->xen, v->id,
			     &microv_xen_vcpu_ops);
}

void microv_xen_vcpu_publish(struct microv_vcpu *v)
{
	xen_vcpu_publish(&v->xen);
}

void microv_xen_vcpu_free(struct microv_vcpu *v)
{
	if (!v->xen.ops)
		return;
	hrtimer_cancel(&v->xen_timer);
	xen_vcpu_destroy(&v->xen);
}
