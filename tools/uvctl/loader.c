// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: the kernel's ELF image, read with libelf.
 *
 * A PVH kernel is started the way Xen's toolstack starts one: every
 * PT_LOAD segment is copied to its physical address (p_paddr, not the
 * virtual one: paging is off at the entry) and the vCPU starts at the
 * 32-bit physical entry point named by the note XEN_ELFNOTE_PHYS32_ENTRY.
 * A kernel that has the note XEN_ELFNOTE_PHYS32_RELOC may also be moved,
 * within the bounds the note gives, when its own address is not free.
 *
 * Only program headers are used: section headers may be stripped (the
 * bench's trimmed vmlinux has none), and notes are found through PT_NOTE.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <xen/elfnote.h>

#include "uvctl.h"

/* Xen 4.20's elfnote.h has it; 4.17's, which Debian 12 ships, not yet. */
#ifndef XEN_ELFNOTE_PHYS32_RELOC
#define XEN_ELFNOTE_PHYS32_RELOC	19
#endif

/* Defaults of the relocation note's fields (Xen's elfnote.h). */
#define RELOC_ALIGN_DEFAULT	0x200000U
#define RELOC_MIN_DEFAULT	0U
#define RELOC_MAX_DEFAULT	0xffffffffU

/* A number in a Xen note: 4 or 8 bytes, little-endian. */
static int note_number(const unsigned char *desc, size_t size, uint64_t *v)
{
	if (size == 4)
		*v = uv_le32(desc);
	else if (size == 8)
		*v = uv_le64(desc);
	else
		return -1;
	return 0;
}

static int xen_note(struct uv_kernel *k, const GElf_Nhdr *n,
		    const unsigned char *desc, bool *have_entry)
{
	uint64_t v;

	switch (n->n_type) {
	case XEN_ELFNOTE_PHYS32_ENTRY:
		if (note_number(desc, n->n_descsz, &v) || v > UINT32_MAX) {
			uv_err("%s: malformed XEN_ELFNOTE_PHYS32_ENTRY note",
			       k->name);
			return -1;
		}
		k->entry = v;
		*have_entry = true;
		break;
	case XEN_ELFNOTE_PHYS32_RELOC:
		/*
		 * Up to three 32-bit values, in this order: alignment,
		 * lowest start, highest last byte.  Absent ones take
		 * their defaults.
		 */
		k->relocatable = true;
		if (n->n_descsz >= 4 && uv_le32(desc))
			k->reloc_align = uv_le32(desc);
		if (n->n_descsz >= 8)
			k->reloc_min = uv_le32(desc + 4);
		if (n->n_descsz >= 12)
			k->reloc_max = uv_le32(desc + 8);
		break;
	}
	return 0;
}

/* Walk one PT_NOTE segment for Xen's notes. */
static int scan_notes(struct uv_kernel *k, Elf *e, const GElf_Phdr *ph,
		      bool *have_entry)
{
	Elf_Data *d;
	GElf_Nhdr n;
	size_t off = 0, name, desc;

	if (!ph->p_filesz)
		return 0;
	d = elf_getdata_rawchunk(e, ph->p_offset, ph->p_filesz,
				 ph->p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
	if (!d) {
		uv_err("%s: unreadable PT_NOTE segment: %s", k->name,
		       elf_errmsg(-1));
		return -1;
	}
	while ((off = gelf_getnote(d, off, &n, &name, &desc)) > 0) {
		const char *owner = (const char *)d->d_buf + name;

		if (n.n_namesz != 4 || memcmp(owner, "Xen", 4))
			continue;
		if (xen_note(k, &n, (const unsigned char *)d->d_buf + desc,
			     have_entry))
			return -1;
	}
	return 0;
}

static int add_segment(struct uv_kernel *k, const GElf_Phdr *ph)
{
	struct uv_segment *s;

	if (!ph->p_memsz)
		return 0;
	if (ph->p_filesz > ph->p_memsz ||
	    ph->p_offset > k->elf.size ||
	    ph->p_filesz > k->elf.size - ph->p_offset) {
		uv_err("%s: a PT_LOAD segment lies outside the file", k->name);
		return -1;
	}
	if (ph->p_paddr + ph->p_memsz < ph->p_paddr) {
		uv_err("%s: a PT_LOAD segment wraps around", k->name);
		return -1;
	}
	if (k->nr_segments == UV_MAX_SEGMENTS) {
		uv_err("%s: more than %d PT_LOAD segments", k->name,
		       UV_MAX_SEGMENTS);
		return -1;
	}
	s = &k->segments[k->nr_segments++];
	s->paddr = ph->p_paddr;
	s->filesz = ph->p_filesz;
	s->memsz = ph->p_memsz;
	s->data = k->elf.data + ph->p_offset;
	if (ph->p_paddr < k->lo)
		k->lo = ph->p_paddr;
	if (ph->p_paddr + ph->p_memsz > k->hi)
		k->hi = ph->p_paddr + ph->p_memsz;
	if (ph->p_align > k->max_p_align)
		k->max_p_align = ph->p_align;
	return 0;
}

/* The ELF image in k->elf: its segments and notes. */
static int parse_elf(struct uv_kernel *k)
{
	bool have_entry = false;
	GElf_Ehdr eh;
	size_t i, nr;
	Elf *e;
	int ret = -1;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		uv_err("libelf: %s", elf_errmsg(-1));
		return -1;
	}
	e = elf_memory((char *)k->elf.data, k->elf.size);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		uv_err("%s: not an ELF file%s", k->name,
		       k->compression ? " inside the bzImage" : "");
		goto out;
	}
	k->elf_class = gelf_getclass(e) == ELFCLASS64 ? 64 : 32;
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    (eh.e_machine != EM_X86_64 && eh.e_machine != EM_386)) {
		uv_err("%s: not a little-endian x86 ELF file", k->name);
		goto out;
	}
	if (elf_getphdrnum(e, &nr)) {
		uv_err("%s: no program headers: %s", k->name, elf_errmsg(-1));
		goto out;
	}
	k->lo = UINT64_MAX;
	k->hi = 0;
	k->reloc_align = 0;
	k->reloc_min = RELOC_MIN_DEFAULT;
	k->reloc_max = RELOC_MAX_DEFAULT;
	for (i = 0; i < nr; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, i, &ph)) {
			uv_err("%s: bad program header %zu: %s", k->name, i,
			       elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type == PT_LOAD && add_segment(k, &ph))
			goto out;
		if (ph.p_type == PT_NOTE && scan_notes(k, e, &ph, &have_entry))
			goto out;
	}
	/* The one refusal a user is most likely to meet: say how to fix it. */
	if (!have_entry) {
		uv_err("%s has no Xen PVH entry point (no XEN_ELFNOTE_PHYS32_ENTRY note): uvctl boots PVH kernels only (Linux: CONFIG_XEN_PVH=y)",
		       k->name);
		goto out;
	}
	if (!k->nr_segments) {
		uv_err("%s: no PT_LOAD segment to load", k->name);
		goto out;
	}
	/* Xen's rule for the alignment the note leaves out. */
	if (!k->reloc_align)
		k->reloc_align = k->max_p_align >= UV_PAGE_SIZE ?
				 k->max_p_align : RELOC_ALIGN_DEFAULT;
	if (k->reloc_align & (k->reloc_align - 1) ||
	    k->reloc_align < UV_PAGE_SIZE) {
		uv_err("%s: XEN_ELFNOTE_PHYS32_RELOC asks for alignment %#x, not a power of two of at least 4K",
		       k->name, k->reloc_align);
		goto out;
	}
	ret = 0;
out:
	if (e)
		elf_end(e);
	return ret;
}

/**
 * uv_kernel_from_buf() - understand a kernel already in memory
 * @k:    filled in
 * @name: its file name, for messages
 * @file: the file's bytes; @k owns them from now on, even on failure
 *
 * Return: 0, or -1 after a message.
 */
int uv_kernel_from_buf(struct uv_kernel *k, const char *name,
		       struct uv_buf *file)
{
	memset(k, 0, sizeof(*k));
	k->name = name;
	k->file = *file;
	file->data = NULL;
	file->size = 0;
	if (uv_is_bzimage(&k->file)) {
		if (uv_bzimage_payload(&k->file, name, &k->elf,
				       &k->compression))
			return -1;
	} else if (k->file.size >= SELFMAG &&
		   !memcmp(k->file.data, ELFMAG, SELFMAG)) {
		k->elf = k->file;
	} else {
		uv_err("%s is neither an ELF kernel (vmlinux) nor a bzImage",
		       name);
		return -1;
	}
	return parse_elf(k);
}

/**
 * uv_kernel_open() - read and understand a kernel file
 * @k:    filled in; uv_kernel_free() it, whatever this returns
 * @path: an ELF vmlinux or a bzImage
 *
 * Return: 0, or -1 after a message.
 */
int uv_kernel_open(struct uv_kernel *k, const char *path)
{
	struct uv_buf file;

	memset(k, 0, sizeof(*k));
	if (uv_read_file(path, "kernel", &file))
		return -1;
	return uv_kernel_from_buf(k, path, &file);
}

void uv_kernel_free(struct uv_kernel *k)
{
	if (k->elf.data != k->file.data)
		uv_buf_free(&k->elf);
	uv_buf_free(&k->file);
	k->elf.data = NULL;
	k->nr_segments = 0;
}

/**
 * uv_kernel_load() - copy the segments into guest RAM
 * @k:     the kernel
 * @mem:   guest RAM, GPA 0 at @mem
 * @size:  its size
 * @delta: added to every p_paddr (0, or the relocation's offset)
 *
 * The layout (uv_layout_plan()) has already placed every segment inside
 * RAM at its address plus @delta; each is checked again here, where a
 * mistake would write outside guest RAM, before anything is copied.
 *
 * Return: 0, or -1 (with a message) if a segment falls outside @size.
 */
int uv_kernel_load(const struct uv_kernel *k, unsigned char *mem,
		   uint64_t size, uint64_t delta)
{
	unsigned int i;

	for (i = 0; i < k->nr_segments; i++) {
		const struct uv_segment *s = &k->segments[i];
		uint64_t gpa = s->paddr + delta;

		/* @delta may be "negative": the sum is where it goes. */
		if (s->memsz > size || gpa > size - s->memsz ||
		    s->filesz > s->memsz) {
			uv_err("%s: segment %u (%#llx, %#llx bytes) is outside guest RAM",
			       k->name, i, (unsigned long long)gpa,
			       (unsigned long long)s->memsz);
			return -1;
		}
	}
	for (i = 0; i < k->nr_segments; i++) {
		const struct uv_segment *s = &k->segments[i];
		unsigned char *dst = mem + (s->paddr + delta);

		memcpy(dst, s->data, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}
