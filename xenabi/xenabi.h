/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Xen personality of a microv domain, as the rest of microv sees it.
 *
 * xenabi/ knows nothing of VMX nor of Linux: it sees a vCPU only through
 * struct xen_vcpu_ops (registers, privilege level, guest memory by virtual
 * or physical address), which module/ implements in the kernel and the
 * unit tests implement over a buffer in userspace.
 */
#ifndef XENABI_XENABI_H
#define XENABI_XENABI_H

#include "xen_public.h"

/* The version microv reports: the Xen ABI of Xen 4.17, Debian 12's. */
#define XENABI_VERSION_MAJOR	4
#define XENABI_VERSION_MINOR	17

/*
 * HVM parameters microv knows: those of Linux's copy of Xen's params.h
 * (0..HVM_PARAM_CONSOLE_EVTCHN).  Xen's own header has more; they are
 * -EINVAL here, the same whichever header a build uses.
 */
#define XENABI_NR_PARAMS	(HVM_PARAM_CONSOLE_EVTCHN + 1)

/* Xen's x86 page: the hypercall page, XENVER_pagesize. */
#define XENABI_PAGE_SIZE	4096

/* CPUID leaves 0x40000000..+4 and the MSR of leaf +2 (as Xen's own). */
#define XENABI_CPUID_LEAVES	5
#define XENABI_HYPERCALL_MSR	0x40000000u

/* Guest general registers that hypercalls use. */
enum xen_reg {
	XEN_REG_RAX, XEN_REG_RBX, XEN_REG_RCX, XEN_REG_RDX,
	XEN_REG_RSI, XEN_REG_RDI, XEN_REG_R8, XEN_REG_R9, XEN_REG_R10,
};

struct xen_vcpu;

/* What a hypercall leaves the host to do once it has returned. */
enum xen_exit {
	XEN_EXIT_NONE,		/* back into the guest */
	XEN_EXIT_SHUTDOWN,	/* the domain shut down: see shutdown_reason */
	XEN_EXIT_BLOCK,		/* the vCPU waits for an event */
	XEN_EXIT_YIELD,		/* give the CPU away once, then go on */
};

/**
 * struct xen_vcpu_ops - what xenabi asks of the host about one vCPU
 * @get_reg:   a general register
 * @set_reg:   set one
 * @mode:      the guest's execution mode: 16, 32 or 64 (bits)
 * @cpl:       its current privilege level
 * @copy_from_guest: read @len bytes at guest-virtual @gva; 0 or -EFAULT
 * @copy_to_guest:   write them; 0 or -EFAULT
 * @write_gpa: write @len bytes at guest-physical @gpa; 0 or -EFAULT
 * @console_write: append @len bytes to the domain's console stream
 */
struct xen_vcpu_ops {
	unsigned long (*get_reg)(struct xen_vcpu *v, enum xen_reg reg);
	void (*set_reg)(struct xen_vcpu *v, enum xen_reg reg, unsigned long val);
	int (*mode)(struct xen_vcpu *v);
	int (*cpl)(struct xen_vcpu *v);
	int (*copy_from_guest)(struct xen_vcpu *v, void *dst, u64 gva,
			       size_t len);
	int (*copy_to_guest)(struct xen_vcpu *v, u64 gva, const void *src,
			     size_t len);
	int (*write_gpa)(struct xen_vcpu *v, u64 gpa, const void *src,
			 size_t len);
	void (*console_write)(struct xen_vcpu *v, const char *buf, size_t len);
};

/**
 * struct xen_domain - a domain's Xen state
 * @domid:          its domid
 * @handle:         its xen_domain_handle_t (XENVER_guest_handle)
 * @hypercall_insn: the 3 bytes of the backend's hypercall instruction
 *                  (VMCALL 0f 01 c1, VMMCALL 0f 01 d9)
 * @nr_hypercalls:  hypercalls made
 * @nr_enosys:      of which were answered -ENOSYS (unknown or unsupported)
 * @shutdown_reason: SHUTDOWN_* of the last SCHEDOP_shutdown
 * @shutdown_code:  SHUTDOWN_* from SCHEDOP_shutdown_code, if @has_code:
 *                  it overrides the reason of a later shutdown
 * @params:         HVM parameters (HVM_PARAM_*)
 * @nr_pages:       guest RAM, in pages (kept current by the host)
 * @max_gfn:        the highest guest frame with RAM, +1 (likewise)
 * @vm_assist:      VMASST_TYPE_* bits the guest enabled
 *
 * The two counters are statistics: vCPUs of one domain bump them without
 * a lock, and a count may be lost when two race.
 */
struct xen_domain {
	u32 domid;
	u8 handle[16];
	u8 hypercall_insn[3];
	u64 nr_hypercalls;
	u64 nr_enosys;
	u32 shutdown_reason;
	u32 shutdown_code;
	bool has_code;
	u64 params[XENABI_NR_PARAMS];
	u64 nr_pages;
	u64 max_gfn;
	unsigned long vm_assist;
};

/**
 * struct xen_vcpu - a vCPU's Xen state
 * @ops:    the host's accessors
 * @domain: its domain
 * @vcpu_id: its id
 * @exit:   set by a handler: what the host must do after the hypercall
 */
struct xen_vcpu {
	const struct xen_vcpu_ops *ops;
	struct xen_domain *domain;
	u32 vcpu_id;
	enum xen_exit exit;
};

bool xen_cpuid(struct xen_vcpu *v, u32 leaf, u32 out[4]);
int xen_wrmsr(struct xen_vcpu *v, u32 msr, u64 val);
enum xen_exit xen_hypercall(struct xen_vcpu *v);

/* Hypercall handlers, one file per subsystem; args as Xen passes them. */
long xen_version_op(struct xen_vcpu *v, const unsigned long *args);
long xen_sched_op(struct xen_vcpu *v, const unsigned long *args);
long xen_hvm_op(struct xen_vcpu *v, const unsigned long *args);
long xen_memory_op(struct xen_vcpu *v, const unsigned long *args);
long xen_vm_assist(struct xen_vcpu *v, const unsigned long *args);
long xen_console_io(struct xen_vcpu *v, const unsigned long *args);

int xen_toolstack_set_param(struct xen_domain *d, u32 index, u64 value);
int xen_toolstack_get_param(struct xen_domain *d, u32 index, u64 *value);

#endif /* XENABI_XENABI_H */
