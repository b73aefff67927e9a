#!/usr/bin/python3
"""feed_check.py - checks an iCalendar feed the way a subscriber would read it.

    /usr/bin/python3 tests/feed_check.py FEED.ics

Parses FEED.ics with python3-icalendar (Debian's, hence /usr/bin/python3)
and checks that:
  - every line ends in CRLF, is at most 75 octets and is valid UTF-8 on its
    own (folding never splits a character);
  - there is exactly one VCALENDAR with VERSION:2.0 and a PRODID;
  - every VEVENT has UID, DTSTAMP and DTSTART; every VTODO UID and DTSTAMP.
On success prints one line of JSON, e.g.
    {"vevent": 3, "vtodo": 0, "uids_unique": true}
and exits 0 (duplicate UIDs are reported in the JSON, not as a failure).
Exits 1 with a message on stderr when the feed does not parse or a check
fails, 2 on bad usage.
"""
import json
import sys

import icalendar


def fail(msg):
    sys.stderr.write("feed_check: %s\n" % msg)
    sys.exit(1)


def check_wire(data):
    """The octet-level rules that parsers forgive but RFC 5545 requires."""
    if not data.endswith(b"\r\n"):
        fail("the last line does not end in CRLF")
    lines = data[:-2].split(b"\r\n")
    for no, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            fail("line %d: bare CR or LF" % no)
        if len(line) > 75:
            fail("line %d: %d octets (more than 75)" % (no, len(line)))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as e:
            fail("line %d: not UTF-8 on its own: %s" % (no, e))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: feed_check.py FEED.ics\n")
        return 2
    try:
        with open(argv[1], "rb") as f:
            data = f.read()
    except OSError as e:
        fail(str(e))
    check_wire(data)
    try:
        cal = icalendar.Calendar.from_ical(data)
    except Exception as e:  # icalendar raises ValueError and others
        fail("parse error: %s" % e)
    if cal.name != "VCALENDAR":
        fail("top component is %s" % cal.name)
    if str(cal.get("VERSION", "")) != "2.0" or "PRODID" not in cal:
        fail("VERSION:2.0 or PRODID missing")

    counts = {"VEVENT": 0, "VTODO": 0}
    keys = []
    for comp in cal.walk():
        if comp.name not in counts:
            continue
        counts[comp.name] += 1
        need = ("UID", "DTSTAMP", "DTSTART") if comp.name == "VEVENT" \
            else ("UID", "DTSTAMP")
        for prop in need:
            if prop not in comp:
                fail("%s %s: no %s" % (comp.name, comp.get("UID", "?"),
                                       prop))
        rid = comp.get("RECURRENCE-ID")
        keys.append((str(comp["UID"]),
                     rid.to_ical() if rid is not None else None))
    print(json.dumps({"vevent": counts["VEVENT"], "vtodo": counts["VTODO"],
                      "uids_unique": len(set(keys)) == len(keys)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
