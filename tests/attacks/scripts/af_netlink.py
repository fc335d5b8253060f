#!/usr/bin/python3
"""Attack: an AF_NETLINK socket (rtnetlink: the host's interfaces, routes,
and netlink's kernel code), which any user may open unconfined."""
import socket
import struct

from _attack import attempt, report

RTM_GETLINK, NLM_F_REQUEST, NLM_F_DUMP = 18, 1, 0x300


def dump_links():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    try:
        s.bind((0, 0))
        msg = struct.pack("=LHHLL", 16 + 16, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) \
            + struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
        s.send(msg)
        return len(s.recv(65536))
    finally:
        s.close()


report(attempts={"rtnetlink": attempt(dump_links),
                 "uevent": attempt(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM,
                                                         15).close())})
