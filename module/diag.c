// SPDX-License-Identifier: GPL-2.0
/*
 * What a guest asked for and did not get: hypercalls answered -ENOSYS,
 * MSR accesses that got #GP, memory with no RAM.  Each distinct request
 * is kept once with a count, in the order first seen, up to
 * MICROV_DIAG_MAX; userspace reads them (MICROV_GET_DIAG) to say what a
 * guest missed (uvctl --verbose).  Noted from the exit handlers, some
 * with interrupts off: a spinlock and a fixed table, nothing allocated.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "backend.h"
#include "domain.h"

/**
 * microv_diag_note() - count one request the guest did not get
 * @d:    the domain
 * @kind: MICROV_DIAG_*
 * @code: see struct microv_diag_entry
 * @arg:  likewise
 */
void microv_diag_note(struct microv_domain *d, u32 kind, u32 code, u64 arg)
{
	struct microv_diag_table *t = &d->diag;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&t->lock, flags);
	for (i = 0; i < t->nr; i++) {
		struct microv_diag_entry *e = &t->e[i];

		if (e->kind == kind && e->code == code && e->arg == arg) {
			e->count++;
			goto out;
		}
	}
	if (t->nr < MICROV_DIAG_MAX)
		t->e[t->nr++] = (struct microv_diag_entry){
			.kind = kind, .code = code, .arg = arg, .count = 1,
		};
	else
		t->dropped++;
out:
	spin_unlock_irqrestore(&t->lock, flags);
}

/* An RDMSR or WRMSR the backend answers with #GP. */
void microv_msr_fault(struct microv_vcpu *v, u32 msr, bool write)
{
	microv_diag_note(v->domain, write ? MICROV_DIAG_WRMSR :
			 MICROV_DIAG_RDMSR, msr, 0);
}

/* MICROV_GET_DIAG */
long microv_diag_get(struct microv_domain *d, struct microv_diag __user *arg)
{
	struct microv_diag_table *t = &d->diag;
	struct microv_diag_entry *copy;
	struct microv_diag req;
	unsigned int n;
	long ret = 0;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags)
		return -EINVAL;
	copy = kmalloc_array(MICROV_DIAG_MAX, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spin_lock_irq(&t->lock);
	n = t->nr;
	memcpy(copy, t->e, n * sizeof(*copy));
	req.dropped = t->dropped;
	spin_unlock_irq(&t->lock);

	if (copy_to_user(u64_to_user_ptr(req.entries), copy,
			 min(n, req.nr_entries) * sizeof(*copy)))
		ret = -EFAULT;
	req.nr_entries = n;
	if (!ret && copy_to_user(arg, &req, sizeof(req)))
		ret = -EFAULT;
	kfree(copy);
	return ret;
}
