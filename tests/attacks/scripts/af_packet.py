#!/usr/bin/python3
"""Attack: an AF_PACKET socket.  Directly it needs CAP_NET_RAW (refused
unconfined too); in a new user+network namespace an ordinary user gets one
(the route to the packet socket code in the kernel)."""
import socket

from _attack import attempt, in_child, report, sys_attempt

CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
ETH_P_ALL = 0x0003


def packet_socket():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.close()
    return "opened"


def in_namespace():
    r = sys_attempt("unshare", CLONE_NEWUSER | CLONE_NEWNET)
    if not r["ok"]:
        return {"ok": False, "errno": r["errno"], "step": "unshare"}
    res = attempt(packet_socket)
    res["step"] = "socket"
    return res


report(attempts={"direct": attempt(packet_socket), "userns": in_child(in_namespace)})
