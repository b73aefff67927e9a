#!/bin/bash
# The morning digest, end to end through the real SMTP peer (aiosmtpd):
# a rep who opted in gets the day's tasks once, at digest.hour of their
# own zone, even inside the customers' quiet hours, each task with the
# signed link of its page; managers get the escalations under each rep's
# name and every rep's overdue count; reps who did not opt in, have no
# address or nothing due get nothing; a daemon down at the hour sends it
# later that day, never the next.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
fx="$top/tests/fixtures/plan"
command -v faketime >/dev/null || t_skip_all "faketime not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
	t_skip_all "python3-aiosmtpd not installed"
dir=$(t_tmpdir)
conf="$dir/o.conf"

t_bg "$dir/smtpd.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
	--portfile "$dir/smtpd.port" --maildir "$dir/mail" --owner-pid $$ --quiet
t_wait_file "$dir/smtpd.port" 10
port=$(cat "$dir/smtpd.port")
t_wait_port "$port" 10

# Quiet hours until 09:00 hold customers' messages; the 08:00 digest is
# the rep's and goes at once.
write_conf() { # LOCALE
	cat >"$conf" <<CONF
store = "$(t_store "$dir/o.db")";
company = "Acme Trading";
timezone = "Asia/Shanghai";
locale = "$1";
country_code = "86";
templates = "$top/templates";
managers = [ "boss" ];
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
delivery: { quiet_hours = { start = "21:00"; end = "09:00"; }; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$port"; tls = "none";
  from = "crm@acme.example"; helo = "acme.example"; };
sms: { transport = "maildir"; };
http: { base_url = "https://crm.acme.example"; };
digest: { enabled = true; hour = 8; };
CONF
}
write_conf en
mkdir -p "$dir/state"
at() { faketime "$1" "${@:2}"; }
ctlat() { faketime "$1" "$CTL" -c "$conf" "${@:2}"; }
once() { faketime "$1" "$OUTREACHD" -c "$conf" --once 2>>"${DIGEST_LOG:-$dir/daemon.log}"; }
# The digests received: "recipient|subject" per message, in order.
got() {
	/usr/bin/python3 - "$dir/mail/new" <<'EOF'
import email, email.header, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(f, "rb").read())
    if "digest" not in m["X-Outreachd-Key"]:
        continue
    s = str(email.header.make_header(email.header.decode_header(m["Subject"])))
    print(m["To"].split("<")[-1].rstrip(">") + "|" + s)
EOF
}
# The text of the last digest to ADDRESS.
body() {
	/usr/bin/python3 - "$dir/mail/new" "$1" <<'EOF'
import email, glob, sys
last = None
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(f, "rb").read())
    if "digest" in m["X-Outreachd-Key"] and sys.argv[2] in m["To"]:
        last = m
for part in last.walk():
    if part.get_content_type() == "text/plain":
        print(part.get_payload(decode=True).decode(part.get_content_charset()).replace("\r\n", "\n"))
EOF
}

t0='2027-01-29 10:00:00'
ctlat "$t0" rep add li --name '李娜' --email li@acme.example --digest >/dev/null
ctlat "$t0" rep add smith --name 'Anna Smith' --email smith@acme.example \
	--timezone Europe/London --digest >/dev/null
ctlat "$t0" rep add boss --name 'Big Boss' --email boss@acme.example --digest >/dev/null
ctlat "$t0" rep add quiet --name 'Not Subscribed' --email quiet@acme.example >/dev/null
for k in customers purchases; do
	ctlat "$t0" import $k "$fx/$k.csv" >/dev/null 2>&1
done
# Contacts once they have happened: history after tomorrow is refused.
ctlat '2027-02-01 10:00:00' import contacts "$fx/contacts.csv" >/dev/null 2>&1
ctlat "$t0" rep token li >/dev/null 2>&1
# quiet is given a customer with a task so that only the opt-in keeps
# them out of the digests.
printf 'external_id,name,tier,rep,phone\nQ01,Quinn Quiet,C,quiet,13700137000\n' >"$dir/q.csv"
ctlat "$t0" import customers "$dir/q.csv" >/dev/null 2>&1

# A store whose tokens came before task links has no link key: the
# daemon makes it at start.
t_sql "$dir/o.db" "DELETE FROM state WHERE key = 'replink_secret';"

# 07:30 in Shanghai (23:30 UTC the day before): the day is planned, no
# digest yet.
once '2027-02-27 23:30:00'
t_is "$(got)" "" "before 08:00 in the rep's zone: no digest"
t_ok "the day's tasks are planned" test -n "$(ctlat '2027-02-27 23:30:00' task list --rep li)"

# 08:30 in Shanghai, 00:30 in London.
once '2027-02-28 00:30:00'
t_is "$(got)" "li@acme.example|Your day 2027-02-28: 1 follow-ups, 0 overdue" \
	"08:30 in Shanghai: li's digest; smith (00:30 in London) not yet; boss has nothing due"
b=$(body li@acme.example)
t_like "$b" $'1\\. Send a greeting to 张伟 \\(tier A\\) — today\n   birthday today \\(turns 47\\); record not updated for 30 days' \
	"the task's title, when, and why: her birthday greeting to send (tier A), the refresh merged in"
t_like "$b" "Phone: \\+8613800138000" "with the customer's phone"
link=$(printf '%s\n' "$b" | grep -o 'https://crm.acme.example/t/[A-Za-z0-9_-]*' | head -1)
t_like "$link" "^https://crm.acme.example/t/[A-Za-z0-9_-]{43}$" "and the task's signed link"
t_unlike "$(got)" "quiet@" "a rep who did not opt in gets none"
t_is "$(ctlat '2027-02-28 00:30:00' outbox --json | js '[m["state"] for m in d if m["key"].startswith("digest:")]')" \
	"['sent']" "sent at 08:30 although customers' quiet hours last until 09:00"

once '2027-02-28 03:00:00'
t_is "$(got | wc -l)" 1 "a second cycle the same morning sends no second digest"

# 09:00 in London.
once '2027-02-28 09:00:00'
t_like "$(got | tail -1)" "^smith@acme.example\\|Your day 2027-02-28: [0-9]+ follow-ups" \
	"smith's digest comes at 08:00 London time"

# The link in the digest is the one the task's page answers to: the
# daemon's HTTP service opens it.
hp=$(t_freeport)
sed -e "s|base_url = \"https://crm.acme.example\";|base_url = \"https://crm.acme.example\"; listen = \"127.0.0.1:$hp\";|" \
	-e 's|enabled = true;|enabled = false;|' "$conf" >"$dir/http.conf"
t_bg "$dir/http.pid" "$OUTREACHD" -c "$dir/http.conf" --foreground
t_wait_port "$hp" 10
page=$(curl -s "http://127.0.0.1:$hp/t/${link##*/}")
t_like "$page" "张伟" "the digest's link opens the task's page"
t_kill "$dir/http.pid"

# Three days on: li's task is overdue and escalated (tier A after 3
# days); boss, a manager, gets the escalation and the team's counts.
# The daemon was down at 08:00 and comes back at 15:00: still today's.
write_conf zh_CN
once '2027-03-03 07:00:00'
t_like "$(got | grep boss@)" "^boss@acme.example\\|2027-03-03 今日跟进 0 项，逾期 0 项$" \
	"15:00 after downtime: boss's digest of the same day, in the company's zh_CN"
b=$(body boss@acme.example)
t_like "$b" "已升级" "the escalations section"
t_like "$b" $'李娜 \\(li\\)\n  - [^\n]*张伟（A类）：逾期3天' "under the rep's name, why in Chinese"
t_like "$b" "李娜 \\(li\\)：逾期 1" "each rep's overdue count"
t_like "$(body li@acme.example)" "逾期3天" "li's own digest says how late"
t_is "$(got | grep -c '2027-03-0[12]')" 0 "days the daemon never ran get no digest afterwards"

# Nothing due for anyone, digests off for smith: nothing more.
n=$(got | wc -l)
ctlat "$t0" rep add smith --name 'Anna Smith' --email smith@acme.example --no-digest >/dev/null
once '2027-03-03 09:30:00'
t_is "$(got | wc -l)" "$n" "a rep who opted out again gets no more"
t_done
