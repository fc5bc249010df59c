#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# microv-xenstored against Debian's own xenstore-utils (libxenstore finds
# the daemon through XENSTORED_PATH): values, trees, permissions, rm and
# a watch; and the daemon's own errors.  KTAP output; the plan comes
# first, so results are collected and printed at the end.
xsd=${O:?}/microv-xenstored
tmp=$(mktemp -d) || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/../ktap.sh"

# "CMD..." prints exactly WANT.
prints() {
	want=$1
	shift
	[ "$(timeout 5 "$@" 2>&1)" = "$want" ]
}

# microv-xenstored ARGS exits with STATUS and says MESSAGE on stderr.
says() {
	want=$1 msg=$2
	shift 2
	timeout 5 "$xsd" "$@" >/dev/null 2>"$tmp/err"
	[ "$?" = "$want" ] && grep -qF -- "$msg" "$tmp/err"
}

t "help exits 0" sh -c "'$xsd' --help | grep -q '^Usage: microv-xenstored'"
t "version" sh -c "'$xsd' --version | grep -q '^microv-xenstored '"
t "a bad option is a usage error (2)" \
	says 2 "Usage:" --no-such-option
t "a bad quota is a usage error" \
	says 2 "unknown quota 'bogus'" --quota bogus=1
# INTRODUCE's fds are checked against the names the module gives them.
top=$(dirname "$0")/../..
t "INTRODUCE's fd check expects the module's anon inode names" sh -c "
	grep -q 'anon_inode_getfd(\"microv-gntdev\"' '$top/module/grant.c' &&
	grep -q 'anon_inode_getfile(\"microv-evtchn\"' '$top/module/evtchn.c' &&
	grep -q 'XS_GNTDEV_LINK.*\"anon_inode:microv-gntdev\"' \
		'$top/tools/xenstored/xenstored.h' &&
	grep -q 'XS_EVTCHN_LINK.*\"anon_inode:microv-evtchn\"' \
		'$top/tools/xenstored/xenstored.h'"

if ! command -v xenstore-write >/dev/null; then
	for what in write/read ls rm chmod watch busy-socket; do
		skip "xenstore-utils: $what" "xenstore-utils not installed"
	done
	finish
fi

export XENSTORED_PATH=$tmp/run/socket
"$xsd" --foreground --pid-file "$tmp/pid" 2>"$tmp/log" &
pid=$!
for _ in $(seq 50); do
	[ -S "$XENSTORED_PATH" ] && break
	sleep 0.1
done
t "listens on \$XENSTORED_PATH, directory made, 0600" \
	sh -c "[ \"\$(stat -c %a '$XENSTORED_PATH')\" = 600 ]"
t "pid file" sh -c "[ \"\$(cat '$tmp/pid')\" = $pid ]"

t "xenstore-write, xenstore-read" sh -c \
	"timeout 5 xenstore-write /vm/u/name guest /vm/u/mem 512 &&
	 [ \"\$(timeout 5 xenstore-read /vm/u/name /vm/u/mem)\" = \"guest
512\" ]"
t "xenstore-read of a missing node fails" \
	sh -c "! timeout 5 xenstore-read /vm/none"
t "xenstore-exists" sh -c \
	"timeout 5 xenstore-exists /vm/u && ! timeout 5 xenstore-exists /vm/x"
t "xenstore-ls: the whole tree" prints 'local = ""
 domain = ""
tool = ""
 xenstored = ""
vm = ""
 u = ""
  name = "guest"
  mem = "512"' xenstore-ls
t "xenstore-list" prints 'name
mem' xenstore-list /vm/u
t "xenstore-chmod, xenstore-ls -p" sh -c \
	"timeout 5 xenstore-chmod /vm/u/name n0 r3 &&
	 timeout 5 xenstore-ls -p /vm/u | grep -q '^name = \"guest\".*(n0,r3)\$' &&
	 timeout 5 xenstore-ls -p /vm/u | grep -q '^mem = \"512\".*(n0)\$'"
t "xenstore-rm removes the subtree" sh -c \
	"timeout 5 xenstore-rm /vm/u &&
	 ! timeout 5 xenstore-exists /vm/u/name &&
	 [ -z \"\$(timeout 5 xenstore-list /vm)\" ]"

timeout 5 xenstore-watch -n 2 /vm/w >"$tmp/watch" 2>&1 &
wpid=$!
sleep 0.5
timeout 5 xenstore-write /vm/w/x 1
wait "$wpid"
t "xenstore-watch: the first event, then the write's" \
	prints '/vm/w
/vm/w/x' cat "$tmp/watch"

t "a second daemon on the same socket fails clearly" \
	says 1 "cannot bind $XENSTORED_PATH: Address already in use" -F
t "the first still serves" prints guest sh -c \
	"timeout 5 xenstore-write /vm/y guest && timeout 5 xenstore-read /vm/y"
kill "$pid"
wait "$pid"
st=$?
pid=
t "SIGTERM: exits 0, socket and pid file removed" sh -c \
	"[ $st = 0 ] && [ ! -e '$XENSTORED_PATH' ] && [ ! -e '$tmp/pid' ]"
# The systemd unit, as "make install-systemd" writes it, for this daemon.
unit=$tmp/microv-xenstored.service
sed "s|@SBINDIR@|$O|" "$(dirname "$0")/microv-xenstored.service.in" >"$unit"
if command -v systemd-analyze >/dev/null; then
	t "the systemd unit verifies, and runs the daemon in the foreground" \
		sh -c "systemd-analyze verify '$unit' &&
		grep -qx 'ExecStart=$O/microv-xenstored --foreground' '$unit'"
else
	skip "the systemd unit verifies" "no systemd-analyze"
fi
finish
