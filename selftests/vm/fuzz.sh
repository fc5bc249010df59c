#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fuzz.sh [SECONDS [OPS]] (make fuzz): the fuzzers for longer than make
# check runs them: the Xen personality's and uvctl's image fuzzer for
# SECONDS each (default 600), then fuzz_ioctl_test with OPS operations
# per thread and fuzz_guest_test with OPS blocks per mode (default 20000)
# in the first kernel's Bochs machine.  Prints
# each fuzzer's executions and coverage; exits non-zero on any finding.
set -u
. "$(dirname "$0")/lib.sh"

secs=${1:-600}
ops=${2:-20000}
kernels=$(kernel_versions) || exit 1
ver=${kernels%% *}
"$TOP/selftests/vm/deps.sh" $kernels || exit 1
status=0
seeds=
for k in $kernels; do
	seeds="$seeds $(fetch_kernel "$k")/boot/vmlinuz-$k"
done

log "xenabi hypercall fuzzer, $secs s"
make -s -C "$TOP/xenabi/tests" O="$BUILD/xenabi" fuzz-run \
	FUZZ_SECONDS="$secs" || status=1
log "uvctl image fuzzer, $secs s"
make -s -C "$TOP/tools" O="$BUILD/tools" fuzz-run FUZZ_SECONDS="$secs" \
	FUZZ_SEEDS="$seeds" || status=1
log "ioctl and guest fuzzers, $ops operations or blocks, under Bochs ($ver)"
MICROV_KERNEL_ARGS="MICROV_FUZZ_OPS=$ops MICROV_FUZZ_BLOCKS=$ops" \
MICROV_VM_TIMEOUT=${MICROV_VM_TIMEOUT:-7200} \
	"$TOP/selftests/vm/vmtest.sh" fuzz_ioctl_test,fuzz_guest_test "$ver" |
	tee "$BUILD/fuzz-vm.results"
grep -q '^not ok' "$BUILD/fuzz-vm.results" && status=1
grep -a 'processes x\|blocks:' "$BUILD/$ver/bochs/serial.log" |
	sed 's/^.*uvt: # */[bench] /' >&2
exit $status
