#!/usr/bin/env python3
"""A stand-in for systemd's notification socket: binds a unix datagram
socket at PATH and appends every datagram received to LOG, one per line
(newlines inside a datagram become ' | ').  Runs until killed.
Usage: notify_sink.py PATH LOG"""
import os
import socket
import sys

path, log = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(log, "a", buffering=1) as out:
    while True:
        data = s.recv(65536).decode("utf-8", "replace")
        out.write(data.strip().replace("\n", " | ") + "\n")
