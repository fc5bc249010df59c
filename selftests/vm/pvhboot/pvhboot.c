// SPDX-License-Identifier: GPL-2.0
/*
 * pvhboot - a multiboot (v1) program that starts an ELF vmlinux at its
 * Xen PVH entry point, so that Bochs does not spend ~40 s of emulated time
 * in the bzImage decompressor.
 *
 * Boot flow:
 *   BIOS -> ISOLINUX -> mboot.c32 loads pvhboot.elf (at 1 MiB) with
 *   module 0 = ELF vmlinux and module 1 = initramfs, then enters
 *   pvhboot_start (head.S) with EAX = multiboot magic, EBX = info.
 *   pvhboot_main():
 *     1. copies what it needs out of the multiboot info (command line
 *        minus its first word, memory map, module addresses), because
 *        the steps below may overwrite wherever mboot.c32 put them;
 *     2. parses vmlinux where it lies: PVH entry from the ELF note
 *        XEN_ELFNOTE_PHYS32_ENTRY, and the physical range the PT_LOAD
 *        segments will occupy;
 *     3. moves all modules, in order, to a "safe area" that starts above
 *        every module's end and above the kernel's highest physical
 *        address.  No destination can then overlap any source, wherever
 *        mboot.c32 put the modules, and loading the kernel cannot hit
 *        the moved copies;
 *     4. copies each PT_LOAD segment to p_paddr and zeroes it up to
 *        p_memsz;
 *     5. fills a version-1 struct hvm_start_info and jumps to the PVH
 *        entry in flat 32-bit protected mode, paging off, EBX pointing
 *        at it (head.S: pvh_enter).
 *
 * Memory placement (physical):
 *   0 - 1 MiB          BIOS, ACPI RSDP (we only read it)
 *   1 MiB - ~1.1 MiB   pvhboot itself; its .bss holds the hand-off data
 *                      (start_info, modlist, memmap, command line)
 *   16 MiB - kend      the kernel's PT_LOAD segments (Linux's
 *                      CONFIG_PHYSICAL_START; checked not to overlap us)
 *   safe area          initramfs (what the kernel keeps), then the
 *                      vmlinux copy (dead once the segments are loaded)
 */
#include <stdint.h>
#include <stddef.h>
#include <arch-x86/hvm/start_info.h>
#include <elfnote.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define __packed	__attribute__((packed))
#define __aligned(x)	__attribute__((aligned(x)))
#define __noreturn	__attribute__((noreturn))

#define SZ_4K		0x1000u
#define SZ_1M		0x100000u
#define SZ_2M		0x200000u
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((u64)(a) - 1))

/* ---- multiboot v1 structures (only the fields we use) ---- */

#define MB_LOADER_MAGIC	0x2BADB002
#define MBI_MEM		(1u << 0)
#define MBI_CMDLINE	(1u << 2)
#define MBI_MODS	(1u << 3)
#define MBI_MMAP	(1u << 6)

struct mb_info {
	u32 flags;
	u32 mem_lower;		/* KiB below 1 MiB */
	u32 mem_upper;		/* KiB above 1 MiB */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
};

struct mb_module {
	u32 start;
	u32 end;		/* first byte after the module */
	u32 string;
	u32 reserved;
};

struct mb_mmap_entry {
	u32 size;		/* of the rest of the entry */
	u64 addr;
	u64 len;
	u32 type;
} __packed;

/* ---- ELF64, just enough to load vmlinux (no libc headers here) ---- */

#define PT_LOAD		1
#define PT_NOTE		4
#define EM_X86_64	62

struct elf64_ehdr {
	u8  ident[16];
	u16 type;
	u16 machine;
	u32 version;
	u64 entry;
	u64 phoff;
	u64 shoff;
	u32 flags;
	u16 ehsize;
	u16 phentsize;
	u16 phnum;
	u16 shentsize;
	u16 shnum;
	u16 shstrndx;
};

struct elf64_phdr {
	u32 type;
	u32 flags;
	u64 offset;
	u64 vaddr;
	u64 paddr;
	u64 filesz;
	u64 memsz;
	u64 align;
};

struct elf_note {
	u32 namesz;
	u32 descsz;
	u32 type;
};

/* ---- what we hand to the kernel ---- */

#define MAX_MEMMAP	128	/* Linux's E820_MAX_ENTRIES_ZEROPAGE */
#define CMDLINE_SIZE	2048	/* Linux copies COMMAND_LINE_SIZE bytes */

/*
 * Where the hand-off data lives, and why there: it is part of pvhboot's
 * own .bss, just above 1 MiB.
 *  - It is below the kernel's lowest p_paddr (16 MiB for Debian's
 *    kernels; scan_vmlinux() refuses a kernel that would overwrite
 *    pvhboot), and below the safe area, so nothing pvhboot copies lands
 *    on it, and the kernel's own clearing of its .bss cannot wipe it.
 *  - It is outside the first 1 MiB, which BIOS data, the EBDA and Linux's
 *    real-mode trampoline use.
 *  - Linux reads all of it before it allocates any memory: pvh head.S
 *    copies start_info into the kernel's .data at once; xen_prepare_pvh()
 *    -> init_pvh_bootparams() turns memmap and modlist into boot_params
 *    (also in .data); copy_bootdata() copies the command line into
 *    boot_command_line.  Only after that does memblock start handing
 *    out RAM, so this area may then be reused freely; that is why it
 *    need not be marked reserved in the memory map.
 */
struct handoff {
	struct hvm_start_info start_info;
	struct hvm_modlist_entry modlist[1];
	struct hvm_memmap_table_entry memmap[MAX_MEMMAP];
	char cmdline[CMDLINE_SIZE];
};

static struct handoff ho __aligned(SZ_4K);

/* One loaded file: where it is now, and how big. */
struct blob {
	u32 addr;
	u32 size;
};

#define MAX_MODS	2
static struct blob mods[MAX_MODS];
static u32 nr_mods;

/* What vmlinux told us before we moved it. */
static u32 pvh_entry;
static u64 kernel_lo, kernel_hi;

extern char __image_start[], __image_end[];
void pvh_enter(u32 entry, u32 start_info) __noreturn;
void pvhboot_main(u32 magic, u32 mbi_addr);

/* ---- freestanding helpers (gcc may also emit calls to these) ---- */

void *memmove(void *dst, const void *src, size_t n)
{
	void *d = dst;

	if ((uintptr_t)dst <= (uintptr_t)src ||
	    (uintptr_t)dst >= (uintptr_t)src + n) {
		/* forward: dwords first, the few odd bytes after */
		size_t words = n / 4, bytes = n % 4;

		asm volatile("rep movsl; movl %3, %%ecx; rep movsb"
			     : "+D" (d), "+S" (src), "+c" (words)
			     : "r" (bytes) : "memory");
	} else {
		/* backward: destination overlaps the end of the source */
		d = (char *)dst + n - 1;
		src = (const char *)src + n - 1;
		asm volatile("std; rep movsb; cld"
			     : "+D" (d), "+S" (src), "+c" (n) : : "memory");
	}
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	return memmove(dst, src, n);
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	u32 fill = (u8)c * 0x01010101u;
	size_t words = n / 4, bytes = n % 4;

	asm volatile("rep stosl; movl %3, %%ecx; rep stosb"
		     : "+D" (d), "+c" (words)
		     : "a" (fill), "r" (bytes) : "memory");
	return dst;
}

static int memeq(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	while (n--)
		if (*x++ != *y++)
			return 0;
	return 1;
}

/* ---- COM1 output, so a failure says why on the serial log ---- */

#define COM1	0x3f8

static inline void outb(u16 port, u8 val)
{
	asm volatile("outb %0, %1" : : "a" (val), "Nd" (port));
}

static inline u8 inb(u16 port)
{
	u8 val;

	asm volatile("inb %1, %0" : "=a" (val) : "Nd" (port));
	return val;
}

static void serial_init(void)
{
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB on */
	outb(COM1 + 0, 0x01);	/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1, DLAB off */
	outb(COM1 + 2, 0xc7);	/* FIFO on, cleared */
	outb(COM1 + 4, 0x03);	/* DTR, RTS */
}

static void putc(char c)
{
	int spin = 100000;

	if (c == '\n')
		putc('\r');
	while (!(inb(COM1 + 5) & 0x20) && --spin)
		;
	outb(COM1, c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void puthex(u64 v)
{
	int shift = 60;

	puts("0x");
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

static void fail(const char *why)
{
	puts("pvhboot: error: ");
	puts(why);
	puts("\n");
}

/* ---- step 1: read the multiboot information ---- */

static int take_cmdline(const struct mb_info *mbi)
{
	const char *s = "";
	size_t n = 0;

	if (mbi->flags & MBI_CMDLINE)
		s = (const char *)(uintptr_t)mbi->cmdline;
	/* The first word is pvhboot's own file name: drop it. */
	while (*s == ' ')
		s++;
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	while (s[n] && n < CMDLINE_SIZE - 1)
		n++;
	if (s[n]) {
		fail("kernel command line longer than 2047 bytes");
		return -1;
	}
	memcpy(ho.cmdline, s, n);
	ho.cmdline[n] = '\0';
	return 0;
}

static u32 mb_to_hvm_type(u32 type)
{
	switch (type) {
	case 1:
		return XEN_HVM_MEMMAP_TYPE_RAM;
	case 3:
		return XEN_HVM_MEMMAP_TYPE_ACPI;
	case 4:
		return XEN_HVM_MEMMAP_TYPE_NVS;
	case 5:
		return XEN_HVM_MEMMAP_TYPE_UNUSABLE;
	default:
		return XEN_HVM_MEMMAP_TYPE_RESERVED;
	}
}

static void add_memmap(u64 addr, u64 size, u32 type)
{
	struct hvm_memmap_table_entry *e;

	if (!size || ho.start_info.memmap_entries >= MAX_MEMMAP)
		return;
	e = &ho.memmap[ho.start_info.memmap_entries++];
	e->addr = addr;
	e->size = size;
	e->type = type;
	e->reserved = 0;
}

static int take_memmap(const struct mb_info *mbi)
{
	u32 p, end;

	if (!(mbi->flags & MBI_MMAP)) {
		if (!(mbi->flags & MBI_MEM)) {
			fail("loader gave no memory map");
			return -1;
		}
		/* Without a map we only know the two classic RAM ranges. */
		add_memmap(0, (u64)mbi->mem_lower << 10,
			   XEN_HVM_MEMMAP_TYPE_RAM);
		add_memmap(SZ_1M, (u64)mbi->mem_upper << 10,
			   XEN_HVM_MEMMAP_TYPE_RAM);
		return 0;
	}
	p = mbi->mmap_addr;
	end = p + mbi->mmap_length;
	while (p + sizeof(struct mb_mmap_entry) <= end) {
		const struct mb_mmap_entry *e = (const void *)(uintptr_t)p;

		add_memmap(e->addr, e->len, mb_to_hvm_type(e->type));
		p += e->size + sizeof(e->size);
	}
	if (!ho.start_info.memmap_entries) {
		fail("loader's memory map is empty");
		return -1;
	}
	return 0;
}

static int take_modules(const struct mb_info *mbi)
{
	const struct mb_module *m = (const void *)(uintptr_t)mbi->mods_addr;
	u32 i;

	if (!(mbi->flags & MBI_MODS) || mbi->mods_count < 1) {
		fail("no modules: expected 'pvhboot.elf ARGS --- vmlinux --- initrd'");
		return -1;
	}
	nr_mods = mbi->mods_count > MAX_MODS ? MAX_MODS : mbi->mods_count;
	for (i = 0; i < nr_mods; i++) {
		if (m[i].end < m[i].start) {
			fail("module ends before it starts");
			return -1;
		}
		mods[i].addr = m[i].start;
		mods[i].size = m[i].end - m[i].start;
	}
	if (mbi->mods_count > MAX_MODS)
		puts("pvhboot: warning: modules after the initrd are ignored\n");
	return 0;
}

/* ---- step 2: understand vmlinux ---- */

/* Is [start, end) inside one RAM range of the memory map? */
static int ram_covers(u64 start, u64 end)
{
	u32 i;

	for (i = 0; i < ho.start_info.memmap_entries; i++) {
		const struct hvm_memmap_table_entry *e = &ho.memmap[i];

		if (e->type == XEN_HVM_MEMMAP_TYPE_RAM &&
		    e->addr <= start && end <= e->addr + e->size)
			return 1;
	}
	return 0;
}

static const struct elf64_phdr *phdr(const struct blob *k, u32 i)
{
	const struct elf64_ehdr *eh = (const void *)(uintptr_t)k->addr;

	return (const void *)(uintptr_t)(k->addr + (u32)eh->phoff +
					 i * eh->phentsize);
}

static int check_elf(const struct blob *k)
{
	const struct elf64_ehdr *eh = (const void *)(uintptr_t)k->addr;

	if (k->size < sizeof(*eh) || !memeq(eh->ident, "\177ELF", 4)) {
		fail("module 0 is not an ELF file (a bzImage? use vmlinux-extract)");
		return -1;
	}
	if (eh->ident[4] != 2 || eh->machine != EM_X86_64) {
		fail("module 0 is not an x86-64 ELF64 file");
		return -1;
	}
	if (eh->phentsize < sizeof(struct elf64_phdr) ||
	    eh->phoff + (u64)eh->phnum * eh->phentsize > k->size) {
		fail("vmlinux program headers are truncated");
		return -1;
	}
	return 0;
}

/* Scan one PT_NOTE segment for Xen's PHYS32_ENTRY note. */
static int find_entry_note(const struct blob *k, const struct elf64_phdr *ph)
{
	u32 off = (u32)ph->offset, end = (u32)(ph->offset + ph->filesz);

	if (ph->offset + ph->filesz > k->size)
		return 0;
	while (off + sizeof(struct elf_note) <= end) {
		const struct elf_note *n = (const void *)(k->addr + off);
		u32 name = off + sizeof(*n);
		u32 desc = name + (u32)ALIGN_UP(n->namesz, 4);

		if ((u64)desc + n->descsz > end)
			break;
		if (n->type == XEN_ELFNOTE_PHYS32_ENTRY && n->namesz == 4 &&
		    memeq((void *)(uintptr_t)(k->addr + name), "Xen", 4) &&
		    n->descsz >= 4) {
			pvh_entry = *(const u32 *)(uintptr_t)(k->addr + desc);
			return 1;
		}
		off = desc + (u32)ALIGN_UP(n->descsz, 4);
	}
	return 0;
}

static int scan_vmlinux(const struct blob *k)
{
	const struct elf64_ehdr *eh = (const void *)(uintptr_t)k->addr;
	u32 i;

	if (check_elf(k))
		return -1;
	kernel_lo = ~0ull;
	kernel_hi = 0;
	for (i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph = phdr(k, i);

		if (ph->type == PT_NOTE && !pvh_entry)
			find_entry_note(k, ph);
		if (ph->type != PT_LOAD || !ph->memsz)
			continue;
		if (ph->filesz > ph->memsz ||
		    ph->offset + ph->filesz > k->size) {
			fail("vmlinux PT_LOAD segment lies outside the file");
			return -1;
		}
		if (ph->paddr < kernel_lo)
			kernel_lo = ph->paddr;
		if (ph->paddr + ph->memsz > kernel_hi)
			kernel_hi = ph->paddr + ph->memsz;
	}
	if (!pvh_entry) {
		fail("vmlinux has no XEN_ELFNOTE_PHYS32_ENTRY note (CONFIG_PVH off?)");
		return -1;
	}
	if (kernel_hi > 0xffffffffull || kernel_lo > kernel_hi) {
		fail("vmlinux must load below 4 GiB");
		return -1;
	}
	if (kernel_lo < (uintptr_t)__image_end &&
	    kernel_hi > (uintptr_t)__image_start) {
		fail("vmlinux would overwrite pvhboot (loads below 16 MiB?)");
		return -1;
	}
	if (!ram_covers(kernel_lo, kernel_hi)) {
		fail("vmlinux loads outside RAM (guest memory too small?)");
		return -1;
	}
	return 0;
}

/* ---- step 3: move the modules out of the way ---- */

static int move_modules(void)
{
	u64 safe = kernel_hi, need = 0;
	u32 i;

	for (i = 0; i < nr_mods; i++) {
		if (mods[i].addr + (u64)mods[i].size > safe)
			safe = mods[i].addr + (u64)mods[i].size;
		need += ALIGN_UP(mods[i].size, SZ_4K);
	}
	safe = ALIGN_UP(safe, SZ_2M);
	if (safe + need > 0xffffffffull || !ram_covers(safe, safe + need)) {
		fail("not enough RAM above the kernel and modules");
		puts("  safe area would be ");
		puthex(safe);
		puts(" + ");
		puthex(need);
		puts("\n");
		return -1;
	}
	/*
	 * Every destination starts above every source's end, so no copy
	 * can overwrite a module that has not moved yet.  The initrd goes
	 * first, making it the lowest thing the kernel must keep.
	 */
	for (i = 0; i < 2; i++) {
		u32 j = 1 - i;		/* initrd (1), then vmlinux (0) */

		if (j >= nr_mods)
			continue;
		puts("pvhboot: module ");
		puthex(j);
		puts(" ");
		puthex(mods[j].addr);
		puts(" -> ");
		puthex(safe);
		puts("\n");
		memmove((void *)(uintptr_t)safe,
			(void *)(uintptr_t)mods[j].addr, mods[j].size);
		mods[j].addr = (u32)safe;
		safe += ALIGN_UP(mods[j].size, SZ_4K);
	}
	return 0;
}

/* ---- step 4: load the kernel ---- */

static void load_kernel(const struct blob *k)
{
	const struct elf64_ehdr *eh = (const void *)(uintptr_t)k->addr;
	u32 i;

	for (i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph = phdr(k, i);
		char *dst = (char *)(uintptr_t)ph->paddr;

		if (ph->type != PT_LOAD || !ph->memsz)
			continue;
		memmove(dst, (void *)(uintptr_t)(k->addr + (u32)ph->offset),
			(u32)ph->filesz);
		memset(dst + ph->filesz, 0, (u32)(ph->memsz - ph->filesz));
	}
}

/* ---- step 5: start_info ---- */

static u8 checksum(const u8 *p, u32 len)
{
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

static u32 scan_rsdp(u32 start, u32 end)
{
	for (start &= ~15u; start + 20 <= end; start += 16) {
		const u8 *p = (const u8 *)(uintptr_t)start;

		if (memeq(p, "RSD PTR ", 8) && !checksum(p, 20))
			return start;
	}
	return 0;
}

/*
 * The ACPI RSDP is in the first KiB of the EBDA or in the BIOS ROM area
 * (ACPI spec 5.2.5.1).  A PVH kernel takes it from start_info: Linux
 * would fall back to its own legacy scan, but the PVH ABI does not
 * promise that, and without ACPI tables there is no MADT and only the
 * boot CPU comes up.
 */
static u32 find_rsdp(void)
{
	const u16 *bda_ebda = (const u16 *)0x40e;
	u32 ebda, rsdp = 0;

	/* Hide the constant from gcc: it flags low addresses as NULL+n. */
	asm("" : "+r" (bda_ebda));
	ebda = (u32)*bda_ebda << 4;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		rsdp = scan_rsdp(ebda, ebda + 1024);
	if (!rsdp)
		rsdp = scan_rsdp(0xe0000, 0x100000);
	return rsdp;
}

static void fill_start_info(void)
{
	struct hvm_start_info *si = &ho.start_info;

	si->magic = XEN_HVM_START_MAGIC_VALUE;
	si->version = 1;
	si->flags = 0;
	si->cmdline_paddr = (uintptr_t)ho.cmdline;
	si->rsdp_paddr = find_rsdp();
	si->memmap_paddr = (uintptr_t)ho.memmap;
	/* memmap_entries was counted by take_memmap() */
	si->nr_modules = 0;
	if (nr_mods > 1 && mods[1].size) {
		ho.modlist[0].paddr = mods[1].addr;
		ho.modlist[0].size = mods[1].size;
		si->modlist_paddr = (uintptr_t)ho.modlist;
		si->nr_modules = 1;
	}
}

static void report(void)
{
	puts("pvhboot: kernel ");
	puthex(kernel_lo);
	puts("-");
	puthex(kernel_hi);
	puts(" entry ");
	puthex(pvh_entry);
	puts(" initrd ");
	puthex(ho.modlist[0].paddr);
	puts("+");
	puthex(ho.modlist[0].size);
	puts(" rsdp ");
	puthex(ho.start_info.rsdp_paddr);
	puts("\n");
	if (!ho.start_info.rsdp_paddr)
		puts("pvhboot: warning: no ACPI RSDP; the kernel must find ACPI itself\n");
}

void pvhboot_main(u32 magic, u32 mbi_addr)
{
	const struct mb_info *mbi = (const void *)(uintptr_t)mbi_addr;

	serial_init();
	if (magic != MB_LOADER_MAGIC) {
		fail("not started by a multiboot loader");
		return;
	}
	if (take_cmdline(mbi) || take_memmap(mbi) || take_modules(mbi))
		return;
	if (scan_vmlinux(&mods[0]) || move_modules())
		return;
	load_kernel(&mods[0]);
	fill_start_info();
	report();
	pvh_enter(pvh_entry, (uintptr_t)&ho.start_info);
}
