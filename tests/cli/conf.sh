#!/bin/bash
# The settings table as check-config --settings lists it: every setting of
# etc/outreachd.conf (the commented-out ones too) is in it, every entry is
# documented in outreachd.conf(5), and errors keep naming file and line.
. "${top_srcdir:-.}/tests/lib.sh" 2>/dev/null || . "$(dirname "$0")/../lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
sample="$top/etc/outreachd.conf"
man="$top/man/outreachd.conf.5"
dir=$(t_tmpdir)

t_ok "check-config --settings" "$CTL" -c "$sample" check-config --settings
list=$T_OUT
names=$(printf '%s\n' "$list" | awk '/^[^\t]/ { print $1 }')
t_like "$list" $'\nplanner\\.frequency_cap\\.messages  int 1\\.\\.1000, default 2\n\t' \
	"a nested setting with its range and default"
t_like "$list" $'\ndelivery\\.quiet_hours\\.start  time HH:MM, default 21:00\n' \
	"a time of day"
t_like "$list" $'\nsms\\.transport  enum maildir\\|kannel\\|http\\|aliyun\\|tencent\\|twilio, default maildir\n' \
	"an enumeration"
t_like "$list" $'\nrules\\.lead_days  int 0\\.\\.366, default 0\n' \
	"the settings of each rule"
t_is "$(printf '%s\n' "$list" | grep -c $'^\t.')" "$(printf '%s\n' "$names" | wc -l)" \
	"every setting has a line of documentation"
t_is "$(printf '%s\n' "$names" | sort | uniq -d)" "" "no setting is listed twice"
out=$("$CTL" check-config --bogus 2>&1); rc=$?
t_is "$rc" 64 "check-config with an unknown option: EX_USAGE"
t_like "$out" "check-config \\[--strict \\| --settings\\]" "the usage names --strict and --settings"

# The sample with its commented-out settings put in still loads: nothing
# in it is unknown to the table.
sed -E -e 's/^( *)# ([a-z_]+ = .*;)(.*)$/\1\2\3/' \
	-e "s|^templates = .*|templates = \"$top/templates\";|" "$sample" >"$dir/all.conf"
t_ok "the sample with every commented-out setting loads" \
	"$CTL" -c "$dir/all.conf" check-config
t_unlike "$T_OUT" "unknown setting" "no setting of the sample is unknown"

# Each name the sample writes is the last part of a listed setting.
missing=
for n in $(sed -e 's/#.*$//' "$dir/all.conf" |
	grep -oE '(^ *[a-z_]+:|[A-Za-z_][A-Za-z0-9_]* =)' | tr -d ' :=' | sort -u); do
	printf '%s\n' "$names" | grep -qE "(^|\\.)$n\$" || missing="$missing $n"
done
t_is "$missing" "" "every setting the sample writes is in the table"

# outreachd.conf(5) documents each: a top-level group or list has its
# section (.Ss), any other setting is an .Ic in the section of its group.
section() {
	awk -v s="$1" '
	    /^\.Sh / { on = (s == "" && $0 == ".Sh TOP-LEVEL SETTINGS"); next }
	    /^\.Ss / { on = ($0 == ".Ss " s); next }
	    on' "$man"
}
undoc=
for n in $names; do
	top_=${n%%.*} leaf=${n##*.}
	if [ "$n" = "$top_" ]; then
		if grep -qx "\\.Ss $n" "$man"; then
			continue
		fi
		text=$(section "")
	else
		text=$(section "$top_")
	fi
	printf '%s\n' "$text" | grep -qE "(^|[ .])Ic $leaf( |$)" || undoc="$undoc $n"
done
t_is "$undoc" "" "outreachd.conf(5) documents every setting of the table"

# Errors inside nested groups keep their file and line.
cat >"$dir/bad.conf" <<'EOF'
planner: {
  frequency_cap = { messages = 0; };
};
delivery: {
  quiet_hours = {
    start = "25:00";
  };
};
sms: {
  transport = "smtp";
  method = "PUT";
  rate = { seconds = 0; minutes = 1; };
};
tiers: { cadence = 30; };
EOF
out=$("$CTL" -c "$dir/bad.conf" check-config 2>&1); rc=$?
t_is "$rc" 78 "a bad file: EX_CONFIG"
t_like "$out" 'bad\.conf:2: messages must be between 1 and 1000' "a nested range"
t_like "$out" 'bad\.conf:6: quiet_hours start must be HH:MM' "a time of day"
t_like "$out" 'bad\.conf:10: sms transport must be "maildir", "kannel", "http", "aliyun", "tencent" or "twilio"' \
	"a transport"
t_like "$out" 'bad\.conf:11: method must be "GET", "POST_FORM" or "POST_JSON"' \
	"a string among choices"
t_like "$out" 'bad\.conf:12: unknown setting "minutes"' "an unknown nested setting"
t_like "$out" 'bad\.conf:12: seconds must be between 1 and 86400' "a range in rate"
t_like "$out" 'bad\.conf:14: cadence must be a group \{ A = 30; B = 90; C = 180; \}' \
	"a group that is not one"
t_is "$(printf '%s\n' "$out" | wc -l)" 7 "and nothing else"

# What check-config used to pass and every message then failed on (or,
# with an http:// or file:// url, was "sent" to a web server or a file):
# refused at load, each at its line.
cat >"$dir/send.conf" <<'CONF'
locale = "zh-CN";
delivery: { retry_base_seconds = 7200;
  retry_max_seconds = 3600; };
email: {
  transport = "smtp";
  url = "file:///tmp/outbox";
  from = "Acme <greetings@acme.example>";
  helo = "crm acme";
};
sms: {
  headers = [ "X-Token: {password}", "X-Bad: a\r\nHost: evil" ];
  id_regex = "id=(";
};
http: {
  listen = "127.0.0.1:80800";
  base_url = "https://crm.acme.example/?from=sms";
};
CONF
out=$("$CTL" -c "$dir/send.conf" check-config 2>&1); rc=$?
t_is "$rc" 78 "settings no message could be sent with: EX_CONFIG"
t_like "$out" 'send\.conf:1: locale must look like en, zh or zh_CN, as template file names write it, not "zh-CN"' \
	"a locale template file names cannot have"
t_like "$out" 'send\.conf:2: retry_base_seconds \(7200\) must not exceed retry_max_seconds \(3600\)' \
	"a first retry longer than the longest"
t_like "$out" 'send\.conf:6: url must be smtp://HOST\[:PORT\] or smtps://HOST\[:PORT\], not "file:///tmp/outbox"' \
	"an e-mail url that is not smtp:// or smtps://"
t_like "$out" 'send\.conf:7: from must be an address such as outreachd@example\.com, not "Acme <greetings@acme\.example>"' \
	"a from that is not a bare address"
t_like "$out" 'send\.conf:8: helo must be a host name such as crm\.example\.com, not "crm acme"' \
	"a helo with a space"
t_like "$out" 'send\.conf:11: headers must be "Name: value" with a token name and no control character, not "X-Bad: a\\x0d\\x0aHost: evil"' \
	"a header template with CR LF"
t_like "$out" 'send\.conf:12: id_regex is not a POSIX extended regex: ' "an id_regex that does not compile"
t_like "$out" 'send\.conf:15: listen must be ADDRESS:PORT with a port from 0 to 65535, not "127\.0\.0\.1:80800"' \
	"a port out of range"
t_like "$out" 'send\.conf:16: base_url must be http\(s\)://HOST\[:PORT\]\[/PATH\] without a query, not "https://crm\.acme\.example/\?from=sms"' \
	"a base_url links cannot be appended to"
t_is "$(printf '%s\n' "$out" | wc -l)" 9 "one line each, nothing else"
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
out=$("$D" -c "$dir/send.conf" --check 2>&1); rc=$?
t_is "$rc" 78 "outreachd --check refuses them too"
t_like "$out" 'send\.conf:6: url must be smtp://' "outreachd --check names the e-mail url"

# A generic SMS gateway without success_match takes any 200 for "sent", a
# maintenance page too: a warning, and the file still loads.
cat >"$dir/warn.conf" <<CONF
templates = "$top/templates";
sms: {
  transport = "http";
  url = "https://api.sms.example/send?to={to}&text={text}";
};
CONF
"$CTL" -c "$dir/warn.conf" check-config >"$dir/warn.out" 2>"$dir/warn.err"; rc=$?
t_is "$rc" 0 "check-config: no success_match is not an error"
t_like "$(cat "$dir/warn.out")" 'warn\.conf: ok' "check-config: ok"
t_is "$(cat "$dir/warn.err")" "$dir/warn.conf:3: warning: the http transport has no success_match: any answer with a success_status, an error page too, counts as sent" \
	"check-config: the warning, at the transport"
"$D" -c "$dir/warn.conf" --check >"$dir/warn.out" 2>"$dir/warn.err"; rc=$?
t_is "$rc" 0 "outreachd --check: not an error either"
t_like "$(cat "$dir/warn.err")" 'warn\.conf:3: warning: the http transport has no success_match' \
	"outreachd --check: the warning"
sed -i 's|^  transport = "http";$|  transport = "http"; success_match = "ok";|' "$dir/warn.conf"
out=$("$CTL" -c "$dir/warn.conf" check-config 2>&1)
t_unlike "$out" "warning" "with success_match: no warning"
t_done
