// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's and a vCPU's Xen state from birth to death, what the
 * toolstack sets in it (the memory map), and the few facts about a vCPU's
 * upcall the host asks before each entry.
 */
#include "shinfo.h"

/**
 * xen_domain_init() - a new domain's Xen state
 * @d:           zeroed
 * @domid:       its domid
 * @shared_info: host address of its zeroed shared_info page
 *
 * As in Xen, no event channel is masked to begin with (guests mask them
 * all first thing); the clock comes with xen_time_init().
 */
void xen_domain_init(struct xen_domain *d, u32 domid, void *shared_info)
{
	unsigned int i;

	d->domid = domid;
	d->shared_info = shared_info;
	d->console_credit = XENABI_CONSOLE_BURST;
	for (i = 0; i < XENABI_NR_XEN_PAGES; i++)
		d->xen_page_gfn[i] = XENABI_NO_GFN;
	xenabi_lock_init(&d->lock);
}

/**
 * xen_vcpu_init() - a new vCPU's Xen state
 * @v:       zeroed
 * @d:       its domain
 * @vcpu_id: its id, below XENABI_MAX_VCPUS and not taken
 * @ops:     the host's accessors
 *
 * Its vcpu_info is the one in shared_info until the guest moves it; the
 * pvclock there is valid from now on.  Other vCPUs reach it only once
 * xen_vcpu_publish() has entered it in @d.
 *
 * Return: 0, or -EINVAL for a bad or taken id.
 */
int xen_vcpu_init(struct xen_vcpu *v, struct xen_domain *d, u32 vcpu_id,
		  const struct xen_vcpu_ops *ops)
{
	if (vcpu_id >= XENABI_MAX_VCPUS || d->vcpus[vcpu_id])
		return -EINVAL;
	v->ops = ops;
	v->domain = d;
	v->vcpu_id = vcpu_id;
	v->vcpu_info = (char *)d->shared_info +
		       vcpu_id * sizeof(struct vcpu_info);
	v->runstate.state = RUNSTATE_offline;
	xen_vcpu_info_time_update(v);
	return 0;
}

/**
 * xen_vcpu_publish() - enters a vCPU in its domain
 * @v: from xen_vcpu_init()
 *
 * From now on the other vCPUs' hypercalls reach it (VCPUOP_*, event
 * channels bound to it, HVMOP_set_evtchn_upcall_vector), so the caller
 * does it last, when the vCPU can no longer fail to be made.
 */
void xen_vcpu_publish(struct xen_vcpu *v)
{
	struct xen_domain *d = v->domain;

	xenabi_lock(&d->lock);
	d->vcpus[v->vcpu_id] = v;
	xenabi_unlock(&d->lock);
}

/*
 * Undoes xen_vcpu_init() when the domain dies: its vcpu_info page and FIFO
 * control block go, and the FIFO event array with the last vCPU.
 */
void xen_vcpu_destroy(struct xen_vcpu *v)
{
	/* Out of reach of the other vCPUs' events first. */
	if (v->domain) {
		xenabi_lock(&v->domain->lock);
		if (v->domain->vcpus[v->vcpu_id] == v)
			v->domain->vcpus[v->vcpu_id] = NULL;
		xenabi_unlock(&v->domain->lock);
		xen_fifo_vcpu_destroy(v);
	}
	if (v->vcpu_info_page)
		v->ops->unmap_gfn(v, v->vcpu_info_page);
	v->vcpu_info_page = NULL;
	v->vcpu_info = NULL;
}

/**
 * xen_set_memory_map() - the toolstack's E820 map for XENMEM_memory_map
 * @d:  the domain
 * @e:  entries
 * @nr: how many; 0 removes the map
 *
 * Return: 0, or -EINVAL (more than XENABI_E820_MAX, an empty or wrapping
 * entry).
 */
int xen_set_memory_map(struct xen_domain *d, const struct xen_e820_entry *e,
		       u32 nr)
{
	u32 i;

	if (nr > XENABI_E820_MAX)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		if (!e[i].size || e[i].addr + e[i].size < e[i].addr)
			return -EINVAL;
	memcpy(d->e820, e, nr * sizeof(*e));
	d->nr_e820 = nr;
	return 0;
}

/* evtchn_upcall_pending of the vCPU: an event waits for it. */
bool xen_upcall_pending(struct xen_vcpu *v)
{
	return xenabi_test_bit(XENABI_UPCALL_PENDING_BIT, v->vcpu_info);
}

/**
 * xen_upcall_vector() - the vector to inject for a pending upcall
 * @v: the vCPU, about to enter the guest
 *
 * The vCPU's own (HVMOP_set_evtchn_upcall_vector) first, else the
 * domain's callback vector (HVM_PARAM_CALLBACK_IRQ of the vector type).
 * As in Xen, it is asserted for as long as evtchn_upcall_pending is set.
 *
 * Return: the vector, or 0 if there is nothing to deliver.
 */
u8 xen_upcall_vector(struct xen_vcpu *v)
{
	u64 via = v->domain->params[HVM_PARAM_CALLBACK_IRQ];

	if (!xen_upcall_pending(v))
		return 0;
	if (v->upcall_vector)
		return v->upcall_vector;
	if ((via >> XENABI_CALLBACK_TYPE_SHIFT) ==
	    HVM_PARAM_CALLBACK_TYPE_VECTOR)
		return (u8)via;
	return 0;
}

/* Whether @v, blocked or polling, has a reason to go on. */
static bool xen_poll_ready(struct xen_vcpu *v)
{
	struct xen_domain *d = v->domain;
	u32 i;

	if (v->poll_timed_out)
		return true;
	for (i = 0; i < v->nr_poll; i++)
		if (xen_evtchn_is_pending(d, v->poll_ports[i]))
			return true;
	return false;
}

/**
 * xen_vcpu_wakeup() - may a blocked vCPU run again?
 * @v: the vCPU, waiting in SCHEDOP_block, SCHEDOP_poll or HLT
 *
 * From process context without d->lock (a wait's condition): a poll's
 * ports are looked at under it (xen_evtchn_is_pending()).
 */
bool xen_vcpu_wakeup(struct xen_vcpu *v)
{
	return xen_upcall_pending(v) || (v->polling && xen_poll_ready(v));
}

/* The callback vector changed: vCPUs with an upcall pending take it now. */
void xen_upcall_kick_all(struct xen_domain *d)
{
	unsigned int i;

	for (i = 0; i < XENABI_MAX_VCPUS; i++)
		if (d->vcpus[i] && xen_upcall_pending(d->vcpus[i]))
			d->vcpus[i]->ops->kick(d->vcpus[i]);
}
