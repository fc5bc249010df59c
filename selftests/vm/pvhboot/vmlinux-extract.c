// SPDX-License-Identifier: GPL-2.0
/*
 * vmlinux-extract - pull the ELF vmlinux out of an x86 bzImage, for pvhboot.
 *
 * A bzImage carries the kernel as a compressed ELF file ("payload", boot
 * protocol 2.08+).  We find it through the setup header, decompress it
 * with the matching command-line tool (the kernel appends the
 * uncompressed size as 4 little-endian bytes, which those tools would
 * take for trailing garbage, so we cut them off and use them as a check),
 * make sure the result has the Xen PVH entry note, and write it back out
 * with the trailing zero bytes of each PT_LOAD segment dropped: .data and
 * .init sections end in large zeroed areas, and the loader zeroes from
 * p_filesz to p_memsz anyway.  That roughly halves the file, and with it
 * the time ISOLINUX spends reading it in an emulator.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xen/elfnote.h>

#define OUT_ALIGN	4096u	/* keep p_offset == p_vaddr modulo a page */

struct buf {
	unsigned char *data;
	size_t len;
};

static const char *prog = "vmlinux-extract";
static const char *partial_output;	/* removed if we fail */

static void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;

	if (partial_output)
		unlink(partial_output);

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--no-trim] BZIMAGE VMLINUX\n"
		"\n"
		"Extract the ELF vmlinux from an x86 bzImage (e.g. /boot/vmlinuz-*),\n"
		"check that it has a Xen PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY)\n"
		"and write it to VMLINUX for pvhboot.elf to start.\n"
		"\n"
		"The payload is decompressed with xz, zstd, gzip, bzip2, lz4 or lzop\n"
		"from PATH, whichever its magic number asks for.  Trailing zero bytes\n"
		"of each PT_LOAD segment are dropped (p_filesz shrinks, p_memsz stays)\n"
		"unless --no-trim is given.  Section headers are not kept.\n"
		"\n"
		"  --no-trim   keep segment contents as they are\n"
		"  -h, --help  show this help\n", prog);
}

static uint32_t get_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static struct buf read_file(const char *path)
{
	struct buf b = { 0 };
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		die("%s: %s", path, strerror(errno));
	b.len = st.st_size;
	b.data = malloc(b.len ? b.len : 1);
	if (!b.data)
		die("out of memory");
	for (size_t done = 0; done < b.len; ) {
		ssize_t n = read(fd, b.data + done, b.len - done);

		if (n <= 0)
			die("%s: read failed: %s", path,
			    n ? strerror(errno) : "file shrank");
		done += n;
	}
	close(fd);
	return b;
}

/* ---- bzImage setup header (Documentation/arch/x86/boot.rst) ---- */

static struct buf find_payload(const struct buf *bz, const char *path)
{
	const unsigned char *h = bz->data;
	unsigned int setup_sects, version;
	size_t pm_start, off, len;

	if (bz->len < 0x250 || memcmp(h + 0x202, "HdrS", 4))
		die("%s: not an x86 bzImage (no \"HdrS\" setup header)", path);
	version = h[0x206] | h[0x207] << 8;
	if (version < 0x208)
		die("%s: boot protocol %u.%02u has no payload fields (need 2.08+)",
		    path, version >> 8, version & 0xff);
	setup_sects = h[0x1f1] ? h[0x1f1] : 4;
	pm_start = (setup_sects + 1) * 512;
	off = pm_start + get_le32(h + 0x248);
	len = get_le32(h + 0x24c);
	if (len < 8 || off > bz->len || len > bz->len - off)
		die("%s: payload_offset/payload_length point outside the file",
		    path);
	return (struct buf){ (unsigned char *)h + off, len };
}

struct codec {
	const char *name;
	const unsigned char magic[6];
	size_t magic_len;
	const char *argv[5];
};

static const struct codec codecs[] = {
	{ "xz",    { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, { "xz", "-dc", NULL } },
	{ "zstd",  { 0x28, 0xb5, 0x2f, 0xfd }, 4,
	  { "zstd", "-dcq", "--memory=2048MB", NULL } },
	{ "gzip",  { 0x1f, 0x8b }, 2, { "gzip", "-dc", NULL } },
	{ "bzip2", { 'B', 'Z', 'h' }, 3, { "bzip2", "-dc", NULL } },
	{ "lzma",  { 0x5d, 0x00, 0x00 }, 3,
	  { "xz", "-dc", "--format=lzma", NULL } },
	{ "lz4",   { 0x02, 0x21, 0x4c, 0x18 }, 4, { "lz4", "-dc", NULL } },
	{ "lzo",   { 0x89, 'L', 'Z', 'O' }, 4, { "lzop", "-dc", NULL } },
};

static const struct codec *pick_codec(const struct buf *in)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (in->len >= codecs[i].magic_len &&
		    !memcmp(in->data, codecs[i].magic, codecs[i].magic_len))
			return &codecs[i];
	die("payload compression not recognised (magic %02x %02x %02x %02x)",
	    in->data[0], in->data[1], in->data[2], in->data[3]);
}

/*
 * A child must not keep a pipe end it does not use: a stray write end
 * of the tool's stdin would keep the tool waiting for EOF forever.
 */
static void close_pipes(const int a[2], const int b[2])
{
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* Feed @in to the tool from a child, so that neither pipe can deadlock. */
static pid_t spawn_writer(const int to_tool[2], const int from_tool[2],
			  const struct buf *in)
{
	int fd;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid)
		return pid;
	fd = dup(to_tool[1]);
	close_pipes(to_tool, from_tool);
	for (size_t done = 0; done < in->len; ) {
		ssize_t n = write(fd, in->data + done, in->len - done);

		if (n <= 0)
			_exit(1);
		done += n;
	}
	_exit(0);
}

static pid_t spawn_tool(const struct codec *c, const int to_tool[2],
			const int from_tool[2])
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid)
		return pid;
	if (dup2(to_tool[0], 0) < 0 || dup2(from_tool[1], 1) < 0)
		_exit(126);
	close_pipes(to_tool, from_tool);
	execvp(c->argv[0], (char *const *)c->argv);
	fprintf(stderr, "%s: cannot run %s: %s (install it: %s)\n", prog,
		c->argv[0], strerror(errno),
		!strcmp(c->argv[0], "zstd") ? "apt-get install zstd" :
		!strcmp(c->argv[0], "xz") ? "apt-get install xz-utils" :
		c->argv[0]);
	_exit(127);
}

static int wait_ok(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static struct buf decompress(const struct buf *payload)
{
	/* The kernel build appends the uncompressed size after the stream. */
	struct buf in = { payload->data, payload->len - 4 };
	size_t want = get_le32(payload->data + payload->len - 4);
	const struct codec *c = pick_codec(&in);
	struct buf out = { 0 };
	size_t cap = want + 1;
	int to_tool[2], from_tool[2];
	pid_t writer, tool;

	if (pipe(to_tool) || pipe(from_tool))
		die("pipe: %s", strerror(errno));
	tool = spawn_tool(c, to_tool, from_tool);
	writer = spawn_writer(to_tool, from_tool, &in);
	close(to_tool[0]);
	close(to_tool[1]);
	close(from_tool[1]);

	out.data = malloc(cap);
	if (!out.data)
		die("out of memory");
	for (;;) {
		ssize_t n;

		if (out.len == cap) {
			cap *= 2;
			out.data = realloc(out.data, cap);
			if (!out.data)
				die("out of memory");
		}
		n = read(from_tool[0], out.data + out.len, cap - out.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("reading from %s: %s", c->argv[0], strerror(errno));
		if (!n)
			break;
		out.len += n;
	}
	close(from_tool[0]);
	if (!wait_ok(tool))
		die("%s payload: %s failed", c->name, c->argv[0]);
	if (!wait_ok(writer))
		die("%s payload: feeding %s failed", c->name, c->argv[0]);
	if (out.len != want)
		die("%s payload decompressed to %zu bytes, the bzImage says %zu",
		    c->name, out.len, want);
	fprintf(stderr, "%s: %s payload, %zu -> %zu bytes\n", prog, c->name,
		in.len, out.len);
	return out;
}

/* ---- ELF checks and trimming ---- */

static Elf64_Phdr *phdrs(const struct buf *elf)
{
	return (Elf64_Phdr *)(elf->data + ((Elf64_Ehdr *)elf->data)->e_phoff);
}

static void check_elf(const struct buf *elf)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf->data;
	const Elf64_Phdr *ph;

	if (elf->len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		die("payload is not an ELF file (a non-x86 or very old kernel?)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64)
		die("payload is not a little-endian x86-64 ELF64 file");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    eh->e_phoff > elf->len ||
	    (elf->len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		die("vmlinux program headers are missing or truncated");
	ph = phdrs(elf);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_offset > elf->len ||
		    ph[i].p_filesz > elf->len - ph[i].p_offset)
			die("vmlinux segment %d lies outside the file", i);
}

static int note_entry(const struct buf *elf, const Elf64_Phdr *ph,
		      uint32_t *entry)
{
	size_t off = ph->p_offset, end = ph->p_offset + ph->p_filesz;

	while (off + sizeof(Elf64_Nhdr) <= end) {
		const Elf64_Nhdr *n = (const Elf64_Nhdr *)(elf->data + off);
		size_t name = off + sizeof(*n);
		size_t desc = name + ((n->n_namesz + 3) & ~3u);

		if (desc + n->n_descsz > end)
			break;
		if (n->n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
		    n->n_namesz == 4 && !memcmp(elf->data + name, "Xen", 4) &&
		    n->n_descsz >= 4) {
			*entry = get_le32(elf->data + desc);
			return 1;
		}
		off = desc + ((n->n_descsz + 3) & ~3u);
	}
	return 0;
}

static uint32_t find_pvh_entry(const struct buf *elf)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf->data;
	const Elf64_Phdr *ph = phdrs(elf);
	uint32_t entry;

	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_NOTE && note_entry(elf, &ph[i], &entry))
			return entry;
	die("vmlinux has no XEN_ELFNOTE_PHYS32_ENTRY note: "
	    "the kernel was built without CONFIG_PVH");
}

/* The PT_LOAD segment whose file bytes hold @ph's, or NULL. */
static const Elf64_Phdr *load_holding(const struct buf *elf,
				      const Elf64_Phdr *ph)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf->data;
	const Elf64_Phdr *all = phdrs(elf);

	for (int i = 0; i < eh->e_phnum; i++)
		if (all[i].p_type == PT_LOAD &&
		    ph->p_offset >= all[i].p_offset &&
		    ph->p_offset + ph->p_filesz <=
		    all[i].p_offset + all[i].p_filesz)
			return &all[i];
	return NULL;
}

/* Shrink p_filesz past trailing zeros, but never below a note it holds. */
static uint64_t trimmed_size(const struct buf *elf, const Elf64_Phdr *load)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf->data;
	const Elf64_Phdr *ph = phdrs(elf);
	const unsigned char *p = elf->data + load->p_offset;
	uint64_t size = load->p_filesz;

	while (size && !p[size - 1])
		size--;
	for (int i = 0; i < eh->e_phnum; i++) {
		uint64_t end = ph[i].p_offset + ph[i].p_filesz;

		if (ph[i].p_type != PT_LOAD && ph[i].p_filesz &&
		    load_holding(elf, &ph[i]) == load &&
		    end - load->p_offset > size)
			size = end - load->p_offset;
	}
	return size;
}

static void write_all(FILE *f, const void *p, size_t len, const char *path)
{
	if (len && fwrite(p, 1, len, f) != len)
		die("%s: write failed: %s", path, strerror(errno));
}

/*
 * New layout: ELF header, program headers, then the PT_LOAD contents in
 * order, each at an offset congruent to its p_vaddr modulo a page.
 * Other segments (notes) are pointed into the copy of the load segment
 * that holds them.
 */
static size_t write_vmlinux(const struct buf *elf, const char *path, int trim)
{
	Elf64_Ehdr eh = *(const Elf64_Ehdr *)elf->data;
	const Elf64_Phdr *old = phdrs(elf);
	size_t n = eh.e_phnum, pos;
	Elf64_Phdr *ph = calloc(n, sizeof(*ph));
	static const unsigned char zeros[OUT_ALIGN];
	FILE *f;

	if (!ph)
		die("out of memory");
	memcpy(ph, old, n * sizeof(*ph));
	pos = sizeof(eh) + n * sizeof(*ph);
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (trim)
			ph[i].p_filesz = trimmed_size(elf, &old[i]);
		pos += (ph[i].p_vaddr - pos) & (OUT_ALIGN - 1);
		ph[i].p_offset = pos;
		ph[i].p_align = OUT_ALIGN;
		pos += ph[i].p_filesz;
	}
	for (size_t i = 0; i < n; i++) {
		const Elf64_Phdr *load;

		if (ph[i].p_type == PT_LOAD)
			continue;
		load = ph[i].p_filesz ? load_holding(elf, &old[i]) : NULL;
		if (load)
			ph[i].p_offset = ph[load - old].p_offset +
					 (old[i].p_offset - load->p_offset);
		else
			ph[i].p_offset = ph[i].p_filesz = 0;
	}
	eh.e_phoff = sizeof(eh);
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = SHN_UNDEF;

	f = fopen(path, "wb");
	if (!f)
		die("%s: %s", path, strerror(errno));
	partial_output = path;
	write_all(f, &eh, sizeof(eh), path);
	write_all(f, ph, n * sizeof(*ph), path);
	pos = sizeof(eh) + n * sizeof(*ph);
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		write_all(f, zeros, ph[i].p_offset - pos, path);
		write_all(f, elf->data + old[i].p_offset, ph[i].p_filesz, path);
		pos = ph[i].p_offset + ph[i].p_filesz;
	}
	if (fclose(f))
		die("%s: write failed: %s", path, strerror(errno));
	partial_output = NULL;
	free(ph);
	return pos;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "no-trim", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct buf bz, payload, elf;
	uint32_t entry;
	size_t written;
	int trim = 1, c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'n':
			trim = 0;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	bz = read_file(argv[optind]);
	payload = find_payload(&bz, argv[optind]);
	elf = decompress(&payload);
	check_elf(&elf);
	entry = find_pvh_entry(&elf);
	written = write_vmlinux(&elf, argv[optind + 1], trim);
	fprintf(stderr, "%s: PVH entry 0x%x, wrote %s: %zu bytes (ELF was %zu)\n",
		prog, entry, argv[optind + 1], written, elf.len);
	free(elf.data);
	free(bz.data);
	return 0;
}
