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
#include "host.h"

/* The version microv reports: the Xen ABI of Xen 4.17, Debian 12's. */
#define XENABI_VERSION_MAJOR	4
#define XENABI_VERSION_MINOR	17

/*
 * HVM parameters microv knows: those of Linux's copy of Xen's params.h
 * (0..HVM_PARAM_CONSOLE_EVTCHN).  Xen's own header has more; they are
 * -EINVAL here, the same whichever header a build uses.
 */
#define XENABI_NR_PARAMS	(HVM_PARAM_CONSOLE_EVTCHN + 1)

/* HVM_PARAM_CALLBACK_IRQ: the delivery type is in bits 63:56. */
#define XENABI_CALLBACK_TYPE_SHIFT	56

/* Xen's x86 page: the hypercall page, XENVER_pagesize. */
#define XENABI_PAGE_SIZE	4096

/* vCPUs a domain may have: those with a vcpu_info in shared_info. */
#define XENABI_MAX_VCPUS	XENABI_LEGACY_VCPUS

/* Event channels of the 2-level ABI for a 64-bit shared_info (32-bit: 1024). */
#define XENABI_NR_EVTCHNS	EVTCHN_2L_NR_CHANNELS

/*
 * FIFO event channels: the event array holds one 32-bit word per port, a
 * page at a time; ports stay below XENABI_NR_EVTCHNS in both ABIs (Xen's
 * own limit, with xl's default of 1023 ports, is lower still).
 */
#define XENABI_FIFO_WORDS_PER_PAGE	(XENABI_PAGE_SIZE / sizeof(event_word_t))
#define XENABI_FIFO_ARRAY_PAGES	(XENABI_NR_EVTCHNS / XENABI_FIFO_WORDS_PER_PAGE)
/* Pages the FIFO ABI may hold: the array, a control block per vCPU. */
#define XENABI_FIFO_MAX_PAGES	(XENABI_FIFO_ARRAY_PAGES + XENABI_MAX_VCPUS)

/* Grant-table frames (version 1) a domain may have. */
#define XENABI_GNTTAB_FRAMES	8
/* Version 1 entries in one frame. */
#define XENABI_GRANTS_PER_FRAME	(XENABI_PAGE_SIZE / sizeof(struct grant_entry_v1))

/* Pages of the hypervisor a guest can place in its physmap. */
#define XENABI_PAGE_SHARED_INFO	0
#define XENABI_PAGE_GNTTAB(n)	(1 + (n))
#define XENABI_NR_XEN_PAGES	XENABI_PAGE_GNTTAB(XENABI_GNTTAB_FRAMES)

/*
 * Ports bound to the host (the module's console backend, host processes'
 * ends) are, to the guest, interdomain channels to domain 0, where Xen's
 * backends live.
 */
#define XENABI_BACKEND_DOMID	0

/* A guest frame number that is none. */
#define XENABI_NO_GFN		(~0ULL)

/*
 * console_io bytes a second a domain may write, on average, and at once: a
 * Linux boot log (some 60 KiB) passes whole; a guest that writes without
 * end gets this much through and the rest is dropped and counted.
 */
#define XENABI_CONSOLE_RATE	(64 * 1024)
#define XENABI_CONSOLE_BURST	(128 * 1024)

#define XENABI_NSEC_PER_SEC	1000000000ULL

/* E820 entries the toolstack may give a domain (XENMEM_memory_map). */
#define XENABI_E820_MAX		128

/* CPUID leaves 0x40000000..+4 and the MSR of leaf +2 (as Xen's own). */
#define XENABI_CPUID_LEAVES	5
#define XENABI_HYPERCALL_MSR	0x40000000u

/* Guest general registers that hypercalls use. */
enum xen_reg {
	XEN_REG_RAX, XEN_REG_RBX, XEN_REG_RCX, XEN_REG_RDX,
	XEN_REG_RSI, XEN_REG_RDI, XEN_REG_R8, XEN_REG_R9, XEN_REG_R10,
};

struct xen_vcpu;

/* Ports one SCHEDOP_poll may wait on, as Xen limits it. */
#define XENABI_POLL_MAX		128

/* What a hypercall leaves the host to do once it has returned. */
enum xen_exit {
	XEN_EXIT_NONE,		/* back into the guest */
	XEN_EXIT_SHUTDOWN,	/* the domain shut down: see shutdown_reason */
	XEN_EXIT_BLOCK,		/* the vCPU waits for an event */
	XEN_EXIT_YIELD,		/* give the CPU away once, then go on */
	XEN_EXIT_POLL,		/* like BLOCK, also woken by v->poll ports */
};

/* An E820 entry as the toolstack gives it and XENMEM_memory_map returns it. */
struct xen_e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));

/**
 * struct xen_evtchn - one event channel of a domain
 * @state:       EVTCHNSTAT_* (closed, unbound, interdomain, virq, ipi)
 * @virq:        VIRQ_* of a virq channel
 * @notify_vcpu: the vCPU its events go to
 * @remote_dom:  unbound: who may bind; interdomain: the peer domain
 * @remote_port: interdomain: the peer's port
 * @priority:    FIFO: the queue (EVTCHN_FIFO_PRIORITY_*) its events go to
 * @last_vcpu, @last_priority: FIFO: the queue it was last linked on
 * @fifo_pending: FIFO: raised while its event word was not yet given
 */
struct xen_evtchn {
	u8 state;
	u8 virq;
	u8 notify_vcpu;
	u16 remote_dom;
	u16 remote_port;
	u8 priority;
	u8 last_vcpu;
	u8 last_priority;
	bool fifo_pending;
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
 * @console_write: append @len bytes of console_io output to the domain's
 *             part of the hypervisor log
 * @map_gfn:   a host address of guest frame @gfn of RAM, kept valid until
 *             @unmap_gfn even if the guest's memory changes; NULL if none
 * @unmap_gfn: let it go
 * @map_xen_page: place the hypervisor's page @idx (XENABI_PAGE_*) at guest
 *             frame @gfn, in place of whatever was there, take it away
 *             from where it was, and record it in domain->xen_page_gfn;
 *             0, -EINVAL (no such frame) or -ENOMEM
 * @release_gfn: the guest gives RAM frame @gfn back (ballooning): it reads
 *             as no RAM from then on and its memory goes to the host; with
 *             @any a hypervisor page there leaves too; 0, -ENOENT (no
 *             RAM there, or given back already), -EBUSY (a hypervisor
 *             page there, not @any)
 * @populate_gfn: the guest takes a frame it gave back, zeroed; 0, -ENOENT
 *             (no RAM there), -EEXIST (not given back), -ENOMEM, -EFAULT
 * @kick:      an event became pending for the vCPU: wake it if it waits,
 *             make it leave the guest if it runs (to take the upcall)
 * @read_tsc:  the guest's TSC now
 * @set_timer: fire the vCPU's one timer in @ns nanoseconds (0: at once);
 *             the host then calls xen_timer_fired() from the vCPU's thread
 * @stop_timer: cancel it
 * @notify_host: the guest sent an event on @port, or closed it, and its
 *             peer is the host's port @local (0: a ring the module serves;
 *             else a host process's end); @port 0: the guest closed every
 *             port (EVTCHNOP_reset).  Called with no lock held
 * @unsupported: hypercall @nr with first argument @arg was answered
 *             -ENOSYS (for the host's diagnostics); maybe with
 *             interrupts off
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
	void *(*map_gfn)(struct xen_vcpu *v, u64 gfn);
	void (*unmap_gfn)(struct xen_vcpu *v, void *va);
	int (*map_xen_page)(struct xen_vcpu *v, unsigned int idx, u64 gfn);
	int (*release_gfn)(struct xen_vcpu *v, u64 gfn, bool any);
	int (*populate_gfn)(struct xen_vcpu *v, u64 gfn);
	void (*kick)(struct xen_vcpu *v);
	u64 (*read_tsc)(struct xen_vcpu *v);
	void (*set_timer)(struct xen_vcpu *v, u64 ns);
	void (*stop_timer)(struct xen_vcpu *v);
	void (*notify_host)(struct xen_vcpu *v, u32 port, u32 local);
	void (*unsupported)(struct xen_vcpu *v, u32 nr, u64 arg);
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
 * @nr_pages:       guest RAM, in pages, less what it gave back (kept
 *                  current by the host): its current reservation
 * @max_pages:      guest RAM, in pages: its maximum reservation
 * @max_gfn:        the highest guest frame with RAM, +1 (likewise)
 * @vm_assist:      VMASST_TYPE_* bits the guest enabled
 * @vcpus:          its vCPUs, by id (entered by xen_vcpu_publish())
 * @shared_info:    host address of its shared_info page (the host's
 *                  page XENABI_PAGE_SHARED_INFO), there from creation
 * @shinfo_32:      shared_info has the layout of a 32-bit guest (latched
 *                  from the mode of the vCPU that maps it, as Xen does)
 * @xen_page_gfn:   where each hypervisor page is in the guest's physmap
 * @lock:           protects @evtchn and the vCPUs' @virq_port
 * @evtchn:         event channels, by port (0 is never allocated)
 * @evtchn_fifo:    the guest switched to the FIFO ABI (EVTCHNOP_init_control)
 * @fifo_nr_ports:  FIFO: ports with an event word, 1024 per page given
 * @fifo_array:     FIFO: host addresses of the event array's pages
 * @tsc0:           the TSC at system time 0 (the domain's start)
 * @tsc_mul, @tsc_shift: TSC ticks to nanoseconds, as in vcpu_time_info
 * @tsc_stable:     the TSC is the same on every CPU and never stops
 * @tsc_khz:        its frequency
 * @wc_sec, @wc_nsec: wall-clock time at system time 0
 * @e820:           the memory map the toolstack gave, @nr_e820 entries
 * @gnttab_frames:  grant-table frames the guest has (0 until it asks)
 * @gnttab:         host addresses of the frames placed so far, or NULL
 * @console_credit: console_io bytes the guest may write now
 * @console_stamp:  system time @console_credit was last topped up
 * @console_limited: console_io bytes dropped over the rate limit
 * @console_ring:   host address of the console ring page, or NULL
 * @console_port:   the guest's event channel for it
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
	u64 max_pages;
	u64 max_gfn;
	unsigned long vm_assist;
	struct xen_vcpu *vcpus[XENABI_MAX_VCPUS];
	void *shared_info;
	bool shinfo_32;
	u64 xen_page_gfn[XENABI_NR_XEN_PAGES];
	xenabi_lock_t lock;
	struct xen_evtchn evtchn[XENABI_NR_EVTCHNS];
	bool evtchn_fifo;
	u32 fifo_nr_ports;
	event_word_t *fifo_array[XENABI_FIFO_ARRAY_PAGES];
	u64 tsc0;
	u32 tsc_mul;
	s8 tsc_shift;
	bool tsc_stable;
	u32 tsc_khz;
	u64 wc_sec;
	u32 wc_nsec;
	struct xen_e820_entry e820[XENABI_E820_MAX];
	u32 nr_e820;
	u32 gnttab_frames;
	struct grant_entry_v1 *gnttab[XENABI_GNTTAB_FRAMES];
	u64 console_credit;
	u64 console_stamp;
	u64 console_limited;
	struct xencons_interface *console_ring;
	u32 console_port;
};

/**
 * struct xen_vcpu - a vCPU's Xen state
 * @ops:    the host's accessors
 * @domain: its domain
 * @vcpu_id: its id
 * @exit:   set by a handler: what the host must do after the hypercall
 * @vcpu_info: host address of its vcpu_info: in shared_info, or where
 *          VCPUOP_register_vcpu_info put it (@vcpu_info_page mapped)
 * @vcpu_info_page: the guest page mapped for it, or NULL
 * @upcall_vector: HVMOP_set_evtchn_upcall_vector's vector, or 0
 * @virq_port: the port each per-vCPU (or, on vCPU 0, global) VIRQ is bound to
 * @time_area: guest-virtual address of a registered vcpu_time_info, or 0
 * @runstate_area: guest-virtual address of a registered runstate, or 0
 * @runstate: its runstate (RUNSTATE_*, times in ns of system time)
 * @timer_deadline: system time its single-shot timer fires at, or 0
 * @polling: in SCHEDOP_poll, waiting for @poll_ports or the timeout
 * @poll_ports, @nr_poll: the ports SCHEDOP_poll waits on
 * @poll_deadline: system time the poll times out at, or 0
 * @poll_timed_out: it did
 * @time_area_stale: @time_area was registered by another vCPU: written
 *          when this one next runs
 * @fifo_cb: FIFO: host address of its control block, or NULL
 * @fifo_cb_page: FIFO: the guest page mapped for it
 * @fifo_tail: FIFO: the last port linked on each of its queues, or 0
 */
struct xen_vcpu {
	const struct xen_vcpu_ops *ops;
	struct xen_domain *domain;
	u32 vcpu_id;
	enum xen_exit exit;
	void *vcpu_info;
	void *vcpu_info_page;
	u8 upcall_vector;
	u16 virq_port[NR_VIRQS];
	u64 time_area;
	u64 runstate_area;
	struct vcpu_runstate_info runstate;
	u64 timer_deadline;
	bool polling;
	u16 poll_ports[XENABI_POLL_MAX];
	u32 nr_poll;
	u64 poll_deadline;
	bool poll_timed_out;
	bool time_area_stale;
	struct evtchn_fifo_control_block *fifo_cb;
	void *fifo_cb_page;
	u32 fifo_tail[EVTCHN_FIFO_MAX_QUEUES];
};

void xen_domain_init(struct xen_domain *d, u32 domid, void *shared_info);
void xen_time_init(struct xen_domain *d, u64 tsc0, u64 tsc_hz, u64 wc_ns,
		   bool stable);
int xen_vcpu_init(struct xen_vcpu *v, struct xen_domain *d, u32 vcpu_id,
		  const struct xen_vcpu_ops *ops);
void xen_vcpu_publish(struct xen_vcpu *v);
void xen_vcpu_destroy(struct xen_vcpu *v);
int xen_set_memory_map(struct xen_domain *d, const struct xen_e820_entry *e,
		       u32 nr);

/*
 * The guest's longs (xen_ulong_t, xen_pfn_t, guest handles) are 8 bytes in
 * 64-bit mode, 4 otherwise: structures holding them differ by mode.
 */
static inline unsigned int xen_long_size(struct xen_vcpu *v)
{
	return v->ops->mode(v) == 64 ? 8 : 4;
}

int xen_get_long(struct xen_vcpu *v, u64 gva, u64 *val);
int xen_put_long(struct xen_vcpu *v, u64 gva, u64 val);

bool xen_cpuid(struct xen_vcpu *v, u32 leaf, u32 subleaf, u32 out[4]);
int xen_wrmsr(struct xen_vcpu *v, u32 msr, u64 val);
enum xen_exit xen_hypercall(struct xen_vcpu *v);
bool xen_hypercall_atomic(struct xen_vcpu *v);

/* Hypercall handlers, one file per subsystem; args as Xen passes them. */
long xen_version_op(struct xen_vcpu *v, const unsigned long *args);
bool xen_version_op_atomic(const unsigned long *args);
long xen_sched_op(struct xen_vcpu *v, const unsigned long *args);
long xen_hvm_op(struct xen_vcpu *v, const unsigned long *args);
long xen_memory_op(struct xen_vcpu *v, const unsigned long *args);
long xen_vm_assist(struct xen_vcpu *v, const unsigned long *args);
long xen_console_io(struct xen_vcpu *v, const unsigned long *args);
/* The argument of each event_channel_op xenabi implements. */
union xen_evtchn_op {
	struct evtchn_bind_interdomain bind_interdomain;
	struct evtchn_bind_virq bind_virq;
	struct evtchn_close close;
	struct evtchn_send send;
	struct evtchn_status status;
	struct evtchn_alloc_unbound alloc_unbound;
	struct evtchn_bind_ipi bind_ipi;
	struct evtchn_bind_vcpu bind_vcpu;
	struct evtchn_unmask unmask;
	struct evtchn_reset reset;
	struct evtchn_init_control init_control;
	struct evtchn_expand_array expand_array;
	struct evtchn_set_priority set_priority;
};

long xen_event_channel_op(struct xen_vcpu *v, const unsigned long *args);
long xen_vcpu_op(struct xen_vcpu *v, const unsigned long *args);
long xen_set_timer_op(struct xen_vcpu *v, const unsigned long *args);
long xen_grant_table_op(struct xen_vcpu *v, const unsigned long *args);
int xen_grant_acquire(struct xen_domain *d, u32 ref, bool write, u64 *gfn);
int xen_grant_seed(struct xen_domain *d, u32 ref, u64 gfn);
void xen_grant_release(struct xen_domain *d, u32 ref, bool writing,
		       bool reading);

/* Time (time.c). */
u64 xen_system_time(struct xen_vcpu *v);
void xen_time_update(struct xen_vcpu *v);
void xen_vcpu_info_time_update(struct xen_vcpu *v);
void xen_wallclock_update(struct xen_domain *d);
void xen_timer_set(struct xen_vcpu *v, u64 deadline);
void xen_timer_fired(struct xen_vcpu *v);
void xen_poll_end(struct xen_vcpu *v);
void xen_runstate_get(struct xen_vcpu *v, struct vcpu_runstate_info *rs);
void xen_runstate_set(struct xen_vcpu *v, int state);
void xen_runstate_write(struct xen_vcpu *v);
int xen_runstate_copy(struct xen_vcpu *v, u64 gva,
		      const struct vcpu_runstate_info *rs, bool is_32);

void xen_shinfo_latch(struct xen_vcpu *v);

/* Events (evtchn.c, domain.c). */
int xen_evtchn_send_virq(struct xen_vcpu *v, u32 virq);
int xen_evtchn_set_pending(struct xen_domain *d, u32 port);
int xen_evtchn_bind_host(struct xen_domain *d);
int xen_evtchn_notify_from_host(struct xen_domain *d, u32 port);
int xen_evtchn_alloc_unbound_host(struct xen_domain *d);
int xen_evtchn_host_bind(struct xen_domain *d, u32 port, u32 local);
void xen_evtchn_host_unbind(struct xen_domain *d, u32 port, u32 local);
int xen_evtchn_host_send(struct xen_domain *d, u32 port, u32 local);
bool xen_evtchn_host_bound(struct xen_domain *d, u32 port, u32 local);
bool xen_evtchn_is_pending(struct xen_domain *d, u32 port);
void xen_evtchn_raise(struct xen_domain *d, u32 port);

/* The FIFO ABI (evtchn_fifo.c); all but the hypercalls with d->lock held. */
long xen_fifo_init_control(struct xen_vcpu *v, struct evtchn_init_control *c);
long xen_fifo_expand_array(struct xen_vcpu *v, u64 gfn);
void xen_fifo_take_all(struct xen_domain *d, void **pages);
void xen_fifo_vcpu_destroy(struct xen_vcpu *v);
bool xen_fifo_set_pending(struct xen_domain *d, struct xen_vcpu *v, u32 port);
void xen_fifo_clear_pending(struct xen_domain *d, u32 port);
bool xen_fifo_is_pending(struct xen_domain *d, u32 port);
void xen_fifo_unmask(struct xen_domain *d, struct xen_vcpu *v, u32 port);

/* The console ring's backend (ring.c). */
size_t xen_console_pull(struct xen_domain *d, char *buf, size_t len);
size_t xen_console_push(struct xen_domain *d, const char *buf, size_t len);
size_t xen_console_room(struct xen_domain *d);

void xen_evtchn_reset(struct xen_vcpu *v);
void xen_vcpu_mark_pending(struct xen_vcpu *v);
bool xen_upcall_pending(struct xen_vcpu *v);
u8 xen_upcall_vector(struct xen_vcpu *v);
bool xen_vcpu_wakeup(struct xen_vcpu *v);
void xen_upcall_kick_all(struct xen_domain *d);

int xen_toolstack_set_param(struct xen_domain *d, u32 index, u64 value);
int xen_toolstack_get_param(struct xen_domain *d, u32 index, u64 *value);

#endif /* XENABI_XENABI_H */
