#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: boots the first kernel of the bench under Bochs and runs
# selftests/bench/exit_bench there, first against microv, then against
# Debian's own kvm_intel in the same boot, selftests/bench/startup_bench
# (uvctl starting small and big guests), and the same kernel as a 1-vCPU
# guest in 256 MiB to its /init; then boots that kernel natively, like
# for like (1 CPU, 256 MiB, the guest's initramfs and command line but
# the console), to its /init.  Prints the figures and the microv/KVM and
# microv/native ratios.  A benchmark, not a test: under Bochs every figure
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
make_guest_initrd
make_initramfs "$ver" "$ver" >/dev/null
serial=$(run_bochs "$ver" bench)
lines=$(uvt_lines "$serial" | grep '^BENCH ')
[ -n "$lines" ] || die "no figures: see $serial"
# The guest's kernel and /init natively: seconds of uptime at /init.
serial=$(MICROV_BOCHS_CPUS=1 MICROV_BOCHS_MEGS=256 run_bochs "$ver" native \
	"$BUILD/guest/initrd.cpio" "$KERNEL_ARGS uvguest=bench")
t=$(tr -d '\r' <"$serial" | sed -n 's/.*MICROV-BOOT-INIT \([0-9.]*\).*/\1/p')
lines="$lines
BENCH native boot_to_init ${t:-0} s"
echo "$lines" | sed 's/^BENCH /  /'
echo "$lines" | awk '
	{ v[$2 " " $3] = $4; unit[$3] = $5; what[$3] = 1 }
	END {
		for (w in what)
			for (o in other)
				if (v[o " " w] > 0)
					printf "  microv/%s %s: %.2f (%s)\n", o, w,
					       v["microv " w] / v[o " " w], unit[w]
	}
	BEGIN { other["kvm"]; other["native"] }'
