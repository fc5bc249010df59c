#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# uvctl's command line, where no /dev/microv is needed (the host side of
# "uvctl info" runs in the emulated machine).  KTAP output.
uvctl=${O:?}/uvctl
n=0
fails=0

t() {
	n=$((n + 1))
	desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		fails=$((fails + 1))
	fi
}

status() { "$uvctl" "$@" >/dev/null 2>&1; echo $?; }

echo "TAP version 13"
echo "1..7"
t "help exits 0" sh -c "'$uvctl' --help | grep -q '^Usage: uvctl'"
t "version" sh -c "'$uvctl' --version | grep -q 'microv API 1'"
t "no command is a usage error" test "$(status)" = 2
t "unknown command is a usage error" test "$(status frobnicate)" = 2
t "unknown option is a usage error" test "$(status --bogus info)" = 2
t "missing device exits 1" test "$(status -d /nonexistent/microv info)" = 1
t "missing device says why" sh -c "'$uvctl' -d /nonexistent/microv info 2>&1 |
	grep -q 'cannot open /nonexistent/microv: No such file or directory (is the microv module loaded?)'"
[ "$fails" -eq 0 ]
