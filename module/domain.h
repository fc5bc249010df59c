/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Domains and vCPUs as module/ keeps them.  A domain lives while any fd
 * refers to it: its own fd and each vCPU fd hold a reference; the last
 * one to go tears it down (vCPUs, memory, backend state, table entry).
 */
#ifndef MICROV_DOMAIN_H
#define MICROV_DOMAIN_H

#include <linux/xarray.h>
#include <linux/hrtimer.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include <uapi/linux/microv.h>

#include "../xenabi/xenabi.h"
#include "x86.h"

/**
 * struct microv_memslot - guest RAM backed by pages of a process
 * @gpa:    guest-physical start
 * @npages: size in pages; 0 for an unused slot
 * @uaddr:  the caller's address its pages are pinned from
 * @flags:  MICROV_MEM_*
 * @pages:  @npages entries: the pinned pages, NULL where not pinned yet
 *          (memory.c pins them in chunks when first touched)
 * @given_back: @npages bits: the pages the guest gave back (ballooning):
 *          never pinned until it takes them again
 */
struct microv_memslot {
	u64 gpa;
	u64 npages;
	u64 uaddr;
	u32 flags;
	struct page **pages;
	unsigned long *given_back;
};

struct microv_domain;

#define MICROV_CONSOLE_SIZE	(16 * 1024)

/**
 * struct microv_console - a domain's console output, until it is read
 * @lock:    protects the rest
 * @buf:     the bytes, a ring of MICROV_CONSOLE_SIZE
 * @head:    count of bytes read or dropped so far
 * @tail:    count of bytes written so far
 * @dropped: bytes lost because the buffer was full
 * @wait:    readers waiting for output
 */
struct microv_console {
	spinlock_t lock;
	char buf[MICROV_CONSOLE_SIZE];
	u64 head, tail;
	u64 dropped;
	wait_queue_head_t wait;
};

/**
 * struct microv_vcpu - one virtual CPU
 * @domain:  the domain it belongs to (a vCPU fd holds a reference on it)
 * @id:      0..MICROV_MAX_VCPUS-1
 * @run:     the run area shared with userspace (one page)
 * @regs:    general registers between two runs
 * @sregs:   special registers between two runs
 * @state_set: MICROV_VCPU_* bits: what userspace has set so far
 * @state_dirty: MICROV_VCPU_* bits: set since the last run; the backend
 *           loads them before its next entry
 * @sregs_stale: @sregs are older than the backend's copy (after a run)
 * @run_lock: one MICROV_RUN (or register access) at a time
 * @wait:    where a halted or paused vCPU sleeps until it may go on
 * @in_guest: set (with a full barrier) before the vCPU checks whether it
 *           may enter the guest, cleared once it left: what pause and
 *           destroy wait for
 * @paging:  the guest's paging state and mode as of its last exit that
 *           needs guest memory (for the page walk)
 * @syscall_msrs: its x86_syscall_msrs[] values (zero at reset)
 * @debug:   its DR0-DR3 and DR6
 * @lapic:   its local APIC; only its own thread touches it
 * @lapic_timer: the host timer behind the APIC's (lapic.c)
 * @lapic_timer_fired: @lapic_timer went off; the thread has yet to see it
 * @mtrr:    its MTRRs (zero at reset: disabled)
 * @misc_features_enables: MSR_MISC_FEATURES_ENABLES: CPUID faulting
 * @xen:     its Xen state
 * @xen_timer: the host timer behind its Xen timers
 * @timer_fired: @xen_timer went off; the vCPU's thread has yet to see it
 * @ring_work: rings (bits by MICROV_RING_* kind) its guest event left
 *           work on, over one round's budget (module/ring.c)
 * @ins_size: an INS from a served port waits for its data from userspace
 *           (io.data at the next MICROV_RUN): its size, else 0
 * @arch:    the backend's state (the VMCS for VMX)
 */
struct microv_vcpu {
	struct microv_domain *domain;
	u32 id;
	struct microv_run *run;
	struct microv_regs regs;
	struct microv_sregs sregs;
	u32 state_set;
	u32 state_dirty;
	bool sregs_stale;
	struct mutex run_lock;
	wait_queue_head_t wait;
	bool in_guest;
	struct x86_paging paging;
	u64 syscall_msrs[X86_NR_SYSCALL_MSRS];
	struct x86_debugregs debug;
	struct x86_lapic lapic;
	struct hrtimer lapic_timer;
	bool lapic_timer_fired;
	struct x86_mtrr mtrr;
	u64 misc_features_enables;
	struct xen_vcpu xen;
	struct hrtimer xen_timer;
	bool timer_fired;
	unsigned long ring_work;
	u8 ins_size;
	void *arch;
};

#define MICROV_NR_IO_PORTS	65536

/*
 * ring_pages[] by MICROV_RING_* kind: MICROV_RING_CONSOLE (1), the only
 * ring the module serves (index 0 unused).
 */
#define MICROV_NR_RINGS		(MICROV_RING_CONSOLE + 1)

/**
 * struct microv_diag_table - what the guest asked for and did not get
 * @lock:    taken with interrupts off (noted from exit handlers)
 * @nr:      entries used in @e
 * @dropped: requests not kept, the table being full
 * @e:       distinct requests, in the order first seen (diag.c)
 */
struct microv_diag_table {
	spinlock_t lock;
	unsigned int nr;
	u64 dropped;
	struct microv_diag_entry e[MICROV_DIAG_MAX];
};

#define MICROV_VCPU_REGS	BIT(0)
#define MICROV_VCPU_SREGS	BIT(1)

/**
 * struct microv_domain - one guest
 * @refs:   fds that keep the domain alive: its own, its vCPUs', consoles
 * @holds:  what keeps its memory (not the guest) allocated: one for all of
 *          @refs, one per host end of its event channels (evtchn.c) and
 *          per grant fd (grant.c)
 * @domid:  Xen domain id, the key of the module-wide table
 * @name:   unique name, or empty
 * @mm:     the creator's mm, charged for the pinned pages
 * @owner:  the creator's effective uid (MICROV_OPEN_CONSOLE's check)
 * @published: its creator has its fd; before, the table holds its domid
 *          and name but no one else may take a reference (under the
 *          table's lock)
 * @lock:   protects @slots, @vcpus, @nr_pages, @nr_given_back
 * @slots:  guest RAM
 * @vcpus:  created vCPUs, by id
 * @nr_pages: pages of RAM in @slots (charged to RLIMIT_MEMLOCK)
 * @nr_given_back: of which the guest gave back (XENMEM_decrease_reservation)
 * @paused: MICROV_PAUSE_DOMAIN: no vCPU enters the guest
 * @dying:  MICROV_DESTROY_DOMAIN: gone from the table, memory released,
 *          every ioctl but close fails with ESRCH
 * @xen:    its Xen state
 * @xen_pages: the hypervisor's pages of the domain (XENABI_PAGE_*):
 *          shared_info from creation, grant frames once asked for; each
 *          mapped in the EPT where d->xen.xen_page_gfn says (under @lock)
 * @ring_lock: serialises the console ring's backend (guest events, input)
 * @ring_pages: the guest pages of its rings (MICROV_RING_*), held
 * @evtchns: the host's ends of its event channels, by host port
 *          (evtchn.c); each holds a hold
 * @grant_lock: serialises the host's uses of its grants (grant.c)
 * @grant_pins: those uses, by reference (under @grant_lock)
 * @console: its console stream: what the guest writes to its console ring
 * @hvlog:  its part of the hypervisor log: what it writes with console_io
 * @io_claimed: the I/O ports its process serves (MICROV_SET_IO_PORTS)
 * @nr_io_unclaimed: accesses to the others, which the module answered
 * @strict_mmio: MICROV_DOMAIN_STRICT_MMIO: unbacked accesses stop it
 * @nr_mmio_unbacked: accesses to addresses with no RAM, answered (mmio.c)
 * @diag:   what the guest asked for and did not get (diag.c)
 * @arch:   the backend's state (EPT for VMX)
 */
struct microv_domain {
	refcount_t refs;
	refcount_t holds;
	u32 domid;
	char name[MICROV_NAME_MAX];
	struct mm_struct *mm;
	kuid_t owner;
	bool published;
	struct mutex lock;
	struct microv_memslot slots[MICROV_MAX_MEMSLOTS];
	struct microv_vcpu *vcpus[MICROV_MAX_VCPUS];
	u64 nr_pages;
	u64 nr_given_back;
	bool paused;
	bool dying;
	struct xen_domain xen;
	struct page *xen_pages[XENABI_NR_XEN_PAGES];
	struct mutex ring_lock;
	struct page *ring_pages[MICROV_NR_RINGS];
	struct xarray evtchns;
	struct mutex grant_lock;
	struct xarray grant_pins;
	struct microv_console console;
	struct microv_console hvlog;
	DECLARE_BITMAP(io_claimed, MICROV_NR_IO_PORTS);
	atomic64_t nr_io_unclaimed;
	bool strict_mmio;
	atomic64_t nr_mmio_unbacked;
	struct microv_diag_table diag;
	void *arch;
};

long microv_create_domain(struct microv_create_domain __user *arg);
long microv_open_console(struct microv_open_console __user *arg);
void microv_domain_put(struct microv_domain *d);
void microv_domain_unhold(struct microv_domain *d);
unsigned long microv_nr_domains(void);
u64 microv_pinned_pages(void);

int microv_memslot_set(struct microv_domain *d,
		       const struct microv_memory_region *r);
int microv_gfn_release(struct microv_domain *d, u64 gfn, bool any);
int microv_gfn_populate(struct microv_domain *d, u64 gfn);
void microv_memslots_free(struct microv_domain *d);

long microv_vcpu_create(struct microv_domain *d, unsigned long id);
bool microv_vcpu_may_enter(struct microv_vcpu *v);
void microv_vcpu_left_guest(struct microv_vcpu *v);
int microv_vcpu_wait_runnable(struct microv_vcpu *v);
int microv_vcpu_halt(struct microv_vcpu *v);
void microv_domain_stop_vcpus(struct microv_domain *d);
void microv_domain_wake_vcpus(struct microv_domain *d);
void microv_vcpu_free(struct microv_vcpu *v);

int microv_sregs_check(const struct microv_sregs *s);

struct microv_memslot *microv_memslot_at(struct microv_domain *d, u64 gpa);
struct page *microv_memslot_page(struct microv_domain *d,
				 struct microv_memslot *s, u64 gpa);
struct page *microv_gpa_page(struct microv_domain *d, u64 gpa, bool write);
int microv_gpa_access(struct microv_domain *d, u64 gpa, void *buf, size_t len,
		      bool write);
int microv_linear_access(struct microv_vcpu *v, const struct x86_paging *p,
			 u64 gva, void *buf, size_t len, bool write,
			 struct x86_fault *f);
int microv_gva_access(struct microv_vcpu *v, u64 gva, void *buf, size_t len,
		      bool write);

int microv_xen_domain_init(struct microv_domain *d);
void microv_xen_domain_free(struct microv_domain *d);
void microv_xen_pages_remap(struct microv_domain *d, u64 gpa, u64 npages);
struct page *microv_xen_page_at(struct microv_domain *d, u64 gpa);
void microv_xen_page_remove(struct microv_domain *d, u64 gfn);
bool microv_vcpu_has_work(struct microv_vcpu *v);
bool microv_vcpu_timer_fired(struct microv_vcpu *v);

/* lapic.c */
void microv_lapic_init(struct microv_vcpu *v);
void microv_lapic_free(struct microv_vcpu *v);
void microv_lapic_timer_work(struct microv_vcpu *v);
int microv_lapic_msr_read(struct microv_vcpu *v, u32 msr, u64 *val);
int microv_lapic_msr_write(struct microv_vcpu *v, u32 msr, u64 val);
void microv_lapic_mmio(struct microv_vcpu *v, u64 gpa, unsigned int size,
		       bool write, u64 *val);
void microv_vcpu_do_work(struct microv_vcpu *v);

/* MICROV_GET_CONSOLE's and MICROV_OPEN_CONSOLE's flags */
#define MICROV_CONSOLE_FLAGS	(MICROV_CONSOLE_NONBLOCK | MICROV_CONSOLE_HVLOG)

void microv_console_init(struct microv_console *c);
void microv_console_write(struct microv_console *c, const char *buf,
			  size_t len);
long microv_console_open(struct microv_domain *d, unsigned long flags);

long microv_ring_connect(struct microv_domain *d,
			 struct microv_ring __user *uring);
void microv_ring_notify(struct microv_vcpu *v, u32 port);
void microv_ring_work(struct microv_vcpu *v);
void microv_io_ports_init(struct microv_domain *d);
struct x86_emul;
void microv_fetch_insn(struct microv_vcpu *v, struct x86_emul *e);
void microv_diag_note(struct microv_domain *d, u32 kind, u32 code, u64 arg);
long microv_diag_get(struct microv_domain *d, struct microv_diag __user *arg);
long microv_io_ports_set(struct microv_domain *d,
			 struct microv_io_ports __user *uarg);
ssize_t microv_console_input(struct microv_domain *d, const char *buf,
			     size_t len);
size_t microv_console_room(struct microv_domain *d);
void microv_rings_free(struct microv_domain *d);
long microv_evtchn_alloc_unbound(struct microv_domain *d,
				 struct microv_evtchn_alloc __user *uarg);
long microv_evtchn_bind(struct microv_domain *d,
			struct microv_evtchn_bind __user *uarg);
void microv_evtchn_notify(struct microv_domain *d, u32 port, u32 local);
void microv_evtchns_kill(struct microv_domain *d);
long microv_gntdev_open(struct microv_domain *d, unsigned long flags);
long microv_gnttab_seed(struct microv_domain *d,
			struct microv_gnttab_seed __user *uarg);
int microv_xen_page_get(struct microv_domain *d, unsigned int idx);
void microv_grants_free(struct microv_domain *d);
int microv_xen_vcpu_init(struct microv_vcpu *v);
void microv_xen_vcpu_publish(struct microv_vcpu *v);
void microv_xen_vcpu_free(struct microv_vcpu *v);

#endif /* MICROV_DOMAIN_H */
