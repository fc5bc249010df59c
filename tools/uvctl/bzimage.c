// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: the ELF kernel inside a bzImage.
 *
 * Since boot protocol 2.08 the setup header says where the compressed
 * kernel ("payload") is: payload_offset bytes after the start of the
 * protected-mode code, payload_length bytes long.  Decompressed, it is
 * the kernel's ELF vmlinux (stripped, followed by its relocations), the
 * file the PVH entry needs.  Decompressing it here, with the libraries
 * every distribution has, spares the user a separate extraction step.
 *
 * The kernel's build appends the uncompressed size, 4 bytes
 * little-endian, to every payload but gzip's (whose own trailer holds
 * it); the decoders below stop at the end of the compressed stream, so
 * those bytes are only used as a size hint.
 */
#include <elf.h>
#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "uvctl.h"

/* Setup header fields (Documentation/arch/x86/boot.rst). */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_BOOT_FLAG		0x1fe
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_PAYLOAD_OFFSET	0x248
#define HDR_PAYLOAD_LENGTH	0x24c
#define HDR_END			0x250

/* No kernel comes near this: a bigger output means a broken payload. */
#define MAX_OUTPUT		(1ULL << 30)

/* The lz4 legacy frame: what the kernel's "lz4 -l" makes. */
#define LZ4_LEGACY_MAGIC	0x184c2102U
#define LZ4_LEGACY_BLOCK	(8U << 20)

/**
 * uv_is_bzimage() - does @b start with an x86 boot sector and setup header
 * @b: a file
 *
 * Both the boot sector's 0xAA55 and "HdrS" must be there: either alone
 * could be chance in some other file.
 */
bool uv_is_bzimage(const struct uv_buf *b)
{
	return b->size >= HDR_END &&
	       b->data[HDR_BOOT_FLAG] == 0x55 &&
	       b->data[HDR_BOOT_FLAG + 1] == 0xaa &&
	       !memcmp(b->data + HDR_MAGIC, "HdrS", 4);
}

/* An output buffer that grows as the decoder needs. */
struct out {
	unsigned char *data;
	size_t size, cap;
};

static int out_reserve(struct out *o, size_t more, const char *name)
{
	size_t cap = o->cap ? o->cap : 16 * UV_MiB;
	unsigned char *p;

	if (o->size + more <= o->cap)
		return 0;
	while (cap < o->size + more)
		cap *= 2;
	if (cap > MAX_OUTPUT) {
		uv_err("%s: the payload decompresses to more than 1 GiB: not a kernel?",
		       name);
		return -1;
	}
	p = realloc(o->data, cap);
	if (!p) {
		uv_err("%s: out of memory decompressing the payload", name);
		return -1;
	}
	o->data = p;
	o->cap = cap;
	return 0;
}

static int gunzip(const unsigned char *in, size_t len, struct out *o,
		  const char *name)
{
	z_stream z = { 0 };
	int ret;

	/* 16 + MAX_WBITS: a gzip header, not zlib's. */
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		uv_err("%s: zlib: %s", name, z.msg ? z.msg : "cannot start");
		return -1;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = len > UINT32_MAX ? UINT32_MAX : len;
	do {
		if (out_reserve(o, 4 * UV_MiB, name))
			goto fail;
		z.next_out = o->data + o->size;
		z.avail_out = o->cap - o->size;
		ret = inflate(&z, Z_NO_FLUSH);
		o->size = o->cap - z.avail_out;
		if (ret != Z_OK && ret != Z_STREAM_END) {
			uv_err("%s: corrupt gzip payload (%s)", name,
			       z.msg ? z.msg : zError(ret));
			goto fail;
		}
		if (ret == Z_OK && !z.avail_in && z.avail_out) {
			uv_err("%s: truncated gzip payload", name);
			goto fail;
		}
	} while (ret != Z_STREAM_END);
	inflateEnd(&z);
	return 0;
fail:
	inflateEnd(&z);
	return -1;
}

static int unxz(const unsigned char *in, size_t len, struct out *o,
		const char *name)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret ret;

	/* One stream, no memory limit: trailing bytes are the size. */
	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK) {
		uv_err("%s: liblzma cannot start", name);
		return -1;
	}
	s.next_in = in;
	s.avail_in = len;
	do {
		if (out_reserve(o, 4 * UV_MiB, name))
			goto fail;
		s.next_out = o->data + o->size;
		s.avail_out = o->cap - o->size;
		ret = lzma_code(&s, LZMA_FINISH);
		o->size = o->cap - s.avail_out;
		if (ret != LZMA_OK && ret != LZMA_STREAM_END) {
			uv_err("%s: corrupt xz payload (liblzma error %d)",
			       name, ret);
			goto fail;
		}
	} while (ret != LZMA_STREAM_END);
	lzma_end(&s);
	return 0;
fail:
	lzma_end(&s);
	return -1;
}

static int unzstd(const unsigned char *in, size_t len, struct out *o,
		  const char *name)
{
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t ret;

	if (!dctx) {
		uv_err("%s: libzstd cannot start", name);
		return -1;
	}
	/*
	 * zstd -22 --ultra (the kernel's) may use windows past the default
	 * limit; 31 is the 64-bit maximum (ZSTD_WINDOWLOG_MAX, which only
	 * the static-linking API names).
	 */
	ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 31);
	do {
		ZSTD_outBuffer ob;

		if (out_reserve(o, 4 * UV_MiB, name))
			goto fail;
		ob.dst = o->data + o->size;
		ob.size = o->cap - o->size;
		ob.pos = 0;
		ret = ZSTD_decompressStream(dctx, &ob, &ib);
		o->size += ob.pos;
		if (ZSTD_isError(ret)) {
			uv_err("%s: corrupt zstd payload (%s)", name,
			       ZSTD_getErrorName(ret));
			goto fail;
		}
		if (ret && ib.pos == ib.size && ob.pos < ob.size) {
			uv_err("%s: truncated zstd payload", name);
			goto fail;
		}
	} while (ret);
	ZSTD_freeDCtx(dctx);
	return 0;
fail:
	ZSTD_freeDCtx(dctx);
	return -1;
}

/*
 * The legacy frame is the magic, then blocks of a 4-byte compressed size
 * and that many bytes, each at most 8 MiB once decompressed.  It has no
 * end marker: it ends with the input, here with the 4-byte size the
 * kernel appends (which is why a lone 4-byte tail is not a block).  A
 * magic between blocks starts a concatenated frame, as the kernel's own
 * decompressor allows.
 */
static int unlz4(const unsigned char *in, size_t len, struct out *o,
		 const char *name)
{
	size_t pos = 4;

	while (len - pos >= 4) {
		uint32_t csize = uv_le32(in + pos);
		int n;

		if (csize == LZ4_LEGACY_MAGIC) {
			pos += 4;
			continue;
		}
		if (len - pos == 4)
			break;
		pos += 4;
		if (!csize || csize > len - pos ||
		    csize > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK)) {
			uv_err("%s: corrupt lz4 payload (block of %u bytes)",
			       name, csize);
			return -1;
		}
		if (out_reserve(o, LZ4_LEGACY_BLOCK, name))
			return -1;
		n = LZ4_decompress_safe((const char *)in + pos,
					(char *)o->data + o->size, csize,
					LZ4_LEGACY_BLOCK);
		if (n < 0) {
			uv_err("%s: corrupt lz4 payload", name);
			return -1;
		}
		o->size += n;
		pos += csize;
	}
	if (!o->size) {
		uv_err("%s: empty lz4 payload", name);
		return -1;
	}
	return 0;
}

static const struct codec {
	const char *name;
	unsigned char magic[6];
	size_t magic_len;
	int (*decode)(const unsigned char *in, size_t len, struct out *o,
		      const char *name);
} codecs[] = {
	{ "gzip", { 0x1f, 0x8b }, 2, gunzip },
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, unxz },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, unzstd },
	{ "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4, unlz4 },
};

/* Names of the codecs a kernel may use and uvctl does not read. */
static const char *unsupported(const unsigned char *p, size_t len)
{
	if (len >= 3 && !memcmp(p, "BZh", 3))
		return "bzip2";
	if (len >= 3 && p[0] == 0x5d && !p[1] && !p[2])
		return "lzma";
	if (len >= 4 && !memcmp(p, "\x89LZO", 4))
		return "lzo";
	return NULL;
}

/**
 * uv_bzimage_payload() - the ELF kernel inside a bzImage
 * @b:           the bzImage (uv_is_bzimage() said yes)
 * @name:        its file name, for messages
 * @elf:         the decompressed payload, malloc()ed
 * @compression: the payload's compression ("xz"...)
 *
 * Return: 0, or -1 after a message.
 */
int uv_bzimage_payload(const struct uv_buf *b, const char *name,
		       struct uv_buf *elf, const char **compression)
{
	const unsigned char *h = b->data, *p;
	unsigned int version, setup_sects, i;
	uint64_t off, len, hint;
	struct out o = { 0 };
	const char *other;

	version = h[HDR_VERSION] | h[HDR_VERSION + 1] << 8;
	if (version < 0x208) {
		uv_err("%s: a bzImage of boot protocol %u.%02u, older than 2.08: it does not say where its kernel is",
		       name, version >> 8, version & 0xff);
		return -1;
	}
	setup_sects = h[HDR_SETUP_SECTS] ? h[HDR_SETUP_SECTS] : 4;
	off = (setup_sects + 1) * 512ULL + uv_le32(h + HDR_PAYLOAD_OFFSET);
	len = uv_le32(h + HDR_PAYLOAD_LENGTH);
	if (len < 8 || off > b->size || len > b->size - off) {
		uv_err("%s: the bzImage's payload_offset and payload_length point outside the file",
		       name);
		return -1;
	}
	p = h + off;
	for (i = 0; i < UV_ARRAY_SIZE(codecs); i++)
		if (!memcmp(p, codecs[i].magic, codecs[i].magic_len))
			break;
	if (i == UV_ARRAY_SIZE(codecs)) {
		other = unsupported(p, len);
		if (other)
			uv_err("%s: the kernel is compressed with %s, which uvctl does not read (gzip, xz, zstd and lz4 it does): extract the vmlinux and pass that",
			       name, other);
		else
			uv_err("%s: the bzImage's payload has an unknown compression (magic %02x %02x %02x %02x)",
			       name, p[0], p[1], p[2], p[3]);
		return -1;
	}
	/* The appended size saves the buffer from growing, when sane. */
	hint = uv_le32(p + len - 4);
	if (hint && hint <= MAX_OUTPUT && out_reserve(&o, hint + 1, name))
		return -1;
	if (codecs[i].decode(p, len, &o, name)) {
		free(o.data);
		return -1;
	}
	if (o.size < SELFMAG || memcmp(o.data, ELFMAG, SELFMAG)) {
		uv_err("%s: the bzImage's payload is not an ELF file", name);
		free(o.data);
		return -1;
	}
	elf->data = o.data;
	elf->size = o.size;
	*compression = codecs[i].name;
	return 0;
}
