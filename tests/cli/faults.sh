#!/bin/bash
# The store under faults: a concurrent writer holding the lock, a full disk
# (a small tmpfs in a private mount namespace), a read-only state directory
# and a corrupted database file.  Each gives a clear error and an exit code
# (or waits and succeeds), never a crash, and an import is all or nothing.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
# SQLite's lock, files and disk: SQLite's only (PostgreSQL's faults are
# pg_faults.sh's).
t_sqlite_only_all
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
python3 "$top/tests/fixtures/gen_customers.py" 3000 >"$dir/c.csv"
mkconf() { # DIR
	printf 'store = "%s/o.db";\ntemplates = "%s/templates";\ndaemon: { state_dir = "%s"; };\n' \
		"$1" "$top" "$1" >"$1/o.conf"
}
reps() { for r in li wang smith; do "$CTL" -c "$1/o.conf" rep add $r --name $r >/dev/null; done; }

# 1. A concurrent writer: a short hold is waited out, a long one is an error.
mkdir -p "$dir/busy"; mkconf "$dir/busy"; reps "$dir/busy"
hold() { # SECONDS
	python3 - "$dir/busy/o.db" "$1" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[1] + ".held", "w").write("held\n")
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
PY
	hpid=$!
	t_wait_file "$dir/busy/o.db.held" 10
	rm -f "$dir/busy/o.db.held"
}
hold 2
out=$("$CTL" -c "$dir/busy/o.conf" import customers --no-progress "$dir/c.csv" 2>&1); rc=$?
wait "$hpid"
t_is "$rc" 0 "a writer holding the lock for 2 s: the import waits and succeeds"
hold 8
printf 'external_id,name\nNEW1,New One\n' >"$dir/one.csv"
out=$("$CTL" -c "$dir/busy/o.conf" import customers "$dir/one.csv" 2>&1); rc=$?
wait "$hpid"
t_ok "a lock held for 8 s: the import gives up (exit $rc)" test "$rc" -ne 0
t_like "$out" "database is locked" "with a clear message"
t_is "$("$CTL" -c "$dir/busy/o.conf" customer show NEW1 >/dev/null 2>&1; echo $?)" 65 "and writes nothing"

if unshare -m true 2>/dev/null; then
	# 2. A full disk: the import fails whole, the store stays usable.
	mkdir -p "$dir/full"
	out=$(unshare -m bash -c "
		mount -t tmpfs -o size=900k tmpfs '$dir/full' || exit 99
		printf 'store = \"$dir/full/o.db\";\ndaemon: { state_dir = \"$dir/full\"; };\n' >'$dir/full/o.conf'
		for r in li wang smith; do '$CTL' -c '$dir/full/o.conf' rep add \$r --name \$r >/dev/null; done
		'$CTL' -c '$dir/full/o.conf' import customers --no-progress '$dir/c.csv'
		echo \"rc=\$?\"
		'$CTL' -c '$dir/full/o.conf' stats --json
		echo \"stats_rc=\$?\"" 2>&1)
	if [[ $out == *"rc=99"* ]] || ! [[ $out == *"rc="* ]]; then
		t_skip 4 "cannot mount a tmpfs here"
	else
		t_like "$out" "rc=(6[0-9]|7[0-9])" "disk full: the import fails with an exit code"
		t_like "$out" "database or disk is full" "with the reason"
		t_like "$out" '"customers": 0' "nothing was imported"
		t_like "$out" "stats_rc=0" "the store still answers"
	fi

	# 3. A read-only state directory: the daemon says why and exits.
	mkdir -p "$dir/ro"; mkconf "$dir/ro"; reps "$dir/ro"
	"$CTL" -c "$dir/ro/o.conf" import customers --no-progress "$dir/c.csv" >/dev/null
	out=$(unshare -m bash -c "
		mount --bind '$dir/ro' '$dir/ro' && mount -o remount,bind,ro '$dir/ro' || exit 99
		'$D' -c '$dir/ro/o.conf' --once 2>&1; echo \"rc=\$?\"" 2>&1)
	if [[ $out == *"rc=99"* ]]; then
		t_skip 2 "cannot remount read-only here"
	else
		t_like "$out" "rc=7[0-9]" "read-only state directory: the daemon exits with an error code"
		t_like "$out" "Read-only file system|readonly database" "and says why"
	fi
else
	t_skip 6 "no mount namespaces here"
fi

# 4. A corrupted database file.
mkdir -p "$dir/bad"; mkconf "$dir/bad"; reps "$dir/bad"
"$CTL" -c "$dir/bad/o.conf" import customers --no-progress "$dir/c.csv" >/dev/null
"$CTL" -c "$dir/bad/o.conf" stats >/dev/null   # checkpoint the WAL into the file
python3 - "$dir/bad/o.db" <<'PY'
import os, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(8192)
    f.write(os.urandom(65536))
PY
rm -f "$dir/bad/o.db-wal" "$dir/bad/o.db-shm"
out=$("$CTL" -c "$dir/bad/o.conf" customer list --json 2>&1); rc=$?
t_ok "corrupted store: customer list fails (exit $rc)" test "$rc" -ne 0 -a "$rc" -lt 128
t_like "$out" "malformed|not a database|corrupt" "with SQLite's diagnosis"
out=$("$D" -c "$dir/bad/o.conf" --once 2>&1); rc=$?
t_ok "corrupted store: the daemon exits (exit $rc), no crash" test "$rc" -ne 0 -a "$rc" -lt 128
printf 'garbage, not SQLite at all\n%.0s' $(seq 1 200) >"$dir/bad/o.db"
out=$("$CTL" -c "$dir/bad/o.conf" stats 2>&1); rc=$?
t_is "$rc" 73 "not a database at all: EX_CANTCREAT"
t_like "$out" "file is not a database" "with the reason"
t_done
