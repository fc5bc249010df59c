/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between module/ (Linux glue) and a hardware
 * virtualization backend (vmx/ today, svm/ later), in the spirit of
 * kvm_x86_ops: module/ never touches VMX specifics itself.
 */
#ifndef MICROV_BACKEND_H
#define MICROV_BACKEND_H

#include <linux/types.h>

struct microv_domain;
struct microv_vcpu;
struct page;

/*
 * What the hypervisor personality (the Xen ABI) tells a backend after a
 * hypercall or a write to one of its MSRs (microv_hv_hypercall(),
 * microv_hv_wrmsr()).  A backend first offers a hypercall to
 * microv_hv_hypercall_atomic(), with interrupts off, and calls
 * microv_hv_hypercall() (which may sleep) only if that did not answer.
 */
enum microv_hv_action {
	MICROV_HV_DONE,		/* retire the instruction, enter the guest */
	MICROV_HV_FAULT,	/* inject #GP instead */
	MICROV_HV_USER,		/* retire it, return to userspace: run area set */
	MICROV_HV_HALT,		/* retire it, sleep until an event */
};

/*
 * Set by the reboot notifier before it turns virtualization off on every
 * CPU: vCPUs stop, and a VMX instruction that faults is expected.
 */
extern bool microv_rebooting;

enum microv_hv_action microv_hv_hypercall(struct microv_vcpu *v);
bool microv_hv_hypercall_atomic(struct microv_vcpu *v);
enum microv_hv_action microv_hv_wrmsr(struct microv_vcpu *v, u32 msr, u64 val);
u8 microv_hv_upcall_vector(struct microv_vcpu *v);
int microv_memory_fault(struct microv_domain *d, u64 gpa);
bool microv_io_claimed(struct microv_domain *d, u16 port, unsigned int size);
void microv_msr_fault(struct microv_vcpu *v, u32 msr, bool write);
struct x86_emul;
int microv_mmio_emulate(struct microv_vcpu *v, struct x86_emul *e, u64 gpa,
			bool write);
int microv_string_io(struct microv_vcpu *v, struct x86_emul *e, u16 port,
		     unsigned int size, bool in);
int microv_string_in_done(struct microv_vcpu *v, struct x86_emul *e);

/**
 * struct microv_host_caps - what a backend found on the host
 * @backend:  MICROV_BACKEND_* from the uapi header
 * @revision: backend revision (VMCS revision identifier for VMX)
 * @features: MICROV_FEATURE_* bits from the uapi header
 */
struct microv_host_caps {
	u32 backend;
	u32 revision;
	u64 features;
};

/**
 * struct microv_backend_ops - hooks of a hardware virtualization backend
 * @name:             short name shown in sysfs ("vmx")
 * @rival_module:     the other hypervisor module that wants the same
 *                    hardware ("kvm_intel"); never loaded beside microv
 * @hardware_setup:   check the boot CPU can run guests and fill @caps;
 *                    logs one line saying why and returns -errno if not
 * @hardware_unsetup: undo @hardware_setup
 * @hardware_enable:  turn virtualization on on this CPU (preemption off)
 * @hardware_disable: turn it off on this CPU; safe if it is not on
 * @hardware_enabled: true if this CPU is in the state @hardware_enable
 *                    leaves it in, read back from the hardware
 * @hardware_in_use:  true if something else holds virtualization on this
 *                    CPU (another hypervisor)
 * @emergency_disable: turn it off on this CPU from NMI/crash context
 * @domain_init:      set up the backend's state of a new domain (d->arch)
 * @domain_destroy:   free it; no vCPU is left
 * @map:              map @npages pinned pages at guest-physical @gpa
 * @unmap:            unmap a range, flush every CPU's cached translations,
 *                    free the tables it left empty
 * @table_pages:      pages of guest-physical page tables (EPT) of all
 *                    domains
 * @vcpu_init:        set up the backend's state of a new vCPU (v->arch)
 * @vcpu_destroy:     free it
 * @vcpu_run:         MICROV_RUN: 0 with the run area filled, or -errno;
 *                    brackets each VM entry with microv_vcpu_may_enter()
 *                    and microv_vcpu_left_guest()
 * @vcpu_store_sregs: the special registers of a vCPU that ran into
 *                    v->sregs (they stay in the hardware's state area
 *                    after a run: v->sregs_stale); its run_lock held
 * @vcpu_kick:        make a vCPU that is in the guest leave it soon; any
 *                    context, hard interrupts included
 * @get_gpr:          a general register of a vCPU out of the guest, by its
 *                    x86 number (0 RAX .. 15 R15)
 * @set_gpr:          set one
 * @hypercall_insn:   the bytes of the instruction a guest makes hypercalls
 *                    with (VMCALL for VMX), for the hypercall page
 */
struct microv_backend_ops {
	const char *name;
	const char *rival_module;
	int (*hardware_setup)(struct microv_host_caps *caps);
	void (*hardware_unsetup)(void);
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);
	bool (*hardware_enabled)(void);
	bool (*hardware_in_use)(void);
	void (*emergency_disable)(void);
	int (*domain_init)(struct microv_domain *d);
	void (*domain_destroy)(struct microv_domain *d);
	int (*map)(struct microv_domain *d, u64 gpa, struct page **pages,
		   u64 npages, bool writable);
	void (*unmap)(struct microv_domain *d, u64 gpa, u64 npages);
	u64 (*table_pages)(void);
	int (*vcpu_init)(struct microv_vcpu *v);
	void (*vcpu_destroy)(struct microv_vcpu *v);
	int (*vcpu_run)(struct microv_vcpu *v);
	void (*vcpu_store_sregs)(struct microv_vcpu *v);
	void (*vcpu_kick)(struct microv_vcpu *v);
	unsigned long (*get_gpr)(struct microv_vcpu *v, unsigned int reg);
	void (*set_gpr)(struct microv_vcpu *v, unsigned int reg,
			unsigned long val);
	u8 hypercall_insn[3];
};

extern const struct microv_backend_ops vmx_backend_ops;

#endif /* MICROV_BACKEND_H */
