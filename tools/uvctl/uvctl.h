/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uvctl: what its parts share.
 *
 * uvctl.c   the command line: options, "info", "run"
 * util.c    messages, files, sizes
 * loader.c  the ELF kernel: PT_LOAD segments and the Xen PVH notes
 * bzimage.c a bzImage's payload, found and decompressed
 * layout.c  the guest's memory layout, E820, hvm_start_info, registers
 * domain.c  the domain through /dev/microv: RAM, map, rings, vCPU state
 * run.c     one thread per vCPU, and what each exit means
 * console.c the terminal and the console fd
 * xenstore.c the host's xenstore daemon: its socket protocol, started
 *           on demand
 * xsdomain.c the guest's xenstore: ring, nodes, introduce, release,
 *           memory target
 * disk_opt.c --disk
 * blkback.c the PV block backend, a thread per disk
 *
 * Documentation/uvctl.rst is the manual; Documentation/guest-boot.rst
 * says what the guest finds when it starts.
 */
#ifndef UVCTL_H
#define UVCTL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/microv.h>
#include <xen/arch-x86/hvm/start_info.h>

#define UVCTL_VERSION	"0.2"
#define MICROV_DEVICE	"/dev/microv"

#define UV_PAGE_SIZE	4096ULL
#define UV_KiB		1024ULL
#define UV_MiB		(1024ULL * UV_KiB)
#define UV_GiB		(1024ULL * UV_MiB)

#define UV_ALIGN_UP(x, a)	(((x) + (a) - 1) / (a) * (a))
#define UV_ALIGN_DOWN(x, a)	((x) / (a) * (a))
#define UV_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Exit statuses of uvctl (Documentation/uvctl.rst, "Exit status"): a
 * script can tell how the guest ended without parsing messages.
 */
enum uv_status {
	UV_EXIT_POWEROFF = 0,	/* the guest powered off (or "detached") */
	UV_EXIT_ERROR = 1,	/* uvctl or the host failed */
	UV_EXIT_USAGE = 2,	/* bad command line */
	UV_EXIT_REBOOT = 3,	/* the guest asked to reboot */
	UV_EXIT_CRASH = 4,	/* SHUTDOWN_crash or SHUTDOWN_watchdog */
	UV_EXIT_STOPPED = 5,	/* the guest stopped itself otherwise */
	UV_EXIT_SIGNAL = 128,	/* + the signal number */
};

/* Guest RAM limits of "--ram". */
#define UV_RAM_DEFAULT	(256 * UV_MiB)
#define UV_RAM_MIN	(2 * UV_MiB)	/* Xen boots a small PVH guest in this */
#define UV_RAM_MAX	MICROV_MAX_GPA

/* util.c */
extern bool uv_verbose;
extern __thread char uv_last_error[512];
extern bool uv_quiet;

void uv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void uv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void uv_phase(const char *what);

struct uv_buf {
	unsigned char *data;
	size_t size;
};

int uv_read_file(const char *path, const char *what, struct uv_buf *b);
void uv_buf_free(struct uv_buf *b);
int uv_parse_size(const char *s, const char *what, uint64_t *bytes);
int uv_parse_ram(const char *s, uint64_t *bytes);
int uv_parse_uint(const char *s, unsigned long max, unsigned long *out);
uint32_t uv_le32(const unsigned char *p);
uint64_t uv_le64(const unsigned char *p);

/* loader.c */
#define UV_MAX_SEGMENTS	32

/**
 * struct uv_segment - one PT_LOAD segment of the kernel
 * @paddr:  where the ELF file puts it (p_paddr), before any relocation
 * @filesz: bytes copied from @data
 * @memsz:  bytes it spans in guest memory; zeroed past @filesz
 * @data:   its bytes inside &uv_kernel.elf
 */
struct uv_segment {
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	const unsigned char *data;
};

/**
 * struct uv_kernel - a kernel as found in its file
 * @name:         the file name, for messages
 * @file:         the file's bytes
 * @elf:          the ELF image: @file itself, or a bzImage's payload
 * @compression:  NULL for an ELF file, else the payload's ("xz"...)
 * @elf_class:    32 or 64
 * @nr_segments:  PT_LOAD segments with a size
 * @segments:     them, in file order
 * @lo:           lowest p_paddr of the image
 * @hi:           end of the image (highest p_paddr + p_memsz)
 * @max_p_align:  largest p_align of a PT_LOAD (relocation's default)
 * @entry:        XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit physical entry
 * @relocatable:  XEN_ELFNOTE_PHYS32_RELOC is present
 * @reloc_align:  its alignment (or the default), for a relocated image
 * @reloc_min:    lowest address the image may start at
 * @reloc_max:    highest address its last byte may be at
 */
struct uv_kernel {
	const char *name;
	struct uv_buf file;
	struct uv_buf elf;
	const char *compression;
	int elf_class;
	unsigned int nr_segments;
	struct uv_segment segments[UV_MAX_SEGMENTS];
	uint64_t lo, hi;
	uint64_t max_p_align;
	uint32_t entry;
	bool relocatable;
	uint32_t reloc_align, reloc_min, reloc_max;
};

int uv_kernel_open(struct uv_kernel *k, const char *path);
int uv_kernel_from_buf(struct uv_kernel *k, const char *name,
		       struct uv_buf *file);
void uv_kernel_free(struct uv_kernel *k);
int uv_kernel_load(const struct uv_kernel *k, unsigned char *mem,
		   uint64_t size, uint64_t delta);

/* bzimage.c */
bool uv_is_bzimage(const struct uv_buf *b);
int uv_bzimage_payload(const struct uv_buf *b, const char *name,
		       struct uv_buf *elf, const char **compression);

/* layout.c */
#define UV_BOOT_GPA		0xe000ULL	/* start_info & co. */
#define UV_BOOT_SIZE		0x2000ULL
/* ACPI tables, inside the boot region (acpi.c). */
#define UV_ACPI_OFF		0x400ULL
#define UV_ACPI_SIZE		0x400ULL
/* Bochs's and Xen's debug console port: uvctl prints what comes out. */
#define UV_DEBUG_PORT		0xe9
/* The FADT's sleep control and status registers: ports uvctl watches. */
#define UV_ACPI_SLEEP_CTL	0xb000
#define UV_ACPI_SLEEP_STS	0xb001
#define UV_ACPI_SLP_TYP_S5	5	/* \_S5's SLP_TYP */
#define UV_ACPI_SLP_EN		0x20	/* sleep control: SLP_EN, SLP_TYP 4:2 */
#define UV_ACPI_RESET		0xb004	/* the FADT's reset register */
#define UV_ACPI_RESET_VALUE	0x01
#define UV_LEGACY_HOLE		0x9f000ULL	/* reserved to 1 MiB */
#define UV_HIGH_RAM		0x100000ULL
#define UV_NR_SPECIAL		2		/* console, xenstore */
#define UV_CMDLINE_MAX		2048	/* Linux's COMMAND_LINE_SIZE */
#define UV_E820_MAX		16

/**
 * struct uv_layout - where everything goes in guest-physical memory
 * @ram_size:       guest RAM, one slot at GPA 0
 * @nr_vcpus:       vCPUs, each with a local APIC in the MADT
 * @nr_e820:        entries in @e820
 * @e820:           the memory map, sorted, covering [0, @ram_size)
 * @start_info_gpa: struct hvm_start_info (EBX at the entry)
 * @modlist_gpa:    struct hvm_modlist_entry[1], the initrd
 * @memmap_gpa:     @e820 as the guest reads it
 * @cmdline_gpa:    the command line, NUL-terminated
 * @console_gpa:    the console ring's page
 * @xenstore_gpa:   the xenstore ring's page
 * @kernel_base:    where the image's lowest byte goes
 * @kernel_end:     one past its highest
 * @kernel_delta:   @kernel_base - &uv_kernel.lo (mod 2^64): added to every
 *                  p_paddr and to the entry
 * @relocated:      @kernel_delta is not 0 (XEN_ELFNOTE_PHYS32_RELOC used)
 * @entry:          the PVH entry after relocation
 * @initrd_gpa:     the initrd (page-aligned), 0 for none
 * @initrd_size:    its size in bytes
 */
struct uv_layout {
	uint64_t ram_size;
	unsigned int nr_vcpus;
	unsigned int nr_e820;
	struct hvm_memmap_table_entry e820[UV_E820_MAX];
	uint64_t start_info_gpa, modlist_gpa, memmap_gpa, cmdline_gpa;
	uint64_t console_gpa, xenstore_gpa;
	uint64_t kernel_base, kernel_end, kernel_delta;
	bool relocated;
	uint32_t entry;
	uint64_t initrd_gpa, initrd_size;
};

int uv_layout_plan(struct uv_layout *l, uint64_t ram_size,
		   unsigned int nr_vcpus, const struct uv_kernel *k,
		   uint64_t initrd_size, size_t cmdline_len);
int uv_layout_write(const struct uv_layout *l, unsigned char *mem,
		    const struct uv_kernel *k, const struct uv_buf *initrd,
		    const char *cmdline);
void uv_layout_print(const struct uv_layout *l, const struct uv_kernel *k,
		     const char *cmdline, FILE *f, const char *prefix);
const char *uv_e820_type_name(uint32_t type);
uint64_t uv_acpi_write(unsigned char *mem, uint64_t gpa,
		       unsigned int nr_vcpus);
void uv_start_state(const struct uv_layout *l, struct microv_regs *regs,
		    struct microv_sregs *sregs);

/* xenstore.c */
#define UV_XS_SOCKET	"/var/run/xenstored/socket"
#define UV_XS_FDS	2	/* INTRODUCE's: grant fd, event-channel fd */

/**
 * struct uv_xs - a connection to the host's xenstore daemon
 * @fd:     its socket, -1 when closed
 * @req_id: of the last request
 * @events: watch events read and not yet taken (uv_xs_take_events())
 */
struct uv_xs {
	int fd;
	uint32_t req_id;
	int events;
};

const char *uv_xs_socket(void);
int uv_xs_open(struct uv_xs *xs, bool start);
void uv_xs_close(struct uv_xs *xs);
int uv_xs_request(struct uv_xs *xs, uint32_t type, const void *payload,
		  size_t len, const int *fds, char *reply, size_t size);
int uv_xs_write(struct uv_xs *xs, const char *path, const char *value);
int uv_xs_printf(struct uv_xs *xs, const char *dir, const char *node,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int uv_xs_read(struct uv_xs *xs, const char *path, char *buf, size_t size);
int uv_xs_rm(struct uv_xs *xs, const char *path);
int uv_xs_set_perms(struct uv_xs *xs, const char *path, unsigned int owner,
		    char others, int reader);
int uv_xs_directory(struct uv_xs *xs, const char *path, char *buf,
		    size_t size);
int uv_xs_introduce(struct uv_xs *xs, unsigned int domid, uint64_t gfn,
		    unsigned int port, const int fds[UV_XS_FDS]);
int uv_xs_release(struct uv_xs *xs, unsigned int domid);
int uv_xs_introduced(struct uv_xs *xs, unsigned int domid);
int uv_xs_watch(struct uv_xs *xs, const char *path, const char *token);
int uv_xs_take_events(struct uv_xs *xs);

/* disk_opt.c, blkback.c: the guest's disks */
#define UV_MAX_DISKS	16

struct uv_blkback;

/**
 * struct uv_disk - one --disk, a PV block device
 * @path:  the file or block device
 * @ro:    the guest may only read it
 * @vdev:  its name in Xen's words (xvda...)
 * @devid: Xen's virtual-device number for @vdev
 * @be:    its backend (blkback.c), NULL before uv_disks_open()
 */
struct uv_disk {
	const char *path;
	bool ro;
	char vdev[8];
	unsigned int devid;
	struct uv_blkback *be;
};

int uv_disk_parse(char *arg, unsigned int index, struct uv_disk *d);

/* domain.c, run.c, console.c: a running guest */
/* Multi-vCPU guests are not supported yet. */
#define UV_MAX_VCPUS	1

struct uv_guest;

/**
 * struct uv_vcpu - one vCPU and the host thread that runs it
 * @guest:   its guest
 * @id:      the vCPU id
 * @fd:      its fd, -1 when closed
 * @run:     the mmap()ed run area
 * @thread:  the thread looping on MICROV_RUN
 * @started: @thread exists and must be joined
 */
struct uv_vcpu {
	struct uv_guest *guest;
	unsigned int id;
	int fd;
	struct microv_run *run;
	pthread_t thread;
	bool started;
};

/**
 * struct uv_guest - the domain uvctl runs
 * @dev:        /dev/microv, -1 when closed
 * @dom:        the domain fd
 * @console:    the console fd (non-blocking), -1 if there is none
 * @hvlog:      the fd of its console_io output (MICROV_CONSOLE_HVLOG,
 *              non-blocking), -1 if there is none
 * @hvlog_bol:  the next byte of that output starts a line
 * @domid:      Xen domain id the module gave it
 * @mem:        guest RAM in this process
 * @ram_size:   its size
 * @nr_vcpus:   vCPUs in @vcpu
 * @vcpu:       the vCPUs
 * @affinity:   the host CPU to pin vCPU threads to, or -1
 * @strict_mmio: create the domain with MICROV_DOMAIN_STRICT_MMIO
 * @done_pipe:  a vCPU thread that ends writes a byte to [1]; the console
 *              loop polls [0], so that it needs no timeout
 * @stopping:   uvctl itself is tearing the guest down: a vCPU thread that
 *              sees EINTR or ESRCH then just ends
 * @lock:       protects @status
 * @status:     enum uv_status of the first vCPU that ended, -1 before
 * @io_counts:  IN ([port][0]) and OUT ([port][1]) exits per port
 * @xs:         the xenstore daemon, fd -1 for a guest without xenstore
 * @vm_path:    its /vm/UUID node
 * @store_made: its nodes may exist: uv_store_release() removes them
 * @nr_disks:   entries in @disks
 * @disks:      its PV block devices
 */
struct uv_guest {
	int dev, dom, console, hvlog;
	bool hvlog_bol;
	unsigned int domid;
	unsigned char *mem;
	uint64_t ram_size;
	unsigned int nr_vcpus;
	struct uv_vcpu vcpu[UV_MAX_VCPUS];
	int affinity;
	bool strict_mmio;
	int done_pipe[2];
	atomic_bool stopping;
	pthread_mutex_t lock;
	int status;
	char end_msg[512];
	bool end_err;
	uint32_t (*io_counts)[2];
	/* The domain's counters as it was destroyed (uv_guest_destroy()). */
	struct microv_domain_info last_info;
	bool have_last_info;
	/* And what its guest asked for and did not get (MICROV_GET_DIAG). */
	struct microv_diag_entry diag[MICROV_DIAG_MAX];
	struct microv_diag diag_hdr;
	bool have_diag;
	struct uv_xs xs;
	char vm_path[48];
	bool store_made;
	unsigned int nr_disks;
	struct uv_disk disks[UV_MAX_DISKS];
};

/* diag.c */
char *uv_diag_describe(const struct microv_diag_entry *e, char *buf,
		       size_t len);

/* domain.c */
void uv_guest_init(struct uv_guest *g);
int uv_guest_open_device(struct uv_guest *g, const char *device);
int uv_guest_build(struct uv_guest *g, const char *name,
		   const struct uv_layout *l);
void uv_guest_destroy(struct uv_guest *g);
void uv_guest_close(struct uv_guest *g);

/* xsdomain.c */
int uv_store_domain(struct uv_guest *g, const char *name,
		    const struct uv_layout *l);
void uv_store_release(struct uv_guest *g);
int uv_store_find(struct uv_xs *xs, const char *which, unsigned int *domid);
int uv_store_set_target(struct uv_xs *xs, unsigned int domid,
			uint64_t bytes);

/* blkback.c */
int uv_disks_open(struct uv_guest *g);
int uv_disks_start(struct uv_guest *g);
void uv_disks_stop(struct uv_guest *g);

/* run.c */
int uv_vcpus_start(struct uv_guest *g);
void uv_vcpus_stop(struct uv_guest *g);
void uv_vcpus_join(struct uv_guest *g);
void uv_run_summary(const struct uv_guest *g);
void uv_end(struct uv_guest *g, bool err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void uv_end_say(struct uv_guest *g);

/* console.c */
enum uv_end {
	UV_END_GUEST,	/* a vCPU thread ended: see &uv_guest.status */
	UV_END_DETACH,	/* Ctrl-] on the terminal */
	UV_END_SIGNAL,	/* SIGINT, SIGTERM or SIGHUP */
	UV_END_ERROR,	/* uvctl's own loop failed */
};

void uv_out(const void *buf, size_t len);
void uv_out_abort(void);
void uv_out_end_line(void);
void uv_out_cancel_on(int fd);
bool uv_term_raw(void);
void uv_term_restore(void);
void uv_term_attach(unsigned int domid);
int uv_console_signals(void);
enum uv_end uv_console_loop(struct uv_guest *g, bool hvc, int sigfd,
			    int *signo);
void uv_console_drain(struct uv_guest *g);

/* attach.c */
int uv_console_attach(const char *device, unsigned int domid);

#endif /* UVCTL_H */
