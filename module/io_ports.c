// SPDX-License-Identifier: GPL-2.0
/*
 * I/O ports: which ones the domain's process serves (MICROV_SET_IO_PORTS)
 * and, for the others, the answer Xen gives for a port that no device
 * model claims: reads all ones, writes dropped, the guest goes on.  Linux
 * polls ports no device stands behind (the PIT's 0x42 and 0x61 while it
 * calibrates its TSC) tens of thousands of times a boot: none of that
 * needs a trip to userspace.  INS and OUTS (string, maybe REP) are
 * carried out here too, a page of guest memory at a time.
 */
#include <linux/bitmap.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "backend.h"
#include "domain.h"
#include "microv.h"
#include "x86.h"

/* A new domain: its process serves every port, as before it says more. */
void microv_io_ports_init(struct microv_domain *d)
{
	bitmap_fill(d->io_claimed, MICROV_NR_IO_PORTS);
}

/**
 * microv_io_ports_set() - MICROV_SET_IO_PORTS
 * @d:    the domain
 * @uarg: struct microv_io_ports
 *
 * Return: 0, or -EFAULT, -EINVAL (flags, pad, a range past port 65535).
 */
long microv_io_ports_set(struct microv_domain *d,
			 struct microv_io_ports __user *uarg)
{
	struct microv_io_ports p;

	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	if ((p.flags & ~MICROV_IO_CLAIM) || p.pad ||
	    p.first > MICROV_NR_IO_PORTS ||
	    p.count > MICROV_NR_IO_PORTS - p.first)
		return -EINVAL;
	/* Writers one at a time; a vCPU reads each word whole. */
	mutex_lock(&d->lock);
	if (p.flags & MICROV_IO_CLAIM)
		bitmap_set(d->io_claimed, p.first, p.count);
	else
		bitmap_clear(d->io_claimed, p.first, p.count);
	mutex_unlock(&d->lock);
	return 0;
}

/**
 * microv_io_claimed() - does the process serve this access?
 * @d:    the domain
 * @port: its first port
 * @size: 1, 2 or 4 bytes: as many ports
 *
 * An access that touches a served port is the process's, whole.  When
 * not, it is counted: the module answers it.  Any context.
 */
bool microv_io_claimed(struct microv_domain *d, u16 port, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		if (test_bit((port + i) % MICROV_NR_IO_PORTS, d->io_claimed))
			return true;
	atomic64_inc(&d->nr_io_unclaimed);
	return false;
}

/*
 * The string's memory, translated as the guest's CPU would (user-mode
 * privileges at CPL 3).  Return: 0; 1, the instruction raises e->fault
 * (#PF) instead; -EFAULT, memory with no #PF to give (no RAM).
 */
static int microv_string_mem(struct microv_vcpu *v, struct x86_emul *e,
			     u64 gva, void *buf, size_t len, bool write)
{
	if (!microv_linear_access(v, &v->paging, gva, buf, len, write,
				  &e->fault))
		return 0;
	return e->fault.vector >= 0 ? 1 : -EFAULT;
}

/* Guest memory one exit moves for a string instruction, in pieces. */
#define MICROV_STRING_PIECE	256

/*
 * Elements of @size bytes from s->linear that stay in its page, in the
 * direction of the string, at most s->count; one element that crosses
 * into the next page goes alone.
 */
static u64 microv_string_span(const struct x86_string_io *s,
			      unsigned int size)
{
	u64 off = offset_in_page(s->linear), n;

	n = s->down ? off / size + 1 : (PAGE_SIZE - off) / size;
	return clamp_t(u64, n, 1, s->count);
}

/*
 * A port no one serves: INS stores all ones, OUTS reads (and drops) what
 * it would send, as far as the page goes.  Return: 0 (or e->fault set),
 * or -EFAULT.
 */
static int microv_string_unclaimed(struct microv_vcpu *v, struct x86_emul *e,
				   struct x86_string_io *s, unsigned int size,
				   bool in)
{
	u8 buf[MICROV_STRING_PIECE];
	u64 n = microv_string_span(s, size), left, start;
	size_t len;
	int ret;

	atomic64_add(n - 1, &v->domain->nr_io_unclaimed);
	start = s->down ? s->linear - (n - 1) * size : s->linear;
	memset(buf, 0xff, sizeof(buf));
	for (left = n * size; left; left -= len, start += len) {
		len = min_t(u64, left, sizeof(buf));
		ret = microv_string_mem(v, e, start, buf, len, in);
		if (ret)
			return ret > 0 ? 0 : ret;
	}
	x86_string_io_done(e, s, size, n);
	return 0;
}

/**
 * microv_string_io() - an INS or OUTS the guest ran
 * @v:    the vCPU, v->paging as it exited
 * @e:    its registers; updated
 * @port: the exit's port
 * @size: its size, 1, 2 or 4 bytes
 * @in:   INS, else OUTS
 *
 * For a port no one serves, the module moves as many elements as fit in
 * the page (interrupts get their turn between two exits of a REP); a
 * port the process serves gets one element per exit, as with OUT and IN
 * (an INS element is stored when userspace answers).  The instruction
 * retires with its last element.
 *
 * Memory the guest's page tables refuse is a #PF (e->fault), the
 * instruction not retired, as on a CPU.
 *
 * Return: 0, go on; 1, an OUT or IN for userspace is in the run area;
 * -EOPNOTSUPP, bytes that are no INS or OUTS; -EFAULT, guest memory that
 * is not there.
 */
int microv_string_io(struct microv_vcpu *v, struct x86_emul *e, u16 port,
		     unsigned int size, bool in)
{
	struct microv_run *run = v->run;
	struct x86_string_io s;
	u32 data = 0;
	int ret;

	microv_fetch_insn(v, e);
	if (x86_decode_string_io(e, in, size, &s))
		return -EOPNOTSUPP;
	if (!s.count) {				/* REP with rCX 0 */
		x86_string_io_done(e, &s, size, 0);
		return 0;
	}
	if (!microv_io_claimed(v->domain, port, size))
		return microv_string_unclaimed(v, e, &s, size, in);
	ret = in ? 0 : microv_string_mem(v, e, s.linear, &data, size, false);
	if (ret)
		return ret > 0 ? 0 : ret;
	run->exit_reason = MICROV_EXIT_IO;
	run->io.direction = in ? MICROV_IO_IN : MICROV_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.data = data;
	/* An INS goes on once userspace has answered (microv_string_in_done). */
	if (in)
		v->ins_size = size;
	else
		x86_string_io_done(e, &s, size, 1);
	return 1;
}

/**
 * microv_string_in_done() - the element userspace gave an INS
 * @v: the vCPU, before it enters the guest again; v->paging current
 * @e: its registers, the INS at RIP; updated
 *
 * io.data goes to ES:rDI and the registers move; if userspace moved the
 * vCPU elsewhere meanwhile (RIP, registers), the element is dropped and
 * the guest runs what is at RIP.
 *
 * Return: 0 (or e->fault set: a #PF instead), or -EFAULT (the memory is
 * not there any more).
 */
int microv_string_in_done(struct microv_vcpu *v, struct x86_emul *e)
{
	unsigned int size = v->ins_size;
	struct x86_string_io s;
	u32 data = v->run->io.data;
	int ret;

	v->ins_size = 0;
	microv_fetch_insn(v, e);
	if (x86_decode_string_io(e, true, size, &s) || !s.count)
		return 0;
	ret = microv_string_mem(v, e, s.linear, &data, size, true);
	if (ret)
		return ret > 0 ? 0 : ret;
	x86_string_io_done(e, &s, size, 1);
	return 0;
}
