// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: the ACPI tables a PVH guest powers off through (ACPI 6.x): a
 * hardware-reduced FADT whose sleep control register is a port uvctl
 * watches, and a DSDT holding only \_S5.  A PVH domU has no PV power-off
 * hook: Linux writes SLP_TYP 5 with SLP_EN there, as under Xen, whose
 * toolstack builds such tables for PVH guests too.  No MADT: the guest
 * has no interrupt controller to describe.
 */
#include <stddef.h>
#include <string.h>

#include "uvctl.h"

/* Offsets of the tables from the start of the ACPI region. */
#define RSDP_OFF	0x00
#define XSDT_OFF	0x30
#define FADT_OFF	0x60
#define DSDT_OFF	0x180

#define HDR_LEN		36
#define FADT_LEN	276	/* ACPI 6 */
#define FADT_FLAGS	112
#define FADT_HW_REDUCED	(1u << 20)
#define FADT_BOOT_ARCH	109	/* IAPC_BOOT_ARCH */
#define FADT_X_DSDT	140
#define FADT_SLEEP_CTL	244
#define FADT_SLEEP_STS	256
#define BOOT_NO_VGA	(1u << 2)
#define BOOT_NO_MSI	(1u << 3)
#define BOOT_NO_RTC	(1u << 5)

/* Name (_S5, Package (2) { 5, 0 }), in AML. */
static const unsigned char dsdt_aml[] = {
	0x08, '_', 'S', '5', '_',	/* NameOp "_S5_" */
	0x12, 0x05, 0x02,		/* PackageOp, length 5, 2 elements */
	0x0a, UV_ACPI_SLP_TYP_S5,	/* BytePrefix 5 */
	0x00,				/* ZeroOp */
};

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

/**
 * uv_acpi_write() - build the tables at guest-physical @gpa
 * @mem: guest RAM
 * @gpa: where (UV_ACPI_SIZE bytes, reserved in the E820 map)
 *
 * Return: the RSDP's address, for hvm_start_info.rsdp_paddr.
 */
uint64_t uv_acpi_write(unsigned char *mem, uint64_t gpa)
{
	unsigned char *base = mem + gpa, *rsdp = base + RSDP_OFF;
	unsigned char *xsdt = base + XSDT_OFF, *fadt = base + FADT_OFF;
	unsigned char *dsdt = base + DSDT_OFF;

	memset(base, 0, UV_ACPI_SIZE);

	header(dsdt, "DSDT", HDR_LEN + sizeof(dsdt_aml), 2);
	memcpy(dsdt + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	dsdt[9] = checksum(dsdt, HDR_LEN + sizeof(dsdt_aml));

	header(fadt, "FACP", FADT_LEN, 6);
	put32(fadt + 40, gpa + DSDT_OFF);
	put16(fadt + FADT_BOOT_ARCH, BOOT_NO_VGA | BOOT_NO_MSI | BOOT_NO_RTC);
	put32(fadt + FADT_FLAGS, FADT_HW_REDUCED);
	put64(fadt + FADT_X_DSDT, gpa + DSDT_OFF);
	gas_io(fadt + FADT_SLEEP_CTL, UV_ACPI_SLEEP_CTL);
	gas_io(fadt + FADT_SLEEP_STS, UV_ACPI_SLEEP_STS);
	memcpy(fadt + 268, "MICROV  ", 8);	/* hypervisor vendor */
	fadt[9] = checksum(fadt, FADT_LEN);

	header(xsdt, "XSDT", HDR_LEN + 8, 1);
	put64(xsdt + HDR_LEN, gpa + FADT_OFF);
	xsdt[9] = checksum(xsdt, HDR_LEN + 8);

	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "MICROV", 6);
	rsdp[15] = 2;				/* ACPI 2.0+: XSDT */
	put32(rsdp + 20, 36);
	put64(rsdp + 24, gpa + XSDT_OFF);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, 36);
	return gpa + RSDP_OFF;
}
