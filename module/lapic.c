// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of a vCPU's local APIC (x86_lapic.c has its rules): the
 * time it sees, its MMIO page, and the hrtimer behind its timer.  Only
 * the vCPU's own thread touches the APIC; the hrtimer, in hard-irq
 * context, only says that it went off and kicks the vCPU, which takes it
 * in before it enters the guest again (microv_vcpu_do_work()).
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "domain.h"
#include "microv.h"

static void microv_lapic_now(struct x86_time *t)
{
	t->ns = ktime_get_ns();		/* CLOCK_MONOTONIC, as the hrtimer */
	t->tsc = rdtsc();		/* the guest's TSC: no offset */
	t->tsc_khz = tsc_khz;
}

/* After the APIC changed: the host timer where the guest's says. */
static void microv_lapic_timer_sync(struct microv_vcpu *v,
				    const struct x86_time *now)
{
	u64 at;

	if (!v->lapic.timer_dirty)
		return;
	v->lapic.timer_dirty = false;
	if (x86_lapic_timer_next(&v->lapic, now, &at))
		hrtimer_start(&v->lapic_timer, ns_to_ktime(at),
			      HRTIMER_MODE_ABS);
	else	/* if it runs now, x86_lapic_timer_expired() finds nothing */
		hrtimer_try_to_cancel(&v->lapic_timer);
}

static enum hrtimer_restart microv_lapic_timer_fn(struct hrtimer *t)
{
	struct microv_vcpu *v = container_of(t, struct microv_vcpu,
					     lapic_timer);

	WRITE_ONCE(v->lapic_timer_fired, true);
	wake_up_interruptible(&v->wait);
	microv_backend->vcpu_kick(v);
	return HRTIMER_NORESTART;
}

void microv_lapic_init(struct microv_vcpu *v)
{
	x86_lapic_init(&v->lapic, v->id);
	hrtimer_init(&v->lapic_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	v->lapic_timer.function = microv_lapic_timer_fn;
}

void microv_lapic_free(struct microv_vcpu *v)
{
	hrtimer_cancel(&v->lapic_timer);
}

/* The timer went off: its interrupt into IRR, and the next period. */
void microv_lapic_timer_work(struct microv_vcpu *v)
{
	struct x86_time now;

	if (!xchg(&v->lapic_timer_fired, false))
		return;
	microv_lapic_now(&now);
	x86_lapic_timer_expired(&v->lapic, &now);
	microv_lapic_timer_sync(v, &now);
}

/* IA32_APIC_BASE, IA32_TSC_DEADLINE, the x2APIC range: worth a clock read. */
static bool microv_lapic_msr(u32 msr)
{
	return msr == MSR_IA32_APICBASE || msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= APIC_BASE_MSR && msr <= APIC_BASE_MSR + 0xff);
}

int microv_lapic_msr_read(struct microv_vcpu *v, u32 msr, u64 *val)
{
	struct x86_time now;

	if (!microv_lapic_msr(msr))
		return -ENOENT;
	microv_lapic_now(&now);
	return x86_lapic_msr_read(&v->lapic, msr, &now, val);
}

int microv_lapic_msr_write(struct microv_vcpu *v, u32 msr, u64 val)
{
	struct x86_time now;
	int ret;

	if (!microv_lapic_msr(msr))
		return -ENOENT;
	microv_lapic_now(&now);
	ret = x86_lapic_msr_write(&v->lapic, msr, val, &now);
	microv_lapic_timer_sync(v, &now);
	return ret;
}

/* An access to the xAPIC page (x86_lapic_xapic_page()), from mmio.c. */
void microv_lapic_mmio(struct microv_vcpu *v, u64 gpa, unsigned int size,
		       bool write, u64 *val)
{
	struct x86_time now;

	microv_lapic_now(&now);
	if (write) {
		x86_lapic_mmio_write(&v->lapic, gpa & 0xfff, size, *val, &now);
		microv_lapic_timer_sync(v, &now);
	} else {
		*val = x86_lapic_mmio_read(&v->lapic, gpa & 0xfff, size, &now);
	}
}
