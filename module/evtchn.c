// SPDX-License-Identifier: GPL-2.0
/*
 * The host's ends of event channels: a process binds one of its ports to
 * a port of the guest (unbound for domain 0, as a frontend or the
 * toolstack leaves it) and gets an fd, as dom0's /dev/xen/evtchn gives a
 * backend in Xen: read counts the guest's events, write sends one, poll
 * waits for either.  The host's port numbers are the domain's own, 1 up;
 * the guest's EVTCHNOP_status names them.  An fd may outlive, or leave,
 * the process that made it: it holds the domain's memory, not the guest,
 * which dies with its last other fd (microv_domain_put()).
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "domain.h"
#include "microv.h"

/* Host ports per domain: as many as a guest has ports. */
#define MICROV_EVTCHN_LOCAL_MAX	(XENABI_NR_EVTCHNS - 1)

/**
 * struct microv_evtchn - one host end
 * @d:      its domain (a reference)
 * @port:   the guest's port
 * @local:  the host's, the key in d->evtchns
 * @count:  events from the guest not read yet (under @wait.lock)
 * @gone:   the guest's end is gone: it closed it, or the domain died
 *          (under @wait.lock)
 * @wait:   readers and pollers
 */
struct microv_evtchn {
	struct microv_domain *d;
	u32 port;
	u32 local;
	u64 count;
	bool gone;
	wait_queue_head_t wait;
};

/* Wakes @e's waiters with @count more events, or its end gone. */
static void microv_evtchn_wake(struct microv_evtchn *e, u64 count, bool gone)
{
	spin_lock(&e->wait.lock);
	e->count += count;
	e->gone |= gone;
	wake_up_locked_poll(&e->wait, gone ? EPOLLHUP : EPOLLIN | EPOLLRDNORM);
	spin_unlock(&e->wait.lock);
}

/**
 * microv_evtchn_notify() - the guest sent an event on @port, or closed it
 * @d:     the domain
 * @port:  the guest's port (0: every port closed, EVTCHNOP_reset)
 * @local: the host's port it was bound to (0: every one)
 *
 * Called from the sending vCPU's thread with no lock held.  Whether the
 * guest's end is still there is asked again, so an event and a close
 * racing each other leave the binding right either way.
 */
void microv_evtchn_notify(struct microv_domain *d, u32 port, u32 local)
{
	struct microv_evtchn *e;
	unsigned long id;

	xa_lock(&d->evtchns);
	xa_for_each_range(&d->evtchns, id, e, local ? local : 1,
			  local ? local : MICROV_EVTCHN_LOCAL_MAX) {
		if (!port || e->port == port) {
			bool bound = xen_evtchn_host_bound(&d->xen, e->port,
							   e->local);

			microv_evtchn_wake(e, port && bound, !bound);
		}
	}
	xa_unlock(&d->evtchns);
}

/* The domain was destroyed: every host end reads end of file. */
void microv_evtchns_kill(struct microv_domain *d)
{
	struct microv_evtchn *e;
	unsigned long id;

	xa_lock(&d->evtchns);
	xa_for_each(&d->evtchns, id, e)
		microv_evtchn_wake(e, 0, true);
	xa_unlock(&d->evtchns);
}

static ssize_t microv_evtchn_read(struct file *file, char __user *buf,
				  size_t len, loff_t *ppos)
{
	struct microv_evtchn *e = file->private_data;
	u64 count;
	int ret;

	if (len < sizeof(count))
		return -EINVAL;
	spin_lock(&e->wait.lock);
	if (!e->count && !e->gone && (file->f_flags & O_NONBLOCK)) {
		spin_unlock(&e->wait.lock);
		return -EAGAIN;
	}
	ret = wait_event_interruptible_locked(e->wait, e->count || e->gone);
	count = ret ? 0 : e->count;
	e->count -= count;
	spin_unlock(&e->wait.lock);
	if (ret)
		return ret;
	if (!count)
		return 0;		/* gone: end of file */
	if (copy_to_user(buf, &count, sizeof(count))) {
		microv_evtchn_wake(e, count, false);	/* not lost */
		return -EFAULT;
	}
	return sizeof(count);
}

static ssize_t microv_evtchn_write(struct file *file, const char __user *buf,
				   size_t len, loff_t *ppos)
{
	struct microv_evtchn *e = file->private_data;
	u64 val;

	if (len < sizeof(val))
		return -EINVAL;
	if (copy_from_user(&val, buf, sizeof(val)))
		return -EFAULT;
	if (READ_ONCE(e->d->dying) ||
	    xen_evtchn_host_send(&e->d->xen, e->port, e->local)) {
		microv_evtchn_wake(e, 0, true);
		return -EPIPE;
	}
	return sizeof(val);
}

static __poll_t microv_evtchn_poll(struct file *file, poll_table *wait)
{
	struct microv_evtchn *e = file->private_data;
	__poll_t mask;

	poll_wait(file, &e->wait, wait);
	spin_lock(&e->wait.lock);
	mask = e->count ? EPOLLIN | EPOLLRDNORM : 0;
	mask |= e->gone ? EPOLLHUP : EPOLLOUT | EPOLLWRNORM;
	spin_unlock(&e->wait.lock);
	return mask;
}

/* The guest's port waits for domain 0 again; the domain is let go. */
static int microv_evtchn_release(struct inode *inode, struct file *file)
{
	struct microv_evtchn *e = file->private_data;
	struct microv_domain *d = e->d;

	xen_evtchn_host_unbind(&d->xen, e->port, e->local);
	xa_erase(&d->evtchns, e->local);
	kfree(e);
	microv_domain_unhold(d);
	return 0;
}

static const struct file_operations microv_evtchn_fops = {
	.owner		= THIS_MODULE,
	.read		= microv_evtchn_read,
	.write		= microv_evtchn_write,
	.poll		= microv_evtchn_poll,
	.release	= microv_evtchn_release,
	.llseek		= noop_llseek,
};

/**
 * microv_evtchn_alloc_unbound() - MICROV_EVTCHN_ALLOC_UNBOUND
 * @d:    the domain
 * @uarg: struct microv_evtchn_alloc; its port is filled in
 *
 * Return: 0, or -EFAULT, -EINVAL (remote_dom not 0), -ENOSPC (no free
 * port in the guest).
 */
long microv_evtchn_alloc_unbound(struct microv_domain *d,
				 struct microv_evtchn_alloc __user *uarg)
{
	struct microv_evtchn_alloc a;
	int port;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.remote_dom)
		return -EINVAL;
	port = xen_evtchn_alloc_unbound_host(&d->xen);
	if (port < 0)
		return port;
	a.port = port;
	return copy_to_user(uarg, &a, sizeof(a)) ? -EFAULT : 0;
}

/**
 * microv_evtchn_bind() - MICROV_EVTCHN_BIND
 * @d:    the domain (its fd in use by the caller)
 * @uarg: struct microv_evtchn_bind; its local_port is filled in
 *
 * The host port is reserved, the guest's port bound, then the binding
 * entered where the guest's events find it (one sent in between is the
 * event every new end starts with), and the fd installed last: no
 * failure leaves a half-made end behind.
 *
 * Return: the fd, or -EFAULT, -EINVAL (flags, pad, or the guest's port is
 * not unbound for domain 0), -EBUSY (every host port in use), -ENOMEM,
 * -EMFILE.
 */
long microv_evtchn_bind(struct microv_domain *d,
			struct microv_evtchn_bind __user *uarg)
{
	struct microv_evtchn_bind b;
	struct microv_evtchn *e;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&b, uarg, sizeof(b)))
		return -EFAULT;
	if ((b.flags & ~MICROV_EVTCHN_NONBLOCK) || b.pad)
		return -EINVAL;
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	e->d = d;
	e->port = b.port;
	e->count = 1;		/* as Xen: a new channel starts pending */
	init_waitqueue_head(&e->wait);
	ret = xa_alloc(&d->evtchns, &e->local, NULL,
		       XA_LIMIT(1, MICROV_EVTCHN_LOCAL_MAX), GFP_KERNEL_ACCOUNT);
	if (ret) {
		kfree(e);
		return ret;
	}
	ret = xen_evtchn_host_bind(&d->xen, e->port, e->local);
	if (ret)
		goto out_erase;
	/* Into the slot reserved: nothing to allocate, nothing to fail. */
	xa_store(&d->evtchns, e->local, e, GFP_KERNEL_ACCOUNT);
	/* A close (or the domain's death) just before went unseen: look. */
	if (READ_ONCE(d->dying) ||
	    !xen_evtchn_host_bound(&d->xen, e->port, e->local))
		microv_evtchn_wake(e, 0, true);
	b.local_port = e->local;
	ret = -EFAULT;
	if (copy_to_user(uarg, &b, sizeof(b)))
		goto out_unbind;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_unbind;
	}
	file = anon_inode_getfile("microv-evtchn", &microv_evtchn_fops, e,
				  O_RDWR | ((b.flags & MICROV_EVTCHN_NONBLOCK) ?
					    O_NONBLOCK : 0));
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto out_unbind;
	}
	refcount_inc(&d->holds);
	fd_install(fd, file);
	return fd;

out_unbind:
	xen_evtchn_host_unbind(&d->xen, e->port, e->local);
out_erase:
	xa_erase(&d->evtchns, e->local);
	kfree(e);
	return ret;
}
