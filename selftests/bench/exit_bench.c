// SPDX-License-Identifier: GPL-2.0
/*
 * exit_bench: what a VM exit costs under microv, and under Debian's KVM in
 * the same machine, measured the same way:
 *
 *   cpuid   TSC cycles per CPUID executed by the guest (an exit handled in
 *           the kernel and straight back), timed by the guest itself
 *   io      TSC cycles per OUT that goes to userspace and back (RUN
 *           returns, RUN again), timed by the host thread
 *   hypercall  TSC cycles per Xen hypercall handled in the kernel
 *           (xen_version(XENVER_version); under KVM the same VMCALL is
 *           one of KVM's own hypercalls, unknown to it: -ENOSYS)
 *   evtchn  TSC cycles per EVTCHNOP_send to a port bound with
 *           EVTCHNOP_bind_ipi (microv only)
 *   domain  domains created, given 64 KiB of RAM and a vCPU, run to HLT
 *           and destroyed, per second
 *
 * A bench build of microv (MICROV_BENCH=1) counts the costly instructions
 * it executes: for each figure above but domain, "BENCH microv
 * WHAT.INSN N per-exit" lines say how many of each one exit took.
 *
 * Usage: exit_bench microv|kvm [ROUNDS]
 * It prints "BENCH <hypervisor> <what> <value> <unit>" lines.  microv.ko
 * or kvm_intel must be loaded (they never are together).  Not a test:
 * it asserts nothing and fails only if it cannot run a guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <linux/kvm.h>
#include <linux/microv.h>

#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000
#define CPUID_LOOPS	20000

/*
 * Real mode guests.  cpuid: RDTSC, CPUID_LOOPS times CPUID, RDTSC; the two
 * readings end in ESI:EDI and EAX:EDX at the HLT.  io: OUT forever.
 * hypercall and evtchn: the same, with a VMCALL (32-bit arguments in EBX,
 * ECX; an argument structure at 0x3000) instead of CPUID.
 */
/* CPUID_LOOPS rounds of the loop at label N, timed with RDTSC. */
#define STR(x)		#x
#define XSTR(x)		STR(x)
#define LOOP_START	"	mov $" XSTR(CPUID_LOOPS) ", %ebp\n"		\
			"	rdtsc\n"					\
			"	mov %eax, %esi\n"				\
			"	mov %edx, %edi\n"
#define LOOP_END(n)	"	dec %ebp\n"					\
			"	jnz " n "b\n"					\
			"	rdtsc\n"					\
			"	hlt\n"
extern const unsigned char cpuid_start[], cpuid_end[], io_start[], io_end[],
	hypercall_start[], evtchn_start[], evtchn_end[];
asm(".pushsection .rodata\n"
    "hypercall_start:\n"
    ".code16\n"
    "	cli\n"
    LOOP_START
    "1:	mov $17, %eax\n"			/* __HYPERVISOR_xen_version */
    "	xor %ebx, %ebx\n"			/* XENVER_version */
    "	xor %ecx, %ecx\n"
    "	vmcall\n"
    LOOP_END("1")
    "evtchn_start:\n"
    "	cli\n"
    "	mov $32, %eax\n"			/* __HYPERVISOR_event_channel_op */
    "	mov $7, %ebx\n"			/* EVTCHNOP_bind_ipi, vCPU 0 */
    "	mov $0x3000, %ecx\n"
    "	vmcall\n"
    "	mov 0x3004, %eax\n"
    "	mov %eax, 0x3008\n"
    LOOP_START
    "2:	mov $32, %eax\n"
    "	mov $4, %ebx\n"			/* EVTCHNOP_send */
    "	mov $0x3008, %ecx\n"
    "	vmcall\n"
    LOOP_END("2")
    "evtchn_end:\n"
    ".code64\n"
    ".popsection\n");
#define hypercall_end evtchn_start

asm(".pushsection .rodata\n"
    "cpuid_start:\n"
    ".code16\n"
    "	cli\n"
    LOOP_START
    "1:	xor %eax, %eax\n"
    "	cpuid\n"
    LOOP_END("1")
    "io_start:\n"
    "	cli\n"
    "2:	out %al, $0x80\n"
    "	jmp 2b\n"
    ".code64\n"
    "io_end:\n"
    ".popsection\n");
#define cpuid_end io_start

struct guest {
	int sys, vm, vcpu;
	void *run;
	size_t run_size;
	unsigned char *mem;
};

/* Everything a hypervisor has to offer the benchmark. */
struct hv {
	const char *name;
	const char *dev;
	int (*create)(struct guest *g, const unsigned char *code, size_t len);
	/* Runs once; returns 1 for an OUT, 2 for HLT, -1 on anything else. */
	int (*run)(struct guest *g);
	void (*regs)(struct guest *g, uint64_t *rax, uint64_t *rdx,
		     uint64_t *rsi, uint64_t *rdi);
};

static void die(const char *what)
{
	fprintf(stderr, "exit_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned char *guest_mem(const unsigned char *code, size_t len)
{
	unsigned char *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		die("mmap");
	memcpy(mem + CODE_GPA, code, len);
	return mem;
}

static void guest_destroy(struct guest *g)
{
	munmap(g->run, g->run_size);
	close(g->vcpu);
	close(g->vm);
	munmap(g->mem, MEM_SIZE);
}

/* ---- microv ---- */

static int uv_create(struct guest *g, const unsigned char *code, size_t len)
{
	struct microv_create_domain cd = { 0 };
	struct microv_memory_region r = { 0 };
	struct microv_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	struct microv_segment seg = { .limit = 0xffff, .type = 3, .s = 1,
				      .present = 1 };
	struct microv_sregs s = { 0 };

	g->mem = guest_mem(code, len);
	g->vm = ioctl(g->sys, MICROV_CREATE_DOMAIN, &cd);
	if (g->vm < 0)
		return -1;
	r.memory_size = MEM_SIZE;
	r.userspace_addr = (unsigned long)g->mem;
	if (ioctl(g->vm, MICROV_SET_MEMORY_REGION, &r))
		return -1;
	g->vcpu = ioctl(g->vm, MICROV_CREATE_VCPU, 0);
	if (g->vcpu < 0)
		return -1;
	g->run_size = sizeof(struct microv_run);
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->vcpu, 0);
	if (g->run == MAP_FAILED)
		return -1;
	s.cs = s.ds = s.es = s.fs = s.gs = s.ss = seg;
	s.cs.type = 11;
	s.tr.type = 11;
	s.tr.present = 1;
	s.tr.limit = 0x67;
	s.ldt.unusable = 1;
	s.idt.limit = 0x3ff;
	if (ioctl(g->vcpu, MICROV_SET_SREGS, &s))
		return -1;
	return ioctl(g->vcpu, MICROV_SET_REGS, &regs);
}

static int uv_run(struct guest *g)
{
	struct microv_run *run = g->run;

	if (ioctl(g->vcpu, MICROV_RUN, 0))
		return -1;
	if (run->exit_reason == MICROV_EXIT_IO)
		return 1;
	return run->exit_reason == MICROV_EXIT_HLT ? 2 : -1;
}

static void uv_regs(struct guest *g, uint64_t *rax, uint64_t *rdx,
		    uint64_t *rsi, uint64_t *rdi)
{
	struct microv_regs r;

	if (ioctl(g->vcpu, MICROV_GET_REGS, &r))
		die("MICROV_GET_REGS");
	*rax = r.rax;
	*rdx = r.rdx;
	*rsi = r.rsi;
	*rdi = r.rdi;
}

/* ---- KVM ---- */

static int kvm_create(struct guest *g, const unsigned char *code, size_t len)
{
	struct kvm_userspace_memory_region r = { 0 };
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	struct kvm_sregs s;

	g->mem = guest_mem(code, len);
	g->vm = ioctl(g->sys, KVM_CREATE_VM, 0);
	if (g->vm < 0)
		return -1;
	r.memory_size = MEM_SIZE;
	r.userspace_addr = (unsigned long)g->mem;
	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &r))
		return -1;
	g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0);
	if (g->vcpu < 0)
		return -1;
	g->run_size = ioctl(g->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->vcpu, 0);
	if (g->run == MAP_FAILED)
		return -1;
	if (ioctl(g->vcpu, KVM_GET_SREGS, &s))
		return -1;
	s.cs.base = 0;
	s.cs.selector = 0;
	if (ioctl(g->vcpu, KVM_SET_SREGS, &s))
		return -1;
	return ioctl(g->vcpu, KVM_SET_REGS, &regs);
}

static int kvm_run_once(struct guest *g)
{
	struct kvm_run *run = g->run;

	if (ioctl(g->vcpu, KVM_RUN, 0))
		return -1;
	if (run->exit_reason == KVM_EXIT_IO)
		return 1;
	return run->exit_reason == KVM_EXIT_HLT ? 2 : -1;
}

static void kvm_get(struct guest *g, uint64_t *rax, uint64_t *rdx,
		    uint64_t *rsi, uint64_t *rdi)
{
	struct kvm_regs r;

	if (ioctl(g->vcpu, KVM_GET_REGS, &r))
		die("KVM_GET_REGS");
	*rax = r.rax;
	*rdx = r.rdx;
	*rsi = r.rsi;
	*rdi = r.rdi;
}

static const struct hv hvs[] = {
	{ "microv", "/dev/microv", uv_create, uv_run, uv_regs },
	{ "kvm", "/dev/kvm", kvm_create, kvm_run_once, kvm_get },
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The bench build's instruction counters (module/bench.h), if any. */
#define COUNTS	"/sys/class/misc/microv/bench"

static void counts_reset(const struct hv *hv)
{
	int fd = strcmp(hv->name, "microv") ? -1 : open(COUNTS, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "0", 1) != 1)
			die(COUNTS);
		close(fd);
	}
}

/* Each counter divided by the exits counted with it. */
static void counts_print(const struct hv *hv, const char *what)
{
	char name[32][32];
	double val[32], exits = 0;
	int n = 0, i;
	FILE *f;

	if (strcmp(hv->name, "microv") || !(f = fopen(COUNTS, "r")))
		return;
	while (n < 32 && fscanf(f, "%31s %lf", name[n], &val[n]) == 2)
		if (!strcmp(name[n++], "exits"))
			exits = val[n - 1];
	fclose(f);
	for (i = 0; exits > 0 && i < n; i++)
		if (strcmp(name[i], "exits"))
			printf("BENCH %s %s.%s %.2f per-exit\n", hv->name, what,
			       name[i], val[i] / exits);
}

/* A guest that times CPUID_LOOPS exits itself with RDTSC, then HLTs. */
static void bench_loop(const struct hv *hv, int sys, const char *what,
		       const unsigned char *code, size_t len)
{
	uint64_t rax, rdx, rsi, rdi;
	struct guest g = { .sys = sys };

	if (hv->create(&g, code, len))
		die(what);
	counts_reset(hv);
	if (hv->run(&g) != 2)
		die(what);
	hv->regs(&g, &rax, &rdx, &rsi, &rdi);
	printf("BENCH %s %s %.0f cycles/exit\n", hv->name, what,
	       (double)((((rdx & 0xffffffff) << 32) | (rax & 0xffffffff)) -
			(((rdi & 0xffffffff) << 32) | (rsi & 0xffffffff))) /
	       CPUID_LOOPS);
	counts_print(hv, what);
	guest_destroy(&g);
}

static void bench_io(const struct hv *hv, int sys, int rounds)
{
	struct guest g = { .sys = sys };
	uint64_t t0;
	int i;

	if (hv->create(&g, io_start, io_end - io_start) || hv->run(&g) != 1)
		die("io guest");
	counts_reset(hv);
	t0 = __rdtsc();
	for (i = 0; i < rounds; i++)
		if (hv->run(&g) != 1)
			die("io exit");
	printf("BENCH %s io %.0f cycles/exit\n", hv->name,
	       (double)(__rdtsc() - t0) / rounds);
	counts_print(hv, "io");
	guest_destroy(&g);
}

static void bench_domain(const struct hv *hv, int sys, int rounds)
{
	double t0 = now();
	int i;

	for (i = 0; i < rounds; i++) {
		struct guest g = { .sys = sys };

		/* The cpuid guest minus its loop: straight to HLT. */
		static const unsigned char hlt[] = { 0xfa, 0xf4 };

		if (hv->create(&g, hlt, sizeof(hlt)) || hv->run(&g) != 2)
			die("domain round");
		guest_destroy(&g);
	}
	printf("BENCH %s domain %.1f domains/s\n", hv->name,
	       rounds / (now() - t0));
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 2000;
	const struct hv *hv = NULL;
	unsigned int i;
	int sys;

	for (i = 0; argc > 1 && i < sizeof(hvs) / sizeof(hvs[0]); i++)
		if (!strcmp(argv[1], hvs[i].name))
			hv = &hvs[i];
	if (!hv || rounds <= 0) {
		fprintf(stderr, "usage: exit_bench microv|kvm [ROUNDS]\n");
		return 2;
	}
	sys = open(hv->dev, O_RDWR | O_CLOEXEC);
	if (sys < 0)
		die(hv->dev);
	bench_loop(hv, sys, "cpuid", cpuid_start, cpuid_end - cpuid_start);
	bench_loop(hv, sys, "hypercall", hypercall_start,
		   hypercall_end - hypercall_start);
	if (!strcmp(hv->name, "microv"))
		bench_loop(hv, sys, "evtchn", evtchn_start,
			   evtchn_end - evtchn_start);
	bench_io(hv, sys, rounds);
	bench_domain(hv, sys, rounds / 20 ? rounds / 20 : 1);
	return 0;
}
