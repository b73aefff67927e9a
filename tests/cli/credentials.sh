#!/bin/bash
# Secrets as systemd credentials, the unit's LoadCredential= simulated by
# $CREDENTIALS_DIRECTORY: password_file = "%d/smtp" reads a 0400 file
# there and the SMTP sink (AUTH required) takes the login; without the
# variable the daemon and outreachctl send refuse with EX_CONFIG, naming
# the setting and its line, while commands that send nothing still work;
# the password is in no output, even at debug level; a callback secret
# given as a credential is read from there and never made.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
	t_skip_all "python3-aiosmtpd not installed"
command -v curl >/dev/null || t_skip_all "curl not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
dir=$(t_tmpdir)
today=$(TZ=Asia/Shanghai date +%m-%d)
unset CREDENTIALS_DIRECTORY

secret="cred-$RANDOM$RANDOM-pw"
printf '%s\n' "$secret" >"$dir/server.pw"
t_bg "$dir/smtpd.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
	--portfile "$dir/smtpd.port" --maildir "$dir/mail" --owner-pid $$ --quiet \
	--auth "outreachd:$dir/server.pw"
t_wait_file "$dir/smtpd.port" 10
sport=$(cat "$dir/smtpd.port")
t_wait_port "$sport" 10
# The credentials directory as systemd makes it: the file root's alone.
creds="$dir/creds"
mkdir "$creds"
printf '%s\n' "$secret" >"$creds/smtp"
chmod 0400 "$creds/smtp"
hport=$(t_freeport)
conf="$dir/o.conf"
cat >"$conf" <<CONF
store = "$(t_store "$dir/o.db")";
timezone = "Asia/Shanghai";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$sport"; tls = "none";
  username = "outreachd";
  password_file = "%d/smtp";
  helo = "acme.example"; from = "greetings@acme.example"; };
http: { listen = "127.0.0.1:$hport"; base_url = "https://crm.acme.example";
  callback_secret_file = "%d/callback"; };
CONF
mkdir -p "$dir/state"
line=$(grep -n 'password_file' "$conf" | cut -d: -f1)
c() { "$CTL" -c "$conf" "$@"; }
{
	echo 'external_id,name,email,birthday,tier'
	echo "E1,Email 1,e1@example.test,1980-$today,C"
	echo "E2,Email 2,e2@example.test,1980-$today,C"
} >"$dir/c.csv"
t_ok "import" c import customers "$dir/c.csv"
t_ok "scan" c scan

# 1. No credentials directory: refused, naming the setting and its line.
out=$("$OUTREACHD" -c "$conf" --once 2>&1); rc=$?
t_is "$rc" 78 "outreachd --once without CREDENTIALS_DIRECTORY: EX_CONFIG"
t_like "$out" "o\\.conf:$line: email\\.password_file = \"%d/smtp\": %d is the credentials directory systemd passes in \\\$CREDENTIALS_DIRECTORY, which is not set" \
	"the error names the file, line $line and the setting"
t_like "$out" "LoadCredential=smtp:FILE" "and says how the unit passes it"
out=$(c send 2>&1); rc=$?
t_is "$rc" 78 "outreachctl send likewise: EX_CONFIG"
t_like "$out" "o\\.conf:$line: email\\.password_file" "with the same message"
t_ok "outreachctl outbox reads no secret: it works" c outbox
t_ok "so does check-config" c check-config
t_is "$(ls "$dir/mail/new" 2>/dev/null | wc -l)" 0 "nothing reached the server"

# 2. With it: the password comes from the credential, and the server
# accepts the login.
out=$(CREDENTIALS_DIRECTORY=$creds "$OUTREACHD" -c "$conf" --once --log-level debug 2>&1); rc=$?
t_is "$rc" 0 "outreachd --once with CREDENTIALS_DIRECTORY: 0"
t_is "$(c outbox --json | js '[m["state"] for m in d]')" "['sent', 'sent']" "both messages sent"
t_is "$(cat "$dir/mail/new/"*.env | grep -c '^X-Auth-User: outreachd$')" 2 \
	"the server saw AUTH as outreachd, twice"
b64=$(/usr/bin/python3 -c 'import base64, sys; s = sys.argv[1].encode()
print(base64.b64encode(b"\0outreachd\0" + s).decode(), base64.b64encode(s).decode())' "$secret")
leak=
for s in "$secret" $b64; do
	case "$out $(cat "$dir/smtpd.log" 2>/dev/null) $(c outbox --json)" in
	*"$s"*) leak="$leak $s" ;;
	esac
done
t_is "$leak" "" "the password is in no log line at debug level, not even base64"

# 3. A credential's name is a file name.
sed "s|%d/smtp|%d/../smtp|" "$conf" >"$dir/bad.conf"
out=$("$CTL" -c "$dir/bad.conf" check-config 2>&1); rc=$?
t_is "$rc" 78 "password_file = \"%d/../smtp\": EX_CONFIG"
t_like "$out" "bad\\.conf:$line: email\\.password_file = \"%d/\\.\\./smtp\": after %d/ comes a credential's name" \
	"at load, with the line"

# 4. The callback secret as a credential: never made; read once it is
# there.
t_bg "$dir/d.pid" env CREDENTIALS_DIRECTORY="$creds" "$OUTREACHD" -c "$conf" --foreground
pid=$T_BG_PID
t_wait_port "$hport" 10 "$pid"
t_is "$?" 0 "the daemon listens"
dlr() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hport/callbacks/kannel/dlr?secret=$1&id=x&status=1"; }
t_is "$(dlr nothing-nothing-nothing)" 503 "no callback credential: callbacks answer 503"
t_ok "and none was made" test ! -e "$creds/callback"
t_like "$(cat "$dir/d.log")" "http.callback_secret_file $creds/callback: no such credential \\(LoadCredential=callback:FILE" \
	"the log says which credential is missing"
cb="cb-$RANDOM$RANDOM$RANDOM-secret"
printf '%s\n' "$cb" >"$creds/callback"
chmod 0400 "$creds/callback"
t_is "$(dlr "$cb")" 400 "the credential's secret is accepted (a bad id: 400)"
t_is "$(dlr "x$cb")" 403 "another is not: 403"
t_ok "the daemon stops" t_kill "$pid"
t_unlike "$(cat "$dir/d.log")" "$secret" "the password is not in the daemon's log"
t_done
