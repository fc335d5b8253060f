#!/usr/bin/python3
"""Attack: hand the response to a process outside the request.  Connects to
the unix socket sock= (served by a process of the same user that the test
started outside cgijail), sends its stdout and stderr there with
SCM_RIGHTS, prints its report and exits (the connection closes with it).
Whoever holds the descriptors then decides when the web server sees the
end of the response, and can write into it."""
import socket

from _attack import attempt, params, report

p = params()


def send():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(p["sock"])
    socket.send_fds(s, [b"fds"], [1, 2])
    s.detach()          # stays open until the script exits
    return "sent"


report(attempts={"send_fds": attempt(send)})
