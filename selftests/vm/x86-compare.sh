#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# x86-compare.sh SERIAL...: the kernel's x86 selftests, each kernel's
# native run (in its own test machine) beside its run as a guest under
# microv (in the other machine), from the "X86 WHERE NAME RESULT STATUS"
# lines of the test machines' serial logs (selftests/microv/x86_test.sh).
#
# Prints a table, "# NAME native guest" per kernel, and one result per
# test and kernel: "ok" if it passed or skipped in the guest, "not ok" if
# it failed only in the guest.  A test that fails natively too, or that
# died in the guest of the Bochs SYSRET artifact (x86_selftests.sh), is
# listed ("# listed: ..."), not counted.  A kernel with a run missing on either
# side is one "not ok".
set -u
. "$(dirname "$0")/lib.sh"

for serial in "$@"; do
	[ -f "$serial" ] && uvt_lines "$serial"
done | awk '
	$1 == "X86" && NF >= 5 && $2 ~ /^(native|guest)-/ {
		where = substr($2, 1, index($2, "-") - 1)
		k = substr($2, length(where) + 2)
		res[k SUBSEP where SUBSEP $3] = $4
		names[$3] = 1
		kernels[k] = 1
		have[k SUBSEP where] = 1
	}
	END {
		for (k in kernels) {
			if (!have[k SUBSEP "native"] || !have[k SUBSEP "guest"]) {
				printf "%s\t!\t%s\n", k,
				       have[k SUBSEP "native"] ? "guest" : "native"
				continue
			}
			for (n in names) {
				nat = res[k SUBSEP "native" SUBSEP n]
				gst = res[k SUBSEP "guest" SUBSEP n]
				printf "%s\t%s\t%s\t%s\n", k, n,
				       nat == "" ? "missing" : nat,
				       gst == "" ? "missing" : gst
			}
		}
	}' | sort | awk -F '\t' '
	$2 == "!" { print "not ok x86/" $1 " (no " $3 " run of the x86 selftests)"; next }
	$1 != last {
		printf "# x86 selftests of %s: native, and as a guest under microv\n", $1
		last = $1
	}
	{
		printf "#   %-34s %-8s %s\n", $2, $3, $4
		if ($4 == "pass" || $4 == "skip")
			print "ok x86/" $1 "/" $2
		else if ($4 == "sysret-ss")
			print "# listed: x86/" $1 "/" $2 " died of the Bochs SYSRET artifact in the guest (x86_selftests.sh)"
		else if ($3 != "pass" && $3 != "skip" && $3 != "missing")
			print "# listed: x86/" $1 "/" $2 " fails natively too (" $3 "), and as a guest (" $4 ")"
		else
			print "not ok x86/" $1 "/" $2 " (guest: " $4 ", native: " $3 ")"
	}'
