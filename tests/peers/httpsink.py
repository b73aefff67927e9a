#!/usr/bin/python3
"""A tiny HTTP server that records requests (127.0.0.1 only), for tests.

Usage:
  httpsink.py [--port P] [--portfile F] [--pidfile F] [--log FILE]
              [--reply TEXT] [--status CODE] [--owner-pid PID]
              [--fail-first N --fail-status CODE [--retry-after S]] [--hang]

  --port P        port on 127.0.0.1 (default 0: the kernel picks one)
  --portfile F    write the bound port to F (atomically) once listening
  --pidfile F     write our PID to F at startup
  --log FILE      append one JSON object per request (flushed at once):
                  {"method": "GET", "path": "/in", "query": {"from": ["123"]},
                   "raw_query": "from=123&...", "body": "...",
                   "headers": {...}}
                  query values are decoded as UTF-8 (invalid bytes as \\uFFFD);
                  "query_bytes_hex" holds each value's raw bytes in hex, so
                  UTF-16BE text (Kannel coding 2) can be decoded by the test.
  --reply TEXT    body of every answer (text/plain; default: empty)
  --status CODE   status of every answer (default 200)
  --owner-pid PID exit when process PID is gone
  --fail-first N  answer the first N requests with --fail-status (default
                  429) and, with --retry-after S, a Retry-After: S header;
                  then answer normally (a gateway that is down, then back)
  --hang          read and log each request, never answer it (a gateway
                  that hangs)

Used by tests/cli/peers_selftest.sh as the target of KANNEL_INBOUND_URL.
"""

import argparse
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--portfile")
    p.add_argument("--pidfile")
    p.add_argument("--log")
    p.add_argument("--reply", default="")
    p.add_argument("--status", type=int, default=200)
    p.add_argument("--owner-pid", type=int)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--fail-status", type=int, default=429)
    p.add_argument("--retry-after")
    p.add_argument("--hang", action="store_true")
    o = p.parse_args(argv)
    seen = [0]

    if o.pidfile:
        with open(o.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(o.pidfile + ".tmp", o.pidfile)
    logf = open(o.log, "a", encoding="utf-8") if o.log else None
    lock = threading.Lock()

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self):
            url = urllib.parse.urlsplit(self.path)
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            query, qhex = {}, {}
            for pair in url.query.split("&"):
                if not pair:
                    continue
                k, _, v = pair.partition("=")
                k = urllib.parse.unquote_to_bytes(k.replace("+", " ")).decode("utf-8", "replace")
                vb = urllib.parse.unquote_to_bytes(v.replace("+", " "))
                query.setdefault(k, []).append(vb.decode("utf-8", "replace"))
                qhex.setdefault(k, []).append(vb.hex())
            rec = {"time": time.time(), "method": self.command, "path": url.path,
                   "query": query, "query_bytes_hex": qhex, "raw_query": url.query,
                   "body": body.decode("utf-8", "replace"),
                   "headers": {k: v for k, v in self.headers.items()}}
            if logf:
                with lock:
                    logf.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    logf.flush()
            if o.hang:
                while True:
                    time.sleep(3600)
            with lock:
                seen[0] += 1
                failing = seen[0] <= o.fail_first
            out = (b"busy" if failing else o.reply.encode("utf-8"))
            self.send_response(o.fail_status if failing else o.status)
            if failing and o.retry_after:
                self.send_header("Retry-After", o.retry_after)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, fmt, *args):
            sys.stderr.write("httpsink: %s\n" % (fmt % args))

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", o.port), H)
    srv.daemon_threads = True
    port = srv.server_address[1]
    if o.portfile:
        with open(o.portfile + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(o.portfile + ".tmp", o.portfile)
    sys.stderr.write("httpsink: listening 127.0.0.1:%d pid=%d\n" % (port, os.getpid()))
    sys.stderr.flush()

    if o.owner_pid:
        def watch():
            while True:
                time.sleep(0.5)
                try:
                    os.kill(o.owner_pid, 0)
                except ProcessLookupError:
                    srv.shutdown()
                    return
                except PermissionError:
                    pass
        threading.Thread(target=watch, daemon=True).start()

    import signal
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=srv.shutdown).start())
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
