#!/usr/bin/python3
"""Attack: connect to TCP services on the loopback (ports= from the query
string, each sent token= so that the server can tell who connected), and
to pathname unix sockets (unix=, comma-separated paths)."""
import socket

from _attack import attempt, params, report

p = params()
token = p.get("token", "").encode()


def connect(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        s.sendall(token + b"\n")
        return "connected"
    finally:
        s.close()


def connect_unix(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(5)
        s.connect(path)
        s.sendall(token + b"\n")
        return "connected"
    finally:
        s.close()


attempts = {port: attempt(connect, int(port)) for port in p.get("ports", "").split(",") if port}
attempts.update({path: attempt(connect_unix, path)
                 for path in p.get("unix", "").split(",") if path})
attempts["unix_socketpair"] = attempt(lambda: [s.close() for s in socket.socketpair()] and "ok")
report(attempts=attempts)
