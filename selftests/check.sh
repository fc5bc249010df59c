#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: every microv test, in layers, ending with one line
# "N passed, N failed" and a non-zero status if anything failed.
#
#  1. userspace: the uapi header alone, the tools
#  2. the module against each kernel's headers: -Werror, W=1, sparse; DKMS
#  3. selftests in the emulated machines: Bochs with VMX (each kernel),
#     QEMU TCG without VMX (once)
#
# Environment: MICROV_KERNELS="VER..." picks the kernels (default: the
# newest 6.1 and 6.12 in the archive), MICROV_BUILD, MICROV_CACHE,
# MICROV_VM_TIMEOUT (seconds per emulated boot).
set -u
. "$(dirname "$0")/vm/lib.sh"

passed=0
failed=0
results=$BUILD/results.txt

# One result line; "not ok" lines also go into the summary at the end.
result() {
	local status=$1 name=$2

	if [ "$status" = ok ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	echo "$status $name" | tee -a "$results"
}

check() {
	local name=$1

	shift
	if "$@"; then
		result ok "$name"
	else
		result "not ok" "$name"
	fi
}

# Feeds "ok NAME"/"not ok NAME" lines from stdin into the counters.
collect() {
	local line

	while IFS= read -r line; do
		case "$line" in
		"ok "*) result ok "${line#ok }" ;;
		"not ok "*) result "not ok" "${line#not ok }" ;;
		esac
	done
}

# "ok N desc" from KTAP streams -> "ok PREFIXdesc"; no result at all,
# or not as many as their plans ("1..N") add up to, is a failure of its
# own.
ktap_prefix() {
	awk -v prefix="$1" '
		/^1\.\.[0-9]+/ { plan += substr($1, 4); planned = 1 }
		/^(not )?ok [0-9]+ / {
			n++; ok = ($0 !~ /^not /); sub(/^(not )?ok [0-9]+ /, "")
			print (ok ? "ok " : "not ok ") prefix $0
		}
		END {
			if (!n)
				print "not ok " prefix " (no test ran)"
			else if (planned && n != plan)
				print "not ok " prefix " (" plan " planned, " n " ran)"
		}'
}

phase_start() { phase_t0=$(date +%s); log "== $1"; phase_name=$1; }
phase_end() { log "== $phase_name: $(($(date +%s) - phase_t0)) s"; }

uapi_header_alone() {
	local t=$BUILD/uapi

	mkdir -p "$t"
	printf '#include <linux/microv.h>\nint main(void) { return MICROV_API_VERSION != 1; }\n' >"$t/t.c"
	cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$TOP/include/uapi" \
		-o "$t/t" "$t/t.c" && "$t/t" &&
	c++ -Wall -Wextra -Werror -x c++ -I"$TOP/include/uapi" \
		-fsyntax-only "$t/t.c"
}

# Documentation/ parses as reST with no warning (selftests/docs_check.py).
docs_parse() {
	/usr/bin/python3 "$TOP/selftests/docs_check.py" "$TOP"/Documentation/*.rst
}

# Every selftest the Makefile builds is run by the test machines' /init.
all_selftests_run() {
	local t progs missing=0

	progs=$(make -s -C "$TOP/selftests/microv" list) && [ -n "$progs" ] ||
		return 1
	for t in $progs; do
		grep -q "/microv/tests/$t\b" "$TOP/selftests/vm/init" ||
			{ log "selftests/vm/init never runs $t"; missing=1; }
	done
	[ "$missing" = 0 ]
}

# The kernel after $1 in the list that follows it (wrapping around): the
# one a machine running $1 boots as its guest; $1 itself if alone.
other_kernel() {
	local me=$1 k first= next=0
	shift
	for k in "$@"; do
		[ -z "$first" ] && first=$k
		[ "$next" = 1 ] && { echo "$k"; return; }
		[ "$k" = "$me" ] && next=1
	done
	echo "$first"
}

vm_suite() {
	local runner=$1 ver=$2 suite=$3 serial

	serial=$($runner "$ver" "$suite")
	ktap_results "$serial" "${runner#run_}/$ver/" >"$BUILD/$ver/${runner#run_}.results"
	if ! grep -q 'uvt: MICROV-VM-END' "$serial" 2>/dev/null; then
		echo "not ok ${runner#run_}/$ver/boot (no end marker: see $serial)" \
			>>"$BUILD/$ver/${runner#run_}.results"
	fi
}

main() {
	local kernels k t0 seeds

	t0=$(date +%s)
	mkdir -p "$BUILD"
	: >"$results"

	phase_start "dependencies"
	kernels=$(kernel_versions) || exit 1
	log "kernels: $kernels"
	"$TOP/selftests/vm/deps.sh" $kernels || exit 1
	phase_end

	phase_start "userspace"
	check uapi/header-alone uapi_header_alone
	check docs/rst-parses docs_parse
	check tools/build make -s -C "$TOP/tools" O="$BUILD/tools"
	# Process substitution, not a pipe: collect must count in this shell.
	collect < <(make -s -C "$TOP/tools" O="$BUILD/tools" check-uvctl 2>&1 |
		ktap_prefix tools/uvctl/)
	collect < <(make -s -C "$TOP/tools" O="$BUILD/tools" check-xenstored \
		2>&1 | ktap_prefix tools/xenstored/)
	collect < <(make -s -C "$TOP/xenabi/tests" O="$BUILD/xenabi" check 2>&1 |
		ktap_prefix unit/xenabi/)
	collect < <(make -s -C "$TOP/module/tests" O="$BUILD/module-tests" \
		check 2>&1 | ktap_prefix unit/x86/)
	check "unit/xenabi/fuzz_hypercall (log $BUILD/xenabi/fuzz/fuzz.log)" \
		make -s -C "$TOP/xenabi/tests" O="$BUILD/xenabi" fuzz-run
	seeds=
	for k in $kernels; do
		seeds="$seeds $(fetch_kernel "$k")/boot/vmlinuz-$k"
	done
	check "tools/fuzz_image (log $BUILD/tools/fuzz/fuzz.log)" \
		make -s -C "$TOP/tools" O="$BUILD/tools" fuzz-run FUZZ_SEEDS="$seeds"
	check "tools/fuzz_xenstore (log $BUILD/tools/fuzz-xenstore/fuzz.log)" \
		make -s -C "$TOP/tools" O="$BUILD/tools" fuzz-xenstore-run
	phase_end

	phase_start "module builds"
	for k in $kernels; do
		check "build/$k (-Werror W=1 sparse; log $BUILD/$k/module/build.log)" \
			build_module "$k"
		check "dkms/$k" "$TOP/selftests/vm/dkms-build.sh" "$k"
	done
	check selftests/build build_selftests
	check "selftests/all in the bench (selftests/vm/init runs each)" \
		all_selftests_run
	check selftests/pvhboot build_pvhboot
	check "x86/build (the kernel's x86 selftests; log $BUILD/x86-selftests.log)" \
		build_x86_selftests
	phase_end

	phase_start "emulated machines"
	# Each machine boots the other kernel as its guest; the last one
	# boots its bzImage once too.
	rm -f "$BUILD/guest/initrd.cpio"
	for k in $kernels; do
		g=$(other_kernel "$k" $kernels)
		bz=
		[ "$k" = "${kernels##* }" ] && bz=bzimage
		[ -f "$BUILD/$k/module/microv.ko" ] &&
			make_initramfs "$k" "$g" $bz >/dev/null
	done
	# Two Bochs machines side by side: one per host core.
	for k in $kernels; do
		[ -f "$BUILD/$k/initramfs.cpio" ] && vm_suite run_bochs "$k" vmx &
	done
	wait
	k=${kernels%% *}
	[ -f "$BUILD/$k/initramfs.cpio" ] && vm_suite run_qemu "$k" novmx
	for k in $kernels; do
		for f in bochs qemu; do
			[ -f "$BUILD/$k/$f.results" ] && collect <"$BUILD/$k/$f.results"
		done
		[ -f "$BUILD/$k/bochs.results" ] ||
			result "not ok" "bochs/$k (not run: the build failed)"
	done
	[ -f "$BUILD/${kernels%% *}/qemu.results" ] ||
		result "not ok" "qemu/${kernels%% *} (not run: the build failed)"
	if [ -d "$BUILD/x86-selftests" ]; then
		serials=
		for k in $kernels; do
			serials="$serials $BUILD/$k/bochs/serial.log"
		done
		"$TOP/selftests/vm/x86-compare.sh" $serials >"$BUILD/x86-compare.txt"
		grep '^#' "$BUILD/x86-compare.txt" >&2
		collect <"$BUILD/x86-compare.txt"
	fi
	phase_end

	log "total: $(($(date +%s) - t0)) s"
	if [ "$failed" -gt 0 ]; then
		log "failures:"
		grep '^not ok' "$results" >&2
		log "serial logs: $BUILD/*/bochs/serial.log, $BUILD/*/qemu/serial.log"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

main "$@"
