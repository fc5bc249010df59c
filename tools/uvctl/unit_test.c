// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of uvctl's loader, bzImage decompression and guest layout,
 * with no /dev/microv: KTAP on stdout, built with AddressSanitizer and
 * UBSan by "make -C tools check".
 *
 * Small ELF kernels are made here, byte by byte, so that every note
 * variant and the relocation can be tried; they are wrapped in fake
 * bzImages compressed with each codec.  The real Debian kernels of the
 * bench's cache (~/.cache/microv/kernels, or $MICROV_CACHE) are loaded
 * too when they are there, and skipped when not.
 */
#include <dirent.h>
#include <elf.h>
#include <lz4.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "uvctl.h"

#ifndef XEN_ELFNOTE_PHYS32_ENTRY
#define XEN_ELFNOTE_PHYS32_ENTRY	18
#endif
#define XEN_ELFNOTE_PHYS32_RELOC_	19

static int nr_tests, nr_failed;

static void result(bool ok, const char *skip, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void result(bool ok, const char *skip, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	if (!ok)
		nr_failed++;
	printf("%sok %d ", ok ? "" : "not ", nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (skip)
		printf(" # SKIP %s", skip);
	printf("\n");
	fflush(stdout);
}

#define OK(cond, ...)	result((cond), NULL, __VA_ARGS__)
#define SKIP(why, ...)	result(true, (why), __VA_ARGS__)

/* Diagnostics for a failed check, as KTAP comments. */
#define DIAG(...)	do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)

/* ---- a tiny ELF64 kernel ---- */

struct tseg {
	uint64_t paddr, filesz, memsz, align;
};

struct notes {
	unsigned char buf[256];
	size_t len;
};

static void add_note(struct notes *n, uint32_t type, const void *desc,
		     uint32_t descsz)
{
	Elf64_Nhdr h = { .n_namesz = 4, .n_descsz = descsz, .n_type = type };

	memcpy(n->buf + n->len, &h, sizeof(h));
	n->len += sizeof(h);
	memcpy(n->buf + n->len, "Xen", 4);
	n->len += 4;
	memcpy(n->buf + n->len, desc, descsz);
	n->len += UV_ALIGN_UP(descsz, 4);
}

static void note32(struct notes *n, uint32_t type, uint32_t v)
{
	add_note(n, type, &v, 4);
}

static void note64(struct notes *n, uint32_t type, uint64_t v)
{
	add_note(n, type, &v, 8);
}

/* The byte at offset @i of segment @s: recognisable, never all zero. */
static unsigned char seg_byte(unsigned int s, uint64_t i)
{
	return (unsigned char)(0x11 * (s + 1) + (i >> 12) + (i % 251));
}

/*
 * An ELF64 x86-64 file: the header, PT_LOADs, one PT_NOTE, the notes,
 * then each segment's bytes page-aligned.
 */
static struct uv_buf make_elf(const struct tseg *segs, unsigned int n,
			      const struct notes *notes)
{
	size_t phnum = n + (notes ? 1 : 0), off, notes_off, size;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	struct uv_buf b;
	unsigned int i;

	notes_off = sizeof(*eh) + phnum * sizeof(*ph);
	off = UV_ALIGN_UP(notes_off + (notes ? notes->len : 0), UV_PAGE_SIZE);
	size = off;
	for (i = 0; i < n; i++)
		size += UV_ALIGN_UP(segs[i].filesz, UV_PAGE_SIZE);
	b.size = size;
	b.data = calloc(1, size);
	eh = (Elf64_Ehdr *)b.data;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = segs[0].paddr;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = phnum;
	ph = (Elf64_Phdr *)(b.data + sizeof(*eh));
	for (i = 0; i < n; i++) {
		uint64_t j;

		ph[i].p_type = PT_LOAD;
		ph[i].p_flags = PF_R | PF_W | PF_X;
		ph[i].p_offset = off;
		ph[i].p_vaddr = 0xffffffff80000000ULL + segs[i].paddr;
		ph[i].p_paddr = segs[i].paddr;
		ph[i].p_filesz = segs[i].filesz;
		ph[i].p_memsz = segs[i].memsz;
		ph[i].p_align = segs[i].align ? segs[i].align : UV_PAGE_SIZE;
		for (j = 0; j < segs[i].filesz; j++)
			b.data[off + j] = seg_byte(i, j);
		off += UV_ALIGN_UP(segs[i].filesz, UV_PAGE_SIZE);
	}
	if (notes) {
		ph[n].p_type = PT_NOTE;
		ph[n].p_offset = notes_off;
		ph[n].p_filesz = notes->len;
		ph[n].p_memsz = notes->len;
		ph[n].p_align = 4;
		memcpy(b.data + notes_off, notes->buf, notes->len);
	}
	return b;
}

static struct uv_buf copy_buf(const struct uv_buf *b)
{
	struct uv_buf c = { malloc(b->size), b->size };

	memcpy(c.data, b->data, b->size);
	return c;
}

/* Parse a copy of @b (uv_kernel_from_buf() takes its buffer). */
static int parse(struct uv_kernel *k, const char *name, const struct uv_buf *b)
{
	struct uv_buf c = copy_buf(b);

	uv_last_error[0] = '\0';
	return uv_kernel_from_buf(k, name, &c);
}

/* A standard test kernel: two segments at 16 MiB, PVH entry note. */
static const struct tseg std_segs[] = {
	{ 0x1000000, 0x3000, 0x5000, 0 },	/* text, then bss */
	{ 0x1200000, 0x2345, 0x2345, 0 },	/* data, odd size */
};

static struct uv_buf std_elf(void)
{
	struct notes n = { .len = 0 };

	note32(&n, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000123);
	return make_elf(std_segs, UV_ARRAY_SIZE(std_segs), &n);
}

/* ---- size parsing ---- */

static void test_parse_ram(void)
{
	static const struct {
		const char *s;
		uint64_t bytes;
	} good[] = {
		{ "256M", 256 * UV_MiB }, { "256m", 256 * UV_MiB },
		{ "256", 256 * UV_MiB }, { "32M", 32 * UV_MiB },
		{ "1G", UV_GiB }, { "2g", 2 * UV_GiB },
		{ "65536K", 64 * UV_MiB }, { "32772k", 32772 * UV_KiB },
		{ "2", 2 * UV_MiB }, { "2052K", 2052 * UV_KiB },
		{ "512G", 512 * UV_GiB },
	};
	static const struct {
		const char *s, *why;
	} bad[] = {
		{ "", "expected a size" }, { "abc", "expected a size" },
		{ "-1", "expected a size" }, { "12X", "expected a size" },
		{ "1.5G", "expected a size" }, { "256MB", "expected a size" },
		{ "0", "less than the minimum of 2M" },
		{ "1M", "less than the minimum of 2M" },
		{ "2044K", "less than the minimum of 2M" },
		{ "32769K", "not a multiple of 4K" },
		{ "513G", "more than the 512G" },
		{ "99999999999999999999G", "more than the 512G" },
		{ " 64M", "expected a size" },
	};
	unsigned int i;
	bool ok = true;

	for (i = 0; i < UV_ARRAY_SIZE(good); i++) {
		uint64_t v = 0;

		if (uv_parse_ram(good[i].s, &v) || v != good[i].bytes) {
			DIAG("--ram %s gave %llu", good[i].s,
			     (unsigned long long)v);
			ok = false;
		}
	}
	OK(ok, "ram sizes: K, M, G, any case, plain number is MiB");
	ok = true;
	for (i = 0; i < UV_ARRAY_SIZE(bad); i++) {
		uint64_t v = 0;

		uv_last_error[0] = '\0';
		if (!uv_parse_ram(bad[i].s, &v) ||
		    !strstr(uv_last_error, bad[i].why)) {
			DIAG("--ram '%s': '%s'", bad[i].s, uv_last_error);
			ok = false;
		}
	}
	OK(ok, "ram sizes refused: garbage, below 2M, not pages, above 512G");
}

static void test_parse_uint(void)
{
	unsigned long v = 0;

	OK(!uv_parse_uint("7", 10, &v) && v == 7 &&
	   uv_parse_uint("11", 10, &v) && uv_parse_uint("", 10, &v) &&
	   uv_parse_uint("-1", 10, &v) && uv_parse_uint("1x", 10, &v),
	   "numbers for --vcpus and --affinity");
}

/* --disk PATH[,ro][,vdev=xvdX]: Xen's numbers for xvda.., options. */
static void test_disk_parse(void)
{
	static const struct {
		const char *arg;
		unsigned int index;
		const char *path, *vdev;
		bool ro;
		unsigned int devid;
	} good[] = {
		{ "disk.img", 0, "disk.img", "xvda", false, 51712 },
		{ "/dev/sdb,ro", 1, "/dev/sdb", "xvdb", true, 51728 },
		{ "a.img,vdev=xvdp,r", 0, "a.img", "xvdp", true, 51952 },
		{ "a.img,ro,rw", 3, "a.img", "xvdd", false, 51760 },
	};
	static const struct {
		const char *arg;
		unsigned int index;
		const char *why;
	} bad[] = {
		{ "", 0, "which file" },
		{ ",ro", 0, "which file" },
		{ "a.img,rx", 0, "unknown option 'rx'" },
		{ "a.img,vdev=sda", 0, "unknown option 'vdev=sda'" },
		{ "a.img,vdev=xvdaa", 0, "unknown option" },
		{ "a.img,vdev=xvdq", 0, "unknown option" },
		{ "a.img", UV_MAX_DISKS, "at most" },
	};
	struct uv_disk d;
	unsigned int i;
	bool ok = true;
	char buf[64];

	for (i = 0; i < UV_ARRAY_SIZE(good); i++) {
		snprintf(buf, sizeof(buf), "%s", good[i].arg);
		if (uv_disk_parse(buf, good[i].index, &d) ||
		    strcmp(d.path, good[i].path) ||
		    strcmp(d.vdev, good[i].vdev) || d.ro != good[i].ro ||
		    d.devid != good[i].devid) {
			DIAG("--disk %s: %s %s ro=%d devid %u", good[i].arg,
			     d.path, d.vdev, d.ro, d.devid);
			ok = false;
		}
	}
	OK(ok, "disks: path, ro/rw, vdev=, xvda.. in order, Xen's numbers");
	ok = true;
	for (i = 0; i < UV_ARRAY_SIZE(bad); i++) {
		snprintf(buf, sizeof(buf), "%s", bad[i].arg);
		uv_last_error[0] = '\0';
		if (!uv_disk_parse(buf, bad[i].index, &d) ||
		    !strstr(uv_last_error, bad[i].why)) {
			DIAG("--disk '%s': '%s'", bad[i].arg, uv_last_error);
			ok = false;
		}
	}
	OK(ok, "disks refused: no path, unknown option or name, past the 16th");
}

/* MICROV_GET_DIAG entries in words: Xen's names, or the number. */
static void test_diag_describe(void)
{
	static const struct {
		struct microv_diag_entry e;
		const char *text;
	} cases[] = {
		{ { MICROV_DIAG_ENOSYS, 34, 0x2a, 2 },
		  "hypercall hvm_op (34), first argument 0x2a: -ENOSYS, 2 times" },
		{ { MICROV_DIAG_ENOSYS, 11, 0, 1 },
		  "hypercall 11 (unknown to Xen): -ENOSYS, 1 time" },
		{ { MICROV_DIAG_ENOSYS, 4000, 0, 1 },
		  "hypercall 4000 (unknown to Xen): -ENOSYS, 1 time" },
		{ { MICROV_DIAG_WRMSR, 0xc0010015, 0, 9 },
		  "wrmsr of MSR 0xc0010015: #GP, 9 times" },
		{ { MICROV_DIAG_UNBACKED, 0, 0xfee00000, 1 },
		  "read of guest-physical page 0xfee00000 (no RAM): all ones, 1 time" },
		{ { 99, 1, 2, 3 }, "kind 99, code 0x1, argument 0x2: 3 times" },
	};
	unsigned int i;
	char buf[160];
	bool ok = true;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uv_diag_describe(&cases[i].e, buf, sizeof(buf));
		if (strcmp(buf, cases[i].text)) {
			DIAG("got '%s'", buf);
			ok = false;
		}
	}
	OK(ok, "what a guest did not get, in words");
}

/* ---- checks of a planned and written layout ---- */

static const struct hvm_memmap_table_entry *
e820_at(const struct uv_layout *l, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < l->nr_e820; i++)
		if (l->e820[i].addr <= addr &&
		    addr < l->e820[i].addr + l->e820[i].size)
			return &l->e820[i];
	return NULL;
}

/* Is [start, end) inside one E820 entry of @type? */
static bool e820_covers(const struct uv_layout *l, uint64_t start,
			uint64_t end, uint32_t type)
{
	const struct hvm_memmap_table_entry *e = e820_at(l, start);

	return e && e->type == type && end <= e->addr + e->size;
}

/*
 * Everything guest-boot.rst promises about the layout, checked on the
 * plan and on what uv_layout_write() put in guest memory.
 */
#define CHECK(cond, ...) do { if (!(cond)) { DIAG("%s: " __VA_ARGS__); ok = false; } } while (0)

/* Bytes that sum to 0 mod 256, as ACPI checksums make them. */
static bool acpi_sum_ok(const unsigned char *p, size_t len)
{
	unsigned char sum = 0;

	while (len--)
		sum += *p++;
	return !sum;
}

/*
 * Is the table at @gpa, with the length it claims, inside the ACPI region
 * and at least @min bytes long?  Sets *@end past it.
 */
static bool acpi_table(const unsigned char *mem, uint64_t gpa, uint32_t min,
		       uint64_t *end)
{
	const uint64_t lo = UV_BOOT_GPA + UV_ACPI_OFF, hi = lo + UV_ACPI_SIZE;
	uint32_t len;

	if (gpa < lo || gpa > hi - 36)
		return false;
	memcpy(&len, mem + gpa + 4, 4);
	*end = gpa + len;
	return len >= min && *end <= hi;
}

/*
 * The ACPI tables as Linux walks them: RSDP (both checksums) -> XSDT
 * (two entries) -> FADT (hardware-reduced, sleep control on
 * UV_ACPI_SLEEP_CTL) -> DSDT (\_S5), and -> MADT (the local APICs at
 * 0xfee00000, no PCAT_COMPAT, one enabled Processor Local APIC with APIC
 * id i for each of @nr_vcpus vCPUs and nothing else), each table's
 * checksum right, all inside the ACPI region and none overlapping.
 */
static bool check_acpi(const unsigned char *mem, uint64_t rsdp_gpa,
		       unsigned int nr_vcpus, const char *what)
{
	static const char *const name[] = {
		"RSDP", "XSDT", "FADT", "DSDT", "MADT",
	};
	const unsigned char *rsdp = mem + rsdp_gpa, *xsdt, *fadt, *dsdt, *madt;
	uint64_t gpa[5], end[5], port;
	uint32_t len, flags, lapic;
	unsigned int i, j, n;
	bool ok = true, walk = true;

	/* Where each table is; nothing more is read if one is astray. */
	if (rsdp_gpa < UV_BOOT_GPA + UV_ACPI_OFF ||
	    rsdp_gpa + 36 > UV_BOOT_GPA + UV_ACPI_OFF + UV_ACPI_SIZE) {
		DIAG("%s: RSDP outside the ACPI region", what);
		return false;
	}
	gpa[0] = rsdp_gpa;
	end[0] = rsdp_gpa + 36;
	memcpy(&gpa[1], rsdp + 24, 8);
	if (!acpi_table(mem, gpa[1], 36 + 2 * 8, &end[1])) {
		DIAG("%s: XSDT outside the ACPI region or too short", what);
		return false;
	}
	memcpy(&gpa[2], mem + gpa[1] + 36, 8);
	memcpy(&gpa[4], mem + gpa[1] + 44, 8);
	if (!acpi_table(mem, gpa[2], 276, &end[2])) {
		DIAG("%s: FADT outside the ACPI region or too short", what);
		return false;
	}
	memcpy(&gpa[3], mem + gpa[2] + 140, 8);
	if (!acpi_table(mem, gpa[3], 36 + 5, &end[3]) ||
	    !acpi_table(mem, gpa[4], 44, &end[4])) {
		DIAG("%s: DSDT or MADT outside the ACPI region or too short",
		     what);
		return false;
	}
	for (i = 0; i < 5; i++)
		for (j = 0; j < i; j++)
			CHECK(end[i] <= gpa[j] || end[j] <= gpa[i],
			      "ACPI tables %s and %s overlap", what, name[j],
			      name[i]);

	CHECK(!memcmp(rsdp, "RSD PTR ", 8) && rsdp[15] == 2 &&
	      acpi_sum_ok(rsdp, 20) && acpi_sum_ok(rsdp, 36),
	      "RSDP signature, revision or checksums wrong", what);
	xsdt = mem + gpa[1];
	len = end[1] - gpa[1];
	CHECK(!memcmp(xsdt, "XSDT", 4) && len == 36 + 2 * 8 &&
	      acpi_sum_ok(xsdt, len),
	      "XSDT wrong: length %u", what, len);
	fadt = mem + gpa[2];
	len = end[2] - gpa[2];
	memcpy(&flags, fadt + 112, 4);
	memcpy(&port, fadt + 244 + 4, 8);
	CHECK(!memcmp(fadt, "FACP", 4) && len == 276 &&
	      acpi_sum_ok(fadt, len) && (flags & (1u << 20)) &&
	      fadt[244] == 1 && port == UV_ACPI_SLEEP_CTL,
	      "FADT wrong: flags %#x sleep port %#llx", what, flags,
	      (unsigned long long)port);
	/* The reset register: RESET_REG_SUP, system I/O, the value. */
	memcpy(&port, fadt + 116 + 4, 8);
	CHECK((flags & (1u << 10)) && fadt[116] == 1 &&
	      port == UV_ACPI_RESET && fadt[128] == UV_ACPI_RESET_VALUE,
	      "FADT reset register wrong: port %#llx value %#x", what,
	      (unsigned long long)port, fadt[128]);
	dsdt = mem + gpa[3];
	len = end[3] - gpa[3];
	CHECK(!memcmp(dsdt, "DSDT", 4) && acpi_sum_ok(dsdt, len) &&
	      !memcmp(dsdt + 36, "\x08_S5_", 5),
	      "DSDT wrong or without \\_S5", what);

	madt = mem + gpa[4];
	len = end[4] - gpa[4];
	memcpy(&lapic, madt + 36, 4);
	memcpy(&flags, madt + 40, 4);
	CHECK(!memcmp(madt, "APIC", 4) && len == 44 + 8 * nr_vcpus &&
	      acpi_sum_ok(madt, len) && lapic == 0xfee00000 && !flags,
	      "MADT wrong: length %u local APICs at %#x flags %#x", what,
	      len, lapic, flags);
	/* Its structures: Processor Local APICs only, vCPU n at APIC id n. */
	for (i = 44, n = 0; walk && i < len; i += 8, n++) {
		if (i + 8 <= len)
			memcpy(&flags, madt + i + 4, 4);
		walk = i + 8 <= len && madt[i] == 0 && madt[i + 1] == 8 &&
		       madt[i + 2] == n && madt[i + 3] == n && flags == 1;
		CHECK(walk,
		      "MADT structure %u: type %u length %u uid %u APIC id %u flags %#x",
		      what, n, madt[i], madt[i + 1], madt[i + 2], madt[i + 3],
		      flags);
	}
	CHECK(!walk || n == nr_vcpus, "MADT has %u local APICs for %u vCPUs",
	      what, n, nr_vcpus);
	return ok;
}

static bool check_layout(const char *what, const struct uv_layout *l,
			 const unsigned char *mem, const struct uv_kernel *k,
			 const struct uv_buf *initrd, const char *cmdline)
{
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	uint64_t end = 0;
	unsigned int i;
	bool ok = true;

	/* The map: sorted, no holes, no overlaps, all of RAM. */
	for (i = 0; i < l->nr_e820; i++) {
		const struct hvm_memmap_table_entry *e = &l->e820[i];

		CHECK(e->addr == end, "e820[%u] starts at %#llx, not %#llx",
		      what, i, (unsigned long long)e->addr,
		      (unsigned long long)end);
		CHECK(e->size, "e820[%u] is empty", what, i);
		CHECK(e->type == XEN_HVM_MEMMAP_TYPE_RAM ||
		      e->type == XEN_HVM_MEMMAP_TYPE_RESERVED,
		      "e820[%u] type %u", what, i, e->type);
		CHECK(!e->reserved, "e820[%u] reserved field set", what, i);
		CHECK(!(e->addr % UV_PAGE_SIZE) && !(e->size % UV_PAGE_SIZE),
		      "e820[%u] not page-aligned", what, i);
		if (i)
			CHECK(e->type != l->e820[i - 1].type,
			      "e820[%u] could merge with the one before",
			      what, i);
		end = e->addr + e->size;
	}
	CHECK(end == l->ram_size, "e820 ends at %#llx, RAM at %#llx", what,
	      (unsigned long long)end, (unsigned long long)l->ram_size);
	/* What must be reserved, and what must be RAM. */
	CHECK(e820_covers(l, 0x9f000, 0x100000, XEN_HVM_MEMMAP_TYPE_RESERVED),
	      "legacy hole not reserved", what);
	CHECK(l->start_info_gpa && l->start_info_gpa < 0x10000 &&
	      e820_covers(l, l->start_info_gpa,
			  l->start_info_gpa + sizeof(si),
			  XEN_HVM_MEMMAP_TYPE_RESERVED),
	      "start_info not in reserved low memory", what);
	CHECK(e820_covers(l, l->modlist_gpa, l->modlist_gpa + sizeof(mod),
			  XEN_HVM_MEMMAP_TYPE_RESERVED) &&
	      e820_covers(l, l->memmap_gpa,
			  l->memmap_gpa + l->nr_e820 * sizeof(l->e820[0]),
			  XEN_HVM_MEMMAP_TYPE_RESERVED) &&
	      e820_covers(l, l->cmdline_gpa, l->cmdline_gpa + UV_CMDLINE_MAX,
			  XEN_HVM_MEMMAP_TYPE_RESERVED),
	      "modlist, memmap or cmdline not reserved", what);
	CHECK(l->start_info_gpa + sizeof(si) <= l->modlist_gpa &&
	      l->modlist_gpa + sizeof(mod) <= l->memmap_gpa &&
	      l->memmap_gpa + l->nr_e820 * sizeof(l->e820[0]) <=
	      l->cmdline_gpa, "boot data overlaps", what);
	CHECK(!(l->console_gpa % UV_PAGE_SIZE) &&
	      !(l->xenstore_gpa % UV_PAGE_SIZE) &&
	      l->console_gpa != l->xenstore_gpa,
	      "rings not distinct pages", what);
	CHECK(l->xenstore_gpa + UV_PAGE_SIZE <= l->ram_size &&
	      l->console_gpa + UV_PAGE_SIZE <= l->ram_size,
	      "rings outside RAM", what);
	CHECK(e820_covers(l, l->console_gpa, l->console_gpa + UV_PAGE_SIZE,
			  XEN_HVM_MEMMAP_TYPE_RESERVED) &&
	      e820_covers(l, l->xenstore_gpa, l->xenstore_gpa + UV_PAGE_SIZE,
			  XEN_HVM_MEMMAP_TYPE_RESERVED),
	      "rings not reserved", what);
	CHECK(e820_covers(l, l->kernel_base, l->kernel_end,
			  XEN_HVM_MEMMAP_TYPE_RAM),
	      "kernel %#llx-%#llx not in RAM", what,
	      (unsigned long long)l->kernel_base,
	      (unsigned long long)l->kernel_end);
	CHECK(l->kernel_end - l->kernel_base == k->hi - k->lo &&
	      l->kernel_base == k->lo + l->kernel_delta &&
	      l->entry == (uint32_t)(k->entry + l->kernel_delta),
	      "kernel placement inconsistent", what);
	if (initrd) {
		CHECK(l->initrd_size == initrd->size &&
		      !(l->initrd_gpa % UV_PAGE_SIZE) &&
		      l->initrd_gpa >= l->kernel_end &&
		      l->initrd_gpa + l->initrd_size <= l->console_gpa &&
		      e820_covers(l, l->initrd_gpa,
				  l->initrd_gpa + l->initrd_size,
				  XEN_HVM_MEMMAP_TYPE_RAM),
		      "initrd %#llx+%#llx misplaced", what,
		      (unsigned long long)l->initrd_gpa,
		      (unsigned long long)l->initrd_size);
		CHECK(l->console_gpa - (l->initrd_gpa + l->initrd_size) <
		      UV_PAGE_SIZE, "initrd not at the top of RAM", what);
		CHECK(!memcmp(mem + l->initrd_gpa, initrd->data, initrd->size),
		      "initrd bytes differ", what);
	} else {
		CHECK(!l->initrd_gpa && !l->initrd_size, "phantom initrd",
		      what);
	}
	for (i = 0; i < UV_NR_SPECIAL * UV_PAGE_SIZE; i++)
		if (mem[l->console_gpa + i])
			break;
	CHECK(i == UV_NR_SPECIAL * UV_PAGE_SIZE, "ring pages not zeroed",
	      what);
	/* start_info as the guest reads it. */
	memcpy(&si, mem + l->start_info_gpa, sizeof(si));
	CHECK(si.magic == XEN_HVM_START_MAGIC_VALUE && si.version == 1 &&
	      !si.flags && si.rsdp_paddr == UV_BOOT_GPA + UV_ACPI_OFF &&
	      !si.reserved,
	      "start_info magic %#x version %u flags %#x rsdp %#llx", what,
	      si.magic, si.version, si.flags,
	      (unsigned long long)si.rsdp_paddr);
	if (!check_acpi(mem, si.rsdp_paddr, l->nr_vcpus, what))
		ok = false;
	CHECK(si.memmap_paddr == l->memmap_gpa &&
	      si.memmap_entries == l->nr_e820 &&
	      !memcmp(mem + si.memmap_paddr, l->e820,
		      l->nr_e820 * sizeof(l->e820[0])),
	      "start_info's memmap is not the E820 map", what);
	CHECK(si.cmdline_paddr == l->cmdline_gpa &&
	      !strcmp((const char *)mem + si.cmdline_paddr, cmdline),
	      "command line", what);
	if (initrd) {
		memcpy(&mod, mem + si.modlist_paddr, sizeof(mod));
		CHECK(si.nr_modules == 1 && si.modlist_paddr == l->modlist_gpa &&
		      mod.paddr == l->initrd_gpa &&
		      mod.size == initrd->size && !mod.cmdline_paddr,
		      "modlist", what);
	} else {
		CHECK(!si.nr_modules && !si.modlist_paddr, "modlist", what);
	}
	/* The kernel's bytes where the plan says, zeros past p_filesz. */
	for (i = 0; i < k->nr_segments; i++) {
		const struct uv_segment *s = &k->segments[i];
		const unsigned char *at = mem + s->paddr + l->kernel_delta;
		uint64_t j;

		CHECK(!memcmp(at, s->data, s->filesz),
		      "segment %u bytes differ", what, i);
		for (j = s->filesz; j < s->memsz; j++)
			if (at[j])
				break;
		CHECK(j == s->memsz, "segment %u not zeroed at %#llx", what,
		      i, (unsigned long long)j);
	}
#undef CHECK
	return ok;
}

static unsigned char *guest_ram(uint64_t size)
{
	unsigned char *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);

	return m == MAP_FAILED ? NULL : m;
}

/* Plan and write @k in @ram bytes; check it all. */
static bool boot(const char *what, const struct uv_kernel *k, uint64_t ram,
		 const struct uv_buf *initrd, const char *cmdline,
		 struct uv_layout *l)
{
	unsigned char *mem;
	bool ok;

	if (uv_layout_plan(l, ram, 1, k, initrd ? initrd->size : 0,
			   strlen(cmdline)))
		return false;
	mem = guest_ram(ram);
	if (!mem)
		return false;
	/* Old contents, so that missing zeroing shows. */
	memset(mem + l->kernel_base, 0xcc, l->kernel_end - l->kernel_base);
	memset(mem + UV_BOOT_GPA, 0xcc, UV_BOOT_SIZE);
	memset(mem + l->console_gpa, 0xcc, UV_NR_SPECIAL * UV_PAGE_SIZE);
	ok = !uv_layout_write(l, mem, k, initrd, cmdline) &&
	     check_layout(what, l, mem, k, initrd, cmdline);
	munmap(mem, ram);
	return ok;
}

/* ---- the loader on made-up kernels ---- */

static void test_elf(void)
{
	struct uv_buf elf = std_elf(), initrd;
	struct uv_kernel k;
	struct uv_layout l;
	struct notes n = { .len = 0 };
	unsigned int i;

	OK(!parse(&k, "std", &elf) && k.entry == 0x1000123 &&
	   k.nr_segments == 2 && k.lo == 0x1000000 &&
	   k.hi == 0x1202345 && k.elf_class == 64 && !k.relocatable &&
	   !k.compression,
	   "ELF: entry from XEN_ELFNOTE_PHYS32_ENTRY, PT_LOAD segments");
	OK(boot("std 32M", &k, 32 * UV_MiB, NULL, "console=hvc0", &l) &&
	   !l.relocated && l.kernel_base == 0x1000000 &&
	   l.entry == 0x1000123,
	   "ELF: loaded at p_paddr, zeroed to p_memsz, layout at 32M");
	initrd.size = 3 * UV_MiB + 17;
	initrd.data = malloc(initrd.size);
	for (i = 0; i < initrd.size; i++)
		initrd.data[i] = i * 7;
	OK(boot("std 1G initrd", &k, UV_GiB, &initrd, "root=/dev/ram0 quiet",
		&l), "layout at 1G with an initrd and a command line");
	OK(boot("std 33M initrd", &k, 33 * UV_MiB, &initrd, "", &l),
	   "layout with an initrd just fitting and an empty command line");
	OK(uv_layout_plan(&l, 32 * UV_MiB, 1, &k, 16 * UV_MiB, 1) &&
	   strstr(uv_last_error, "the initrd (16777216 bytes) does not fit") &&
	   strstr(uv_last_error, "use --ram 35M or more"),
	   "an initrd that does not fit is refused, with the RAM it needs");
	OK(uv_layout_plan(&l, 32 * UV_MiB, 1, &k, 0, UV_CMDLINE_MAX) &&
	   strstr(uv_last_error, "Linux keeps at most 2047") &&
	   !uv_layout_plan(&l, 32 * UV_MiB, 1, &k, 0, UV_CMDLINE_MAX - 1),
	   "command lines up to 2047 bytes");
	OK(uv_layout_plan(&l, 16 * UV_MiB, 1, &k, 0, 0),
	   "guest RAM below 32M refused by the planner too");
	OK(uv_layout_plan(&l, 32 * UV_MiB, 0, &k, 0, 0) &&
	   uv_layout_plan(&l, 32 * UV_MiB, UV_MAX_VCPUS + 1, &k, 0, 0) &&
	   strstr(uv_last_error, "vCPUs: expected 1 to") &&
	   !uv_layout_plan(&l, 32 * UV_MiB, UV_MAX_VCPUS, &k, 0, 0) &&
	   l.nr_vcpus == UV_MAX_VCPUS,
	   "the planner takes 1 to UV_MAX_VCPUS vCPUs, the MADT's room");
	uv_kernel_free(&k);
	free(initrd.data);
	free(elf.data);

	/* No note at all, and notes of other owners and types only. */
	note32(&n, 6, 0x78756e69);
	{
		struct uv_buf none = make_elf(std_segs, 2, &n);
		struct uv_buf bare = make_elf(std_segs, 2, NULL);
		const char *want = "nonote has no Xen PVH entry point (no XEN_ELFNOTE_PHYS32_ENTRY note): uvctl boots PVH kernels only (Linux: CONFIG_XEN_PVH=y)";

		OK(parse(&k, "nonote", &none) &&
		   !strcmp(uv_last_error, want),
		   "ELF without the PVH note is refused: '%s'", want);
		uv_kernel_free(&k);
		OK(parse(&k, "nonote", &bare) && !strcmp(uv_last_error, want),
		   "ELF without any PT_NOTE is refused the same way");
		uv_kernel_free(&k);
		free(none.data);
		free(bare.data);
	}

	/* An 8-byte entry note (Linux's _ASM_PTR), and one above 4 GiB. */
	n.len = 0;
	note64(&n, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000456);
	{
		struct uv_buf e8 = make_elf(std_segs, 2, &n);

		OK(!parse(&k, "e8", &e8) && k.entry == 0x1000456,
		   "8-byte PHYS32_ENTRY note");
		uv_kernel_free(&k);
		free(e8.data);
	}
	n.len = 0;
	note64(&n, XEN_ELFNOTE_PHYS32_ENTRY, 0x100000000ULL);
	{
		struct uv_buf big = make_elf(std_segs, 2, &n);

		OK(parse(&k, "big", &big) &&
		   strstr(uv_last_error, "malformed XEN_ELFNOTE_PHYS32_ENTRY"),
		   "a PVH entry above 4 GiB is refused");
		uv_kernel_free(&k);
		free(big.data);
	}

	/* A truncated file: the segment's bytes are not all there. */
	elf = std_elf();
	elf.size -= UV_PAGE_SIZE;
	OK(parse(&k, "short", &elf) &&
	   strstr(uv_last_error, "lies outside the file"),
	   "a PT_LOAD beyond the end of the file is refused");
	uv_kernel_free(&k);
	free(elf.data);

	/* Not ELF, not bzImage. */
	elf.size = 4096;
	elf.data = calloc(1, elf.size);
	OK(parse(&k, "zeros", &elf) &&
	   strstr(uv_last_error, "neither an ELF kernel"),
	   "a file that is neither ELF nor bzImage is refused");
	uv_kernel_free(&k);
	free(elf.data);
}

/*
 * XEN_ELFNOTE_PHYS32_RELOC: a 4 MiB kernel linked at 31 MiB cannot sit
 * there in 32 MiB of RAM; with the note it moves to the lowest aligned
 * place at or above max(1 MiB, min).
 */
static void test_reloc(void)
{
	static const struct tseg segs[] = {
		{ 0x1f00000, 0x1000, 0x300000, 0x200000 },
		{ 0x2200000, 0x1800, 0x100000, 0x200000 },
	};
	const uint32_t entry = 0x1f00040;
	struct uv_kernel k;
	struct uv_layout l;
	struct notes n = { .len = 0 };
	struct uv_buf elf;
	uint32_t reloc[3];
	bool ok;

	/* Without the note: refused, with the RAM it would need. */
	note32(&n, XEN_ELFNOTE_PHYS32_ENTRY, entry);
	elf = make_elf(segs, 2, &n);
	OK(!parse(&k, "fixed", &elf) &&
	   uv_layout_plan(&l, 32 * UV_MiB, 1, &k, 0, 0) &&
	   strstr(uv_last_error, "cannot be moved (no XEN_ELFNOTE_PHYS32_RELOC): use --ram 36M or more"),
	   "a kernel that does not fit and has no relocation note is refused");
	OK(boot("fixed 64M", &k, 64 * UV_MiB, NULL, "x", &l) && !l.relocated,
	   "the same kernel loads at its p_paddr when RAM is there");
	uv_kernel_free(&k);
	free(elf.data);

	/* align 2M, min 2M: goes to 2 MiB, entry shifted alike. */
	reloc[0] = 0x200000;
	reloc[1] = 0x200000;
	reloc[2] = 0xffffffff;
	add_note(&n, XEN_ELFNOTE_PHYS32_RELOC_, reloc, 12);
	elf = make_elf(segs, 2, &n);
	OK(!parse(&k, "reloc", &elf) && k.relocatable &&
	   k.reloc_align == 0x200000 && k.reloc_min == 0x200000 &&
	   k.reloc_max == 0xffffffff, "PHYS32_RELOC note: align, min, max");
	ok = boot("reloc 32M", &k, 32 * UV_MiB, NULL, "x", &l) &&
	     l.relocated && l.kernel_base == 0x200000 &&
	     l.kernel_end == 0x600000 &&
	     l.entry == entry - 0x1f00000 + 0x200000;
	OK(ok, "relocated to %#llx, entry %#x (from %#x)",
	   (unsigned long long)l.kernel_base, l.entry, entry);
	OK(boot("reloc 64M", &k, 64 * UV_MiB, NULL, "x", &l) && !l.relocated,
	   "a relocatable kernel still loads at p_paddr when it fits");
	uv_kernel_free(&k);
	free(elf.data);

	/* align 4M, min 5M: 8 MiB. */
	n.len = 0;
	note32(&n, XEN_ELFNOTE_PHYS32_ENTRY, entry);
	reloc[0] = 0x400000;
	reloc[1] = 0x500000;
	add_note(&n, XEN_ELFNOTE_PHYS32_RELOC_, reloc, 12);
	elf = make_elf(segs, 2, &n);
	ok = !parse(&k, "reloc4", &elf) &&
	     boot("reloc4", &k, 32 * UV_MiB, NULL, "x", &l) &&
	     l.kernel_base == 0x800000;
	OK(ok, "relocation honours min and alignment (%#llx)",
	   (unsigned long long)l.kernel_base);
	uv_kernel_free(&k);
	free(elf.data);

	/* max too low for the image: nowhere to go. */
	n.len = 0;
	note32(&n, XEN_ELFNOTE_PHYS32_ENTRY, entry);
	reloc[0] = 0x200000;
	reloc[1] = 0;
	reloc[2] = 0x3fffff;
	add_note(&n, XEN_ELFNOTE_PHYS32_RELOC_, reloc, 12);
	elf = make_elf(segs, 2, &n);
	OK(!parse(&k, "tight", &elf) &&
	   uv_layout_plan(&l, 32 * UV_MiB, 1, &k, 0, 0) &&
	   strstr(uv_last_error, "fits nowhere in 0-0x3fffff at alignment 0x200000"),
	   "relocation refused when [min, max] cannot hold the image");
	uv_kernel_free(&k);
	free(elf.data);

	/* Only the alignment given; none: the largest p_align (2M here). */
	n.len = 0;
	note32(&n, XEN_ELFNOTE_PHYS32_ENTRY, entry);
	reloc[0] = 0x100000;
	add_note(&n, XEN_ELFNOTE_PHYS32_RELOC_, reloc, 4);
	elf = make_elf(segs, 2, &n);
	OK(!parse(&k, "align-only", &elf) && k.reloc_min == 0 &&
	   k.reloc_max == 0xffffffff &&
	   boot("align-only", &k, 32 * UV_MiB, NULL, "x", &l) &&
	   l.kernel_base == 0x100000,
	   "a note with the alignment only: min 0 (but above 1 MiB), max 4G-1");
	uv_kernel_free(&k);
	free(elf.data);
	n.len = 0;
	note32(&n, XEN_ELFNOTE_PHYS32_ENTRY, entry);
	add_note(&n, XEN_ELFNOTE_PHYS32_RELOC_, reloc, 0);
	elf = make_elf(segs, 2, &n);
	OK(!parse(&k, "empty-note", &elf) && k.reloc_align == 0x200000 &&
	   boot("empty-note", &k, 32 * UV_MiB, NULL, "x", &l) &&
	   l.kernel_base == 0x200000,
	   "an empty note: alignment from p_align, 1 MiB floor");
	uv_kernel_free(&k);
	free(elf.data);
}

/*
 * A relocatable image whose segments span nearly 2^64 bytes: no place
 * fits it (the sums must not wrap), and the loader itself refuses any
 * segment outside guest RAM before it writes a byte.
 */
static void test_reloc_wrap(void)
{
	static const struct tseg segs[] = {
		{ 0x1000, 0x1000, 0x1000, 0x1000 },
		{ 0x8000000000000000ull, 0x1000, 0x1000, 0x1000 },
		{ 0xffffffffffffe000ull, 0x1000, 0x1000, 0x1000 },
	};
	uint32_t reloc[3] = { 0x200000, 0, 0xffffffff };
	struct uv_kernel k;
	struct uv_layout l;
	struct notes n = { .len = 0 };
	struct uv_buf elf;
	unsigned char *mem;

	note32(&n, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000);
	add_note(&n, XEN_ELFNOTE_PHYS32_RELOC_, reloc, 12);
	elf = make_elf(segs, 3, &n);
	OK(!parse(&k, "wrap", &elf) && k.relocatable &&
	   uv_layout_plan(&l, 32 * UV_MiB, 1, &k, 0, 0) &&
	   strstr(uv_last_error, "fits nowhere"),
	   "a relocatable image spanning 2^64 bytes is refused, not wrapped");
	mem = guest_ram(32 * UV_MiB);
	OK(mem && uv_kernel_load(&k, mem, 32 * UV_MiB, 0) &&
	   strstr(uv_last_error, "segment 1 (0x8000000000000000, 0x1000 bytes) is outside guest RAM"),
	   "the loader refuses a segment outside guest RAM");
	if (mem)
		munmap(mem, 32 * UV_MiB);
	uv_kernel_free(&k);
	free(elf.data);
}

/* ---- fake bzImages ---- */

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static struct uv_buf gzip_it(const struct uv_buf *in)
{
	struct uv_buf out = { malloc(compressBound(in->size) + 64), 0 };
	z_stream z = { 0 };

	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = in->data;
	z.avail_in = in->size;
	z.next_out = out.data;
	z.avail_out = compressBound(in->size) + 64;
	deflate(&z, Z_FINISH);
	out.size = z.total_out;
	deflateEnd(&z);
	return out;
}

static struct uv_buf xz_it(const struct uv_buf *in)
{
	size_t cap = lzma_stream_buffer_bound(in->size);
	struct uv_buf out = { malloc(cap + 4), 0 };

	lzma_easy_buffer_encode(0, LZMA_CHECK_CRC32, NULL, in->data, in->size,
				out.data, &out.size, cap);
	return out;
}

static struct uv_buf zstd_it(const struct uv_buf *in)
{
	size_t cap = ZSTD_compressBound(in->size);
	struct uv_buf out = { malloc(cap + 4), 0 };

	out.size = ZSTD_compress(out.data, cap, in->data, in->size, 3);
	return out;
}

/* The legacy frame, 8 MiB blocks, as "lz4 -l". */
static struct uv_buf lz4_it(const struct uv_buf *in)
{
	size_t pos = 0, blocks = in->size / (8 * UV_MiB) + 1;
	struct uv_buf out;

	out.data = malloc(4 + blocks * (4 + LZ4_compressBound(8 << 20)) + 4);
	put_le32(out.data, 0x184c2102);
	out.size = 4;
	while (pos < in->size) {
		int len = in->size - pos > 8 * UV_MiB ? 8 << 20 :
			  (int)(in->size - pos);
		int c = LZ4_compress_default((const char *)in->data + pos,
					     (char *)out.data + out.size + 4,
					     len, LZ4_compressBound(len));

		put_le32(out.data + out.size, c);
		out.size += 4 + c;
		pos += len;
	}
	return out;
}

/*
 * A bzImage: boot sector and setup header, @setup_sects sectors of
 * setup code, then 0x200 bytes of "decompressor" and the payload.  The
 * kernel appends the uncompressed size to every payload but gzip's.
 */
static struct uv_buf make_bzimage(const struct uv_buf *payload,
				  size_t real_size, bool append_size,
				  unsigned int setup_sects, uint16_t version)
{
	size_t pm = ((setup_sects ? setup_sects : 4) + 1) * 512;
	size_t len = payload->size + (append_size ? 4 : 0);
	struct uv_buf b = { calloc(1, pm + 0x200 + len), pm + 0x200 + len };

	b.data[0x1f1] = setup_sects;
	b.data[0x1fe] = 0x55;
	b.data[0x1ff] = 0xaa;
	memcpy(b.data + 0x202, "HdrS", 4);
	b.data[0x206] = version;
	b.data[0x207] = version >> 8;
	put_le32(b.data + 0x248, 0x200);
	put_le32(b.data + 0x24c, len);
	memcpy(b.data + pm + 0x200, payload->data, payload->size);
	if (append_size)
		put_le32(b.data + pm + 0x200 + payload->size, real_size);
	return b;
}

/* The payload compressions of Debian's and upstream's bzImages. */
static const struct {
	const char *name;
	struct uv_buf (*pack)(const struct uv_buf *in);
	bool append;
} codecs[] = {
	{ "gzip", gzip_it, false },
	{ "xz", xz_it, true },
	{ "zstd", zstd_it, true },
	{ "lz4", lz4_it, true },
};

static void test_bzimage(void)
{
	/* 9 MiB of segment: two lz4 blocks, and a real workout. */
	static const struct tseg segs[] = {
		{ 0x1000000, 9 * UV_MiB + 123, 10 * UV_MiB, 0 },
		{ 0x2000000, 0x1000, 0x1000, 0 },
	};
	struct notes n = { .len = 0 };
	struct uv_buf elf, packed, bz;
	struct uv_kernel k;
	struct uv_layout l;
	unsigned int i;
	bool ok;

	note32(&n, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000200);
	elf = make_elf(segs, 2, &n);
	for (i = 0; i < UV_ARRAY_SIZE(codecs); i++) {
		packed = codecs[i].pack(&elf);
		bz = make_bzimage(&packed, elf.size, codecs[i].append,
				  i == 0 ? 0 : 27 + i, 0x20f);
		ok = uv_is_bzimage(&bz) && !parse(&k, codecs[i].name, &bz) &&
		     k.compression &&
		     !strcmp(k.compression, codecs[i].name) &&
		     k.elf.size == elf.size &&
		     !memcmp(k.elf.data, elf.data, elf.size) &&
		     k.entry == 0x1000200 &&
		     boot(codecs[i].name, &k, 64 * UV_MiB, NULL, "x", &l);
		OK(ok, "bzImage with a %s payload decompresses to the ELF",
		   codecs[i].name);
		uv_kernel_free(&k);
		if (i == 2) {
			/* Cut the stream short: refused, not crashed. */
			struct uv_buf cut = packed;

			cut.size /= 2;
			free(bz.data);
			bz = make_bzimage(&cut, elf.size, false, 30, 0x20f);
			ok = parse(&k, "cut", &bz) &&
			     strstr(uv_last_error, "zstd payload");
			OK(ok, "a truncated zstd payload is refused: %s",
			   uv_last_error);
			uv_kernel_free(&k);
		}
		free(packed.data);
		free(bz.data);
	}

	/* Protocol too old; unknown and unsupported compressions. */
	packed = zstd_it(&elf);
	bz = make_bzimage(&packed, elf.size, true, 30, 0x207);
	OK(parse(&k, "old", &bz) && strstr(uv_last_error, "older than 2.08"),
	   "bzImage protocol before 2.08 refused");
	uv_kernel_free(&k);
	free(bz.data);
	memcpy(packed.data, "BZh9", 4);
	bz = make_bzimage(&packed, elf.size, true, 30, 0x20f);
	OK(parse(&k, "bz2", &bz) &&
	   strstr(uv_last_error, "compressed with bzip2, which uvctl does not read"),
	   "bzip2 payload refused by name");
	uv_kernel_free(&k);
	free(bz.data);
	memcpy(packed.data, "\x01\x02\x03\x04", 4);
	bz = make_bzimage(&packed, elf.size, true, 30, 0x20f);
	OK(parse(&k, "unknown", &bz) &&
	   strstr(uv_last_error, "unknown compression"),
	   "unknown payload compression refused");
	uv_kernel_free(&k);
	put_le32(bz.data + 0x24c, bz.size);
	OK(parse(&k, "outside", &bz) && strstr(uv_last_error, "outside the file"),
	   "payload beyond the end of the file refused");
	uv_kernel_free(&k);
	free(bz.data);
	free(packed.data);

	/* A payload that is not ELF. */
	packed = zstd_it(&(struct uv_buf){ (unsigned char *)"not an elf file!",
					    16 });
	bz = make_bzimage(&packed, 16, true, 30, 0x20f);
	OK(parse(&k, "notelf", &bz) &&
	   strstr(uv_last_error, "payload is not an ELF file"),
	   "a payload that is not ELF is refused");
	uv_kernel_free(&k);
	free(bz.data);
	free(packed.data);
	free(elf.data);
}

/* ---- the start state ---- */

static void test_start_state(void)
{
	struct uv_layout l = { .entry = 0x1000850, .start_info_gpa = 0xe000 };
	struct microv_regs r;
	struct microv_sregs s;

	uv_start_state(&l, &r, &s);
	OK(r.rip == 0x1000850 && r.rbx == 0xe000 && r.rflags == 2 &&
	   !r.rax && !r.rsp,
	   "start state: RIP the entry, EBX start_info, RFLAGS 2");
	OK(s.cr0 == 0x11 && !s.cr4 && !s.efer && !s.cr3 &&
	   s.cs.selector == 8 && s.cs.type == 0xb && s.cs.s && s.cs.db &&
	   s.cs.g && s.cs.present && !s.cs.l && !s.cs.base &&
	   s.cs.limit == 0xffffffff &&
	   s.ds.selector == 0x10 && s.ds.type == 3 && s.ds.db && s.ds.g &&
	   !memcmp(&s.ds, &s.es, sizeof(s.ds)) &&
	   !memcmp(&s.ds, &s.fs, sizeof(s.ds)) &&
	   !memcmp(&s.ds, &s.gs, sizeof(s.ds)) &&
	   !memcmp(&s.ds, &s.ss, sizeof(s.ds)) &&
	   s.tr.type == 11 && s.tr.present && s.tr.limit == 0x67 &&
	   !s.tr.s && !s.tr.unusable && s.ldt.unusable &&
	   !s.gdt.base && !s.gdt.limit && !s.idt.base && !s.idt.limit &&
	   !s.flags,
	   "start state: flat 32-bit protected mode, paging off, busy TSS");
}

/* ---- the cached Debian kernels ---- */

static const char *cache_dir(char *buf, size_t size)
{
	const char *env = getenv("MICROV_CACHE");

	if (env)
		snprintf(buf, size, "%s/kernels", env);
	else if (getenv("XDG_CACHE_HOME"))
		snprintf(buf, size, "%s/microv/kernels",
			 getenv("XDG_CACHE_HOME"));
	else
		snprintf(buf, size, "%s/.cache/microv/kernels",
			 getenv("HOME") ? getenv("HOME") : "/root");
	return buf;
}

/* The PVH entries our notes recorded for the bench's two kernels. */
static uint32_t known_entry(const char *ver)
{
	if (!strcmp(ver, "6.1.0-56-amd64"))
		return 0x1000850;
	if (!strcmp(ver, "6.12.117+deb12-amd64"))
		return 0x1000a30;
	return 0;
}

static bool same_image(const struct uv_kernel *a, const struct uv_kernel *b)
{
	unsigned int i;

	if (a->entry != b->entry || a->nr_segments != b->nr_segments ||
	    a->lo != b->lo || a->hi != b->hi ||
	    a->relocatable != b->relocatable)
		return false;
	for (i = 0; i < a->nr_segments; i++)
		if (a->segments[i].paddr != b->segments[i].paddr ||
		    a->segments[i].memsz != b->segments[i].memsz)
			return false;
	return true;
}

static void test_real_kernel(const char *dir, const char *ver)
{
	char vmlinux[5000], vmlinuz[5000];
	struct uv_kernel k, z;
	struct uv_layout l;
	struct uv_buf initrd = { (unsigned char *)"070701fake initramfs", 20 };
	struct stat st;
	uint32_t want = known_entry(ver);
	unsigned char *ma, *mb;
	bool ok;

	snprintf(vmlinux, sizeof(vmlinux), "%s/%s/vmlinux", dir, ver);
	snprintf(vmlinuz, sizeof(vmlinuz), "%s/%s/root/boot/vmlinuz-%s", dir,
		 ver, ver);
	if (stat(vmlinux, &st)) {
		SKIP("no vmlinux", "%s: vmlinux loads", ver);
		return;
	}
	ok = !uv_kernel_open(&k, vmlinux) && k.elf_class == 64 &&
	     (!want || k.entry == want);
	OK(ok, "%s: vmlinux: PVH entry %#x%s", ver, k.entry,
	   want ? " as recorded" : "");
	OK(boot(ver, &k, 256 * UV_MiB, &initrd, "console=hvc0", &l) &&
	   !l.relocated && l.kernel_base == k.lo,
	   "%s: vmlinux laid out in 256M with an initrd", ver);
	if (stat(vmlinuz, &st)) {
		SKIP("no bzImage", "%s: bzImage decompresses to the vmlinux",
		     ver);
		uv_kernel_free(&k);
		return;
	}
	ok = !uv_kernel_open(&z, vmlinuz) && z.compression &&
	     same_image(&k, &z);
	OK(ok, "%s: bzImage (%s) decompresses to the same entry and PT_LOADs",
	   ver, z.compression ? z.compression : "?");
	/* Loaded, both must be the same bytes (vmlinux is trimmed). */
	ma = guest_ram(128 * UV_MiB);
	mb = guest_ram(128 * UV_MiB);
	ok = ma && mb && !uv_kernel_load(&k, ma, 128 * UV_MiB, 0) &&
	     !uv_kernel_load(&z, mb, 128 * UV_MiB, 0) &&
	     !memcmp(ma + k.lo, mb + k.lo, k.hi - k.lo);
	OK(ok, "%s: both load the same %llu bytes of image", ver,
	   (unsigned long long)(k.hi - k.lo));
	munmap(ma, 128 * UV_MiB);
	munmap(mb, 128 * UV_MiB);
	OK(uv_layout_plan(&l, 64 * UV_MiB, 1, &k, 0, 0) &&
	   strstr(uv_last_error, "use --ram"),
	   "%s: 64M is too small, and the message says what is needed", ver);
	uv_kernel_free(&k);
	uv_kernel_free(&z);
}

static void test_real_kernels(void)
{
	char dir[4096];
	struct dirent *d;
	int found = 0;
	DIR *dp;

	cache_dir(dir, sizeof(dir));
	dp = opendir(dir);
	while (dp && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		test_real_kernel(dir, d->d_name);
		found++;
	}
	if (dp)
		closedir(dp);
	if (!found)
		SKIP("no cached kernels", "real kernels in %s", dir);
}

/*
 * "--write-kernel FILE": the standard test kernel, for test.sh's runs
 * under the fake module (entry 0x1000123, 16 MiB, no initrd needed).
 */
static int write_kernel(const char *path)
{
	struct uv_buf elf = std_elf();
	FILE *f = fopen(path, "wb");
	int ret = !f || fwrite(elf.data, 1, elf.size, f) != elf.size;

	if (f && fclose(f))
		ret = 1;
	free(elf.data);
	return ret;
}

/* Writes @b to @path after fuzz_image.c's header (64 MiB, 16 pages). */
static int write_seed(const char *dir, const char *name,
		      const struct uv_buf *b)
{
	static const unsigned char header[4] = { 0, 16, 0, 16 };
	char path[4096];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	ret = !f || fwrite(header, 1, 4, f) != 4 ||
	      fwrite(b->data, 1, b->size, f) != b->size;
	if (f && fclose(f))
		ret = 1;
	return ret;
}

/*
 * "--write-seeds DIR": inputs for the image fuzzer that reach every
 * parser whole: the standard test kernel, and it in a bzImage with each
 * compression.
 */
static int write_seeds(const char *dir)
{
	struct uv_buf elf = std_elf(), packed, bz;
	char name[64];
	unsigned int i;
	int ret = write_seed(dir, "elf-std", &elf);

	for (i = 0; i < UV_ARRAY_SIZE(codecs); i++) {
		packed = codecs[i].pack(&elf);
		bz = make_bzimage(&packed, elf.size, codecs[i].append, 30,
				  0x20f);
		snprintf(name, sizeof(name), "bzimage-%s", codecs[i].name);
		ret |= write_seed(dir, name, &bz);
		free(packed.data);
		free(bz.data);
	}
	free(elf.data);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-kernel"))
		return write_kernel(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
		return write_seeds(argv[2]);
	printf("TAP version 13\n");
	uv_quiet = true;
	/* The kernels found decide the count: the plan comes last. */
	test_parse_ram();
	test_parse_uint();
	test_disk_parse();
	test_diag_describe();
	test_elf();
	test_reloc();
	test_reloc_wrap();
	test_bzimage();
	test_start_state();
	test_real_kernels();
	printf("1..%d\n", nr_tests);
	printf("# uvctl-unit: %d tests, %d failed\n", nr_tests, nr_failed);
	return nr_failed ? 1 : 0;
}
