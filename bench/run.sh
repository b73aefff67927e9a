#!/bin/bash
# bench/run.sh - outreachd's benchmarks, each figure beside a baseline
# measured in the same run.  One entry point; see BENCHMARKS.md.
#
#   bench/run.sh                 everything, sizes 10k 100k 1M, 5 runs each
#   BENCH_SIZES="10000 100000" BENCH_RUNS=5 bench/run.sh
#   BENCH_STEPS="plan growth" bench/run.sh
#
# Environment (defaults in brackets):
#   BENCH_SIZES        store sizes for the day's plan ["10000 100000 1000000"]
#   BENCH_RUNS         measured runs per figure, >= 5 for the report [5]
#   BENCH_STEPS        any of: import plan report scan growth contacts
#                      deliver deliver_pg sms feeds pages feedbuild daemon
#                      ["import plan report scan growth contacts deliver
#                      deliver_pg sms feeds pages feedbuild daemon"] (pages
#                      runs round by round with feeds, its baseline;
#                      deliver_pg: the queued e-mails of deliver sent from
#                      PostgreSQL by one outreachd, then two at once,
#                      BENCH_CONNECTIONS each, and from SQLite by one,
#                      whole batch timed; needs BENCH_PG),
#                      or ab (not in the default): two builds' delivery
#                      side by side, see BUILD_B
#   BUILD_B            for ab: the other build tree (B; BUILD is A).  Each
#                      round sends the same snapshot with A, B and
#                      curl_loop -m, in the order A B L, then B A L, so
#                      the machine's drift falls on both; the verdict is
#                      the median of the per-round ratios B/A
#   BENCH_WORK         data, stores, results [bench/work]
#   BENCH_DATE         the day planned, YYYY-MM-DD [today, UTC]
#   BENCH_SEED         generator seed [1]
#   BENCH_GROWTH_DUE   birthdays on the day in the growth stores [1000]
#   BENCH_DUE_CUSTOMERS, BENCH_DUE_SIZES   due-set growth at a fixed store
#                      [100000; "100 1000 10000 50000"]
#   BENCH_MESSAGES     messages per delivery run [10000]
#   BENCH_CLI_MESSAGES messages per run of curl(1), one process each [300]
#   BENCH_CONNECTIONS  email.connections values ["1 4"]
#   BENCH_AIOSMTPD     also deliver to tests/peers/smtpd.py (aiosmtpd) [1]
#   BENCH_AIO_MESSAGES messages per run to aiosmtpd [2000]
#   BENCH_SMS_MESSAGES SMS per run through Kannel (tests/peers/kannel.sh) [300]
#   BENCH_WRK_THREADS  wrk threads for the feeds (50 connections) [1: the
#                      client leaves the other core to the server]
#   BENCH_PAGE_TASKS   open tasks on the rep's day page (pages) [200]
#   BENCH_POSTS        outcomes POSTed per run, each to a task of its own,
#                      from 50 connections (pages) [2000]
#   BENCH_POSTS_ONE    and then from one connection [200]
#   BENCH_CONTACT_CUSTOMERS, BENCH_CONTACT_COUNTS   the planner's contact
#                      lookup: customers all due, K contacts each
#                      [20000; "0 1 10 30"]
#   BENCH_PROFILE      1: perf profiles of the planner at the largest size
#                      and of one delivery run, into the results [0]
#   BENCH_REBUILD      1: regenerate cached CSVs and stores [0]
#   BENCH_IMPORT_RSS_SIZES  customer rows whose import's peak RSS is checked
#                      against BENCH_IMPORT_RSS_MB, one untimed run each
#                      ["1000000 5000000"; 64]
#   BENCH_PG           1: the plan, report and scan steps also on PostgreSQL,
#                      and the deliver_pg step,
#                      a private server (tests/peers/postgres.sh) started
#                      for the run, each full store copied into it
#                      (bench/pg_copy.sh); skipped, saying so, without
#                      the server binaries or a build without libpq [1]
#   BENCH_PG_IMPORT_ROWS  customer rows imported into PostgreSQL and,
#                      run by run, into SQLite (the head of the largest
#                      customers file), when the server binaries are there
#                      (tests/peers/postgres.sh); 0: not measured [1000000]
#   BUILD              the build tree with src/outreachctl [top/build]
#
# Stores and CSVs are cached under BENCH_WORK by (generator, size, seed,
# date, schema) and reused by later runs on the same day.  The programs
# are copied from BUILD at the start, so a rebuild during the run does not
# mix binaries.  Every server started here (smtp_sink, aiosmtpd, outreachd)
# is stopped by PID on exit.  Results: BENCH_WORK/results/ (samples.txt raw
# samples, report.md the table, *.txt the details).
set -u -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
: "${BENCH_SIZES:=10000 100000 1000000}"
: "${BENCH_RUNS:=5}"
: "${BENCH_STEPS:=import plan report scan growth contacts deliver deliver_pg sms feeds pages feedbuild daemon}"
: "${BENCH_WORK:=$top/bench/work}"
: "${BENCH_DATE:=$(TZ=UTC date +%F)}"
: "${BENCH_SEED:=1}"
: "${BENCH_GROWTH_DUE:=1000}"
: "${BENCH_DUE_CUSTOMERS:=100000}"
: "${BENCH_DUE_SIZES:=100 1000 10000 50000}"
: "${BENCH_MESSAGES:=10000}"
: "${BENCH_CLI_MESSAGES:=300}"
: "${BENCH_AIO_MESSAGES:=2000}"
: "${BENCH_SMS_MESSAGES:=300}"
: "${BENCH_WRK_THREADS:=1}"
: "${BENCH_PAGE_TASKS:=200}"
: "${BENCH_POSTS:=2000}"
: "${BENCH_POSTS_ONE:=200}"
: "${BENCH_CONTACT_CUSTOMERS:=20000}"
: "${BENCH_CONTACT_COUNTS:=0 1 10 30}"
: "${BENCH_CONNECTIONS:=1 4}"
: "${BENCH_AIOSMTPD:=1}"
: "${BENCH_PROFILE:=0}"
: "${BENCH_REBUILD:=0}"
: "${BENCH_IMPORT_RSS_SIZES:=1000000 5000000}"
: "${BENCH_IMPORT_RSS_MB:=64}"
: "${BENCH_PG:=1}"
: "${BENCH_PG_IMPORT_ROWS:=1000000}"
: "${BUILD:=$top/build}"

PY=/usr/bin/python3 # Debian's, which sees python3-aiosmtpd
W=$BENCH_WORK
R=$W/results
BIN=$W/bin
S=$R/samples.txt
LARGEST=$(printf '%s\n' $BENCH_SIZES | sort -n | tail -1)
TODAY=$(TZ=UTC date +%F) # the real clock: delivery and the daemon use it
SCHEMA=$(sed -n 's/^#define STORE_SCHEMA_VERSION \([0-9]*\).*/\1/p' "$top/src/store.h")
GENSUM=$(md5sum "$top/bench/gen.py" | cut -c1-8)

PIDS=()
KANNEL_DIRS=()
PG_BENCH_DIR="" # the private PostgreSQL server, once started
PG_DIRS=()
cleanup() {
	local p
	[ -n "$PG_BENCH_DIR" ] && pg_stop "$PG_BENCH_DIR" >/dev/null 2>&1
	PG_BENCH_DIR=""
	for p in "${PG_DIRS[@]}"; do
		( . "$top/tests/peers/postgres.sh"; pg_stop "$p" ) >/dev/null 2>&1
		rm -rf "$p"
	done
	PG_DIRS=()
	for p in "${KANNEL_DIRS[@]}"; do
		"$top/tests/peers/kannel.sh" stop "$p" >/dev/null 2>&1
	done
	KANNEL_DIRS=()
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
has_step() { case " $BENCH_STEPS " in *" $1 "*) return 0 ;; esac; return 1; }
rs() { "$BIN/runstat" "$@"; } # LABEL SAMPLES CMD...
sample() { echo "$1 $2 $3" >>"$S"; } # LABEL METRIC VALUE
ms_now() { date +%s%N | cut -c1-13; }
# Unix day number of a YYYY-MM-DD.
dayno() { echo $(( $(TZ=UTC date -d "$1" +%s) / 86400 )); }

# ---------------------------------------------------------------- setup
setup() {
	rm -rf "$R"
	mkdir -p "$W/data" "$W/stores" "$BIN" "$R" "$W/tmp"
	: >"$S"
	[ -x "$BUILD/src/outreachctl" ] && [ -x "$BUILD/src/outreachd" ] &&
	    [ -f "$BUILD/src/liboutreach.a" ] ||
	    die "no build in $BUILD (cd build && make -j2)"
	cp "$BUILD/src/outreachctl" "$BUILD/src/outreachd" \
	    "$BUILD/src/liboutreach.a" "$BIN/"
	CTL=$BIN/outreachctl
	OUTREACHD=$BIN/outreachd
	if has_step ab; then
		[ -x "${BUILD_B:-}/src/outreachctl" ] ||
		    die "ab: BUILD_B must be a build tree with src/outreachctl"
		cp "$BUILD_B/src/outreachctl" "$BIN/outreachctl-b"
	fi
	local cc="gcc -std=c11 -O2 -g -Wall -Wextra"
	# The library's own dependencies: libpq when the build has the
	# PostgreSQL backend.
	local libs="libcurl sqlite3 libconfig libical libmicrohttpd libcrypto"
	grep -q '^#define HAVE_POSTGRESQL 1' "$BUILD/config.h" 2>/dev/null &&
	    libs="$libs libpq"
	$cc -o "$BIN/runstat" "$top/bench/runstat.c" &&
	$cc -o "$BIN/smtp_sink" "$top/bench/smtp_sink.c" &&
	$cc -o "$BIN/curl_loop" "$top/bench/curl_loop.c" \
	    $(pkg-config --cflags --libs libcurl) &&
	$cc -o "$BIN/post_loop" "$top/bench/post_loop.c" \
	    $(pkg-config --cflags --libs libcurl) &&
	$cc -I"$top/src" -I"$BUILD" -o "$BIN/plandrv" "$top/bench/plandrv.c" \
	    "$BIN/liboutreach.a" $(pkg-config --libs $libs) -lsystemd -lm &&
	$cc -I"$top/src" -I"$BUILD" -o "$BIN/reportdrv" "$top/bench/reportdrv.c" \
	    "$BIN/liboutreach.a" $(pkg-config --libs $libs) -lsystemd -lm ||
	    die "compiling the bench programs failed"
	for t in sqlite3 remind curl gcc; do
		command -v $t >/dev/null || die "$t missing (apt-get install ${t/sqlite3/sqlite3 remind})"
	done
	{
		echo "date_run $(date -u '+%F %T') UTC"
		echo "bench_date $BENCH_DATE"
		echo "today $TODAY"
		echo "nproc $(nproc)"
		echo "cpu $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
		echo "mem_gb $(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)"
		echo "kernel $(uname -r)"
		echo "sqlite $(sqlite3 --version | cut -d' ' -f1)"
		echo "curl $(curl --version | head -1 | cut -d' ' -f2)"
		echo "remind $(dpkg-query -W -f='${Version}' remind 2>/dev/null)"
		echo "load_start $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "runs $BENCH_RUNS"
		echo "wrk_threads $BENCH_WRK_THREADS"
		echo "page_tasks $BENCH_PAGE_TASKS"
		echo "posts $BENCH_POSTS"
		echo "posts_one $BENCH_POSTS_ONE"
		echo "sizes $BENCH_SIZES"
		echo "growth_due $BENCH_GROWTH_DUE"
		echo "due_customers $BENCH_DUE_CUSTOMERS"
		echo "build $(cd "$top" && git rev-parse --short HEAD 2>/dev/null) $(stat -c %y "$BUILD/src/outreachctl" | cut -d. -f1)"
		has_step ab && echo "build_a $BUILD" && echo "build_b $BUILD_B"
	} >"$R/meta.txt"
}

# A configuration: conf FILE STORE [extra libconfig text].
conf() {
	{
		echo "store = \"$2\";"
		echo "templates = \"$top/templates\";"
		echo "timezone = \"UTC\";"
		[ $# -ge 3 ] && echo "$3"
	} >"$1"
}

BDAY_ONLY='rules = ( { name = "birthday"; event = "birthday"; action = "message"; } );'

add_reps() { # CONF REPS.TSV
	local k nm
	while IFS=$'\t' read -r k nm; do
		"$CTL" -c "$1" rep add "$k" --name "$nm" >/dev/null || return 1
	done <"$2"
}

# CSVs of a store: gen_data MODE N DUE -> echoes the directory.
gen_data() {
	local d="$W/data/$1-$2-$3-s$BENCH_SEED-$BENCH_DATE-$GENSUM"
	if [ "$BENCH_REBUILD" = 1 ] || [ ! -f "$d/expect.txt" ]; then
		rm -rf "$d"
		log "generating $1 data: $2 customers (due $3)"
		$PY "$top/bench/gen.py" --customers "$2" --today "$BENCH_DATE" \
		    --out "$d" --seed "$BENCH_SEED" --mode "$1" --due "$3" \
		    >/dev/null || die "gen.py failed"
	fi
	echo "$d"
}

# A fresh store with the reps and the customers of DATA: new_store DB DATA
# LABEL [CSV] (the import is recorded as a sample under LABEL; CSV instead
# of DATA's customers).
new_store() {
	local c="$W/tmp/new.conf"
	rm -f "$1" "$1-wal" "$1-shm"
	conf "$c" "$1"
	"$CTL" -c "$c" init >/dev/null && add_reps "$c" "$2/reps.tsv" &&
	    rs "$3" "$S" "$CTL" -c "$c" import customers \
	    "${4:-$2/customers.csv}" --no-progress
}

# The full store of N customers, cached: full_store N -> echoes the DB.
full_store() {
	local n=$1 d db key c
	d=$(gen_data full "$n" 0) || exit 1
	db="$W/stores/full-$n.db"
	key="full $n $BENCH_SEED $BENCH_DATE $GENSUM schema$SCHEMA"
	if [ "$BENCH_REBUILD" != 1 ] && [ -f "$db.key" ] &&
	    [ "$(cat "$db.key")" = "$key" ]; then
		echo "$db"
		return
	fi
	rm -f "$db.key"
	c="$W/tmp/build.conf"
	conf "$c" "$db"
	if [ -f "$W/stores/import-$n.db" ] &&
	    [ "$(cat "$W/stores/import-$n.db.key" 2>/dev/null)" = "$key" ]; then
		mv "$W/stores/import-$n.db" "$db"
		rm -f "$db-wal" "$db-shm" "$W/stores/import-$n.db.key"
	else
		log "building the $n-customer store: customers"
		new_store "$db" "$d" "build-customers-$n" >&2 || die "import failed"
	fi
	log "building the $n-customer store: purchases, contacts, tiers"
	rs "build-purchases-$n" "$S" "$CTL" -c "$c" import purchases \
	    "$d/purchases.csv" --no-progress &&
	rs "build-contacts-$n" "$S" "$CTL" -c "$c" import contacts \
	    "$d/contacts.csv" --no-progress &&
	RUNSTAT_OUT="$R/tiers-$n.txt" rs "build-tiers-$n" "$S" "$CTL" -c "$c" \
	    tiers recompute --date "$BENCH_DATE" || die "building full-$n failed"
	sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	echo "$key" >"$db.key"
	echo "$db"
}

# A growth store: customers only, exactly DUE birthdays on the day.
growth_store() {
	local n=$1 due=$2 d db key
	d=$(gen_data growth "$n" "$due") || exit 1
	db="$W/stores/growth-$n-$due.db"
	key="growth $n $due $BENCH_SEED $BENCH_DATE $GENSUM schema$SCHEMA"
	if [ "$BENCH_REBUILD" = 1 ] || [ ! -f "$db.key" ] ||
	    [ "$(cat "$db.key")" != "$key" ]; then
		rm -f "$db.key"
		log "building growth store: $n customers, $due birthdays on $BENCH_DATE"
		new_store "$db" "$d" "build-growth-$n-$due" >&2 || die "import failed"
		sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
		echo "$key" >"$db.key"
	fi
	echo "$db"
}

# ---------------------------------------------------------------- import
step_import() {
	local n=$LARGEST d db r key
	d=$(gen_data full "$n" 0) || exit 1
	key="full $n $BENCH_SEED $BENCH_DATE $GENSUM schema$SCHEMA"
	log "import: $n customer rows x $BENCH_RUNS, outreachctl vs sqlite3 .import"
	head -1 "$d/customers.csv" >"$R/import-columns.txt"
	local cols
	cols=$(head -1 "$d/customers.csv" | tr -d '\r' |
	    sed 's/^external_id,/external_id TEXT NOT NULL UNIQUE,/; s/,\([a-z_]*\)/, \1 TEXT/g')
	for r in $(seq 1 "$BENCH_RUNS"); do
		db="$W/tmp/imp-sqlite.db"
		rm -f "$db"
		rs "import-sqlite-$n" "$S" sqlite3 "$db" -cmd ".mode csv" \
		    ".import $d/customers.csv customers" || die "sqlite3 .import failed"
		rm -f "$db"
		rs "import-sqliteuniq-$n" "$S" sqlite3 "$db" \
		    "CREATE TABLE customers ($cols);" \
		    ".import --csv --skip 1 $d/customers.csv customers" ||
		    die "sqlite3 .import (unique) failed"
		rm -f "$db"
		db="$W/stores/import-$n.db"
		rm -f "$db.key"
		new_store "$db" "$d" "import-ctl-$n" || die "outreachctl import failed"
		# The same file again: every row is there, nothing is written.
		rs "import-again-$n" "$S" "$CTL" -c "$W/tmp/new.conf" import \
		    customers "$d/customers.csv" --no-progress ||
		    die "outreachctl import (again) failed"
		log "  run $r: $(grep "^import-ctl-$n wall_ms" "$S" | tail -1 | cut -d' ' -f3) ms, again $(grep "^import-again-$n wall_ms" "$S" | tail -1 | cut -d' ' -f3) ms"
	done
	if [ "$(cat "$W/stores/full-$n.db.key" 2>/dev/null)" = "$key" ]; then
		rm -f "$db" "$db-wal" "$db-shm" # the full store is cached already
	else
		sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
		echo "$key" >"$db.key" # full_store() continues from it
	fi
	sample "import-rows-$n" n "$n"
	import_rss
	import_pg "$d/customers.csv" "$d/reps.tsv"
}

# The same customers into PostgreSQL and into SQLite, run by run: a
# private server (tests/peers/postgres.sh, fsync off), a new database
# each run.  import_pg CSV REPS.TSV
import_pg() {
	local n=$BENCH_PG_IMPORT_ROWS csv="$W/tmp/pg-import.csv" pgdir
	local r uri psql c="$W/tmp/pg-import.conf"
	[ "$n" -gt 0 ] || return 0
	# Under TMPDIR, where postgres.sh lets the server's user in.
	pgdir=$(mktemp -d "${TMPDIR:-/tmp}/outreachd-bench-pg.XXXXXX") ||
	    die "mktemp"
	( . "$top/tests/peers/postgres.sh"; pg_start "$pgdir" ) \
	    >"$R/pg-start.log" 2>&1
	case $? in
	0) ;;
	77) log "import into PostgreSQL: skipped ($(tail -1 "$R/pg-start.log"))"
	    return 0 ;;
	*) die "PostgreSQL did not start: $(tail -3 "$R/pg-start.log")" ;;
	esac
	PG_DIRS+=("$pgdir")
	# A whole number of CSV records: the file's first n rows.
	n=$($PY -c 'import csv, sys
r = csv.reader(open(sys.argv[1], newline=""))
w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
n = -1
for n, row in enumerate(r):
    if n > int(sys.argv[3]):
        n -= 1
        break
    w.writerow(row)
print(n)' "$1" "$csv" "$n") || die "cutting $n rows"
	uri=$(. "$pgdir/env"; echo "$PG_URI")
	psql=$(. "$pgdir/env"; echo "$PG_BINDIR/psql")
	log "import: $n customer rows into PostgreSQL and SQLite x $BENCH_RUNS"
	for r in $(seq 1 "$BENCH_RUNS"); do
		"$psql" -X -q -d "$uri" -c "DROP DATABASE IF EXISTS b;" \
		    -c "CREATE DATABASE b;" >/dev/null 2>&1 ||
		    die "creating the PostgreSQL database"
		conf "$c" "${uri%/*}/b"
		"$CTL" -c "$c" init >/dev/null && add_reps "$c" "$2" &&
		    rs "import-pg-$n" "$S" "$CTL" -c "$c" import customers \
		    "$csv" --no-progress || die "import into PostgreSQL failed"
		new_store "$W/tmp/pg-lite.db" "$(dirname "$2")" "import-pglite-$n" \
		    "$csv" || die "import into SQLite failed"
		log "  run $r: PostgreSQL $(grep "^import-pg-$n wall_ms" "$S" | tail -1 | cut -d' ' -f3) ms, SQLite $(grep "^import-pglite-$n wall_ms" "$S" | tail -1 | cut -d' ' -f3) ms"
	done
	rm -f "$W/tmp/pg-lite.db"*
	sample "import-pg-rows" n "$n"
	sample "import-pg-load" n "$(cut -d' ' -f1 /proc/loadavg)"
}

# Peak RSS of imports much larger than the store sizes: memory must stay
# flat (under BENCH_IMPORT_RSS_MB) whatever the file's size.  One run
# each, customers only (gen.py growth mode), not timed.
import_rss() {
	local n d db
	for n in $BENCH_IMPORT_RSS_SIZES; do
		d=$(gen_data growth "$n" 0) || exit 1
		db="$W/tmp/imp-rss.db"
		log "import: peak RSS at $n customer rows"
		new_store "$db" "$d" "import-rss-$n" || die "outreachctl import failed"
		rm -f "$db" "$db-wal" "$db-shm"
		sample "import-rss-rows-$n" n "$n"
		local kb
		kb=$(grep "^import-rss-$n rss_kb" "$S" | tail -1 | cut -d' ' -f3)
		if [ "$kb" -gt $((BENCH_IMPORT_RSS_MB * 1024)) ]; then
			log "  FAIL: peak RSS $((kb / 1024)) MB at $n rows, over $BENCH_IMPORT_RSS_MB MB"
		else
			log "  ok: peak RSS $((kb / 1024)) MB at $n rows"
		fi
	done
}

# ---------------------------------------------------------------- PostgreSQL
# The private server for the plan and report steps, started once:
# pg_bench_start, then 0 when it runs (PG_URI set), 1 when skipped.
PG_BENCH_STATE="" # "", up or off
pg_bench_start() {
	case $PG_BENCH_STATE in up) return 0 ;; off) return 1 ;; esac
	PG_BENCH_STATE=off
	if [ "$BENCH_PG" != 1 ]; then
		log "PostgreSQL: skipped (BENCH_PG=$BENCH_PG)"
		return 1
	fi
	if ! grep -q '^#define HAVE_POSTGRESQL 1' "$BUILD/config.h" 2>/dev/null; then
		log "PostgreSQL: skipped, $BUILD was built without libpq (configure --with-postgresql)"
		return 1
	fi
	command -v psql >/dev/null || { log "PostgreSQL: skipped, psql missing (apt-get install postgresql-client)"; return 1; }
	. "$top/tests/peers/postgres.sh"
	local d="$W/tmp/pg" rc
	rm -rf "$d"
	pg_start "$d" >"$R/pg-start.txt" 2>&1
	rc=$?
	if [ $rc = 77 ]; then
		log "PostgreSQL: skipped, $(tail -1 "$R/pg-start.txt")"
		return 1
	fi
	[ $rc = 0 ] || die "PostgreSQL did not start: $(tail -3 "$R/pg-start.txt")"
	PG_BENCH_DIR=$d
	PG_BENCH_STATE=up
	echo "postgresql $("$PG_BINDIR/postgres" --version | awk '{print $3}')" >>"$R/meta.txt"
	log "PostgreSQL $(sed -n 's/^postgresql //p' "$R/meta.txt") on port $PG_PORT (fsync off)"
}

# The full store of N customers in PostgreSQL (database full_N), copied
# from the SQLite one once per run: pg_store N -> echoes a configuration.
pg_store() {
	local n=$1 db c uri
	db=$(full_store "$n") || exit 1
	c="$W/tmp/pg-$n.conf"
	uri="${PG_URI%/*}/full_$n"
	if [ ! -f "$c" ] || ! psql -X -At "$uri" -c "SELECT 1" >/dev/null 2>&1; then
		log "PostgreSQL: copying the $n-customer store" >&2
		PGOPTIONS="-c client_min_messages=warning" psql -X -q "$PG_URI" \
		    -c "DROP DATABASE IF EXISTS full_$n" \
		    -c "CREATE DATABASE full_$n" >&2 || die "createdb failed"
		conf "$c" "$uri"
		local t0
		t0=$(ms_now)
		"$CTL" -c "$c" init >/dev/null &&
		    "$top/bench/pg_copy.sh" "$db" "$uri" >"$R/pg-copy-$n.txt" ||
		    die "copying full-$n into PostgreSQL failed"
		sample "pg-copy-$n" wall_ms $(( $(ms_now) - t0 ))
	fi
	echo "$c"
}

# EXPLAIN (ANALYZE, BUFFERS) of every statement `outreachctl plan` runs,
# with the keys it binds, from the server's auto_explain.
pg_explain() { # CONF OUT
	local log="$PG_BENCH_DIR/server.log" from
	from=$(($(wc -c <"$log") + 1))
	PGOPTIONS="-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c auto_explain.log_buffers=on -c auto_explain.log_timing=on" \
	    "$CTL" -c "$1" plan --date "$BENCH_DATE" >/dev/null ||
	    die "plan with auto_explain failed"
	sleep 1
	tail -c +"$from" "$log" | $PY "$top/bench/explain.py" pg >"$2"
}

# ---------------------------------------------------------------- plan
step_plan() {
	local n db d c cb r cp=""
	for n in $BENCH_SIZES; do
		cp=""
		pg_bench_start && { cp=$(pg_store "$n") || exit 1; }
		db=$(full_store "$n") || exit 1
		d=$(gen_data full "$n" 0) || exit 1
		c="$W/tmp/plan-$n.conf"
		cb="$W/tmp/plan-bday-$n.conf"
		conf "$c" "$db"
		conf "$cb" "$db" "$BDAY_ONLY"
		log "plan: $n customers, $BENCH_DATE"
		"$CTL" -c "$c" plan --date "$BENCH_DATE" >"$R/plan-$n.txt"
		"$CTL" -c "$cb" plan --date "$BENCH_DATE" | tail -1 >"$R/plan-bday-$n.txt"
		remind -q -r "$d/remind.rem" "$BENCH_DATE" >"$R/remind-$n.txt"
		cp "$d/expect.txt" "$R/data-full-$n.txt"
		"$BIN/plandrv" -v -r 0 -m raw "$c" "$BENCH_DATE" >/dev/null \
		    2>"$R/raw-queries-$n.txt"
		"$BIN/plandrv" -r "$BENCH_RUNS" -m both -s "$S" -l "inproc-$n" \
		    "$c" "$BENCH_DATE" >"$R/inproc-$n.txt" || die "plandrv failed"
		if [ -n "$cp" ]; then
			"$CTL" -c "$cp" plan --date "$BENCH_DATE" >"$R/plan-pg-$n.txt"
			if cmp -s "$R/plan-$n.txt" "$R/plan-pg-$n.txt"; then
				log "plan: PostgreSQL's plan is SQLite's, line for line"
				sample "plan-pg-same-$n" n 1
			else
				log "plan: FAIL: PostgreSQL's plan differs (diff $R/plan-$n.txt $R/plan-pg-$n.txt)"
				sample "plan-pg-same-$n" n 0
			fi
			"$BIN/plandrv" -v -r 0 -m raw "$cp" "$BENCH_DATE" >/dev/null \
			    2>"$R/raw-queries-pg-$n.txt"
			"$BIN/plandrv" -r "$BENCH_RUNS" -m both -s "$S" \
			    -l "pginproc-$n" "$cp" "$BENCH_DATE" \
			    >"$R/pginproc-$n.txt" || die "plandrv (PostgreSQL) failed"
		fi
		# Whole processes, interleaved run by run.
		for r in $(seq 1 "$BENCH_RUNS"); do
			rs "plan-ctl-$n" "$S" "$CTL" -c "$c" plan --date "$BENCH_DATE"
			rs "plan-raw-$n" "$S" "$BIN/plandrv" -r 0 -m raw "$c" "$BENCH_DATE"
			if [ -n "$cp" ]; then
				rs "plan-pg-ctl-$n" "$S" "$CTL" -c "$cp" plan \
				    --date "$BENCH_DATE"
				rs "plan-pg-raw-$n" "$S" "$BIN/plandrv" -r 0 -m raw \
				    "$cp" "$BENCH_DATE"
			fi
			rs "remind-$n" "$S" remind -q -r "$d/remind.rem" "$BENCH_DATE"
			rs "plan-bday-$n" "$S" "$CTL" -c "$cb" plan --date "$BENCH_DATE"
		done
		sample "plan-items-$n" n "$(tail -1 "$R/plan-$n.txt" | cut -d' ' -f1)"
		sample "plan-bdayitems-$n" n "$(cut -d' ' -f1 "$R/plan-bday-$n.txt")"
		sample "remind-lines-$n" n "$(grep -c . "$R/remind-$n.txt")"
		if [ "$n" = "$LARGEST" ]; then
			$PY "$top/bench/explain.py" sqlite "$top/src/store_plan.c" \
			    "$db" >"$R/explain-$n.txt"
			[ -n "$cp" ] && pg_explain "$cp" "$R/explain-pg-$n.txt"
			if [ "$BENCH_PROFILE" = 1 ] && command -v perf >/dev/null; then
				log "plan: perf profile at $n"
				perf_profile "plan-$n" 999 60 "$BIN/plandrv" -r 3 \
				    -m planner "$c" "$BENCH_DATE"
			fi
		fi
	done
}

# ---------------------------------------------------------------- scan
# What the daemon does every scan, `outreachctl scan`, over the largest
# full store whose plan is empty: the state says tiers, lifecycle counts
# and the plan are done through yesterday, so the scan plans and commits
# today and tomorrow (every item new), nothing else.  Each run starts
# from a fresh copy: cp of the SQLite file, CREATE DATABASE ... TEMPLATE
# on PostgreSQL (not timed).  The day is BENCH_DATE (libfaketime when it
# is not today).  Both engines' plan items and revisit clocks are
# compared once.
scan_state() { # DAY -> the INSERT both engines take
	echo "INSERT INTO state (key, value) VALUES ('tiers_day', '$1'),
	    ('lifecycle_day', '$1'), ('planned_through', '$(($1 - 1))')
	    ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
}
scan_digest() { # SQL-RUNNER...: plan items and revisit clocks, one line
	"$@" "SELECT dedup_key || '|' || coalesce(merged_into, 0) || '|' ||
	    reason || '|' || sequence FROM plan_items ORDER BY id;" | md5sum
	"$@" "SELECT id || '|' || coalesce(revisit_planned, 0) FROM customers
	    ORDER BY id;" | md5sum
}
step_scan() {
	local n=$LARGEST db d c cp="" uri="" r ft=()
	db=$(full_store "$n") || exit 1
	d=$(dayno "$BENCH_DATE")
	pg_bench_start && { cp=$(pg_store "$n") || exit 1; }
	if [ "$BENCH_DATE" != "$TODAY" ]; then
		local lib
		lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
		[ -n "$lib" ] || die "scan: libfaketime missing (apt-get install faketime)"
		ft=(env LD_PRELOAD="$lib" FAKETIME="@$BENCH_DATE 12:00:00")
	fi
	c="$W/tmp/scan.conf"
	conf "$c" "$W/tmp/scan.db"
	if [ -n "$cp" ]; then
		uri="${PG_URI%/*}/scan_$n"
		conf "$W/tmp/scan-pg.conf" "$uri"
	fi
	log "scan: $n customers, $BENCH_DATE and the day after, into an empty plan"
	for r in $(seq 1 "$BENCH_RUNS"); do
		rm -f "$W/tmp/scan.db"*
		cp "$db" "$W/tmp/scan.db" &&
		    sqlite3 "$W/tmp/scan.db" "$(scan_state "$d")" ||
		    die "scan: copying the store failed"
		rs "scan-ctl-$n" "$S" "${ft[@]}" "$CTL" -c "$c" scan ||
		    die "scan failed"
		[ -n "$cp" ] || continue
		PGOPTIONS="-c client_min_messages=warning" psql -X -q "$PG_URI" \
		    -c "DROP DATABASE IF EXISTS scan_$n" \
		    -c "CREATE DATABASE scan_$n TEMPLATE full_$n" &&
		    psql -X -q "$uri" -c "$(scan_state "$d")" ||
		    die "scan: copying the PostgreSQL store failed"
		rs "scan-pg-ctl-$n" "$S" "${ft[@]}" "$CTL" -c \
		    "$W/tmp/scan-pg.conf" scan || die "scan (PostgreSQL) failed"
	done
	sample "scan-items-$n" n "$(sqlite3 "$W/tmp/scan.db" \
	    "SELECT count(*) FROM plan_items;")"
	[ -n "$cp" ] || return 0
	if [ "$(scan_digest sqlite3 "$W/tmp/scan.db")" = \
	    "$(scan_digest psql -X -At "$uri" -c)" ]; then
		log "scan: PostgreSQL's plan items and clocks are SQLite's"
		sample "scan-pg-same-$n" n 1
	else
		log "scan: FAIL: PostgreSQL's plan items differ from SQLite's"
		sample "scan-pg-same-$n" n 0
	fi
	psql -X -q "$PG_URI" -c "DROP DATABASE IF EXISTS scan_$n"
}

# ---------------------------------------------------------------- report
# The manager's report over the largest full store: in process against the
# plain SQL bound for the day's lifecycle and compliance (reportdrv), then
# as whole processes; the SQL of the whole lifecycle history once.
step_report() {
	local n=$LARGEST db c r
	db=$(full_store "$n") || exit 1
	c="$W/tmp/report-$n.conf"
	conf "$c" "$db"
	log "report: $n customers, $BENCH_DATE"
	"$CTL" -c "$c" report --date "$BENCH_DATE" >"$R/report-$n.txt" ||
	    die "report failed"
	"$BIN/reportdrv" -r "$BENCH_RUNS" -m both -s "$S" -l "rinproc-$n" \
	    "$c" "$BENCH_DATE" >"$R/report-inproc-$n.txt" || die "reportdrv failed"
	local cp=""
	pg_bench_start && { cp=$(pg_store "$n") || exit 1; }
	if [ -n "$cp" ]; then
		"$CTL" -c "$cp" report --date "$BENCH_DATE" --json \
		    >"$R/report-pg-$n.json" || die "report (PostgreSQL) failed"
		"$CTL" -c "$c" report --date "$BENCH_DATE" --json \
		    >"$R/report-$n.json"
		cmp -s "$R/report-$n.json" "$R/report-pg-$n.json" &&
		    log "report: PostgreSQL's is SQLite's" ||
		    log "report: FAIL: PostgreSQL's report differs"
	fi
	for r in $(seq 1 "$BENCH_RUNS"); do
		[ -n "$cp" ] && rs "report-pg-ctl-$n" "$S" "$CTL" -c "$cp" report \
		    --date "$BENCH_DATE" --json
		rs "report-ctl-$n" "$S" "$CTL" -c "$c" report --date "$BENCH_DATE" \
		    --json
		rs "report-raw-$n" "$S" "$BIN/reportdrv" -r 0 -m raw "$c" \
		    "$BENCH_DATE"
	done
	log "report: the lifecycle history in plain SQL, once"
	"$BIN/reportdrv" -r 0 -m hist -s "$S" -l "rinproc-$n" "$c" \
	    "$BENCH_DATE" >"$R/report-hist-$n.txt" || die "reportdrv failed"
	sample "report-purchases-$n" n "$(sqlite3 "$db" 'SELECT count(*) FROM purchases')"
}

# ---------------------------------------------------------------- growth
step_growth() {
	local n k db c r
	for n in $BENCH_SIZES; do
		db=$(growth_store "$n" "$BENCH_GROWTH_DUE") || exit 1
		c="$W/tmp/growth.conf"
		conf "$c" "$db"
		log "growth: $n customers, $BENCH_GROWTH_DUE due"
		"$BIN/plandrv" -r "$BENCH_RUNS" -m both -s "$S" -l "growth-$n" \
		    "$c" "$BENCH_DATE" >"$R/growth-$n.txt" || die "plandrv failed"
		for r in $(seq 1 "$BENCH_RUNS"); do
			rs "growth-ctl-$n" "$S" "$CTL" -c "$c" plan --date "$BENCH_DATE"
		done
		if [ "$n" = "$LARGEST" ] && [ "$BENCH_PROFILE" = 1 ] &&
		    command -v perf >/dev/null; then
			log "growth: perf profile at $n"
			perf_profile "growth-$n" 999 60 "$BIN/plandrv" -r 20 \
			    -m planner "$c" "$BENCH_DATE"
		fi
	done
	n=$BENCH_DUE_CUSTOMERS
	for k in $BENCH_DUE_SIZES; do
		db=$(growth_store "$n" "$k") || exit 1
		c="$W/tmp/growth.conf"
		conf "$c" "$db"
		log "due-set growth: $n customers, $k due"
		"$BIN/plandrv" -r "$BENCH_RUNS" -m both -s "$S" -l "due-$k" \
		    "$c" "$BENCH_DATE" >"$R/due-$k.txt" || die "plandrv failed"
		for r in $(seq 1 "$BENCH_RUNS"); do
			rs "due-ctl-$k" "$S" "$CTL" -c "$c" plan --date "$BENCH_DATE"
		done
	done
}

# ---------------------------------------------------------------- contacts
# The revisit reason names the last contact's kind ("last contact N days
# ago (call on DATE)"): one indexed lookup per due customer
# (store_contact_kind).  Its cost: planner_run on stores of the same
# BENCH_CONTACT_CUSTOMERS customers, every one due for a revisit (tier A,
# last touched 35 days before the day), with K contacts each (K in
# BENCH_CONTACT_COUNTS; 0: nobody was ever contacted, so the reason counts
# from the first purchase and looks nothing up).  Every customer has the
# same one purchase, so only the contacts differ.
contacts_store() { # K -> echoes the DB
	local k=$1 n=$BENCH_CONTACT_CUSTOMERS db key c d
	db="$W/stores/contacts-$n-$k.db"
	key="contacts-v1 $n $k $BENCH_DATE schema$SCHEMA"
	if [ "$BENCH_REBUILD" != 1 ] && [ -f "$db.key" ] &&
	    [ "$(cat "$db.key")" = "$key" ]; then
		echo "$db"
		return
	fi
	d="$W/data/contacts-$n-$k-$BENCH_DATE"
	mkdir -p "$d"
	log "building the contacts store: $n customers, $k contacts each"
	$PY - "$BENCH_DATE" "$n" "$k" "$d" <<'PY'
import datetime, sys
day, n, k, d = (datetime.date.fromisoformat(sys.argv[1]), int(sys.argv[2]),
                int(sys.argv[3]), sys.argv[4])
last = day - datetime.timedelta(days=35)
with open(d + "/customers.csv", "w") as c, open(d + "/purchases.csv", "w") as p, \
        open(d + "/contacts.csv", "w") as t:
    c.write("external_id,name,phone,tier,rep\n")
    p.write("external_id,amount,date\n")
    t.write("external_id,date,kind,rep,note\n")
    for i in range(n):
        c.write("K%06d,客户%d,+86 139 %04d %04d,A,r1\n" % (i, i, i // 10000, i % 10000))
        p.write("K%06d,1200,%s\n" % (i, last))
        for j in range(k - 1, -1, -1):
            t.write("K%06d,%s,%s,r1,第%d次\n" % (
                i, last - datetime.timedelta(days=30 * j), ("call", "visit")[j % 2], j))
PY
	rm -f "$db" "$db-wal" "$db-shm" "$db.key"
	c="$W/tmp/contacts-build.conf"
	conf "$c" "$db"
	"$CTL" -c "$c" init >/dev/null &&
	"$CTL" -c "$c" rep add r1 --name '李娜' >/dev/null &&
	"$CTL" -c "$c" import customers "$d/customers.csv" --no-progress >/dev/null &&
	"$CTL" -c "$c" import purchases "$d/purchases.csv" --no-progress >/dev/null &&
	{ [ "$k" = 0 ] || "$CTL" -c "$c" import contacts "$d/contacts.csv" \
	    --no-progress >/dev/null; } || die "building the contacts store failed"
	sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	rm -rf "$d"
	echo "$key" >"$db.key"
	echo "$db"
}
step_contacts() {
	local k db c
	for k in $BENCH_CONTACT_COUNTS; do
		db=$(contacts_store "$k") || exit 1
		c="$W/tmp/contacts.conf"
		conf "$c" "$db"
		log "contacts: $BENCH_CONTACT_CUSTOMERS customers due, $k contacts each"
		sample "contacts-$k-rows" n "$(sqlite3 "$db" 'SELECT count(*) FROM contacts')"
		"$BIN/plandrv" -r "$BENCH_RUNS" -m both -s "$S" -l "contacts-$k" \
		    "$c" "$BENCH_DATE" >"$R/contacts-$k.txt" || die "plandrv failed"
	done
	sample "contacts-customers" n "$BENCH_CONTACT_CUSTOMERS"
}

# ---------------------------------------------------------------- servers
SINK_PID=
start_sink() {
	[ -n "$SINK_PID" ] && return
	rm -f "$W/tmp/sink.port"
	: >"$W/tmp/sink.stats"
	"$BIN/smtp_sink" -P "$W/tmp/sink.port" -s "$W/tmp/sink.stats" \
	    -d "$R/first-message.eml" &
	SINK_PID=$!
	PIDS+=("$SINK_PID")
	wait_file "$W/tmp/sink.port"
	SINK_PORT=$(cat "$W/tmp/sink.port")
}
wait_file() {
	local i
	for i in $(seq 1 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	die "timed out waiting for $1"
}
# The sink's counters since the last call: "messages N ... rate R".
sink_stats() {
	local before
	before=$(wc -l <"$W/tmp/sink.stats" 2>/dev/null || echo 0)
	kill -USR1 "$SINK_PID"
	for _ in $(seq 1 50); do
		[ "$(wc -l <"$W/tmp/sink.stats" 2>/dev/null || echo 0)" -gt "$before" ] && break
		sleep 0.05
	done
	tail -1 "$W/tmp/sink.stats"
}
# perf_text PERF_DATA EXCLUDE LINES OUT: a profile's inclusive shares by
# symbol, without the lines matching EXCLUDE.
perf_text() {
	perf report -i "$1" --children --sort sym -g none 2>/dev/null |
	    grep -v '^#' | grep '%' | grep -v "$2" | head -"$3" >"$4"
}
# perf_profile NAME FREQ LINES CMD...: CMD under perf, user-space symbols
# into $R/profile-NAME.txt.
perf_profile() {
	local name=$1 freq=$2 lines=$3
	shift 3
	perf record -q -F "$freq" --call-graph dwarf,16384 \
	    -o "$W/tmp/$name.perf" "$@" >/dev/null 2>&1
	perf_text "$W/tmp/$name.perf" '\[k\]' "$lines" "$R/profile-$name.txt"
}
field() { # KEY LINE
	echo "$2" | tr ' ' '\n' | grep -A1 -x "$1" | tail -1
}

# ---------------------------------------------------------------- deliver
mail_conf() { # FILE STORE PORT CONNECTIONS RATE
	conf "$1" "$2" "daemon: { state_dir = \"$W/tmp\"; };
delivery: { quiet_hours = { start = \"00:00\"; end = \"00:00\"; }; batch = 100000; };
email: { transport = \"smtp\"; url = \"smtp://127.0.0.1:$3\"; tls = \"none\";
  from = \"greetings@acme.example\"; connections = $4;
  rate = { messages = $5; seconds = 60; }; };"
}

# A store with M birthday e-mails queued for today, cached: mail_snapshot M.
mail_snapshot() {
	local m=$1 snap="$W/stores/mail-$1-$TODAY.db" key="$1 $TODAY schema$SCHEMA"
	if [ "$BENCH_REBUILD" = 1 ] || [ ! -f "$snap.key" ] ||
	    [ "$(cat "$snap.key")" != "$key" ]; then
		log "deliver: queueing $m birthday e-mails (a snapshot)"
		rm -f "$snap" "$snap-wal" "$snap-shm"
		$PY - "$m" "$TODAY" >"$W/tmp/mail.csv" <<'PY'
import sys
n, today = int(sys.argv[1]), sys.argv[2]
print("external_id,name,salutation,email,birthday,channel,locale")
for i in range(n):
    zh = i % 5 < 3
    print("M%06d,%s,%s,m%06d@example.test,1980-%s,email,%s" % (
        i, ("客户%d" % i) if zh else ("Customer %d" % i),
        ("王总" if zh else "Ms. Smith"), i, today[5:], "zh_CN" if zh else "en"))
PY
		# Rate 1 per minute: queues all, sends one (to the sink), leaves
		# the rest pending.
		mail_conf "$W/tmp/mq.conf" "$snap" "$SINK_PORT" 1 1
		"$CTL" -c "$W/tmp/mq.conf" import customers "$W/tmp/mail.csv" \
		    --no-progress >/dev/null &&
		"$CTL" -c "$W/tmp/mq.conf" scan &&
		"$CTL" -c "$W/tmp/mq.conf" send >"$R/mail-queue-$m.txt" 2>/dev/null ||
		    die "queueing failed"
		sqlite3 "$snap" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
		echo "$key" >"$snap.key"
		sink_stats >/dev/null
	fi
	echo "$snap"
}

# The daemon's own message for curl and curl_loop, un-dot-stuffed, in
# $W/tmp/msg.eml: mail_payload SNAPSHOT.  The sink keeps the first message
# it gets (queueing a new snapshot sends one); else one is sent for it.
mail_payload() {
	if [ ! -s "$R/first-message.eml" ]; then
		cp "$1" "$W/tmp/one.db"
		rm -f "$W/tmp/one.db-wal" "$W/tmp/one.db-shm"
		mail_conf "$W/tmp/one.conf" "$W/tmp/one.db" "$SINK_PORT" 1 1
		"$CTL" -c "$W/tmp/one.conf" send >/dev/null 2>&1
		rm -f "$W/tmp/one.db"*
		sink_stats >/dev/null
	fi
	$PY - "$R/first-message.eml" "$W/tmp/msg.eml" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\r\n")
assert lines[-2] == b"." and lines[-1] == b"", "no terminator"
lines = [l[1:] if l.startswith(b".") else l for l in lines[:-2]]
open(sys.argv[2], "wb").write(b"\r\n".join(lines) + b"\r\n")
PY
	[ -s "$W/tmp/msg.eml" ] || die "no message captured by the sink"
}

# sink_send LABEL CTL CONF SNAPSHOT M: one delivery pass over a copy of
# SNAPSHOT to the sink, timed by runstat; the sink must get all M.
sink_send() {
	local line
	cp "$4" "$W/tmp/run.db"
	rm -f "$W/tmp/run.db-wal" "$W/tmp/run.db-shm"
	sink_stats >/dev/null
	rs "$1" "$S" "$2" -c "$3" send 2>>"$W/tmp/send.log" || die "send ($1) failed"
	line=$(sink_stats)
	[ "$(field messages "$line")" = "$5" ] ||
	    die "$1: the sink got $(field messages "$line") of $5 messages"
	sample "$1" sinkrate "$(field rate "$line")"
}

# sink_loop LABEL M K [-m]: curl_loop sends the daemon's message M times
# over K connections (K processes; with -m, one thread and a multi handle).
sink_loop() {
	local line
	line=$("$BIN/curl_loop" ${4:+"$4"} "smtp://127.0.0.1:$SINK_PORT/bench" \
	    greetings@acme.example "$W/tmp/msg.eml" "$2" "$3") ||
	    die "curl_loop ${4:-}failed"
	sample "$1" rate "$(field rate "$line")"
	line=$(sink_stats)
	sample "$1" sinkrate "$(field rate "$line")"
}

step_deliver() {
	local m=$BENCH_MESSAGES snap k r line aio_pid aio_port t0 t1 i
	start_sink
	snap=$(mail_snapshot "$m") || exit 1
	mail_payload "$snap"
	m=$(sqlite3 "$snap" "SELECT count(*) FROM outbox WHERE state = 'pending'")
	[ "$m" -gt 0 ] || die "no pending messages in $snap"
	sample "deliver-msg-bytes" n "$(stat -c %s "$W/tmp/msg.eml")"
	sample "deliver-messages" n "$m"
	log "deliver: $m messages of $(stat -c %s "$W/tmp/msg.eml") bytes, runs: $BENCH_RUNS"
	for k in $BENCH_CONNECTIONS; do
		mail_conf "$W/tmp/m$k.conf" "$W/tmp/run.db" "$SINK_PORT" "$k" 1000000
	done
	for r in $(seq 1 "$BENCH_RUNS"); do
		for k in $BENCH_CONNECTIONS; do
			sink_send "deliver-sink-c$k" "$CTL" "$W/tmp/m$k.conf" \
			    "$snap" "$m"
			sink_loop "curlloop-sink-c$k" "$m" "$k"
			# The same loop on a multi handle: one thread, k
			# transfers in flight, as outreachd sends.
			sink_loop "curlmulti-sink-c$k" "$m" "$k" -m
		done
		t0=$(ms_now)
		for i in $(seq 1 "$BENCH_CLI_MESSAGES"); do
			curl -s --url "smtp://127.0.0.1:$SINK_PORT/bench" \
			    --mail-from greetings@acme.example \
			    --mail-rcpt "cli$i@example.test" \
			    --upload-file "$W/tmp/msg.eml" || die "curl failed"
		done
		t1=$(ms_now)
		sample "curlcli-sink" rate "$(echo "$BENCH_CLI_MESSAGES $t0 $t1" |
		    awk '{printf "%.1f", $1 / (($3 - $2) / 1000)}')"
		sink_stats >/dev/null
		log "  run $r done"
	done
	sample "curlcli-messages" n "$BENCH_CLI_MESSAGES"
	if [ "$BENCH_PROFILE" = 1 ] && command -v perf >/dev/null; then
		cp "$snap" "$W/tmp/run.db"
		rm -f "$W/tmp/run.db-wal" "$W/tmp/run.db-shm"
		k=$(echo $BENCH_CONNECTIONS | cut -d' ' -f1)
		perf_profile send 499 70 "$CTL" -c "$W/tmp/m$k.conf" send
		sink_stats >/dev/null
	fi
	[ "$BENCH_AIOSMTPD" = 1 ] && $PY -c 'import aiosmtpd' 2>/dev/null || return 0
	m=$BENCH_AIO_MESSAGES
	snap=$(mail_snapshot "$m") || exit 1
	m=$(sqlite3 "$snap" "SELECT count(*) FROM outbox WHERE state = 'pending'")
	sample "deliver-aio-messages" n "$m"
	log "deliver: $m messages to aiosmtpd (tests/peers/smtpd.py)"
	rm -f "$W/tmp/aio.port"
	$PY "$top/tests/peers/smtpd.py" --port 0 --portfile "$W/tmp/aio.port" \
	    --owner-pid $$ --quiet 2>>"$W/tmp/aio.log" &
	aio_pid=$!
	PIDS+=("$aio_pid")
	wait_file "$W/tmp/aio.port"
	aio_port=$(cat "$W/tmp/aio.port")
	for k in $BENCH_CONNECTIONS; do
		mail_conf "$W/tmp/a$k.conf" "$W/tmp/run.db" "$aio_port" "$k" 1000000
	done
	for r in $(seq 1 "$BENCH_RUNS"); do
		for k in $BENCH_CONNECTIONS; do
			cp "$snap" "$W/tmp/run.db"
			rm -f "$W/tmp/run.db-wal" "$W/tmp/run.db-shm"
			rs "deliver-aio-c$k" "$S" "$CTL" -c "$W/tmp/a$k.conf" send \
			    2>>"$W/tmp/send.log" || die "send failed"
		done
		line=$("$BIN/curl_loop" "smtp://127.0.0.1:$aio_port/bench" \
		    greetings@acme.example "$W/tmp/msg.eml" "$m" 1) ||
		    die "curl_loop failed"
		sample "curlloop-aio-c1" rate "$(field rate "$line")"
	done
	kill "$aio_pid" && wait "$aio_pid" 2>/dev/null
}

# ---------------------------------------------------------------- deliver_pg
# CPU seconds * 100 (clock ticks) used so far by PIDs, children reaped
# by them included: cpu_ticks PID...
cpu_ticks() {
	local p t=0
	for p in "$@"; do
		# A process may end between the listing and the read.
		t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null |
		    awk '{print $12 + $13 + $14 + $15} END {if (!NR) print 0}')))
	done
	echo "$t"
}
# The PostgreSQL server's processes: the postmaster and its children.
pg_pids() { echo "$PG_PID" $(pgrep -P "$PG_PID"); }

# The queued e-mails of mail_snapshot M in PostgreSQL, database mail_M:
# pg_mail_snapshot M SNAPSHOT.
pg_mail_snapshot() {
	local uri="${PG_URI%/*}/mail_$1" c="$W/tmp/pg-mail.conf"
	log "deliver_pg: copying the queued store into PostgreSQL"
	PGOPTIONS="-c client_min_messages=warning" psql -X -q "$PG_URI" \
	    -c "DROP DATABASE IF EXISTS mail_$1" -c "CREATE DATABASE mail_$1" ||
	    die "createdb failed"
	conf "$c" "$uri"
	"$CTL" -c "$c" init >/dev/null &&
	    "$top/bench/pg_copy.sh" "$2" "$uri" >"$R/pg-copy-mail.txt" ||
	    die "copying the queued store into PostgreSQL failed"
}

# pg_mail_conf FILE STORE K: the configuration of every daemon sending
# STORE's e-mails over K connections to the sink.  The instances of one
# store share it, as machines would: its state_dir holds nothing but the
# callback secret on PostgreSQL, and each HTTP service takes a port of
# its own (port 0).  Its scan finds nothing new to plan.
pg_mail_conf() {
	mkdir -p "$W/tmp/pgd"
	conf "$1" "$2" "daemon: { state_dir = \"$W/tmp/pgd\"; scan_interval = 3600; };
http: { listen = \"127.0.0.1:0\"; base_url = \"https://crm.acme.example\"; };
delivery: { quiet_hours = { start = \"00:00\"; end = \"00:00\"; }; batch = 100000; };
email: { transport = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; tls = \"none\";
  from = \"greetings@acme.example\"; connections = $3;
  rate = { messages = 1000000; seconds = 60; }; };"
}

# The queued messages rendered anew with CONF, sending nothing (a held
# outbox): a message rendered with another configuration (the text of the
# file is its key) would be rendered again by the leader during the run.
render_with() { # CONF
	"$CTL" -c "$1" outbox hold >/dev/null &&
	    "$CTL" -c "$1" send >/dev/null 2>>"$W/tmp/send.log" &&
	    "$CTL" -c "$1" outbox release >/dev/null ||
	    die "rendering the queued messages with $1 failed"
}

# The PostgreSQL template of K connections' runs, tmpl_K, and the SQLite
# file $W/tmp/snap-K.db: the queued e-mails rendered with the
# configuration of the daemons that send them from database run (or
# $W/tmp/run.db).
pg_mail_templates() { # K M
	local k=$1
	psql -X -q "$PG_URI" -c "DROP DATABASE IF EXISTS run" \
	    -c "DROP DATABASE IF EXISTS tmpl_$k" \
	    -c "CREATE DATABASE run TEMPLATE mail_$2" >/dev/null ||
	    die "CREATE DATABASE run failed"
	pg_mail_conf "$W/tmp/pg-c$k.conf" "${PG_URI%/*}/run" "$k"
	render_with "$W/tmp/pg-c$k.conf"
	psql -X -q "$PG_URI" -c "ALTER DATABASE run RENAME TO tmpl_$k" ||
	    die "ALTER DATABASE failed"
	cp "$(mail_snapshot "$2")" "$W/tmp/run.db"
	rm -f "$W/tmp/run.db-wal" "$W/tmp/run.db-shm"
	pg_mail_conf "$W/tmp/sq-c$k.conf" "$W/tmp/run.db" "$k"
	render_with "$W/tmp/sq-c$k.conf"
	sqlite3 "$W/tmp/run.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	mv "$W/tmp/run.db" "$W/tmp/snap-$k.db"
}

# Prints the outbox's unsent count (pending, retry, sending) every 50 ms
# until it is 0: outbox_watch STORE (a PostgreSQL URI or an SQLite file).
UNSENT="SELECT count(*) FROM outbox WHERE state IN ('pending','retry','sending')"
outbox_watch() {
	case $1 in
	postgresql:*)
		exec psql -X -At "$1" <<<"$UNSENT \\watch 0.05" 2>/dev/null ;;
	*)
		while sqlite3 -cmd ".timeout 1000" "$1" "$UNSENT;"; do
			sleep 0.05
		done 2>/dev/null ;;
	esac
}

# pg_deliver_run LABEL STORE M CONF...: one daemon per CONF, started at
# once on STORE's queued M e-mails, timed until the outbox has no unsent
# row; then each daemon's, the server's and the sink's CPU per message.
pg_deliver_run() {
	local label=$1 store=$2 m=$3 c n pids=() t0 t1 cpu0 cpu1 pg0 pg1 sk0 sk1
	local i line
	shift 3
	sink_stats >/dev/null
	pg0=0; [ "${store%%:*}" = postgresql ] && pg0=$(cpu_ticks $(pg_pids))
	sk0=$(cpu_ticks "$SINK_PID")
	i=0
	t0=$(ms_now)
	for c in "$@"; do
		i=$((i + 1))
		"$OUTREACHD" -c "$c" --foreground --log-level info \
		    2>"$W/tmp/$label-$i.log" &
		pids+=($!)
		PIDS+=($!)
	done
	coproc WATCH { outbox_watch "$store"; }
	while read -r n <&"${WATCH[0]}"; do
		[ "$n" = 0 ] && break
		for i in "${!pids[@]}"; do
			kill -0 "${pids[$i]}" 2>/dev/null || die "$label: outreachd" \
			    "exited: $(tail -1 "$W/tmp/$label-$((i + 1)).log")"
		done
	done
	t1=$(ms_now)
	kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null
	cpu1=$(cpu_ticks "${pids[@]}")
	pg1=0; [ "${store%%:*}" = postgresql ] && pg1=$(cpu_ticks $(pg_pids))
	sk1=$(cpu_ticks "$SINK_PID")
	for i in "${!pids[@]}"; do
		sample "$label" "cpu_ms_d$((i + 1))" "$(cpu_ticks "${pids[$i]}")0"
		sample "$label" "sent_d$((i + 1))" "$(grep -c 'sent .* via ' "$W/tmp/$label-$((i + 1)).log")"
	done
	for i in "${pids[@]}"; do kill "$i"; wait "$i" 2>/dev/null; done
	line=$(sink_stats)
	[ "$(field messages "$line")" = "$m" ] ||
	    die "$label: the sink got $(field messages "$line") of $m messages"
	sample "$label" wall_ms "$((t1 - t0))"
	sample "$label" sinkrate "$(field rate "$line")"
	sample "$label" cpu_ms_daemons "${cpu1}0"
	sample "$label" cpu_ms_pg "$(( (pg1 - pg0) * 10 ))"
	sample "$label" cpu_ms_sink "$(( (sk1 - sk0) * 10 ))"
	log "  $label: $((t1 - t0)) ms"
}

# The same queued e-mails sent from PostgreSQL by one daemon, then by two
# at once (each with the connections of the one), and from SQLite by one
# daemon for reference; each run starts from the same queued state (a
# template database, a copy of the SQLite file).
step_deliver_pg() {
	local m=$BENCH_MESSAGES snap k r c
	pg_bench_start || { log "deliver_pg: skipped (no PostgreSQL, see above)"; return 0; }
	start_sink
	snap=$(mail_snapshot "$m") || exit 1
	m=$(sqlite3 "$snap" "SELECT count(*) FROM outbox WHERE state = 'pending'")
	pg_mail_snapshot "$BENCH_MESSAGES" "$snap"
	for k in $BENCH_CONNECTIONS; do
		pg_mail_templates "$k" "$BENCH_MESSAGES"
	done
	sample "deliverpg-messages" n "$m"
	echo "pg_settings $(psql -X -At "$PG_URI" -c "SELECT string_agg(name || '=' || setting, ' ') FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes','shared_buffers')")" >>"$R/meta.txt"
	log "deliver_pg: $m e-mails, connections per daemon: $BENCH_CONNECTIONS, runs: $BENCH_RUNS"
	for r in $(seq 1 "$BENCH_RUNS"); do
		for k in $BENCH_CONNECTIONS; do
			c="$W/tmp/pg-c$k.conf"
			# Alternate the order, so that drift falls on both.
			if [ $((r % 2)) = 1 ]; then
				pg_deliver_one "deliverpg-one-c$k" "$k" "$m" "$c"
				pg_deliver_one "deliverpg-two-c$k" "$k" "$m" "$c" "$c"
			else
				pg_deliver_one "deliverpg-two-c$k" "$k" "$m" "$c" "$c"
				pg_deliver_one "deliverpg-one-c$k" "$k" "$m" "$c"
			fi
			cp "$W/tmp/snap-$k.db" "$W/tmp/run.db"
			rm -f "$W/tmp/run.db-wal" "$W/tmp/run.db-shm"
			pg_deliver_run "deliverpg-sqlite-c$k" "$W/tmp/run.db" "$m" \
			    "$W/tmp/sq-c$k.conf"
		done
		log "  run $r done; load $(cut -d' ' -f1-3 /proc/loadavg)"
	done
	psql -X -q "$PG_URI" -c "DROP DATABASE IF EXISTS run"
}

# pg_deliver_one LABEL K M CONF...: a run from database run, made anew
# from tmpl_K.
pg_deliver_one() {
	local label=$1 k=$2 m=$3
	shift 3
	psql -X -q "$PG_URI" -c "DROP DATABASE IF EXISTS run" \
	    -c "CREATE DATABASE run TEMPLATE tmpl_$k" 2>/dev/null ||
	    die "CREATE DATABASE run failed"
	pg_deliver_run "$label" "${PG_URI%/*}/run" "$m" "$@"
}

# ---------------------------------------------------------------- ab
step_ab() {
	local m=$BENCH_MESSAGES snap k r c
	start_sink
	snap=$(mail_snapshot "$m") || exit 1
	mail_payload "$snap"
	m=$(sqlite3 "$snap" "SELECT count(*) FROM outbox WHERE state = 'pending'")
	sample "ab-messages" n "$m"
	log "ab: $m messages, A = $BUILD, B = $BUILD_B, runs: $BENCH_RUNS"
	for k in $BENCH_CONNECTIONS; do
		mail_conf "$W/tmp/m$k.conf" "$W/tmp/run.db" "$SINK_PORT" "$k" 1000000
	done
	for r in $(seq 1 "$BENCH_RUNS"); do
		for k in $BENCH_CONNECTIONS; do
			c="$W/tmp/m$k.conf"
			if [ $((r % 2)) = 1 ]; then
				sink_send "ab-a-c$k" "$CTL" "$c" "$snap" "$m"
				sink_send "ab-b-c$k" "$BIN/outreachctl-b" "$c" "$snap" "$m"
			else
				sink_send "ab-b-c$k" "$BIN/outreachctl-b" "$c" "$snap" "$m"
				sink_send "ab-a-c$k" "$CTL" "$c" "$snap" "$m"
			fi
			sink_loop "ab-loop-c$k" "$m" "$k" -m
		done
		log "  run $r done"
	done
}

# ---------------------------------------------------------------- sms
step_sms() {
	local m=$BENCH_SMS_MESSAGES kd="$W/tmp/kannel" snap="$W/tmp/sms-snap.db"
	local k r c t0 t1 before after url zh dlr out
	if ! command -v bearerbox >/dev/null; then
		echo "Not measured: Kannel is not installed (apt-get install kannel)." >"$R/sms.txt"
		return 0
	fi
	log "sms: $m SMS through Kannel x $BENCH_RUNS"
	rm -rf "$kd"
	KANNEL_DIRS+=("$kd")
	KANNEL_OWNER_PID=$$ "$top/tests/peers/kannel.sh" start "$kd" \
	    >"$W/tmp/kannel.out" 2>&1 || {
		echo "Not measured: kannel.sh start failed: $(tail -1 "$W/tmp/kannel.out")" >"$R/sms.txt"
		return 0
	}
	. "$kd/env"
	printf '%s\n' "$KANNEL_PASS" >"$W/tmp/sms.pw"
	sms_conf() { # FILE STORE CONNECTIONS RATE
		conf "$1" "$2" "country_code = \"86\";
daemon: { state_dir = \"$W/tmp\"; };
delivery: { quiet_hours = { start = \"00:00\"; end = \"00:00\"; }; batch = 100000; };
sms: { transport = \"kannel\"; url = \"$KANNEL_SENDSMS_URL\"; username = \"$KANNEL_USER\";
  password_file = \"$W/tmp/sms.pw\"; sender = \"Acme\"; connections = $3;
  rate = { messages = $4; seconds = 60; }; };"
	}
	$PY - "$m" "$TODAY" >"$W/tmp/sms.csv" <<'PY'
import sys
n, today = int(sys.argv[1]), sys.argv[2]
print("external_id,name,salutation,phone,birthday,locale,channel")
for i in range(n):
    zh = i % 2 == 0
    print("S%05d,%s,%s,+86 139 %04d %04d,1980-%s,%s,sms" % (
        i, "张伟" if zh else "Bob Lee", "张总" if zh else "Mr. Lee",
        i // 10000, i % 10000, today[5:], "zh_CN" if zh else "en"))
PY
	rm -f "$snap"*
	sms_conf "$W/tmp/sq.conf" "$snap" 1 1
	"$CTL" -c "$W/tmp/sq.conf" import customers "$W/tmp/sms.csv" --no-progress >/dev/null &&
	"$CTL" -c "$W/tmp/sq.conf" scan &&
	"$CTL" -c "$W/tmp/sq.conf" send >/dev/null 2>&1 || die "sms: queueing failed"
	sqlite3 "$snap" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	m=$(sqlite3 "$snap" "SELECT count(*) FROM outbox WHERE state = 'pending'")
	sample "sms-messages" n "$m"
	# The baseline: ab on sendsms with the daemon's parameters (a Chinese
	# text as UCS-2, charset, delivery-report mask and URL), keep-alive.
	zh=$($PY -c 'import urllib.parse; print(urllib.parse.quote("张总，祝您生日快乐，身体健康，万事顺意！——您的客户经理 回复TD退订"))')
	dlr=$($PY -c 'import urllib.parse; print(urllib.parse.quote("http://127.0.0.1:8088/callbacks/kannel/dlr?id=1&status=%d&answer=%A"))')
	url="$KANNEL_SENDSMS_URL?username=$KANNEL_USER&password=$KANNEL_PASS&from=Acme&to=%2B8613900000001&text=$zh&charset=UTF-8&coding=2&dlr-mask=31&dlr-url=$dlr"
	for k in $BENCH_CONNECTIONS; do
		sms_conf "$W/tmp/s$k.conf" "$W/tmp/sms-run.db" "$k" 1000000
	done
	for r in $(seq 1 "$BENCH_RUNS"); do
		for k in $BENCH_CONNECTIONS; do
			cp "$snap" "$W/tmp/sms-run.db"
			rm -f "$W/tmp/sms-run.db-wal" "$W/tmp/sms-run.db-shm"
			before=$(grep -c 'Got message' "$KANNEL_FAKESMSC_LOG")
			rs "sms-c$k" "$S" "$CTL" -c "$W/tmp/s$k.conf" send \
			    2>>"$W/tmp/sms.log" || die "sms send failed"
			for _ in $(seq 1 100); do
				after=$(grep -c 'Got message' "$KANNEL_FAKESMSC_LOG")
				[ $((after - before)) -ge "$m" ] && break
				sleep 0.1
			done
			sample "sms-c$k" smsc_got "$((after - before))"
			out=$(ab -q -k -n "$m" -c "$k" "$url" 2>&1)
			sample "ab-sms-c$k" rps "$(echo "$out" | awk '/^Requests per second/ {print $4}')"
			sample "ab-sms-c$k" failed "$(echo "$out" | awk '/^Failed requests/ {print $3}')"
		done
	done
	"$top/tests/peers/kannel.sh" stop "$kd" >/dev/null 2>&1
}

# ---------------------------------------------------------------- feeds, pages
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# http_conf CONF STORE PORT DIR [extra libconfig text]: a daemon serving
# STORE on 127.0.0.1:PORT, its state in DIR.
http_conf() {
	conf "$1" "$2" "daemon: { state_dir = \"$4\"; };
http: { listen = \"127.0.0.1:$3\"; base_url = \"http://127.0.0.1:$3\"; ${5:-} };"
}
# httpd_start CONF PORT LOG: outreachd in the foreground, once /healthz
# answers; its PID in HTTPD_PID (stopped by PID with httpd_stop or on exit).
httpd_start() {
	local i
	"$OUTREACHD" -c "$1" --foreground --log-level warning 2>>"$3" &
	HTTPD_PID=$!
	PIDS+=("$HTTPD_PID")
	for i in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}
httpd_stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# The URL: lines of a calendar feed, unfolded: the signed task links.
feed_links() {
	curl -s "$1" | $PY -c '
import re, sys
t = re.sub(r"\r?\n[ \t]", "", sys.stdin.read())
for u in re.findall(r"^URL:(\S+)", t, re.M):
    print(u)'
}

# The cached feed: a rep's follow-up feed of 1,000 tasks.  feeds_start
# builds the store and starts the server (FEED_URL, FEED_ETAG, FEED_PID;
# 1 when the build cannot serve feeds yet), feeds_round is one run of
# the three wrk figures, feeds_finish profiles (BENCH_PROFILE) and stops.
FEED_PID=
feeds_start() {
	local fdir="$W/tmp/feeds" port db c
	command -v wrk >/dev/null || die "wrk missing (apt-get install wrk)"
	port=$(free_port)
	mkdir -p "$fdir"
	db="$fdir/f.db"
	c="$fdir/f.conf"
	http_conf "$c" "$db" "$port" "$fdir"
	local cmd="BENCH_STEPS=feeds bench/run.sh   # wrk -t1 -c50 -d5s --latency FEED_URL, and with -H 'If-None-Match: ETAG'"
	if ! "$CTL" -c "$c" rep token --help >/dev/null 2>&1; then
		log "feeds: pending (outreachctl has no 'rep token' yet)"
		echo "Pending: the built outreachctl has no \`rep token\` (src/httpd.c is still a placeholder). To run: \`$cmd\`" >"$R/feeds.txt"
		return 1
	fi
	# 1,000 open tasks for one rep: tier A customers last visited 40 days ago.
	rm -f "$db"*
	$PY - "$TODAY" >"$fdir/c.csv" 3>"$fdir/k.csv" <<'PY'
import datetime, os, sys
today = datetime.date.fromisoformat(sys.argv[1])
k = os.fdopen(3, "w")
print("external_id,name,phone,email,tier,rep,notes")
k.write("external_id,date,kind,rep\n")
for i in range(1000):
    print("F%04d,客户%d,+86 138 0013 %04d,f%04d@example.test,A,r1,喜欢乌龙茶" % (
        i, i, i, i))
    k.write("F%04d,%s,visit,r1\n" % (i, today - datetime.timedelta(days=40)))
PY
	"$CTL" -c "$c" init >/dev/null &&
	"$CTL" -c "$c" rep add r1 --name '李娜' >/dev/null &&
	"$CTL" -c "$c" import customers "$fdir/c.csv" --no-progress >/dev/null &&
	"$CTL" -c "$c" import contacts "$fdir/k.csv" --no-progress >/dev/null &&
	"$CTL" -c "$c" scan >/dev/null || die "feeds: store setup failed"
	FEED_URL=$("$CTL" -c "$c" rep token r1 2>/dev/null | grep -m1 'followups\.ics')
	httpd_start "$c" "$port" "$fdir/d.log"
	FEED_PID=$HTTPD_PID
	if [ -z "$FEED_URL" ] || ! curl -sf -o "$fdir/feed.ics" "$FEED_URL"; then
		log "feeds: pending (outreachd does not serve the feed yet)"
		echo "Pending: outreachd does not serve $FEED_URL yet. To run: \`$cmd\`" >"$R/feeds.txt"
		httpd_stop "$FEED_PID"
		return 1
	fi
	sample "feed-events" n "$(grep -c '^BEGIN:VEVENT' "$fdir/feed.ics")"
	sample "feed-bytes" n "$(stat -c %s "$fdir/feed.ics")"
	FEED_ETAG=$(curl -sI "$FEED_URL" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
	echo "url $FEED_URL etag $FEED_ETAG" >"$R/feeds.txt"
	sample "feed-gzip-bytes" n "$(curl -s -H 'Accept-Encoding: gzip' "$FEED_URL" | wc -c)"
}
feeds_round() {
	local out
	out=$(wrk -t"$BENCH_WRK_THREADS" -c50 -d5s --latency "$FEED_URL" 2>&1)
	echo "$out" >>"$R/feeds.txt"
	feed_sample feed-200 "$out"
	out=$(wrk -t"$BENCH_WRK_THREADS" -c50 -d5s --latency \
	    -H "Accept-Encoding: gzip" "$FEED_URL" 2>&1)
	echo "$out" >>"$R/feeds.txt"
	feed_sample feed-gzip "$out"
	out=$(wrk -t"$BENCH_WRK_THREADS" -c50 -d5s --latency \
	    -H "If-None-Match: $FEED_ETAG" "$FEED_URL" 2>&1)
	echo "$out" >>"$R/feeds.txt"
	feed_sample feed-304 "$out"
}
feeds_finish() {
	if [ "$BENCH_PROFILE" = 1 ] && command -v perf >/dev/null; then
		log "feeds: perf profile of the 304 path"
		perf record -q -F 499 --call-graph dwarf,16384 -p "$FEED_PID" \
		    -o "$W/tmp/feed.perf" -- sleep 4 >/dev/null 2>&1 &
		wrk -t"$BENCH_WRK_THREADS" -c50 -d4s -H "If-None-Match: $FEED_ETAG" \
		    "$FEED_URL" >/dev/null 2>&1
		wait $!
		perf_text "$W/tmp/feed.perf" '0x0000' 70 "$R/profile-feed-304.txt"
	fi
	httpd_stop "$FEED_PID"
}

# The reps' pages, on a store of their own: rep d1 has BENCH_PAGE_TASKS
# open tasks (tiers A, B, C; 40% planned three days ago, so overdue, the
# rest due today), each customer with notes, an attribute and four
# contacts; reps p00..p09 share BENCH_RUNS x (BENCH_POSTS +
# BENCH_POSTS_ONE) open tasks, one per recorded outcome, so every POST
# finds its task open.  pages_start
# builds it and starts the server, pages_round is one run (the day page
# and the task pages with wrk, the POSTs with post_loop), pages_finish
# stops the server.
PAGES_PID=
pages_start() {
	local pdir="$W/tmp/pages" port db c d3 u i r npost
	FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
	[ -n "$FAKETIME_LIB" ] || die "pages: libfaketime missing (apt-get install faketime)"
	port=$(free_port)
	rm -rf "$pdir"
	mkdir -p "$pdir"
	db="$pdir/p.db"
	c="$pdir/p.conf"
	# No write limit: 50 clients on one address record far more than 60
	# outcomes a minute.
	http_conf "$c" "$db" "$port" "$pdir" "write_rate_per_ip = 0;"
	npost=$((BENCH_RUNS * (BENCH_POSTS + BENCH_POSTS_ONE)))
	$PY - "$TODAY" "$BENCH_PAGE_TASKS" "$npost" >"$pdir/c.csv" 3>"$pdir/k.csv" \
	    4>"$pdir/c-old.csv" 5>"$pdir/k-old.csv" <<'PY'
import datetime, os, sys
today = datetime.date.fromisoformat(sys.argv[1])
nday, npost = int(sys.argv[2]), int(sys.argv[3])
cad = {"A": 30, "B": 90, "C": 180}
now, old = (sys.stdout, os.fdopen(3, "w")), (os.fdopen(4, "w"), os.fdopen(5, "w"))
for c, k in (now, old):
    c.write("external_id,name,salutation,phone,email,tier,rep,notes,hobby\n")
    k.write("external_id,date,kind,rep,note\n")
def cust(f, eid, i, tier, rep, last):
    c, k = f
    c.write("%s,客户%d,王女士,+86 138 %04d %04d,c%d@example.test,%s,%s,"
            "喜欢乌龙茶,钓鱼\n" % (eid, i, i // 10000, i % 10000, i, tier, rep))
    for j in (3, 2, 1):
        k.write("%s,%s,call,%s,第%d次\n" % (
            eid, last - datetime.timedelta(days=cad[tier] * j), rep, j))
    k.write("%s,%s,visit,%s,聊了新品\n" % (eid, last, rep))
# d1: 40% due three days ago (planned then, overdue now), the rest today.
for i in range(nday):
    tier = "ABC"[i % 3]
    if i % 5 < 2:
        cust(old, "D%05d" % i, i, tier, "d1",
             today - datetime.timedelta(days=cad[tier] + 3))
    else:
        cust(now, "D%05d" % i, i, tier, "d1",
             today - datetime.timedelta(days=cad[tier] + i % 7))
for i in range(npost):
    cust(now, "P%06d" % i, 100000 + i, "B", "p%02d" % (i % 10),
         today - datetime.timedelta(days=95))
PY
	d3=$(TZ=UTC date -d "$TODAY -3 days" +%F)
	at3() { LD_PRELOAD=$FAKETIME_LIB FAKETIME="@$d3 08:00:00" "$@"; }
	"$CTL" -c "$c" init >/dev/null &&
	"$CTL" -c "$c" rep add d1 --name '李娜' >/dev/null || die "pages: init failed"
	for r in 0 1 2 3 4 5 6 7 8 9; do
		"$CTL" -c "$c" rep add "p0$r" --name "Rep $r" >/dev/null ||
		    die "pages: rep add failed"
	done
	log "pages: store: $BENCH_PAGE_TASKS tasks for the day page, $npost for the POSTs"
	at3 "$CTL" -c "$c" import customers "$pdir/c-old.csv" --no-progress >/dev/null &&
	at3 "$CTL" -c "$c" import contacts "$pdir/k-old.csv" --no-progress >/dev/null &&
	at3 "$CTL" -c "$c" scan >/dev/null &&
	"$CTL" -c "$c" import customers "$pdir/c.csv" --no-progress >/dev/null &&
	"$CTL" -c "$c" import contacts "$pdir/k.csv" --no-progress >/dev/null &&
	"$CTL" -c "$c" scan >/dev/null || die "pages: store setup failed"
	u=$("$CTL" -c "$c" rep token d1 2>/dev/null | grep -m1 'followups\.ics')
	DAY_URL=$(echo "$u" | sed 's,/feeds/\([^/]*\)/.*,/r/\1,')
	for r in 0 1 2 3 4 5 6 7 8 9; do
		"$CTL" -c "$c" rep token "p0$r" 2>/dev/null |
		    grep -m1 'followups\.ics' >>"$pdir/post-feeds.txt"
	done
	httpd_start "$c" "$port" "$pdir/d.log" || die "pages: outreachd does not answer"
	PAGES_PID=$HTTPD_PID
	curl -sf -o "$pdir/day.html" "$DAY_URL" || die "pages: no day page at $DAY_URL"
	# The task pages wrk walks: the day page's links, in its order.
	sed -n 's,.*<a href="http://[^/]*\(/t/[^"]*\)".*,\1,p' "$pdir/day.html" \
	    >"$pdir/day-paths.txt"
	i=$(grep -c . "$pdir/day-paths.txt")
	[ "$i" = "$BENCH_PAGE_TASKS" ] ||
	    die "pages: the day page lists $i tasks, not $BENCH_PAGE_TASKS"
	sample "page-day-tasks" n "$i"
	sample "page-day-overdue" n "$(grep -c '<br>overdue' "$pdir/day.html")"
	sample "page-day-bytes" n "$(stat -c %s "$pdir/day.html")"
	sample "page-task-bytes" n "$(curl -s "http://127.0.0.1:$port$(head -1 "$pdir/day-paths.txt")" | wc -c)"
	sample "page-store-tasks" n "$(sqlite3 "$db" "SELECT count(*) FROM plan_items WHERE action = 'task'")"
	cat >"$pdir/walk.lua" <<LUA
-- Each request the next task page of the day, round robin.
local paths = {}
for l in io.lines("$pdir/day-paths.txt") do paths[#paths + 1] = l end
local i = 0
request = function()
	i = i % #paths + 1
	return wrk.format("GET", paths[i])
end
LUA
	# The POSTs' links from their reps' feeds (URL:), a share per run.
	while read -r u; do
		feed_links "$u"
	done <"$pdir/post-feeds.txt" >"$pdir/post-links.txt"
	i=$(sort -u "$pdir/post-links.txt" | grep -c .)
	[ "$i" = "$npost" ] || die "pages: $i distinct task links in the feeds, not $npost"
	echo "day $DAY_URL" >"$R/pages.txt"
}
# Each measurement starts a second after the last: a slow page's server
# still holds the previous client's 50 connections for a moment, and with
# 50 more from the same address http.max_connections_per_ip (64) would
# refuse some of the new ones.
pages_round() { # RUN
	local pdir="$W/tmp/pages" out f
	sleep 1
	out=$(wrk -t"$BENCH_WRK_THREADS" -c50 -d5s --latency "$DAY_URL" 2>&1)
	echo "$out" >>"$R/pages.txt"
	feed_sample page-day "$out"
	sleep 1
	out=$(wrk -t"$BENCH_WRK_THREADS" -c50 -d5s --latency \
	    -s "$pdir/walk.lua" "$DAY_URL" 2>&1)
	echo "$out" >>"$R/pages.txt"
	feed_sample page-task "$out"
	sleep 1
	# This run's share of the links: BENCH_POSTS from 50 connections,
	# then BENCH_POSTS_ONE from one (the time of a POST on its own).
	f=$(($1 - 1))
	f=$((f * (BENCH_POSTS + BENCH_POSTS_ONE)))
	sed -n "$((f + 1)),$((f + BENCH_POSTS))p" "$pdir/post-links.txt" >"$pdir/posts-50"
	sed -n "$((f + BENCH_POSTS + 1)),$((f + BENCH_POSTS + BENCH_POSTS_ONE))p" \
	    "$pdir/post-links.txt" >"$pdir/posts-1"
	out=$("$BIN/post_loop" -c 50 -s "$S" -l page-post "$pdir/posts-50" \
	    "$POST_FIELDS" 2>&1)
	echo "post_loop -c 50 $out" >>"$R/pages.txt"
	log "  pages run $1, 50 connections: $out"
	sleep 1
	out=$("$BIN/post_loop" -c 1 -s "$S" -l page-post1 "$pdir/posts-1" \
	    "$POST_FIELDS" 2>&1)
	echo "post_loop -c 1 $out" >>"$R/pages.txt"
}
# What the phone sends: the outcome "reached", how, and a note (聊了新品).
POST_FIELDS='outcome=reached&kind=call&note=%E8%81%8A%E4%BA%86%E6%96%B0%E5%93%81'
pages_finish() {
	local pdir="$W/tmp/pages"
	if [ "$BENCH_PROFILE" = 1 ] && command -v perf >/dev/null; then
		log "pages: perf profile of the day page"
		perf record -q -F 499 --call-graph dwarf,16384 -p "$PAGES_PID" \
		    -o "$W/tmp/pages.perf" -- sleep 4 >/dev/null 2>&1 &
		wrk -t"$BENCH_WRK_THREADS" -c50 -d4s "$DAY_URL" >/dev/null 2>&1
		wait $!
		perf_text "$W/tmp/pages.perf" '0x0000' 70 "$R/profile-page-day.txt"
	fi
	httpd_stop "$PAGES_PID"
}

# The feeds, and the pages with the cached feed as their baseline: both
# servers run side by side and each run measures the feed and then the
# pages, so both see the same machine.  The pages alone still measure
# the feed.
step_http() {
	local r feeds=0 pages=0
	feeds_start && feeds=1
	if has_step pages; then
		[ "$feeds" = 1 ] || die "pages: no cached feed to measure beside them"
		pages_start
		pages=1
	fi
	[ "$feeds" = 1 ] || return 0
	log "feeds$([ "$pages" = 1 ] && echo ' and pages'): $BENCH_RUNS runs"
	for r in $(seq 1 "$BENCH_RUNS"); do
		feeds_round
		[ "$pages" = 1 ] && pages_round "$r"
	done
	feeds_finish
	[ "$pages" = 1 ] && pages_finish
	return 0
}
# wrk prints latencies as 1.23ms / 456.00us / 1.20s.
wrk_ms() { echo "$1" | awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.3f", v}'; }
feed_sample() {
	sample "$1" p50_ms "$(wrk_ms "$(echo "$2" | awk '$1=="50%" {print $2}')")"
	sample "$1" p99_ms "$(wrk_ms "$(echo "$2" | awk '$1=="99%" {print $2}')")"
	sample "$1" rps "$(echo "$2" | awk '/^Requests\/sec/ {print $2}')"
	sample "$1" non2xx "$(echo "$2" | awk '/Non-2xx/ {print $NF}' | grep . || echo 0)"
	sample "$1" sockerr "$(echo "$2" | awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' | grep . || echo 0)"
}

# ---------------------------------------------------------------- daemon
step_daemon() {
	local n=$LARGEST db c dd r pid t0 t1 yday i st port
	db=$(full_store "$n") || exit 1
	start_sink
	[ "$BENCH_DATE" = "$TODAY" ] ||
	    log "daemon: note: the store is generated for $BENCH_DATE, the daemon plans $TODAY"
	dd="$W/tmp/daemon"
	mkdir -p "$dd"
	port=$(free_port)
	c="$dd/d.conf"
	conf "$c" "$dd/d.db" "daemon: { state_dir = \"$dd\"; };
http: { listen = \"127.0.0.1:$port\"; base_url = \"http://127.0.0.1:$port\"; };
delivery: { quiet_hours = { start = \"00:00\"; end = \"00:00\"; }; batch = 100000; };
email: { transport = \"smtp\"; url = \"smtp://127.0.0.1:$SINK_PORT\"; tls = \"none\";
  from = \"greetings@acme.example\"; connections = 2;
  rate = { messages = 1000000; seconds = 60; }; };
sms: { transport = \"maildir\"; maildir = \"$dd/sms\";
  rate = { messages = 1000000; seconds = 60; }; };"
	yday=$(( $(dayno "$TODAY") - 1 ))
	log "daemon: one day's cycle on $n customers x $BENCH_RUNS"
	for r in $(seq 1 "$BENCH_RUNS"); do
		rm -rf "$dd/d.db"* "$dd/sms" "$dd/d.log"
		cp "$db" "$dd/d.db"
		# Steady state: the daemon ran yesterday (tiers and plan through
		# yesterday); today's cycle recomputes tiers, plans today and
		# tomorrow, queues and sends what is due.
		sqlite3 "$dd/d.db" "INSERT OR REPLACE INTO state (key, value) VALUES
		    ('planned_through', '$yday'), ('tiers_day', '$yday');"
		sink_stats >/dev/null
		t0=$(ms_now)
		"$OUTREACHD" -c "$c" --foreground --log-level info 2>"$dd/d.log" &
		pid=$!
		PIDS+=("$pid")
		for i in $(seq 1 6000); do
			grep -q 'cycle:' "$dd/d.log" && break
			kill -0 "$pid" 2>/dev/null || die "outreachd exited: $(tail -3 "$dd/d.log")"
			sleep 0.1
		done
		t1=$(ms_now)
		st=$(cat "/proc/$pid/status")
		sample "daemon-$n" wall_ms "$((t1 - t0))"
		sample "daemon-$n" rss_after_kb "$(echo "$st" | awk '/^VmRSS/ {print $2}')"
		sample "daemon-$n" hwm_kb "$(echo "$st" | awk '/^VmHWM/ {print $2}')"
		grep 'cycle:' "$dd/d.log" | head -1 >"$R/daemon-cycle.txt"
		kill "$pid"; wait "$pid" 2>/dev/null
		line=$(sink_stats)
		sample "daemon-$n" emails "$(field messages "$line")"
		sqlite3 "$dd/d.db" "SELECT action, day - $yday - 1 AS day, count(*)
		    FROM plan_items GROUP BY 1, 2;" >"$R/daemon-items.txt"
		log "  run $r: $((t1 - t0)) ms, $(echo "$st" | awk '/^VmRSS/ {print $2}') kB after"
	done
	rm -rf "$dd/d.db"*
}

# ---------------------------------------------------------------- feed build
# tests/bench_feed.c: feed_render_tasks() against a bare libical loop over
# the same 10,000 tasks, each the median of 5 runs in fresh processes.
step_feedbuild() {
	local out r
	make -C "$BUILD/tests" bench_feed >/dev/null 2>&1 ||
	    die "building tests/bench_feed failed"
	log "feed build: 10,000 tasks, ours against a bare libical loop"
	for r in $(seq 1 "$BENCH_RUNS"); do
		out=$("$BUILD/tests/bench_feed" 10000) || die "bench_feed failed"
		echo "$out" >>"$R/feedbuild.txt"
		sample feedbuild-libical ms "$(echo "$out" |
		    sed -n 's/^bare libical: median \([0-9.]*\) ms.*/\1/p')"
		sample feedbuild-ours ms "$(echo "$out" |
		    sed -n 's/^feed_render_tasks: median \([0-9.]*\) ms.*/\1/p')"
	done
}

# ---------------------------------------------------------------- main
setup
log "outreachd benchmarks: sizes $BENCH_SIZES, $BENCH_RUNS runs, day $BENCH_DATE, work $W"
T0=$(date +%s)
has_step import && step_import
has_step plan && step_plan
has_step report && step_report
has_step scan && step_scan
has_step growth && step_growth
has_step contacts && step_contacts
has_step deliver && step_deliver
has_step deliver_pg && step_deliver_pg
has_step ab && step_ab
has_step sms && step_sms
{ has_step feeds || has_step pages; } && step_http
has_step feedbuild && step_feedbuild
has_step daemon && step_daemon
cleanup
echo "load_end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$R/meta.txt"
echo "seconds $(( $(date +%s) - T0 ))" >>"$R/meta.txt"
$PY "$top/bench/report.py" "$R" >"$R/report.md" || die "report failed"
cat "$R/report.md"
log "done in $(( $(date +%s) - T0 )) s; results in $R"
