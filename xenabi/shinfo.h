/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where things are in shared_info and vcpu_info, for the layout the guest
 * latched (xen_domain.shinfo_32).  Both layouts have the same vcpu_info
 * array of 64-byte entries and the same vcpu_time_info at offset 32; a
 * 32-bit guest's words (xen_ulong_t) are 32 bits, so its event bitmaps and
 * selector are smaller and what follows them moves.  On little-endian x86,
 * bit n of an array of 32-bit words is bit n of the same memory seen as
 * 64-bit words: the bit operations need only the base and the bit number.
 */
#ifndef XENABI_SHINFO_H
#define XENABI_SHINFO_H

#include "xenabi.h"

/* 32-bit layout: the words of xen_ulong_t, after vcpu_info[32]. */
#define XENABI_SHINFO32_PENDING	(XENABI_LEGACY_VCPUS * sizeof(struct vcpu_info))
#define XENABI_SHINFO32_WORDS	(32 * 4)	/* bytes of one event bitmap */
#define XENABI_VCPU_INFO32_SEL	4		/* evtchn_pending_sel */
/* Its wc_sec_hi is arch.wc_sec_hi: the 10th word from wc_version. */
#define XENABI_SHINFO32_WC_SEC_HI	9

static inline unsigned int xen_word_bits(const struct xen_domain *d)
{
	return d->shinfo_32 ? 32 : 64;
}

/* Ports that exist: in the latched layout, or all of them with FIFO. */
static inline unsigned int xen_nr_ports(const struct xen_domain *d)
{
	if (d->evtchn_fifo)
		return XENABI_NR_EVTCHNS;
	return xen_word_bits(d) * xen_word_bits(d);
}

static inline void *xen_evtchn_pending(const struct xen_domain *d)
{
	return (char *)d->shared_info + (d->shinfo_32 ? XENABI_SHINFO32_PENDING :
		offsetof(struct shared_info, evtchn_pending));
}

static inline void *xen_evtchn_mask(const struct xen_domain *d)
{
	return (char *)d->shared_info + (d->shinfo_32 ?
		XENABI_SHINFO32_PENDING + XENABI_SHINFO32_WORDS :
		offsetof(struct shared_info, evtchn_mask));
}

/*
 * wc_version, wc_sec, wc_nsec, then wc_sec_hi in the 64-bit layout; the
 * 32-bit one has it XENABI_SHINFO32_WC_SEC_HI words from wc_version.
 */
static inline u32 *xen_wallclock(const struct xen_domain *d)
{
	return (u32 *)((char *)d->shared_info + (d->shinfo_32 ?
		XENABI_SHINFO32_PENDING + 2 * XENABI_SHINFO32_WORDS :
		XENABI_SHINFO_WC));
}

/* The bit of vcpu_info's evtchn_pending_sel that stands for word @word. */
static inline unsigned int xen_sel_bit(const struct xen_domain *d,
				       unsigned int word)
{
	return 8 * (d->shinfo_32 ? XENABI_VCPU_INFO32_SEL :
		    offsetof(struct vcpu_info, evtchn_pending_sel)) + word;
}

/* evtchn_upcall_pending: bit 0 of vcpu_info. */
#define XENABI_UPCALL_PENDING_BIT	0

static inline xenabi_time_info_t *xen_vcpu_time(void *vcpu_info)
{
	return (xenabi_time_info_t *)((char *)vcpu_info +
				      offsetof(struct vcpu_info, time));
}

#endif /* XENABI_SHINFO_H */
