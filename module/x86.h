/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Vendor-neutral x86 logic that every backend's exit handlers call: what
 * CPUID says to a guest, the MSRs and local APIC microv emulates, and the
 * guest page walk.
 */
#ifndef MICROV_X86_H
#define MICROV_X86_H

#include <linux/bits.h>
#include <linux/types.h>

struct microv_vcpu;

struct microv_cpuid {
	u32 eax, ebx, ecx, edx;
};

void microv_cpuid(struct microv_vcpu *v, u32 leaf, u32 subleaf,
		  u64 guest_cr4, struct microv_cpuid *out);

/*
 * What a guest may have in CR4: no VMXE (no nested VMX), no SMXE, no PKE
 * (PKRU stays the host's), nothing microv does not virtualise.  A guest
 * that sets another bit gets #GP, as from a CPU without that feature.
 */
#define MICROV_CR4_ALLOWED (X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
			    X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
			    X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
			    X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
			    X86_CR4_UMIP | X86_CR4_FSGSBASE | X86_CR4_PCIDE | \
			    X86_CR4_OSXSAVE | X86_CR4_SMEP | X86_CR4_SMAP)

/* STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE: switched around VM entry. */
#define X86_NR_SYSCALL_MSRS	5
extern const u32 x86_syscall_msrs[X86_NR_SYSCALL_MSRS];

/* XCR0 components (Intel SDM Vol. 1, 13.1). */
#define X86_XCR0_X87		BIT_ULL(0)
#define X86_XCR0_SSE		BIT_ULL(1)
#define X86_XCR0_AVX		BIT_ULL(2)
#define X86_XCR0_BNDREGS	BIT_ULL(3)
#define X86_XCR0_BNDCSR		BIT_ULL(4)
#define X86_XCR0_AVX512		(BIT_ULL(5) | BIT_ULL(6) | BIT_ULL(7))
#define X86_XCR0_PKRU		BIT_ULL(9)
#define X86_XCR0_TILECFG	BIT_ULL(17)
#define X86_XCR0_TILEDATA	BIT_ULL(18)

extern u64 x86_host_xcr0;
u64 x86_xcr0_guest_supported(u64 host_xcr0);
int x86_xsetbv_check(u32 index, u64 val, u64 supported, int cpl);

/* DR6 and DR7 bits (Intel SDM Vol. 3, 18.2.3 and 18.2.4). */
#define X86_DR6_TRAP_BITS	0xfULL		/* B0-B3 */
#define X86_DR6_BD		BIT_ULL(13)
#define X86_DR6_BS		BIT_ULL(14)
#define X86_DR6_BT		BIT_ULL(15)
#define X86_DR6_WRITABLE	(X86_DR6_TRAP_BITS | X86_DR6_BD | X86_DR6_BS | \
				 X86_DR6_BT)
#define X86_DR6_FIXED_1		0xffff0ff0ULL	/* RTM reads 1: no TSX */
#define X86_DR7_ENABLES		0xffULL		/* L0-L3, G0-G3 */
#define X86_DR7_FIXED_1		BIT_ULL(10)
#define X86_DR7_GD		BIT_ULL(13)
#define X86_DR7_RESERVED	(BIT_ULL(11) | BIT_ULL(12) | BIT_ULL(14) | \
				 BIT_ULL(15))

/**
 * struct x86_debugregs - a guest's DR0-DR3 and DR6 (x86_dr.c)
 * @db:  DR0-DR3, breakpoint addresses
 * @dr6: debug status
 */
struct x86_debugregs {
	u64 db[4];
	u64 dr6;
};

/**
 * struct x86_dr_insn - a MOV to or from a debug register
 * @dr:     its number, 0-7
 * @write:  MOV to DRn
 * @cpl:    the guest's privilege level
 * @mode:   16, 32 or 64 (struct x86_paging)
 * @cr4_de: CR4.DE: DR4/DR5 are reserved, not aliases
 */
struct x86_dr_insn {
	unsigned int dr;
	bool write;
	int cpl;
	int mode;
	bool cr4_de;
};

enum x86_dr_result { X86_DR_OK, X86_DR_GP, X86_DR_UD, X86_DR_DB };

void x86_dr_init(struct x86_debugregs *d);
enum x86_dr_result x86_dr_access(struct x86_debugregs *d, u64 *dr7,
				 const struct x86_dr_insn *a, u64 *val);
void x86_dr6_debug_trap(struct x86_debugregs *d, u64 hits);

/**
 * struct x86_mtrr - a vCPU's MTRRs (x86_mtrr.c)
 * @def_type: IA32_MTRR_DEF_TYPE
 * @fixed:    the 11 fixed-range MTRRs, 64K_00000 to 4K_F8000
 * @var:      IA32_MTRR_PHYSBASE0, PHYSMASK0, PHYSBASE1 ...
 */
#define X86_MTRR_NR_VAR		8
#define X86_MTRR_NR_FIXED	11
struct x86_mtrr {
	u64 def_type;
	u64 fixed[X86_MTRR_NR_FIXED];
	u64 var[2 * X86_MTRR_NR_VAR];
};

int x86_mtrr_read(const struct x86_mtrr *m, u32 msr, u64 *val);
int x86_mtrr_write(struct x86_mtrr *m, u32 msr, u64 val,
		   unsigned int phys_bits);

int x86_msr_read(struct microv_vcpu *v, u32 msr, u64 *val);
bool x86_cpuid_faults(const struct microv_vcpu *v, int cpl);
int x86_msr_write(struct microv_vcpu *v, u32 msr, u64 val);

/**
 * struct x86_time - the moment an APIC access or timer event happens
 * @ns:      a monotonic clock in ns (the host timer's)
 * @tsc:     the TSC the guest reads
 * @tsc_khz: its frequency; 0 if unknown
 */
struct x86_time {
	u64 ns;
	u64 tsc;
	u32 tsc_khz;
};

/* LVT timer, thermal, performance counters, LINT0, LINT1, error. */
#define X86_LAPIC_NR_LVT	6

enum x86_lapic_mode { X86_LAPIC_DISABLED, X86_LAPIC_XAPIC, X86_LAPIC_X2APIC };

/**
 * struct x86_lapic - a vCPU's local APIC (x86_lapic.c)
 * @apic_base: IA32_APIC_BASE: EN and EXTD say the mode
 * @icr:       the last ICR written (xAPIC: ICR2 in the upper half)
 * @id:        APIC id
 * @tpr, @svr: task priority, spurious-interrupt vector registers
 * @ldr, @dfr: xAPIC logical destination and destination format
 * @esr:       ESR as last latched; @esr_pending the errors since
 * @lvt:       LVT timer to LVT error; @lvt_cmci the CMCI one
 * @timer_icr, @timer_dcr: the timer's initial count and divide registers
 * @timer_start: when the current count (or period) began, ns
 * @timer_armed: a one-shot or periodic count runs
 * @tsc_deadline: IA32_TSC_DEADLINE, 0 when disarmed
 * @timer_dirty: the timer's next moment may have changed: the caller
 *             looks at x86_lapic_timer_next() again and clears it
 * @irr, @isr: requested and in-service vectors, 256 bits each
 */
struct x86_lapic {
	u64 apic_base;
	u64 icr;
	u32 id, tpr, svr;
	u32 ldr, dfr;
	u32 esr, esr_pending;
	u32 lvt[X86_LAPIC_NR_LVT];
	u32 lvt_cmci;
	u32 timer_icr, timer_dcr;
	u64 timer_start;
	bool timer_armed;
	u64 tsc_deadline;
	bool timer_dirty;
	u64 irr[4], isr[4];
};

void x86_lapic_init(struct x86_lapic *l, u32 id);
enum x86_lapic_mode x86_lapic_mode(const struct x86_lapic *l);
bool x86_lapic_xapic_page(const struct x86_lapic *l, u64 gpa);
int x86_lapic_msr_read(struct x86_lapic *l, u32 msr,
		       const struct x86_time *now, u64 *val);
int x86_lapic_msr_write(struct x86_lapic *l, u32 msr, u64 val,
			const struct x86_time *now);
u64 x86_lapic_mmio_read(struct x86_lapic *l, u32 offset, unsigned int size,
			const struct x86_time *now);
void x86_lapic_mmio_write(struct x86_lapic *l, u32 offset, unsigned int size,
			  u32 val, const struct x86_time *now);
bool x86_lapic_timer_next(const struct x86_lapic *l,
			  const struct x86_time *now, u64 *at);
void x86_lapic_timer_expired(struct x86_lapic *l, const struct x86_time *now);
int x86_lapic_pending(const struct x86_lapic *l);
void x86_lapic_accept(struct x86_lapic *l, u8 vector);
u64 x86_lapic_cr8_read(const struct x86_lapic *l);
int x86_lapic_cr8_write(struct x86_lapic *l, u64 val);

/**
 * struct x86_paging - what decides how a guest translates and runs
 * @cr0, @cr3, @cr4, @efer: its control registers
 * @cpl:  its current privilege level (SS.DPL)
 * @mode: 16, 32 or 64: its code size (CR0.PE, EFER.LMA, CS.L, CS.D)
 */
struct x86_paging {
	u64 cr0, cr3, cr4, efer;
	int cpl;
	int mode;
};

/**
 * struct x86_walk - a guest page walk
 * @paging:   the guest's registers
 * @user:     an access with user-mode privileges (CPL 3): every level
 *            must allow it (U/S)
 * @read_gpa: reads guest-physical memory; 0 or -EFAULT
 * @ctx:      for @read_gpa
 */
struct x86_walk {
	struct x86_paging paging;
	bool user;
	int (*read_gpa)(void *ctx, u64 gpa, void *buf, size_t len);
	void *ctx;
};

/* #PF error code bits (SDM Vol. 3, 4.7). */
#define X86_PF_PROT		BIT(0)	/* a present entry refused it */
#define X86_PF_WRITE		BIT(1)
#define X86_PF_USER		BIT(2)
#define X86_PF_RSVD		BIT(3)

int x86_gva_to_gpa(const struct x86_walk *w, u64 gva, bool write, u64 *gpa,
		   u32 *pfec);

/**
 * struct x86_fault - an exception for the guest
 * @vector:    its vector; -1 for none
 * @has_error: it pushes @error
 * @address:   for #PF, the linear address that faulted (CR2)
 */
struct x86_fault {
	int vector;
	bool has_error;
	u32 error;
	u64 address;
};

/* What began a task switch, numbered as VMX's exit qualification does. */
enum x86_task_source {
	X86_TASK_CALL,
	X86_TASK_IRET,
	X86_TASK_JMP,
	X86_TASK_GATE,		/* an event through a task gate in the IDT */
};

/**
 * struct x86_task_switch - a hardware task switch to carry out (x86_task.c)
 * @selector:  the new task's TSS selector
 * @source:    what began it
 * @has_error: an exception with an error code came through a task gate:
 *             @error goes on the new task's stack
 * @return_ip: the EIP saved in the old task: the next instruction's, or
 *             the faulting one's for a fault or a hardware interrupt
 * @mem:       copies to or from guest memory by linear address, translated
 *             by @p as a supervisor access; 0, or -EFAULT with @f the #PF
 *             the guest's page tables give (vector -1 if none: no RAM)
 * @ctx:       for @mem
 */
struct x86_task_switch {
	u16 selector;
	enum x86_task_source source;
	bool has_error;
	u32 error;
	u64 return_ip;
	int (*mem)(void *ctx, const struct x86_paging *p, u64 linear,
		   void *buf, size_t len, bool write, struct x86_fault *f);
	void *ctx;
};

struct microv_sregs;
struct microv_regs;
int x86_task_switch(const struct x86_task_switch *ts, struct microv_sregs *s,
		    struct microv_regs *r, struct x86_debugregs *debug,
		    u64 *dr7, struct x86_fault *f);
int x86_fault_during(int first, struct x86_fault *f);

/* The integer ALU operations, numbered as in ModRM.reg of group 1. */
enum x86_alu_op {
	X86_ALU_ADD, X86_ALU_OR, X86_ALU_ADC, X86_ALU_SBB, X86_ALU_AND,
	X86_ALU_SUB, X86_ALU_XOR, X86_ALU_CMP, X86_ALU_TEST,
	X86_ALU_GROUP,		/* decoding: the operation is in ModRM.reg */
	X86_ALU_NONE,		/* a move */
};

u64 x86_alu(unsigned int op, u64 a, u64 b, unsigned int size, u64 *rflags);

#define X86_MAX_INSN_LEN	15

/**
 * struct x86_emul - what an emulated instruction reads and writes
 * @gprs:     the general registers by x86 number, RSP included
 * @rip:      the instruction's address, then the next one's
 * @rflags:   the arithmetic flags change
 * @seg_base: ES, CS, SS, DS, FS, GS bases
 * @mode:     16, 32 or 64, as struct x86_paging
 * @insn:     the instruction's bytes, as many as could be fetched
 * @insn_len: how many
 * @fault:    an exception the instruction raised instead of retiring
 *            (vector -1: none)
 */
struct x86_emul {
	u64 gprs[16];
	u64 rip, rflags;
	u64 seg_base[6];
	int mode;
	u8 insn[X86_MAX_INSN_LEN];
	unsigned int insn_len;
	struct x86_fault fault;
};

/**
 * struct x86_string_io - an INS or OUTS, decoded (x86_decode_string_io())
 * @linear:   its next element's linear address
 * @count:    elements left: rCX with REP (0 does nothing), else 1
 * @next_rip: the instruction after it
 * @adsize:   address size, 2, 4 or 8 bytes: rSI/rDI's and rCX's width
 * @reg:      the register that holds the address: rSI (6) or rDI (7)
 * @rep:      a REP prefix
 * @down:     EFLAGS.DF: the addresses go down
 */
struct x86_string_io {
	u64 linear;
	u64 count;
	u64 next_rip;
	unsigned int adsize;
	int reg;
	bool rep;
	bool down;
};

int x86_decode_string_io(const struct x86_emul *e, bool in, unsigned int size,
			 struct x86_string_io *s);
void x86_string_io_done(struct x86_emul *e, struct x86_string_io *s,
			unsigned int size, u64 n);

/* Reads (*val out) or writes (*val in) @size bytes of a device. */
typedef int (*x86_mmio_fn)(void *ctx, u64 gpa, unsigned int size,
			   bool write, u64 *val);

int x86_emulate_mmio(struct x86_emul *e, u64 gpa, bool write,
		     x86_mmio_fn access, void *ctx);

#endif /* MICROV_X86_H */
