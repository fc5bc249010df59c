/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * microv: the userspace interface of /dev/microv.
 *
 * This header is the only contract between the microv kernel module and
 * userspace.  It compiles on its own in userspace, every field has an
 * explicit width, and every structure carries a flags word whose unknown
 * bits are rejected with EINVAL so that it can grow compatibly.
 *
 * Documentation/api.rst describes every ioctl and errno.
 */
#ifndef _UAPI_LINUX_MICROV_H
#define _UAPI_LINUX_MICROV_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Bumped only for incompatible changes.  Additions are announced through
 * MICROV_CHECK_EXTENSION instead.
 */
#define MICROV_API_VERSION	1

/* ioctl type byte; not taken by any in-tree driver's uapi. */
#define MICROVIO		0xE4

/* Hardware virtualization backend reported in microv_host_info.backend. */
#define MICROV_BACKEND_VMX	1	/* Intel VT-x */

/* Host features reported in microv_host_info.features. */
#define MICROV_FEATURE_EPT			(1ULL << 0)
#define MICROV_FEATURE_VPID			(1ULL << 1)
#define MICROV_FEATURE_UNRESTRICTED_GUEST	(1ULL << 2)
#define MICROV_FEATURE_PREEMPTION_TIMER		(1ULL << 3)
#define MICROV_FEATURE_POSTED_INTR		(1ULL << 4)
#define MICROV_FEATURE_EPT_AD			(1ULL << 5)
#define MICROV_FEATURE_EPT_1GB			(1ULL << 6)

/**
 * struct microv_host_info - what the module found on the host
 * @flags:    in: must be 0 (no options are defined yet)
 * @backend:  out: MICROV_BACKEND_*
 * @revision: out: backend revision (the VMCS revision identifier for VMX)
 * @nr_cpus:  out: number of CPUs on which virtualization is on now
 * @features: out: MICROV_FEATURE_* bits
 */
struct microv_host_info {
	__u32 flags;
	__u32 backend;
	__u32 revision;
	__u32 nr_cpus;
	__u64 features;
};

/*
 * Extensions queried with MICROV_CHECK_EXTENSION.  The ioctl returns 0 for
 * an extension this module does not have, and a positive value otherwise.
 */
#define MICROV_CAP_HOST_INFO	1	/* MICROV_GET_HOST_INFO exists */
#define MICROV_CAP_DOMAINS	2	/* domains, memory, vCPUs; the value is
					 * the highest vCPU id plus one */
#define MICROV_CAP_NR_MEMSLOTS	3	/* number of memory slots per domain */
#define MICROV_CAP_OPEN_CONSOLE	4	/* MICROV_OPEN_CONSOLE exists */
#define MICROV_CAP_EVTCHN_BIND	5	/* MICROV_EVTCHN_ALLOC_UNBOUND and
					 * MICROV_EVTCHN_BIND exist */
#define MICROV_CAP_GNTDEV	6	/* MICROV_GET_GNTDEV exists; the value
					 * is MICROV_GRANT_MAP_MAX */

/* Limits of a domain. */
#define MICROV_NAME_MAX		64	/* bytes in a name, NUL included */
#define MICROV_MAX_VCPUS	32	/* vCPU ids are 0..MICROV_MAX_VCPUS-1 */
#define MICROV_MAX_MEMSLOTS	32
#define MICROV_MAX_GPA		(1ULL << 39)	/* guest RAM lies below this */

/*
 * struct microv_create_domain.flags: an access to a guest-physical address
 * with no RAM stops the guest (MICROV_EXIT_MMIO) instead of reading all
 * ones or being dropped, as Xen answers it.  For debugging.
 */
#define MICROV_DOMAIN_STRICT_MMIO	(1U << 0)

/**
 * struct microv_create_domain - MICROV_CREATE_DOMAIN
 * @flags: in: MICROV_DOMAIN_STRICT_MMIO or 0
 * @domid: out: the Xen domain id, 1..0x7FEF, unique among live domains
 * @name:  in: NUL-terminated; empty for none, otherwise unique among live
 *         domains and made of [A-Za-z0-9_.-]
 */
struct microv_create_domain {
	__u32 flags;
	__u32 domid;
	char name[MICROV_NAME_MAX];
};

/* struct microv_memory_region.flags */
#define MICROV_MEM_READONLY	(1U << 0)	/* guest writes exit to userspace */

/**
 * struct microv_memory_region - MICROV_SET_MEMORY_REGION
 * @slot:            0..MICROV_MAX_MEMSLOTS-1
 * @flags:           MICROV_MEM_*
 * @guest_phys_addr: page-aligned guest-physical start
 * @memory_size:     page-aligned size; 0 deletes the slot
 * @userspace_addr:  page-aligned start of the caller's memory behind it,
 *                   pinned until the slot is deleted or the domain dies
 */
struct microv_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
};

/**
 * struct microv_regs - general registers of a vCPU
 */
struct microv_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

/**
 * struct microv_segment - a segment register as the CPU caches it
 * @base, @limit, @selector: the hidden base, the byte-granular limit and
 *                   the visible selector
 * @type, @s, @dpl, @present, @avl, @l, @db, @g: the descriptor's fields
 * @unusable:        the register holds a null selector (not for CS, TR)
 */
struct microv_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8 type, s, dpl, present, avl, l, db, g, unusable;
	__u8 pad;
};

struct microv_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];
};

/**
 * struct microv_sregs - special registers of a vCPU
 * @flags: must be 0
 */
struct microv_sregs {
	struct microv_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct microv_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, efer;
	__u32 flags;
	__u32 pad;
};

/* struct microv_run.exit_reason: why MICROV_RUN returned 0 */
#define MICROV_EXIT_NONE		0
#define MICROV_EXIT_IO			1	/* io: port access */
#define MICROV_EXIT_MMIO		2	/* mmio: no RAM at that address */
#define MICROV_EXIT_HLT			3	/* HLT with interrupts off */
#define MICROV_EXIT_TRIPLE_FAULT	4
#define MICROV_EXIT_FAIL_ENTRY		5	/* fail_entry */
#define MICROV_EXIT_INTERNAL_ERROR	7	/* internal */
#define MICROV_EXIT_SHUTDOWN		8	/* shutdown: the guest shut down */

#define MICROV_IO_IN	0
#define MICROV_IO_OUT	1

/**
 * struct microv_run - the run area, mmap()ed from a vCPU fd at offset 0
 *
 * @exit_reason: MICROV_EXIT_*
 * @io:   @direction MICROV_IO_IN/OUT, @size 1, 2 or 4 bytes, @port; for
 *        OUT @data holds the value written; for IN, put the value in
 *        @data before the next MICROV_RUN, which completes the IN.
 * @mmio: @gpa accessed, @is_write: a write to read-only memory, or an
 *        access to no RAM that the module did not answer (a strict
 *        domain, an instruction it does not emulate, a page walk); the
 *        next MICROV_RUN retries it (map memory there first).
 * @fail_entry: the VM-entry failure (VMX: exit reason with bit 31 set
 *        and the exit qualification).
 * @internal: @suberror MICROV_INTERNAL_*, @hw_reason the backend's raw
 *        exit reason, @qualification its exit qualification.
 * @shutdown: @reason, Xen's SHUTDOWN_* code (poweroff 0, reboot 1,
 *        suspend 2, crash 3, watchdog 4, soft_reset 5).
 */
struct microv_run {
	__u32 exit_reason;
	__u32 pad0;
	union {
		struct {
			__u8 direction;
			__u8 size;
			__u16 port;
			__u32 data;
		} io;
		struct {
			__u64 gpa;
			__u8 is_write;
			__u8 pad[7];
		} mmio;
		struct {
			__u64 hw_reason;
			__u64 qualification;
		} fail_entry;
		struct {
			__u32 suberror;
			__u32 pad;
			__u64 hw_reason;
			__u64 qualification;
		} internal;
		struct {
			__u32 reason;
			__u32 pad;
		} shutdown;
		__u8 pad[256];
	};
};

/* struct microv_run.internal.suberror */
#define MICROV_INTERNAL_UNHANDLED_EXIT	1	/* an exit the module cannot handle */
#define MICROV_INTERNAL_BAD_STATE	2	/* guest state the module cannot run */

/**
 * struct microv_domain_info - MICROV_GET_DOMAIN_INFO
 */
/**
 * struct microv_hvm_param - MICROV_SET_HVM_PARAM, MICROV_GET_HVM_PARAM
 * @index: Xen's HVM_PARAM_* (0..HVM_PARAM_CONSOLE_EVTCHN)
 * @flags: must be 0
 * @value: in for SET, out for GET
 */
struct microv_hvm_param {
	__u32 index;
	__u32 flags;
	__u64 value;
};

/* struct microv_domain_info.state */
#define MICROV_DOMAIN_PAUSED	(1U << 0)

struct microv_domain_info {
	__u32 flags;		/* in: must be 0 */
	__u32 state;		/* MICROV_DOMAIN_* */
	__u32 pad;
	__u32 domid;
	__u32 nr_vcpus;
	__u32 nr_memslots;
	__u64 nr_pages;		/* pages of guest RAM in its slots */
	char name[MICROV_NAME_MAX];
	__u64 nr_hypercalls;	/* hypercalls the guest made */
	__u64 nr_enosys;	/* of which unknown or unsupported */
	__u64 console_dropped;	/* console bytes lost: nobody read in time,
				 * or over the console_io rate limit */
	__u64 nr_io_unclaimed;	/* port accesses the module answered */
	__u64 nr_mmio_unbacked;	/* accesses to guest-physical addresses with
				 * no RAM that the module answered */
	__u64 nr_pages_given_back; /* of nr_pages, those the guest gave back
				 * (ballooning): unpinned, the host's again */
};

/* struct microv_diag_entry.kind: what the guest asked for and did not get */
#define MICROV_DIAG_ENOSYS	1	/* a hypercall answered -ENOSYS */
#define MICROV_DIAG_RDMSR	2	/* an RDMSR that got #GP */
#define MICROV_DIAG_WRMSR	3	/* a WRMSR that got #GP */
#define MICROV_DIAG_UNBACKED	4	/* an access to memory with no RAM */

#define MICROV_DIAG_MAX		64	/* distinct entries a domain keeps */

/**
 * struct microv_diag_entry - one thing a guest asked for, with its count
 * @kind:  MICROV_DIAG_*
 * @code:  ENOSYS: the hypercall number; RDMSR, WRMSR: the MSR;
 *         UNBACKED: 0 for reads, 1 for writes
 * @arg:   ENOSYS: its first argument (the sub-op of those that have one);
 *         UNBACKED: the guest-physical page; else 0
 * @count: how many times
 */
struct microv_diag_entry {
	__u32 kind;
	__u32 code;
	__u64 arg;
	__u64 count;
};

/**
 * struct microv_diag - MICROV_GET_DIAG: what the guest asked for that it
 * did not get, each distinct request once, in the order first seen
 * @flags:      in: must be 0
 * @nr_entries: in: room at @entries; out: how many the domain holds (up
 *              to MICROV_DIAG_MAX; at most the room is copied)
 * @entries:    address of an array of struct microv_diag_entry
 * @dropped:    out: requests not kept, MICROV_DIAG_MAX being reached
 */
struct microv_diag {
	__u32 flags;
	__u32 nr_entries;
	__u64 entries;
	__u64 dropped;
};

/**
 * struct microv_e820_entry - one range of a guest's memory map
 * @addr: start
 * @size: length, not 0
 * @type: E820 type (1 RAM, 2 reserved, 3 ACPI, 4 ACPI NVS, 5 unusable...)
 * @pad:  must be 0
 */
struct microv_e820_entry {
	__u64 addr;
	__u64 size;
	__u32 type;
	__u32 pad;
};

#define MICROV_E820_MAX		128	/* entries in one memory map */

/**
 * struct microv_memory_map - MICROV_SET_MEMORY_MAP: what the guest's
 * XENMEM_memory_map returns (set it before the guest runs)
 * @nr_entries: 0..MICROV_E820_MAX; 0 removes the map
 * @flags:      must be 0
 * @entries:    address of @nr_entries struct microv_e820_entry
 */
struct microv_memory_map {
	__u32 nr_entries;
	__u32 flags;
	__u64 entries;
};

/* struct microv_ring.kind */
#define MICROV_RING_CONSOLE	1	/* xencons_interface: HVM_PARAM_CONSOLE_* */
/*
 * No longer served: MICROV_CONNECT_RING refuses it with EINVAL.  The
 * xenstore ring (xenstore_domain_interface) is set up by the toolstack
 * (MICROV_GNTTAB_SEED, MICROV_EVTCHN_ALLOC_UNBOUND, MICROV_EVTCHN_BIND,
 * MICROV_GET_GNTDEV, MICROV_SET_HVM_PARAM for HVM_PARAM_STORE_*) and
 * served by the host's xenstore daemon, microv-xenstored.  The number is
 * kept so that it is never reused.
 */
#define MICROV_RING_XENSTORE	2

/**
 * struct microv_ring - MICROV_CONNECT_RING: a page of guest RAM holding a
 * Xen ring that the module serves as its backend, and the event channel
 * the guest signals it with
 * @kind:  MICROV_RING_CONSOLE, the only ring the module serves
 * @flags: must be 0
 * @gfn:   the ring's guest frame (RAM the guest's E820 map reserves)
 * @port:  out: the guest's event channel, bound to the module
 * @pad:   must be 0
 *
 * The module clears the page and sets the matching HVM parameters
 * (HVM_PARAM_CONSOLE_PFN and _EVTCHN) itself.  Any other @kind, including
 * MICROV_RING_XENSTORE, is EINVAL and sets nothing.
 */
struct microv_ring {
	__u32 kind;
	__u32 flags;
	__u64 gfn;
	__u32 port;
	__u32 pad;
};

/* struct microv_io_ports.flags */
#define MICROV_IO_CLAIM		(1U << 0)	/* exits to userspace (else: answered
						 * in the module) */

/**
 * struct microv_io_ports - MICROV_SET_IO_PORTS: which I/O ports the
 * process serves
 * @first: the first port
 * @count: how many, up to 65536 - @first (0: none)
 * @flags: MICROV_IO_CLAIM to serve them (MICROV_EXIT_IO), 0 to let the
 *         module answer them as Xen does for a port with no device: reads
 *         all ones, writes dropped, counted in nr_io_unclaimed
 * @pad:   must be 0
 *
 * A new domain's process serves every port.
 */
struct microv_io_ports {
	__u32 first;
	__u32 count;
	__u32 flags;
	__u32 pad;
};

/**
 * struct microv_evtchn_alloc - MICROV_EVTCHN_ALLOC_UNBOUND: a new port of
 * the guest, unbound, waiting for the host to bind it (the toolstack's
 * EVTCHNOP_alloc_unbound, as for the xenstore and console ports)
 * @remote_dom: the domain that may bind it: 0, the host
 * @port:       out: the guest's port
 */
struct microv_evtchn_alloc {
	__u32 remote_dom;
	__u32 port;
};

/**
 * struct microv_evtchn_bind - MICROV_EVTCHN_BIND: the host's end of an
 * event channel to a port of the guest, as a new fd (the ioctl's return
 * value; O_RDWR, O_CLOEXEC)
 * @port:       the guest's port, unbound for domain 0: from the guest's
 *              EVTCHNOP_alloc_unbound (a frontend's) or from
 *              MICROV_EVTCHN_ALLOC_UNBOUND
 * @flags:      MICROV_EVTCHN_NONBLOCK or 0
 * @local_port: out: the host's port number, which the guest's
 *              EVTCHNOP_status reports as the remote one
 * @pad:        must be 0
 *
 * read() of 8 bytes gives the number of events the guest sent since the
 * last read (a new fd starts with one, as Xen's new channels start
 * pending); it blocks while there are none, and returns 0 (end of file)
 * once the guest closed its port or the domain was destroyed.  write()
 * of 8 bytes (any value) sends one event to the guest, or fails with
 * EPIPE once its end is gone.  poll(): POLLIN with events to read,
 * POLLOUT while the guest's end is there, POLLHUP once it is not.
 * Closing the fd leaves the guest's port unbound for domain 0 again.
 * The fd is not tied to the process that made it: it may be passed to
 * a backend or the xenstore daemon.
 */
struct microv_evtchn_bind {
	__u32 port;
	__u32 flags;
	__u32 local_port;
	__u32 pad;
};

#define MICROV_EVTCHN_NONBLOCK	(1U << 0)	/* the fd is O_NONBLOCK */

/*
 * MICROV_GET_GNTDEV (arg 0) gives an fd through which a host process maps
 * and copies what the guest granted domain 0, as /dev/xen/gntdev does in
 * dom0 (O_RDWR, O_CLOEXEC; it works in any process).
 */

/* Grant references one MICROV_GRANT_MAP or MICROV_GRANT_COPY takes. */
#define MICROV_GRANT_MAP_MAX	1024

/**
 * struct microv_grant_map - MICROV_GRANT_MAP: pages the guest granted,
 * to be mapped with mmap() at @offset, @count pages long
 * @count:  grant references at @refs, 1 to MICROV_GRANT_MAP_MAX
 * @flags:  MICROV_GRANT_READONLY, or 0 to map them writable
 * @refs:   address of @count __u32 grant references
 * @offset: out: the mmap() offset of the mapping
 */
struct microv_grant_map {
	__u32 count;
	__u32 flags;
	__u64 refs;
	__u64 offset;
};

#define MICROV_GRANT_READONLY	(1U << 0)

/**
 * struct microv_gnttab_seed - MICROV_GNTTAB_SEED: the toolstack grants
 * domain 0 a frame of the guest in an entry Xen reserves for it, as Xen's
 * toolstack does for the console and xenstore rings before the guest runs
 * @ref:   GNTTAB_RESERVED_CONSOLE (0) or GNTTAB_RESERVED_XENSTORE (1)
 * @flags: must be 0
 * @gfn:   the frame: guest RAM
 */
struct microv_gnttab_seed {
	__u32 ref;
	__u32 flags;
	__u64 gfn;
};

/**
 * struct microv_grant_unmap - MICROV_GRANT_UNMAP: a mapping made with
 * MICROV_GRANT_MAP goes once no mmap() of it is left
 * @offset: its offset
 * @count:  its length in pages
 * @pad:    must be 0
 */
struct microv_grant_unmap {
	__u64 offset;
	__u32 count;
	__u32 pad;
};

/**
 * struct microv_grant_copy_seg - one copy between a granted page and the
 * process's memory, as a segment of GNTTABOP_copy
 * @buf:    the process's side
 * @ref:    the grant
 * @offset: where in the granted page
 * @len:    how many bytes; @offset + @len at most 4096
 * @flags:  MICROV_GRANT_COPY_TO_GUEST (from @buf into the grant, which
 *          must be writable), or 0 (from the grant into @buf)
 * @status: out: 0, or a negative errno for this segment alone
 */
struct microv_grant_copy_seg {
	__u64 buf;
	__u32 ref;
	__u16 offset;
	__u16 len;
	__u32 flags;
	__s32 status;
};

#define MICROV_GRANT_COPY_TO_GUEST	(1U << 0)

/**
 * struct microv_grant_copy - MICROV_GRANT_COPY
 * @count: segments at @segs, up to MICROV_GRANT_MAP_MAX
 * @pad:   must be 0
 * @segs:  address of @count struct microv_grant_copy_seg
 */
struct microv_grant_copy {
	__u32 count;
	__u32 pad;
	__u64 segs;
};

/* MICROV_GET_CONSOLE flags (the ioctl's argument) */
#define MICROV_CONSOLE_NONBLOCK	(1U << 0)	/* the fd is O_NONBLOCK */
#define MICROV_CONSOLE_HVLOG	(1U << 1)	/* read-only: the guest's
						 * console_io output (its part
						 * of the hypervisor log), not
						 * its console ring */

/**
 * struct microv_open_console - MICROV_OPEN_CONSOLE: the console of a domain
 * found by its domid, for a process that holds no fd of it
 * @domid: the domain's Xen domid
 * @flags: MICROV_CONSOLE_NONBLOCK or 0
 *
 * Permitted to the user (effective uid) that created the domain and to
 * CAP_SYS_ADMIN.  The fd is the one MICROV_GET_CONSOLE gives.
 */
struct microv_open_console {
	__u32 domid;
	__u32 flags;
};

/* ioctls on /dev/microv */
#define MICROV_GET_API_VERSION	_IO(MICROVIO, 0x00)
#define MICROV_CHECK_EXTENSION	_IO(MICROVIO, 0x01)
#define MICROV_GET_HOST_INFO	_IOWR(MICROVIO, 0x02, struct microv_host_info)
#define MICROV_CREATE_DOMAIN	_IOWR(MICROVIO, 0x03, struct microv_create_domain)
#define MICROV_OPEN_CONSOLE	_IOW(MICROVIO, 0x04, struct microv_open_console)

/* ioctls on a domain fd */
#define MICROV_SET_MEMORY_REGION _IOW(MICROVIO, 0x10, struct microv_memory_region)
#define MICROV_CREATE_VCPU	_IO(MICROVIO, 0x11)	/* arg: vCPU id */
#define MICROV_GET_DOMAIN_INFO	_IOWR(MICROVIO, 0x12, struct microv_domain_info)
#define MICROV_PAUSE_DOMAIN	_IO(MICROVIO, 0x13)
#define MICROV_UNPAUSE_DOMAIN	_IO(MICROVIO, 0x14)
#define MICROV_DESTROY_DOMAIN	_IO(MICROVIO, 0x15)
#define MICROV_SET_HVM_PARAM	_IOW(MICROVIO, 0x16, struct microv_hvm_param)
#define MICROV_GET_HVM_PARAM	_IOWR(MICROVIO, 0x17, struct microv_hvm_param)
#define MICROV_GET_CONSOLE	_IO(MICROVIO, 0x18)	/* arg: flags */
#define MICROV_SET_MEMORY_MAP	_IOW(MICROVIO, 0x19, struct microv_memory_map)
#define MICROV_CONNECT_RING	_IOWR(MICROVIO, 0x1a, struct microv_ring)
#define MICROV_SET_IO_PORTS	_IOW(MICROVIO, 0x1b, struct microv_io_ports)
#define MICROV_GET_DIAG		_IOWR(MICROVIO, 0x1c, struct microv_diag)
#define MICROV_EVTCHN_ALLOC_UNBOUND \
	_IOWR(MICROVIO, 0x1d, struct microv_evtchn_alloc)
#define MICROV_EVTCHN_BIND	_IOWR(MICROVIO, 0x1e, struct microv_evtchn_bind)
#define MICROV_GET_GNTDEV	_IO(MICROVIO, 0x1f)	/* arg: 0 */
/* more ioctls on a domain fd, from 0x40 */
#define MICROV_GNTTAB_SEED	_IOW(MICROVIO, 0x40, struct microv_gnttab_seed)

/* ioctls on a vCPU fd */
#define MICROV_RUN		_IO(MICROVIO, 0x20)
#define MICROV_GET_REGS		_IOR(MICROVIO, 0x21, struct microv_regs)
#define MICROV_SET_REGS		_IOW(MICROVIO, 0x22, struct microv_regs)
#define MICROV_GET_SREGS	_IOR(MICROVIO, 0x23, struct microv_sregs)
#define MICROV_SET_SREGS	_IOW(MICROVIO, 0x24, struct microv_sregs)

/* ioctls on a grant fd (MICROV_GET_GNTDEV) */
#define MICROV_GRANT_MAP	_IOWR(MICROVIO, 0x30, struct microv_grant_map)
#define MICROV_GRANT_UNMAP	_IOW(MICROVIO, 0x31, struct microv_grant_unmap)
#define MICROV_GRANT_COPY	_IOW(MICROVIO, 0x32, struct microv_grant_copy)

#endif /* _UAPI_LINUX_MICROV_H */
