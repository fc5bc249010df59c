#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: build microv and show it working.
#
# This machine has no usable VT-x, so the demo boots Debian's kernel in
# Bochs with an emulated VMX CPU, loads microv.ko there, shows what the
# module found, runs small guests under it (exit_bench: a CPUID loop, port
# I/O to userspace, domains created and destroyed), unloads it and powers
# off; the serial console is shown live.  (Booting Linux as a guest comes
# with uvctl.)
# On a host with VT-x, load the module directly instead:
#     make && sudo insmod microv.ko && cat /sys/class/misc/microv/cpus
set -eu
. "$(dirname "$0")/lib.sh"

ver=${MICROV_KERNELS:-$(kernel_versions)}
ver=${ver%% *}
log "kernel for the emulated machine: $ver"
"$TOP/selftests/vm/deps.sh" "$ver"
log "building microv.ko for $ver"
build_module "$ver" || die "module build failed: $BUILD/$ver/module/build.log"
build_selftests || die "selftests build failed"
build_pvhboot || die "pvhboot build failed"
make_initramfs "$ver" >/dev/null
serial=$BUILD/$ver/bochs/serial.log
rm -f "$serial"		# a previous run's, which tail would show instead
log "booting Bochs (emulated Intel CPU with VMX; ~1-2 minutes); console follows"
run_bochs "$ver" demo >/dev/null &
pid=$!
while [ ! -f "$serial" ] && kill -0 "$pid" 2>/dev/null; do
	sleep 1
done
tail -n +1 -f --pid="$pid" "$serial" 2>/dev/null || true
# Bochs ends with status 1 on a power-off: the serial log is the verdict.
wait "$pid" || true
grep -q 'uvt: /sys/class/misc/microv/cpus: 0-1' "$serial" ||
	die "the demo did not see VMX on both CPUs: see $serial"
grep -q 'uvt: BENCH microv domain' "$serial" ||
	die "the demo's guests did not run: see $serial"
log "microv ran in the emulated machine: VMX on, guests run, VMX off again"
