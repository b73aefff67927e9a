#!/bin/bash
# SMS through Aliyun and Tencent Cloud, against local mocks of both
# (tests/peers/smsprovider.py) that check every signature, timestamp,
# sign name, template and parameter as the providers do: a normal send
# and its delivery report, a wrong secret, throttling, a refused number,
# a timeout after the provider accepted (not sent again), a 5xx before it
# took anything (sent again once the status query says it does not know
# it), `render --channel sms` and the checks on the provider block.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
peers="$top/tests/peers"
dir=$(t_tmpdir)
today=$(TZ=Asia/Shanghai date +%F)
js() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Templates: birthday SMS with provider blocks, in Chinese and English.
mkdir -p "$dir/tmpl"
cat >"$dir/tmpl/birthday.sms.zh_CN.tmpl" <<'T'
provider-template: SMS_153055065
provider-param name: {{#salutation}}{{salutation}}{{/salutation}}{{^salutation}}{{name}}{{/salutation}}
provider-param rep: {{rep.name|客户经理}}

${name}，祝您生日快乐！——${rep}
T
cat >"$dir/tmpl/birthday.sms.tmpl" <<'T'
provider-template: SMS_153055065
provider-param name: {{name}}
provider-param rep: {{rep.name|Acme}}
T
sed -e 's/provider-param name:/provider-param 1:/' -e 's/provider-param rep:/provider-param 2:/' \
	-e 's/SMS_153055065/1110/' -e 's/\${name}/{1}/' -e 's/\${rep}/{2}/' \
	"$dir/tmpl/birthday.sms.zh_CN.tmpl" >"$dir/tmpl/tc.zh_CN"
for f in email.tmpl email.zh_CN.tmpl; do cp "$top/templates/birthday.$f" "$dir/tmpl/"; done

start_mock() { # NAME PROVIDER ARGS...
	local name=$1 prov=$2; shift 2
	t_bg "$dir/$name.mock.pid" /usr/bin/python3 "$peers/smsprovider.py" --provider "$prov" \
		--key-id LTAI5tKEY --secret "s3cret-key" --sign-name '阿克米' --app-id 1400006666 \
		--template SMS_153055065:name,rep --template 1110:1,2 --port 0 \
		--portfile "$dir/$name.port" --log "$dir/$name.log" --owner-pid $$ "$@"
	t_wait_file "$dir/$name.port" 10
	touch "$dir/$name.log"
}

# A store whose one customer, Chinese, has her birthday today.
setup() { # NAME PROVIDER SECRET [EXTRA-SMS-SETTINGS]
	name=$1 prov=$2 tdir="$dir/$1.tmpl"
	mkdir -p "$tdir" "$dir/$name.state"
	cp "$dir/tmpl/"*.tmpl "$tdir/"
	if [ "$prov" = tencent ]; then
		cp "$dir/tmpl/tc.zh_CN" "$tdir/birthday.sms.zh_CN.tmpl"
		sed -i -e 's/provider-param name:/provider-param 1:/' -e 's/provider-param rep:/provider-param 2:/' \
			-e 's/SMS_153055065/1110/' "$tdir/birthday.sms.tmpl"
		idkey=secret_id
	else
		idkey=access_key_id
	fi
	printf '%s\n' "$3" >"$dir/$name.secret"
	cat >"$dir/$name.conf" <<CONF
store = "$(t_store "$dir/$name.db")";
company = "Acme";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$tdir";
daemon: { state_dir = "$dir/$name.state"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; };
  retry_base_seconds = 1; retry_max_seconds = 2; max_attempts = 4; };
sms: { transport = "$prov"; url = "http://127.0.0.1:$(cat "$dir/$name.port")/";
  $idkey = "LTAI5tKEY"; password_file = "$dir/$name.secret";
  sign_name = "阿克米"; status_interval_seconds = 1; timeout_seconds = ${TMO:-10}; $4 };
rules = ( { name = "birthday"; event = "birthday"; action = "message";
  channels = [ "sms" ]; } );
CONF
	[ "$prov" = tencent ] && sed -i 's/sign_name = /sdk_app_id = "1400006666"; sign_name = /' "$dir/$name.conf"
	ctl() { "$CTL" -c "$dir/$name.conf" "$@"; }
	ctl rep add li --name '李娜' --phone 13911112222 >/dev/null
	printf 'external_id,name,salutation,phone,birthday,rep,locale,channel\n' >"$dir/$name.csv"
	printf 'C1,张伟,张总,+86 138 0013 8000,1980-%s,li,zh_CN,sms\n' "${today#*-}" >>"$dir/$name.csv"
	ctl import customers "$dir/$name.csv" >/dev/null
	ctl scan
}
state() { ctl outbox --json | js '[m["state"] for m in d]'; }
field() { ctl outbox --json | js "d[0].get('$1')"; }
accepted() { grep -c '"action": "SendSms", "accepted": true' "$dir/$1.log"; }

for prov in aliyun tencent; do
	p=${prov:0:1}
	# 1. A normal send, then its delivery report from the status query.
	start_mock "${p}ok" $prov
	setup "${p}ok" $prov s3cret-key
	t_ok "$prov: check-config accepts the provider templates" ctl check-config
	t_ok "$prov: render --channel sms" ctl render birthday C1 --channel sms
	t_like "$T_OUT" "Provider: $prov" "$prov: render names the provider"
	t_like "$T_OUT" "Template-Id: (SMS_153055065|1110)" "$prov: render shows the template id"
	t_like "$T_OUT" "Sign-Name: 阿克米" "$prov: render shows the sign name"
	t_like "$T_OUT" "Param (name|1): 张总" "$prov: render shows the first parameter's value"
	t_like "$T_OUT" "Param (rep|2): 李娜" "$prov: render shows the rep's name"
	t_like "$T_OUT" "张总，祝您生日快乐" "$prov: and the approved text kept in the file"
	out=$(ctl send 2>&1)
	t_like "$out" "1 sent" "$prov: send: the provider accepted it"
	t_is "$(state)" "['sent']" "$prov: outbox: sent"
	t_like "$(field provider_id)" "^(900000\\^0|2433:1000)$" "$prov: the provider's id (BizId/SerialNo) is kept"
	t_is "$(accepted ${p}ok)" 1 "$prov: the mock verified the signature and took one message"
	if [ $prov = aliyun ]; then
		t_like "$(grep SendSms "$dir/${p}ok.log")" '"phone": "13800138000".*"params": \{"name": "张总", "rep": "李娜"\}, "out_id": "1"' \
			"aliyun: the number without +86, named parameters, our id as OutId"
	else
		t_like "$(grep SendSms "$dir/${p}ok.log")" '"phone": "\+8613800138000".*"params": \["张总", "李娜"\], "out_id": "1"' \
			"tencent: E.164 number, parameters by position, our id as SessionContext"
	fi
	sleep 1.2
	ctl send >/dev/null 2>&1
	t_is "$(state)" "['delivered']" "$prov: the status query's report: delivered"

	# 2. The wrong secret: the mock refuses the signature; kept for a retry.
	start_mock "${p}bad" $prov
	setup "${p}bad" $prov wrong-key
	out=$(ctl send 2>&1)
	t_is "$(state)" "['retry']" "$prov: a refused signature is retried, not failed"
	t_like "$(field last_error)" "(SignatureDoesNotMatch|AuthFailure.SignatureFailure)" \
		"$prov: the provider's code is kept"
	t_is "$(accepted ${p}bad)" 0 "$prov: nothing was taken"
	t_unlike "$out$(cat "$dir/${p}bad.state/"* 2>/dev/null)" "wrong-key" "$prov: the secret is never printed"

	# 3. Throttled: retried after the wait the code implies.
	start_mock "${p}thr" $prov --fail throttle
	setup "${p}thr" $prov s3cret-key
	ctl send >/dev/null 2>&1
	t_is "$(state)" "['retry']" "$prov: frequency control: retry"
	nb=$(ctl outbox --json | /usr/bin/python3 -c 'import json,sys,time,calendar
d=json.load(sys.stdin); print(calendar.timegm(time.strptime(d[0]["not_before"], "%Y-%m-%dT%H:%M:%SZ")) - int(time.time()))')
	t_ok "$prov: not before the provider's window ($nb s)" test "$nb" -ge 27

	# 4. Accepted, then no answer: 'unknown', asked about, never resent.
	start_mock "${p}to" $prov --fail timeout-after-accept
	TMO=3 setup "${p}to" $prov s3cret-key
	ctl send >/dev/null 2>&1
	t_is "$(state)" "['unknown']" "$prov: a timeout after the request went out: unknown"
	sleep 1.2
	ctl send >/dev/null 2>&1
	t_like "$(state)" "'(sent|delivered)'" "$prov: the status query finds it: not sent again"
	t_is "$(accepted ${p}to)" 1 "$prov: the customer got one SMS"

	# 5. A 5xx before the provider took it: resent once it does not know it.
	start_mock "${p}5x" $prov --fail 5xx-before-accept
	setup "${p}5x" $prov s3cret-key
	ctl send >/dev/null 2>&1
	t_is "$(state)" "['unknown']" "$prov: a 5xx: unknown"
	for i in 1 2 3 4 5 6 7 8; do
		sleep 1
		ctl send >/dev/null 2>&1
		case $(state) in *sent*|*delivered*) break ;; esac
	done
	t_like "$(state)" "'(sent|delivered)'" "$prov: unknown to the provider at two queries: sent again"
	t_is "$(accepted ${p}5x)" 1 "$prov: exactly one SMS taken"

	# 5b. A 5xx after the provider took it (Aliyun signed the RPC way):
	# unknown, found by the status query, not sent again.
	start_mock "${p}5a" $prov --fail 5xx-after-accept
	if [ $prov = aliyun ]; then
		setup "${p}5a" $prov s3cret-key 'signature = "hmac-sha1";'
	else
		setup "${p}5a" $prov s3cret-key
	fi
	ctl send >/dev/null 2>&1
	t_is "$(state)" "['unknown']" "$prov: a 5xx after accepting: unknown"
	sleep 1.2
	ctl send >/dev/null 2>&1
	t_like "$(state)" "'(sent|delivered)'" "$prov: the status query finds it: not sent again"
	t_is "$(accepted ${p}5a)" 1 "$prov: one SMS taken"

	# 6. A number the provider refuses: failed, with its code.
	start_mock "${p}num" $prov --fail reject-number
	setup "${p}num" $prov s3cret-key
	ctl send >/dev/null 2>&1
	t_is "$(state)" "['failed']" "$prov: a refused number fails at once"
	t_like "$(field last_error)" "(isv.MOBILE_NUMBER_ILLEGAL|IncorrectPhoneNumber)" "$prov: with the provider's code"
done

# Status pushes on the HTTP service: the callback secret, the provider's
# answer format, the report turning a sent SMS delivered or undelivered.
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
post() { # URL BODY -> "STATUS BODY"
	/usr/bin/python3 - "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST",
                             headers={"Content-Type": "application/json"})
try:
    r = urllib.request.urlopen(req, timeout=10)
    print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}
# 0 once the mock's log has a push the daemon took (status 0 answered).
pushed_ok() {
	/usr/bin/python3 -c 'import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("action") == "push" and d["status"] == 200:
        a = json.loads(d["answer"])
        if a.get("code", a.get("result")) == 0:
            sys.exit(0)
sys.exit(1)' "$1"
}
for prov in aliyun tencent; do
	p=${prov:0:1}
	start_mock "${p}push" $prov
	setup "${p}push" $prov s3cret-key "report_push = true;"
	hport=$(t_freeport)
	printf 'http: { listen = "127.0.0.1:%s"; };\n' "$hport" >>"$dir/$name.conf"
	sed -i 's|^daemon: { state_dir = \(.*\); };|daemon: { state_dir = \1; scan_interval = 3600; };|' "$dir/$name.conf"
	ctl send >/dev/null 2>&1
	t_is "$(state)" "['sent']" "$prov push: sent"
	secret=push-callback-secret-$prov-0123456789
	printf '%s\n' "$secret" >"$dir/$name.state/callback.secret"
	t_bg "$dir/${p}push.d.pid" "$OUTREACHD" -c "$dir/$name.conf" --foreground
	t_wait_port "$hport" 10
	url="http://127.0.0.1:$hport/callbacks/$prov/report"
	if [ $prov = aliyun ]; then
		body='[{"phone_number":"13800138000","send_time":"2026-12-03 10:00:00","report_time":"2026-12-03 10:00:05","success":false,"err_code":"MK:0001","err_msg":"用户空号","sms_size":"1","biz_id":"900000^0","out_id":"1"}]'
		ok='^200 \{"code":0,"msg":"成功"\}'
	else
		body='[{"user_receive_time":"2026-12-03 10:00:05","nationcode":"86","mobile":"13800138000","report_status":"FAIL","errmsg":"MK:0001","description":"用户空号","sid":"2433:1000","ext":""}]'
		ok='^200 \{"result":0,"errmsg":"OK"\}'
	fi
	t_like "$(post "$url?secret=wrong" "$body")" "^403" "$prov push: a wrong secret gets 403"
	t_is "$(state)" "['sent']" "$prov push: and changes nothing"
	t_like "$(post "$url?secret=$secret" "not json")" "^400" "$prov push: a body that is not JSON gets 400"
	t_like "$(post "$url?secret=$secret" "$body")" "$ok" "$prov push: answered as $prov expects"
	t_is "$(state)" "['undelivered']" "$prov push: the report makes it undelivered"
	t_like "$(field last_error)" "MK:0001.*用户空号" "$prov push: with the provider's code and words"
	t_kill "$dir/${p}push.d.pid"

	# The mock pushes the report itself, to the daemon that sent, and
	# before it answers the SendSms: the daemon asks for it again later
	# rather than lose it.
	start_mock "${p}mp" $prov --push-url-file "$dir/${p}mp.pushurl" --answer-delay 2
	setup "${p}mp" $prov s3cret-key "report_push = true;"
	hport=$(t_freeport)
	printf 'http: { listen = "127.0.0.1:%s"; };\n' "$hport" >>"$dir/$name.conf"
	printf 'mock-callback-secret-0123456789\n' >"$dir/$name.state/callback.secret"
	printf 'http://127.0.0.1:%s/callbacks/%s/report?secret=mock-callback-secret-0123456789\n' \
		"$hport" $prov >"$dir/${p}mp.pushurl"
	t_bg "$dir/${p}mp.d.pid" "$OUTREACHD" -c "$dir/$name.conf" --foreground
	t_wait_port "$hport" 10
	t_ok "$prov: the daemon sends, the provider pushes the report: taken" \
		t_wait_until 20 pushed_ok "$dir/${p}mp.log"
	t_like "$(grep '"push"' "$dir/${p}mp.log" | head -1)" "still being sent: push again later" \
		"$prov: a report before the SendSms answer is asked for again, not lost"
	t_wait_until 5 sh -c "\"$CTL\" -c '$dir/$name.conf' outbox --json | grep -q delivered"
	t_is "$(state)" "['delivered']" "$prov: the pushed report is in the outbox"
	t_kill "$dir/${p}mp.d.pid"
done

# Twilio: the generic gateway's preset, against a recording HTTP sink.
t_bg "$dir/tw.pid" /usr/bin/python3 "$peers/httpsink.py" --port 0 --portfile "$dir/tw.port" \
	--log "$dir/tw.requests" --status 201 --owner-pid $$ \
	--reply '{"account_sid": "ACtest", "sid": "SM0123456789abcdef", "status": "queued"}'
t_wait_file "$dir/tw.port" 10
mkdir -p "$dir/tw.state" "$dir/tw.tmpl"
cp "$top/templates/birthday."* "$dir/tw.tmpl/"
printf 'tw-token\n' >"$dir/tw.secret"
cat >"$dir/tw.conf" <<CONF
store = "$(t_store "$dir/tw.db")";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$dir/tw.tmpl";
daemon: { state_dir = "$dir/tw.state"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
sms: { transport = "twilio"; username = "ACtest"; password_file = "$dir/tw.secret";
  sender = "+15005550006";
  url = "http://127.0.0.1:$(cat "$dir/tw.port")/2010-04-01/Accounts/{username}/Messages.json"; };
rules = ( { name = "birthday"; event = "birthday"; action = "message"; channels = [ "sms" ]; } );
CONF
name=tw
printf 'external_id,name,phone,birthday,channel\nT1,Ann Lee,+1 415 555 0100,1980-%s,sms\n' "${today#*-}" >"$dir/tw.csv"
ctl import customers "$dir/tw.csv" >/dev/null
ctl scan
t_like "$(ctl send 2>&1)" "1 sent" "twilio: sent"
t_is "$(field provider_id)" "SM0123456789abcdef" "twilio: the message SID from the JSON answer is kept"
req=$(head -1 "$dir/tw.requests")
t_is "$(printf '%s' "$req" | js 'd["path"]')" "/2010-04-01/Accounts/ACtest/Messages.json" "twilio: the account's Messages.json"
t_is "$(printf '%s' "$req" | js 'd["method"]')" "POST" "twilio: a POST"
t_is "$(printf '%s' "$req" | js '{k.lower(): v for k, v in d["headers"].items()}["authorization"]')" \
	"Basic $(printf 'ACtest:tw-token' | base64)" "twilio: Basic auth with the SID and the token"
t_like "$(printf '%s' "$req" | js 'd["body"]')" "^To=%2B14155550100&From=%2B15005550006&Body=Happy%20birthday" \
	"twilio: a form with To, From and Body"

# The sms settings of a provider, refused with file and line.
badconf() { # EXTRA-SMS-SETTINGS -> check-config's output
	sed -e "s|^sms: { transport = \"aliyun\";|sms: { transport = \"aliyun\"; $1|" \
		"$dir/aok.conf" >"$dir/bad.conf"
	"$CTL" -c "$dir/bad.conf" check-config 2>&1
}
t_like "$(badconf 'username = "x";')" "bad.conf:[0-9]+: username is a gateway setting: the aliyun transport does not use it" \
	"aliyun: a gateway setting is refused"
t_like "$(badconf 'secret_id = "x";')" "bad.conf:[0-9]+: secret_id is for the tencent transport" \
	"aliyun: tencent's key setting is refused"
sed -e 's/sign_name = "阿克米";//' -e 's/password_file = "[^"]*";//' "$dir/aok.conf" >"$dir/bad2.conf"
out=$("$CTL" -c "$dir/bad2.conf" check-config 2>&1)
t_like "$out" "bad2.conf:[0-9]+: the aliyun transport needs password_file" "aliyun: password_file is required"
t_like "$out" "bad2.conf:[0-9]+: the aliyun transport needs sign_name" "aliyun: sign_name is required"
sed -e 's/sdk_app_id = "1400006666"; //' "$dir/tok.conf" >"$dir/bad3.conf"
t_like "$("$CTL" -c "$dir/bad3.conf" check-config 2>&1)" "bad3.conf:[0-9]+: the tencent transport needs sdk_app_id" \
	"tencent: sdk_app_id is required"
sed -e 's|url = "http://[^"]*"|url = "ftp://127.0.0.1/x"|' "$dir/aok.conf" >"$dir/bad4.conf"
t_like "$("$CTL" -c "$dir/bad4.conf" check-config 2>&1)" "bad4.conf:[0-9]+: aliyun url must be http:// or https://" \
	"aliyun: a url that is not http(s) is refused"

# The checks on the provider block: file and line.
start_mock chk aliyun
setup chk aliyun s3cret-key
sed -i '/provider-template/d' "$dir/chk.tmpl/birthday.sms.zh_CN.tmpl"
sed -i '1i provider-param x: y' "$dir/chk.tmpl/birthday.sms.zh_CN.tmpl"
out=$(ctl check-config 2>&1); rc=$?
t_is "$rc" 78 "check-config refuses a provider block without provider-template"
t_like "$out" "birthday.sms.zh_CN.tmpl:1:1: the provider block has no \"provider-template: ID\"" "with file and line"
printf 'hello\n' >"$dir/chk.tmpl/birthday.sms.zh_CN.tmpl"
out=$(ctl check-config 2>&1); rc=$?
t_is "$rc" 78 "check-config refuses an SMS template without provider block on aliyun"
t_like "$out" "birthday.sms.zh_CN.tmpl:1: rule birthday: the aliyun transport sends only approved templates" "named with file and line"
cp "$dir/tmpl/birthday.sms.zh_CN.tmpl" "$dir/chk.tmpl/"
sed -i 's/^provider-param rep: .*/provider-param rep: 请访问 https:\/\/acme.example/' "$dir/chk.tmpl/birthday.sms.zh_CN.tmpl"
out=$(ctl check-config 2>&1); rc=$?
t_is "$rc" 78 "check-config refuses a link written into a parameter"
t_like "$out" "birthday.sms.zh_CN.tmpl:3: provider-param rep holds a link, which aliyun refuses in a variable" \
	"with file and line"
sed -i 's/^provider-param rep: .*/provider-param rep: {{attr.site}}/' "$dir/chk.tmpl/birthday.sms.zh_CN.tmpl"
sed -e '1s/$/,site/' -e '2s/$/,www.zhang.example/' "$dir/chk.csv" >"$dir/chk.site.csv"
ctl import customers "$dir/chk.site.csv" >/dev/null 2>&1
t_ok "check-config: a parameter from data passes the static check" ctl check-config
out=$(ctl render birthday C1 --channel sms 2>&1); rc=$?
t_fails "a value with a link is not sent" test "$rc" = 0
t_like "$out" "birthday.sms.zh_CN.tmpl:3: provider-param rep holds a link" "render names file and line"
sed -i 's/^provider-param rep: .*/provider-param rep: 一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六/' \
	"$dir/chk.tmpl/birthday.sms.zh_CN.tmpl"
out=$(ctl render birthday C1 --channel sms 2>&1)
t_like "$out" "provider-param rep is 36 characters, more than the 35 a aliyun variable may hold" "too long for Aliyun"
sed -i 's/provider-param name:/provider-param 1:/' "$dir/tmpl/tc.zh_CN"
sed -i -e 's/transport = "aliyun"/transport = "tencent"; sdk_app_id = "1"/' -e 's/access_key_id/secret_id/' "$dir/chk.conf"
sed -i 's/provider-param 2:/provider-param 3:/' "$dir/tmpl/tc.zh_CN"
cp "$dir/tmpl/tc.zh_CN" "$dir/chk.tmpl/birthday.sms.zh_CN.tmpl"
out=$(ctl check-config 2>&1)
t_like "$out" "birthday.sms.zh_CN.tmpl:3: tencent fills its template's variables by position: provider-param 3 must be provider-param 2" \
	"tencent: parameters must be numbered in order"
t_done
