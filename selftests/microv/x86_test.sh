#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's own x86 selftests, natively in this test machine, then in
# a Linux guest under microv (the other kernel of the bench, 256 MiB,
# /microv/guest/initrd-x86.cpio, whose /init runs them when uvguest=x86):
# "X86 ..." lines (x86_selftests.sh) for x86-compare.sh, which compares
# each kernel's native run with its run as a guest on the other machine.
# One KTAP result of its own: the guest ran them all and powered off.
tests=/microv/tests
guest=/microv/guest

echo "TAP version 13"
echo "1..1"
"$tests/x86_selftests.sh" /microv/x86 "native-$(uname -r)"
insmod /microv/microv.ko 2>/dev/null
uvctl run --kernel "$guest/vmlinux" --initrd "$guest/initrd-x86.cpio" \
	--ram 256 --cmdline "console=hvc0 quiet cryptomgr.notests uvguest=x86" \
	</dev/null >/tmp/x86-guest.out 2>&1
status=$?
grep -a '^X86' /tmp/x86-guest.out
ran=$(grep -a -c '^X86 ' /tmp/x86-guest.out)
want=$(ls /microv/x86 | wc -l)
if [ "$status" = 0 ] && [ "$ran" = "$want" ]; then
	echo "ok 1 x86 selftests in a guest: $ran run, guest powered off"
else
	tail -n 20 /tmp/x86-guest.out | sed 's/^/# /'
	echo "not ok 1 x86 selftests in a guest: $ran of $want run, uvctl status $status"
fi
rm -f /tmp/x86-guest.out
