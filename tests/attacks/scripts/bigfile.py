#!/usr/bin/python3
"""Attack: write a 100 MB file (mb=, in 1 MiB writes) into dir= (default
TMPDIR, else /tmp); the file is removed afterwards unless keep=1.  CPython
ignores SIGXFSZ, so writes past RLIMIT_FSIZE fail with EFBIG; xfsz=default
restores the default action (the process is killed, like a C program)."""
import errno
import os
import signal
import sys

from _attack import params, report

p = params()
if p.get("xfsz") == "default":
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
mb = int(p.get("mb", "100"))
d = p.get("dir") or os.environ.get("TMPDIR") or "/tmp"
path = os.path.join(d, "cjt-bigfile-%d" % os.getpid())
written, err = 0, None
chunk = b"\x02" * (1 << 20)
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
sys.stderr.write("bigfile: %s\n" % path)     # for the test, should the script be killed
sys.stderr.flush()
try:
    for _ in range(mb):
        try:
            n = os.write(fd, chunk)
        except OSError as e:
            err = errno.errorcode.get(e.errno, str(e.errno))
            break
        written += n
        if n < len(chunk):     # a short write at the limit; the next one fails
            continue
finally:
    os.close(fd)
size = os.stat(path).st_size
if p.get("keep") != "1":
    os.unlink(path)
report(path=path, written=written, size=size, errno=err)
