#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: boots the first kernel of the bench under Bochs and runs
# selftests/bench/exit_bench there, first against microv, then against
# Debian's own kvm_intel in the same boot, and selftests/bench/startup_bench
# (uvctl starting small and big guests); prints the figures and the
# microv/KVM ratios.  A benchmark, not a test: under Bochs every figure
# is emulated time, so only the ratios mean something; Bochs counts one
# cycle per instruction, so the module also counts how many of each
# instruction that is slow on a real CPU one exit executes.
set -u
. "$(dirname "$0")/lib.sh"

kernels=$(kernel_versions) || exit 1
ver=${kernels%% *}
"$TOP/selftests/vm/deps.sh" $kernels || exit 1
# The module counts its costly instructions (module/bench.h).
MICROV_BENCH=1 build_module "$ver" || die "module build failed: $BUILD/$ver/module/build.log"
build_selftests || die "selftests build failed"
make -s -C "$TOP/tools" O="$BUILD/tools" >&2 || die "uvctl build failed"
build_pvhboot || die "pvhboot build failed"
make_initramfs "$ver" >/dev/null
serial=$(run_bochs "$ver" bench)
lines=$(uvt_lines "$serial" | grep '^BENCH ')
[ -n "$lines" ] || die "no figures: see $serial"
echo "$lines" | sed 's/^BENCH /  /'
echo "$lines" | awk '
	{ v[$2 " " $3] = $4; unit[$3] = $5; what[$3] = 1 }
	END {
		for (w in what)
			if (v["kvm " w] > 0)
				printf "  microv/kvm %s: %.2f (%s)\n", w,
				       v["microv " w] / v["kvm " w], unit[w]
	}'
