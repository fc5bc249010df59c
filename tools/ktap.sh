# SPDX-License-Identifier: GPL-2.0
# KTAP for the tools' shell tests, sourced after $tmp (a directory of the
# test's own) is set.  The plan comes first, so results are collected:
# "t DESC CMD..." runs CMD quietly and records ok or not ok, "skip DESC
# WHY" records a skip, and "finish" prints it all and exits non-zero if
# anything failed.
n=0
: >"$tmp/results"

emit() { echo "$*" >>"$tmp/results"; }

t() {
	n=$((n + 1))
	desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		emit "ok $n $desc"
	else
		emit "not ok $n $desc"
	fi
}

skip() {
	n=$((n + 1))
	emit "ok $n $1 # SKIP $2"
}

finish() {
	echo "TAP version 13"
	echo "1..$n"
	cat "$tmp/results"
	! grep -q '^not ok' "$tmp/results"
	exit
}
