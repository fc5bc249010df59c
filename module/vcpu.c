// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: the vCPU fd, its run area, its registers and MICROV_RUN.  The
 * architectural state lives here between runs; the backend loads it into
 * the hardware when MICROV_RUN starts and stores it back when it returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "domain.h"
#include "microv.h"

/* RFLAGS bits that exist: CF..ID; bit 1 always reads 1. */
#define MICROV_RFLAGS_KNOWN	0x3f7fd7ULL
#define MICROV_RFLAGS_FIXED1	BIT(1)

static int microv_regs_check(const struct microv_regs *r)
{
	if ((r->rflags & ~MICROV_RFLAGS_KNOWN) != 0)
		return -EINVAL;
	return (r->rflags & MICROV_RFLAGS_FIXED1) ? 0 : -EINVAL;
}

/**
 * microv_vcpu_may_enter() - may this vCPU enter the guest now?
 * @v: the vCPU, about to enter (preemption off)
 *
 * Marks it in the guest first, then looks at the domain: with the full
 * barrier on either side, microv_domain_stop_vcpus() either sees it in the
 * guest and waits, or it sees the domain paused or dying and stays out.
 */
bool microv_vcpu_may_enter(struct microv_vcpu *v)
{
	smp_store_mb(v->in_guest, true);
	if (!READ_ONCE(v->domain->paused) && !READ_ONCE(v->domain->dying))
		return true;
	microv_vcpu_left_guest(v);
	return false;
}

void microv_vcpu_left_guest(struct microv_vcpu *v)
{
	smp_store_release(&v->in_guest, false);
}

/**
 * microv_vcpu_wait_runnable() - sleep while the domain is paused
 * @v: the vCPU, preemptible
 *
 * Return: 0 when it may run again, -EINTR on a signal, -ESRCH if the
 * domain was destroyed.
 */
int microv_vcpu_wait_runnable(struct microv_vcpu *v)
{
	struct microv_domain *d = v->domain;

	if (wait_event_interruptible(v->wait, !READ_ONCE(d->paused) ||
				     READ_ONCE(d->dying)))
		return -EINTR;
	return READ_ONCE(d->dying) ? -ESRCH : 0;
}

/**
 * microv_vcpu_has_work() - is there something for the vCPU's thread to
 * do (a timer that went off, ring work a guest event left)?
 * @v: the vCPU; any context
 *
 * Ends the fast path and a halt.  Only a timer keeps the vCPU out of the
 * guest until it is taken (microv_vcpu_timer_fired()); ring work is done
 * a round per entry, the guest running in between.
 */
bool microv_vcpu_has_work(struct microv_vcpu *v)
{
	return microv_vcpu_timer_fired(v) || READ_ONCE(v->ring_work);
}

/* Xen's timer or the APIC's. */
bool microv_vcpu_timer_fired(struct microv_vcpu *v)
{
	return READ_ONCE(v->timer_fired) || READ_ONCE(v->lapic_timer_fired);
}

/*
 * Takes it in: a timer that went off raises its event, rings get their
 * next round.  Preemptible.
 */
void microv_vcpu_do_work(struct microv_vcpu *v)
{
	if (xchg(&v->timer_fired, false))
		xen_timer_fired(&v->xen);
	microv_lapic_timer_work(v);
	if (READ_ONCE(v->ring_work))
		microv_ring_work(v);
}

/**
 * microv_vcpu_halt() - the guest waits for an event (HLT with interrupts
 * on, SCHEDOP_block, SCHEDOP_poll)
 * @v: the vCPU, preemptible
 *
 * Sleeps, blocked in the guest's runstate, until an upcall is pending, a
 * polled port is, its APIC has an interrupt to present (a self-IPI sent
 * with interrupts off), its timer goes off, ring work is left, or the
 * domain dies.  A timer that went off raises its event before the guest
 * runs again.
 *
 * Return: 0 to go on, -EINTR on a signal.
 */
int microv_vcpu_halt(struct microv_vcpu *v)
{
	int ret;

	xen_runstate_set(&v->xen, RUNSTATE_blocked);
	ret = wait_event_interruptible(v->wait, xen_vcpu_wakeup(&v->xen) ||
				       x86_lapic_pending(&v->lapic) >= 0 ||
				       microv_vcpu_has_work(v) ||
				       READ_ONCE(v->domain->dying));
	microv_vcpu_do_work(v);
	xen_poll_end(&v->xen);
	xen_runstate_set(&v->xen, RUNSTATE_running);
	return ret ? -EINTR : 0;
}

/* Wakes every vCPU of @d sleeping in HLT or a pause, to look again. */
void microv_domain_wake_vcpus(struct microv_domain *d)
{
	int i;

	for (i = 0; i < MICROV_MAX_VCPUS; i++)
		if (d->vcpus[i])
			wake_up_interruptible(&d->vcpus[i]->wait);
}

/*
 * After d->paused or d->dying was set: returns once no vCPU of @d is in
 * the guest.  A vCPU leaves within one time slice; the kick makes it
 * sooner.
 */
void microv_domain_stop_vcpus(struct microv_domain *d)
{
	int i;

	smp_mb();
	microv_domain_wake_vcpus(d);
	for (i = 0; i < MICROV_MAX_VCPUS; i++) {
		struct microv_vcpu *v = d->vcpus[i];

		if (!v)
			continue;
		while (smp_load_acquire(&v->in_guest)) {
			microv_backend->vcpu_kick(v);
			usleep_range(50, 100);
		}
	}
}

static long microv_vcpu_run(struct microv_vcpu *v, unsigned long arg)
{
	const u32 both = MICROV_VCPU_REGS | MICROV_VCPU_SREGS;
	long ret;

	if (arg)
		return -EINVAL;
	if (READ_ONCE(v->domain->dying))
		return -ESRCH;
	if ((v->state_set & both) != both || !READ_ONCE(v->domain->nr_pages))
		return -ENOEXEC;
	xen_runstate_set(&v->xen, RUNSTATE_running);
	ret = microv_backend->vcpu_run(v);
	/* Back to its controller: able to run, but not running. */
	xen_runstate_set(&v->xen, RUNSTATE_runnable);
	return ret;
}

static long microv_vcpu_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct microv_vcpu *v = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct microv_sregs sregs;
	struct microv_regs regs;
	long ret = 0;

	if (v->domain->mm != current->mm)
		return -EIO;
	if (READ_ONCE(v->domain->dying))
		return -ESRCH;
	if (mutex_lock_killable(&v->run_lock))
		return -EINTR;

	switch (cmd) {
	case MICROV_RUN:
		ret = microv_vcpu_run(v, arg);
		break;
	case MICROV_GET_REGS:
		if (copy_to_user(uarg, &v->regs, sizeof(v->regs)))
			ret = -EFAULT;
		break;
	case MICROV_SET_REGS:
		if (copy_from_user(&regs, uarg, sizeof(regs))) {
			ret = -EFAULT;
			break;
		}
		ret = microv_regs_check(&regs);
		if (!ret) {
			v->regs = regs;
			v->state_set |= MICROV_VCPU_REGS;
			v->state_dirty |= MICROV_VCPU_REGS;
		}
		break;
	case MICROV_GET_SREGS:
		if (v->sregs_stale) {
			microv_backend->vcpu_store_sregs(v);
			v->sregs_stale = false;
		}
		if (copy_to_user(uarg, &v->sregs, sizeof(v->sregs)))
			ret = -EFAULT;
		break;
	case MICROV_SET_SREGS:
		if (copy_from_user(&sregs, uarg, sizeof(sregs))) {
			ret = -EFAULT;
			break;
		}
		ret = microv_sregs_check(&sregs);
		if (!ret) {
			v->sregs = sregs;
			v->sregs_stale = false;
			v->state_set |= MICROV_VCPU_SREGS;
			v->state_dirty |= MICROV_VCPU_SREGS;
		}
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&v->run_lock);
	return ret;
}

static vm_fault_t microv_run_fault(struct vm_fault *vmf)
{
	struct microv_vcpu *v = vmf->vma->vm_file->private_data;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(v->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct microv_run_vm_ops = {
	.fault = microv_run_fault,
};

/* The run area is one page at offset 0. */
static int microv_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma_pages(vma) != 1)
		return -EINVAL;
	vma->vm_ops = &microv_run_vm_ops;
	return 0;
}

static int microv_vcpu_release(struct inode *inode, struct file *file)
{
	struct microv_vcpu *v = file->private_data;

	microv_domain_put(v->domain);
	return 0;
}

static const struct file_operations microv_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= microv_vcpu_release,
	.unlocked_ioctl	= microv_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= microv_vcpu_mmap,
	.llseek		= noop_llseek,
};

/* Frees a vCPU; only when its domain dies, so no fd refers to it. */
void microv_vcpu_free(struct microv_vcpu *v)
{
	microv_lapic_free(v);
	microv_xen_vcpu_free(v);
	if (v->arch)
		microv_backend->vcpu_destroy(v);
	free_page((unsigned long)v->run);
	kfree(v);
}

/**
 * microv_vcpu_create() - MICROV_CREATE_VCPU
 * @d:  the domain
 * @id: the vCPU id
 *
 * vCPUs live as long as their domain; the vCPU fd holds a reference on
 * the domain.
 *
 * Return: the vCPU fd, or -EINVAL (id out of range), -EEXIST (id taken),
 * -ENOMEM, -EMFILE.
 */
long microv_vcpu_create(struct microv_domain *d, unsigned long id)
{
	struct microv_vcpu *v;
	struct file *file;
	long ret;
	int fd;

	if (id >= MICROV_MAX_VCPUS)
		return -EINVAL;

	mutex_lock(&d->lock);
	if (d->dying) {
		ret = -ESRCH;
		goto out;
	}
	if (d->vcpus[id]) {
		ret = -EEXIST;
		goto out;
	}
	ret = -ENOMEM;
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		goto out;
	v->domain = d;
	v->id = id;
	/* Before any failure: microv_vcpu_free() cancels its timer. */
	microv_lapic_init(v);
	v->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!v->run)
		goto free;
	x86_dr_init(&v->debug);
	mutex_init(&v->run_lock);
	init_waitqueue_head(&v->wait);
	ret = microv_backend->vcpu_init(v);
	if (ret)
		goto free;
	ret = microv_xen_vcpu_init(v);
	if (ret)
		goto free;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto free;
	}
	file = anon_inode_getfile("microv-vcpu", &microv_vcpu_fops, v, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto free;
	}

	/*
	 * Nothing fails from here: the vCPU becomes reachable, by the
	 * domain's other vCPUs first, then by its fd.  The domain fd in use
	 * by this ioctl keeps the count above 0.
	 */
	refcount_inc(&d->refs);
	microv_xen_vcpu_publish(v);
	d->vcpus[id] = v;
	fd_install(fd, file);
	ret = fd;
	goto out;
free:
	microv_vcpu_free(v);
out:
	mutex_unlock(&d->lock);
	return ret;
}
