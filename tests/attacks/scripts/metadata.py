#!/usr/bin/python3
"""Attack: changing the metadata of the tenant's files outside its write
set - modes (by path and through a read-only descriptor), owner, times,
extended attributes - which would open the tenant's account up to other
users; reading another tenant's extended attributes by path.  A change
that succeeds is undone at once."""
import os

from _attack import attempt, params, report


def chmod_open(path):
    st = os.stat(path)
    os.chmod(path, 0o777)
    os.chmod(path, st.st_mode & 0o7777)
    return oct(0o777)


def fchmod_open(path):
    st = os.stat(path)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fchmod(fd, 0o777)
        os.fchmod(fd, st.st_mode & 0o7777)
    finally:
        os.close(fd)
    return oct(0o777)


def chown_group(path):
    st = os.stat(path)
    os.chown(path, -1, st.st_gid)
    return st.st_gid


def utime_epoch(path):
    st = os.stat(path)
    os.utime(path, (0, 0))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    return 0


def setxattr(path):
    os.setxattr(path, "user.cjt-attack", b"x")
    os.removexattr(path, "user.cjt-attack")
    return True


def created_mode(dirpath):
    """The control: a new file gets its mode when it is created, and a mode
    that opens it to nobody's writes (0644) can be set afterwards."""
    path = os.path.join(dirpath, "cjt-created-%d" % os.getpid())
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640)
    os.close(fd)
    modes = [oct(os.stat(path).st_mode & 0o777)]
    os.chmod(path, 0o644)
    modes.append(oct(os.stat(path).st_mode & 0o777))
    os.unlink(path)
    return modes


def fd_xattrs(path):
    """The control: extended attributes of a file opened through Landlock."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.listxattr(fd)
    finally:
        os.close(fd)


p = params()
attempts = {}
for path in filter(None, p.get("paths", "").split(",")):
    attempts[path] = {
        "chmod": attempt(chmod_open, path),
        "fchmod": attempt(fchmod_open, path),
        "chown": attempt(chown_group, path),
        "utime": attempt(utime_epoch, path),
        "setxattr": attempt(setxattr, path),
    }
for path in filter(None, p.get("other", "").split(",")):
    attempts[path] = {"listxattr": attempt(os.listxattr, path),
                      "getxattr": attempt(os.getxattr, path, "user.cjt-note")}
tmp = os.environ.get("TMPDIR")
report(attempts=attempts,
       created=attempt(created_mode, tmp) if tmp else None,
       fd_xattrs=attempt(fd_xattrs, __file__))
