// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: the ACPI tables of a PVH guest (ACPI 6.x): a hardware-reduced
 * FADT whose sleep control and reset registers are ports uvctl watches, a
 * DSDT holding only \_S5, and a MADT.  A PVH domU has no PV power-off or
 * reboot hook: Linux writes SLP_TYP 5 with SLP_EN to the one, the reset
 * value to the other (its first way to reboot on x86), as under Xen, whose
 * toolstack builds such tables for PVH guests too.  The MADT describes each vCPU's
 * local APIC, which the module emulates in x2APIC mode, and no I/O APIC:
 * a PVH domU has none, and no 8259 either.
 */
#include <stddef.h>
#include <string.h>

#include "uvctl.h"

/* Offsets of the tables from the start of the ACPI region. */
#define RSDP_OFF	0x00
#define XSDT_OFF	0x28
#define FADT_OFF	0x60
#define DSDT_OFF	0x180
#define MADT_OFF	0x1c0

#define RSDP_LEN	36
#define HDR_LEN		36
#define XSDT_ENTRIES	2	/* FADT, MADT */
#define XSDT_LEN	(HDR_LEN + 8 * XSDT_ENTRIES)
#define FADT_LEN	276	/* ACPI 6 */
#define FADT_FLAGS	112
#define FADT_HW_REDUCED	(1u << 20)
#define FADT_RESET_SUP	(1u << 10)	/* RESET_REG_SUP */
#define FADT_RESET_REG	116
#define FADT_RESET_VAL	128
#define FADT_BOOT_ARCH	109	/* IAPC_BOOT_ARCH */
#define FADT_X_DSDT	140
#define FADT_SLEEP_CTL	244
#define FADT_SLEEP_STS	256
#define BOOT_NO_VGA	(1u << 2)
#define BOOT_NO_MSI	(1u << 3)
#define BOOT_NO_RTC	(1u << 5)
#define MADT_LAPIC_ADDR	0xfee00000u	/* Local Interrupt Controller Address */
#define MADT_HDR_LEN	(HDR_LEN + 8)	/* + that address and the flags */
#define MADT_LAPIC	0		/* Processor Local APIC structure */
#define MADT_LAPIC_LEN	8
#define LAPIC_ENABLED	(1u << 0)
#define MADT_LEN(n)	(MADT_HDR_LEN + MADT_LAPIC_LEN * (n))

/* Name (_S5, Package (2) { 5, 0 }), in AML. */
static const unsigned char dsdt_aml[] = {
	0x08, '_', 'S', '5', '_',	/* NameOp "_S5_" */
	0x12, 0x05, 0x02,		/* PackageOp, length 5, 2 elements */
	0x0a, UV_ACPI_SLP_TYP_S5,	/* BytePrefix 5 */
	0x00,				/* ZeroOp */
};

/* The tables do not overlap and fit in the region for every guest. */
_Static_assert(RSDP_OFF + RSDP_LEN <= XSDT_OFF, "RSDP overlaps the XSDT");
_Static_assert(XSDT_OFF + XSDT_LEN <= FADT_OFF, "XSDT overlaps the FADT");
_Static_assert(FADT_OFF + FADT_LEN <= DSDT_OFF, "FADT overlaps the DSDT");
_Static_assert(DSDT_OFF + HDR_LEN + sizeof(dsdt_aml) <= MADT_OFF,
	       "DSDT overlaps the MADT");
_Static_assert(MADT_OFF + MADT_LEN(UV_MAX_VCPUS) <= UV_ACPI_SIZE,
	       "MADT for UV_MAX_VCPUS does not fit in UV_ACPI_SIZE");
/* A Processor Local APIC structure holds an 8-bit APIC id; 0xff is none. */
_Static_assert(UV_MAX_VCPUS <= 0xff,
	       "more vCPUs need Processor Local x2APIC structures");

static unsigned char checksum(const unsigned char *p, size_t len)
{
	unsigned char sum = 0;

	while (len--)
		sum += *p++;
	return -sum;
}

static void put16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* A table header: signature, length, revision, OEM fields; no checksum. */
static void header(unsigned char *t, const char *sig, uint32_t len,
		   uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "MICROV", 6);
	memcpy(t + 16, "MICROV  ", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "UVCT", 4);
	put32(t + 32, 1);
}

/* A Generic Address Structure: one byte of system I/O at @port. */
static void gas_io(unsigned char *g, uint16_t port)
{
	g[0] = 1;		/* SystemIO */
	g[1] = 8;		/* bit width */
	g[2] = 0;		/* bit offset */
	g[3] = 1;		/* byte access */
	put64(g + 4, port);
}

/*
 * The MADT: the local APICs at their architectural address, no
 * PCAT_COMPAT (no 8259), then vCPU i as ACPI processor UID i with APIC
 * id i, enabled.  No I/O APIC structure.
 */
static void madt(unsigned char *t, unsigned int nr_vcpus)
{
	unsigned char *e = t + MADT_HDR_LEN;
	unsigned int i;

	header(t, "APIC", MADT_LEN(nr_vcpus), 5);
	put32(t + HDR_LEN, MADT_LAPIC_ADDR);
	put32(t + HDR_LEN + 4, 0);
	for (i = 0; i < nr_vcpus; i++, e += MADT_LAPIC_LEN) {
		e[0] = MADT_LAPIC;
		e[1] = MADT_LAPIC_LEN;
		e[2] = i;		/* ACPI Processor UID */
		e[3] = i;		/* APIC ID */
		put32(e + 4, LAPIC_ENABLED);
	}
	t[9] = checksum(t, MADT_LEN(nr_vcpus));
}

/**
 * uv_acpi_write() - build the tables at guest-physical @gpa
 * @mem:      guest RAM
 * @gpa:      where (UV_ACPI_SIZE bytes, reserved in the E820 map)
 * @nr_vcpus: vCPUs, 1 to UV_MAX_VCPUS: the MADT gets a local APIC for
 *            each, APIC id i for vCPU i
 *
 * Return: the RSDP's address, for hvm_start_info.rsdp_paddr.
 */
uint64_t uv_acpi_write(unsigned char *mem, uint64_t gpa,
		       unsigned int nr_vcpus)
{
	unsigned char *base = mem + gpa, *rsdp = base + RSDP_OFF;
	unsigned char *xsdt = base + XSDT_OFF, *fadt = base + FADT_OFF;
	unsigned char *dsdt = base + DSDT_OFF;

	memset(base, 0, UV_ACPI_SIZE);
	madt(base + MADT_OFF, nr_vcpus);

	header(dsdt, "DSDT", HDR_LEN + sizeof(dsdt_aml), 2);
	memcpy(dsdt + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	dsdt[9] = checksum(dsdt, HDR_LEN + sizeof(dsdt_aml));

	header(fadt, "FACP", FADT_LEN, 6);
	put32(fadt + 40, gpa + DSDT_OFF);
	put16(fadt + FADT_BOOT_ARCH, BOOT_NO_VGA | BOOT_NO_MSI | BOOT_NO_RTC);
	put32(fadt + FADT_FLAGS, FADT_HW_REDUCED | FADT_RESET_SUP);
	gas_io(fadt + FADT_RESET_REG, UV_ACPI_RESET);
	fadt[FADT_RESET_VAL] = UV_ACPI_RESET_VALUE;
	put64(fadt + FADT_X_DSDT, gpa + DSDT_OFF);
	gas_io(fadt + FADT_SLEEP_CTL, UV_ACPI_SLEEP_CTL);
	gas_io(fadt + FADT_SLEEP_STS, UV_ACPI_SLEEP_STS);
	memcpy(fadt + 268, "MICROV  ", 8);	/* hypervisor vendor */
	fadt[9] = checksum(fadt, FADT_LEN);

	header(xsdt, "XSDT", XSDT_LEN, 1);
	put64(xsdt + HDR_LEN, gpa + FADT_OFF);
	put64(xsdt + HDR_LEN + 8, gpa + MADT_OFF);
	xsdt[9] = checksum(xsdt, XSDT_LEN);

	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "MICROV", 6);
	rsdp[15] = 2;				/* ACPI 2.0+: XSDT */
	put32(rsdp + 20, RSDP_LEN);
	put64(rsdp + 24, gpa + XSDT_OFF);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, RSDP_LEN);
	return gpa + RSDP_OFF;
}
