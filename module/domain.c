// SPDX-License-Identifier: GPL-2.0
/*
 * Domains: creation from /dev/microv, the domain fd, and the module-wide
 * table of live domains keyed by Xen domid (so that tools can later find
 * a domain they did not create, by domid or by name).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "domain.h"
#include "microv.h"

/* Below Xen's reserved domids; domid 0 is the host's own. */
#define MICROV_DOMID_MIN	1
#define MICROV_DOMID_MAX	(DOMID_FIRST_RESERVED - 1)

/* Live domains by domid; the xarray's lock also guards name uniqueness. */
static DEFINE_XARRAY_ALLOC(microv_domains);
static DEFINE_MUTEX(microv_domains_lock);

unsigned long microv_nr_domains(void)
{
	struct microv_domain *d;
	unsigned long id, n = 0;

	xa_for_each(&microv_domains, id, d)
		n++;
	return n;
}

static bool microv_name_valid(const char *name)
{
	size_t len = strnlen(name, MICROV_NAME_MAX);
	size_t i;

	if (len == MICROV_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

static bool microv_name_taken(const char *name)
{
	struct microv_domain *d;
	unsigned long id;

	xa_for_each(&microv_domains, id, d)
		if (!strcmp(d->name, name))
			return true;
	return false;
}

/* Enters @d in the table: a free domid, and its name if it has one. */
static int microv_domain_register(struct microv_domain *d)
{
	u32 domid;
	int ret;

	mutex_lock(&microv_domains_lock);
	if (d->name[0] && microv_name_taken(d->name)) {
		ret = -EEXIST;
		goto out;
	}
	ret = xa_alloc(&microv_domains, &domid, d,
		       XA_LIMIT(MICROV_DOMID_MIN, MICROV_DOMID_MAX),
		       GFP_KERNEL);
	if (ret == -EBUSY)
		ret = -ENOSPC;
	if (!ret)
		d->domid = domid;
out:
	mutex_unlock(&microv_domains_lock);
	return ret;
}

/*
 * A reference on the live domain @domid, or NULL.  The table's lock keeps
 * @d allocated while its last reference may be going: that path takes
 * the lock to unlist it before it frees it.  A domain still being made
 * is not there yet: its creation can fail and free it.
 */
static struct microv_domain *microv_domain_get(u32 domid)
{
	struct microv_domain *d;

	mutex_lock(&microv_domains_lock);
	d = xa_load(&microv_domains, domid);
	if (d && (!d->published || READ_ONCE(d->dying) ||
		  !refcount_inc_not_zero(&d->refs)))
		d = NULL;
	mutex_unlock(&microv_domains_lock);
	return d;
}

/*
 * Lets others find @d: the last step of its creation, once nothing can
 * fail, so that a failure frees a domain no one else holds.
 */
static void microv_domain_publish(struct microv_domain *d)
{
	mutex_lock(&microv_domains_lock);
	d->published = true;
	mutex_unlock(&microv_domains_lock);
}

/* Takes @d out of the table (if it is still there): its domid and name are free. */
static void microv_domain_unlist(struct microv_domain *d)
{
	mutex_lock(&microv_domains_lock);
	if (d->domid)
		xa_cmpxchg(&microv_domains, d->domid, d, NULL, 0);
	mutex_unlock(&microv_domains_lock);
}

static void microv_domain_destroy(struct microv_domain *d)
{
	int i;

	for (i = 0; i < MICROV_MAX_VCPUS; i++)
		if (d->vcpus[i])
			microv_vcpu_free(d->vcpus[i]);
	microv_rings_free(d);
	microv_memslots_free(d);
	if (d->arch)
		microv_backend->domain_destroy(d);
	microv_xen_domain_free(d);
	microv_domain_unlist(d);
	xa_destroy(&d->evtchns);
	microv_grants_free(d);
	mmdrop(d->mm);
	kvfree(d);
	module_put(THIS_MODULE);
}

/* Drops a hold; the last one destroys the domain. */
void microv_domain_unhold(struct microv_domain *d)
{
	if (refcount_dec_and_test(&d->holds))
		microv_domain_destroy(d);
}

static long microv_domain_kill(struct microv_domain *d);

/*
 * Drops one reference.  The last one destroys the domain, or, while host
 * ends of its channels still hold it, kills it (MICROV_DESTROY_DOMAIN's
 * work: their fds read end of file) and leaves the rest to them.
 */
void microv_domain_put(struct microv_domain *d)
{
	if (!refcount_dec_and_test(&d->refs))
		return;
	if (refcount_read(&d->holds) > 1)
		microv_domain_kill(d);
	microv_domain_unhold(d);
}

static long microv_get_domain_info(struct microv_domain *d,
				   struct microv_domain_info __user *uinfo)
{
	struct microv_domain_info info;
	int i;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if (info.flags)
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	info.domid = d->domid;
	if (READ_ONCE(d->paused))
		info.state |= MICROV_DOMAIN_PAUSED;
	strscpy(info.name, d->name, sizeof(info.name));
	mutex_lock(&d->lock);
	for (i = 0; i < MICROV_MAX_VCPUS; i++)
		info.nr_vcpus += !!d->vcpus[i];
	for (i = 0; i < MICROV_MAX_MEMSLOTS; i++)
		info.nr_memslots += !!d->slots[i].npages;
	info.nr_pages = d->nr_pages;
	info.nr_pages_given_back = d->nr_given_back;
	mutex_unlock(&d->lock);
	spin_lock(&d->console.lock);
	info.console_dropped = d->console.dropped + d->xen.console_limited;
	spin_unlock(&d->console.lock);
	spin_lock(&d->hvlog.lock);
	info.console_dropped += d->hvlog.dropped;
	spin_unlock(&d->hvlog.lock);
	info.nr_io_unclaimed = atomic64_read(&d->nr_io_unclaimed);
	info.nr_mmio_unbacked = atomic64_read(&d->nr_mmio_unbacked);
	info.nr_hypercalls = READ_ONCE(d->xen.nr_hypercalls);
	info.nr_enosys = READ_ONCE(d->xen.nr_enosys);
	return copy_to_user(uinfo, &info, sizeof(info)) ? -EFAULT : 0;
}

/* MICROV_PAUSE_DOMAIN, MICROV_UNPAUSE_DOMAIN: returns once it holds. */
static long microv_domain_pause(struct microv_domain *d, bool pause)
{
	mutex_lock(&d->lock);
	WRITE_ONCE(d->paused, pause);
	if (pause)
		microv_domain_stop_vcpus(d);
	else
		microv_domain_wake_vcpus(d);
	mutex_unlock(&d->lock);
	return 0;
}

/*
 * MICROV_DESTROY_DOMAIN: the domain stops for good, as with Xen's "xl
 * destroy": its vCPUs leave the guest and MICROV_RUN fails with ESRCH, its
 * memory is released and its domid and name are free at once.  The
 * objects themselves go with the last fd.
 */
static long microv_domain_kill(struct microv_domain *d)
{
	mutex_lock(&d->lock);
	WRITE_ONCE(d->dying, true);
	microv_domain_stop_vcpus(d);
	microv_memslots_free(d);
	mutex_unlock(&d->lock);
	microv_domain_unlist(d);
	microv_evtchns_kill(d);
	/* Console writers waiting for the guest to read: it never will. */
	wake_up_interruptible(&d->console.wait);
	wake_up_interruptible(&d->hvlog.wait);
	return 0;
}

/* The toolstack's side of the HVM parameters: any known one. */
static long microv_domain_hvm_param(struct microv_domain *d, unsigned int cmd,
				    struct microv_hvm_param __user *uparam)
{
	struct microv_hvm_param p;
	int ret;

	if (copy_from_user(&p, uparam, sizeof(p)))
		return -EFAULT;
	if (p.flags)
		return -EINVAL;
	if (cmd == MICROV_SET_HVM_PARAM)
		return xen_toolstack_set_param(&d->xen, p.index, p.value);
	ret = xen_toolstack_get_param(&d->xen, p.index, &p.value);
	if (!ret && copy_to_user(uparam, &p, sizeof(p)))
		ret = -EFAULT;
	return ret;
}

/* MICROV_SET_MEMORY_MAP: the E820 map the guest reads with XENMEM_memory_map. */
static long microv_domain_memory_map(struct microv_domain *d,
				     struct microv_memory_map __user *umap)
{
	struct microv_e820_entry __user *uent;
	struct xen_e820_entry *map;
	struct microv_memory_map m;
	struct microv_e820_entry e;
	long ret;
	u32 i;

	if (copy_from_user(&m, umap, sizeof(m)))
		return -EFAULT;
	BUILD_BUG_ON(MICROV_E820_MAX > XENABI_E820_MAX);
	if (m.flags || m.nr_entries > MICROV_E820_MAX)
		return -EINVAL;
	map = kcalloc(max(m.nr_entries, 1U), sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	uent = u64_to_user_ptr(m.entries);
	for (i = 0; i < m.nr_entries; i++) {
		ret = -EFAULT;
		if (copy_from_user(&e, &uent[i], sizeof(e)))
			goto out;
		ret = -EINVAL;
		if (e.pad || !e.type)
			goto out;
		map[i].addr = e.addr;
		map[i].size = e.size;
		map[i].type = e.type;
	}
	mutex_lock(&d->lock);
	ret = xen_set_memory_map(&d->xen, map, m.nr_entries);
	mutex_unlock(&d->lock);
out:
	kfree(map);
	return ret;
}

static long microv_domain_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct microv_domain *d = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct microv_memory_region region;

	if (d->mm != current->mm)
		return -EIO;
	if (READ_ONCE(d->dying))
		return -ESRCH;

	switch (cmd) {
	case MICROV_SET_MEMORY_REGION:
		if (copy_from_user(&region, uarg, sizeof(region)))
			return -EFAULT;
		return microv_memslot_set(d, &region);
	case MICROV_CREATE_VCPU:
		return microv_vcpu_create(d, arg);
	case MICROV_GET_DOMAIN_INFO:
		return microv_get_domain_info(d, uarg);
	case MICROV_PAUSE_DOMAIN:
	case MICROV_UNPAUSE_DOMAIN:
		return arg ? -EINVAL :
		       microv_domain_pause(d, cmd == MICROV_PAUSE_DOMAIN);
	case MICROV_DESTROY_DOMAIN:
		return arg ? -EINVAL : microv_domain_kill(d);
	case MICROV_SET_HVM_PARAM:
	case MICROV_GET_HVM_PARAM:
		return microv_domain_hvm_param(d, cmd, uarg);
	case MICROV_GET_CONSOLE:
		return microv_console_open(d, arg);
	case MICROV_SET_MEMORY_MAP:
		return microv_domain_memory_map(d, uarg);
	case MICROV_CONNECT_RING:
		return microv_ring_connect(d, uarg);
	case MICROV_SET_IO_PORTS:
		return microv_io_ports_set(d, uarg);
	case MICROV_GET_DIAG:
		return microv_diag_get(d, uarg);
	case MICROV_EVTCHN_ALLOC_UNBOUND:
		return microv_evtchn_alloc_unbound(d, uarg);
	case MICROV_EVTCHN_BIND:
		return microv_evtchn_bind(d, uarg);
	case MICROV_GET_GNTDEV:
		return microv_gntdev_open(d, arg);
	case MICROV_GNTTAB_SEED:
		return microv_gnttab_seed(d, uarg);
	default:
		return -ENOTTY;
	}
}

static int microv_domain_release(struct inode *inode, struct file *file)
{
	microv_domain_put(file->private_data);
	return 0;
}

static const struct file_operations microv_domain_fops = {
	.owner		= THIS_MODULE,
	.release	= microv_domain_release,
	.unlocked_ioctl	= microv_domain_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/**
 * microv_open_console() - MICROV_OPEN_CONSOLE
 * @arg: struct microv_open_console from userspace
 *
 * Return: a console fd of the domain, or -EFAULT, -EINVAL (flags), -ESRCH
 * (no live domain has that domid), -EPERM (neither its creator's
 * effective uid nor CAP_SYS_ADMIN), -ENOMEM, -EMFILE.
 */
long microv_open_console(struct microv_open_console __user *arg)
{
	struct microv_open_console req;
	struct microv_domain *d;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~MICROV_CONSOLE_FLAGS)
		return -EINVAL;
	d = microv_domain_get(req.domid);
	if (!d)
		return -ESRCH;
	if (uid_eq(current_euid(), d->owner) || capable(CAP_SYS_ADMIN))
		ret = microv_console_open(d, req.flags);
	else
		ret = -EPERM;
	microv_domain_put(d);
	return ret;
}

/**
 * microv_create_domain() - MICROV_CREATE_DOMAIN
 * @arg: struct microv_create_domain from userspace
 *
 * Return: the new domain fd, or -EFAULT, -EINVAL (flags, name), -EEXIST
 * (name taken), -ENOSPC (no free domid), -ENOMEM, -EMFILE.
 */
long microv_create_domain(struct microv_create_domain __user *arg)
{
	struct microv_create_domain req;
	struct microv_domain *d;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if ((req.flags & ~MICROV_DOMAIN_STRICT_MMIO) ||
	    !microv_name_valid(req.name))
		return -EINVAL;

	/* Large (event channels, the console): not physically contiguous. */
	d = kvzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	/* Dropped by microv_domain_destroy(), whatever path gets there. */
	__module_get(THIS_MODULE);
	refcount_set(&d->refs, 1);
	refcount_set(&d->holds, 1);
	mutex_init(&d->lock);
	mutex_init(&d->ring_lock);
	xa_init_flags(&d->evtchns, XA_FLAGS_ALLOC);
	mutex_init(&d->grant_lock);
	xa_init(&d->grant_pins);
	microv_console_init(&d->console);
	microv_console_init(&d->hvlog);
	microv_io_ports_init(d);
	spin_lock_init(&d->diag.lock);
	d->strict_mmio = req.flags & MICROV_DOMAIN_STRICT_MMIO;
	strscpy(d->name, req.name, sizeof(d->name));
	d->mm = current->mm;
	mmgrab(d->mm);
	d->owner = current_euid();

	ret = microv_backend->domain_init(d);
	if (ret)
		goto fail;
	ret = microv_domain_register(d);
	if (ret)
		goto fail;
	ret = microv_xen_domain_init(d);
	if (ret)
		goto fail;

	req.domid = d->domid;
	if (copy_to_user(arg, &req, sizeof(req))) {
		ret = -EFAULT;
		goto fail;
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto fail;
	}
	file = anon_inode_getfile("microv-domain", &microv_domain_fops, d,
				  O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto fail;
	}
	microv_domain_publish(d);
	fd_install(fd, file);
	return fd;

fail:
	microv_domain_put(d);
	return ret;
}
