#!/usr/bin/python3
"""Hostile and legitimate HTTP clients for tests/cli/http_flood.sh and
http_abuse.sh.  Every mode is bounded in time and prints one JSON object.

  hold PORT --slow N --idle N --body N --seconds S [--interval S] [--src IP]
      N slowloris connections (a request line, then one header line every
      --interval seconds, never the blank line), N idle keep-alives (one
      complete request, its answer read, then silence) and N slow POSTs (a
      head announcing 60,000 bytes, then one byte every --interval
      seconds), all held for S
      seconds or until SIGTERM; whatever the server closes is opened again (at most 500
      times a second), as an attacker would.  --ready FILE is written once
      every connection was opened the first time.
  legit URL --count N [--gap S] [--timeout S] [--src IP]
      N GET requests one after the other, each on a new connection bound to
      --src; counts those answered 200 within --timeout.
  spray PORT --seconds S [--conns N] [--post] [--src IP]
      Guessed tokens on keep-alive connections as fast as the server
      answers: GET /u/X, GET /feeds/X/followups.ics, and with --post also
      POST /u/X; counts the answers by status.
  silent PORT --count N --seconds S [--ready FILE]
      N connections opened one after the other, half with a request line
      and a header, half with a head announcing 60,000 bytes of body and
      one byte of it; then silence for S seconds or until SIGTERM.
  slowclose PORT --count N [--src IP] [--seconds S]
      N slowloris connections; reports after how many seconds the server
      closed each (null if not within S).
"""
import argparse
import http.client
import json
import os
import random
import resource
import selectors
import signal
import socket
import string
import sys
import time


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass


def connect(port, src, blocking=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if src:
        s.bind((src, 0))
    s.setblocking(blocking)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s


def hold(a):
    raise_nofile()
    sel = selectors.DefaultSelector()
    conns = {}  # socket -> [kind, next_send_time, answered]
    st = {"opened": 0, "closed_by_server": 0, "connect_errors": 0,
          "max_open": 0}
    head = {"slow": b"GET /healthz HTTP/1.1\r\nHost: flood\r\n",
            "idle": b"GET /healthz HTTP/1.1\r\nHost: flood\r\n\r\n",
            "body": b"POST /u/AAAA HTTP/1.1\r\nHost: flood\r\n"
                    b"Content-Length: 60000\r\n\r\nx"}
    more = {"slow": lambda now: b"X-Slow-%d: %d\r\n" % (
        random.randrange(1 << 30), int(now)), "body": lambda now: b"x"}

    def open_one(kind):
        try:
            s = connect(a.port, a.src)
        except OSError:
            st["connect_errors"] += 1
            return
        st["opened"] += 1
        conns[s] = [kind, 0.0, False]
        sel.register(s, selectors.EVENT_READ)

    def drop(s, by_server=True):
        if by_server:
            st["closed_by_server"] += 1
        sel.unregister(s)
        del conns[s]
        s.close()

    end = time.monotonic() + a.seconds
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    for _ in range(a.slow):
        open_one("slow")
    for _ in range(a.idle):
        open_one("idle")
    for _ in range(a.body):
        open_one("body")
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    budget, tick = 0.0, time.monotonic()
    want = {"slow": a.slow, "idle": a.idle, "body": a.body}
    while True:
        now = time.monotonic()
        if now >= end or stop:
            break
        for s, (kind, due, answered) in list(conns.items()):
            if due > now:
                continue
            try:
                if due == 0.0:
                    s.send(head[kind])
                elif kind in more:
                    s.send(more[kind](now))
            except BlockingIOError:
                continue
            except OSError:
                drop(s)
                continue
            conns[s][1] = now + (a.interval if kind in more else 1e9)
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                drop(s)
        st["max_open"] = max(st["max_open"], len(conns))
        # Open again what the server closed, at most 500 a second.
        budget = min(500.0, budget + (now - tick) * 500.0)
        tick = now
        for kind in want:
            have = sum(1 for c in conns.values() if c[0] == kind)
            while have < want[kind] and budget >= 1:
                open_one(kind)
                have += 1
                budget -= 1
    st["open_at_end"] = len(conns)
    for s in list(conns):
        drop(s, False)
    print(json.dumps(st))


def legit(a):
    u = a.url.split("/", 3)
    host, port = u[2].rsplit(":", 1)
    path = "/" + u[3]
    st = {"served": 0, "failed": 0, "latencies": [], "errors": []}
    for i in range(a.count):
        t0 = time.monotonic()
        try:
            c = http.client.HTTPConnection(host, int(port), timeout=a.timeout,
                                           source_address=(a.src, 0)
                                           if a.src else None)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            c.close()
            ok = r.status == 200
            if not ok:
                st["errors"].append(r.status)
        except (OSError, http.client.HTTPException) as e:
            ok = False
            st["errors"].append(type(e).__name__)
        dt = time.monotonic() - t0
        if ok and dt <= a.timeout:
            st["served"] += 1
            st["latencies"].append(round(dt, 3))
        else:
            st["failed"] += 1
        if i + 1 < a.count:
            time.sleep(max(0.0, a.gap - dt))
    st["max_latency"] = max(st["latencies"]) if st["latencies"] else None
    print(json.dumps(st))


def rand_token(n=22):
    return "".join(random.choice(string.ascii_letters + string.digits + "-_")
                   for _ in range(n))


def spray(a):
    st = {"requests": 0, "status": {}, "reconnects": 0}
    reqs = []
    conns = [None] * a.conns
    end = time.monotonic() + a.seconds
    i = 0
    while time.monotonic() < end:
        k = i % a.conns
        i += 1
        if conns[k] is None:
            conns[k] = http.client.HTTPConnection(
                "127.0.0.1", a.port, timeout=5,
                source_address=(a.src, 0) if a.src else None)
            st["reconnects"] += 1
        c = conns[k]
        kinds = ["get_u", "get_feed"] + (["post_u"] if a.post else [])
        kind = kinds[i % len(kinds)]
        try:
            if kind == "get_u":
                c.request("GET", "/u/" + rand_token())
            elif kind == "get_feed":
                c.request("GET", "/feeds/%s/followups.ics" % rand_token())
            else:
                c.request("POST", "/u/" + rand_token(), body=b"List-"
                          b"Unsubscribe=One-Click", headers={
                              "Content-Type":
                              "application/x-www-form-urlencoded"})
            r = c.getresponse()
            r.read()
            code = str(r.status)
            if r.status == 429:
                st["retry_after"] = r.getheader("Retry-After")
            if r.will_close:
                c.close()
                conns[k] = None
        except (OSError, http.client.HTTPException) as e:
            code = type(e).__name__
            c.close()
            conns[k] = None
        st["requests"] += 1
        st["status"][code] = st["status"].get(code, 0) + 1
    print(json.dumps(st))


def silent(a):
    raise_nofile()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    socks = []
    for i in range(a.count):
        s = connect(a.port, None, blocking=True)
        s.send(b"GET /healthz HTTP/1.1\r\nHost: silent\r\n" if i % 2 else
               b"POST /u/AAAA HTTP/1.1\r\nHost: silent\r\n"
               b"Content-Length: 60000\r\n\r\nx")
        socks.append(s)
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    end = time.monotonic() + a.seconds
    while not stop and time.monotonic() < end:
        time.sleep(0.05)
    for s in socks:
        s.close()
    print(json.dumps({"opened": len(socks)}))


def slowclose(a):
    raise_nofile()
    socks = []
    for _ in range(a.count):
        s = connect(a.port, a.src, blocking=True)
        s.send(b"GET /healthz HTTP/1.1\r\nHost: slow\r\n")
        s.setblocking(False)
        socks.append([s, time.monotonic(), None])
    end = time.monotonic() + a.seconds
    nxt = time.monotonic() + a.interval
    while time.monotonic() < end and any(c[2] is None for c in socks):
        now = time.monotonic()
        for c in socks:
            if c[2] is not None:
                continue
            try:
                d = c[0].recv(4096)
                if not d:
                    c[2] = now - c[1]
            except BlockingIOError:
                pass
            except OSError:
                c[2] = now - c[1]
            if c[2] is None and now >= nxt:
                try:
                    c[0].send(b"X-Slow: 1\r\n")
                except OSError:
                    c[2] = now - c[1]
        if now >= nxt:
            nxt = now + a.interval
        time.sleep(0.05)
    res = [None if c[2] is None else round(c[2], 2) for c in socks]
    for c in socks:
        c[0].close()
    print(json.dumps({"closed_after": res}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    h = sub.add_parser("hold")
    h.add_argument("port", type=int)
    h.add_argument("--slow", type=int, default=0)
    h.add_argument("--idle", type=int, default=0)
    h.add_argument("--body", type=int, default=0)
    h.add_argument("--seconds", type=float, required=True)
    h.add_argument("--interval", type=float, default=10.0)
    h.add_argument("--src")
    h.add_argument("--ready")
    g = sub.add_parser("legit")
    g.add_argument("url")
    g.add_argument("--count", type=int, default=12)
    g.add_argument("--gap", type=float, default=0.5)
    g.add_argument("--timeout", type=float, default=5.0)
    g.add_argument("--src")
    s = sub.add_parser("spray")
    s.add_argument("port", type=int)
    s.add_argument("--seconds", type=float, required=True)
    s.add_argument("--conns", type=int, default=4)
    s.add_argument("--post", action="store_true")
    s.add_argument("--src")
    q = sub.add_parser("silent")
    q.add_argument("port", type=int)
    q.add_argument("--count", type=int, default=200)
    q.add_argument("--seconds", type=float, default=30.0)
    q.add_argument("--ready")
    c = sub.add_parser("slowclose")
    c.add_argument("port", type=int)
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--interval", type=float, default=1.0)
    c.add_argument("--seconds", type=float, default=10.0)
    c.add_argument("--src")
    a = p.parse_args()
    {"hold": hold, "legit": legit, "spray": spray, "silent": silent,
     "slowclose": slowclose}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
