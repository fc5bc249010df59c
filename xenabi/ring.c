// SPDX-License-Identifier: GPL-2.0
/*
 * The backend's side of the console ring (struct xencons_interface) in a
 * page the guest shares: output the guest produced is pulled out, input is
 * pushed in.  The guest owns the page and may write anything to it at any
 * time: each index is read once, the distance between producer and
 * consumer is bounded by the ring's size, and every access is masked.
 */
#include "xenabi.h"

/**
 * xen_console_pull() - take what the guest wrote to its console
 * @d:   the domain, its console ring connected
 * @buf: where to
 * @len: at most this much
 *
 * A producer further ahead than the ring holds (a confused or hostile
 * guest) loses what cannot be there: the consumer catches up.
 *
 * Return: bytes taken.
 */
size_t xen_console_pull(struct xen_domain *d, char *buf, size_t len)
{
	struct xencons_interface *intf = d->console_ring;
	XENCONS_RING_IDX cons, prod;
	size_t n = 0;

	if (!intf)
		return 0;
	cons = xenabi_read_once(intf->out_cons);
	prod = xenabi_read_once(intf->out_prod);
	xenabi_rmb();
	if (prod - cons > sizeof(intf->out))
		cons = prod - sizeof(intf->out);
	while (cons != prod && n < len)
		buf[n++] = intf->out[MASK_XENCONS_IDX(cons++, intf->out)];
	xenabi_mb();
	intf->out_cons = cons;
	return n;
}

/**
 * xen_console_push() - give the guest console input
 * @d:   the domain, its console ring connected
 * @buf: the bytes
 * @len: how many
 *
 * Return: bytes put in the ring (fewer when it is full); the caller then
 * raises the console's event.
 */
size_t xen_console_push(struct xen_domain *d, const char *buf, size_t len)
{
	struct xencons_interface *intf = d->console_ring;
	XENCONS_RING_IDX cons, prod;
	size_t n = 0;

	if (!intf)
		return 0;
	cons = xenabi_read_once(intf->in_cons);
	prod = xenabi_read_once(intf->in_prod);
	xenabi_mb();
	if (prod - cons > sizeof(intf->in))
		return 0;	/* nonsense indexes: the guest must fix them */
	while (prod - cons < sizeof(intf->in) && n < len)
		intf->in[MASK_XENCONS_IDX(prod++, intf->in)] = buf[n++];
	xenabi_wmb();
	intf->in_prod = prod;
	return n;
}

/* Room for input in the guest's console ring. */
size_t xen_console_room(struct xen_domain *d)
{
	struct xencons_interface *intf = d->console_ring;
	XENCONS_RING_IDX used;

	if (!intf)
		return 0;
	used = xenabi_read_once(intf->in_prod) - xenabi_read_once(intf->in_cons);
	return used > sizeof(intf->in) ? 0 : sizeof(intf->in) - used;
}
