#!/usr/bin/python3
"""Checks the provider signers of src/sms_sign.c against an independent
implementation on random requests, and prints TAP.

usage: sms_sign_oracle.py SMS_SIGN_DUMP [N]

N random SendSms requests (default 300), Aliyun with the V3 and the RPC
signature and Tencent, with random keys, secrets, sign names, numbers and
parameter values (ASCII symbols that need encoding, Chinese, full-width
forms, characters outside the BMP) are built and signed by the C code
(tests/sms_sign_dump); each is then verified with the checks of the mock
providers (tests/peers/smsprovider.py, Python's hmac and hashlib), which
recompute the signature from the request as the provider does, and its
parameters are compared with what was asked for."""

import json
import os
import random
import subprocess
import sys
import time
import types
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
import smsprovider  # noqa: E402

ALPHABET = ("abcXYZ019 -_.~*+/=&%?#!'\"()[]{}<>,;:@$^`|\\"
            "张伟李娜生日快乐，。！【】“”－～　ａＢ１😀𠀀é")


def rand_text(r, lo=1, hi=12):
    return "".join(r.choice(ALPHABET) for _ in range(r.randint(lo, hi))).replace("\t", " ")


def rand_token(r, n):
    return "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789") for _ in range(n))


def main(argv):
    dump, n = argv[1], int(argv[2]) if len(argv) > 2 else 300
    r = random.Random(int(os.environ.get("SMS_ORACLE_SEED", "20261203")))
    cases, lines = [], []
    now = int(time.time())
    for i in range(n):
        prov = ("aliyun", "aliyun", "tencent")[i % 3]
        sig = "sha1" if i % 3 == 1 else "acs3"
        c = {"prov": prov, "sig": sig, "key": rand_token(r, r.randint(8, 30)),
             "secret": rand_token(r, r.randint(8, 40)) + r.choice(["", "+/=", "&"]),
             "sign": rand_text(r, 2, 8), "to": "+86138%08d" % r.randint(0, 99999999),
             "tid": ("SMS_%d" % r.randint(1, 10**9)) if prov == "aliyun" else str(r.randint(1, 10**6)),
             "nonce": rand_token(r, 32), "id": r.randint(1, 10**12)}
        k = r.randint(0, 5)
        c["params"] = [((str(j + 1) if prov == "tencent" else "p%d_%s" % (j, rand_token(r, 3))),
                        rand_text(r)) for j in range(k)]
        cases.append(c)
        lines.append("\t".join([prov, sig, c["key"], c["secret"], c["sign"], c["to"], c["tid"],
                                str(now), c["nonce"], str(c["id"])] +
                               ["%s=%s" % kv for kv in c["params"]]))
    out = subprocess.run([dump], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=True).stdout.splitlines()
    print("1..%d" % n)
    failed = 0
    for i, (c, line) in enumerate(zip(cases, out), 1):
        why = check(c, json.loads(line))
        if why:
            failed += 1
            print("not ok %d - %s %s: %s" % (i, c["prov"], c["sig"], why))
            print("# input: %s" % json.dumps(c, ensure_ascii=False))
        else:
            print("ok %d - %s %s, %d parameters" % (i, c["prov"], c["sig"], len(c["params"])))
    return 1 if failed else 0


def check(c, req):
    if "error" in req:
        return "the C code refused: " + req["error"]
    o = types.SimpleNamespace(key_id=c["key"], secret=c["secret"])
    st = types.SimpleNamespace(o=o, lock=smsprovider.threading.Lock(), nonces=set())
    h = {}
    for line in req["headers"]:
        name, _, value = line.partition(": ")
        h[name.lower()] = value
    h.setdefault("host", "127.0.0.1:8")
    body = req["body"].encode()
    if c["prov"] == "aliyun":
        query = urllib.parse.urlsplit(req["url"]).query
        p = smsprovider.aliyun_check(st, h, query, body)
        if isinstance(p, tuple):
            return "the oracle says %s" % p[1]
        got = json.loads(p.get("TemplateParam") or "{}")
        if p.get("SignName") != c["sign"] or p.get("TemplateCode") != c["tid"] or \
                p.get("PhoneNumbers") != c["to"][3:] or p.get("OutId") != str(c["id"]):
            return "parameters differ: %r" % p
    else:
        err = smsprovider.tencent_check(st, h, body)
        if err:
            return "the oracle says %s" % err[0]
        b = json.loads(body)
        got = dict(zip([k for k, _ in c["params"]], b.get("TemplateParamSet", [])))
        if b.get("SignName") != c["sign"] or b.get("TemplateId") != c["tid"] or \
                b.get("PhoneNumberSet") != [c["to"]] or b.get("SessionContext") != str(c["id"]):
            return "body differs: %r" % b
    if list(got.items()) != c["params"]:
        return "template parameters differ: %r" % got
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv))
