#!/usr/bin/python3
"""Attack: host-wide IPC objects outside every other layer - SysV shared
memory, message queues and semaphores, and POSIX message queues: created
(they outlive the request and count against host-wide limits), another
user's world-accessible segment attached and read, every segment listed.
Whatever an attempt creates, it removes at once."""
import ctypes
import os

from _attack import attempt, params, report

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
libc.mq_unlink.argtypes = [ctypes.c_char_p]

IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0
SHM_RDONLY, SHM_INFO = 0o10000, 14
MiB = 1 << 20


def check(ret):
    if ret == -1 or ret is None:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return ret


def shm_create():
    shmid = check(libc.shmget(IPC_PRIVATE, ctypes.c_size_t(4 * MiB), IPC_CREAT | 0o600))
    check(libc.shmctl(shmid, IPC_RMID, None))
    return shmid


def shm_read_other(shmid):
    addr = libc.shmat(shmid, None, SHM_RDONLY)
    if addr is None or addr == ctypes.c_void_p(-1).value:
        check(-1)
    try:
        return ctypes.string_at(addr, 64).split(b"\0")[0].decode()
    finally:
        libc.shmdt(ctypes.c_void_p(addr))


def shm_info():
    buf = ctypes.create_string_buffer(256)
    return check(libc.shmctl(0, SHM_INFO, buf))


def msg_create():
    qid = check(libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600))
    check(libc.msgctl(qid, IPC_RMID, None))
    return qid


def sem_create():
    sid = check(libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o600))
    check(libc.semctl(sid, 0, IPC_RMID))
    return sid


def mq_create():
    name = b"/cjt-attack-%d" % os.getpid()
    fd = check(libc.mq_open(name, os.O_CREAT | os.O_RDWR, 0o600, None))
    os.close(fd)
    check(libc.mq_unlink(name))
    return True


p = params()
report(attempts={
    "shm_create": attempt(shm_create),
    "shm_read_other": attempt(shm_read_other, int(p.get("other_shmid", "-1"))),
    "shm_info": attempt(shm_info),
    "msg_create": attempt(msg_create),
    "sem_create": attempt(sem_create),
    "mq_create": attempt(mq_create),
})
