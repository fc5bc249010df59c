#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# Acceptance: uvctl boots an unmodified Linux (the other Debian kernel, in
# /microv/guest) as a Xen PVH guest with a busybox initramfs, four times:
#
#   echo   the ELF vmlinux; the guest reaches userspace and says so on hvc0,
#          reads a line that the host sends through the console, prints it
#          back and powers off: uvctl exits 0.
#   panic  the bzImage when there is one (else the vmlinux); the guest
#          panics: uvctl exits 4 (crash).
#   reboot the vmlinux; the guest reboots through the FADT's reset
#          register: uvctl exits 3.
#   hang   the vmlinux; the guest sleeps in userspace, "uvctl console"
#          attaches to it by domid from another process, the host stops
#          uvctl with SIGTERM: uvctl exits 143, the attached one 0.
#
# After each, no domain and no pinned guest page may be left.  KTAP.
# cryptomgr.notests: the crypto self-tests (RSA, DH, ECC) would cost each
# boot ~20 s of emulated CPU.
guest=/microv/guest
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

# Boots kernel $2 with uvguest=$1 (more uvctl options after); its console
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
		--cmdline "console=hvc0 cryptomgr.notests uvguest=$name" "$@" \
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
echo "1..25"
lsmod | grep -q '^microv ' || insmod /microv/microv.ko

boot echo "$guest/vmlinux"
grep -q "Booting kernel on Xen PVH" "$out"
ok $? "echo: Linux booted as a Xen PVH guest"
grep -q "ACPI: PM: (supports S0 S5)" "$out"
ok $? "echo: it found the ACPI tables and S5 in them"
echo hello-from-host >&3
wait_for "MICROV-GUEST-GOT hello-from-host" 120
ok $? "echo: the guest reads a line sent through the console"
ended 120 0 "the guest powered off"
grep -q "reboot: Power down" "$out"
ok $? "echo: Linux powered down through ACPI"
show

kernel=$guest/vmlinux
[ -f "$guest/bzImage" ] && kernel=$guest/bzImage
boot panic "$kernel"
ended 120 4 "the guest crashed"
grep -q "Kernel panic" "$out"
ok $? "panic: the guest's panic message came through"
show

boot reboot "$guest/vmlinux"
ended 120 3 "the guest rebooted"
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

[ "$fails" = 0 ]
