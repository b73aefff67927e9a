#!/bin/bash
# The daemon, black-box: --check and --once exit codes, one instance per
# state directory, several simulated days under libfaketime (a birthday on
# day 2, a revisit on day 3, a quiet-hours night), SIGHUP with a broken and
# with a valid configuration, SIGTERM in the middle of sends (nothing lost),
# sd_notify messages (a failed reload stays in STATUS= until a good one),
# and systemd-analyze verify on the unit.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v faketime >/dev/null || t_skip_all "faketime not installed"
dir=$(t_tmpdir)

conf() { # FILE STORE-NAME [EXTRA]
	cat >"$1" <<CONF
store = "$(t_store "$dir/$2.db")";
company = "Acme Trading";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
daemon: { state_dir = "$dir/$2"; scan_interval = 3600; };
http: { listen = "127.0.0.1:0"; };
$3
CONF
	mkdir -p "$dir/$2"
}

# --check
conf "$dir/good.conf" good
t_like "$("$D" --check -c "$dir/good.conf")" "good.conf: ok" "--check: valid configuration"
printf 'rules = ( { name = "x"; event = "birthday"; action = "message"; template = "nosuch"; } );\n' >>"$dir/bad.conf"
cat "$dir/good.conf" >>"$dir/bad.conf"
out=$("$D" --check -c "$dir/bad.conf" 2>&1); rc=$?
t_is "$rc" 78 "--check: a rule without templates exits EX_CONFIG"
t_like "$out" "bad.conf:1: rule x: no template nosuch.email.tmpl" "--check names the rule's line"
t_is "$("$D" --bogus >/dev/null 2>&1; echo $?)" 64 "unknown option: EX_USAGE"

# Simulated days.  Customers live in Shanghai; the daemon runs at fixed
# local times through libfaketime.
conf "$dir/days.conf" days 'delivery: { quiet_hours = { start = "21:00"; end = "09:00"; }; };'
ctl() { "$CTL" -c "$dir/days.conf" "$@"; }
faketime '2027-03-01 10:00:00' "$CTL" -c "$dir/days.conf" rep add li --name '李娜' --phone 13911112222 >/dev/null
printf 'external_id,name,email,phone,birthday,tier,rep,locale,timezone,channel\n' >"$dir/days.csv"
printf 'D1,张伟,zw@example.test,13800138000,1980-03-02,B,li,zh_CN,Asia/Shanghai,sms\n' >>"$dir/days.csv"
printf 'D2,王芳,wf@example.test,,1985-03-03,B,li,zh_CN,Asia/Shanghai,email\n' >>"$dir/days.csv"
printf 'D3,Night Owl,no@example.test,,1990-03-04,C,li,en,Asia/Shanghai,email\n' >>"$dir/days.csv"
faketime '2027-03-01 10:00:00' "$CTL" -c "$dir/days.conf" import customers "$dir/days.csv" >/dev/null
printf 'external_id,date,kind,rep\nD2,2026-12-03,visit,li\nD1,2027-02-20,call,li\nD3,2027-02-20,call,li\n' >"$dir/days-c.csv"
faketime '2027-03-01 10:00:00' "$CTL" -c "$dir/days.conf" import contacts "$dir/days-c.csv" >/dev/null
run_at() { TZ=Asia/Shanghai faketime "$1" "$D" -c "$dir/days.conf" --once --log-level warning; }
t_ok "day 1 (2027-03-01 10:00): --once exits 0" run_at '2027-03-01 10:00:00'
t_is "$(ctl outbox --json | js '[(m["key"], m["state"]) for m in d]')" \
	"[('birthday:1:2027-03-02:sms', 'pending')]" "day 1: nothing sent; tomorrow's birthday already queued"
t_ok "day 2 (03-02 10:00): --once" run_at '2027-03-02 10:00:00'
t_is "$(ctl outbox --json | js '[(m["key"], m["state"]) for m in d if m["state"] == "sent"]')" \
	"[('birthday:1:2027-03-02:sms', 'sent')]" "day 2: D1's birthday SMS sent"
t_is "$(ls "$dir/days/maildir/sms/new" | wc -l)" 1 "day 2: one SMS in the maildir"
t_ok "day 3 (03-03 10:00): --once" run_at '2027-03-03 10:00:00'
t_like "$(ctl outbox --json | js '[m["key"] for m in d]')" "birthday:2:2027-03-03:email" "day 3: D2's birthday e-mail"
t_like "$(ctl task list --json 2>/dev/null || t_sql "$dir/days.db" "select rule, reason from plan_items where action='task'")" \
	"revisit_b" "day 3: D2's revisit task (visit on 2026-12-03 + 90 days)"
# The quiet-hours night: at 23:30 on 03-03 the 03-04 birthday (planned
# through tomorrow) waits; at 08:59 it still waits; at 09:01 it goes.
t_ok "night (03-03 23:30): --once" run_at '2027-03-03 23:30:00'
t_is "$(ctl outbox --json | js '[m["state"] for m in d if m["key"].startswith("birthday:3:")]')" "['pending']" \
	"night: D3's message is queued but not sent"
t_ok "morning (03-04 08:59): --once" run_at '2027-03-04 08:59:00'
t_is "$(ctl outbox --json | js '[m["state"] for m in d if m["key"].startswith("birthday:3:")]')" "['pending']" \
	"08:59: still quiet"
t_ok "morning (03-04 09:01): --once" run_at '2027-03-04 09:01:00'
t_is "$(ctl outbox --json | js '[m["state"] for m in d if m["key"].startswith("birthday:3:")]')" "['sent']" \
	"09:01: sent when the window opens"
t_ok "day 3 again: --once is idempotent" run_at '2027-03-04 10:00:00'
t_is "$(ctl outbox --json | js 'len(d)')" 3 "no duplicates after re-running"

# One instance per state directory; sd_notify; reloads; SIGTERM.
conf "$dir/run.conf" run 'delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
rules = ( { name = "revisit_c"; event = "revisit"; tiers = ["C"]; action = "task"; task = "call"; } );'
t_bg "$dir/notify.pid" /usr/bin/python3 "$top/tests/peers/notify_sink.py" "$dir/notify.sock" "$dir/notify.log"
t_wait_file "$dir/notify.sock" 10
printf 'external_id,name,email,birthday\nR1,Reload Rita,rr@example.test,1980-%s\n' "$(TZ=Asia/Shanghai date +%m-%d)" >"$dir/run.csv"
"$CTL" -c "$dir/run.conf" import customers "$dir/run.csv" >/dev/null
NOTIFY_SOCKET="$dir/notify.sock" WATCHDOG_USEC=4000000 "$D" -c "$dir/run.conf" >"$dir/run.log" 2>&1 &
dpid=$!
t_cleanup_push "kill -9 $dpid 2>/dev/null"
t_ok "READY=1 sent" t_wait_until 10 grep -q 'READY=1' "$dir/notify.log"
t_ok "STATUS= with the last scan" t_wait_until 10 grep -q "STATUS=last scan" "$dir/notify.log"
if t_pg; then
	# On PostgreSQL a second daemon stays as a standby (README, "Scaling
	# out"): the one that cannot wait, --once, is refused.
	out=$("$D" -c "$dir/run.conf" --once 2>&1); rc=$?
	t_is "$rc" 75 "a second instance (--once) exits EX_TEMPFAIL"
	t_like "$out" "another outreachd [a-z ]+ from this store \\(.*lock in the database is held\\)" \
		"with a clear message"
else
	out=$("$D" -c "$dir/run.conf" --foreground 2>&1); rc=$?
	t_is "$rc" 75 "a second instance exits EX_TEMPFAIL"
	t_like "$out" "another outreachd \\(pid $dpid\\) is sending from this store" "with a clear message naming the pid"
fi
t_ok "WATCHDOG=1 keeps coming" t_wait_until 6 sh -c "test \$(grep -c WATCHDOG=1 '$dir/notify.log') -ge 2"
# A broken reload keeps the old configuration.  Its two problems are two
# log lines, each with its own priority (journald reads it per line); the
# failure stays in the status line, after the next scan too, until a
# reload succeeds.
since_reload() { # the notify messages since the last RELOADING=1
	awk '/RELOADING=1/ { n = 0; next } { a[++n] = $0 } END { for (i = 1; i <= n; i++) print a[i] }' \
		"$dir/notify.log"
}
statuses() { since_reload | grep '^STATUS='; }
has_status() { statuses | grep -q -- "$1"; }
nstatus_above() { test "$(statuses | wc -l)" -gt "$1"; }
scans_above() { test "$(grep -c '^<6>planned ' "$dir/run.log")" -gt "$1"; }
cp "$dir/run.conf" "$dir/run.conf.good"
printf 'frobnicate = 1;\nscan_every = 5;\n' >>"$dir/run.conf"
kill -HUP "$dpid"
t_ok "broken reload is logged" t_wait_until 10 grep -q 'reload failed, keeping the running configuration' "$dir/run.log"
t_ok "daemon still running" kill -0 "$dpid"
t_is "$(grep -c '^<3>.*run\.conf:[0-9]*: unknown setting' "$dir/run.log")" 2 \
	"two problems: two log lines, each with its <3>"
t_is "$(grep -vc '^<[0-7]>' "$dir/run.log")" 0 "no log line without a priority"
t_like "$(cat "$dir/notify.log")" "RELOADING=1" "RELOADING=1 around the reload"
t_ok "STATUS= says the reload failed" t_wait_until 10 has_status 'reload failed'
t_like "$(statuses | head -n 1)" \
	"^STATUS=reload failed at [0-9]{2}:[0-9]{2}: .*run\\.conf:[0-9]+: unknown setting .*\\(and 1 more in the log\\); running the previous configuration; last scan " \
	"with the time, the first problem, how many more, and the last scan"
n=$(grep -c '^<6>planned ' "$dir/run.log")
kill -USR1 "$dpid"
t_ok "a scan after the failed reload" t_wait_until 10 scans_above "$n"
t_ok "a status after that scan" t_wait_until 10 nstatus_above "$(statuses | wc -l)"
t_is "$(statuses | grep -vc '^STATUS=reload failed at ')" 0 "every status since the reload still says it failed"
# A valid change takes effect: the birthday rule is added.
sed 's/^rules = ( /rules = ( { name = "birthday"; event = "birthday"; action = "message"; }, /' \
	"$dir/run.conf.good" >"$dir/run.conf"
kill -HUP "$dpid"
t_ok "valid reload is logged" t_wait_until 10 grep -q 'configuration reloaded' "$dir/run.log"
t_ok "the new birthday rule sends at once" t_wait_until 10 sh -c \
	"ls '$dir/run/maildir/email/new' 2>/dev/null | grep -q ."
t_ok "a status after the valid reload" t_wait_until 10 has_status '^STATUS=last scan'
t_is "$(statuses | grep -c 'reload failed')" 0 "and it no longer mentions the failed one"
kill -TERM "$dpid"
wait "$dpid"
t_is "$?" 0 "SIGTERM: exit 0"
t_like "$(cat "$dir/notify.log")" "STOPPING=1" "STOPPING=1 on the way out"
t_like "$(head -1 "$dir/run.log")" "^<5>started" "logs carry syslog priority prefixes"

# SIGTERM in the middle of sends: a slow SMTP server, many messages.
if /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
	t_bg "$dir/slow.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
		--portfile "$dir/slow.port" --maildir "$dir/slowmail" --slow 0.05 --owner-pid $$ --quiet
	t_wait_file "$dir/slow.port" 10
	port=$(cat "$dir/slow.port")
	t_wait_port "$port" 10
	conf "$dir/term.conf" term "delivery: { quiet_hours = { start = \"00:00\"; end = \"00:00\"; }; batch = 10000; };
email: { transport = \"smtp\"; url = \"smtp://127.0.0.1:$port\"; tls = \"none\"; from = \"a@acme.example\"; connections = 2; };"
	/usr/bin/python3 - "$(TZ=Asia/Shanghai date +%m-%d)" >"$dir/term.csv" <<'PY'
import sys
print("external_id,name,email,birthday")
for i in range(200):
    print("T%03d,Term %d,t%03d@example.test,1980-%s" % (i, i, i, sys.argv[1]))
PY
	"$CTL" -c "$dir/term.conf" import customers "$dir/term.csv" >/dev/null
	"$D" -c "$dir/term.conf" --foreground >"$dir/term.log" 2>&1 &
	tpid=$!
	t_wait_until 20 sh -c "ls '$dir/slowmail/new' 2>/dev/null | grep -q eml"
	sleep 0.5
	kill -TERM "$tpid"
	wait "$tpid"
	t_is "$?" 0 "SIGTERM during sends: exit 0"
	j=$("$CTL" -c "$dir/term.conf" outbox --json)
	t_is "$(echo "$j" | js 'sum(m["state"]=="sending" for m in d)')" 0 "no message left in 'sending'"
	sent=$(echo "$j" | js 'sum(m["state"]=="sent" for m in d)')
	t_ok "stopped part-way ($sent of 200 sent)" test "$sent" -gt 0 -a "$sent" -lt 200
	t_ok "a restart finishes the batch" "$D" -c "$dir/term.conf" --once --log-level warning
	got=$(grep -h '^X-Outreachd-Key' "$dir"/slowmail/new/*.eml | sort -u | wc -l)
	t_is "$got" 200 "all 200 arrived, none lost"
else
	t_skip 5 "python3-aiosmtpd not installed"
fi

# SIGTERM while the SMS gateway hangs: the transfer runs on the pass
# thread itself; after shutdown_grace it is abandoned, its row stays
# 'sending' (the next start sends it again) and the daemon exits 0.
t_bg "$dir/hang.pid" /usr/bin/python3 "$top/tests/peers/httpsink.py" --port 0 \
	--portfile "$dir/hang.port" --log "$dir/hang.requests" --hang --owner-pid $$
t_wait_file "$dir/hang.port" 10
conf "$dir/hang.conf" hang "delivery: { quiet_hours = { start = \"00:00\"; end = \"00:00\"; }; };
sms: { transport = \"http\"; url = \"http://127.0.0.1:$(cat "$dir/hang.port")/send\"; timeout_seconds = 60; };"
sed -i 's/scan_interval = 3600;/scan_interval = 3600; shutdown_grace = 1;/' "$dir/hang.conf"
printf 'external_id,name,phone,birthday,channel\nH1,Hang Wu,13800138009,1980-%s,sms\n' \
	"$(TZ=Asia/Shanghai date +%m-%d)" >"$dir/hang.csv"
"$CTL" -c "$dir/hang.conf" import customers "$dir/hang.csv" >/dev/null
"$D" -c "$dir/hang.conf" --foreground >"$dir/hang.log" 2>&1 &
hpid=$!
t_wait_until 20 test -s "$dir/hang.requests"
start=$(date +%s%N)
kill -TERM "$hpid"
wait "$hpid"
t_is "$?" 0 "SIGTERM while the SMS gateway hangs: exit 0"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_ok "it waits shutdown_grace (1 s), not the 60 s timeout (${ms} ms)" test "$ms" -ge 900 -a "$ms" -lt 10000
t_like "$(cat "$dir/hang.log")" "still sending at shutdown" "the abandoned SMS is logged"
t_is "$("$CTL" -c "$dir/hang.conf" outbox --json | js '[m["state"] for m in d]')" "['sending']" \
	"its row stays 'sending' for the next start"

# The unit file passes systemd-analyze verify.
if command -v systemd-analyze >/dev/null; then
	sed -e "s|@sbindir@|$(cd "$(dirname "$D")" && pwd)|" -e "s|@sysconfdir@|$dir|" \
		"$top/systemd/outreachd.service.in" >"$dir/outreachd.service"
	out=$(systemd-analyze verify --man=no "$dir/outreachd.service" 2>&1); rc=$?
	t_is "$rc" 0 "systemd-analyze verify passes"
	[ -n "$out" ] && t_diag "$out"
	exp=$(systemd-analyze security --offline=true --man=no "$dir/outreachd.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for outreachd.service: \([0-9.]*\).*/\1/p')
	t_diag "systemd-analyze security exposure: $exp"
	t_ok "systemd-analyze security exposure ($exp) is below 2.0" awk "BEGIN { exit !($exp < 2.0) }"
else
	t_skip 2 "systemd-analyze not installed"
fi
t_done
