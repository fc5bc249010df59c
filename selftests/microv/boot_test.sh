#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# Acceptance: uvctl boots an unmodified Linux (the other Debian kernel, in
# /microv/guest) as a Xen PVH guest with a busybox initramfs, four times:
#
#   echo   the ELF vmlinux; the guest reaches userspace and says so on hvc0;
#          its xenbus talks to microv-xenstored, which uvctl started, and
#          Xen's xenstore-ls and xenstore-read on this host see its nodes;
#          "uvctl mem-set" lowers its memory by 16 MiB and raises it
#          again, which its balloon driver follows (the host's pinned
#          pages too); it reads a line that the host sends through the
#          console and prints it back; xen-blkfront reads its disk xvda
#          (a file here) as written, its write reaches the file, and the
#          read-only xvdb refuses writes; its rings have the pages it
#          asked for (one, or four under the 6.12 kernel); it switches to an
#          ext4 root filesystem on xvdc and writes to it; xenstore-write
#          of control/shutdown
#          powers it off: uvctl exits 0, its nodes are gone.  Its events
#          are FIFO ones.
#   panic  the bzImage when there is one (else the vmlinux); the guest
#          panics: uvctl exits 4 (crash).
#   reboot the vmlinux with xen.fifo_events=0 (the 2-level event ABI);
#          the guest reboots through the FADT's reset register: uvctl
#          exits 3.
#   hang   the vmlinux; the guest sleeps in userspace, "uvctl console"
#          attaches to it by domid from another process, the host stops
#          uvctl with SIGTERM: uvctl exits 143, the attached one 0.
#
# After each, no domain and no pinned guest page may be left.  Then
# probe_pvh.elf, a small PVH kernel that is not Linux, in 2 MiB of RAM:
# its console_io line reaches uvctl's stderr as the hypervisor log's, and
# --verbose names what it asked for and did not get.  KTAP.
# cryptomgr.notests: the crypto self-tests (RSA, DH, ECC) would cost each
# boot ~20 s of emulated CPU.
guest=/microv/guest
args=
n=0
fails=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

# Waits up to $2 seconds for the line $1 in the guest's output.
wait_for() {
	i=0
	while [ $i -lt "$2" ]; do
		grep -q "$1" "$out" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# Boots kernel $2 with uvguest=$1 and $args on its command line (more
# uvctl options after); its console
# in $out, its stdin the fifo on fd 3.  Then: the guest reaches userspace.
boot() {
	name=$1 kernel=$2
	shift 2
	fails_before=$fails
	out=/tmp/boot-$name.out
	rm -f /tmp/in "$out"
	mkfifo /tmp/in
	start=$(date +%s)
	uvctl run --hvc --kernel "$kernel" --initrd "$guest/initrd" --ram 128 \
		--cmdline "console=hvc0 cryptomgr.notests uvguest=$name$args" "$@" \
		</tmp/in >"$out" 2>&1 &
	pid=$!
	exec 3>/tmp/in
	wait_for "MICROV-GUEST-UP" 600
	ok $? "$name: the guest (${kernel##*/}) reaches userspace and prints on hvc0"
	echo "# $name: nested boot to userspace: $(($(date +%s) - start)) s"
}

# Waits for uvctl to end (up to $1 seconds); then: it ended with status $2
# ($3 says what that means) and left nothing behind.
ended() {
	i=0
	while [ $i -lt "$1" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 1
		i=$((i + 1))
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	wait "$pid"
	status=$?
	exec 3>&-
	test "$status" = "$2"
	ok $? "$name: uvctl exits $2, $3 (got $status)"
	test "$(cat /sys/class/misc/microv/domains)" = 0
	ok $? "$name: no domain is left"
	test "$(cat /sys/class/misc/microv/pinned_pages)" = 0
	ok $? "$name: no guest page stays pinned"
}

# The end of the guest's console, if a check of this boot failed.
show() {
	[ "$fails" = "$fails_before" ] && return
	echo "# the console of guest $name:"
	sed 's/^/# /' "$out" | tail -40
}

echo "TAP version 13"
echo "1..47"
lsmod | grep -q '^microv ' || insmod /microv/microv.ko

# Its disks: 4 MiB of random bytes, and a read-only one.
dd if=/dev/urandom of=/tmp/disk.img bs=1M count=4 2>/dev/null
dd if=/dev/urandom of=/tmp/ro.img bs=1M count=1 2>/dev/null
disk_md5=$(md5sum </tmp/disk.img | cut -d' ' -f1)
ro_md5=$(md5sum </tmp/ro.img | cut -d' ' -f1)
gunzip -c "$guest/root.ext4.gz" >/tmp/root.ext4
! grep -q written-by-guest /tmp/root.ext4 || echo "# root.ext4 is not fresh"
boot echo "$guest/vmlinux" --name echo --verbose --disk /tmp/disk.img \
	--disk /tmp/ro.img,ro --disk /tmp/root.ext4
domid=$(sed -n 's/^uvctl: domain \([0-9]*\).*/\1/p' "$out" | head -n 1)
dom=/local/domain/${domid:-0}
grep -q "Booting kernel on Xen PVH" "$out"
ok $? "echo: Linux booted as a Xen PVH guest"
grep -q "ACPI: PM: (supports S0 S5)" "$out"
ok $? "echo: it found the ACPI tables and S5 in them"
grep -q "xen:events: Using FIFO-based ABI" "$out"
ok $? "echo: Linux took the FIFO event channel ABI"
# Linux's xenbus says what it can do in the nodes the toolstack gave it.
i=0
while [ $i -lt 60 ] && [ "$(xenstore-read "$dom/control/feature-poweroff" 2>/dev/null)" != 1 ]; do
	sleep 1
	i=$((i + 1))
done
test "$(xenstore-read "$dom/control/feature-poweroff" 2>/dev/null)" = 1
ok $? "echo: Linux's xenbus wrote $dom/control/feature-poweroff through its ring"
xenstore-ls "$dom" >/tmp/xs.out 2>&1
grep -qx 'name = "echo"' /tmp/xs.out &&
	grep -qx ' static-max = "131072"' /tmp/xs.out &&
	grep -q '^ ring-ref = "[1-9][0-9]*"' /tmp/xs.out
ok $? "echo: xenstore-ls on the host shows the domain's nodes"
[ "$fails" = "$fails_before" ] || sed 's/^/# /' /tmp/xs.out
wait_for "MICROV-DISK-RO" 300
set -- $(grep -m1 "MICROV-DISK " "$out" | tr -d "\r")
test "${2:-}" = "$disk_md5" && test "${3:-}" = 4194304
ok $? "echo: xen-blkfront reads xvda as the host wrote it (md5 ${2:-?}, ${3:-?} bytes)"
set -- $(grep -m1 "MICROV-DISK-RING" "$out" | tr -d "\r")
grep -q "^uvctl: xvda: connected: ${2:-?}-page ring" "$out"
ok $? "echo: xvda's ring has the ${2:-?} page(s) the guest asked for"
grep -q "MICROV-DISK-WRITE 0" "$out" &&
	test "$(dd if=/tmp/disk.img bs=512 skip=100 count=1 2>/dev/null |
		head -c 17)" = microv-disk-write
ok $? "echo: its write at sector 100 reached the file"
! grep -q "MICROV-DISK-RO 0" "$out" &&
	test "$(md5sum </tmp/ro.img | cut -d' ' -f1)" = "$ro_md5"
ok $? "echo: the read-only xvdb refuses the guest's write and is unchanged"
test "$(xenstore-read "/local/domain/0/backend/vbd/$domid/51712/state" 2>/dev/null)" = 4
ok $? "echo: xenstore says xvda's backend is Connected"
# MICROV-BALLOON-DOWN|UP <KiB at start> <KiB now>, from the guest's init.
uvctl mem-set echo 112M && echo down >&3
wait_for "MICROV-BALLOON-DOWN" 300
set -- $(grep -m1 "MICROV-BALLOON-DOWN" "$out" | tr -d "\r")
test "$#" = 3 && test "$3" = $(($2 - 16384))
ok $? "echo: uvctl mem-set 112M: the balloon gave 16 MiB back ($2 KiB, then ${3:-?})"
down=$(cat /sys/class/misc/microv/pinned_pages)
uvctl mem-set "$domid" 128M && echo up >&3
wait_for "MICROV-BALLOON-UP" 300
set -- $(grep -m1 "MICROV-BALLOON-UP" "$out" | tr -d "\r")
test "$#" = 3 && test "$3" = "$2"
ok $? "echo: ... and took it again (${3:-?} KiB)"
up=$(cat /sys/class/misc/microv/pinned_pages)
test $((up - down)) -ge 4096
ok $? "echo: the pages it took again are pinned ($down, then $up)"
echo hello-from-host >&3
wait_for "MICROV-GUEST-GOT hello-from-host" 120
ok $? "echo: the guest reads a line sent through the console"
wait_for "MICROV-ROOT" 300
grep -q "MICROV-ROOT microv-ext4-root /dev/xvdc,/,ext4" "$out"
ok $? "echo: the guest switched to its ext4 root on xvdc"
xenstore-write "$dom/control/shutdown" poweroff
ended 120 0 "xenstore's control/shutdown powered the guest off"
grep -q "reboot: Power down" "$out"
ok $? "echo: Linux powered down through ACPI"
grep -q written-by-guest /tmp/root.ext4
ok $? "echo: the file it wrote on its root reached the ext4 image"
! xenstore-ls "$dom" >/dev/null 2>&1 &&
	! xenstore-ls "/local/domain/0/backend/vbd/$domid" >/dev/null 2>&1
ok $? "echo: its nodes and its disks' went with it"
show

kernel=$guest/vmlinux
[ -f "$guest/bzImage" ] && kernel=$guest/bzImage
boot panic "$kernel"
ended 120 4 "the guest crashed"
grep -q "Kernel panic" "$out"
ok $? "panic: the guest's panic message came through"
show

args=" xen.fifo_events=0"
boot reboot "$guest/vmlinux"
args=
ended 120 3 "the guest rebooted"
grep -q "xen:events: Using 2-level ABI" "$out"
ok $? "reboot: with xen.fifo_events=0, the 2-level event ABI"
grep -q "reboot: Restarting system" "$out"
ok $? "reboot: Linux restarted through the ACPI reset register"
show

boot hang "$guest/vmlinux" --verbose
domid=$(sed -n 's/^uvctl: domain \([0-9]*\).*/\1/p' "$out" | head -n 1)
# Where the 128 MiB guest's start went (emulated time), for the log.
sed -n 's/^uvctl: startup: /# startup: /p' "$out"
grep -q "^uvctl: startup: first MICROV_RUN" "$out"
ok $? "hang: --verbose timed the startup up to the first run"
uvctl console "${domid:-0}" </dev/null >/tmp/attach.out 2>&1 &
apid=$!
sleep 2
kill -0 "$apid" 2>/dev/null
ok $? "hang: uvctl console attaches to domain ${domid:-?} from another process"
kill -TERM "$pid"
ended 60 143 "stopped by SIGTERM"
wait "$apid"
astatus=$?
test "$astatus" = 0 && grep -q "domain $domid was destroyed" /tmp/attach.out
ok $? "hang: the attached console ends with the domain (status $astatus)"
# Linux polls ports no device stands behind (the PIT's): the module
# answers them without a trip to uvctl, and --verbose counts them.
sed -n 's/^uvctl: \(the module answered .*\)/# \1/p' "$out"
grep -q "^uvctl: the module answered [1-9][0-9]* accesses to ports" "$out"
ok $? "hang: the module answered the ports uvctl does not serve"
show

# A kernel that is not Linux, in the least RAM uvctl takes.
name=probe
fails_before=$fails
out=/tmp/boot-probe.out
uvctl run --verbose --ram 2M --kernel /microv/tests/probe_pvh.elf \
	</dev/null >/tmp/probe.stdout 2>"$out"
status=$?
test "$status" = 0
ok $? "probe: a small PVH kernel runs in 2M of RAM and powers off (got $status)"
domid=$(sed -n 's/^uvctl: domain \([0-9]*\).*/\1/p' "$out" | head -n 1)
grep -qx "(d$domid) probe: console_io works" "$out" &&
	! grep -q "console_io works" /tmp/probe.stdout
ok $? "probe: its console_io line is the hypervisor log's, on stderr, tagged (d$domid)"
grep -q "^uvctl:   hypercall 99 (unknown to Xen): -ENOSYS, 1 time$" "$out"
ok $? "probe: --verbose names the hypercall Xen does not have"
grep -q "^uvctl:   hypercall memory_op (12), first argument 0x1234: -ENOSYS, 1 time$" "$out"
ok $? "probe: --verbose names the memory_op sub-op microv does not have"
grep -q "^uvctl:   read of guest-physical page 0xfed00000 (no RAM): all ones, 1 time$" "$out"
ok $? "probe: --verbose names the page with no RAM it read"
uvctl run --ram 1M --kernel /microv/tests/probe_pvh.elf </dev/null \
	>/dev/null 2>/tmp/probe1.err
status=$?
test "$status" = 2 && grep -q "less than the minimum of 2M" /tmp/probe1.err
ok $? "probe: 1M of RAM is refused (status $status)"
show

[ "$fails" = 0 ]
