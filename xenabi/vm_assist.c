// SPDX-License-Identifier: GPL-2.0
/*
 * vm_assist (__HYPERVISOR_vm_assist): the assists an HVM guest may ask
 * for.  Of Xen's, only the runstate update flag applies to HVM guests; the
 * others are for PV guests and are refused as Xen refuses them.
 */
#include "xenabi.h"

/**
 * xen_vm_assist() - __HYPERVISOR_vm_assist
 * @v:    the calling vCPU
 * @args: VMASST_CMD_enable or _disable, and a VMASST_TYPE_*
 *
 * Return: 0; -EINVAL for a type an HVM guest cannot have; -ENOSYS for an
 * unknown command.
 */
long xen_vm_assist(struct xen_vcpu *v, const unsigned long *args)
{
	struct xen_domain *d = v->domain;

	if (args[0] != VMASST_CMD_enable && args[0] != VMASST_CMD_disable)
		return -ENOSYS;
	if (args[1] != VMASST_TYPE_runstate_update_flag)
		return -EINVAL;
	if (args[0] == VMASST_CMD_enable)
		d->vm_assist |= 1UL << args[1];
	else
		d->vm_assist &= ~(1UL << args[1]);
	return 0;
}
