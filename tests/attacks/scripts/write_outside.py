#!/usr/bin/python3
"""Attack: create files outside the writable places (paths= from the query
string, comma-separated); TMPDIR is the control.  Whatever got created is
removed again."""
import os

from _attack import attempt, params, report


def create(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, b"cgijail attack\n")
    os.close(fd)
    os.unlink(path)
    return "created"


paths = [x for x in params().get("paths", "").split(",") if x]
tmp = os.environ.get("TMPDIR")
report(attempts={p: attempt(create, p) for p in paths},
       tmpdir=attempt(create, os.path.join(tmp, "cjt-write-control")) if tmp else None)
