#!/bin/bash
# Control over what goes out, against the real SMTP peer (aiosmtpd):
# send --dry-run writes nothing; outbox hold stops sending while queueing
# goes on; a template fixed and an address corrected while held are what
# go out on release (the same Message-ID); cancel by id, customer, rule
# and day keeps the reason and leaves sent messages alone; a retry after
# an address fix goes to the new address; a birthday held past its
# max_delay_days expires; a cancel or a hold during a running pass wins
# over the pass.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v faketime >/dev/null || t_skip_all "faketime not installed"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
	t_skip_all "python3-aiosmtpd not installed"
dir=$(t_tmpdir)
today=$(TZ=Asia/Shanghai date +%m-%d)
todayf=$(TZ=Asia/Shanghai date +%F)

start_smtpd() { # NAME ARGS...
	t_bg "$dir/$1.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
		--portfile "$dir/$1.port" --maildir "$dir/$1.mail" --owner-pid $$ --quiet "${@:2}"
	t_wait_file "$dir/$1.port" 10
	port=$(cat "$dir/$1.port")
	t_wait_port "$port" 10
}
mkconf() { # NAME PORT [EXTRA]
	cat >"$dir/$1.conf" <<CONF
store = "$(t_store "$dir/$1.db")";
timezone = "Asia/Shanghai";
templates = "$dir/tpl";
daemon: { state_dir = "$dir/$1.state"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; };
  retry_base_seconds = 1; retry_max_seconds = 1; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$2"; tls = "none";
  from = "greetings@acme.example"; helo = "acme.example"; connections = 1; };
$3
CONF
	mkdir -p "$dir/$1.state"
}
# "KEY|To|Subject|Message-ID" per message the sink stored.
got() {
	/usr/bin/python3 - "$dir/$1.mail/new" <<'EOF'
import email, email.header, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(f, "rb").read())
    s = str(email.header.make_header(email.header.decode_header(m["Subject"])))
    print("|".join([m["X-Outreachd-Key"], m["To"].split("<")[-1].rstrip(">"), s, m["Message-ID"]]))
EOF
}
cp -r "$top/templates" "$dir/tpl"
customers() { # FILE N BIRTHDAY(MM-DD) [PREFIX]
	{ echo 'external_id,name,email,birthday,tier'
	  for i in $(seq 1 "$2"); do echo "${4:-C}$i,Customer $i,${4:-c}$i@example.test,1980-$3,C"; done
	} >"$1"
}

# 1. A dry run writes nothing, but says what would be queued.
start_smtpd a
mkconf a "$port"
c() { "$CTL" -c "$dir/a.conf" "$@"; }
customers "$dir/a.csv" 3 "$today"
c import customers "$dir/a.csv" >/dev/null
c scan
out=$(c -v send --dry-run 2>"$dir/dry.err")
t_like "$out" "0 queued, 0 sent.* 3 would be queued and 0 sent \\(dry run\\)" "send --dry-run: 3 would be queued"
t_like "$(cat "$dir/dry.err")" "would queue birthday:[0-9]+:$todayf:email to c1@example.test \\(email\\)" \
	"each one named, with its address"
t_is "$(c outbox --json)" "[]" "and nothing was written"
t_is "$(c -v send --dry-run 2>/dev/null)" "$out" "a second dry run says the same"

# 2. Hold: queueing goes on, nothing is sent.
t_like "$(c outbox hold)" "^sending: email held since .*, sms held since .*\\(outreachctl outbox release\\)$" "outbox hold"
t_like "$(c send)" "^3 queued, 0 sent, .*, 3 held$" "held: queued, not sent"
t_is "$(got a | wc -l)" 0 "nothing reached the server"
t_like "$(c outbox | head -1)" "^sending: email held since" "outbox shows the hold"
t_is "$(c outbox --json | js '[m["state"] for m in d]')" "['pending', 'pending', 'pending']" "the messages wait"

# 3. Cancel: by id and by customer, with the reason; not twice.
id1=$(c outbox --json | js '[m["id"] for m in d if m["recipient"]=="c1@example.test"][0]')
t_is "$(c outbox cancel "$id1" --reason 'wrong text')" "1 message cancelled" "cancel by id"
t_is "$(c outbox cancel "$id1" --reason again 2>"$dir/c.err")" "0 messages cancelled" "a second time cancels nothing"
t_like "$(cat "$dir/c.err")" "message $id1 is not queued" "and says why"
t_is "$(c outbox cancel --customer C2 --reason 'asked not to')" "1 message cancelled" "cancel by customer"
t_is "$(c outbox --json | js '[(m["state"], m["cancel_reason"]) for m in d]')" \
	"[('cancelled', 'wrong text'), ('cancelled', 'asked not to'), ('pending', None)]" "the reasons are kept"
t_fails "cancel without a reason" c outbox cancel --customer C3
t_fails "cancel with ids and a filter" c outbox cancel "$id1" --rule birthday --reason x

# 4. Fixed while held: the template and C3's address; released, the new
# text goes to the new address, with the Message-ID it was queued with.
key3=$(c outbox --json | js '[m["key"] for m in d if m["state"]=="pending"][0]')
sed -i 's/^Subject: .*/Subject: Many happy returns, {{name}}!/' "$dir/tpl/birthday.email.tmpl"
c customer set C3 email=right3@example.test >/dev/null
t_like "$(c outbox release)" "^sending: not held$" "outbox release"
t_like "$(c send)" "^0 queued, 1 sent, .*, 1 rendered again$" "released: sent, rendered again first"
t_is "$(got a | cut -d'|' -f1-3)" "$key3|right3@example.test|Many happy returns, Customer 3!" \
	"the fixed template, to the corrected address"
t_like "$(got a | cut -d'|' -f4)" "^<${key3//:/.}@acme.example>$" "the Message-ID of the dedup key, unchanged"
t_is "$(c outbox --json | js '[m["recipient"] for m in d if m["state"]=="sent"]')" "['right3@example.test']" \
	"the outbox row says where it went"
t_is "$(c outbox cancel --rule birthday --day "$todayf" --reason late)" "0 messages cancelled" \
	"a sent message is history: cancel leaves it alone"

# 5. A retry after an address fix goes to the new address.
start_smtpd b --fail-first 1 --fail-code 451
mkconf b "$port"
b() { "$CTL" -c "$dir/b.conf" "$@"; }
printf 'external_id,name,email,birthday,tier\nR1,Retry One,wrong@example.test,1980-%s,C\n' "$today" >"$dir/b.csv"
b import customers "$dir/b.csv" >/dev/null
b scan
b send >/dev/null 2>&1
t_is "$(b outbox --json | js '[(m["state"], m["recipient"]) for m in d]')" "[('retry', 'wrong@example.test')]" \
	"a 451: to retry"
b customer set R1 email=right@example.test >/dev/null
sleep 1.1
b send >/dev/null 2>&1
t_is "$(got b | cut -d'|' -f2)" "right@example.test" "the retry went to the corrected address"

# 6. Expiry: a birthday held past max_delay_days (1) is never sent; one a
# day late still is.
start_smtpd e
mkconf e "$port"
e() { faketime "$1" "$CTL" -c "$dir/e.conf" "${@:2}"; }
{ echo 'external_id,name,email,birthday,tier'
  echo 'E1,Early Bird,e1@example.test,1980-06-15,C'
  echo 'E2,Day Late,e2@example.test,1980-06-16,C'; } >"$dir/e.csv"
e '2027-06-10 04:00:00' import customers "$dir/e.csv" >/dev/null
e '2027-06-15 04:00:00' outbox hold >/dev/null
e '2027-06-15 04:00:00' scan
t_like "$(e '2027-06-15 04:00:00' send)" "^2 queued, 0 sent, .*, 1 held$" \
	"06-15: E1's birthday (and E2's of tomorrow) queued; E1's held"
e '2027-06-17 04:00:00' outbox release >/dev/null
e '2027-06-17 04:00:00' scan
t_like "$(e '2027-06-17 04:00:00' send)" "^0 queued, 1 sent, .*, 1 expired$" \
	"06-17: E1's (two days late) expired, E2's (one day late) sent"
t_is "$(e '2027-06-17 04:00:00' outbox --json | js '[(m["recipient"], m["state"]) for m in d]')" \
	"[('e1@example.test', 'expired'), ('e2@example.test', 'sent')]" "the outbox says so"
t_is "$(got e | cut -d'|' -f2)" "e2@example.test" "only E2's greeting arrived"

# 7. During a pass: a slow server; a cancel, then a hold, land while the
# pass runs.  A cancel wins over every message the pass has not taken
# (it takes up to 64 ahead of the connections); a hold also sends back
# those taken but not started: nothing cancelled arrives, nothing starts
# after the hold.
race() { # NAME ACTION...
	start_smtpd "$1" --slow 0.05
	mkconf "$1" "$port"
	customers "$dir/$1.csv" 100 "$today" "${1}"
	"$CTL" -c "$dir/$1.conf" import customers "$dir/$1.csv" >/dev/null
	"$CTL" -c "$dir/$1.conf" scan
	"$CTL" -c "$dir/$1.conf" send >"$dir/$1.out" 2>&1 &
	local spid=$!
	arrived() { [ "$(ls "$dir/$1.mail/new" 2>/dev/null | grep -c '\.eml$')" -ge 3 ]; }
	t_wait_until 10 arrived "$1"
	"$CTL" -c "$dir/$1.conf" "${@:2}" >"$dir/$1.act" 2>&1
	wait $spid
}
race x outbox cancel --rule birthday --day "$todayf" --reason "stop it"
ncan=$(sed -n 's/^\([0-9]*\) messages cancelled$/\1/p' "$dir/x.act")
nsent=$(got x | wc -l)
t_ok "a cancel during the pass cancelled some ($ncan) after some were sent ($nsent)" \
	test "$ncan" -gt 0 -a "$nsent" -gt 0
t_is "$((ncan + nsent))" 100 "every message either arrived or was cancelled"
cancelled=$("$CTL" -c "$dir/x.conf" outbox --json | js '" ".join(sorted(m["key"] for m in d if m["state"]=="cancelled"))')
t_is "$(got x | cut -d'|' -f1 | while read -r k; do case " $cancelled " in *" $k "*) echo "$k";; esac; done)" "" \
	"no cancelled message arrived"
race y outbox hold
nsent=$(got y | wc -l)
t_like "$(cat "$dir/y.out")" ", [0-9]+ held$" "a hold during the pass: the pass stops sending"
sleep 0.5
t_is "$(got y | wc -l)" "$nsent" "nothing arrives after the pass"
t_is "$("$CTL" -c "$dir/y.conf" outbox --json | js 'len([m for m in d if m["state"]=="pending"])')" "$((100 - nsent))" \
	"the rest wait for the release"
t_ok "fewer than a pass takes ahead ($nsent)" test "$nsent" -lt 30
t_done
