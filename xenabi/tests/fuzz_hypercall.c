// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the Xen personality, as a hostile guest and its
 * host drive it: any mode, CPL and guest memory, then a short sequence of
 * steps, so that state built by one (event channels, timers, polls,
 * registered areas, the shared_info layout) meets the next: hypercalls on
 * either vCPU with fresh registers, event-channel operations and polls
 * made from a few bytes (ports, vCPUs and domains mostly ones that exist),
 * the host's timer, events from the host, the host's upcall and wake-up
 * questions, time passing, guest writes to shared_info, a hypervisor MSR
 * or CPUID leaf.  Sanitizers turn any out-of-bounds access or undefined
 * behaviour into a crash; a handler must only ever return an error to the
 * guest.  At the end, what event channels and runstates must agree on is
 * checked, and the vCPUs go as the domain's death takes them.
 *
 * Input: a control byte, a memory length (2 bytes) and that much guest
 * memory, then the steps; input that runs out reads as zeros.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fake_vcpu.h"

#define FUZZ_STEPS	16

static struct fake_vcpu f;

static u64 take(const uint8_t **data, size_t *size, size_t n)
{
	u64 val = 0;

	n = n < *size ? n : *size;
	memcpy(&val, *data, n);
	*data += n;
	*size -= n;
	return val;
}

/*
 * A register: often a small number (a sub-op, a port, a vCPU, an address
 * of guest memory), sometimes anything.
 */
static unsigned long take_reg(const uint8_t **data, size_t *size)
{
	u8 b = take(data, size, 1);

	if (b < 0x80)
		return b;
	if (b < 0xc0)
		return (unsigned long)(b & 0x3f) << 10;	/* 1 KiB steps */
	return take(data, size, 8);
}

/* Where a step's own hypercall argument goes: past the usual addresses. */
#define FUZZ_ARG	0xf000
#define FUZZ_ARG_LEN	32

/*
 * Fresh registers, and with op bit 6 the argument itself, from the input:
 * the pointer (second argument, or third with op bit 7) points to it.
 */
static void hypercall(struct xen_vcpu *v, u8 op, const uint8_t **data,
		      size_t *size)
{
	static const enum xen_reg args64[] = {
		XEN_REG_RDI, XEN_REG_RSI, XEN_REG_RDX, XEN_REG_R10, XEN_REG_R8,
	};
	static const enum xen_reg args32[] = {
		XEN_REG_RBX, XEN_REG_RCX, XEN_REG_RDX, XEN_REG_RSI, XEN_REG_RDI,
	};
	const enum xen_reg *args = f.mode == 64 ? args64 : args32;
	u8 nr = take(data, size, 1);
	unsigned int i;

	/* The table has some 40 entries: mostly land in it. */
	f.regs[XEN_REG_RAX] = nr < 0xf0 ? nr % 48 : take(data, size, 4);
	for (i = 0; i < 5; i++)
		f.regs[args[i]] = take_reg(data, size);
	if (op & 0x40) {
		for (i = 0; i < FUZZ_ARG_LEN; i += 8) {
			u64 val = take(data, size, 8);

			memcpy(f.mem + FUZZ_ARG + i, &val, sizeof(val));
		}
		f.regs[args[op & 0x80 ? 2 : 1]] = FUZZ_ARG;
	}
	xen_hypercall(v);
}

/* Fields of event-channel arguments, mostly ones that mean something. */
static u32 take_port(const uint8_t **data, size_t *size)
{
	u8 b = take(data, size, 1);

	return b < 0xf0 ? b % 16 : take(data, size, 2);
}

static u32 take_vcpu(const uint8_t **data, size_t *size)
{
	static const u32 ids[] = {
		FAKE_VCPU_ID, FAKE_VCPU2_ID, FAKE_VCPU0_ID, FAKE_VCPU_ID,
		FAKE_VCPU2_ID, 1, XENABI_MAX_VCPUS, ~0u,
	};

	return ids[take(data, size, 1) % 8];
}

static domid_t take_dom(const uint8_t **data, size_t *size)
{
	u8 b = take(data, size, 1);

	return b < 0xc0 ? DOMID_SELF : b < 0xe0 ? f.dom.domid : b;
}

/*
 * An event_channel_op, or a SCHEDOP_poll on a few ports, built from a few
 * bytes: sequences of them bind, move, send, poll and close channels.
 */
static void evtchn_step(struct xen_vcpu *v, const uint8_t **data,
			size_t *size)
{
	union {
		struct evtchn_bind_interdomain bind_interdomain;
		struct evtchn_bind_virq bind_virq;
		struct evtchn_close close;
		struct evtchn_send send;
		struct evtchn_status status;
		struct evtchn_alloc_unbound alloc_unbound;
		struct evtchn_bind_ipi bind_ipi;
		struct evtchn_bind_vcpu bind_vcpu;
		struct evtchn_unmask unmask;
		struct evtchn_reset reset;
		u8 raw[FUZZ_ARG_LEN];
	} a;
	u8 cmd = take(data, size, 1) % (EVTCHNOP_init_control + 2);
	u32 i, ports[4], nr;
	bool wide = f.mode == 64;

	memset(&a, 0, sizeof(a));
	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		a.bind_interdomain.remote_dom = take_dom(data, size);
		a.bind_interdomain.remote_port = take_port(data, size);
		break;
	case EVTCHNOP_bind_virq:
		a.bind_virq.virq = take(data, size, 1) % (NR_VIRQS + 2);
		a.bind_virq.vcpu = take_vcpu(data, size);
		break;
	case EVTCHNOP_alloc_unbound:
		a.alloc_unbound.dom = take_dom(data, size);
		a.alloc_unbound.remote_dom = take_dom(data, size);
		break;
	case EVTCHNOP_bind_ipi:
		a.bind_ipi.vcpu = take_vcpu(data, size);
		break;
	case EVTCHNOP_bind_vcpu:
		a.bind_vcpu.port = take_port(data, size);
		a.bind_vcpu.vcpu = take_vcpu(data, size);
		break;
	case EVTCHNOP_status:
		a.status.dom = take_dom(data, size);
		a.status.port = take_port(data, size);
		break;
	case EVTCHNOP_reset:
		a.reset.dom = take_dom(data, size);
		break;
	case EVTCHNOP_init_control + 1:	/* SCHEDOP_poll */
		nr = take(data, size, 1) % 5;
		for (i = 0; i < 4; i++)
			ports[i] = take_port(data, size);
		memcpy(f.mem + FUZZ_ARG + FUZZ_ARG_LEN, ports, sizeof(ports));
		/* handle, nr_ports, timeout: by the guest's long size */
		memcpy(a.raw, &(u64){ FUZZ_ARG + FUZZ_ARG_LEN }, 8);
		memcpy(a.raw + (wide ? 8 : 4), &nr, 4);
		memcpy(a.raw + (wide ? 16 : 8),
		       &(u64){ take(data, size, 1) * 100000ULL }, 8);
		break;
	default:	/* close, send, unmask: a port; the rest: raw */
		a.close.port = take_port(data, size);
		break;
	}
	memcpy(f.mem + FUZZ_ARG, &a, sizeof(a));
	f.regs[XEN_REG_RAX] = cmd > EVTCHNOP_init_control ?
			      __HYPERVISOR_sched_op :
			      __HYPERVISOR_event_channel_op;
	f.regs[wide ? XEN_REG_RDI : XEN_REG_RBX] =
		cmd > EVTCHNOP_init_control ? SCHEDOP_poll : cmd;
	f.regs[wide ? XEN_REG_RSI : XEN_REG_RCX] = FUZZ_ARG;
	xen_hypercall(v);
}

/* The host's halt path: once the vCPU may run, its poll ends. */
static void host_wakeup(struct xen_vcpu *v)
{
	xen_upcall_vector(v);
	if (xen_vcpu_wakeup(v)) {
		xen_poll_end(v);
		xen_runstate_set(v, RUNSTATE_running);
	}
}

/*
 * One step, as its first byte says: bits 0-2 what, bit 3 on which vCPU
 * (xv or xv2), the high bits the details.
 */
static void step(const uint8_t **data, size_t *size, bool has_vcpu0)
{
	u8 op = take(data, size, 1);
	struct xen_vcpu *v = op & 0x8 ? &f.xv2 : &f.xv;
	u32 out[4];

	switch (op & 7) {
	case 0:
	case 1:
		hypercall(op & 0x8 ? &f.xv2 : &f.xv, op, data, size);
		break;
	case 2:
	case 3:
		evtchn_step(v, data, size);
		break;
	case 4:
		xen_timer_fired(v);
		break;
	case 5:
		if (op & 0x10)
			xen_evtchn_send_virq(op & 0x20 && has_vcpu0 ? &f.xv0 : v,
					     take(data, size, 1) % (NR_VIRQS + 1));
		else
			xen_evtchn_set_pending(&f.dom, take(data, size, 2));
		break;
	case 6:
		if (op & 0x10)
			xen_runstate_set(v, (op >> 5) & 3);
		else
			host_wakeup(v);
		break;
	default:
		switch ((op >> 4) & 7) {
		case 0:
		case 1:
			f.tsc += take(data, size, 4);
			break;
		case 2:		/* the guest changes mode */
			f.mode = op & 0x80 ? 64 : 32;
			break;
		case 3:		/* the guest writes to shared_info */
			f.shared_info[take(data, size, 2) % 4096] =
				take(data, size, 1);
			break;
		case 4:
			xen_cpuid(v, XEN_CPUID_FIRST_LEAF + take(data, size, 1),
				  take(data, size, 1), out);
			break;
		case 5:
			xen_wrmsr(v, XENABI_HYPERCALL_MSR, take_reg(data, size));
			break;
		default:
			f.cpl = op & 0x80 ? 3 : 0;
			break;
		}
		break;
	}
}

/* What must hold whatever the guest did. */
static void check_invariants(void)
{
	struct xen_domain *d = &f.dom;
	unsigned int i, port;

	for (i = 0; i < XENABI_MAX_VCPUS; i++) {
		struct xen_vcpu *v = d->vcpus[i];
		const u64 *t;

		if (!v)
			continue;
		/* A VIRQ bound is bound to a port of that VIRQ. */
		for (port = 0; port < NR_VIRQS; port++) {
			u16 p = v->virq_port[port];

			if (p && (d->evtchn[p].state != EVTCHNSTAT_virq ||
				  d->evtchn[p].virq != port))
				abort();
		}
		/* Time in the runstates adds up to the last change, no more. */
		t = v->runstate.time;
		if (t[0] + t[1] + t[2] + t[3] != v->runstate.state_entry_time)
			abort();
		if (v->nr_poll > XENABI_POLL_MAX)
			abort();
	}
	/* The two ends of a loopback channel name each other. */
	for (port = 1; port < XENABI_NR_EVTCHNS; port++) {
		const struct xen_evtchn *c = &d->evtchn[port], *peer;

		if (c->state != EVTCHNSTAT_interdomain)
			continue;
		peer = &d->evtchn[c->remote_port];
		if (peer->state != EVTCHNSTAT_interdomain ||
		    peer->remote_port != port)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int modes[] = { 16, 32, 64, 64 };
	static const struct xen_e820_entry map[] = {
		{ 0, 0x9f000, 1 }, { 0x100000, 0xff00000, 1 },
	};
	u8 ctl = take(&data, &size, 1);
	bool has_vcpu0 = ctl & 0x10;
	size_t len;
	unsigned int i;

	fake_init(&f, modes[ctl & 3]);
	f.cpl = ctl & 0x4 ? 3 : 0;
	f.tsc_step = ctl & 0x40 ? 3 : 0;	/* the TSC moves as it is read */
	f.dom.domid = ctl & 0x8 ? 0 : 7;
	f.dom.nr_pages = FAKE_MEM_SIZE / 4096;
	f.dom.max_gfn = FAKE_MEM_SIZE / 4096;
	if (has_vcpu0)
		fake_add_vcpu0(&f);
	if (ctl & 0x20)
		xen_set_memory_map(&f.dom, map, 2);
	len = take(&data, &size, 2);
	if (len > size)
		len = size;
	memcpy(f.mem, data, len);
	data += len;
	size -= len;

	for (i = 0; i < FUZZ_STEPS && size; i++)
		step(&data, &size, has_vcpu0);

	check_invariants();
	xen_vcpu_destroy(&f.xv);
	xen_vcpu_destroy(&f.xv2);
	if (has_vcpu0)
		xen_vcpu_destroy(&f.xv0);
	return 0;
}
