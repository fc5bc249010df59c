#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# Acceptance: uvctl boots an unmodified Linux (the other Debian kernel's
# vmlinux, in /microv/guest) as a Xen PVH guest with a busybox initramfs.
# The guest reaches userspace and says so on hvc0, reads a line that the
# host sends through the console and prints it back; then the host stops
# uvctl with SIGTERM and everything the guest held is gone.  KTAP.
#
# The guest finds uvctl's ACPI tables (S5 through the FADT's sleep control
# register); its "poweroff -f" does not reach that register yet, so its
# own power-off is not how this run ends.
guest=/microv/guest
out=/tmp/boot.out
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

echo "TAP version 13"
echo "1..7"
lsmod | grep -q '^microv ' || insmod /microv/microv.ko
rm -f /tmp/in "$out"
mkfifo /tmp/in
start=$(date +%s)
uvctl run --hvc --kernel "$guest/vmlinux" --initrd "$guest/initrd" \
	--ram 128 --cmdline "console=hvc0" </tmp/in >"$out" 2>&1 &
pid=$!
exec 3>/tmp/in

wait_for "MICROV-GUEST-UP" 600
ok $? "the guest reaches userspace and prints on hvc0"
echo "# nested boot to userspace: $(($(date +%s) - start)) s"
grep -q "Booting kernel on Xen PVH" "$out"
ok $? "Linux booted as a Xen PVH guest"
grep -q "ACPI: PM: (supports S0 S5)" "$out"
ok $? "it found the ACPI tables and S5 in them"

echo hello-from-host >&3
wait_for "MICROV-GUEST-GOT hello-from-host" 120
ok $? "the guest reads a line sent through the console"

kill -TERM "$pid"
wait "$pid"
status=$?
exec 3>&-
test "$status" = 143
ok $? "uvctl ends on SIGTERM with 143 (got $status)"
test "$(cat /sys/class/misc/microv/domains)" = 0
ok $? "no domain is left"
test "$(cat /sys/class/misc/microv/pinned_pages)" = 0
ok $? "no guest page stays pinned"

if [ "$fails" != 0 ]; then
	echo "# the guest's console:"
	sed 's/^/# /' "$out" | tail -40
fi
[ "$fails" = 0 ]
