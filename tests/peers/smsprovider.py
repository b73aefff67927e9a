#!/usr/bin/python3
"""A local mock of Aliyun SMS (dysmsapi 2017-05-25) or Tencent Cloud SMS
(2021-01-11) on 127.0.0.1, for tests.  It checks each request as the
provider does: the signature recomputed from the request and the shared
secret (Aliyun V3 ACS3-HMAC-SHA256 or RPC HMAC-SHA1, Tencent
TC3-HMAC-SHA256), the timestamp window (Aliyun 15 minutes, Tencent 5),
a nonce used twice, the sign name, the template and its parameters; and
answers in the provider's own format and codes.

Usage:
  smsprovider.py --provider aliyun|tencent --key-id ID --secret S
                 --sign-name NAME --template ID:param,param ...
                 [--app-id ID] [--port 0 --portfile F] [--log FILE]
                 [--fail MODE --fail-count N] [--owner-pid PID]

  --template ID:a,b   an approved template and its variables (Aliyun:
                      names; Tencent: how many, as 1,2)
  --log FILE          one JSON object per SendSms accepted or refused:
                      {"action", "accepted", "code", "phone", "template",
                       "params", "out_id", "biz_id"}
  --fail MODE         for the first --fail-count SendSms requests (1):
                      throttle (frequency control), invalid-template,
                      5xx-after-accept (accepts, then answers 500),
                      timeout-after-accept (accepts, never answers),
                      5xx-before-accept (answers 500, takes nothing),
                      reject-number
  --push-url-file F   push a delivery report for each accepted message
                      (Aliyun's SmsReport, Tencent's status callback, a
                      JSON array POSTed) to the URL in F, once F exists
                      (waits up to 30 s), again every 0.5 s while the
                      answer is not a success; logs {"action": "push",
                      "status": HTTP status, "answer": body}
  --answer-delay S    answer an accepted SendSms S seconds late (so a
                      push can come before the sender has the answer)
Status: accepted messages are reported delivered (Aliyun SendStatus 3,
Tencent SUCCESS) by the status queries.
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ENC_SAFE = "-_.~"


def enc(s):
    return urllib.parse.quote(s, safe=ENC_SAFE)


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


class State:
    def __init__(self, o):
        self.o = o
        self.lock = threading.Lock()
        self.sent = []          # accepted messages
        self.nonces = set()
        self.failures = 0
        self.templates = {}
        for t in o.template:
            tid, _, params = t.partition(":")
            self.templates[tid] = [p for p in params.split(",") if p]

    def log(self, rec):
        if self.o.log:
            with open(self.o.log, "a") as f:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def fail_now(self):
        with self.lock:
            if self.o.fail and self.failures < self.o.fail_count:
                self.failures += 1
                return self.o.fail
        return None


def aliyun_check(st, h, query, body):
    """The request's parameters, or (status, code, message)."""
    o = st.o
    if "authorization" in h:
        auth = h["authorization"]
        if not auth.startswith("ACS3-HMAC-SHA256 "):
            return (400, "IncompleteSignature", "bad Authorization")
        parts = dict(p.split("=", 1) for p in auth[17:].split(","))
        if parts.get("Credential") != o.key_id:
            return (404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        names = parts["SignedHeaders"].split(";")
        if names != sorted(names) or "host" not in names:
            return (400, "IncompleteSignature", "bad SignedHeaders")
        if h.get("x-acs-content-sha256") != sha256_hex(body):
            return (400, "IncompleteSignature", "content hash")
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        cq = "&".join(enc(k) + "=" + enc(v) for k, v in sorted(pairs))
        ch = "".join(n + ":" + h.get(n, "").strip() + "\n" for n in names)
        cr = "\n".join(["POST", "/", cq, ch, ";".join(names), sha256_hex(body)])
        sts = "ACS3-HMAC-SHA256\n" + sha256_hex(cr.encode())
        want = hmac.new(o.secret.encode(), sts.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, parts.get("Signature", "")):
            return (400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
        ts, nonce = h.get("x-acs-date", ""), h.get("x-acs-signature-nonce", "")
        params = dict(pairs)
        params["Action"] = h.get("x-acs-action", "")
    else:
        params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        sig = params.pop("Signature", "")
        if params.get("AccessKeyId") != o.key_id:
            return (404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        cq = "&".join(enc(k) + "=" + enc(v) for k, v in sorted(params.items()))
        sts = "POST&" + enc("/") + "&" + enc(cq)
        want = base64.b64encode(hmac.new((o.secret + "&").encode(), sts.encode(), hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(want, sig):
            return (400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
        ts, nonce = params.get("Timestamp", ""), params.get("SignatureNonce", "")
    try:
        t = time.mktime(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    except ValueError:
        return (400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
    if abs(time.time() - t) > 900:
        return (400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
    with st.lock:
        if nonce in st.nonces:
            return (400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        st.nonces.add(nonce)
    return params


def tencent_check(st, h, body):
    o = st.o
    auth = h.get("authorization", "")
    if not auth.startswith("TC3-HMAC-SHA256 "):
        return ("AuthFailure.SignatureFailure", "bad Authorization")
    parts = dict(p.strip().split("=", 1) for p in auth[16:].split(","))
    cred = parts.get("Credential", "").split("/")
    if len(cred) != 4 or cred[0] != o.key_id:
        return ("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
    try:
        ts = int(h.get("x-tc-timestamp", ""))
    except ValueError:
        return ("AuthFailure.InvalidAuthorization", "bad timestamp")
    if abs(time.time() - ts) > 300:
        return ("AuthFailure.SignatureExpire", "Signature expired, the timestamp is more than 5 minutes off.")
    date = time.strftime("%Y-%m-%d", time.gmtime(ts))
    if cred[1] != date or cred[2] != "sms" or cred[3] != "tc3_request":
        return ("AuthFailure.SignatureFailure", "bad credential scope")
    names = parts.get("SignedHeaders", "").split(";")
    ch = "".join(n + ":" + h.get(n, "").strip().lower() + "\n" for n in names)
    cr = "\n".join(["POST", "/", "", ch, ";".join(names), sha256_hex(body)])
    sts = "TC3-HMAC-SHA256\n%d\n%s/sms/tc3_request\n%s" % (ts, date, sha256_hex(cr.encode()))

    def mac(k, m):
        return hmac.new(k, m.encode(), hashlib.sha256).digest()
    k = mac(mac(mac(("TC3" + o.secret).encode(), date), "sms"), "tc3_request")
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, parts.get("Signature", "")):
        return ("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
    return None


def push_report(st, rec):
    """POSTs the provider's delivery report for rec to the push URL."""
    o = st.o
    for _ in range(300):
        if os.path.exists(o.push_url_file) and os.path.getsize(o.push_url_file) > 0:
            break
        time.sleep(0.1)
    else:
        return
    with open(o.push_url_file) as f:
        url = f.read().strip()
    if o.provider == "aliyun":
        report = [{"phone_number": rec["phone"], "send_time": "", "report_time": "",
                   "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功",
                   "sms_size": "1", "biz_id": rec["biz_id"], "out_id": rec["out_id"]}]
    else:
        report = [{"user_receive_time": "", "nationcode": "86", "mobile": rec["phone"][3:],
                   "report_status": "SUCCESS", "errmsg": "DELIVRD",
                   "description": "用户短信送达成功", "sid": rec["biz_id"],
                   "ext": rec["out_id"]}]
    # Both providers push again when the answer is not a success.
    for _ in range(20):
        req = urllib.request.Request(url, data=json.dumps(report, ensure_ascii=False).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        try:
            r = urllib.request.urlopen(req, timeout=10)
            status, answer = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, answer = e.code, e.read().decode()
        except OSError as e:
            status, answer = 0, str(e)
        st.log({"action": "push", "status": status, "answer": answer})
        try:
            a = json.loads(answer)
            if status == 200 and a.get("code", a.get("result")) == 0:
                return
        except ValueError:
            pass
        time.sleep(0.5)


def pushed(st, rec):
    if st.o.push_url_file and rec.get("accepted"):
        threading.Thread(target=push_report, args=(st, rec), daemon=True).start()


def make_handler(st):
    o = st.o

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, status, obj):
            b = json.dumps(obj, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            self.wfile.write(b)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n)
            h = {k.lower(): v for k, v in self.headers.items()}
            query = urllib.parse.urlsplit(self.path).query
            if o.provider == "aliyun":
                self.aliyun(h, query, body)
            else:
                self.tencent(h, body)

        # ---- Aliyun
        def aliyun(self, h, query, body):
            p = aliyun_check(st, h, query, body)
            if isinstance(p, tuple):
                st.log({"action": "?", "accepted": False, "code": p[1]})
                return self.reply(p[0], {"Code": p[1], "Message": p[2], "RequestId": "mock"})
            if p.get("Action") == "QuerySendDetails":
                return self.aliyun_query(p)
            if p.get("Action") != "SendSms":
                return self.reply(404, {"Code": "InvalidAction.NotFound", "Message": "no such action"})
            code, msg = self.template_check(p.get("SignName"), p.get("TemplateCode"),
                                            json.loads(p.get("TemplateParam") or "{}"))
            phone = p.get("PhoneNumbers", "")
            fail = st.fail_now() if code == "OK" else None
            if fail == "5xx-before-accept":
                st.log({"action": "SendSms", "accepted": False, "code": "500"})
                return self.reply(500, {"Code": "ServiceUnavailable", "Message": "The request has failed due to a temporary failure of the server."})
            if fail == "throttle":
                code, msg = "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"
            elif fail == "invalid-template":
                code, msg = "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)"
            elif fail == "reject-number" or not phone.isdigit():
                code, msg = "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"
            rec = {"action": "SendSms", "accepted": code == "OK", "code": code, "phone": phone,
                   "template": p.get("TemplateCode"), "params": json.loads(p.get("TemplateParam") or "{}"),
                   "out_id": p.get("OutId"), "sign": p.get("SignName")}
            if code == "OK":
                rec["biz_id"] = "%d^0" % (900000 + len(st.sent))
                with st.lock:
                    st.sent.append(rec)
            st.log(rec)
            pushed(st, rec)
            if fail == "timeout-after-accept":
                time.sleep(3600)
                return
            time.sleep(o.answer_delay)
            if fail == "5xx-after-accept":
                return self.reply(500, {"Code": "InternalError", "Message": "The request processing has failed due to some unknown error."})
            ans = {"Code": code, "Message": msg if code != "OK" else "OK", "RequestId": "mock"}
            if code == "OK":
                ans["BizId"] = rec["biz_id"]
            self.reply(200, ans)

        def aliyun_query(self, p):
            dtos = [{"PhoneNum": m["phone"], "SendStatus": 3, "ErrCode": "DELIVERED",
                     "TemplateCode": m["template"], "OutId": m["out_id"],
                     "Content": "", "SendDate": "", "ReceiveDate": ""}
                    for m in st.sent if m["phone"] == p.get("PhoneNumber")]
            st.log({"action": "QuerySendDetails", "phone": p.get("PhoneNumber"), "found": len(dtos)})
            self.reply(200, {"Code": "OK", "Message": "OK", "RequestId": "mock",
                             "TotalCount": len(dtos), "SmsSendDetailDTOs": {"SmsSendDetailDTO": dtos}})

        def template_check(self, sign, tid, params):
            if sign != o.sign_name:
                return ("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)")
            if tid not in st.templates:
                return ("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
            want = st.templates[tid]
            names = list(params) if isinstance(params, dict) else [str(i + 1) for i in range(len(params))]
            if sorted(names) != sorted(want):
                return ("isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
            for v in (params.values() if isinstance(params, dict) else params):
                if not v or "【" in v or "http" in v:
                    return ("isv.TEMPLATE_PARAMS_ILLEGAL", "模板变量里包含非法关键字")
            return ("OK", "OK")

        # ---- Tencent
        def tencent(self, h, body):
            err = tencent_check(st, h, body)
            rid = "mock-%d" % time.time_ns()
            if err:
                st.log({"action": "?", "accepted": False, "code": err[0]})
                return self.reply(200, {"Response": {"Error": {"Code": err[0], "Message": err[1]}, "RequestId": rid}})
            req = json.loads(body)
            action = h.get("x-tc-action")
            if action == "PullSmsSendStatusByPhoneNumber":
                return self.tencent_pull(req, rid)
            if action != "SendSms" or h.get("x-tc-version") != "2021-01-11":
                return self.reply(200, {"Response": {"Error": {"Code": "InvalidAction", "Message": "no such action"}, "RequestId": rid}})
            if req.get("SmsSdkAppId") != o.app_id:
                return self.reply(200, {"Response": {"Error": {"Code": "FailedOperation.SmsSdkAppIdVerifyFail", "Message": "bad SmsSdkAppId"}, "RequestId": rid}})
            params = req.get("TemplateParamSet") or []
            code, _ = self.template_check(req.get("SignName"), req.get("TemplateId"), params)
            tcode = {"OK": "Ok", "isv.SMS_SIGNATURE_ILLEGAL": "FailedOperation.SignatureIncorrectOrUnapproved",
                     "isv.SMS_TEMPLATE_ILLEGAL": "FailedOperation.TemplateIncorrectOrUnapproved",
                     "isv.TEMPLATE_MISSING_PARAMETERS": "InvalidParameterValue.TemplateParameterFormatError",
                     "isv.TEMPLATE_PARAMS_ILLEGAL": "InvalidParameterValue.TemplateParameterFormatError"}[code]
            fail = st.fail_now() if tcode == "Ok" else None
            if fail == "5xx-before-accept":
                st.log({"action": "SendSms", "accepted": False, "code": "502"})
                return self.reply(502, {"error": "bad gateway"})
            if fail == "throttle":
                tcode = "LimitExceeded.PhoneNumberThirtySecondLimit"
            elif fail == "invalid-template":
                tcode = "FailedOperation.TemplateIncorrectOrUnapproved"
            phones = req.get("PhoneNumberSet") or [""]
            if fail == "reject-number" or not phones[0].startswith("+"):
                tcode = "InvalidParameterValue.IncorrectPhoneNumber"
            rec = {"action": "SendSms", "accepted": tcode == "Ok", "code": tcode, "phone": phones[0],
                   "template": req.get("TemplateId"), "params": params,
                   "out_id": req.get("SessionContext"), "sign": req.get("SignName")}
            if tcode == "Ok":
                rec["biz_id"] = "2433:%d" % (1000 + len(st.sent))
                with st.lock:
                    st.sent.append(rec)
            st.log(rec)
            pushed(st, rec)
            if fail == "timeout-after-accept":
                time.sleep(3600)
                return
            time.sleep(o.answer_delay)
            if fail == "5xx-after-accept":
                return self.reply(502, {"error": "bad gateway"})
            self.reply(200, {"Response": {"SendStatusSet": [{
                "SerialNo": rec.get("biz_id", ""), "PhoneNumber": phones[0], "Fee": 1,
                "SessionContext": req.get("SessionContext", ""), "Code": tcode,
                "Message": "send success" if tcode == "Ok" else tcode, "IsoCode": "CN"}], "RequestId": rid}})

        def tencent_pull(self, req, rid):
            found = [{"UserReceiveTime": "", "CountryCode": "86", "SubscriberNumber": m["phone"][3:],
                      "PhoneNumber": m["phone"], "SerialNo": m["biz_id"], "ReportStatus": "SUCCESS",
                      "Description": "用户短信送达成功", "SessionContext": m["out_id"]}
                     for m in st.sent if m["phone"] == req.get("PhoneNumber")]
            st.log({"action": "PullSmsSendStatusByPhoneNumber", "phone": req.get("PhoneNumber"), "found": len(found)})
            self.reply(200, {"Response": {"PullSmsSendStatusSet": found, "RequestId": rid}})

    return H


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--provider", choices=["aliyun", "tencent"], required=True)
    p.add_argument("--key-id", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--sign-name", required=True)
    p.add_argument("--app-id", default="1400000000")
    p.add_argument("--template", action="append", default=[])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--portfile")
    p.add_argument("--log")
    p.add_argument("--fail")
    p.add_argument("--fail-count", type=int, default=1)
    p.add_argument("--owner-pid", type=int)
    p.add_argument("--push-url-file")
    p.add_argument("--answer-delay", type=float, default=0)
    o = p.parse_args(argv)
    st = State(o)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", o.port), make_handler(st))
    srv.daemon_threads = True
    if o.portfile:
        with open(o.portfile + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(o.portfile + ".tmp", o.portfile)
    if o.owner_pid:
        def watch():
            while True:
                time.sleep(0.5)
                try:
                    os.kill(o.owner_pid, 0)
                except OSError:
                    os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
