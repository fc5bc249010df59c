#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmtest.sh TEST[,TEST...] [KERNEL]: builds the module and the selftests,
# boots one kernel (default: the first of the bench) under Bochs with
# emulated VMX and runs only the named selftests there; prints their
# results.  For working on one test without the whole of make check.
# MICROV_GUEST=VER also puts uvctl and kernel VER with the guest's
# initrds in the machine, for boot_test.sh and x86_test.sh (the x86
# selftests are built for it).
set -u
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: vmtest.sh TEST[,TEST...] [KERNEL]"
tests=$1
kernels=$(kernel_versions) || exit 1
ver=${2:-${kernels%% *}}
"$TOP/selftests/vm/deps.sh" $kernels || exit 1
build_module "$ver" || die "module build failed: $BUILD/$ver/module/build.log"
build_selftests || die "selftests build failed"
build_pvhboot || die "pvhboot build failed"
if [ -n "${MICROV_GUEST:-}" ]; then
	make -s -C "$TOP/tools" O="$BUILD/tools" >&2 || die "uvctl build failed"
	build_x86_selftests || die "x86 selftests build failed"
	make_guest_initrd
fi
make_initramfs "$ver" "${MICROV_GUEST:-}" >/dev/null
serial=$(run_bochs "$ver" "tests:$tests")
ktap_results "$serial" "$ver/"
grep -q 'uvt: MICROV-VM-END' "$serial" || die "no end marker: see $serial"
