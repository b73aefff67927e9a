#!/usr/bin/python3
"""Decode the log of Kannel's fakesmsc into one JSON object per SMS.

Usage:
  fakesmsc_decode.py [--raw] [--no-join] [LOGFILE ...]     (default: stdin)

fakesmsc (run with -m 0 by tests/peers/kannel.sh) logs every message that
bearerbox hands to the fake SMSC as a line like

  2026-11-23 05:05:25 [5929] [0] DEBUG: Got message 2: <FROM TO TYPE DATA>

where TYPE/DATA is one of (as written by Kannel 1.4.5's smsc_fake.c):
  text  DATA      7-bit/GSM message; DATA is the text itself, as UTF-8
                  (Kannel's internal form), not encoded.  A newline in the
                  text ends the line: fakesmsc then logs the rest as further
                  "messages" without FROM/TO (see joining below).
  ucs-2 DATA      UCS-2 message; DATA is the UTF-16BE bytes URL-encoded
                  (space as '+', other bytes as %XX or literally).
  data  DATA      8-bit message; DATA is the bytes URL-encoded.
  udh UDH data DATA
                  a message with a User Data Header (every part of a
                  concatenated long SMS); UDH and DATA URL-encoded.  The
                  line does not say whether DATA is UTF-8 text (7-bit) or
                  UTF-16BE (UCS-2): see "coding_guessed" below.

Output: one JSON object per line (UTF-8, ensure_ascii=False), in log order:
  {"n": 2, "from": "12345", "to": "4915112345678", "type": "ucs-2",
   "coding": 2, "text": "你好", "parts": 1}
  n       fakesmsc's message number (of the first part)
  coding  Kannel's coding value: 0 = 7-bit (GSM), 1 = 8-bit, 2 = UCS-2
  text    the decoded text (for 8-bit data: decoded as Latin-1, plus
          "data_hex")
  parts   number of SMS parts this object was assembled from
  concat  {"ref": R, "total": T, "got": [1, 2, ...]} for concatenated SMS;
          "complete": false if parts are missing (printed at the end)
  udh_hex the UDH (hex) when it is not just a concatenation header
  coding_guessed  true when the coding of a udh message had to be guessed:
          the joined parts are taken as UTF-8 text if they decode as UTF-8
          without control characters (other than TAB/LF/CR) and otherwise as
          UTF-16BE.  Reliable for real texts (a UCS-2 Chinese text would need
          every byte to be printable ASCII to be mistaken), but keep it in mind.

Joining: concatenated parts (UDH IE 0x00 or 0x08) with the same from, to and
reference are reassembled into one object (disable with --no-join).  A "Got
message" line that is not of the form "FROM TO TYPE ..." following a "text"
message is the continuation after a newline in that text, and is appended
with "\\n" (a CR before the newline is lost: fakesmsc strips it).
--raw prints one object per log record without any joining.
"""

import json
import re
import sys
import urllib.parse

GOT = re.compile(r"Got message (\d+): <(.*)$")
HEAD = re.compile(r"^(\S+) (\S+) (text|data|ucs-2|udh) (.*)$", re.S)


def url_bytes(s):
    return urllib.parse.unquote_to_bytes(s.replace("+", " "))


def parse_udh(udh):
    """Return (ref, total, seq) for a concatenation UDH, else None."""
    if not udh:
        return None
    length = udh[0]
    body = udh[1:1 + length]
    i = 0
    while i + 1 < len(body):
        iei, iel = body[i], body[i + 1]
        data = body[i + 2:i + 2 + iel]
        if iei == 0x00 and iel == 3 and len(data) == 3:
            return data[0], data[1], data[2]
        if iei == 0x08 and iel == 4 and len(data) == 4:
            return (data[0] << 8) | data[1], data[2], data[3]
        i += 2 + iel
    return None


def guess_text(raw):
    """Decode the data of udh parts whose coding is not logged."""
    try:
        t = raw.decode("utf-8")
        if not any(ord(c) < 32 and c not in "\t\n\r" for c in t):
            return t, 0
    except UnicodeDecodeError:
        pass
    if len(raw) % 2 == 0:
        return raw.decode("utf-16-be", "replace"), 2
    return raw.decode("utf-8", "replace"), 0


def records(lines):
    """Yield (n, body) for every 'Got message N: <body>' log line."""
    for line in lines:
        line = line.rstrip("\n")
        m = GOT.search(line)
        if not m:
            continue
        body = m.group(2)
        if body.endswith(">"):
            body = body[:-1]
        yield int(m.group(1)), body


def decode_record(n, body):
    m = HEAD.match(body)
    if not m:
        return {"n": n, "continuation": body}
    frm, to, typ, rest = m.groups()
    obj = {"n": n, "from": frm, "to": to, "type": typ}
    if typ == "text":
        obj.update(coding=0, text=rest)
    elif typ == "ucs-2":
        raw = url_bytes(rest)
        obj.update(coding=2, text=raw.decode("utf-16-be", "replace"))
    elif typ == "data":
        raw = url_bytes(rest)
        obj.update(coding=1, text=raw.decode("latin-1"), data_hex=raw.hex())
    else:  # udh UDH data DATA
        parts = rest.split(" ")
        udh = url_bytes(parts[0])
        data = url_bytes(parts[2]) if len(parts) >= 3 and parts[1] == "data" else url_bytes(parts[-1])
        obj["udh_hex"] = udh.hex()
        obj["_raw"] = data
        obj["_concat"] = parse_udh(udh)
    obj["parts"] = 1
    return obj


def finish_udh(obj, raw, concat=None):
    text, coding = guess_text(raw)
    obj.update(coding=coding, text=text, coding_guessed=True)
    obj.pop("_raw", None)
    c = obj.pop("_concat", None)
    if c is not None and concat is None:
        concat = {"ref": c[0], "total": c[1], "got": [c[2]]}
    if concat is not None:
        obj["concat"] = concat
        obj.pop("udh_hex", None)
    return obj


def emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def main(argv):
    sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    raw_mode = "--raw" in argv
    no_join = "--no-join" in argv
    files = [a for a in argv if not a.startswith("--")]
    lines = []
    if files:
        for f in files:
            with open(f, encoding="utf-8", errors="surrogateescape") as fh:
                lines.extend(fh.readlines())
    else:
        lines = sys.stdin.buffer.read().decode("utf-8", "surrogateescape").splitlines(True)

    out = []            # objects in output order (may be placeholders)
    pending = {}        # (from, to, ref, total) -> object being assembled
    last = None
    for n, body in records(lines):
        obj = decode_record(n, body)
        if raw_mode:
            if "_raw" in obj:
                obj = finish_udh(obj, obj["_raw"])
            out.append(obj)
            continue
        if "continuation" in obj:
            if last is not None and last.get("type") == "text" and not no_join:
                last["text"] += "\n" + obj["continuation"]
                last["lines"] = last.get("lines", 1) + 1
            else:
                out.append(obj)
            continue
        last = obj
        if "_raw" not in obj:
            out.append(obj)
            continue
        c = obj["_concat"]
        if c is None or no_join:
            out.append(finish_udh(obj, obj["_raw"]))
            continue
        ref, total, seq = c
        key = (obj["from"], obj["to"], ref, total)
        grp = pending.get(key)
        if grp is None or seq in grp["_parts"]:
            grp = {"obj": obj, "_parts": {}}
            pending[key] = grp
            out.append(grp)
        grp["_parts"][seq] = obj["_raw"]
        if len(grp["_parts"]) == total:
            del pending[key]
    for i, item in enumerate(out):
        if isinstance(item, dict) and "_parts" in item:
            parts = item["_parts"]
            first = item["obj"]
            raw = b"".join(parts[k] for k in sorted(parts))
            concat = {"ref": first["_concat"][0], "total": first["_concat"][1],
                      "got": sorted(parts)}
            obj = finish_udh(first, raw, concat)
            obj["parts"] = len(parts)
            if len(parts) != concat["total"]:
                obj["complete"] = False
            out[i] = obj
    for obj in out:
        emit(obj)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(0)
