#!/usr/bin/python3
"""Small loopback-network helpers for outreachd's test scripts.

Run with /usr/bin/python3 (standard library only).  Everything is 127.0.0.1.

  netutil.py freeport [N]
        Print N (default 1) distinct free TCP ports on 127.0.0.1, one per
        line.  All N sockets are held open until all are chosen, so the
        ports are distinct; they are closed again before printing (there is
        the usual small race with other processes: servers that can bind
        port 0 themselves should do so instead).

  netutil.py wait-port PORT [--timeout S] [--pid PID]
        Wait until something accepts a TCP connection on 127.0.0.1:PORT
        (connect, then close).  With --pid: give up at once if PID dies, and
        after the connect check that PID (or one of its descendants) owns the
        listening socket.  Exit 0 when ready, 1 on timeout / wrong owner.

  netutil.py wait-listen PORT [--timeout S] [--pid PID]
        Like wait-port but never connects: it watches /proc/net/tcp for a
        LISTEN socket on 127.0.0.1:PORT (use it for servers that serve one
        client at a time, e.g. Kannel's fake SMSC or box port).

  netutil.py owner PORT
        Print the PIDs of the processes holding the listening socket on
        127.0.0.1:PORT (needs permission to read their /proc/PID/fd: same user
        or root).  Exit 1 if none found.
"""

import os
import socket
import sys
import time


def freeport(n):
    socks = []
    try:
        ports = []
        while len(ports) < n:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            p = s.getsockname()[1]
            if p not in ports:
                ports.append(p)
        return ports
    finally:
        for s in socks:
            s.close()


def listen_inodes(port):
    """Inodes of LISTEN sockets bound to 127.0.0.1:port or the wildcard."""
    inodes = set()
    want = ":%04X" % port
    for path, locals_ in (("/proc/net/tcp", ("0100007F", "00000000")),
                          ("/proc/net/tcp6", ("00000000000000000000000000000000",
                                              "0000000000000000FFFF00000100007F",
                                              "00000000000000000000000001000000"))):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if len(parts) < 10:
                        continue
                    local, state, inode = parts[1], parts[3], parts[9]
                    if state != "0A":  # TCP_LISTEN
                        continue
                    addr, _, p = local.partition(":")
                    if ":" + p == want and addr in locals_:
                        inodes.add(inode)
        except OSError:
            pass
    return inodes


def owners(port):
    inodes = listen_inodes(port)
    if not inodes:
        return []
    targets = {"socket:[%s]" % i for i in inodes}
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fddir = "/proc/%s/fd" % pid
        try:
            for fd in os.listdir(fddir):
                try:
                    if os.readlink(os.path.join(fddir, fd)) in targets:
                        found.append(int(pid))
                        break
                except OSError:
                    continue
        except OSError:
            continue
    return found


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
        state = data.rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except OSError:
        return False


def ancestors_include(pid, root):
    seen = 0
    while pid > 1 and seen < 64:
        if pid == root:
            return True
        try:
            with open("/proc/%d/stat" % pid) as f:
                data = f.read()
            pid = int(data.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        seen += 1
    return pid == root


def owned_by(port, root):
    return any(ancestors_include(p, root) for p in owners(port))


def can_connect(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def parse_opts(args):
    port = int(args[0])
    timeout, pid = 10.0, None
    i = 1
    while i < len(args):
        if args[i] == "--timeout":
            timeout = float(args[i + 1])
            i += 2
        elif args[i] == "--pid":
            pid = int(args[i + 1])
            i += 2
        else:
            raise SystemExit("netutil: unknown option %r" % args[i])
    return port, timeout, pid


def wait(args, connect):
    port, timeout, pid = parse_opts(args)
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        if pid is not None and not alive(pid):
            sys.stderr.write("netutil: pid %d died before port %d was ready\n" % (pid, port))
            return 1
        ready = can_connect(port) if connect else bool(listen_inodes(port))
        if ready:
            if pid is None or owned_by(port, pid):
                return 0
            # Someone else is answering on our port.
            sys.stderr.write("netutil: port %d is served by pid(s) %s, not by %d\n"
                             % (port, owners(port) or "?", pid))
            return 1
        if time.monotonic() >= deadline:
            sys.stderr.write("netutil: timeout waiting for 127.0.0.1:%d\n" % port)
            return 1
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)


def main(argv):
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    cmd, args = argv[0], argv[1:]
    if cmd == "freeport":
        n = int(args[0]) if args else 1
        print("\n".join(str(p) for p in freeport(n)))
        return 0
    if cmd == "wait-port":
        return wait(args, connect=True)
    if cmd == "wait-listen":
        return wait(args, connect=False)
    if cmd == "owner":
        found = owners(int(args[0]))
        if found:
            print("\n".join(str(p) for p in found))
            return 0
        return 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
