#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: build microv and show it working.
#
# The demo boots Debian's kernel in Bochs with an emulated VMX CPU (no
# VT-x needed here, and nothing is loaded into this machine's kernel),
# loads microv.ko there, shows what the module found, runs small guests
# (exit_bench), then has uvctl boot the same Debian kernel as a Xen PVH
# guest with its console on hvc0 until the guest powers itself off;
# microv is unloaded and the machine powers off.  Its serial console is
# shown live.  On a host with VT-x it also says how to do the same there.
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
log "building uvctl"
make -s -C "$TOP/tools" O="$BUILD/tools" >"$BUILD/tools.log" 2>&1 ||
	die "uvctl build failed: $BUILD/tools.log"
log "preparing the guest: Debian's $ver vmlinux and a busybox initramfs"
rm -f "$BUILD/guest/initrd.cpio"
make_initramfs "$ver" "$ver" >/dev/null
serial=$BUILD/$ver/bochs/serial.log
rm -f "$serial"		# a previous run's, which tail would show instead
log "booting Bochs (emulated Intel CPU with VMX; 2-3 minutes); console follows"
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
grep -q 'uvt: uvctl exit status: 0 ' "$serial" ||
	die "the Linux guest did not boot and power off: see $serial"
log "microv ran in the emulated machine: VMX on, Linux booted as a PVH guest"
log "and powered off, VMX off again"
if grep -qw vmx /proc/cpuinfo; then
	log "this CPU has VT-x: to boot the same guest on it directly, from $TOP:"
	log "  make && sudo insmod microv.ko"
	log "  sudo build/tools/uvctl run --hvc --kernel /boot/vmlinuz-$(uname -r) \\"
	log "      --initrd build/guest/initrd.cpio --cmdline 'console=hvc0 uvguest=demo'"
fi
