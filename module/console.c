// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's two output streams: what the guest writes to its console
 * ring (its console), and what it writes with console_io (its part of the
 * hypervisor log, which Xen keeps apart from the guest's console too).
 * Each is kept in a bounded buffer (the oldest bytes dropped and counted
 * when nobody reads in time, so a late reader still sees the most recent
 * output) and read through an fd that supports poll.  What is written to
 * a console fd goes into the guest's console input ring (module/ring.c);
 * a log fd is read-only.  Once the domain is destroyed, a reader gets
 * what is left, then end of file, and poll says POLLHUP.
 */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "domain.h"
#include "microv.h"

void microv_console_init(struct microv_console *c)
{
	spin_lock_init(&c->lock);
	init_waitqueue_head(&c->wait);
}

/**
 * microv_console_write() - append guest output to the stream
 * @c:   the domain's console
 * @buf: the bytes
 * @len: how many
 *
 * Never blocks the guest: when the buffer is full, the oldest bytes go.
 */
void microv_console_write(struct microv_console *c, const char *buf,
			  size_t len)
{
	size_t i;

	spin_lock(&c->lock);
	for (i = 0; i < len; i++) {
		if (c->tail - c->head == MICROV_CONSOLE_SIZE) {
			c->head++;
			c->dropped++;
		}
		c->buf[c->tail++ % MICROV_CONSOLE_SIZE] = buf[i];
	}
	spin_unlock(&c->lock);
	wake_up_interruptible(&c->wait);
}

static bool microv_console_empty(struct microv_console *c)
{
	return READ_ONCE(c->tail) == READ_ONCE(c->head);
}

/* What @c holds, for a reader of @file (of its domain). */
static ssize_t microv_stream_read(struct file *file, struct microv_console *c,
				  char __user *ubuf, size_t size)
{
	struct microv_domain *d = file->private_data;
	char chunk[256];
	size_t n, i;
	int ret;

	if (!size)
		return 0;
	for (;;) {
		if (!microv_console_empty(c))
			break;
		/* Destroyed, its output all read: end of file. */
		if (READ_ONCE(d->dying))
			return 0;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(c->wait,
					       !microv_console_empty(c) ||
					       READ_ONCE(d->dying));
		if (ret)
			return ret;
	}
	spin_lock(&c->lock);
	n = min3(size, sizeof(chunk), (size_t)(c->tail - c->head));
	for (i = 0; i < n; i++)
		chunk[i] = c->buf[c->head++ % MICROV_CONSOLE_SIZE];
	spin_unlock(&c->lock);
	return copy_to_user(ubuf, chunk, n) ? -EFAULT : n;
}

static ssize_t microv_console_read(struct file *file, char __user *ubuf,
				   size_t size, loff_t *ppos)
{
	struct microv_domain *d = file->private_data;

	return microv_stream_read(file, &d->console, ubuf, size);
}

static ssize_t microv_hvlog_read(struct file *file, char __user *ubuf,
				 size_t size, loff_t *ppos)
{
	struct microv_domain *d = file->private_data;

	return microv_stream_read(file, &d->hvlog, ubuf, size);
}

/* As much of @ubuf as the input ring takes: bytes, or -errno if none. */
static ssize_t microv_console_fill(struct microv_domain *d,
				   const char __user *ubuf, size_t size)
{
	size_t done = 0;
	char chunk[256];

	while (done < size) {
		size_t n = min(size - done, sizeof(chunk));
		ssize_t taken;

		if (copy_from_user(chunk, ubuf + done, n))
			return done ? done : -EFAULT;
		taken = microv_console_input(d, chunk, n);
		if (taken < 0)
			return done ? done : taken;
		done += taken;
		if (taken < n)
			break;		/* full */
	}
	return done;
}

/*
 * Into the guest's console input ring, as much as fits; a blocking writer
 * waits for room (the guest signals when it has read).
 */
static ssize_t microv_console_fd_write(struct file *file,
				       const char __user *ubuf, size_t size,
				       loff_t *ppos)
{
	struct microv_domain *d = file->private_data;
	ssize_t n;

	if (!size)
		return 0;
	for (;;) {
		if (READ_ONCE(d->dying))
			return -ESRCH;
		n = microv_console_fill(d, ubuf, size);
		if (n)
			return n;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(d->console.wait,
					     microv_console_room(d) ||
					     READ_ONCE(d->dying)))
			return -ERESTARTSYS;
	}
}

/* Readable when @c holds something; hung up once the domain is gone. */
static __poll_t microv_stream_poll(struct file *file, struct microv_console *c,
				   poll_table *wait)
{
	struct microv_domain *d = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &c->wait, wait);
	if (!microv_console_empty(c))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(d->dying))
		mask |= EPOLLHUP;
	return mask;
}

static __poll_t microv_console_poll(struct file *file, poll_table *wait)
{
	struct microv_domain *d = file->private_data;
	__poll_t mask = microv_stream_poll(file, &d->console, wait);

	if (microv_console_room(d))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static __poll_t microv_hvlog_poll(struct file *file, poll_table *wait)
{
	struct microv_domain *d = file->private_data;

	return microv_stream_poll(file, &d->hvlog, wait);
}

static int microv_console_release(struct inode *inode, struct file *file)
{
	microv_domain_put(file->private_data);
	return 0;
}

static const struct file_operations microv_console_fops = {
	.owner		= THIS_MODULE,
	.read		= microv_console_read,
	.write		= microv_console_fd_write,
	.poll		= microv_console_poll,
	.release	= microv_console_release,
	.llseek		= noop_llseek,
};

static const struct file_operations microv_hvlog_fops = {
	.owner		= THIS_MODULE,
	.read		= microv_hvlog_read,
	.poll		= microv_hvlog_poll,
	.release	= microv_console_release,
	.llseek		= noop_llseek,
};

/**
 * microv_console_open() - MICROV_GET_CONSOLE: a console fd of @d
 * @d:     the domain (its fd in use by the caller)
 * @flags: MICROV_CONSOLE_NONBLOCK, MICROV_CONSOLE_HVLOG (a read-only fd
 *         on its console_io output instead)
 *
 * Return: the fd, holding a reference on the domain, or -EINVAL (flags),
 * -ENOMEM, -EMFILE.
 */
long microv_console_open(struct microv_domain *d, unsigned long flags)
{
	int fd;

	int mode = O_CLOEXEC | ((flags & MICROV_CONSOLE_NONBLOCK) ? O_NONBLOCK : 0);

	if (flags & ~MICROV_CONSOLE_FLAGS)
		return -EINVAL;
	refcount_inc(&d->refs);
	if (flags & MICROV_CONSOLE_HVLOG)
		fd = anon_inode_getfd("microv-hvlog", &microv_hvlog_fops, d,
				      O_RDONLY | mode);
	else
		fd = anon_inode_getfd("microv-console", &microv_console_fops,
				      d, O_RDWR | mode);
	if (fd < 0)
		microv_domain_put(d);
	return fd;
}
