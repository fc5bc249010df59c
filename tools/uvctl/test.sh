#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# uvctl's command line, where no /dev/microv is needed (the host side of
# "uvctl info" and "uvctl run" runs in the emulated machine): options,
# usage errors and their exit status, and "run --dry-run" on the bench's
# cached Debian kernels (~/.cache/microv/kernels, or $MICROV_CACHE),
# which are skipped when absent.  KTAP output; the plan comes first, so
# results are collected and printed at the end.
uvctl=${O:?}/uvctl
cache=${MICROV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microv}/kernels
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# Never the host's own xenstore: tests that want one set their own.
export XENSTORED_PATH=$tmp/no-xenstore/socket
. "$(dirname "$0")/../ktap.sh"

status() { "$uvctl" "$@" >/dev/null 2>&1; echo $?; }

# "uvctl ARGS" exits with STATUS and says MESSAGE (a fixed string) on stderr.
says() {
	want=$1 msg=$2
	shift 2
	"$uvctl" "$@" >/dev/null 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] && grep -qF -- "$msg" "$tmp/err"
}

# XEN_ELFNOTE_PHYS32_ENTRY (type 18) as readelf shows it, in hex.
readelf_entry() {
	hex=$(readelf -nW "$1" 2>/dev/null | awk '
		/Xen/ && (/\(0x00000012\)/ || /PHYS32_ENTRY/) {
			sub(/.*data: */, "")
			print $4 $3 $2 $1
			exit
		}')
	[ -n "$hex" ] && printf '0x%x\n' $((0x$hex))
}

field() { sed -n "s/^$1: //p" "$2" | head -n 1; }

t "help exits 0" sh -c "'$uvctl' --help | grep -q '^Usage: uvctl'"
t "version" sh -c "'$uvctl' --version | grep -q 'microv API 1'"
t "no command is a usage error" test "$(status)" = 2
t "unknown command is a usage error" test "$(status frobnicate)" = 2
t "unknown option is a usage error" test "$(status --bogus info)" = 2
t "missing device exits 1" test "$(status -d /nonexistent/microv info)" = 1
t "missing device says why" sh -c "'$uvctl' -d /nonexistent/microv info 2>&1 |
	grep -q 'cannot open /nonexistent/microv: No such file or directory (is the microv module loaded?)'"
t "info takes -d after the command too" \
	test "$(status info -d /nonexistent/microv)" = 1
t "help lists run and the exit statuses" sh -c "'$uvctl' --help >'$tmp/h' &&
	grep -q '^  run ' '$tmp/h' && grep -q '^  4      the guest crashed' '$tmp/h'"
t "run --help exits 0 and shows the options and exit statuses" sh -c "
	'$uvctl' run --help >'$tmp/rh' &&
	grep -q '^Usage: uvctl \[-d PATH\] run --kernel FILE' '$tmp/rh' &&
	for o in --kernel --initrd --ram --cmdline --name --hvc --affinity \
		--vcpus --dry-run --verbose; do grep -q -- \"\$o\" '$tmp/rh' || exit 1; done &&
	grep -q '^  3      the guest rebooted' '$tmp/rh' &&
	grep -q '^  128+N' '$tmp/rh'"
t "console without a domid is a usage error" says 2 "expected one DOMID" console
t "console with a bad domid is a usage error" says 2 "is not a domid" console 0x7
t "console with a reserved domid is a usage error" \
	says 2 "is not a domid" console 32752
t "console --help exits 0" sh -c "'$uvctl' console --help | grep -q 'console DOMID'"
t "run without --kernel is a usage error" says 2 "which kernel?" run
t "run with an unknown option is a usage error" \
	says 2 "unrecognized option '--frob'" run --frob
t "run with a stray argument is a usage error" \
	says 2 "unexpected argument 'x'" run --kernel k x
t "--vcpus 2 refused" \
	says 2 "multi-vCPU guests are not supported yet" run --vcpus 2 --kernel k
t "--vcpus 0 refused" says 2 "expected a number from 1" run --vcpus 0 --kernel k
t "--ram below 2M refused" \
	says 2 "--ram 1M: less than the minimum of 2M" run --ram 1M --kernel k
t "--ram garbage refused" says 2 "expected a size" run --ram 1.5G --kernel k
t "--ram not whole pages refused" \
	says 2 "not a multiple of 4K" run --ram 40001K --kernel k
t "--ram above 512G refused" says 2 "more than the 512G" run --ram 1024G --kernel k
t "--name with a space refused" says 2 "--name 'a b'" run --name "a b" --kernel k
t "--affinity must be a CPU number" says 2 "expected a CPU number" \
	run --affinity -1 --kernel k
t "--cmdline longer than 2047 bytes refused" says 2 "more than the 2047" \
	run --kernel k --cmdline "$(printf '%02048d' 0)"
t "a missing kernel file exits 1" \
	says 1 "cannot read the kernel /nonexistent/vmlinux: No such file" \
	run --dry-run --kernel /nonexistent/vmlinux
t "a kernel without the PVH note is refused (uvctl itself)" \
	says 1 "uvctl: $uvctl has no Xen PVH entry point (no XEN_ELFNOTE_PHYS32_ENTRY note): uvctl boots PVH kernels only (Linux: CONFIG_XEN_PVH=y)" \
	run --dry-run --kernel "$uvctl"
t "a kernel that is neither ELF nor bzImage is refused" \
	says 1 "is neither an ELF kernel (vmlinux) nor a bzImage" \
	run --dry-run --kernel "$0"

kernels=
[ -d "$cache" ] && kernels=$(ls "$cache" 2>/dev/null)
[ -n "$kernels" ] || skip "dry runs of cached kernels" "no kernels in $cache"
for v in $kernels; do
	vmlinux=$cache/$v/vmlinux
	vmlinuz=$cache/$v/root/boot/vmlinuz-$v
	if [ ! -f "$vmlinux" ]; then
		skip "$v: dry run of the vmlinux" "no $vmlinux"
		continue
	fi
	"$uvctl" run --dry-run --kernel "$vmlinux" >"$tmp/$v.elf" 2>&1
	t "$v: dry run of the vmlinux exits 0" test $? = 0
	entry=$(field entry "$tmp/$v.elf")
	case $v in
	6.1.0-56-amd64) want=0x1000850 ;;
	6.12.117+deb12-amd64) want=0x1000a30 ;;
	*) want= ;;
	esac
	if [ -n "$want" ]; then
		t "$v: entry $entry is the recorded $want" test "$entry" = "$want"
	else
		skip "$v: entry is the recorded one" "no record for $v"
	fi
	ref=$(readelf_entry "$vmlinux")
	if [ -n "$ref" ]; then
		t "$v: entry $entry is readelf's PHYS32_ENTRY note ($ref)" \
			test "$entry" = "$ref"
	else
		skip "$v: entry is readelf's PHYS32_ENTRY note" "no readelf"
	fi
	if [ -f "$vmlinuz" ]; then
		"$uvctl" run --dry-run --kernel "$vmlinuz" >"$tmp/$v.bz" 2>&1
		t "$v: dry run of the bzImage exits 0" test $? = 0
		# The vmlinux is trimmed (filesz differs): compare the rest.
		for f in elf bz; do
			sed -n 's/^\(segment: [^ ]*\) filesz [^ ]* \(memsz .*\)/\1 \2/p;
				/^entry:/p; /^image:/p' "$tmp/$v.$f" >"$tmp/$v.$f.cmp"
		done
		t "$v: the bzImage ($(sed -n 's/.*(bzImage, \([a-z0-9]*\) .*/\1/p' \
			"$tmp/$v.bz")) loads the same segments at the same entry" \
			cmp "$tmp/$v.elf.cmp" "$tmp/$v.bz.cmp"
	else
		skip "$v: the bzImage loads the same segments" "no $vmlinuz"
	fi
	"$uvctl" run --dry-run --kernel "$vmlinux" --initrd "$vmlinux" \
		--ram 512M --cmdline "console=hvc0 quiet" >"$tmp/$v.ird" 2>&1
	set -- $(field initrd "$tmp/$v.ird")
	ird_start=$1 ird_end=$2
	set -- $(field image "$tmp/$v.ird")
	img_end=$2
	set -- $(field console_ring "$tmp/$v.ird")
	ring=$1
	t "$v: the initrd goes above the kernel, below the rings" sh -c "
		[ -n '$ird_start' ] &&
		[ \$(($ird_start)) -ge \$(($img_end)) ] &&
		[ \$(($ird_end)) -le \$(($ring)) ] &&
		[ \$(($ird_start % 4096)) = 0 ] &&
		grep -q '^e820: 0x0*$(printf '%x' $((ring))) 0x0*20000000 reserved' '$tmp/$v.ird' &&
		grep -q '^cmdline: 0x[0-9a-f]* \"console=hvc0 quiet\"' '$tmp/$v.ird'"
	t "$v: 64M of RAM is too little, and uvctl says how much is needed" \
		says 1 "use --ram" run --dry-run --ram 64M --kernel "$vmlinux"
	t "$v: without /dev/microv a real run exits 1 after loading" \
		says 1 "cannot open /nonexistent/microv" \
		-d /nonexistent/microv run --kernel "$vmlinux"
done

# "uvctl run" against the fake module (fake_microv.c) preloaded into a
# dynamic, sanitized build: exits, console, signals.  No VT-x needed.
dyn=$O/uvctl-dyn
fake=$O/fake_microv.so
kern=$tmp/k.elf
if [ -x "$dyn" ] && [ -f "$fake" ] && "$O/uvctl-unit" --write-kernel "$kern"; then
	export ASAN_OPTIONS=verify_asan_link_order=0

	# fake SCRIPT [uvctl run options]: output in $tmp/out, $tmp/err
	fake() {
		script=$1
		shift
		FAKE_SCRIPT=$script FAKE_LOG=$tmp/log LD_PRELOAD=$fake \
			timeout 20 "$dyn" -d /fake/microv run --kernel "$kern" \
			--no-xenstore "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	}
	# exits SCRIPT STATUS MESSAGE: the guest's end gives that status.
	exits() {
		fake "$1"
		got=$?
		[ "$got" = "$2" ] && grep -qF -- "$3" "$tmp/err"
	}

	rm -f "$tmp/log"
	fake "e9:hello_e9~,con:hello_console~,shutdown:0" --name fk
	t "fake: poweroff exits 0" test $? = 0
	t "fake: port 0xe9 and the console fd reach stdout" sh -c "
		grep -qx 'hello e9' '$tmp/out' && grep -qx 'hello console' '$tmp/out'"
	t "fake: one RAM slot at 0, the map, the console ring at the top" sh -c "
		grep -qx \"domain 'fk'\" '$tmp/log' &&
		grep -qx 'memory slot 0 gpa 0 size 0x10000000' '$tmp/log' &&
		grep -qx 'memory map 6 entries' '$tmp/log' &&
		grep -qx 'ring 1 gfn 0xfffe' '$tmp/log' &&
		! grep -q 'ring 2\\|seed' '$tmp/log'"
	FAKE_HVLOG="early_one~second" fake "con:from_ring~,shutdown:0"
	st=$?
	t "fake: console_io output is the hypervisor log's, on stderr, tagged" sh -c "
		[ $st = 0 ] && grep -qx 'from ring' '$tmp/out' &&
		! grep -q 'early' '$tmp/out' &&
		grep -qx '(d7) early one' '$tmp/err' &&
		grep -qx '(d7) second' '$tmp/err'"
	FAKE_SCRIPT="con:no_newline,shutdown:1" LD_PRELOAD=$fake timeout 20 \
		"$dyn" -d /fake/microv run --kernel "$kern" --no-xenstore >"$tmp/both" 2>&1 \
		</dev/null
	st=$?
	t "fake: uvctl's last word comes after the guest's last line, on its own" sh -c "
		[ $st = 3 ] && grep -qx 'no newline' '$tmp/both' &&
		grep -A1 -x 'no newline' '$tmp/both' |
		grep -q '^uvctl: the guest asked to reboot'"
	t "fake: vCPU starts at the PVH entry, EBX start_info, flat 32-bit" sh -c "
		grep -qx 'regs rip 0x1000123 rbx 0xe000 rflags 0x2' '$tmp/log' &&
		grep -qx 'sregs cr0 0x11 cs 0x8/11 ds 0x10 tr 11/0x67' '$tmp/log'"
	t "fake: reboot exits 3" exits shutdown:1 3 "asked to reboot"
	fake out:0xb000=0x34,hlt
	t "fake: ACPI S5 (sleep control port) exits 0" test $? = 0
	t "fake: the ACPI reset register exits 3" \
		exits out:0xb004=1,hlt 3 "reset itself (ACPI reset register)"
	t "fake: ACPI S3 is refused: exits 5" \
		exits out:0xb000=0x2c,hlt 5 "only S5 (off) exists"
	t "fake: soft_reset exits 3" exits shutdown:5 3 "soft reset"
	t "fake: crash exits 4" exits shutdown:3 4 "crashed"
	t "fake: watchdog exits 4" exits shutdown:4 4 "watchdog expired"
	t "fake: suspend exits 5" exits shutdown:2 5 "cannot save or resume"
	t "fake: triple fault exits 5" exits triple 5 "triple-faulted (RIP 0x1000abc)"
	t "fake: HLT with interrupts off exits 5" exits hlt 5 \
		"halted with interrupts off (RIP 0x1000abc)"
	t "fake: failed entry exits 5" exits fail 5 "VM-entry failure 0x80000021"
	t "fake: internal error exits 1" exits internal 1 "an exit it does not handle"
	t "fake: MMIO exits 1 and names the address" exits mmio:0xfee00000 1 \
		"read from guest-physical 0xfee00000"
	rm -f "$tmp/log"
	fake mmio:0x20000000 --strict-mmio
	st=$?
	t "fake: --strict-mmio makes a strict domain, and the MMIO stop says so" sh -c "
		[ $st = 1 ] && grep -qx \"domain '' strict-mmio\" '$tmp/log' &&
		grep -q 'read from guest-physical 0x20000000.*as --strict-mmio asks' '$tmp/err'"
	rm -f "$tmp/log"
	fake "in:0x70,out:0x80,in:0x70,shutdown:0" --verbose
	st=$?
	t "fake: port I/O: INs get all ones, counted per port under --verbose" sh -c "
		[ $st = 0 ] || exit 1
		grep -qx 'in answered 0xff' '$tmp/log' &&
		! grep -q 'not 0xff' '$tmp/err' &&
		grep -q 'in from port 0x70 (1 bytes) -> 0xff' '$tmp/err' &&
		grep -q 'out 0x5a to port 0x80 (1 bytes) ignored' '$tmp/err' &&
		grep -q 'port 0x70: 2 in, 0 out' '$tmp/err'"
	t "fake: --verbose times each startup step up to the first run" sh -c "
		grep -q 'startup: kernel read and unpacked: [0-9.]* ms' '$tmp/err' &&
		grep -q 'startup: guest RAM slot set: ' '$tmp/err' &&
		grep -q 'startup: first MICROV_RUN: [0-9.]* ms ([0-9.]* ms in all)' \
			'$tmp/err' &&
		grep 'startup:' '$tmp/err' | tail -n 1 | grep -q 'first MICROV_RUN'"
	t "fake: --verbose says no console output was lost" \
		grep -q 'console: 0 bytes of the guest.s output lost' "$tmp/err"
	t "fake: --verbose says the guest lacked nothing" \
		grep -q 'uvctl: the guest asked for 0 things it did not get$' "$tmp/err"
	FAKE_DIAG=1 fake "shutdown:0" --verbose
	st=$?
	t "fake: --verbose lists what the guest asked for and did not get" sh -c "
		[ $st = 0 ] &&
		grep -q 'asked for 3 things it did not get:' '$tmp/err' &&
		grep -q '  hypercall memory_op (12), first argument 0x1234: -ENOSYS, 3 times' '$tmp/err' &&
		grep -q '  rdmsr of MSR 0x1a0: #GP, 1 time$' '$tmp/err' &&
		grep -q '  write to guest-physical page 0xfed00000 (no RAM): dropped, 5 times' '$tmp/err' &&
		grep -q '  and 7 more requests past the first 64 kinds' '$tmp/err'"
	FAKE_DIAG=1 fake "shutdown:0"
	t "fake: without --verbose, no such list" \
		sh -c "! grep -q 'did not get' '$tmp/err'"
	FAKE_CONSOLE_DROPPED=4242 fake "shutdown:0"
	st=$?
	t "fake: console output lost is said even without --verbose" sh -c "
		[ $st = 0 ] &&
		grep -q 'uvctl: console: 4242 bytes of the guest.s output lost' '$tmp/err'"
	FAKE_NO_RINGS=1 FAKE_NO_MAP=1 fake "shutdown:0"
	st=$?
	t "fake: a module without rings or map: said, and the guest runs" sh -c "
		[ $st = 0 ] &&
		grep -q 'has no MICROV_CONNECT_RING' '$tmp/err' &&
		grep -q 'has no MICROV_SET_MEMORY_MAP' '$tmp/err'"
	printf 'hello' | FAKE_SCRIPT="echo:5,shutdown:0" LD_PRELOAD=$fake \
		timeout 20 "$dyn" -d /fake/microv run --kernel "$kern" --hvc --no-xenstore \
		>"$tmp/out" 2>"$tmp/err"
	st=$?
	t "fake: --hvc forwards piped stdin to the console" sh -c "
		[ $st = 0 ] && grep -qx 'got:hello' '$tmp/out'"
	for sig in TERM:15 HUP:1; do
		num=${sig#*:}
		sig=${sig%:*}
		rm -f "$tmp/log"
		FAKE_SCRIPT=block FAKE_LOG=$tmp/log LD_PRELOAD=$fake \
			timeout 20 "$dyn" -d /fake/microv run --kernel "$kern" --no-xenstore \
			>/dev/null 2>&1 </dev/null &
		pid=$!
		sleep 1
		kill -$sig $pid
		wait $pid
		got=$?
		want=$((128 + num))
		t "fake: SIG$sig while the vCPU sleeps: destroyed, exit $want" sh -c "
			[ $got = $want ] && grep -qx destroy '$tmp/log'"
	done
	# 300 x 250 bytes to port 0xe9 into a pipe nobody reads: the vCPU
	# thread waits for stdout, and SIGTERM must still end the run.
	e9=$(printf '%0250d' 0)
	steps=e9:$e9
	for i in $(seq 299); do steps="$steps,e9:$e9"; done
	{
		FAKE_SCRIPT=$steps LD_PRELOAD=$fake timeout 20 "$dyn" \
			-d /fake/microv run --kernel "$kern" --no-xenstore 2>/dev/null </dev/null &
		echo $! >"$tmp/pid"
		wait $!
		echo $? >"$tmp/status"
	} | sleep 4 &
	sleep 1.5
	kill -TERM "$(cat "$tmp/pid")"
	sleep 1
	t "fake: SIGTERM ends a run whose stdout nobody reads" \
		test "$(cat "$tmp/status" 2>/dev/null)" = 143
	wait
	t "fake: console DOMID prints the guest's output, ends with its domain" \
		sh -c "FAKE_CONSOLE=boot-log LD_PRELOAD=$fake '$dyn' -d /fake/microv \
			console 7 </dev/null >'$tmp/out' 2>'$tmp/err' &&
			grep -qx boot-log '$tmp/out' &&
			grep -q 'domain 7 was destroyed' '$tmp/err'"
	t "fake: console of an unknown domid exits 1" \
		sh -c "LD_PRELOAD=$fake '$dyn' -d /fake/microv console 8 \
			</dev/null 2>'$tmp/err'; test \$? = 1 &&
			grep -q 'no domain 8' '$tmp/err'"
	t "fake: console of another user's domain exits 1" \
		sh -c "FAKE_EPERM=1 LD_PRELOAD=$fake '$dyn' -d /fake/microv \
			console 7 </dev/null 2>'$tmp/err'; test \$? = 1 &&
			grep -q 'belongs to another user' '$tmp/err'"
	if command -v script >/dev/null; then
		(sleep 1; printf 'ab'; sleep 1; printf '\035') |
			FAKE_SCRIPT="echo:2,block" LD_PRELOAD=$fake timeout 20 \
			script -qec "stty -g >'$tmp/stty0'; '$dyn' -d /fake/microv run \
				--kernel '$kern' --hvc --no-xenstore; echo status=\$?;
				stty -g >'$tmp/stty1'" /dev/null >"$tmp/out" 2>&1
		t "fake: --hvc on a terminal: input reaches the guest, Ctrl-] detaches with 0" \
			sh -c "grep -q 'got:ab' '$tmp/out' &&
			grep -q 'uvctl: detached' '$tmp/out' &&
			grep -q 'status=0' '$tmp/out'"
		t "fake: the terminal is restored after a detach" \
			cmp "$tmp/stty0" "$tmp/stty1"
	else
		skip "fake: --hvc on a terminal" "no script(1)"
	fi
	t "a name of digits alone is a usage error (it reads as a domid)" says 2 \
		"not digits alone" run --kernel "$kern" --name 42
	t "--disk with --no-xenstore is a usage error" says 2 \
		"--disk needs the xenstore" run --kernel "$kern" --disk "$kern" \
		--no-xenstore
	t "two disks as one vdev is a usage error" says 2 "two disks are xvdb" \
		run --kernel "$kern" --disk "$kern,ro" --disk "$kern,ro,vdev=xvdb" \
		--disk "$kern,vdev=xvdb"
	t "a missing disk exits 1 before the module is opened" says 1 \
		"--disk $tmp/none.img: No such file or directory" \
		-d /nonexistent/microv run --kernel "$kern" --disk "$tmp/none.img"
	: >"$tmp/empty.img"
	t "an empty disk exits 1" says 1 "--disk $tmp/empty.img: empty" \
		-d /nonexistent/microv run --kernel "$kern" --disk "$tmp/empty.img"
	head -c 4096 /dev/zero >"$tmp/d.img"
	flock "$tmp/d.img" sleep 3 &
	sleep 0.5
	t "a disk another process writes exits 1" says 1 "in use by another process" \
		-d /nonexistent/microv run --kernel "$kern" --disk "$tmp/d.img"
	t "... read-only, it may be shared" says 1 "cannot open /nonexistent/microv" \
		-d /nonexistent/microv run --kernel "$kern" --disk "$tmp/d.img,ro"
	wait
	# The xenstore, at a socket of the test's own: no daemon answers, so
	# uvctl starts the one beside it; that daemon cannot map the fake's
	# fds, so it refuses the domain, and uvctl ends cleanly.
	export XENSTORED_PATH=$tmp/xs/socket
	rm -f "$tmp/log"
	FAKE_SCRIPT=shutdown:0 FAKE_LOG=$tmp/log LD_PRELOAD=$fake timeout 20 \
		"$dyn" -d /fake/microv run --kernel "$kern" --name xs \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	t "fake: with no daemon at \$XENSTORED_PATH, uvctl starts microv-xenstored" \
		sh -c "grep -q 'no xenstore daemon at $XENSTORED_PATH: starting .*/microv-xenstored$' \
			'$tmp/err' && test -S '$XENSTORED_PATH'"
	t "fake: the ring granted, a port bound, the HVM parameters set" sh -c "
		grep -qx 'seed ref 1 gfn 0xffff' '$tmp/log' &&
		grep -qx 'bind port 5' '$tmp/log' &&
		grep -qx 'grant copy ref 1 len 4096 flags 1' '$tmp/log' &&
		grep -qx 'hvm param 1 = 0xffff' '$tmp/log' &&
		grep -qx 'hvm param 2 = 0x5' '$tmp/log'"
	t "fake: a domain the daemon refuses does not run: exit 1, said" sh -c "
		[ $st = 1 ] && grep -q 'the xenstore daemon refused domain 7' '$tmp/err' &&
		! grep -q 'startup: first MICROV_RUN' '$tmp/err' &&
		grep -qx destroy '$tmp/log'"
	if command -v xenstore-ls >/dev/null; then
		t "fake: ... and its nodes are gone" sh -c "
			! xenstore-ls /local/domain/7 >/dev/null 2>&1 &&
			test -z \"\$(xenstore-list /vm 2>/dev/null)\""
	else
		skip "fake: ... and its nodes are gone" "no xenstore-utils"
	fi
	pkill -f "microv-xenstored --socket $XENSTORED_PATH" 2>/dev/null
	export XENSTORED_PATH=$tmp/no-xenstore/socket
else
	skip "runs under the fake module" "no $dyn or $fake (make -C tools check builds them)"
fi

# XS_INTRODUCE of domain $1 with no ring (the daemon records it), as a
# toolstack sends it on $XENSTORED_PATH.
introduce() {
	python3 - "$1" <<-'PY'
	import os, socket, struct, sys
	s = socket.socket(socket.AF_UNIX)
	s.connect(os.environ["XENSTORED_PATH"])
	p = b"%s\0%d\0%d\0" % (sys.argv[1].encode(), 0, 1)
	s.sendall(struct.pack("<IIII", 8, 1, 0, len(p)) + p)
	t, r, x, n = struct.unpack("<IIII", s.recv(16))
	sys.exit(s.recv(n) != b"OK\0")
	PY
}

# mem-set against a daemon of the test's own, with domains' nodes as
# "uvctl run" writes them: 5 and 8 are live (introduced), 6 left nodes
# behind (its runner killed) and is not.
export XENSTORED_PATH=$tmp/ms/socket
if command -v xenstore-write >/dev/null && [ -x "$O/microv-xenstored" ] &&
	command -v python3 >/dev/null &&
	"$O/microv-xenstored" --pid-file "$tmp/ms.pid" &&
	xenstore-write /local/domain/5/name web \
		/local/domain/5/memory/static-max 131072 \
		/local/domain/5/memory/target 131072 \
		/local/domain/6/name old /local/domain/8/name twin \
		/local/domain/6/memory/static-max 131072 \
		/local/domain/9/name twin &&
	introduce 5 && introduce 8 && introduce 9; then
	target() { xenstore-read /local/domain/5/memory/target; }
	t "mem-set by name writes memory/target in KiB" sh -c "
		'$uvctl' mem-set web 64M && test \"\$(xenstore-read /local/domain/5/memory/target)\" = 65536"
	t "mem-set by domid, any suffix" sh -c "
		'$uvctl' mem-set 5 102400K && test \"\$(xenstore-read /local/domain/5/memory/target)\" = 102400"
	t "mem-set up to the domain's maximum" sh -c "
		'$uvctl' mem-set 5 128 && test \"\$(xenstore-read /local/domain/5/memory/target)\" = 131072"
	t "mem-set past the maximum exits 1, changes nothing" sh -c "
		'$uvctl' mem-set web 129M 2>'$tmp/err'; test \$? = 1 &&
		grep -q 'domain 5: 132096K is more than its maximum, 131072K' '$tmp/err' &&
		test \"\$(xenstore-read /local/domain/5/memory/target)\" = 131072"
	t "mem-set of an unknown domain exits 1" says 1 "no domain 'db' in the xenstore" \
		mem-set db 64M
	t "mem-set of a domid with no nodes exits 1" says 1 "no domain 7" \
		mem-set 7 64M
	t "mem-set of a domain that left nodes but is gone exits 1" says 1 \
		"no domain 'old'" mem-set old 64M
	t "... by domid too" says 1 "no domain 6" mem-set 6 64M
	t "mem-set of a name two domains have exits 1" says 1 \
		"domains 8 and 9 are both named 'twin'" mem-set twin 64M
	t "mem-set with a bad size is a usage error" says 2 "mem-set 1x: expected a size" \
		mem-set web 1x
	t "mem-set without a size is a usage error" says 2 "expected DOMAIN and SIZE" \
		mem-set web
	kill "$(cat "$tmp/ms.pid")"
else
	skip "mem-set" "no xenstore-utils or microv-xenstored"
fi
export XENSTORED_PATH=$tmp/none/socket
t "mem-set with no daemon exits 1, and starts none" sh -c "
	'$uvctl' mem-set web 64M 2>'$tmp/err'; test \$? = 1 &&
	grep -q 'no xenstore daemon at $XENSTORED_PATH' '$tmp/err' &&
	! test -e '$XENSTORED_PATH'"
t "no test reached a xenstore it did not start" \
	test ! -e "$tmp/no-xenstore/socket"

finish
