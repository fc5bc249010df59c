/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few primitives xenabi takes from where it is built: bit operations
 * and compare-exchange on memory the guest shares (always locked, as the
 * guest's own are), and
 * a lock for a domain's event channels.  The kernel's in the module; the
 * compiler's atomics and a lock that does nothing (the unit tests and the
 * fuzzer run one thread) in userspace.
 */
#ifndef XENABI_HOST_H
#define XENABI_HOST_H

#ifdef __KERNEL__
#include <linux/nospec.h>
#include <linux/spinlock.h>
#include <asm/sync_bitops.h>

/* @i, checked below @n, kept so under speculation too (Spectre v1). */
#define xenabi_index_nospec(i, n)	array_index_nospec(i, n)

#define xenabi_wmb()		smp_wmb()
#define xenabi_rmb()		smp_rmb()
#define xenabi_mb()		smp_mb()
#define xenabi_read_once(x)	READ_ONCE(x)
#define xenabi_write_once(x, v)	WRITE_ONCE(x, v)

typedef spinlock_t xenabi_lock_t;
#define xenabi_lock_init(l)	spin_lock_init(l)
#define xenabi_lock(l)		spin_lock(l)
#define xenabi_unlock(l)	spin_unlock(l)

static inline bool xenabi_test_and_set_bit(unsigned int nr, void *addr)
{
	return sync_test_and_set_bit(nr, addr);
}

static inline void xenabi_clear_bit(unsigned int nr, void *addr)
{
	sync_clear_bit(nr, addr);
}

static inline bool xenabi_test_bit(unsigned int nr, const void *addr)
{
	return sync_test_bit(nr, (const unsigned long *)addr);
}

/* Compares *@p with @old and, if equal, stores @new; returns what was there. */
static inline u32 xenabi_cmpxchg32(u32 *p, u32 old, u32 new)
{
	return sync_cmpxchg(p, old, new);
}
#else
#define xenabi_index_nospec(i, n)	((i) < (n) ? (i) : 0)
#define xenabi_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define xenabi_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xenabi_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xenabi_read_once(x)	(*(volatile __typeof__(x) *)&(x))
#define xenabi_write_once(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))

typedef struct { int unused; } xenabi_lock_t;
#define xenabi_lock_init(l)	((void)(l))
#define xenabi_lock(l)		((void)(l))
#define xenabi_unlock(l)	((void)(l))

#define XENABI_LONG_BITS	(8 * sizeof(unsigned long))

static inline unsigned long *xenabi_word(unsigned int nr, const void *addr)
{
	return (unsigned long *)addr + nr / XENABI_LONG_BITS;
}

static inline bool xenabi_test_and_set_bit(unsigned int nr, void *addr)
{
	unsigned long bit = 1UL << (nr % XENABI_LONG_BITS);

	return __atomic_fetch_or(xenabi_word(nr, addr), bit,
				 __ATOMIC_SEQ_CST) & bit;
}

static inline void xenabi_clear_bit(unsigned int nr, void *addr)
{
	__atomic_fetch_and(xenabi_word(nr, addr),
			   ~(1UL << (nr % XENABI_LONG_BITS)), __ATOMIC_SEQ_CST);
}

static inline bool xenabi_test_bit(unsigned int nr, const void *addr)
{
	return __atomic_load_n(xenabi_word(nr, addr), __ATOMIC_SEQ_CST) &
	       (1UL << (nr % XENABI_LONG_BITS));
}

/*
 * The unit tests' guest acts here, between what microv read and its
 * compare-exchange, as another vCPU of a real guest may.
 */
extern void (*xenabi_cmpxchg_hook)(u32 *p);

static inline u32 xenabi_cmpxchg32(u32 *p, u32 old, u32 new)
{
	if (xenabi_cmpxchg_hook)
		xenabi_cmpxchg_hook(p);
	__atomic_compare_exchange_n(p, &old, new, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return old;
}
#endif

#endif /* XENABI_HOST_H */
