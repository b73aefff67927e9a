#!/usr/bin/env python3
"""Checks a message built by outreachd's mime_build() with an independent
parser (the standard library's email package, policy=email.policy.default)
and prints its decoded fields as one JSON object on stdout.

Usage: mime_check.py FILE    (FILE may be "-" for standard input)

JSON keys: from, from_name, from_addr, to, to_name, to_addr, reply_to,
subject, date, message_id, list_unsubscribe, list_unsubscribe_post,
content_type, text, html (null when absent), headers (names in order),
defects (list of strings).  text and html have LF line ends.

Exit status: 0 if no defect was found, 1 if there were defects (they are
listed in "defects" and on stderr), 2 on a usage or I/O error.  Defects:
anything the email package reports, a bare CR or LF, a line over 998
octets, an 8-bit byte (we never use 8BITMIME), a blank continuation line, a
duplicated single-instance header, a Bcc or Cc header (outreachd never
writes them: one is a sign of header injection), a missing required header,
a body that is not text/plain or multipart/alternative of text/plain then
text/html, or something shaped like an encoded-word in a decoded display
name or subject (a sign of a malformed one; text that really holds one
would be a false alarm).  Only the standard library is used, so any
python3 will do.
"""
import email
import email.header
import email.policy
import email.utils
import json
import re
import sys

SINGLE = ("date", "from", "to", "reply-to", "subject", "message-id",
          "mime-version", "content-type", "content-transfer-encoding",
          "list-unsubscribe", "list-unsubscribe-post", "sender")
REQUIRED = ("date", "from", "to", "subject", "message-id", "mime-version",
            "content-type")
FORBIDDEN = ("bcc", "cc")
ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def raw_defects(data):
    """Line-level checks the email package is lenient about."""
    out = []
    if not data.endswith(b"\r\n"):
        out.append("message does not end with CRLF")
    lines = data.split(b"\r\n")
    in_headers = True
    for n, line in enumerate(lines[:-1], 1):
        if b"\r" in line or b"\n" in line:
            out.append("line %d: bare CR or LF" % n)
        if len(line) > 998:
            out.append("line %d: %d octets, over 998" % (n, len(line)))
        if any(c >= 0x80 for c in line):
            out.append("line %d: 8-bit byte" % n)
        if in_headers:
            if line == b"":
                in_headers = False
            elif line[:1] in (b" ", b"\t") and not line.strip():
                out.append("line %d: blank continuation line" % n)
    if in_headers:
        out.append("no blank line after the header section")
    return out


def display_name(data, h):
    """RFC 2047 section 6.2 decoding of the display name in header h.

    policy.default keeps the white space between adjacent encoded-words in
    a phrase (it shows a long name cut into two words as "A B"), so names
    are decoded with the older decode_header(), which drops it, as the RFC
    and mail readers do.
    """
    raw = email.message_from_bytes(data, policy=email.policy.compat32)[h]
    raw = re.sub(r"\r?\n(?=[ \t])", "", str(raw))
    name, _ = email.utils.parseaddr(raw)
    return str(email.header.make_header(email.header.decode_header(name)))


def text_of(part, defects):
    try:
        s = part.get_content()
    except Exception as e:  # noqa: BLE001 - any failure is a defect
        defects.append("cannot decode %s part: %s" % (part.get_content_type(), e))
        return None
    return s.replace("\r\n", "\n")


def check(data):
    defects = raw_defects(data)
    msg = email.message_from_bytes(data, policy=email.policy.default)
    defects += ["message: %s" % d.__class__.__name__ for d in msg.defects]
    names = [k for k, _ in msg.items()]
    lower = [k.lower() for k in names]
    for h in SINGLE:
        if lower.count(h) > 1:
            defects.append("%d %s headers" % (lower.count(h), h))
    for h in REQUIRED:
        if h not in lower:
            defects.append("no %s header" % h)
    for h in FORBIDDEN:
        if h in lower:
            defects.append("unexpected %s header" % h)
    for k, v in msg.items():
        for d in getattr(v, "defects", ()):
            defects.append("%s header: %s" % (k, d))

    out = {"headers": names}
    for key, h in (("from", "From"), ("to", "To")):
        v = msg[h]
        out[key] = str(v) if v is not None else None
        out[key + "_name"] = out[key + "_addr"] = None
        if v is not None and len(v.addresses) == 1:
            out[key + "_name"] = display_name(data, h)
            out[key + "_addr"] = v.addresses[0].addr_spec
            if ENCODED_WORD.search(out[key + "_name"]):
                defects.append("%s: undecoded encoded-word" % h)
        elif v is not None:
            defects.append("%s: %d addresses" % (h, len(v.addresses)))
    for key, h in (("reply_to", "Reply-To"), ("subject", "Subject"),
                   ("date", "Date"), ("message_id", "Message-ID"),
                   ("list_unsubscribe", "List-Unsubscribe"),
                   ("list_unsubscribe_post", "List-Unsubscribe-Post")):
        v = msg[h]
        out[key] = str(v) if v is not None else None
    if out["subject"] is not None and ENCODED_WORD.search(out["subject"]):
        defects.append("Subject: undecoded encoded-word")
    out["content_type"] = msg.get_content_type()

    out["text"] = out["html"] = None
    if msg.get_content_type() == "text/plain":
        out["text"] = text_of(msg, defects)
    elif msg.get_content_type() == "multipart/alternative":
        parts = list(msg.iter_parts())
        types = [p.get_content_type() for p in parts]
        if types != ["text/plain", "text/html"]:
            defects.append("alternative parts are %s" % types)
        for p in parts:
            defects += ["%s part: %s" % (p.get_content_type(),
                                         d.__class__.__name__)
                        for d in p.defects]
            if p.get_content_type() == "text/plain":
                out["text"] = text_of(p, defects)
            elif p.get_content_type() == "text/html":
                out["html"] = text_of(p, defects)
    else:
        defects.append("unexpected content type %s" % msg.get_content_type())
    out["defects"] = defects
    return out


def main(argv):
    if len(argv) != 2:
        print("usage: mime_check.py FILE|-", file=sys.stderr)
        return 2
    try:
        if argv[1] == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(argv[1], "rb") as f:
                data = f.read()
    except OSError as e:
        print("mime_check.py: %s" % e, file=sys.stderr)
        return 2
    out = check(data)
    json.dump(out, sys.stdout, ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")
    for d in out["defects"]:
        print("mime_check.py: %s" % d, file=sys.stderr)
    return 1 if out["defects"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
