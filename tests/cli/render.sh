#!/bin/bash
# Golden renders of the shipped templates for fixture customers: Chinese
# (SMS, lunar birthday), English (e-mail with HTML), one with almost no
# data, company founding days, and the errors a preview reports (no phone, no such rule).
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v faketime >/dev/null || t_skip_all "faketime not installed"
fx="$top/tests/fixtures/plan"
golden="$top/tests/golden/render"
dir=$(t_tmpdir)
cat >"$dir/o.conf" <<CONF
store = "$(t_store "$dir/o.db")";
company = "Acme Trading";
country_code = "86";
templates = "$top/templates";
http: { base_url = "https://crm.acme.example"; };
email: { from = "greetings@acme.example"; from_name = "Acme Trading"; };
CONF
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
faketime '2027-01-29 10:00:00' "$CTL" -c "$dir/o.conf" rep add li --name '李娜' --email li.na@acme.example --phone 13911112222 >/dev/null
faketime '2027-01-29 10:00:00' "$CTL" -c "$dir/o.conf" rep add smith --name 'Anna Smith' --email anna@acme.example >/dev/null
# History is imported once it has happened (contacts of 2027-02-01).
for k in customers purchases contacts; do
	at='2027-01-29 10:00:00'
	[ $k = customers ] || at='2027-02-01 10:00:00'
	faketime "$at" "$CTL" -c "$dir/o.conf" import $k "$fx/$k.csv" >/dev/null
done
ctl customer add M1 name=Minimal email=m1@example.test >/dev/null
# Company founding days: 29 February (on the 28th in 2027), a known year,
# and one without a year.
printf 'external_id,label,date\nB01,company_founding,2016-02-29\nA01,company_founding,1999-02-28\nM1,company_founding,--02-28\n' |
	ctl import dates - >/dev/null

# The token in unsubscribe links depends on the store's random secret.
render() { # GOLDEN ARGS...
	name=$1; shift
	ctl render "$@" --date 2027-02-28 2>&1 | sed -E 's|/u/[A-Za-z0-9_-]+|/u/TOKEN|g' >"$dir/$name.txt"
	[ "${UPDATE_GOLDEN:-0}" = 1 ] && cp "$dir/$name.txt" "$golden/$name.txt"
	if diff -u "$golden/$name.txt" "$dir/$name.txt" >"$dir/$name.diff"; then
		t_pass "render $* matches $name.txt"
	else
		t_fail "render $* matches $name.txt"
		sed 's/^/# /' "$dir/$name.diff" | head -30
	fi
}
render birthday-zh-sms birthday B01
render birthday-en-email birthday B02 --channel email
render birthday-lunar-zh-email birthday B03 --channel email
render anniversary-en-email anniversary A01
render winback-en-email winback S01
render spring-zh-sms spring_festival B01 --channel sms
render birthday-minimal birthday M1
render mid-autumn-minimal-sms mid_autumn B01 --channel sms
render founding-zh-sms company_founding B01 --channel sms
render founding-en-email company_founding A01
render founding-minimal company_founding M1

t_like "$(cat "$dir/birthday-zh-sms.txt")" "Encoding: UCS-2, [0-9]+ characters, 1 segment" "SMS preview shows encoding and segments"
t_like "$(cat "$dir/birthday-zh-sms.txt")" "茶" "the personal line uses the customer's hobby"
t_like "$(cat "$dir/birthday-en-email.txt")" "text/html alternative" "the HTML alternative is shown"
t_like "$(cat "$dir/birthday-en-email.txt")" "Anna Smith" "signed by the customer's own rep"
t_like "$(cat "$dir/birthday-en-email.txt")" "https://crm.acme.example/u/TOKEN" "with the one-click opt-out link"
t_unlike "$(cat "$dir/birthday-minimal.txt")" "\\{\\{" "no unrendered tags for a customer with almost no data"
t_like "$(cat "$dir/founding-zh-sms.txt")" "欣闻张伟成立11周年" "a company's founding, 11 years on 28 February"
t_like "$(cat "$dir/founding-en-email.txt")" "congratulations on 28 years of Acme Trading Co." \
	"the English greeting counts the company's years"
t_like "$(cat "$dir/founding-minimal.txt")" "Today is the founding day of Minimal" "without a year, no count"
out=$(ctl render birthday A01 --channel sms 2>&1); rc=$?
t_is "$rc" 65 "render to a customer without a phone: EX_DATAERR"
t_like "$out" "A01 has no phone number" "with a clear message"
t_is "$(ctl render nosuch B01 >/dev/null 2>&1; echo $?)" 64 "unknown rule: EX_USAGE"
t_is "$(ctl render revisit_a B01 >/dev/null 2>&1; echo $?)" 64 "a task rule cannot be rendered: EX_USAGE"
# A template that needs a value the customer lacks: not sent, the reason said.
mkdir -p "$dir/tmpl"
cp "$top/templates/"*.tmpl "$dir/tmpl/"
printf 'Subject: For {{name}}\n\nHow is {{attr.child_school}}?\n{{optout_line}}\n' >"$dir/tmpl/birthday.email.tmpl"
sed -i "s|templates = .*|templates = \"$dir/tmpl\";|" "$dir/o.conf"
out=$(ctl render birthday B02 --channel email 2>&1); rc=$?
t_is "$rc" 65 "missing value without fallback: EX_DATAERR"
t_like "$out" 'missing value for "attr.child_school" \(birthday.email.tmpl:3:8\)' "the missing value and its position"
t_done
