// SPDX-License-Identifier: GPL-2.0
/*
 * grant_table_op (__HYPERVISOR_grant_table_op): a domain's grant table,
 * version 1, in frames of the hypervisor that the guest places in its
 * physmap with XENMEM_add_to_physmap (XENMAPSPACE_grant_table).  Granting
 * needs no hypercall; mapping and copying another domain's grants is a
 * backend's business and not offered to a guest (there is no other
 * domain to grant to yet).  The host is domain 0: it maps and copies what
 * a guest grants it (xen_grant_acquire(), xen_grant_release()).
 */
#include "xenabi.h"

static bool xen_gnttab_self(struct xen_vcpu *v, domid_t dom)
{
	return dom == DOMID_SELF || dom == v->domain->domid;
}

static long xen_query_size(struct xen_vcpu *v, unsigned long gva)
{
	struct gnttab_query_size q;

	if (v->ops->copy_from_guest(v, &q, gva, sizeof(q)))
		return -EFAULT;
	if (xen_gnttab_self(v, q.dom)) {
		q.nr_frames = v->domain->gnttab_frames;
		q.max_nr_frames = XENABI_GNTTAB_FRAMES;
		q.status = GNTST_okay;
	} else {
		q.status = GNTST_permission_denied;
	}
	return v->ops->copy_to_guest(v, gva, &q, sizeof(q)) ? -EFAULT : 0;
}

/*
 * struct gnttab_setup_table: dom, nr_frames, status, then the frame list
 * handle at the guest's long alignment; a frame number is a guest long.
 * An auto-translated guest gets the frame where each is placed, or ~0 for
 * one not placed yet.
 */
static long xen_setup_table(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_domain *d = v->domain;
	unsigned int size = xen_long_size(v), off_list = size == 8 ? 16 : 12;
	struct {
		domid_t dom;
		u16 pad;
		u32 nr_frames;
		s16 status;
	} s;
	u64 list, frame;
	u32 i;

	if (v->ops->copy_from_guest(v, &s, gva, 10) ||
	    xen_get_long(v, gva + off_list, &list))
		return -EFAULT;
	if (!xen_gnttab_self(v, s.dom))
		s.status = GNTST_permission_denied;
	else if (s.nr_frames > XENABI_GNTTAB_FRAMES)
		s.status = GNTST_general_error;
	else
		s.status = GNTST_okay;
	if (s.status == GNTST_okay) {
		if (s.nr_frames > d->gnttab_frames)
			d->gnttab_frames = s.nr_frames;
		for (i = 0; i < s.nr_frames; i++) {
			frame = d->xen_page_gfn[XENABI_PAGE_GNTTAB(i)];
			if (size == 4 && frame == XENABI_NO_GFN)
				frame = 0xffffffff;
			if (xen_put_long(v, list + i * size, frame))
				return -EFAULT;
		}
	}
	return v->ops->copy_to_guest(v, gva + 8, &s.status, sizeof(s.status)) ?
	       -EFAULT : 0;
}

/* Version 1 only; the answer carries the version in force either way. */
static long xen_set_version(struct xen_vcpu *v, unsigned long gva)
{
	struct gnttab_set_version sv;
	long ret = 0;

	if (v->ops->copy_from_guest(v, &sv, gva, sizeof(sv)))
		return -EFAULT;
	if (sv.version != 1)
		ret = -EINVAL;
	sv.version = 1;
	if (v->ops->copy_to_guest(v, gva, &sv, sizeof(sv)))
		return -EFAULT;
	return ret;
}

static long xen_get_version(struct xen_vcpu *v, unsigned long gva)
{
	struct gnttab_get_version gv;

	if (v->ops->copy_from_guest(v, &gv, gva, sizeof(gv)))
		return -EFAULT;
	if (!xen_gnttab_self(v, gv.dom))
		return -EPERM;
	gv.version = 1;
	return v->ops->copy_to_guest(v, gva, &gv, sizeof(gv)) ? -EFAULT : 0;
}

/* Attempts at an entry the guest keeps changing, as Xen gives up. */
#define XENABI_GRANT_RETRIES	4

/* The v1 entry @ref, or NULL if its frame is not there. */
static struct grant_entry_v1 *xen_grant_entry(struct xen_domain *d, u32 ref)
{
	u32 frame = ref / XENABI_GRANTS_PER_FRAME;
	struct grant_entry_v1 *page;

	if (frame >= XENABI_GNTTAB_FRAMES)
		return NULL;
	frame = xenabi_index_nospec(frame, XENABI_GNTTAB_FRAMES);
	page = xenabi_read_once(d->gnttab[frame]);
	return page ? &page[ref % XENABI_GRANTS_PER_FRAME] : NULL;
}

/* An entry's flags and domid, as one word for compare-exchange. */
#define XENABI_GRANT_FLAGS(w)	((u16)(w))
#define XENABI_GRANT_DOMID(w)	((u16)((w) >> 16))

/**
 * xen_grant_acquire() - domain 0 (the host) starts using grant @ref
 * @d:     the granting domain
 * @ref:   the grant reference
 * @write: to write the frame (a map or a copy into it), not only read it
 * @gfn:   out: the frame granted
 *
 * As Xen does for a v1 entry: it must permit access to domain 0, and not
 * be read-only for @write; GTF_reading (and GTF_writing for @write) is
 * set in the same compare-exchange that checks it, so the guest cannot
 * end the grant while the host uses it.  The host counts its uses and
 * calls xen_grant_release() when the last of each kind ends.
 *
 * Return: 0, -EINVAL (no such entry, or not a grant to domain 0), -EPERM
 * (@write, and the grant is read-only), -EBUSY (the guest kept changing
 * the entry).
 */
int xen_grant_acquire(struct xen_domain *d, u32 ref, bool write, u64 *gfn)
{
	struct grant_entry_v1 *e = xen_grant_entry(d, ref);
	u32 *word, old, new;
	int i;

	if (!e)
		return -EINVAL;
	word = (u32 *)e;
	old = xenabi_read_once(*word);
	for (i = 0; i < XENABI_GRANT_RETRIES; i++) {
		u16 flags = XENABI_GRANT_FLAGS(old);

		if ((flags & GTF_type_mask) != GTF_permit_access ||
		    XENABI_GRANT_DOMID(old) != XENABI_BACKEND_DOMID)
			return -EINVAL;
		if (write && (flags & GTF_readonly))
			return -EPERM;
		new = old | GTF_reading | (write ? GTF_writing : 0);
		new = xenabi_cmpxchg32(word, old, new) == old ? 0 : ~0u;
		if (!new) {
			/* The frame is read after the flags are set. */
			xenabi_mb();
			*gfn = xenabi_read_once(e->frame);
			return 0;
		}
		old = xenabi_read_once(*word);
	}
	return -EBUSY;
}

/**
 * xen_grant_release() - domain 0 ends its uses of grant @ref
 * @d:       the granting domain
 * @ref:     a reference xen_grant_acquire() took
 * @writing: the last write use ended: GTF_writing goes
 * @reading: the last use of any kind ended: GTF_reading goes too
 */
void xen_grant_release(struct xen_domain *d, u32 ref, bool writing,
		       bool reading)
{
	struct grant_entry_v1 *e = xen_grant_entry(d, ref);

	/* Locked bit operations: whatever else the guest writes stays. */
	if (e && writing)
		xenabi_clear_bit(_GTF_writing, e);
	if (e && reading)
		xenabi_clear_bit(_GTF_reading, e);
}

/**
 * xen_grant_seed() - the toolstack's grant of a frame to domain 0, in one
 * of the entries Xen reserves for it (GNTTAB_RESERVED_CONSOLE, _XENSTORE)
 * @d:   the domain; its grant frame 0 there
 * @ref: the entry
 * @gfn: the frame granted
 *
 * Return: 0, or -EINVAL (not a reserved entry, or frame 0 is not there).
 */
int xen_grant_seed(struct xen_domain *d, u32 ref, u64 gfn)
{
	struct grant_entry_v1 *e;

	if (ref != GNTTAB_RESERVED_CONSOLE && ref != GNTTAB_RESERVED_XENSTORE)
		return -EINVAL;
	e = xen_grant_entry(d, ref);
	if (!e || (u32)gfn != gfn)
		return -EINVAL;
	e->domid = XENABI_BACKEND_DOMID;
	e->frame = gfn;
	xenabi_wmb();		/* the entry is whole before it is valid */
	xenabi_write_once(e->flags, GTF_permit_access);
	return 0;
}

/**
 * xen_grant_table_op() - __HYPERVISOR_grant_table_op
 * @v:    the calling vCPU
 * @args: GNTTABOP_*, its argument, the count of arguments (1 here)
 *
 * Return: 0 with a GNTST_* status in the argument (query_size,
 * setup_table), or -EFAULT; -EINVAL for a count other than 1 and for a
 * version other than 1; -EPERM for another domain's version; -ENOSYS for
 * map, unmap, copy, transfer and the other backend and v2 operations.
 */
long xen_grant_table_op(struct xen_vcpu *v, const unsigned long *args)
{
	unsigned long cmd = args[0], gva = args[1], count = args[2];

	switch (cmd) {
	case GNTTABOP_query_size:
	case GNTTABOP_setup_table:
	case GNTTABOP_set_version:
	case GNTTABOP_get_version:
		break;
	default:
		return -ENOSYS;
	}
	if (count != 1)
		return -EINVAL;
	switch (cmd) {
	case GNTTABOP_query_size:
		return xen_query_size(v, gva);
	case GNTTABOP_setup_table:
		return xen_setup_table(v, gva);
	case GNTTABOP_set_version:
		return xen_set_version(v, gva);
	default:
		return xen_get_version(v, gva);
	}
}
