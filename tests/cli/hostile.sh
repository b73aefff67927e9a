#!/bin/bash
# Hostile input: header injection through names and addresses, SQL
# metacharacters in every field, path traversal in rule and template names,
# oversized CSV fields and lines, invalid UTF-8, and secrets that must
# never reach logs or error messages.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
cat >"$dir/o.conf" <<CONF
store = "$(t_store "$dir/o.db")";
templates = "$top/templates";
daemon: { state_dir = "$dir"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
CONF
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }

# Header injection: CR/LF in a name or an address is refused at the door.
printf 'external_id,name,email\r\nH1,"Eve\r\nBcc: victim@example.test",eve@example.test\r\nH2,Eve,"eve@example.test\r\nBcc: victim@example.test"\r\n' >"$dir/inj.csv"
out=$(ctl import customers "$dir/inj.csv" 2>&1); rc=$?
t_is "$rc" 65 "CR/LF in a name or an address: the file is refused"
t_like "$out" "inj.csv:2:2: name: control characters are not allowed" "the name is named"
t_like "$out" "inj.csv:3:3: email: " "the address is named"
t_is "$(ctl customer add H3 name="$(printf 'Eve\nBcc: x@y.z')" >/dev/null 2>&1; echo $?)" 65 "customer add refuses a newline in a name"

# SQL metacharacters are data.
sqlname="Robert'); DROP TABLE customers;--"
python3 - "$sqlname" >"$dir/sql.csv" <<'PY'
import csv, sys
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["external_id", "name", "salutation", "notes", "hobby"])
w.writerow(["x'; DELETE FROM reps;--", sys.argv[1], "%_*?", "1 OR 1=1", '"; --'])
PY
t_like "$(ctl import customers "$dir/sql.csv" 2>&1)" "imported 1 customers" "SQL metacharacters in every field import"
j=$(ctl customer show "x'; DELETE FROM reps;--" --json)
t_is "$(echo "$j" | js 'd["name"]')" "$sqlname" "and come back literally"
t_is "$(ctl stats --json | js 'd["customers"]')" 1 "the table is still there"
t_is "$(ctl customer list --tier "A' OR '1'='1" --json | js 'len(d)')" 0 "a quote in a filter matches nothing"

# Path traversal in rule and template names is a config error.
printf 'rules = ( { name = "../../etc/passwd"; event = "birthday"; action = "message"; } );\n' >"$dir/trav1.conf"
t_like "$("$CTL" -c "$dir/trav1.conf" check-config 2>&1)" "rule name must be lower-case letters" "a rule name cannot be a path"
printf 'rules = ( { name = "x"; event = "birthday"; action = "message"; template = "../../../etc/passwd"; } );\n' >"$dir/trav2.conf"
t_like "$("$CTL" -c "$dir/trav2.conf" check-config 2>&1)" 'bad template name "../../../etc/passwd"' "a template name cannot be a path"
mkdir -p "$dir/tmpl"
cp "$top/templates/"*.tmpl "$dir/tmpl/"
: >"$dir/tmpl/..evil.sms.tmpl"
printf 'store = "%s";\ntemplates = "%s/tmpl";\n' "$(t_store "$dir/o.db")" "$dir" >"$dir/trav3.conf"
t_is "$("$CTL" -c "$dir/trav3.conf" check-config >/dev/null 2>&1; echo $?)" 0 "hidden files in the template directory are ignored"
printf 'x' >"$dir/tmpl/a..b.email.tmpl"
t_like "$("$CTL" -c "$dir/trav3.conf" check-config 2>&1)" "a..b.email.tmpl" "an odd template file name is reported"

# Oversized fields and lines: a clear error, nothing written.
python3 -c 'import sys; sys.stdout.write("external_id,name\nBIG,"+"x"*(2<<20)+"\n")' >"$dir/big.csv"
out=$(ctl import customers "$dir/big.csv" 2>&1); rc=$?
t_is "$rc" 65 "a 2 MiB field is refused"
t_like "$out" "line 2, column 2: .*(too long|limit|bytes)" "with its position"
python3 -c 'import sys; sys.stdout.write("external_id,name\n"+",".join(["y"]*20000)+"\n")' >"$dir/wide.csv"
t_like "$(ctl import customers "$dir/wide.csv" 2>&1)" "line 2" "20,000 fields in a line: refused with its line"
t_is "$(ctl stats --json | js 'd["customers"]')" 1 "neither wrote anything"

# Invalid UTF-8 anywhere in a row.
printf 'external_id,name,hobby\nU1,Ok,\xc3\x28\n' >"$dir/utf.csv"
t_like "$(ctl import customers "$dir/utf.csv" 2>&1)" "utf.csv:2:3: hobby: neither UTF-8 nor GB18030: byte 0xc3 at offset 29" \
	"invalid UTF-8 in an attribute: its row, column and byte"

# Secrets never reach logs or messages: a wrong SMTP password, a server
# that refuses it, the daemon's log and the CLI's output are searched.
if /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
	printf 'right-%s\n' "$RANDOM$RANDOM" >"$dir/server.pw"
	secret="wrong-$RANDOM$RANDOM-secret"
	printf '%s\n' "$secret" >"$dir/client.pw"
	t_bg "$dir/smtpd.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
		--portfile "$dir/port" --auth "outreachd:$dir/server.pw" --owner-pid $$ --quiet
	t_wait_file "$dir/port" 10
	cat >>"$dir/o.conf" <<CONF
email: { transport = "smtp"; url = "smtp://127.0.0.1:$(cat "$dir/port")"; tls = "none";
  username = "outreachd"; password_file = "$dir/client.pw"; from = "a@acme.example"; };
CONF
	printf 'external_id,name,email,birthday\nS1,Sam,sam@example.test,1980-%s\n' "$(date +%m-%d)" >"$dir/s.csv"
	ctl import customers "$dir/s.csv" >/dev/null
	"$D" -c "$dir/o.conf" --once --log-level debug >"$dir/d.log" 2>&1
	ctl -v send >>"$dir/d.log" 2>&1
	ctl outbox --json >>"$dir/d.log" 2>&1
	t_like "$(cat "$dir/d.log")" "login refused|SMTP 535" "the refused login is reported"
	t_unlike "$(cat "$dir/d.log")" "$secret" "the password appears in no log, output or stored error"
	t_unlike "$(t_store_dump "$dir/o.db" 2>/dev/null)" "$secret" "nor in the store"
else
	t_skip 3 "python3-aiosmtpd not installed"
fi
t_done
