#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs what the microv bench needs from Debian's archive: idempotent,
# and quiet when everything is already there.  Needs root to install.
#
# Usage: deps.sh [KERNEL-VERSION...]   (headers are installed for each)
set -u
pkgs="build-essential bc bison flex libelf-dev sparse dkms kmod cpio
      busybox-static bochs bochsbios vgabios qemu-system-x86 isolinux
      syslinux-common xorriso xz-utils zstd libxen-dev clang-14
      libclang-rt-14-dev zlib1g-dev liblzma-dev libzstd-dev liblz4-dev
      gcc-multilib python3-docutils xenstore-utils e2fsprogs"
for v in "$@"; do
	pkgs="$pkgs linux-headers-$v"
done

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "[deps] missing packages:$missing" >&2
	echo "[deps] run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "[deps] installing:$missing" >&2
if [ -z "${MICROV_APT_UPDATED:-}" ]; then
	apt-get update -qq >&2 || exit 1
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	$missing >&2
