// SPDX-License-Identifier: GPL-2.0
/*
 * Wiring of the Xen personality (xenabi/) into microv: each domain and
 * vCPU carries its Xen state, and the accessors xenabi sees a vCPU
 * through are made of the backend's registers and module/'s guest memory.
 */
#include <linux/kernel.h>
#include <linux/sched.h>

#include "domain.h"
#include "microv.h"
#include "x86.h"

/* Guest registers in the x86 encoding the backend's get_gpr() takes. */
static const u8 microv_xen_gpr[] = {
	[XEN_REG_RAX] = 0, [XEN_REG_RCX] = 1, [XEN_REG_RDX] = 2,
	[XEN_REG_RBX] = 3, [XEN_REG_RSI] = 6, [XEN_REG_RDI] = 7,
	[XEN_REG_R8] = 8, [XEN_REG_R9] = 9, [XEN_REG_R10] = 10,
};

static struct microv_vcpu *to_vcpu(struct xen_vcpu *xv)
{
	return container_of(xv, struct microv_vcpu, xen);
}

static unsigned long microv_xen_get_reg(struct xen_vcpu *xv, enum xen_reg reg)
{
	return microv_backend->get_gpr(to_vcpu(xv), microv_xen_gpr[reg]);
}

static void microv_xen_set_reg(struct xen_vcpu *xv, enum xen_reg reg,
			       unsigned long val)
{
	microv_backend->set_gpr(to_vcpu(xv), microv_xen_gpr[reg], val);
}

static int microv_xen_mode(struct xen_vcpu *xv)
{
	return to_vcpu(xv)->paging.mode;
}

static int microv_xen_cpl(struct xen_vcpu *xv)
{
	return to_vcpu(xv)->paging.cpl;
}

static int microv_xen_copy_from(struct xen_vcpu *xv, void *dst, u64 gva,
				size_t len)
{
	return microv_gva_access(to_vcpu(xv), gva, dst, len, false);
}

static int microv_xen_copy_to(struct xen_vcpu *xv, u64 gva, const void *src,
			      size_t len)
{
	return microv_gva_access(to_vcpu(xv), gva, (void *)src, len, true);
}

static int microv_xen_write_gpa(struct xen_vcpu *xv, u64 gpa, const void *src,
				size_t len)
{
	return microv_gpa_access(to_vcpu(xv)->domain, gpa, (void *)src, len,
				 true);
}

static void microv_xen_console_write(struct xen_vcpu *xv, const char *buf,
				     size_t len)
{
	microv_console_write(&to_vcpu(xv)->domain->console, buf, len);
}

static const struct xen_vcpu_ops microv_xen_vcpu_ops = {
	.get_reg		= microv_xen_get_reg,
	.set_reg		= microv_xen_set_reg,
	.mode			= microv_xen_mode,
	.cpl			= microv_xen_cpl,
	.copy_from_guest	= microv_xen_copy_from,
	.copy_to_guest		= microv_xen_copy_to,
	.write_gpa		= microv_xen_write_gpa,
	.console_write		= microv_xen_console_write,
};

/**
 * microv_hv_hypercall() - a guest's hypercall, for the backend
 * @v: the vCPU, out of the guest, preemptible; v->paging as it exited
 *
 * Return: what the backend does next; for a shutdown the run area says
 * MICROV_EXIT_SHUTDOWN and the reason.
 */
enum microv_hv_action microv_hv_hypercall(struct microv_vcpu *v)
{
	switch (xen_hypercall(&v->xen)) {
	case XEN_EXIT_SHUTDOWN:
		v->run->exit_reason = MICROV_EXIT_SHUTDOWN;
		v->run->shutdown.reason = v->domain->xen.shutdown_reason;
		return MICROV_HV_USER;
	case XEN_EXIT_BLOCK:
		return MICROV_HV_HALT;
	case XEN_EXIT_YIELD:
		cond_resched();
		return MICROV_HV_DONE;
	case XEN_EXIT_NONE:
	default:
		return MICROV_HV_DONE;
	}
}

/* A WRMSR to 0x40000000-0x400000ff: the hypercall page, or #GP. */
enum microv_hv_action microv_hv_wrmsr(struct microv_vcpu *v, u32 msr, u64 val)
{
	return xen_wrmsr(&v->xen, msr, val) ? MICROV_HV_FAULT : MICROV_HV_DONE;
}

/* A new domain's Xen state, once it has its domid. */
void microv_xen_domain_init(struct microv_domain *d)
{
	d->xen.domid = d->domid;
	memcpy(d->xen.hypercall_insn, microv_backend->hypercall_insn,
	       sizeof(d->xen.hypercall_insn));
}

void microv_xen_vcpu_init(struct microv_vcpu *v)
{
	v->xen.ops = &microv_xen_vcpu_ops;
	v->xen.domain = &v->domain->xen;
	v->xen.vcpu_id = v->id;
}
