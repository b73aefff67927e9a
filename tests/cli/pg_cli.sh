#!/bin/bash
# The same commands on both stores: the planner's fixture imported, planned,
# scanned and reported on SQLite and on PostgreSQL (a private server,
# tests/peers/postgres.sh) give the same answers; the leader's lock is the
# database's on PostgreSQL (a second sender is refused while another
# session holds it); the daemon runs a cycle on PostgreSQL and sends.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$T_PEERS_DIR/postgres.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
fx=$top/tests/fixtures/plan
command -v faketime >/dev/null || t_skip_all "faketime not installed"
bt=$(cd "${top_builddir:-..}" 2>/dev/null && pwd) || bt=$PWD/..
grep -q '^#define HAVE_POSTGRESQL 1' "$bt/config.h" 2>/dev/null ||
	t_skip_all "built without PostgreSQL (configure --with-postgresql)"
pgdir=$(t_tmpdir)/pg
pg_start "$pgdir" >"$T_TMPDIR/pg_start.log" 2>&1
rc=$?
[ $rc = 77 ] && t_skip_all "$(tail -1 "$T_TMPDIR/pg_start.log")"
t_cleanup_push "pg_stop '$pgdir'"
[ $rc = 0 ] || t_bail "PostgreSQL did not start: $(tail -3 "$T_TMPDIR/pg_start.log")"
. "$pgdir/env"

# One configuration per store, the same but for the store.
dir=$(t_tmpdir)
mkconf() { # NAME STORE
	mkdir -p "$dir/$1"
	cat >"$dir/$1/c.conf" <<CONF
store = "$2";
templates = "$top/templates";
timezone = "UTC";
daemon: { state_dir = "$dir/$1"; };
email: { transport = "maildir"; maildir = "$dir/$1/mail"; };
sms: { transport = "maildir"; maildir = "$dir/$1/sms"; };
http: { base_url = "https://crm.acme.example/"; };
CONF
}
mkconf lite "$dir/lite/s.db"
mkconf pg "$PG_URI"
at() { faketime "$1" "$CTL" -c "$dir/$2/c.conf" "${@:3}"; }
for b in lite pg; do
	{
		at '2027-01-29 10:00:00' $b init
		at '2027-01-29 10:00:00' $b rep add li --name '李娜'
		at '2027-01-29 10:00:00' $b rep add smith --name 'Anna Smith'
		for k in customers purchases; do
			at '2027-01-29 10:00:00' $b import $k "$fx/$k.csv" --no-progress
		done
		at '2027-02-01 10:00:00' $b import contacts "$fx/contacts.csv" --no-progress
	} >"$dir/$b/setup.out" 2>&1
done
t_like "$(head -1 "$dir/pg/setup.out")" "^store postgresql://outreach@127.0.0.1:$PG_PORT/outreach ready \(schema version [0-9]+\)$" \
	"init on PostgreSQL"
t_is "$(sed 1d "$dir/pg/setup.out" | sed 's/ in [0-9.]*s ([0-9]* rows\/s)//')" \
	"$(sed 1d "$dir/lite/setup.out" | sed 's/ in [0-9.]*s ([0-9]* rows\/s)//')" \
	"reps and imports say the same"

# The same questions, the same answers.
same() { # TIME DESCRIPTION COMMAND...
	local a b
	a=$(at "$1" lite "${@:3}" 2>&1)
	b=$(at "$1" pg "${@:3}" 2>&1)
	t_is "$b" "$a" "$2"
}
# The candidates of each event come in customer id order on both
# engines, so the plan is the same, line for line.
same '2027-02-28 08:00:00' "plan --date 2027-02-28 (the same items, in the same order)" \
	plan --date 2027-02-28
same '2027-02-28 08:00:00' "plan --days 7 --json" plan --date 2027-02-22 --days 7 --json
same '2027-02-28 08:00:00' "stats" stats --json
same '2027-02-28 08:00:00' "customer show" customer show L01
same '2027-02-28 08:00:00' "customer list --json" customer list --json
t_ok "scan on PostgreSQL" at '2027-02-28 08:00:00' pg scan
t_ok "scan on SQLite" at '2027-02-28 08:00:00' lite scan
same '2027-02-28 09:00:00' "task list --json" task list --json
same '2027-02-28 09:00:00' "report --json" report --date 2027-02-28 --json
same '2027-02-28 09:00:00' "feed smith" feed smith

# Imports on both stores (the PostgreSQL one merges in bulk: COPY, then
# set-based statements): the same file again changes nothing and moves no
# updated_at; a changed name, a new attribute and an emptied one update
# those customers only; a bad file writes nothing.  PostgreSQL finds a
# file's duplicate keys once every row is loaded, so it reports them
# after the other errors: the messages are compared as sets.
imp() { # STORE FILE
	at '2027-03-01 10:00:00' "$1" import customers "$2" --no-progress 2>&1 |
	    sed 's/ in [0-9.]*s ([0-9]* rows\/s)//'
}
stamps() { at '2027-03-01 11:00:00' "$1" customer list --json |
	js '" ".join(c["external_id"] + "@" + str(c["updated_at"]) for c in d)'; }
before=$(stamps pg)
t_is "$(imp pg "$fx/customers.csv")" "$(imp lite "$fx/customers.csv")" \
	"import customers again: the same summary"
t_like "$(imp pg "$fx/customers.csv")" "nothing changed" "  nothing changed"
t_is "$(stamps pg)" "$before" "  no updated_at moved"
sed -e 's/^B02,Alice Brown,/B02,Alice Green,/' -e 's/^B01,\(.*\),茶$/B01,\1,/' \
	-e '1!{/^B03,/s/,$/,golf/}' "$fx/customers.csv" >"$dir/changed.csv"
a=$(imp pg "$dir/changed.csv")
t_is "$a" "$(imp lite "$dir/changed.csv")" "a changed file: the same summary"
t_like "$a" "0 new, 3 updated, 7 already there" "  three customers updated"
t_like "$(imp pg "$dir/changed.csv")" "nothing changed" "  and again nothing"
same '2027-03-01 11:00:00' "customer list --json after the change" customer list --json
same '2027-03-01 11:00:00' "customer show B01 (attribute emptied)" customer show B01 --json
same '2027-03-01 11:00:00' "customer show B02 (renamed)" customer show B02 --json
{
	head -1 "$fx/customers.csv"
	echo 'N01,New One,,,,,,,,,,,,'
	echo 'N02,,,,,,,,,,,,,'
	echo 'N01,Twice,,,,,,,,,,,,'
	echo 'N03,Bad Date,,,,1980-02-30,,,,,,,,'
} >"$dir/bad.csv"
a=$(imp pg "$dir/bad.csv")
t_is "$(echo "$a" | sort)" "$(imp lite "$dir/bad.csv" | sort)" \
	"a bad file: the same errors"
t_like "$a" "3 of 4 rows invalid; nothing was imported" "  three of them"
t_like "$(imp pg "$dir/bad.csv")" 'bad.csv:4:1: external_id: duplicate key "N01" in this file' \
	"  the duplicate key with its row and column"
t_is "$(at '2027-03-01 11:00:00' pg customer show N01 2>&1 >/dev/null; echo $?)" \
	"$(at '2027-03-01 11:00:00' lite customer show N01 2>&1 >/dev/null; echo $?)" \
	"  and nothing of it was written"
same '2027-03-01 11:00:00' "stats after the bad file" stats --json

# A role that needs its password, given only by store_password_file, a
# plain file or a systemd credential (%d/NAME); never in a message.
psql_do() { "$PG_BINDIR/psql" -X -q -d "$PG_URI" -c "$1" >/dev/null; }
psql_do "CREATE ROLE clerk LOGIN PASSWORD 'Sekret-42'; GRANT ALL ON ALL TABLES IN SCHEMA public TO clerk; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO clerk;"
{ printf 'host all clerk 127.0.0.1/32 scram-sha-256\n'; cat "$PG_DIR/data/pg_hba.conf"; } >"$dir/hba"
cat "$dir/hba" >"$PG_DIR/data/pg_hba.conf"
psql_do "SELECT pg_reload_conf();"
clerk="postgresql://clerk@127.0.0.1:$PG_PORT/outreach"
sed "s|^store = .*|store = \"$clerk\";|" "$dir/pg/c.conf" >"$dir/pg/clerk.conf"
"$CTL" -c "$dir/pg/clerk.conf" stats >/dev/null 2>"$dir/clerk.err"
t_is "$?" 73 "without its password the role is refused"
t_like "$(cat "$dir/clerk.err")" "password authentication failed|no password supplied" "  saying why"
mkdir -p "$dir/cred"
printf 'Sekret-42\n' >"$dir/cred/pgpass"
chmod 600 "$dir/cred/pgpass"
echo "store_password_file = \"$dir/cred/pgpass\";" >>"$dir/pg/clerk.conf"
t_ok "with store_password_file it opens the store" "$CTL" -c "$dir/pg/clerk.conf" stats
sed -i "s|^store_password_file = .*|store_password_file = \"%d/pgpass\";|" "$dir/pg/clerk.conf"
t_ok "  and as a systemd credential (%d/pgpass)" env CREDENTIALS_DIRECTORY="$dir/cred" \
	"$CTL" -c "$dir/pg/clerk.conf" stats
printf 'wrong\n' >"$dir/cred/pgpass"
env CREDENTIALS_DIRECTORY="$dir/cred" "$CTL" -c "$dir/pg/clerk.conf" stats >/dev/null 2>"$dir/clerk.err"
t_unlike "$(cat "$dir/clerk.err")" "Sekret|wrong" "a refused password never shows in the message"

# The leader's lock: another session holds it, a send (which plans and
# queues too) is refused.
"$PG_BINDIR/psql" -X -q -d "$PG_URI" -c "SELECT pg_advisory_lock(7310452);" \
	-c "SELECT pg_sleep(4);" >/dev/null 2>&1 &
holder=$!
t_wait_until 10 eval '"$PG_BINDIR/psql" -X -At -d "$PG_URI" -c "SELECT count(*) FROM pg_locks WHERE locktype = '"'advisory'"' AND objid = 7310452" | grep -qx 1'
at '2027-02-28 09:00:00' pg send >/dev/null 2>"$dir/refused.err"
t_is "$?" 75 "a send while another instance holds the lock: EX_TEMPFAIL"
t_like "$(cat "$dir/refused.err")" "another outreachd plans and queues from this store" "  saying why"
wait "$holder"

# The daemon: one cycle on PostgreSQL sends the day's messages.
t_ok "outreachd --once on PostgreSQL" faketime '2027-02-28 08:30:00' \
	"$OUTREACHD" -c "$dir/pg/c.conf" --once
t_ok "outreachd --once on SQLite" faketime '2027-02-28 08:30:00' \
	"$OUTREACHD" -c "$dir/lite/c.conf" --once
count() { find "$dir/$1/$2" -type f 2>/dev/null | wc -l; }
t_like "$(count pg mail)" '^[1-9][0-9]*$' "e-mails sent from PostgreSQL ($(count pg mail))"
t_is "$(count pg mail) $(count pg sms)" "$(count lite mail) $(count lite sms)" \
	"as many e-mails and SMS as from SQLite"
same '2027-02-28 09:00:00' "outbox list --json" outbox list --json

# Migrations on PostgreSQL: a copy of the store taken back to version 21
# (contacts_customer instead of contacts_last) is migrated by the first
# command that opens it, its rows kept; a version newer than the
# program is refused.
psql_do() { "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$@"; }
old_uri="${PG_URI%/*}/old"
psql_do "$PG_URI" -c "CREATE DATABASE old TEMPLATE outreach"
psql_do "$old_uri" -c "DROP INDEX contacts_last;
    CREATE INDEX contacts_customer ON contacts(customer_id, day);
    UPDATE state SET value = '21' WHERE key = 'schema_version';"
mkconf old "$old_uri"
t_is "$(at '2027-02-28 09:00:00' old stats --json 2>&1)" \
	"$(at '2027-02-28 09:00:00' pg stats --json 2>&1)" \
	"a version 21 store: opened, its rows kept"
t_is "$(psql_do "$old_uri" -c "SELECT value FROM state WHERE key =
    'schema_version'; SELECT string_agg(indexname, ',' ORDER BY indexname)
    FROM pg_indexes WHERE tablename = 'contacts';")" \
	"$(printf '22\ncontacts_last,contacts_pkey,contacts_visits')" \
	"  and migrated to 22: contacts_last in place of contacts_customer"
psql_do "$old_uri" -c "UPDATE state SET value = '99' WHERE key = 'schema_version';"
t_fails "a version 99 store is refused" at '2027-02-28 09:00:00' old stats
t_like "$T_OUT" "schema version 99 is newer than this program \\(22\\): upgrade outreachd" \
	"  saying why"
t_done
