#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# x86_selftests.sh DIR WHERE [SECONDS]: runs each of the kernel's x86
# selftests in DIR (NAME_32, NAME_64), each for at most SECONDS (default
# 60), and prints one line per test:
#
#   X86 WHERE NAME RESULT STATUS
#
# RESULT is pass (status 0), skip (4, kselftest's KSFT_SKIP), timeout,
# fail, or sysret-ss: it failed or timed out, and a process of it died of
# the Bochs SYSRET artifact (below).  The last lines a failing test printed follow
# as "X86-LOG WHERE NAME: ..." lines.  Runs the same in the test machine
# (WHERE "native-" and its kernel) and in a guest under microv ("guest-"
# and its kernel); x86-compare.sh puts the two side by side.
#
# The artifact: Bochs's SYSRET keeps SS's hidden attributes, as AMD's
# does, whatever CPU it models; Linux reloads SS before SYSRET only on
# AMD.  After an interrupt from user mode leaves a NULL SS (B bit clear),
# a 32-bit task that returns from a system call by SYSRET runs with a
# 16-bit stack pointer and dies at its next push or pop, with a fault
# address that is its stack pointer's low 16 bits.  It strikes at random,
# natively as in a guest.
dir=$1
where=$2
limit=${3:-60}
out=/tmp/x86-selftest.out

# "segfault at A ip I sp S" in the kernel log, A = S & 0xffff, A not 0.
sysret_ss_fault() {
	dmesg | sed -n 's/.*segfault at \([0-9a-f]*\) ip [0-9a-f]* sp \([0-9a-f]*\).*/\1 \2/p' |
	while read -r at sp; do
		[ $((0x$at)) != 0 ] && [ $((0x$at)) = $((0x$sp & 0xffff)) ] &&
			echo yes && break
	done
}

echo 1 > /proc/sys/debug/exception-trace
for t in "$dir"/*_32 "$dir"/*_64; do
	[ -x "$t" ] || continue
	name=${t##*/}
	dmesg -c >/dev/null
	timeout "$limit" "$t" </dev/null >"$out" 2>&1
	status=$?
	case $status in
	0) result=pass ;;
	4) result=skip ;;
	124|137|143) result=timeout ;;
	*) result=fail ;;
	esac
	# A process of it died so (a parent may wait for ever for it).
	if [ "$result" = fail ] || [ "$result" = timeout ]; then
		[ -n "$(sysret_ss_fault)" ] && result=sysret-ss
	fi
	echo "X86 $where $name $result $status"
	if [ "$result" != pass ] && [ "$result" != skip ]; then
		tail -n 8 "$out" | while IFS= read -r line; do
			echo "X86-LOG $where $name: $line"
		done
	fi
done
rm -f "$out"
