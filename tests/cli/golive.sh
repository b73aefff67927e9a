#!/bin/bash
# Going live: check-config and outreachd --check warn, and the daemon logs
# at start, when a configuration that loads cannot work in production; each
# warning names the setting and the line the file sets it on (or says the
# default is in force); check-config --strict fails on them.  A clean
# production-like configuration gets none.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)

# conf NAME EMAIL-SETTINGS [MORE]: the file starts at line 1 with these
# four lines, email: {...} is line 5, the MORE lines follow from line 6.
conf() {
	cat >"$dir/$1.conf" <<CONF
store = "$(t_store "$dir/$1.db")";
templates = "$top/templates";
daemon: { state_dir = "$dir/$1.state"; };
sms: { transport = "kannel"; url = "http://127.0.0.1:13013/cgi-bin/sendsms"; };
email: { $2 };
$3
CONF
}
smtp='transport = "smtp"; url = "smtp://mail.acme.example:587"; from = "greetings@acme.example";'
# check NAME [ARGS]: check-config's stdout, stderr and status in $out,
# $err and $rc.
check() {
	"$CTL" -c "$dir/$1.conf" check-config "${@:2}" >"$dir/out" 2>"$dir/err"
	rc=$?; out=$(cat "$dir/out"); err=$(cat "$dir/err")
}
n_warn() { grep -c ': warning: ' <<<"$err"; }

# 1. Production-like: SMTP, helo in the From domain, a public https
# base_url, a real SMS gateway.  No warning, not even under systemd.
conf prod "$smtp helo = \"crm.acme.example\";" 'http: { base_url = "https://crm.acme.example/outreach"; };'
check prod
t_is "$rc:$err" "0:" "clean configuration: no warning"
t_like "$out" "prod\\.conf: ok" "and ok"
check prod --strict
t_is "$rc:$err" "0:" "--strict passes it"
INVOCATION_ID=0123abcd check prod --strict
t_is "$rc:$err" "0:" "under systemd too"
t_is "$("$D" -c "$dir/prod.conf" --check 2>&1 >/dev/null)" "" "outreachd --check: no warning"

# 2. base_url left at its default: loopback, and plain http.
conf dflt "$smtp helo = \"crm.acme.example\";"
check dflt
t_is "$rc" 0 "warnings alone do not fail check-config"
t_like "$out" "dflt\\.conf: ok" "it still says ok"
t_like "$err" "^$dir/dflt\\.conf: warning: http\\.base_url \"http://127\\.0\\.0\\.1:8088\" \\(the default\\) is a loopback address: the unsubscribe link in every e-mail reaches nobody" \
	"default base_url: loopback, named as the default"
t_like "$err" "$dir/dflt\\.conf: warning: http\\.base_url \"http://127\\.0\\.0\\.1:8088\" \\(the default\\) is plain http: .*RFC 8058 List-Unsubscribe-Post" \
	"and plain http: no one-click unsubscribe"
t_is "$(n_warn)" 2 "two warnings"
check dflt --strict
t_is "$rc" 78 "--strict: EX_CONFIG"
t_like "$err" "dflt\\.conf: not ready to go live: 2 warnings$" "--strict says why it failed"
t_is "$out" "" "--strict: no ok"

# 3. base_url written in the file: its line.
conf lo "$smtp helo = \"crm.acme.example\";" 'http: {
  base_url = "https://[::1]:8443";
};'
check lo
t_like "$err" "^$dir/lo\\.conf:7: warning: http\\.base_url \"https://\\[::1\\]:8443\" is a loopback address" \
	"IPv6 loopback base_url at its line"
t_is "$(n_warn)" 1 "https: only that warning"
conf priv "$smtp helo = \"crm.acme.example\";" 'http: { base_url = "https://10.1.2.3"; };'
check priv
t_like "$err" "priv\\.conf:6: warning: http\\.base_url \"https://10\\.1\\.2\\.3\" is a private address" "a private address"
conf plain "$smtp helo = \"crm.acme.example\";" 'http: { base_url = "http://crm.acme.example"; };'
check plain
t_like "$err" "^$dir/plain\\.conf:6: warning: http\\.base_url \"http://crm\\.acme\\.example\" is plain http" "public but plain http"
t_is "$(n_warn)" 1 "only that warning"

# 4. helo left at localhost: the default, or written.
https='http: { base_url = "https://crm.acme.example"; };'
conf helo0 "$smtp" "$https"
check helo0
t_like "$err" "^$dir/helo0\\.conf: warning: email\\.helo \"localhost\" \\(the default\\) is no public host name \\(localhost\\): .*every Message-ID ends in @localhost; set this host's public name, e.g. crm\\.acme\\.example$" \
	"helo at its default"
t_is "$(n_warn)" 1 "only that warning (the mismatch with from is not said twice)"
conf helo1 "$smtp
  helo = \"localhost\";" "$https"
check helo1
t_like "$err" "^$dir/helo1\\.conf:6: warning: email\\.helo \"localhost\" is no public host name" "helo = \"localhost\" at its line"

# 5. A From domain other than the HELO domain.
conf other "$smtp
  helo = \"mx.other.example\";" "$https"
check other
t_like "$err" "^$dir/other\\.conf:6: warning: email\\.helo \"mx\\.other\\.example\" is not in the domain of email\\.from \\(acme\\.example\\): every Message-ID ends in @mx\\.other\\.example" \
	"helo outside the From domain"
check other --strict
t_is "$rc" 78 "--strict fails on it"
conf apex "$smtp helo = \"acme.example\";" "$https"
check apex
t_is "$rc:$err" "0:" "helo = the From domain itself: fine"
conf from0 'transport = "smtp"; url = "smtp://mail.acme.example:587"; from = "me@localhost"; helo = "crm.acme.example";' "$https"
check from0
t_like "$err" "from0\\.conf:5: warning: email\\.from \"me@localhost\" is at localhost" "a From address at localhost"

# 6. The maildir transport in a service: e-mail (default) and SMS.
cat >"$dir/md.conf" <<CONF
store = "$(t_store "$dir/md.db")";
templates = "$top/templates";
daemon: { state_dir = "$dir/md.state"; };
CONF
check md
t_is "$rc:$err" "0:" "maildir, not under systemd: no warning (a test or a demo)"
INVOCATION_ID=0123abcd check md
t_like "$err" "^$dir/md\\.conf: warning: email\\.transport \"maildir\" \\(the default\\) makes the service write each e-mail to $dir/md\\.state/maildir/email and count it sent: nobody receives it; set transport = \"smtp\"" \
	"under systemd (INVOCATION_ID): e-mail to a maildir"
t_like "$err" "md\\.conf: warning: sms\\.transport \"maildir\" \\(the default\\) makes the service write each SMS to .*; set transport = \"kannel\" or \"http\"" \
	"and SMS"
t_is "$rc" 0 "still ok without --strict"
NOTIFY_SOCKET=/nonexistent check md
t_is "$(n_warn)" 2 "NOTIFY_SOCKET (Type=notify) says systemd too"
check md --strict
t_is "$rc" 78 "--strict: the configuration going live is the service's"
t_is "$(n_warn)" 2 "with both warnings"
printf 'rules = ( { name = "birthday"; event = "birthday"; action = "message"; channels = ["email"]; } );\n' >>"$dir/md.conf"
check md --strict
t_is "$(n_warn)" 1 "rules that never send SMS: no SMS warning"
t_like "$err" "email\\.transport" "the e-mail one stays"

# 7. The loader's own warnings fail --strict too.
conf gw "$smtp helo = \"crm.acme.example\";" "$https"
sed -i 's|^sms: .*|sms: { transport = "http"; url = "https://api.sms.example/send?to={to}"; };|' "$dir/gw.conf"
check gw --strict
t_like "$err" "gw\\.conf:4: warning: the http transport has no success_match" "the loader's warning"
t_is "$rc" 78 "fails --strict as well"

# 8. Usage.
"$CTL" -c "$dir/prod.conf" check-config --strict --settings >/dev/null 2>&1
t_is "$?" 64 "--strict with --settings: EX_USAGE"
t_like "$("$CTL" check-config --help)" "check-config \\[--strict \\| --settings\\]" "--help names --strict"

# 9. outreachd --check, and the daemon at start: the same warnings, one a
# line, each with journald's warning priority.
out=$("$D" -c "$dir/dflt.conf" --check 2>&1 >/dev/null)
t_like "$out" "dflt\\.conf: warning: http\\.base_url .* is a loopback address" "outreachd --check warns"
conf start "$smtp" 'http: { listen = "127.0.0.1:0"; };'
mkdir -p "$dir/start.state"
INVOCATION_ID=0123abcd "$D" -c "$dir/start.conf" --once >"$dir/start.log" 2>&1
t_is "$?" 0 "outreachd --once runs with them"
live=$(grep -E 'warning: (http\.base_url|email\.helo)' "$dir/start.log")
t_is "$(grep -c . <<<"$live")" 3 "the daemon logs the three at start"
t_is "$(grep -vc '^<4>' <<<"$live")" 0 "each on its own line with priority <4>"
t_like "$(grep helo <<<"$live")" "^<4>$dir/start\\.conf: warning: email\\.helo \"localhost\" \\(the default\\)" "named like check-config names it"
# 10. Secrets the service will not be able to read: a root-only file (the
# unit runs as a DynamicUser=), a missing one; a credential is fine.
prod="$smtp helo = \"crm.acme.example\";"
https='http: { base_url = "https://crm.acme.example"; };'
printf 's3cret\n' >"$dir/smtp.secret"
chmod 600 "$dir/smtp.secret"
conf sec "$prod username = \"crm\"; password_file = \"$dir/smtp.secret\";" "$https"
check sec --strict
t_is "$rc" 78 "a root-only password file fails --strict"
t_like "$err" "sec\\.conf:5: warning: email\\.password_file \"$dir/smtp\\.secret\" is readable by its owner only \\(mode 0600\\): the service runs as a DynamicUser= .*LoadCredential=" \
	"and says why and what to do"
conf gone "$prod username = \"crm\"; password_file = \"$dir/nowhere\";" "$https"
check gone
t_like "$err" "gone\\.conf:5: warning: email\\.password_file \"$dir/nowhere\" cannot be read: No such file" "a missing password file"
mkdir -p "$dir/creds"
cp "$dir/smtp.secret" "$dir/creds/smtp"
conf cred "$prod username = \"crm\"; password_file = \"%d/smtp\";" "$https"
CREDENTIALS_DIRECTORY="$dir/creds" check cred --strict
t_is "$rc:$err" "0:" "a credential (LoadCredential=, %d/smtp) is fine"
check cred --strict
t_is "$rc:$err" "0:" "and is not judged where systemd does not hand it over"
t_done
