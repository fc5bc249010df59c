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
 * or CPUID leaf.  Some inputs also connect a console ring, in a page of
 * guest memory (where the guest's memory, hypercalls, FIFO event words
 * and its own writes land too), served as the module serves it when the
 * guest signals its port; steps then have the host pull and push, and the
 * guest write and read its ring as a guest does, or scribble on it.
 * Sanitizers turn any out-of-bounds
 * access or undefined behaviour into a crash; a handler must only ever
 * return an error to the guest.  At the end, what event channels and
 * runstates must agree on is checked, and the vCPUs go as the domain's
 * death takes them, letting go of every guest page they held.
 *
 * Input: a control byte, how the ring is set up (a byte, maybe 5 more),
 * a memory length (2 bytes) and that much guest memory, then the steps;
 * input that runs out reads as zeros.
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
	/* As the module does: the atomic answer first, if there is one. */
	if (!xen_hypercall_atomic(v))
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

/* The host processes' ports (MICROV_EVTCHN_BIND), 1..HOST_PORTS. */
#define HOST_PORTS	4
static u32 host_bound[HOST_PORTS];	/* the guest's port, or 0 */
static unsigned int host_events[HOST_PORTS];

/* A port xen_evtchn_bind_host() made, as the guest sees it. */
static bool host_port(u32 port)
{
	const struct xen_evtchn *c;

	if (!port || port >= XENABI_NR_EVTCHNS)
		return false;
	c = &f.dom.evtchn[port];
	return c->state == EVTCHNSTAT_interdomain &&
	       c->remote_dom == XENABI_BACKEND_DOMID && !c->remote_port;
}

/* Whether @port's peer is the host: a ring's, or a host process's. */
static bool to_host_port(u32 port)
{
	const struct xen_evtchn *c;

	if (!port || port >= XENABI_NR_EVTCHNS)
		return false;
	c = &f.dom.evtchn[port];
	return c->state == EVTCHNSTAT_interdomain &&
	       c->remote_dom == XENABI_BACKEND_DOMID &&
	       (!c->remote_port || f.dom.domid != XENABI_BACKEND_DOMID);
}

/*
 * After an event_channel_op: the host heard of it if and only if it was a
 * send or a close, made, on one of its ports, or a reset, made.
 */
static void check_notified(bool to_host, unsigned int before)
{
	if (f.notified != before + (to_host && !f.regs[XEN_REG_RAX]))
		abort();
}

/*
 * An event_channel_op, or a SCHEDOP_poll on a few ports, built from a few
 * bytes: sequences of them bind, move, send, poll and close channels.
 */
static void evtchn_step(struct xen_vcpu *v, const uint8_t **data,
			size_t *size)
{
	union {
		union xen_evtchn_op op;
		u8 raw[FUZZ_ARG_LEN];
	} a;
	u8 cmd = take(data, size, 1) % (EVTCHNOP_set_priority + 2);
	u32 i, ports[4], nr;
	bool wide = f.mode == 64, to_host;
	unsigned int notified;

	memset(&a, 0, sizeof(a));
	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		a.op.bind_interdomain.remote_dom = take_dom(data, size);
		a.op.bind_interdomain.remote_port = take_port(data, size);
		break;
	case EVTCHNOP_bind_virq:
		a.op.bind_virq.virq = take(data, size, 1) % (NR_VIRQS + 2);
		a.op.bind_virq.vcpu = take_vcpu(data, size);
		break;
	case EVTCHNOP_alloc_unbound:
		a.op.alloc_unbound.dom = take_dom(data, size);
		a.op.alloc_unbound.remote_dom = take_dom(data, size);
		break;
	case EVTCHNOP_bind_ipi:
		a.op.bind_ipi.vcpu = take_vcpu(data, size);
		break;
	case EVTCHNOP_bind_vcpu:
		a.op.bind_vcpu.port = take_port(data, size);
		a.op.bind_vcpu.vcpu = take_vcpu(data, size);
		break;
	case EVTCHNOP_status:
		a.op.status.dom = take_dom(data, size);
		a.op.status.port = take_port(data, size);
		break;
	case EVTCHNOP_reset:
		a.op.reset.dom = take_dom(data, size);
		break;
	case EVTCHNOP_init_control:	/* frames 0-15 RAM, 16 not */
		a.op.init_control.control_gfn = take(data, size, 1) % 17;
		a.op.init_control.offset = take(data, size, 2) % 4100;
		a.op.init_control.vcpu = take_vcpu(data, size);
		break;
	case EVTCHNOP_expand_array:
		a.op.expand_array.array_gfn = take(data, size, 1) % 17;
		break;
	case EVTCHNOP_set_priority:
		a.op.set_priority.port = take_port(data, size);
		a.op.set_priority.priority = take(data, size, 1) % 18;
		break;
	case EVTCHNOP_set_priority + 1:	/* SCHEDOP_poll */
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
		a.op.close.port = take_port(data, size);
		break;
	}
	memcpy(f.mem + FUZZ_ARG, &a, sizeof(a));
	f.regs[XEN_REG_RAX] = cmd > EVTCHNOP_set_priority ?
			      __HYPERVISOR_sched_op :
			      __HYPERVISOR_event_channel_op;
	f.regs[wide ? XEN_REG_RDI : XEN_REG_RBX] =
		cmd > EVTCHNOP_set_priority ? SCHEDOP_poll : cmd;
	f.regs[wide ? XEN_REG_RSI : XEN_REG_RCX] = FUZZ_ARG;
	to_host = ((cmd == EVTCHNOP_send || cmd == EVTCHNOP_close) &&
		   to_host_port(a.op.send.port)) || cmd == EVTCHNOP_reset;
	notified = f.notified;
	xen_hypercall(v);
	check_notified(to_host, notified);
}

/* Guest frames the ring may be in: input bytes, zeros, the step's argument. */
static const u64 ring_gfns[] = { 0, 1, 2, FUZZ_ARG / 4096 };

static struct xencons_interface *cons_ring(void)
{
	return f.dom.console_ring;
}

/*
 * The module's backend (module/ring.c), on the guest's event: drain the
 * console (a ring's worth is 8 pulls: more would be a bug), and signal
 * back if anything moved.  Other ports bound to the module have none.
 */
static void backends(struct xen_vcpu *v, u32 port)
{
	struct xencons_interface *c = cons_ring();
	char buf[256];
	bool any = false;
	size_t n;
	int i;

	if (c && port == f.dom.console_port) {
		for (i = 0; (n = xen_console_pull(&f.dom, buf, sizeof(buf)));
		     i++) {
			if (i == 8 || n > sizeof(buf) ||
			    c->out_prod - c->out_cons > sizeof(c->out))
				abort();
			v->ops->console_write(v, buf, n);
			any = true;
		}
		if (any)
			xen_evtchn_notify_from_host(&f.dom, port);
	}
}

/*
 * The guest's event on a port bound to the host, or its closing one: a
 * ring's (the host's port 0, served), or a host process's (counted).
 */
static void notify_host(struct fake_vcpu *fv, struct xen_vcpu *v, u32 port,
			u32 local)
{
	(void)fv;
	if (local) {
		if (local > HOST_PORTS)
			abort();
		host_events[local - 1]++;
		return;
	}
	if (port && port < XENABI_NR_EVTCHNS &&
	    f.dom.evtchn[port].state == EVTCHNSTAT_interdomain &&
	    !host_port(port))
		abort();
	if (host_port(port))
		backends(v, port);
}

/*
 * A host process's end: binds one of its ports to a guest port (any, to
 * see the refusals), signals from it (refused once the guest closed its
 * end), or closes it.  The xenabi state says which guest port each host
 * port holds; that must agree with what the host thinks it holds.
 */
static void host_end(const uint8_t **data, size_t *size)
{
	u8 b = take(data, size, 1);
	u32 local = b % HOST_PORTS + 1, *bound = &host_bound[local - 1];
	u32 port;

	switch ((b >> 2) & 3) {
	case 0:
		if (*bound)
			break;
		port = take_port(data, size);
		if (!xen_evtchn_host_bind(&f.dom, port, local))
			*bound = port;
		break;
	case 1:
		port = xen_evtchn_alloc_unbound_host(&f.dom);
		if (port > 0 && !*bound && !xen_evtchn_host_bind(&f.dom, port,
								  local))
			*bound = port;
		break;
	case 2:
		if (*bound && xen_evtchn_host_send(&f.dom, *bound, local) &&
		    xen_evtchn_host_bound(&f.dom, *bound, local))
			abort();
		break;
	default:
		if (*bound)
			xen_evtchn_host_unbind(&f.dom, *bound, local);
		if (*bound && xen_evtchn_host_bound(&f.dom, *bound, local))
			abort();
		*bound = 0;
		break;
	}
}

/* The guest signals @port, as it does after writing to a ring. */
static void guest_send(struct xen_vcpu *v, u32 port)
{
	struct evtchn_send send = { .port = port };
	bool to_host = to_host_port(port);
	unsigned int notified = f.notified;

	memcpy(f.mem + FUZZ_ARG, &send, sizeof(send));
	f.regs[XEN_REG_RAX] = __HYPERVISOR_event_channel_op;
	f.regs[f.mode == 64 ? XEN_REG_RDI : XEN_REG_RBX] = EVTCHNOP_send;
	f.regs[f.mode == 64 ? XEN_REG_RSI : XEN_REG_RCX] = FUZZ_ARG;
	xen_hypercall(v);
	check_notified(to_host, notified);
}

/*
 * One step on the console ring, as its byte says: the host pulls, pushes
 * or asks for room; an event from the host; the guest writes (and maybe
 * signals) or reads its side, scribbles on the page, or signals the
 * ring's port; the host binds one more port, or a host process acts on
 * its ends.
 */
static void ring_step(struct xen_vcpu *v, const uint8_t **data, size_t *size)
{
	struct xencons_interface *c = cons_ring();
	u8 op = take(data, size, 1);
	char buf[3000];
	size_t len, n, room;
	u32 i;

	switch (op & 15) {
	case 0:
		len = take(data, size, 2) % sizeof(buf);
		n = xen_console_pull(&f.dom, buf, len);
		if (n > len ||
		    (c && c->out_prod - c->out_cons > sizeof(c->out)))
			abort();
		break;
	case 1:
		len = take(data, size, 1) * 8;
		for (i = 0; i < len; i++)
			buf[i] = take(data, size, 1);
		room = xen_console_room(&f.dom);
		n = xen_console_push(&f.dom, buf, len);
		if (n > len || n > room || room > sizeof(c->in) ||
		    (n && c->in_prod - c->in_cons > sizeof(c->in)))
			abort();
		break;
	case 2:
	case 3:
		i = take_port(data, size);
		if (!xen_evtchn_notify_from_host(&f.dom, i) && !host_port(i))
			abort();
		break;
	case 4:		/* the guest writes console output */
	case 5:
		if (!c)
			break;
		len = take(data, size, 1) * 16;
		for (i = 0; i < len; i++)
			c->out[MASK_XENCONS_IDX(c->out_prod + i, c->out)] =
				take(data, size, 1);
		c->out_prod += len;
		if (op & 0x10)
			guest_send(v, f.dom.console_port);
		break;
	case 6:		/* the guest reads its input, or some of it */
		if (c)
			c->in_cons += op & 0x10 ? c->in_prod - c->in_cons :
				      take(data, size, 1);
		break;
	case 7:		/* the guest scribbles, mostly on the indexes */
	case 8:
		if (!c)
			break;
		i = take(data, size, 2) % 4096;
		if (op & 0x10)
			i = offsetof(struct xencons_interface, in_cons) + i % 16;
		((u8 *)c)[i] = take(data, size, 1);
		break;
	case 9:		/* the guest signals the ring's port: the backend */
	case 10:
		if (c)
			guest_send(v, f.dom.console_port);
		break;
	case 11:
		xen_evtchn_bind_host(&f.dom);
		break;
	case 12:	/* a host process binds, signals, unbinds its ports */
	case 13:
		host_end(data, size);
		break;
	default:
		if (c)
			backends(v, f.dom.console_port);
		break;
	}
}

/* Of a ring of @size bytes, how much is in use: often nearly all. */
static u32 ring_used(u8 b, u32 size)
{
	return b & 0x80 ? size - (b & 0x1f) : (b * 8) % size;
}

/*
 * How an input sets up its ring: @rings bit 0 the console, bits 2-3 its
 * frame, bit 6 the page cleared first, as the module clears it; without
 * bit 7, a ring in use: its indexes from @idx (near their wrap, say),
 * input the guest has not read yet taking @used of the room.
 */
struct ring_setup {
	u8 rings;
	u32 idx;
	u8 used;
};

static void take_ring_setup(struct ring_setup *r, const uint8_t **data,
			    size_t *size)
{
	r->rings = take(data, size, 1);
	if (!(r->rings & 0x80)) {
		r->idx = take(data, size, 4);
		r->used = take(data, size, 1);
	}
}

static void connect_ring(const struct ring_setup *r)
{
	u8 rings = r->rings;
	struct xencons_interface *c;
	int port;

	c = (void *)(f.mem + ring_gfns[(rings >> 2) & 3] * 4096);
	if (rings & 0x40)
		memset(c, 0, 4096);
	port = xen_evtchn_bind_host(&f.dom);
	if (port < 0)
		abort();
	f.dom.console_ring = c;
	f.dom.console_port = port;
	if (rings & 0x80)
		return;
	c->out_cons = r->idx;
	c->out_prod = r->idx;
	c->in_cons = r->idx;
	c->in_prod = r->idx + ring_used(r->used, sizeof(c->in));
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
		if (op & 0x30)
			ring_step(v, data, size);
		else
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
		case 3:		/* the guest writes to shared_info or RAM */
			if (op & 0x80)
				f.mem[take(data, size, 2) % FAKE_MEM_SIZE] =
					take(data, size, 1);
			else
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
		/* FIFO: tails are ports; no block without the ABI. */
		for (port = 0; port < EVTCHN_FIFO_MAX_QUEUES; port++)
			if (v->fifo_tail[port] >= XENABI_NR_EVTCHNS)
				abort();
		if (v->fifo_cb && !d->evtchn_fifo)
			abort();
	}
	if (d->fifo_nr_ports > XENABI_NR_EVTCHNS ||
	    (d->fifo_nr_ports && !d->evtchn_fifo))
		abort();
	/*
	 * The two ends of a loopback channel name each other; the others
	 * are the host's: to domain 0's port 0 (a ring), or to a host
	 * process's port that holds it.
	 */
	for (port = 1; port < XENABI_NR_EVTCHNS; port++) {
		const struct xen_evtchn *c = &d->evtchn[port], *peer;

		if (c->state != EVTCHNSTAT_interdomain)
			continue;
		if (c->remote_dom == XENABI_BACKEND_DOMID && !c->remote_port)
			continue;
		if (c->remote_dom == XENABI_BACKEND_DOMID &&
		    d->domid != XENABI_BACKEND_DOMID) {
			if (c->remote_port > HOST_PORTS ||
			    host_bound[c->remote_port - 1] != port)
				abort();
			continue;
		}
		if (c->remote_dom != d->domid)
			abort();
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
	struct ring_setup rs = { 0 };
	size_t len;
	unsigned int i;

	fake_init(&f, modes[ctl & 3]);
	f.cpl = ctl & 0x4 ? 3 : 0;
	f.tsc_step = ctl & 0x40 ? 3 : 0;	/* the TSC moves as it is read */
	f.dom.domid = ctl & 0x8 ? 0 : 7;
	f.dom.nr_pages = FAKE_MEM_SIZE / 4096;
	f.dom.max_gfn = FAKE_MEM_SIZE / 4096;
	f.on_notify = notify_host;
	memset(host_bound, 0, sizeof(host_bound));
	memset(host_events, 0, sizeof(host_events));
	if (has_vcpu0)
		fake_add_vcpu0(&f);
	if (ctl & 0x20)
		xen_set_memory_map(&f.dom, map, 2);
	take_ring_setup(&rs, &data, &size);
	len = take(&data, &size, 2);
	if (len > size)
		len = size;
	memcpy(f.mem, data, len);
	data += len;
	size -= len;
	if (rs.rings & 1)
		connect_ring(&rs);

	for (i = 0; i < FUZZ_STEPS && size; i++)
		step(&data, &size, has_vcpu0);

	check_invariants();
	xen_vcpu_destroy(&f.xv);
	xen_vcpu_destroy(&f.xv2);
	if (has_vcpu0)
		xen_vcpu_destroy(&f.xv0);
	/* Every guest page the domain held, it let go. */
	if (f.mapped != f.unmapped)
		abort();
	return 0;
}
