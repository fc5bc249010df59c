// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the Xen personality, as a hostile guest drives
 * it: any mode, CPL and registers, any contents of guest memory, then a
 * hypercall, a write to a hypervisor MSR, or a hypervisor CPUID leaf.
 * Sanitizers turn any out-of-bounds access or undefined behaviour into a
 * crash; a handler must only ever return an error to the guest.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fake_vcpu.h"

static struct fake_vcpu f;

static size_t take(const uint8_t **data, size_t *size, void *out, size_t n)
{
	n = n < *size ? n : *size;
	memcpy(out, *data, n);
	*data += n;
	*size -= n;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int modes[] = { 16, 32, 64, 64 };
	uint8_t ctl = 0;
	u32 out[4];
	u64 msr_val;
	unsigned int i;

	take(&data, &size, &ctl, 1);
	fake_init(&f, modes[ctl & 3]);
	f.cpl = (ctl >> 2) & 1 ? 3 : 0;
	f.dom.domid = ctl >> 4;
	for (i = 0; i <= XEN_REG_R10; i++) {
		unsigned long reg = 0;

		take(&data, &size, &reg, sizeof(reg));
		f.regs[i] = reg;
	}
	/* Small numbers hit the table far more often than random ones. */
	if (ctl & 0x8)
		f.regs[XEN_REG_RAX] &= 63;
	take(&data, &size, f.mem, size);

	switch (ctl >> 6) {
	case 0:
	case 1:
		xen_hypercall(&f.xv);
		break;
	case 2:
		msr_val = ((u64)f.regs[XEN_REG_RDX] << 32) | (u32)f.regs[XEN_REG_RAX];
		xen_wrmsr(&f.xv, 0x40000000 + (f.regs[XEN_REG_RCX] & 0x1ff),
			  msr_val);
		break;
	default:
		xen_cpuid(&f.xv, 0x40000000 + (f.regs[XEN_REG_RAX] & 0x1ff), out);
		break;
	}
	return 0;
}
