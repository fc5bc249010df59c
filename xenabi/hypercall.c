// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: the hypercall page a guest asks for through an MSR, and the
 * dispatch of a hypercall, from the page or from a raw VMCALL, to the
 * handler of its subsystem through a table indexed by number.
 */
#include "xenabi.h"

#define XENABI_STUB_SIZE	32

typedef long (*xen_hypercall_fn)(struct xen_vcpu *v, const unsigned long *args);

static const xen_hypercall_fn xen_hypercalls[] = {
	[__HYPERVISOR_xen_version]	= xen_version_op,
	[__HYPERVISOR_sched_op]		= xen_sched_op,
	[__HYPERVISOR_hvm_op]		= xen_hvm_op,
	[__HYPERVISOR_memory_op]	= xen_memory_op,
	[__HYPERVISOR_vm_assist]	= xen_vm_assist,
	[__HYPERVISOR_console_io]	= xen_console_io,
	[__HYPERVISOR_event_channel_op]	= xen_event_channel_op,
	[__HYPERVISOR_vcpu_op]		= xen_vcpu_op,
	[__HYPERVISOR_set_timer_op]	= xen_set_timer_op,
	[__HYPERVISOR_grant_table_op]	= xen_grant_table_op,
};

/* A guest long at @gva (little-endian, 4 or 8 bytes by mode). */
int xen_get_long(struct xen_vcpu *v, u64 gva, u64 *val)
{
	*val = 0;
	return v->ops->copy_from_guest(v, val, gva, xen_long_size(v)) ?
	       -EFAULT : 0;
}

int xen_put_long(struct xen_vcpu *v, u64 gva, u64 val)
{
	return v->ops->copy_to_guest(v, gva, &val, xen_long_size(v)) ?
	       -EFAULT : 0;
}

/*
 * The stub of hypercall @nr, 32 bytes, as Xen lays them out: "mov $nr,
 * %eax; <hypercall instruction>; ret", then int3.  HYPERVISOR_iret has no
 * meaning for an HVM guest: its stub is ud2.
 */
static void xen_hypercall_stub(struct xen_domain *d, unsigned int nr,
			       u8 stub[XENABI_STUB_SIZE])
{
	memset(stub, 0xcc, XENABI_STUB_SIZE);
	if (nr == __HYPERVISOR_iret) {
		stub[0] = 0x0f;			/* ud2 */
		stub[1] = 0x0b;
		return;
	}
	stub[0] = 0xb8;				/* mov $nr, %eax */
	stub[1] = nr;
	stub[2] = nr >> 8;
	stub[3] = 0;
	stub[4] = 0;
	memcpy(stub + 5, d->hypercall_insn, 3);
	stub[8] = 0xc3;				/* ret */
}

/**
 * xen_wrmsr() - a guest's WRMSR to the hypercall-page MSR
 * @v:   the vCPU
 * @msr: the MSR
 * @val: guest-physical address of the page; bits 11:0 the page index
 *
 * Return: 0 if done, -ENOENT if @msr is not Xen's, -EINVAL if the guest
 * gets #GP (a page index other than 0, or no RAM there).
 */
int xen_wrmsr(struct xen_vcpu *v, u32 msr, u64 val)
{
	u8 stub[XENABI_STUB_SIZE];
	unsigned int nr;

	if (msr != XENABI_HYPERCALL_MSR)
		return -ENOENT;
	if (val & (XENABI_PAGE_SIZE - 1))
		return -EINVAL;
	for (nr = 0; nr < XENABI_PAGE_SIZE / XENABI_STUB_SIZE; nr++) {
		xen_hypercall_stub(v->domain, nr, stub);
		if (v->ops->write_gpa(v, val + nr * XENABI_STUB_SIZE, stub,
				      sizeof(stub)))
			return -EINVAL;
	}
	return 0;
}

/*
 * The arguments of a hypercall, from RDI, RSI, RDX, R10, R8 in 64-bit
 * mode, EBX, ECX, EDX, ESI, EDI otherwise.  Return: whether it is 64-bit.
 */
static bool xen_hypercall_args(struct xen_vcpu *v, unsigned long args[5])
{
	static const enum xen_reg regs64[] = {
		XEN_REG_RDI, XEN_REG_RSI, XEN_REG_RDX, XEN_REG_R10, XEN_REG_R8,
	};
	static const enum xen_reg regs32[] = {
		XEN_REG_RBX, XEN_REG_RCX, XEN_REG_RDX, XEN_REG_RSI, XEN_REG_RDI,
	};
	const struct xen_vcpu_ops *ops = v->ops;
	bool wide = ops->mode(v) == 64;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		args[i] = ops->get_reg(v, wide ? regs64[i] : regs32[i]);
		if (!wide)
			args[i] = (u32)args[i];
	}
	return wide;
}

static bool xen_hypercall_known(unsigned long nr)
{
	return nr < sizeof(xen_hypercalls) / sizeof(xen_hypercalls[0]) &&
	       xen_hypercalls[nr];
}

/* Runs hypercall @nr, its result into RAX (EAX); @user: from CPL > 0. */
static void xen_hypercall_run(struct xen_vcpu *v, unsigned long nr,
			      const unsigned long *args, bool wide, bool user)
{
	long ret;

	v->domain->nr_hypercalls++;
	v->exit = XEN_EXIT_NONE;
	if (user)
		ret = -EPERM;
	else if (xen_hypercall_known(nr))
		ret = xen_hypercalls[xenabi_index_nospec(nr,
			sizeof(xen_hypercalls) / sizeof(xen_hypercalls[0]))](v, args);
	else
		ret = -ENOSYS;
	if (ret == -ENOSYS) {
		v->domain->nr_enosys++;
		v->ops->unsupported(v, nr, args[0]);
	}
	v->ops->set_reg(v, XEN_REG_RAX, wide ? (unsigned long)ret : (u32)ret);
}

/**
 * xen_hypercall() - run the hypercall the guest asked for
 * @v: the vCPU, stopped at its hypercall instruction
 *
 * The number is in EAX; the arguments in RDI, RSI, RDX, R10, R8 in 64-bit
 * mode, EBX, ECX, EDX, ESI, EDI otherwise.  The result goes to RAX (EAX).
 * A hypercall from CPL > 0 gets -EPERM, as Xen answers an HVM guest.
 *
 * Return: what the host must do next (XEN_EXIT_*).
 */
enum xen_exit xen_hypercall(struct xen_vcpu *v)
{
	unsigned long args[5];
	bool wide = xen_hypercall_args(v, args);

	xen_hypercall_run(v, (u32)v->ops->get_reg(v, XEN_REG_RAX), args, wide,
			  v->ops->cpl(v) != 0);
	return v->exit;
}

/**
 * xen_hypercall_atomic() - a hypercall answered from registers alone
 * @v: the vCPU, stopped at its hypercall instruction; may be atomic
 *
 * What needs neither guest memory nor sleep is answered where the exit
 * is handled, as Xen answers every hypercall: what is refused outright
 * (CPL > 0, an unknown number) and xen_version's sub-ops that return a
 * value (xen_version_op_atomic()).  Everything else is left for
 * xen_hypercall(), which may sleep.
 *
 * Return: true if answered (RAX holds the result, v->exit is
 * XEN_EXIT_NONE), false if nothing was done.
 */
bool xen_hypercall_atomic(struct xen_vcpu *v)
{
	unsigned long nr = (u32)v->ops->get_reg(v, XEN_REG_RAX);
	bool user = v->ops->cpl(v) != 0;
	unsigned long args[5];
	bool wide;

	if (!user && xen_hypercall_known(nr) && nr != __HYPERVISOR_xen_version)
		return false;
	wide = xen_hypercall_args(v, args);
	if (!user && nr == __HYPERVISOR_xen_version &&
	    !xen_version_op_atomic(args))
		return false;
	xen_hypercall_run(v, nr, args, wide, user);
	return true;
}
