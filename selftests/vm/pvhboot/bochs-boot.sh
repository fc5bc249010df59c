#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bochs-boot.sh - boot a Debian bzImage to a busybox initramfs in Bochs,
# either through pvhboot (fast) or through ISOLINUX's own Linux loader
# (plain), and report the wall time and how many CPUs came online.
#
#   bochs-boot.sh pvh|plain BZIMAGE WORKDIR [EXTRA KERNEL ARGS...]
#
# Needs: bochs bochsbios vgabios isolinux syslinux-common xorriso
#        busybox-static cpio, plus xz-utils/zstd for vmlinux-extract.
# Build pvhboot first: make -C selftests/vm/pvhboot
# Exit status 0 only if the guest printed PVHBOOT-OK and powered off.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage: $0 pvh|plain BZIMAGE WORKDIR [KERNEL ARGS...]}
bzimage=${2:?missing BZIMAGE}
work=${3:?missing WORKDIR}
shift 3
args="console=ttyS0 quiet nokaslr cryptomgr.notests audit=0 mitigations=off $*"
timeout_s=${PVHBOOT_TIMEOUT:-300}

case $mode in
pvh|plain) ;;
*) echo "mode must be pvh or plain" >&2; exit 2 ;;
esac

mkdir -p "$work"
work=$(cd "$work" && pwd)

make_initrd() {
	local root=$work/initrd-root

	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys}
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	# /init mounts devtmpfs for /dev/kmsg; this node is just for its stdout
	mknod "$root/dev/console" c 5 1 2>/dev/null || true
	cat > "$root/init" <<-'EOF'
	#!/bin/sh
	/bin/busybox --install -s /bin
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev 2>/dev/null
	echo 8 > /proc/sys/kernel/printk
	echo "<2>PVHBOOT-OK" > /dev/kmsg
	echo "<2>PVHBOOT-CPUS-ONLINE $(cat /sys/devices/system/cpu/online)" > /dev/kmsg
	poweroff -f
	EOF
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet) > "$work/initrd.img"
}

make_iso() {
	local iso=$work/iso

	rm -rf "$iso"
	mkdir -p "$iso"
	cp /usr/lib/ISOLINUX/isolinux.bin "$iso/"
	cp /usr/lib/syslinux/modules/bios/{ldlinux,mboot,libcom32}.c32 "$iso/"
	cp "$work/initrd.img" "$iso/"
	if [ "$mode" = pvh ]; then
		cp "$here/pvhboot.elf" "$iso/"
		"$here/vmlinux-extract" "$bzimage" "$iso/vmlinux"
		cat > "$iso/isolinux.cfg" <<-EOF
		default pvh
		prompt 0
		label pvh
		  kernel mboot.c32
		  append pvhboot.elf $args --- vmlinux --- initrd.img
		EOF
	else
		cp "$bzimage" "$iso/vmlinuz"
		cat > "$iso/isolinux.cfg" <<-EOF
		default plain
		prompt 0
		label plain
		  kernel vmlinuz
		  append initrd=initrd.img $args
		EOF
	fi
	xorriso -as mkisofs -quiet -o "$work/boot.iso" -R -J \
		-b isolinux.bin -c boot.cat -no-emul-boot \
		-boot-load-size 4 -boot-info-table "$iso"
}

# Without the speaker/sound lines Debian's Bochs 2.7 dies at start-up
# with "*** buffer overflow detected ***" once ALSA finds no sound card.
make_bochsrc() {
	cat > "$work/bochsrc" <<-EOF
	cpu: model=corei7_haswell_4770, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1
	memory: guest=512, host=512
	display_library: rfb, options="timeout=0"
	clock: sync=none, time0=local
	boot: cdrom
	ata0-master: type=cdrom, path=$work/boot.iso, status=inserted
	com1: enabled=1, mode=file, dev=$work/serial.log
	log: $work/bochs.log
	panic: action=fatal
	speaker: enabled=0
	sound: driver=dummy
	EOF
	echo c > "$work/cfile"
}

make_initrd
make_iso
make_bochsrc
rm -f "$work/serial.log"

start=$(date +%s.%N)
# poweroff ends Bochs with status 1 (panic: action=fatal): judge by serial.
(cd "$work" && timeout "$timeout_s" bochs-bin -q -f bochsrc -rc cfile \
	</dev/null >bochs.out 2>&1) || true
end=$(date +%s.%N)

secs=$(printf '%.1f' "$(echo "$end - $start" | bc)")
cpus=$(sed -n 's/.*PVHBOOT-CPUS-ONLINE \([0-9,-]*\).*/\1/p' \
	"$work/serial.log" 2>/dev/null | tr -d '\r' | head -n1)
guest=$(sed -n 's/^\[ *\([0-9.]*\)\] PVHBOOT-OK.*/\1/p' \
	"$work/serial.log" 2>/dev/null | head -n1)
if grep -q PVHBOOT-OK "$work/serial.log" 2>/dev/null; then
	echo "$mode $(basename "$bzimage"): OK, wall ${secs} s (power-on to" \
	     "power-off), guest clock at /init ${guest:-?} s," \
	     "CPUs online: ${cpus:-?}"
else
	echo "$mode $(basename "$bzimage"): FAILED after ${secs}s; see $work/serial.log"
	exit 1
fi
