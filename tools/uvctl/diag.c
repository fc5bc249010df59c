// SPDX-License-Identifier: GPL-2.0
/*
 * What a guest asked for and did not get (MICROV_GET_DIAG), in words:
 * hypercalls by Xen's names, MSRs, pages of memory with no RAM.
 */
#include <stdint.h>
#include <stdio.h>

/* The current numbers, not the compatibility ones of 2006. */
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#include <xen/xen.h>

#include "uvctl.h"

/* Xen's hypercalls by number (public/xen.h), as xl dmesg would name them. */
static const char *const uv_hypercall_names[] = {
	[__HYPERVISOR_set_trap_table]		= "set_trap_table",
	[__HYPERVISOR_mmu_update]		= "mmu_update",
	[__HYPERVISOR_set_gdt]			= "set_gdt",
	[__HYPERVISOR_stack_switch]		= "stack_switch",
	[__HYPERVISOR_set_callbacks]		= "set_callbacks",
	[__HYPERVISOR_fpu_taskswitch]		= "fpu_taskswitch",
	[__HYPERVISOR_sched_op_compat]		= "sched_op_compat",
	[__HYPERVISOR_platform_op]		= "platform_op",
	[__HYPERVISOR_set_debugreg]		= "set_debugreg",
	[__HYPERVISOR_get_debugreg]		= "get_debugreg",
	[__HYPERVISOR_update_descriptor]	= "update_descriptor",
	[__HYPERVISOR_memory_op]		= "memory_op",
	[__HYPERVISOR_multicall]		= "multicall",
	[__HYPERVISOR_update_va_mapping]	= "update_va_mapping",
	[__HYPERVISOR_set_timer_op]		= "set_timer_op",
	[__HYPERVISOR_event_channel_op_compat]	= "event_channel_op_compat",
	[__HYPERVISOR_xen_version]		= "xen_version",
	[__HYPERVISOR_console_io]		= "console_io",
	[__HYPERVISOR_physdev_op_compat]	= "physdev_op_compat",
	[__HYPERVISOR_grant_table_op]		= "grant_table_op",
	[__HYPERVISOR_vm_assist]		= "vm_assist",
	[__HYPERVISOR_update_va_mapping_otherdomain] =
		"update_va_mapping_otherdomain",
	[__HYPERVISOR_iret]			= "iret",
	[__HYPERVISOR_vcpu_op]			= "vcpu_op",
	[__HYPERVISOR_set_segment_base]		= "set_segment_base",
	[__HYPERVISOR_mmuext_op]		= "mmuext_op",
	[__HYPERVISOR_xsm_op]			= "xsm_op",
	[__HYPERVISOR_nmi_op]			= "nmi_op",
	[__HYPERVISOR_sched_op]			= "sched_op",
	[__HYPERVISOR_callback_op]		= "callback_op",
	[__HYPERVISOR_xenoprof_op]		= "xenoprof_op",
	[__HYPERVISOR_event_channel_op]		= "event_channel_op",
	[__HYPERVISOR_physdev_op]		= "physdev_op",
	[__HYPERVISOR_hvm_op]			= "hvm_op",
	[__HYPERVISOR_sysctl]			= "sysctl",
	[__HYPERVISOR_domctl]			= "domctl",
	[__HYPERVISOR_kexec_op]			= "kexec_op",
	[__HYPERVISOR_xenpmu_op]		= "xenpmu_op",
	[__HYPERVISOR_dm_op]			= "dm_op",
	[__HYPERVISOR_hypfs_op]			= "hypfs_op",
};

static const char *uv_times(uint64_t n)
{
	return n == 1 ? "time" : "times";
}

/**
 * uv_diag_describe() - one MICROV_GET_DIAG entry as a line of text
 * @e:   the entry
 * @buf: where the text goes
 * @len: its size
 *
 * Return: @buf.
 */
char *uv_diag_describe(const struct microv_diag_entry *e, char *buf,
		       size_t len)
{
	unsigned long long n = e->count;
	const char *name = NULL;

	switch (e->kind) {
	case MICROV_DIAG_ENOSYS:
		if (e->code < sizeof(uv_hypercall_names) /
			      sizeof(uv_hypercall_names[0]))
			name = uv_hypercall_names[e->code];
		if (name)
			snprintf(buf, len, "hypercall %s (%u), first argument %#llx: -ENOSYS, %llu %s",
				 name, e->code, (unsigned long long)e->arg, n,
				 uv_times(n));
		else
			snprintf(buf, len, "hypercall %u (unknown to Xen): -ENOSYS, %llu %s",
				 e->code, n, uv_times(n));
		break;
	case MICROV_DIAG_RDMSR:
	case MICROV_DIAG_WRMSR:
		snprintf(buf, len, "%s of MSR %#x: #GP, %llu %s",
			 e->kind == MICROV_DIAG_RDMSR ? "rdmsr" : "wrmsr",
			 e->code, n, uv_times(n));
		break;
	case MICROV_DIAG_UNBACKED:
		snprintf(buf, len, "%s guest-physical page %#llx (no RAM): %s, %llu %s",
			 e->code ? "write to" : "read of",
			 (unsigned long long)e->arg,
			 e->code ? "dropped" : "all ones", n, uv_times(n));
		break;
	default:
		snprintf(buf, len, "kind %u, code %#x, argument %#llx: %llu %s",
			 e->kind, e->code, (unsigned long long)e->arg, n,
			 uv_times(n));
		break;
	}
	return buf;
}
