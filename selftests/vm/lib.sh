# SPDX-License-Identifier: GPL-2.0
# microv test bench: shared functions (sourced, not run).
#
# Everything the bench makes goes under $BUILD (default: build/ in the
# tree); downloads are kept in $CACHE (default: ~/.cache/microv) so that
# a second run does not fetch them again.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${MICROV_BUILD:-$TOP/build}
CACHE=${MICROV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microv}
VM_TIMEOUT=${MICROV_VM_TIMEOUT:-1500}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# The Debian kernel version behind a meta package, e.g. linux-image-amd64
# -> 6.1.0-56-amd64: the newest the archive offers.
kernel_from_meta() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n 1
}

# The kernels the bench boots: $MICROV_KERNELS, or the newest 6.1 and 6.12.
kernel_versions() {
	local v61 v612

	if [ -n "${MICROV_KERNELS:-}" ]; then
		echo "$MICROV_KERNELS"
		return
	fi
	v61=$(kernel_from_meta linux-image-amd64)
	v612=$(kernel_from_meta linux-image-6.12-amd64)
	[ -n "$v61" ] && [ -n "$v612" ] ||
		die "cannot resolve the newest 6.1/6.12 kernels (apt-get update?)"
	echo "$v61 $v612"
}

# Unpacks linux-image-VER (not installed: only unpacked into the cache).
fetch_kernel() {
	local ver=$1 dir=$CACHE/kernels/$1

	if [ ! -f "$dir/root/boot/vmlinuz-$ver" ]; then
		log "fetching linux-image-$ver"
		rm -rf "$dir" && mkdir -p "$dir"
		(cd "$dir" && apt-get download "linux-image-$ver" >/dev/null 2>&1) ||
			die "apt-get download linux-image-$ver failed"
		dpkg-deb -x "$dir"/linux-image-*.deb "$dir/root" ||
			die "cannot unpack linux-image-$ver"
		rm -f "$dir"/linux-image-*.deb
	fi
	echo "$dir/root"
}

# kselftest_harness.h and kselftest.h from Debian's linux-source-6.1.
# extract_linux_source DIR STRIP PATH...: PATHs (under linux-source-6.1/)
# of Debian's linux-source-6.1 into DIR, STRIP leading components off;
# the package is downloaded for it and let go after.
extract_linux_source() {
	local dir=$1 strip=$2

	shift 2
	log "extracting $* from linux-source-6.1"
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	(cd "$dir.tmp" && apt-get download linux-source-6.1 >/dev/null 2>&1) ||
		die "apt-get download linux-source-6.1 failed"
	dpkg-deb --fsys-tarfile "$dir.tmp"/linux-source-6.1_*.deb |
		tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$dir.tmp" --strip-components="$strip" "$@" ||
		die "cannot extract $* from linux-source-6.1"
	rm -f "$dir.tmp"/*.deb
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

# The kselftest files of linux-source-6.1's tools/testing/selftests that
# building and installing the selftests needs (HARNESS_DIR): the harness
# headers, run_kselftest.sh and its kselftest/ helpers.
fetch_harness() {
	local dir=$CACHE/kselftest hdr=linux-source-6.1/tools/testing/selftests

	[ -f "$dir/run_kselftest.sh" ] ||
		extract_linux_source "$dir" 4 "$hdr/kselftest_harness.h" \
			"$hdr/kselftest.h" "$hdr/run_kselftest.sh" \
			"$hdr/kselftest"
	echo "$dir"
}

# The kernel's own x86 selftests (tools/testing/selftests/x86 of
# linux-source-6.1), static, 32- and 64-bit, stripped, into
# $BUILD/x86-selftests: make check runs them in each test machine and in
# a guest under microv, and compares (x86-compare.sh).
build_x86_selftests() {
	local src=$CACHE/linux-6.1-x86 out=$BUILD/x86-selftests
	local l=linux-source-6.1

	[ -f "$src/tools/testing/selftests/x86/Makefile" ] ||
		extract_linux_source "$src" 1 "$l/tools/testing/selftests/x86" \
			"$l/tools/testing/selftests/lib.mk" \
			"$l/tools/testing/selftests/kselftest.h" \
			"$l/arch/x86/include" "$l/tools/include"
	rm -rf "$out" && mkdir -p "$out"
	# Static (the machines have no C library): through CC, so that the
	# Makefile's own flags per test stay.
	make -s -C "$src/tools/testing/selftests/x86" OUTPUT="$out" \
		CC="gcc -static" >"$out.log" 2>&1 ||
		{ cat "$out.log" >&2; return 1; }
	strip "$out"/*_64 "$out"/*_32
}

# Builds microv.ko for kernel VER in its own copy of the sources (two
# kernels cannot share one object tree) with warnings as errors and
# sparse; prints the build log path.  Fails on any warning.
build_module() {
	local ver=$1 out=$BUILD/$1/module kdir=/usr/src/linux-headers-$1

	[ -d "$kdir" ] || die "no headers for $ver in $kdir (apt-get install linux-headers-$ver)"
	rm -rf "$out" && mkdir -p "$out"
	cp -r "$TOP/Kbuild" "$TOP/module" "$TOP/vmx" "$TOP/xenabi" "$TOP/include" "$out/"
	make -C "$kdir" M="$out" MICROV_WERROR=1 MICROV_BENCH="${MICROV_BENCH:-0}" \
		W=1 C=1 modules \
		>"$out/build.log" 2>&1 || return 1
	# sparse and W=1 print warnings without failing the build.
	! grep -E 'warning:|error:' "$out/build.log" >&2
}

build_selftests() {
	rm -rf "$BUILD/kselftest_install"
	make -s -C "$TOP/selftests/microv" O="$BUILD/selftests" \
		HARNESS_DIR="$(fetch_harness)" \
		INSTALL_PATH="$BUILD/kselftest_install" install >&2 &&
	make -s -C "$TOP/selftests/bench" O="$BUILD/selftests" >&2
}

# Debian's own kvm modules of VER, uncompressed (busybox has no xz
# module loader), for the tests of microv beside kvm_intel.
copy_kvm_modules() {
	local ver=$1 dest=$2 kroot m f

	kroot=$(fetch_kernel "$ver")
	mkdir -p "$dest"
	for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-intel; do
		f=$kroot/lib/modules/$ver/kernel/$m.ko
		if [ -f "$f" ]; then
			cp "$f" "$dest/"
		elif [ -f "$f.xz" ]; then
			xz -dc "$f.xz" >"$dest/${m##*/}.ko"
		else
			die "$ver has no $m.ko"
		fi
	done
}

# Xen's own xenstore client (xenstore-utils: one program, called by the
# name it is run as) with the shared libraries it needs, into ROOT: the
# boot test reads and writes the store through it as a Xen user would.
copy_xenstore_utils() {
	local root=$1 lib t

	[ -x /usr/bin/xenstore ] ||
		die "/usr/bin/xenstore missing: apt-get install xenstore-utils"
	cp /usr/bin/xenstore "$root/bin/xenstore"
	for t in ls read write list rm chmod exists watch; do
		ln -sf xenstore "$root/bin/xenstore-$t"
	done
	for lib in $(ldd /usr/bin/xenstore | grep -o '/[^ ]*'); do
		mkdir -p "$root${lib%/*}"
		cp -L "$lib" "$root$lib"
	done
}

# Each bench kernel's PV block frontend and ext4 (Debian builds them as
# modules), as ROOT/lib/modules/VER/NAME.ko, uncompressed for busybox's
# insmod.
copy_guest_modules() {
	local root=$1 ver kroot m f

	for ver in $(kernel_versions); do
		kroot=$(fetch_kernel "$ver")
		mkdir -p "$root/lib/modules/$ver"
		for m in drivers/block/xen-blkfront lib/crc16 fs/mbcache \
			fs/jbd2/jbd2 crypto/crc32c_generic fs/ext4/ext4; do
			f=$(ls "$kroot/lib/modules/$ver/kernel/$m".ko* 2>/dev/null | head -n 1)
			[ -n "$f" ] || die "$m.ko missing from the $ver kernel"
			case $f in
			*.xz) xz -dc "$f" ;;
			*) cat "$f" ;;
			esac >"$root/lib/modules/$ver/${m##*/}.ko"
		done
	done
}

# An ext4 filesystem for the guest's root (selftests/vm/guest/root):
# busybox, /sbin/init, /sbin/poweroff; gzipped into $BUILD/guest.
make_guest_root() {
	local dir=$BUILD/guest/rootfs img=$BUILD/guest/root.ext4

	rm -rf "$dir" && mkdir -p "$dir"/{bin,sbin,etc,proc,sys,dev}
	cp /bin/busybox "$dir/bin/busybox"
	cp "$TOP/selftests/vm/guest/root/init" "$TOP/selftests/vm/guest/root/poweroff" \
		"$dir/sbin/"
	echo microv-ext4-root >"$dir/etc/microv-root"
	rm -f "$img"
	# No metadata_csum: the guest's ext4 then needs no crc32c driver.
	mke2fs -q -t ext4 -O ^metadata_csum -d "$dir" "$img" 8M ||
		die "mke2fs of the guest's root failed"
	gzip -9f "$img"
}

# The guest's initramfs: busybox and selftests/vm/guest/init.
make_guest_initrd() {
	local root=$BUILD/guest/initramfs

	rm -rf "$root" && mkdir -p "$root"/{bin,proc,sys,dev,tmp}
	cp /bin/busybox "$root/bin/busybox"
	cp "$TOP/selftests/vm/guest/init" "$root/init"
	copy_guest_modules "$root"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$BUILD/guest/initrd.cpio"
	# The same with the x86 selftests, when they are built.
	rm -f "$BUILD/guest/initrd-x86.cpio"
	[ -d "$BUILD/x86-selftests" ] || return 0
	cp -r "$BUILD/x86-selftests" "$root/x86"
	cp "$TOP/selftests/microv/x86_selftests.sh" "$root/bin/"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$BUILD/guest/initrd-x86.cpio"
}

# initramfs: busybox, the module for VER, the tests, the bench's /init;
# with GUEST (a kernel version), uvctl and that kernel's vmlinux with the
# guest's initramfs for the acceptance test, and with "bzimage" as third
# argument its bzImage too.
make_initramfs() {
	local ver=$1 guest=${2:-} bzimage=${3:-} root=$BUILD/$1/initramfs t

	rm -rf "$root" && mkdir -p "$root"/{bin,proc,sys,dev,tmp,microv/tests}
	cp /bin/busybox "$root/bin/busybox"
	! readelf -d "$root/bin/busybox" 2>/dev/null | grep -q NEEDED ||
		die "/bin/busybox is not static: apt-get install busybox-static"
	cp "$TOP/selftests/vm/init" "$root/init"
	cp "$BUILD/$ver/module/microv.ko" "$root/microv/"
	cp "$BUILD"/selftests/*_test "$BUILD"/selftests/*_bench \
		"$BUILD/selftests/tiny_pvh.elf" "$BUILD/selftests/probe_pvh.elf" \
		"$root/microv/tests/"
	if [ -x "$BUILD/tools/uvctl" ]; then
		cp "$BUILD/tools/uvctl" "$BUILD/tools/microv-xenstored" "$root/bin/"
		copy_xenstore_utils "$root"
	fi
	# The installed kselftest tree, its programs those of /microv/tests.
	cp -r "$BUILD/kselftest_install" "$root/microv/kselftest"
	for t in "$root"/microv/kselftest/microv/*_test; do
		ln -sf "/microv/tests/${t##*/}" "$t"
	done
	copy_kvm_modules "$ver" "$root/microv/kvm"
	if [ -n "$guest" ]; then
		mkdir -p "$root/microv/guest"
		cp "$TOP/selftests/microv/boot_test.sh" "$root/microv/tests/"
		[ -s "$BUILD/guest/initrd.cpio" ] || make_guest_initrd
		make_guest_root
		cp "$BUILD/guest/root.ext4.gz" "$root/microv/guest/"
		cp "$BUILD/guest/initrd.cpio" "$root/microv/guest/initrd"
		if [ -s "$BUILD/guest/initrd-x86.cpio" ]; then
			cp "$BUILD/guest/initrd-x86.cpio" "$root/microv/guest/"
			cp -r "$BUILD/x86-selftests" "$root/microv/x86"
			cp "$TOP/selftests/microv/x86_selftests.sh" \
				"$TOP/selftests/microv/x86_test.sh" "$root/microv/tests/"
		fi
		cp "$(vmlinux_of "$guest")" "$root/microv/guest/vmlinux"
		[ -z "$bzimage" ] || cp "$(fetch_kernel "$guest")/boot/vmlinuz-$guest" \
			"$root/microv/guest/bzImage"
	fi
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$BUILD/$ver/initramfs.cpio"
	echo "$BUILD/$ver/initramfs.cpio"
}

# kfence.sample_interval: the 6.12 kernel has KFENCE built in but off;
# on, a use-after-free or overflow of a sampled allocation is a report.
# MICROV_KERNEL_ARGS adds to them (fuzz.sh passes MICROV_FUZZ_OPS=N: the
# kernel hands such words to /init as environment variables).
# idle=halt: with intel_idle (MWAIT) the 6.12 kernel under Bochs now and
# then misses the wake-up of an idle CPU (a store to the monitored
# need_resched flag instead of an IPI), so CPU hotplug stalls for seconds
# or for good.  HLT needs an IPI to leave it, which Bochs never misses.
KERNEL_ARGS="console=ttyS0,115200 quiet nokaslr cryptomgr.notests audit=0 mitigations=off printk.devkmsg=on panic=-1 idle=halt kfence.sample_interval=10 ${MICROV_KERNEL_ARGS:-}"

# pvhboot.elf and vmlinux-extract (selftests/vm/pvhboot), in $BUILD.
build_pvhboot() {
	make -s -C "$TOP/selftests/vm/pvhboot" O="$BUILD/pvhboot" >&2
}

# VER's ELF vmlinux, taken out of its bzImage once and kept in the cache:
# booted at its PVH entry it skips the bzImage's own decompressor, which
# costs ~40 s of emulated time (selftests/vm/pvhboot/README.rst).
vmlinux_of() {
	local ver=$1 kroot out=$CACHE/kernels/$1/vmlinux

	if [ ! -s "$out" ]; then
		kroot=$(fetch_kernel "$ver")
		"$BUILD/pvhboot/vmlinux-extract" "$kroot/boot/vmlinuz-$ver" "$out.tmp" >&2 &&
			mv "$out.tmp" "$out" || die "cannot extract vmlinux from vmlinuz-$ver"
	fi
	echo "$out"
}

# A bootable ISOLINUX CD: mboot.c32 loads pvhboot.elf with VER's vmlinux
# and the initramfs as modules; pvhboot enters vmlinux at its PVH entry.
# INITRD and the kernel's ARGS default to VER's initramfs and
# "$KERNEL_ARGS uvsuite=SUITE".
make_iso() {
	local ver=$1 suite=$2 initrd=${3:-$BUILD/$1/initramfs.cpio}
	local args=${4:-$KERNEL_ARGS uvsuite=$2}
	local iso=$BUILD/$1/iso bios=/usr/lib/syslinux/modules/bios

	rm -rf "$iso" && mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin "$bios/ldlinux.c32" "$bios/mboot.c32" \
		"$bios/libcom32.c32" "$iso/isolinux/"
	cp "$BUILD/pvhboot/pvhboot.elf" "$iso/"
	cp "$(vmlinux_of "$ver")" "$iso/vmlinux"
	cp "$initrd" "$iso/initrd"
	cat >"$iso/isolinux/isolinux.cfg" <<-CFG
		default microv
		prompt 0
		timeout 0
		label microv
		  kernel mboot.c32
		  append /pvhboot.elf $args --- /vmlinux --- /initrd
	CFG
	xorriso -as mkisofs -quiet -o "$BUILD/$ver/boot.iso" \
		-b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$iso" \
		>"$BUILD/$ver/xorriso.log" 2>&1 ||
		die "xorriso failed: $BUILD/$ver/xorriso.log"
	echo "$BUILD/$ver/boot.iso"
}

# Boots VER under Bochs with an emulated VMX CPU (2 CPUs) and runs SUITE.
# Leaves the serial log in $BUILD/VER/bochs/serial.log and Bochs's own
# log beside it.  Bochs's exit status means nothing (a guest power-off
# ends it with 1): the caller reads the serial log.  With INITRD and
# ARGS (make_iso), the machine has MICROV_BOCHS_CPUS CPUs and
# MICROV_BOCHS_MEGS MiB, and its logs go to $BUILD/VER/bochs-SUITE.
run_bochs() {
	local ver=$1 suite=$2 dir=$BUILD/$1/bochs${3:+-$2} iso

	iso=$(make_iso "$ver" "$suite" "${3:-}" "${4:-}")
	rm -rf "$dir" && mkdir -p "$dir"
	cat >"$dir/bochsrc" <<-RC
		megs: ${MICROV_BOCHS_MEGS:-1024}
		cpu: model=${MICROV_BOCHS_CPU:-corei7_haswell_4770}, count=${MICROV_BOCHS_CPUS:-2}, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1
		romimage: file=/usr/share/bochs/BIOS-bochs-latest
		vgaromimage: file=/usr/share/vgabios/vgabios.bin
		pci: enabled=1, chipset=i440fx
		clock: sync=none, time0=local
		display_library: rfb, options="timeout=0"
		ata0-master: type=cdrom, path=$iso, status=inserted
		boot: cdrom
		com1: enabled=1, mode=file, dev=$dir/serial.log
		log: $dir/bochs.log
		panic: action=fatal
		error: action=report
		info: action=report
		speaker: enabled=0
		sound: driver=dummy
	RC
	echo c >"$dir/rc"
	log "booting $ver under Bochs (suite $suite; serial log $dir/serial.log)"
	timeout -k 10 "$VM_TIMEOUT" bochs-bin -q -f "$dir/bochsrc" -rc "$dir/rc" \
		</dev/null >"$dir/stdout.log" 2>&1
	[ $? -eq 124 ] && log "Bochs timed out after ${VM_TIMEOUT}s"
	echo "$dir/serial.log"
}

# Boots VER under QEMU TCG (no VMX) and runs SUITE; QEMU's -kernel
# starts an ELF vmlinux at its PVH entry as well.
run_qemu() {
	local ver=$1 suite=$2 dir=$BUILD/$1/qemu vmlinux

	vmlinux=$(vmlinux_of "$ver")
	rm -rf "$dir" && mkdir -p "$dir"
	log "booting $ver under QEMU TCG (suite $suite; serial log $dir/serial.log)"
	timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu qemu64 \
		-smp 2 -m 512 -no-reboot -display none -monitor none \
		-serial "file:$dir/serial.log" \
		-kernel "$vmlinux" -initrd "$BUILD/$ver/initramfs.cpio" \
		-append "$KERNEL_ARGS uvsuite=$suite" </dev/null >"$dir/stdout.log" 2>&1
	[ $? -eq 124 ] && log "QEMU timed out after ${VM_TIMEOUT}s"
	echo "$dir/serial.log"
}

# The bench's lines in a serial log, without the kernel's timestamps.
uvt_lines() {
	sed -n 's/^\(\[ *[0-9.]*\] \)\{0,1\}uvt: //p' "$1" | tr -d '\r'
}

# Turns the KTAP output of each program in a serial log into one line per
# test: "ok NAME" or "not ok NAME", NAME prefixed with $2.  A program that
# never reached its END marker, or printed fewer results than its plan,
# yields "not ok" lines for what is missing.
ktap_results() {
	local serial=$1 prefix=$2

	uvt_lines "$serial" | awk -v prefix="$prefix" '
		function finish() {
			if (prog == "")
				return
			if (!ended)
				print "not ok " prefix prog " (did not finish: crashed or hung)"
			for (i = results + 1; i <= plan; i++)
				print "not ok " prefix prog " test " i " (no result)"
			if (plan == 0 && results == 0)
				print "not ok " prefix prog " (no KTAP output)"
		}
		/^==== BEGIN / { finish(); prog = $3; sub(/.*\//, "", prog)
				 plan = 0; results = 0; ended = 0; next }
		/^==== END /   { ended = 1; next }
		prog != "" && /^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
		prog != "" && /^(not )?ok [0-9]+ / {
			results++
			line = $0; ok = (line !~ /^not /)
			sub(/^(not )?ok [0-9]+ /, "", line)
			print (ok ? "ok " : "not ok ") prefix prog "/" line
		}
		END { finish() }'
}
