// SPDX-License-Identifier: GPL-2.0
/*
 * Time as a Xen guest sees it: system time in nanoseconds since the
 * domain started, read from the TSC through the pvclock in each vcpu_info
 * (and in the area VCPUOP_register_vcpu_time_memory_area names); the wall
 * clock at system time 0 in shared_info; one single-shot timer per vCPU
 * that raises VIRQ_TIMER; and the runstate each vCPU accounts its time in.
 *
 * The TSC-to-nanoseconds scale never changes for a domain, so a pvclock is
 * written once and stays right: tsc_timestamp is the TSC at system time 0.
 */
#include "shinfo.h"

/**
 * xen_time_init() - a new domain's clock
 * @d:      the domain, its shared_info there
 * @tsc0:   the TSC at its system time 0
 * @tsc_hz: the TSC's frequency
 * @wc_ns:  wall-clock time at @tsc0, ns since the epoch
 * @stable: the TSC is synchronised across CPUs and never stops
 *
 * The scale is Xen's pvclock one: ns = ((ticks << shift) * mul) >> 32,
 * with the shifted frequency brought into (1, 2] GHz so mul fits 32 bits.
 */
void xen_time_init(struct xen_domain *d, u64 tsc0, u64 tsc_hz, u64 wc_ns,
		   bool stable)
{
	u64 hz = tsc_hz ? tsc_hz : XENABI_NSEC_PER_SEC;
	int shift = 0;

	while (hz > 2 * XENABI_NSEC_PER_SEC) {
		hz >>= 1;
		shift--;
	}
	while (hz <= XENABI_NSEC_PER_SEC) {
		hz <<= 1;
		shift++;
	}
	d->tsc0 = tsc0;
	d->tsc_mul = (XENABI_NSEC_PER_SEC << 32) / hz;
	d->tsc_shift = shift;
	d->tsc_stable = stable;
	d->tsc_khz = (tsc_hz ? tsc_hz : XENABI_NSEC_PER_SEC) / 1000;
	d->wc_sec = wc_ns / XENABI_NSEC_PER_SEC;
	d->wc_nsec = wc_ns % XENABI_NSEC_PER_SEC;
	xen_wallclock_update(d);
}

/* TSC ticks to ns, as the guest's pvclock computes it (64x32 -> 96 bits). */
static u64 xen_tsc_to_ns(const struct xen_domain *d, u64 delta)
{
	if (d->tsc_shift < 0)
		delta >>= -d->tsc_shift;
	else
		delta <<= d->tsc_shift;
	return (delta >> 32) * d->tsc_mul +
	       (((delta & 0xffffffffULL) * d->tsc_mul) >> 32);
}

/* Now, in the domain's system time. */
u64 xen_system_time(struct xen_vcpu *v)
{
	u64 tsc = v->ops->read_tsc(v), tsc0 = v->domain->tsc0;

	return tsc > tsc0 ? xen_tsc_to_ns(v->domain, tsc - tsc0) : 0;
}

static void xen_time_fill(const struct xen_domain *d, xenabi_time_info_t *t,
			  u32 version)
{
	memset(t, 0, sizeof(*t));
	t->version = version;
	t->tsc_timestamp = d->tsc0;
	t->system_time = 0;
	t->tsc_to_system_mul = d->tsc_mul;
	t->tsc_shift = d->tsc_shift;
	t->flags = d->tsc_stable ? XENABI_PVCLOCK_TSC_STABLE : 0;
}

/*
 * A pvclock the guest may be reading: version odd while it changes, then
 * one more, even (the guest retries until it reads the same even version
 * before and after).
 */
static void xen_time_write(const struct xen_domain *d, void *vcpu_info)
{
	volatile xenabi_time_info_t *t = xen_vcpu_time(vcpu_info);
	xenabi_time_info_t new;
	u32 version = t->version;

	t->version = version | 1;
	xenabi_wmb();
	xen_time_fill(d, &new, version | 1);
	t->tsc_timestamp = new.tsc_timestamp;
	t->system_time = new.system_time;
	t->tsc_to_system_mul = new.tsc_to_system_mul;
	t->tsc_shift = new.tsc_shift;
	t->flags = new.flags;
	xenabi_wmb();
	t->version = (version | 1) + 1;
}

/* The same in a registered time area, by guest-virtual address. */
static void xen_time_area_write(struct xen_vcpu *v)
{
	xenabi_time_info_t t;
	u32 version = 1;

	if (!v->time_area ||
	    v->ops->copy_to_guest(v, v->time_area, &version, sizeof(version)))
		return;
	xen_time_fill(v->domain, &t, version);
	if (v->ops->copy_to_guest(v, v->time_area, &t, sizeof(t)))
		return;
	version = 2;
	v->ops->copy_to_guest(v, v->time_area, &version, sizeof(version));
}

/* Writes the pvclock in the vCPU's vcpu_info (from any thread). */
void xen_vcpu_info_time_update(struct xen_vcpu *v)
{
	xen_time_write(v->domain, v->vcpu_info);
}

/*
 * Writes the vCPU's pvclocks: in its vcpu_info and its time area (by
 * virtual address: from its own thread).
 */
void xen_time_update(struct xen_vcpu *v)
{
	xen_vcpu_info_time_update(v);
	xen_time_area_write(v);
}

/* The wall clock in shared_info, where the latched layout has it. */
void xen_wallclock_update(struct xen_domain *d)
{
	volatile u32 *wc = xen_wallclock(d);
	u32 version = wc[0];

	wc[0] = version | 1;
	xenabi_wmb();
	wc[1] = (u32)d->wc_sec;
	wc[2] = d->wc_nsec;
	if (!d->shinfo_32)
		wc[3] = (u32)(d->wc_sec >> 32);	/* wc_sec_hi */
	else
		wc[XENABI_SHINFO32_WC_SEC_HI] = (u32)(d->wc_sec >> 32);
	xenabi_wmb();
	wc[0] = (version | 1) + 1;
}

/*
 * Arms the host's one timer of the vCPU for the earlier of its single-shot
 * deadline and its poll's; ns from now, 0 if already past.
 */
static void xen_timer_arm(struct xen_vcpu *v)
{
	u64 next = v->timer_deadline, now;

	if (v->poll_deadline && (!next || v->poll_deadline < next))
		next = v->poll_deadline;
	if (!next) {
		v->ops->stop_timer(v);
		return;
	}
	now = xen_system_time(v);
	v->ops->set_timer(v, next > now ? next - now : 0);
}

/**
 * xen_timer_set() - the vCPU's single-shot timer
 * @v:        the vCPU (the caller's own)
 * @deadline: system time to fire at; 0 stops it
 *
 * A deadline already past raises VIRQ_TIMER at once.
 */
void xen_timer_set(struct xen_vcpu *v, u64 deadline)
{
	if (deadline && deadline <= xen_system_time(v)) {
		v->timer_deadline = 0;
		xen_timer_arm(v);
		xen_evtchn_send_virq(v, VIRQ_TIMER);
		return;
	}
	v->timer_deadline = deadline;
	xen_timer_arm(v);
}

/**
 * xen_timer_fired() - the host's timer of @v went off
 * @v: the vCPU, from its own thread
 *
 * Raises VIRQ_TIMER if the single-shot deadline passed, ends a poll whose
 * timeout passed, and arms the timer again for what is left.
 */
void xen_timer_fired(struct xen_vcpu *v)
{
	u64 now = xen_system_time(v);

	if (v->timer_deadline && v->timer_deadline <= now) {
		v->timer_deadline = 0;
		xen_evtchn_send_virq(v, VIRQ_TIMER);
	}
	if (v->poll_deadline && v->poll_deadline <= now)
		v->poll_timed_out = true;
	if (v->poll_timed_out)
		v->poll_deadline = 0;
	xen_timer_arm(v);
}

/* Ends a poll: its ports and timeout are forgotten. */
void xen_poll_end(struct xen_vcpu *v)
{
	v->polling = false;
	v->nr_poll = 0;
	v->poll_timed_out = false;
	if (v->poll_deadline) {
		v->poll_deadline = 0;
		xen_timer_arm(v);
	}
}

/* A 32-bit guest's vcpu_runstate_info: 64-bit fields 4-byte aligned. */
struct xen_runstate32 {
	u32 state;
	u64 state_entry_time;
	u64 time[4];
} __attribute__((packed));

/* Where state_entry_time is in either layout. */
static u64 xen_runstate_entry_off(bool is_32)
{
	return is_32 ? offsetof(struct xen_runstate32, state_entry_time) :
		       offsetof(struct vcpu_runstate_info, state_entry_time);
}

/**
 * xen_runstate_copy() - a runstate into guest memory
 * @v:     the vCPU whose address space @gva is in
 * @gva:   where
 * @rs:    the runstate
 * @is_32: in a 32-bit guest's layout
 *
 * Return: 0 or -EFAULT.
 */
int xen_runstate_copy(struct xen_vcpu *v, u64 gva,
		      const struct vcpu_runstate_info *rs, bool is_32)
{
	struct xen_runstate32 rs32;

	if (!is_32)
		return v->ops->copy_to_guest(v, gva, rs, sizeof(*rs));
	rs32.state = rs->state;
	rs32.state_entry_time = rs->state_entry_time;
	memcpy(rs32.time, rs->time, sizeof(rs32.time));
	return v->ops->copy_to_guest(v, gva, &rs32, sizeof(rs32));
}

/*
 * Copies the runstate to the registered area.  With the runstate update
 * flag assist on, state_entry_time carries XEN_RUNSTATE_UPDATE while the
 * rest changes, so a reader on another vCPU can tell.
 */
void xen_runstate_write(struct xen_vcpu *v)
{
	bool flag = v->domain->vm_assist &
		    (1UL << VMASST_TYPE_runstate_update_flag);
	bool is_32 = v->domain->shinfo_32;
	struct vcpu_runstate_info rs = v->runstate;
	u64 entry = rs.state_entry_time, off = xen_runstate_entry_off(is_32);

	if (!v->runstate_area)
		return;
	/* The whole copy carries the flag too: only the last write clears it. */
	if (flag) {
		rs.state_entry_time |= XEN_RUNSTATE_UPDATE;
		if (v->ops->copy_to_guest(v, v->runstate_area + off,
					  &rs.state_entry_time,
					  sizeof(rs.state_entry_time)))
			return;
		xenabi_wmb();
	}
	if (xen_runstate_copy(v, v->runstate_area, &rs, is_32))
		return;
	if (flag) {
		xenabi_wmb();
		v->ops->copy_to_guest(v, v->runstate_area + off, &entry,
				      sizeof(entry));
	}
}

/* Counts the time in the current state up to @now. */
static void xen_runstate_account(struct vcpu_runstate_info *rs, u64 now)
{
	if (rs->state >= 0 && rs->state < 4 && now > rs->state_entry_time)
		rs->time[rs->state] += now - rs->state_entry_time;
}

/* The runstate, with the time in the current state counted up to now. */
void xen_runstate_get(struct xen_vcpu *v, struct vcpu_runstate_info *rs)
{
	u64 now = xen_system_time(v);

	*rs = v->runstate;
	xen_runstate_account(rs, now);
}

/**
 * xen_runstate_set() - the vCPU changes state
 * @v:     the vCPU, from its own thread
 * @state: RUNSTATE_running, _runnable, _blocked or _offline
 *
 * Areas registered for it by another vCPU are written here, in its own
 * context (their addresses are in its address space).
 */
void xen_runstate_set(struct xen_vcpu *v, int state)
{
	struct vcpu_runstate_info *rs = &v->runstate;
	u64 now = xen_system_time(v);

	if (v->time_area_stale) {
		v->time_area_stale = false;
		xen_time_area_write(v);
	}
	if (rs->state == state)
		return;
	/* Up to the same now it enters the new state at: none lost or doubled. */
	xen_runstate_account(rs, now);
	rs->state = state;
	rs->state_entry_time = now;
	xen_runstate_write(v);
}

/**
 * xen_set_timer_op() - __HYPERVISOR_set_timer_op
 * @v:    the calling vCPU
 * @args: the deadline in system time; a 32-bit guest passes it in two
 *        halves (EBX low, ECX high); 0 stops the timer
 *
 * Return: 0.
 */
long xen_set_timer_op(struct xen_vcpu *v, const unsigned long *args)
{
	u64 deadline = args[0];

	if (v->ops->mode(v) != 64)
		deadline = (u32)args[0] | (u64)(u32)args[1] << 32;
	xen_timer_set(v, deadline);
	return 0;
}
