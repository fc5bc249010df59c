/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU for the xenabi unit tests: registers in an array, guest memory in
 * a buffer where virtual and physical addresses are the same, mode and CPL
 * chosen by the test.
 */
#ifndef XENABI_FAKE_VCPU_H
#define XENABI_FAKE_VCPU_H

#include "../xenabi.h"

#define FAKE_MEM_SIZE	(64 * 1024)

struct fake_vcpu {
	struct xen_vcpu xv;
	struct xen_domain dom;
	unsigned long regs[XEN_REG_R10 + 1];
	int mode, cpl;
	unsigned char mem[FAKE_MEM_SIZE];
	char console[8192];
	size_t console_len;
};

static inline struct fake_vcpu *to_fake(struct xen_vcpu *v)
{
	return (struct fake_vcpu *)((char *)v - offsetof(struct fake_vcpu, xv));
}

static unsigned long fake_get_reg(struct xen_vcpu *v, enum xen_reg reg)
{
	return to_fake(v)->regs[reg];
}

static void fake_set_reg(struct xen_vcpu *v, enum xen_reg reg,
			 unsigned long val)
{
	to_fake(v)->regs[reg] = val;
}

static int fake_mode(struct xen_vcpu *v)
{
	return to_fake(v)->mode;
}

static int fake_cpl(struct xen_vcpu *v)
{
	return to_fake(v)->cpl;
}

static bool fake_range(u64 addr, size_t len)
{
	return addr < FAKE_MEM_SIZE && len <= FAKE_MEM_SIZE - addr;
}

static int fake_copy_from(struct xen_vcpu *v, void *dst, u64 gva, size_t len)
{
	if (!fake_range(gva, len))
		return -EFAULT;
	memcpy(dst, to_fake(v)->mem + gva, len);
	return 0;
}

static int fake_copy_to(struct xen_vcpu *v, u64 gva, const void *src,
			size_t len)
{
	if (!fake_range(gva, len))
		return -EFAULT;
	memcpy(to_fake(v)->mem + gva, src, len);
	return 0;
}

static void fake_console_write(struct xen_vcpu *v, const char *buf,
			       size_t len)
{
	struct fake_vcpu *f = to_fake(v);

	if (len > sizeof(f->console) - f->console_len)
		len = sizeof(f->console) - f->console_len;
	memcpy(f->console + f->console_len, buf, len);
	f->console_len += len;
}

static const struct xen_vcpu_ops fake_ops = {
	.get_reg = fake_get_reg,
	.set_reg = fake_set_reg,
	.mode = fake_mode,
	.cpl = fake_cpl,
	.copy_from_guest = fake_copy_from,
	.copy_to_guest = fake_copy_to,
	.write_gpa = fake_copy_to,
	.console_write = fake_console_write,
};

static inline void fake_init(struct fake_vcpu *f, int mode)
{
	memset(f, 0, sizeof(*f));
	f->xv.ops = &fake_ops;
	f->xv.domain = &f->dom;
	f->xv.vcpu_id = 3;
	f->dom.domid = 7;
	memcpy(f->dom.hypercall_insn, "\x0f\x01\xc1", 3);
	f->mode = mode;
}

#endif /* XENABI_FAKE_VCPU_H */
