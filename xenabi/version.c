// SPDX-License-Identifier: GPL-2.0
/*
 * xen_version (__HYPERVISOR_xen_version): what hypervisor the guest runs
 * on, and which features it may count on.  Every sub-op of Xen's
 * public/version.h, with the sizes the guest expects.
 */
#include "xenabi.h"

static const char xen_extraversion[] = "-microv";
static const char xen_capabilities[] =
	"hvm-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p";
static const char xen_changeset[] = "microv";

/* Copies @str into a zeroed buffer of @size bytes at @gva, as Xen does. */
static long xen_put_string(struct xen_vcpu *v, unsigned long gva,
			   const char *str, size_t size)
{
	char buf[64];
	size_t done, len = strlen(str) + 1;

	/* Small chunks: a capabilities buffer is 1 KiB, too big for a stack. */
	for (done = 0; done < size; done += sizeof(buf)) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);

		memset(buf, 0, sizeof(buf));
		if (done < len)
			memcpy(buf, str + done, len - done < n ? len - done : n);
		if (v->ops->copy_to_guest(v, gva + done, buf, n))
			return -EFAULT;
	}
	return 0;
}

static long xen_compile_info(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_compile_info info;

	memset(&info, 0, sizeof(info));
	memcpy(info.compiler, "microv", sizeof("microv"));
	memcpy(info.compile_by, "microv", sizeof("microv"));
	return v->ops->copy_to_guest(v, gva, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * The features an HVM guest of microv can rely on: its physical addresses
 * are its own (EPT), event upcalls come as a vector (HVM_PARAM_CALLBACK_IRQ
 * of the vector type), and the pvclock is right for an HVM guest.
 */
static long xen_get_features(struct xen_vcpu *v, unsigned long gva)
{
	struct xen_feature_info fi;

	if (v->ops->copy_from_guest(v, &fi, gva, sizeof(fi)))
		return -EFAULT;
	fi.submap = 0;
	if (fi.submap_idx == 0)
		fi.submap = 1u << XENFEAT_auto_translated_physmap |
			    1u << XENFEAT_hvm_callback_vector |
			    1u << XENFEAT_hvm_safe_pvclock;
	return v->ops->copy_to_guest(v, gva, &fi, sizeof(fi)) ? -EFAULT : 0;
}

/*
 * The start of the hypervisor's hole in a PV guest's address space; a
 * 64-bit caller gets Xen's constant, a 32-bit one 0 (an HVM guest has no
 * compat hole).
 */
static long xen_platform_parameters(struct xen_vcpu *v, unsigned long gva)
{
	if (v->ops->mode(v) == 64) {
		u64 start = __HYPERVISOR_VIRT_START;

		return v->ops->copy_to_guest(v, gva, &start, sizeof(start)) ?
		       -EFAULT : 0;
	} else {
		u32 start = 0;

		return v->ops->copy_to_guest(v, gva, &start, sizeof(start)) ?
		       -EFAULT : 0;
	}
}

/*
 * xen_version_op_atomic() - whether sub-op @args[0] returns a value and
 * touches no guest memory: xen_hypercall_atomic() may answer it.
 */
bool xen_version_op_atomic(const unsigned long *args)
{
	switch (args[0]) {
	case XENVER_version:
	case XENVER_pagesize:
	case XENVER_build_id:
		return true;
	default:
		return args[0] > XENVER_build_id;	/* -ENOSYS */
	}
}

/**
 * xen_version_op() - __HYPERVISOR_xen_version
 * @v:    the calling vCPU
 * @args: the sub-op (XENVER_*) and a guest-virtual pointer
 *
 * Return: XENVER_version: major << 16 | minor; XENVER_pagesize: the page
 * size; others 0 or -EFAULT; XENVER_build_id -ENODATA (microv has none);
 * an unknown sub-op -ENOSYS.
 */
long xen_version_op(struct xen_vcpu *v, const unsigned long *args)
{
	unsigned long gva = args[1];

	switch (args[0]) {
	case XENVER_version:
		return XENABI_VERSION_MAJOR << 16 | XENABI_VERSION_MINOR;
	case XENVER_extraversion:
		return xen_put_string(v, gva, xen_extraversion,
				      XEN_EXTRAVERSION_LEN);
	case XENVER_compile_info:
		return xen_compile_info(v, gva);
	case XENVER_capabilities:
		return xen_put_string(v, gva, xen_capabilities,
				      XEN_CAPABILITIES_INFO_LEN);
	case XENVER_changeset:
		return xen_put_string(v, gva, xen_changeset,
				      XEN_CHANGESET_INFO_LEN);
	case XENVER_platform_parameters:
		return xen_platform_parameters(v, gva);
	case XENVER_get_features:
		return xen_get_features(v, gva);
	case XENVER_pagesize:
		return XENABI_PAGE_SIZE;
	case XENVER_guest_handle:
		return v->ops->copy_to_guest(v, gva, v->domain->handle,
					     XENABI_HANDLE_LEN) ? -EFAULT : 0;
	case XENVER_commandline:
		return xen_put_string(v, gva, "", XENABI_COMMANDLINE_LEN);
	case XENVER_build_id:
		return -ENODATA;
	default:
		return -ENOSYS;
	}
}
