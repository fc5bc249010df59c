// SPDX-License-Identifier: GPL-2.0
/*
 * What a guest grants domain 0, from a host process (MICROV_GET_GNTDEV):
 * a 64-bit guest places its grant table and grants one page writable, one
 * read-only and one to another domain; the host maps and copies them, and
 * the guest reports the flags of its entries as it would see them
 * (GTF_reading/GTF_writing while the host uses a grant, cleared after).
 * Refusals: read-only grants written, grants to others, bad references
 * and arguments.  A mapping outlives its domain's fds; the module unloads.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/memory.h>

#include "kselftest_harness.h"
#include "guest.h"

#define MEM_SIZE	(2 << 20)
#define ARGS		0x8000
#define A_PHYSMAP	0x000
#define GNTTAB_GFN	0x110
#define GNTTAB		(GNTTAB_GFN << 12)
#define DATA_GFN	0x120		/* granted writable (ref 8) */
#define DATA2_GFN	0x121		/* granted read-only (ref 9) */
#define PAGE		4096

/* The flags as the assembler takes them (Xen's headers write 1U << n). */
#define G_PERMIT	1
#define G_RO		4
#define G_READING	8
#define G_WRITING	16
_Static_assert(G_PERMIT == GTF_permit_access && G_RO == GTF_readonly &&
	       G_READING == GTF_reading && G_WRITING == GTF_writing, "");

#define STR(x)		#x
#define XSTR(x)		STR(x)

/*
 * Grant table frame 0 placed (0x50); entries 8 (DATA, writable), 9
 * (DATA2, read-only), 10 (DATA, to domain 7) written (0x51); then, for
 * ever, the flags of entries 8 and 9 on 0x52 and 0x53.
 */
GUEST_CODE(guest_gnt);
asm(".pushsection .rodata\n"
    "guest_gnt_start:\n"
    "	mov $" XSTR(__HYPERVISOR_memory_op) ", %eax\n"
    "	mov $" XSTR(XENMEM_add_to_physmap) ", %edi\n"
    "	mov $" XSTR(ARGS + A_PHYSMAP) ", %esi\n"
    "	vmcall\n"
    "	out %eax, $0x50\n"
    "	mov $(" XSTR(G_PERMIT) " | (" XSTR(DATA_GFN) " << 32)), %rax\n"
    "	mov %rax, " XSTR(GNTTAB) " + 8 * 8\n"
    "	mov $(" XSTR(G_PERMIT) " | " XSTR(G_RO) " | (" XSTR(DATA2_GFN)
    " << 32)), %rax\n"
    "	mov %rax, " XSTR(GNTTAB) " + 9 * 8\n"
    "	mov $(" XSTR(G_PERMIT) " | (7 << 16) | (" XSTR(DATA_GFN)
    " << 32)), %rax\n"
    "	mov %rax, " XSTR(GNTTAB) " + 10 * 8\n"
    "	out %eax, $0x51\n"
    "1:	movzwl " XSTR(GNTTAB) " + 8 * 8, %eax\n"
    "	out %eax, $0x52\n"
    "	movzwl " XSTR(GNTTAB) " + 9 * 8, %eax\n"
    "	out %eax, $0x53\n"
    "	jmp 1b\n"
    "guest_gnt_end:\n"
    ".popsection\n");

FIXTURE(grant) {
	struct uv_vm vm;
	int gd;
};

/* The guest's next OUT, which must be to @port; its value. */
static __u32 out_on(struct __test_metadata *_metadata, struct uv_vm *vm,
		    __u16 port)
{
	EXPECT_EQ(0, uv_run(vm));
	EXPECT_EQ(MICROV_EXIT_IO, vm->run->exit_reason);
	EXPECT_EQ(port, vm->run->io.port);
	return vm->run->io.data;
}

FIXTURE_SETUP(grant)
{
	struct uv_vm *vm = &self->vm;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	ASSERT_EQ(0, uv_vm_create(vm, MEM_SIZE, guest_gnt_start, guest_gnt_end,
				  UV_LONG64));
	*(struct xen_add_to_physmap *)(vm->mem + ARGS + A_PHYSMAP) =
		(struct xen_add_to_physmap){ .domid = DOMID_SELF,
			.space = XENMAPSPACE_grant_table, .idx = 0,
			.gpfn = GNTTAB_GFN };
	memset(vm->mem + DATA_GFN * PAGE, 0xd1, PAGE);
	memset(vm->mem + DATA2_GFN * PAGE, 0xd2, PAGE);
	EXPECT_EQ(0, out_on(_metadata, vm, 0x50));
	out_on(_metadata, vm, 0x51);
	self->gd = ioctl(vm->dom, MICROV_GET_GNTDEV, 0);
	ASSERT_LE(0, self->gd) TH_LOG("gntdev: %s", strerror(errno));
}

FIXTURE_TEARDOWN(grant)
{
	if (self->gd >= 0)
		close(self->gd);
	uv_vm_destroy(&self->vm);
}

/* The flags of entries 8 and 9, as the guest reads them, in one word. */
static __u32 flags(struct __test_metadata *_metadata, struct uv_vm *vm)
{
	__u32 f8 = out_on(_metadata, vm, 0x52);

	return f8 | out_on(_metadata, vm, 0x53) << 16;
}

#define FLAGS(f8, f9)	((f8) | (f9) << 16)

static int map(int gd, const __u32 *refs, __u32 count, __u32 flags,
	       __u64 *offset)
{
	struct microv_grant_map m = { .count = count, .flags = flags,
				      .refs = (uintptr_t)refs };
	int ret = ioctl(gd, MICROV_GRANT_MAP, &m);

	if (offset)
		*offset = m.offset;
	return ret;
}

static int unmap(int gd, __u64 offset, __u32 count)
{
	struct microv_grant_unmap u = { .offset = offset, .count = count };

	return ioctl(gd, MICROV_GRANT_UNMAP, &u);
}

TEST_F(grant, map)
{
	struct uv_vm *vm = &self->vm;
	static const __u32 r8 = 8, r9 = 9, r10 = 10, r11 = 11, r_far = 5000;
	static const __u32 mixed[] = { 8, 10 }, twice[] = { 8, 8 };
	unsigned char *p8, *p9;
	__u64 o8, o9, o;

	EXPECT_EQ(MICROV_GRANT_MAP_MAX, ioctl(vm->dev, MICROV_CHECK_EXTENSION,
					      MICROV_CAP_GNTDEV));
	EXPECT_EQ(-1, ioctl(vm->dom, MICROV_GET_GNTDEV, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(FLAGS(G_PERMIT, G_PERMIT | G_RO), flags(_metadata, vm));

	/* Writable: the guest's page itself, both ways; flags set. */
	ASSERT_EQ(0, map(self->gd, &r8, 1, 0, &o8));
	p8 = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->gd, o8);
	ASSERT_NE(MAP_FAILED, p8);
	EXPECT_EQ(0xd1, p8[0]);
	EXPECT_EQ(0xd1, p8[PAGE - 1]);
	p8[5] = 0x55;
	EXPECT_EQ(0x55, vm->mem[DATA_GFN * PAGE + 5]);
	vm->mem[DATA_GFN * PAGE + 6] = 0x66;
	EXPECT_EQ(0x66, p8[6]);
	EXPECT_EQ(FLAGS(G_PERMIT | G_READING | G_WRITING, G_PERMIT | G_RO),
		  flags(_metadata, vm));

	/* Read-only: never writable, not even later. */
	EXPECT_EQ(-1, map(self->gd, &r9, 1, 0, NULL));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(FLAGS(G_PERMIT | G_READING | G_WRITING, G_PERMIT | G_RO),
		  flags(_metadata, vm));
	ASSERT_EQ(0, map(self->gd, &r9, 1, MICROV_GRANT_READONLY, &o9));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->gd, o9));
	EXPECT_EQ(EPERM, errno);
	p9 = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->gd, o9);
	ASSERT_NE(MAP_FAILED, p9);
	EXPECT_EQ(0xd2, p9[100]);
	EXPECT_EQ(-1, mprotect(p9, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(FLAGS(G_PERMIT | G_READING | G_WRITING,
			G_PERMIT | G_RO | G_READING), flags(_metadata, vm));

	/* Not grants to domain 0; nothing left behind by a half-good map. */
	EXPECT_EQ(-1, map(self->gd, &r10, 1, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map(self->gd, &r11, 1, MICROV_GRANT_READONLY, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map(self->gd, &r_far, 1, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map(self->gd, mixed, 2, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map(self->gd, &r8, 0, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map(self->gd, &r8, MICROV_GRANT_MAP_MAX + 1, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map(self->gd, &r8, 1, 2, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map(self->gd, NULL, 1, 0, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* mmap(): only a whole mapping, shared. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE,
				   self->gd, o8));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
				   self->gd, o9 + PAGE));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED,
				   self->gd, o8));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_EXEC,
				   MAP_SHARED, self->gd, o8));
	EXPECT_EQ(EPERM, errno);

	/* Unmapped, and the last mmap() gone: the flags go. */
	EXPECT_EQ(0, munmap(p8, PAGE));
	EXPECT_EQ(FLAGS(G_PERMIT | G_READING | G_WRITING,
			G_PERMIT | G_RO | G_READING), flags(_metadata, vm));
	EXPECT_EQ(0, unmap(self->gd, o8, 1));
	EXPECT_EQ(-1, unmap(self->gd, o8, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, unmap(self->gd, o9, 1));
	EXPECT_EQ(FLAGS(G_PERMIT, G_PERMIT | G_RO | G_READING),
		  flags(_metadata, vm));
	EXPECT_EQ(0xd2, p9[0]);
	EXPECT_EQ(0, munmap(p9, PAGE));
	EXPECT_EQ(FLAGS(G_PERMIT, G_PERMIT | G_RO), flags(_metadata, vm));

	/* Two pages at once, the same grant twice. */
	ASSERT_EQ(0, map(self->gd, twice, 2, MICROV_GRANT_READONLY, &o));
	p8 = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, self->gd, o);
	ASSERT_NE(MAP_FAILED, p8);
	EXPECT_EQ(0x55, p8[PAGE + 5]);
	EXPECT_EQ(FLAGS(G_PERMIT | G_READING, G_PERMIT | G_RO),
		  flags(_metadata, vm));
	/* Half of it unmapped: the rest holds the grant. */
	EXPECT_EQ(0, munmap(p8, PAGE));
	EXPECT_EQ(0, unmap(self->gd, o, 2));
	EXPECT_EQ(FLAGS(G_PERMIT | G_READING, G_PERMIT | G_RO),
		  flags(_metadata, vm));
	EXPECT_EQ(0, munmap(p8 + PAGE, PAGE));
	EXPECT_EQ(FLAGS(G_PERMIT, G_PERMIT | G_RO), flags(_metadata, vm));
}

TEST_F(grant, copy)
{
	struct uv_vm *vm = &self->vm;
	char in[16], out[5] = "hello";
	struct microv_grant_copy_seg seg[6] = {
		{ (uintptr_t)out, 8, 100, 5, MICROV_GRANT_COPY_TO_GUEST },
		{ (uintptr_t)in, 9, 0, sizeof(in), 0 },
		{ (uintptr_t)out, 9, 0, 5, MICROV_GRANT_COPY_TO_GUEST },
		{ (uintptr_t)in, 10, 0, 4, 0 },
		{ (uintptr_t)in, 8, 4090, 10, 0 },
		{ (uintptr_t)in, 8, 0, 0, 0 },
	};
	struct microv_grant_copy c = { .count = 6, .segs = (uintptr_t)seg };

	ASSERT_EQ(0, ioctl(self->gd, MICROV_GRANT_COPY, &c));
	EXPECT_EQ(0, seg[0].status);
	EXPECT_EQ(0, memcmp(vm->mem + DATA_GFN * PAGE + 100, "hello", 5));
	EXPECT_EQ(0, seg[1].status);
	EXPECT_EQ((char)0xd2, in[0]);
	EXPECT_EQ((char)0xd2, in[15]);
	EXPECT_EQ(-EPERM, seg[2].status);
	EXPECT_EQ(0xd2, vm->mem[DATA2_GFN * PAGE]);
	EXPECT_EQ(-EINVAL, seg[3].status);
	EXPECT_EQ(-EINVAL, seg[4].status);
	EXPECT_EQ(-EINVAL, seg[5].status);
	/* Nothing in use after. */
	EXPECT_EQ(FLAGS(G_PERMIT, G_PERMIT | G_RO), flags(_metadata, vm));
	c.pad = 1;
	EXPECT_EQ(-1, ioctl(self->gd, MICROV_GRANT_COPY, &c));
	EXPECT_EQ(EINVAL, errno);
	c.pad = 0;
	c.segs = 0;
	EXPECT_EQ(-1, ioctl(self->gd, MICROV_GRANT_COPY, &c));
	EXPECT_EQ(EFAULT, errno);
}

/*
 * The toolstack's grant (MICROV_GNTTAB_SEED), in a guest that has not
 * placed its grant table yet, and in this one, which has.
 */
TEST_F(grant, seed)
{
	struct uv_vm *vm = &self->vm, vm2;
	static const __u32 r1 = GNTTAB_RESERVED_XENSTORE;
	struct microv_gnttab_seed seed = {
		.ref = GNTTAB_RESERVED_XENSTORE, .gfn = DATA2_GFN,
	};
	unsigned char *p;
	__u64 o;
	int gd2;

	ASSERT_EQ(0, ioctl(vm->dom, MICROV_GNTTAB_SEED, &seed));
	ASSERT_EQ(0, map(self->gd, &r1, 1, 0, &o));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->gd, o);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0xd2, p[7]);
	/* Not while the host uses that entry. */
	EXPECT_EQ(-1, ioctl(vm->dom, MICROV_GNTTAB_SEED, &seed));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, munmap(p, PAGE));
	EXPECT_EQ(0, unmap(self->gd, o, 1));
	/* A frame the guest put a hypervisor page over: not its RAM. */
	seed.ref = GNTTAB_RESERVED_CONSOLE;
	seed.gfn = GNTTAB_GFN;
	ASSERT_EQ(0, ioctl(vm->dom, MICROV_GNTTAB_SEED, &seed));
	EXPECT_EQ(-1, map(self->gd, (const __u32[]){ 0 }, 1, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	seed.ref = GNTTAB_RESERVED_XENSTORE;

	ASSERT_EQ(0, uv_vm_create(&vm2, MEM_SIZE, guest_gnt_start,
				  guest_gnt_end, UV_LONG64));
	memset(vm2.mem + DATA_GFN * PAGE, 0x77, PAGE);
	seed.gfn = DATA_GFN;
	ASSERT_EQ(0, ioctl(vm2.dom, MICROV_GNTTAB_SEED, &seed));
	gd2 = ioctl(vm2.dom, MICROV_GET_GNTDEV, 0);
	ASSERT_LE(0, gd2);
	EXPECT_EQ(0, map(gd2, &r1, 1, 0, &o));
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, gd2, o);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0x77, p[0]);
	EXPECT_EQ(0, munmap(p, PAGE));
	/* Only the reserved entries, RAM, no flags. */
	seed.ref = 2;
	EXPECT_EQ(-1, ioctl(vm2.dom, MICROV_GNTTAB_SEED, &seed));
	EXPECT_EQ(EINVAL, errno);
	seed.ref = GNTTAB_RESERVED_CONSOLE;
	seed.gfn = MEM_SIZE / PAGE;
	EXPECT_EQ(-1, ioctl(vm2.dom, MICROV_GNTTAB_SEED, &seed));
	EXPECT_EQ(EINVAL, errno);
	seed.gfn = DATA_GFN;
	seed.flags = 1;
	EXPECT_EQ(-1, ioctl(vm2.dom, MICROV_GNTTAB_SEED, &seed));
	EXPECT_EQ(EINVAL, errno);
	close(gd2);
	uv_vm_destroy(&vm2);
}

/*
 * A mapping outlives the domain's own fds: the page stays readable, the
 * domain dies at once (no new mapping), and goes with the last mmap().
 */
TEST_F(grant, outlives_domain)
{
	struct uv_vm *vm = &self->vm;
	long domains = microv_counter("domains");
	static const __u32 r8 = 8;
	unsigned char *p;
	__u64 o;

	ASSERT_EQ(0, map(self->gd, &r8, 1, 0, &o));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->gd, o);
	ASSERT_NE(MAP_FAILED, p);
	p[1] = 0x11;
	uv_vm_destroy(vm);
	EXPECT_EQ(domains - 1, microv_counter("domains"));
	EXPECT_EQ(0x11, p[1]);
	EXPECT_EQ(0xd1, p[2]);
	EXPECT_EQ(-1, map(self->gd, &r8, 1, 0, NULL));
	EXPECT_EQ(ESRCH, errno);
	close(self->gd);
	self->gd = -1;
	EXPECT_EQ(0x11, p[1]);
	EXPECT_EQ(0, munmap(p, PAGE));
	EXPECT_EQ(0, microv_unload());
	EXPECT_EQ(0, microv_load());
}

TEST_HARNESS_MAIN
