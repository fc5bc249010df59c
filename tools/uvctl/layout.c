// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: what a PVH guest finds when it starts, in memory and registers.
 *
 * Guest RAM is one block at GPA 0.  Inside it (Documentation/guest-boot.rst
 * has the picture):
 *
 *   0x0      - 0xe000    RAM
 *   0xe000   - 0x10000   reserved: start_info, modlist, memmap, cmdline
 *   0x10000  - 0x9f000   RAM
 *   0x9f000  - 1 MiB     reserved: where a PC has its EBDA, VGA and BIOS
 *   1 MiB    - top-8K    RAM: the kernel at its p_paddr (16 MiB for
 *                        Linux), the initrd page-aligned at the top
 *   top-8K   - top-4K    reserved: the console ring
 *   top-4K   - top       reserved: the xenstore ring
 *
 * The boot data sits in the first 64 KiB, which Linux never hands out
 * (CONFIG_X86_RESERVE_LOW), and it is marked reserved as well so that no
 * PVH kernel reuses it before it has read it.  The special pages are
 * reserved so that the guest does not allocate the pages it shares with
 * the module; putting them at the top keeps the RAM below in one piece.
 */
#include <string.h>

#include "uvctl.h"

/* Where each piece of boot data goes, inside the reserved boot region. */
#define START_INFO_OFF	0x0
#define MODLIST_OFF	0x40
#define MEMMAP_OFF	0x80
#define CMDLINE_OFF	0x1000

/* A run of guest-physical addresses, [start, end). */
struct range {
	uint64_t start, end;
};

static bool inside(const struct range *r, unsigned int n, uint64_t start,
		   uint64_t end)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i].start <= start && end <= r[i].end)
			return true;
	return false;
}

/* What --ram would let @k load where it is linked, with its initrd. */
static uint64_t ram_needed(const struct uv_kernel *k, uint64_t initrd_size)
{
	uint64_t need = UV_ALIGN_UP(k->hi, UV_PAGE_SIZE) +
			UV_ALIGN_UP(initrd_size, UV_PAGE_SIZE) +
			UV_NR_SPECIAL * UV_PAGE_SIZE;

	need = UV_ALIGN_UP(need, UV_MiB);
	return need < UV_RAM_MIN ? UV_RAM_MIN : need;
}

/*
 * Where the image goes: at its own p_paddr when that is free RAM, as Xen
 * does; otherwise, if the kernel says it can run elsewhere
 * (XEN_ELFNOTE_PHYS32_RELOC), at the lowest address above 1 MiB with the
 * note's alignment whose whole image stays inside RAM and inside the
 * note's [min, max].  Xen's own PVH builder also skips the first MiB:
 * the guest's firmware-like areas live there.
 */
static int place_kernel(struct uv_layout *l, const struct uv_kernel *k,
			const struct range *ram, unsigned int nr_ram,
			uint64_t initrd_size)
{
	uint64_t span = k->hi - k->lo, base = 0;
	unsigned int i;
	bool found = false;

	if (k->hi <= 4 * UV_GiB && inside(ram, nr_ram, k->lo, k->hi)) {
		base = k->lo;
		found = true;
	} else if (k->relocatable) {
		for (i = 0; i < nr_ram && !found; i++) {
			uint64_t a = ram[i].start;

			if (a < UV_HIGH_RAM)
				a = UV_HIGH_RAM;
			if (a < k->reloc_min)
				a = k->reloc_min;
			a = UV_ALIGN_UP(a, (uint64_t)k->reloc_align);
			/* The image chooses span: no sum may wrap. */
			if (a < ram[i].end && span <= ram[i].end - a &&
			    a <= k->reloc_max && span - 1 <= k->reloc_max - a) {
				base = a;
				found = true;
			}
		}
	}
	if (!found) {
		uint64_t need = ram_needed(k, initrd_size) / UV_MiB;
		char hint[96] = "";

		if (k->lo >= UV_HIGH_RAM && k->hi <= 4 * UV_GiB &&
		    k->hi > ram[nr_ram - 1].end)
			snprintf(hint, sizeof(hint), ": use --ram %lluM or more",
				 (unsigned long long)need);
		if (k->relocatable)
			uv_err("%s loads at %#llx-%#llx, which is not free RAM in a guest of %lluM, and fits nowhere in %#x-%#x at alignment %#x%s",
			       k->name, (unsigned long long)k->lo,
			       (unsigned long long)k->hi,
			       (unsigned long long)(l->ram_size / UV_MiB),
			       k->reloc_min, k->reloc_max, k->reloc_align,
			       hint);
		else
			uv_err("%s loads at %#llx-%#llx, which is not free RAM in a guest of %lluM, and cannot be moved (no XEN_ELFNOTE_PHYS32_RELOC)%s",
			       k->name, (unsigned long long)k->lo,
			       (unsigned long long)k->hi,
			       (unsigned long long)(l->ram_size / UV_MiB),
			       hint);
		return -1;
	}
	l->kernel_base = base;
	l->kernel_end = base + span;
	l->kernel_delta = base - k->lo;
	l->relocated = base != k->lo;
	l->entry = (uint32_t)(k->entry + l->kernel_delta);
	return 0;
}

/*
 * The initrd goes as high as it can, just below the special pages: the
 * kernel's early allocations grow up from its own end, and Linux takes
 * an initrd anywhere in RAM.
 */
static int place_initrd(struct uv_layout *l, const struct uv_kernel *k,
			uint64_t size, uint64_t top)
{
	uint64_t floor = UV_ALIGN_UP(l->kernel_end, UV_PAGE_SIZE), start;

	if (!size)
		return 0;
	if (floor < UV_HIGH_RAM)
		floor = UV_HIGH_RAM;
	start = size <= top ? UV_ALIGN_DOWN(top - size, UV_PAGE_SIZE) : 0;
	if (size > top || start < floor) {
		uint64_t need = floor + UV_ALIGN_UP(size, UV_PAGE_SIZE) +
				UV_NR_SPECIAL * UV_PAGE_SIZE;

		need = UV_ALIGN_UP(need, UV_MiB) / UV_MiB;
		uv_err("the initrd (%llu bytes) does not fit between the end of %s (%#llx) and the special pages (%#llx): use --ram %lluM or more",
		       (unsigned long long)size, k->name,
		       (unsigned long long)floor, (unsigned long long)top,
		       (unsigned long long)need);
		return -1;
	}
	l->initrd_gpa = start;
	l->initrd_size = size;
	return 0;
}

static void add_e820(struct uv_layout *l, uint64_t addr, uint64_t end,
		     uint32_t type)
{
	struct hvm_memmap_table_entry *e = &l->e820[l->nr_e820++];

	e->addr = addr;
	e->size = end - addr;
	e->type = type;
	e->reserved = 0;
}

/**
 * uv_layout_plan() - decide where everything goes
 * @l:           filled in
 * @ram_size:    guest RAM in bytes (uv_parse_ram() checked it)
 * @nr_vcpus:    vCPUs, 1 to UV_MAX_VCPUS (the MADT lists them)
 * @k:           the kernel
 * @initrd_size: bytes of initrd, 0 for none
 * @cmdline_len: strlen() of the command line
 *
 * Nothing is written yet: a dry run prints the plan, a real run hands it
 * to uv_layout_write() and to the module.
 *
 * Return: 0, or -1 after a message.
 */
int uv_layout_plan(struct uv_layout *l, uint64_t ram_size,
		   unsigned int nr_vcpus, const struct uv_kernel *k,
		   uint64_t initrd_size, size_t cmdline_len)
{
	uint64_t special;
	struct range ram[3];

	memset(l, 0, sizeof(*l));
	if (ram_size < UV_RAM_MIN || ram_size % UV_PAGE_SIZE ||
	    ram_size > UV_RAM_MAX) {
		uv_err("guest RAM of %llu bytes: not whole pages from %lluM to %lluG",
		       (unsigned long long)ram_size,
		       (unsigned long long)(UV_RAM_MIN / UV_MiB),
		       (unsigned long long)(UV_RAM_MAX / UV_GiB));
		return -1;
	}
	/* The ACPI region holds a MADT for UV_MAX_VCPUS, no more. */
	if (!nr_vcpus || nr_vcpus > UV_MAX_VCPUS) {
		uv_err("%u vCPUs: expected 1 to %d", nr_vcpus, UV_MAX_VCPUS);
		return -1;
	}
	if (cmdline_len >= UV_CMDLINE_MAX) {
		uv_err("the command line has %zu bytes: Linux keeps at most %d",
		       cmdline_len, UV_CMDLINE_MAX - 1);
		return -1;
	}
	l->ram_size = ram_size;
	l->nr_vcpus = nr_vcpus;
	special = ram_size - UV_NR_SPECIAL * UV_PAGE_SIZE;
	l->console_gpa = special;
	l->xenstore_gpa = special + UV_PAGE_SIZE;
	l->start_info_gpa = UV_BOOT_GPA + START_INFO_OFF;
	l->modlist_gpa = UV_BOOT_GPA + MODLIST_OFF;
	l->memmap_gpa = UV_BOOT_GPA + MEMMAP_OFF;
	l->cmdline_gpa = UV_BOOT_GPA + CMDLINE_OFF;

	/* RAM nothing else uses; page 0 stays empty, as PVH promises. */
	ram[0] = (struct range){ UV_PAGE_SIZE, UV_BOOT_GPA };
	ram[1] = (struct range){ UV_BOOT_GPA + UV_BOOT_SIZE, UV_LEGACY_HOLE };
	ram[2] = (struct range){ UV_HIGH_RAM, special };
	if (place_kernel(l, k, ram, UV_ARRAY_SIZE(ram), initrd_size) ||
	    place_initrd(l, k, initrd_size, special))
		return -1;

	add_e820(l, 0, UV_BOOT_GPA, XEN_HVM_MEMMAP_TYPE_RAM);
	add_e820(l, UV_BOOT_GPA, UV_BOOT_GPA + UV_BOOT_SIZE,
		 XEN_HVM_MEMMAP_TYPE_RESERVED);
	add_e820(l, UV_BOOT_GPA + UV_BOOT_SIZE, UV_LEGACY_HOLE,
		 XEN_HVM_MEMMAP_TYPE_RAM);
	add_e820(l, UV_LEGACY_HOLE, UV_HIGH_RAM, XEN_HVM_MEMMAP_TYPE_RESERVED);
	add_e820(l, UV_HIGH_RAM, special, XEN_HVM_MEMMAP_TYPE_RAM);
	add_e820(l, special, ram_size, XEN_HVM_MEMMAP_TYPE_RESERVED);
	return 0;
}

/**
 * uv_layout_write() - put the kernel, initrd and boot data in guest RAM
 * @l:       the plan
 * @mem:     guest RAM (GPA 0 at @mem, @l->ram_size bytes)
 * @k:       the kernel
 * @initrd:  the initrd, or NULL
 * @cmdline: the command line
 *
 * Return: 0, or -1 (with a message) if the kernel does not fit after all.
 */
int uv_layout_write(const struct uv_layout *l, unsigned char *mem,
		    const struct uv_kernel *k, const struct uv_buf *initrd,
		    const char *cmdline)
{
	struct hvm_start_info si = {
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = 1,
		.cmdline_paddr = l->cmdline_gpa,
		.memmap_paddr = l->memmap_gpa,
		.memmap_entries = l->nr_e820,
	};

	memset(mem + UV_BOOT_GPA, 0, UV_BOOT_SIZE);
	si.rsdp_paddr = uv_acpi_write(mem, UV_BOOT_GPA + UV_ACPI_OFF,
				      l->nr_vcpus);
	memset(mem + l->console_gpa, 0, UV_NR_SPECIAL * UV_PAGE_SIZE);
	if (uv_kernel_load(k, mem, l->ram_size, l->kernel_delta))
		return -1;
	if (l->initrd_size) {
		struct hvm_modlist_entry mod = {
			.paddr = l->initrd_gpa,
			.size = l->initrd_size,
		};

		memcpy(mem + l->initrd_gpa, initrd->data, l->initrd_size);
		memcpy(mem + l->modlist_gpa, &mod, sizeof(mod));
		si.nr_modules = 1;
		si.modlist_paddr = l->modlist_gpa;
	}
	memcpy(mem + l->memmap_gpa, l->e820,
	       l->nr_e820 * sizeof(l->e820[0]));
	memcpy(mem + l->cmdline_gpa, cmdline, strlen(cmdline) + 1);
	memcpy(mem + l->start_info_gpa, &si, sizeof(si));
	return 0;
}

const char *uv_e820_type_name(uint32_t type)
{
	switch (type) {
	case XEN_HVM_MEMMAP_TYPE_RAM:
		return "ram";
	case XEN_HVM_MEMMAP_TYPE_RESERVED:
		return "reserved";
	case XEN_HVM_MEMMAP_TYPE_ACPI:
		return "acpi";
	case XEN_HVM_MEMMAP_TYPE_NVS:
		return "nvs";
	case XEN_HVM_MEMMAP_TYPE_UNUSABLE:
		return "unusable";
	default:
		return "other";
	}
}

/**
 * uv_layout_print() - the plan, one "key: value" line per item
 * @l:       the plan
 * @k:       the kernel
 * @cmdline: the command line
 * @f:       stdout for --dry-run, stderr for --verbose
 * @prefix:  put before each line ("uvctl: " on stderr)
 *
 * The format is stable: tools/uvctl/test.sh and users' scripts read it.
 * Ranges are [start, end) in hex.
 */
void uv_layout_print(const struct uv_layout *l, const struct uv_kernel *k,
		     const char *cmdline, FILE *f, const char *prefix)
{
	unsigned int i;

	if (k->compression)
		fprintf(f, "%skernel: %s (bzImage, %s payload: ELF%d)\n",
			prefix, k->name, k->compression, k->elf_class);
	else
		fprintf(f, "%skernel: %s (ELF%d file)\n", prefix, k->name,
			k->elf_class);
	for (i = 0; i < k->nr_segments; i++)
		fprintf(f, "%ssegment: %#llx filesz %#llx memsz %#llx\n",
			prefix,
			(unsigned long long)(k->segments[i].paddr +
					     l->kernel_delta),
			(unsigned long long)k->segments[i].filesz,
			(unsigned long long)k->segments[i].memsz);
	fprintf(f, "%simage: %#llx %#llx\n", prefix,
		(unsigned long long)l->kernel_base,
		(unsigned long long)l->kernel_end);
	if (l->relocated)
		fprintf(f, "%srelocated: from %#llx by %+lld (XEN_ELFNOTE_PHYS32_RELOC align %#x min %#x max %#x)\n",
			prefix, (unsigned long long)k->lo,
			(long long)l->kernel_delta, k->reloc_align,
			k->reloc_min, k->reloc_max);
	fprintf(f, "%sentry: %#x\n", prefix, l->entry);
	fprintf(f, "%sram: %#llx (%lluM)\n", prefix,
		(unsigned long long)l->ram_size,
		(unsigned long long)(l->ram_size / UV_MiB));
	for (i = 0; i < l->nr_e820; i++)
		fprintf(f, "%se820: 0x%016llx 0x%016llx %s\n", prefix,
			(unsigned long long)l->e820[i].addr,
			(unsigned long long)(l->e820[i].addr + l->e820[i].size),
			uv_e820_type_name(l->e820[i].type));
	fprintf(f, "%sstart_info: %#llx\n", prefix,
		(unsigned long long)l->start_info_gpa);
	fprintf(f, "%smemmap: %#llx entries %u\n", prefix,
		(unsigned long long)l->memmap_gpa, l->nr_e820);
	fprintf(f, "%scmdline: %#llx \"%s\"\n", prefix,
		(unsigned long long)l->cmdline_gpa, cmdline);
	if (l->initrd_size)
		fprintf(f, "%sinitrd: %#llx %#llx (module 0, modlist %#llx)\n",
			prefix, (unsigned long long)l->initrd_gpa,
			(unsigned long long)(l->initrd_gpa + l->initrd_size),
			(unsigned long long)l->modlist_gpa);
	else
		fprintf(f, "%sinitrd: none\n", prefix);
	fprintf(f, "%sconsole_ring: %#llx (gfn %#llx)\n", prefix,
		(unsigned long long)l->console_gpa,
		(unsigned long long)(l->console_gpa / UV_PAGE_SIZE));
	fprintf(f, "%sxenstore_ring: %#llx (gfn %#llx)\n", prefix,
		(unsigned long long)l->xenstore_gpa,
		(unsigned long long)(l->xenstore_gpa / UV_PAGE_SIZE));
}

static struct microv_segment flat(uint16_t selector, uint8_t type)
{
	struct microv_segment s = {
		.base = 0, .limit = 0xffffffff, .selector = selector,
		.type = type, .s = 1, .present = 1, .db = 1, .g = 1,
	};

	return s;
}

/**
 * uv_start_state() - the vCPU at the PVH entry
 * @l:     the plan (entry, start_info)
 * @regs:  filled in
 * @sregs: filled in
 *
 * The PVH boot ABI (Xen's arch-x86/hvm/start_info.h): 32-bit protected
 * mode with paging off, flat 4 GiB code and data segments, a 32-bit TSS,
 * EBX the address of struct hvm_start_info.  The GDT and IDT are left
 * empty: the kernel loads its own before it reloads a segment or takes
 * an exception.
 */
void uv_start_state(const struct uv_layout *l, struct microv_regs *regs,
		    struct microv_sregs *sregs)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = l->entry;
	regs->rbx = l->start_info_gpa;
	regs->rflags = 0x2;		/* bit 1 is always set */

	memset(sregs, 0, sizeof(*sregs));
	sregs->cs = flat(0x8, 0xb);	/* execute/read, accessed */
	sregs->ds = flat(0x10, 0x3);	/* read/write, accessed */
	sregs->es = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	sregs->ss = sregs->ds;
	sregs->tr.limit = 0x67;
	sregs->tr.type = 11;		/* busy 32-bit TSS */
	sregs->tr.present = 1;
	sregs->ldt.type = 2;
	sregs->ldt.unusable = 1;
	sregs->cr0 = 0x11;		/* PE, ET */
	sregs->cr4 = 0;
	sregs->efer = 0;
}
