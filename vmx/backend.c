// SPDX-License-Identifier: GPL-2.0
/* The VMX backend as module/ sees it. */
#include <uapi/linux/microv.h>

#include "../module/backend.h"
#include "vmcs.h"
#include "vmx.h"

static int vmx_hardware_setup(struct microv_host_caps *caps)
{
	int ret;

	ret = vmx_caps_read();
	if (ret)
		return ret;
	ret = vmx_regions_alloc();
	if (ret)
		return ret;
	ret = vmx_run_setup();
	if (ret) {
		vmx_regions_free();
		return ret;
	}
	caps->backend = MICROV_BACKEND_VMX;
	caps->revision = vmx_caps.revision;
	caps->features = vmx_caps_features();
	return 0;
}

static void vmx_hardware_unsetup(void)
{
	vmx_run_unsetup();
	vmx_regions_free();
}

const struct microv_backend_ops vmx_backend_ops = {
	.name			= "vmx",
	.rival_module		= "kvm_intel",
	.hardware_setup		= vmx_hardware_setup,
	.hardware_unsetup	= vmx_hardware_unsetup,
	.hardware_enable	= vmx_cpu_enable,
	.hardware_disable	= vmx_cpu_disable,
	.hardware_enabled	= vmx_cpu_enabled,
	.hardware_in_use	= vmx_cpu_in_use,
	.emergency_disable	= vmx_cpu_emergency_disable,
	.domain_init		= vmx_ept_init,
	.domain_destroy		= vmx_ept_destroy,
	.map			= vmx_ept_map,
	.unmap			= vmx_ept_unmap,
	.table_pages		= vmx_ept_table_pages,
	.vcpu_init		= vmx_vcpu_init,
	.vcpu_destroy		= vmx_vcpu_destroy,
	.vcpu_run		= vmx_vcpu_run,
	.vcpu_store_sregs	= vmx_vcpu_store_sregs,
	.vcpu_kick		= vmx_vcpu_kick,
	.get_gpr		= vmx_get_gpr,
	.set_gpr		= vmx_set_gpr,
	.hypercall_insn		= { 0x0f, 0x01, 0xc1 },	/* VMCALL */
};
