#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Proves dkms.conf: "dkms add" and "dkms build" of the tree for kernel VER
# with the installed headers, in a private DKMS tree and source tree
# under build/, so the build machine's /usr/src and /var/lib/dkms are
# left alone.  Checks the module DKMS built has VER's vermagic.
#
# Usage: dkms-build.sh VER
set -eu
. "$(dirname "$0")/lib.sh"
ver=$1
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$TOP/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
d=$BUILD/dkms/$ver
rm -rf "$d" && mkdir -p "$d/src/$name-$version" "$d/tree"
make -s -C "$TOP" dkms-source DESTDIR="$d/src/$name-$version"
opts="--sourcetree $d/src --dkmstree $d/tree"
dkms add -m "$name" -v "$version" $opts >"$d/dkms.log" 2>&1
if ! dkms build -m "$name" -v "$version" -k "$ver" $opts >>"$d/dkms.log" 2>&1; then
	cat "$d/dkms.log" >&2
	exit 1
fi
ko=$(find "$d/tree/$name/$version/$ver" -name "$name.ko*" | head -n 1)
[ -n "$ko" ] || { echo "dkms built no $name.ko (log: $d/dkms.log)" >&2; exit 1; }
modinfo -F vermagic "$ko" | grep -q "^${ver%-amd64}" || {
	echo "$ko has vermagic '$(modinfo -F vermagic "$ko")', not $ver" >&2
	exit 1
}
