"""Accepted requests in interpreter mode: cgijail /abs/path/script.py [ARGS...]
(target = the script's owner and their primary group; cwd = script's dir)."""
import os

import pytest

import cjlib
from cjlib import (WRAPPER, WWW, assert_accepted, expected_groups, make_probe,
                   run_wrapper, write_file)

ALICE = 62001


@pytest.fixture(scope="module")
def probe(world):
    d = cjlib.new_dir(f"{WWW}/cjtalice", "cjtalice")
    path, marker = make_probe(d)
    r, w = os.pipe()
    try:
        # The caller sits elsewhere: cwd must become the script's directory.
        res = run_wrapper([path, "one", "--two", "-I"], cwd=cjlib.OUTSIDE,
                          pass_fds=(r, w), umask=0o077)
    finally:
        os.close(r)
        os.close(w)
    assert_accepted(res, marker)
    return {"res": res, "info": res.info(), "path": path, "dir": d}


def test_target_is_owner_and_primary_group(probe):
    info = probe["info"]
    assert info["resuid"] == [ALICE] * 3
    assert info["resgid"] == [ALICE] * 3
    assert info["groups"] == expected_groups("cjtalice")


def test_cwd_becomes_script_dir(probe):
    assert probe["info"]["cwd"] == probe["dir"]


def test_argv(probe):
    assert probe["info"]["argv"] == [probe["path"], "one", "--two", "-I"]
    # "-I" after the script is the script's argument, not the interpreter's
    assert probe["info"]["flags"]["isolated"] == 0


def test_process_hardening(probe):
    info = probe["info"]
    assert info["fds"] == [0, 1, 2]
    assert info["nonewprivs"] == "1"
    assert info["umask"] == 0o022
    assert all(v is not None and int(v, 16) == 0 for v in info["caps"].values()), info["caps"]


def test_log_record(probe):
    (rec,) = probe["res"].log
    assert rec["outcome"] == "accepted"
    assert rec["script"] == probe["path"]
    assert (rec["uid"], rec["gid"], rec["caller"]) == (ALICE, ALICE, "cjtweb")


def test_script_in_userdir_accepted(udir):
    """Interpreter-mode scripts outside every docroot may lie in the owner's
    <home>/<userdir> (README, checks step 4)."""
    path, m = make_probe(udir)
    res = run_wrapper([path], cwd="/")
    assert_accepted(res, m)
    info = res.info()
    assert info["cwd"] == udir and info["resuid"] == [ALICE] * 3


def test_bob_script_runs_as_bob(newdir):
    d = newdir(f"{WWW}/cjtbob", "cjtbob")
    path, m = make_probe(d, owner="cjtbob")
    res = run_wrapper([path], cwd="/")
    assert_accepted(res, m)
    info = res.info()
    assert info["resuid"] == [62002] * 3 and info["resgid"] == [62002] * 3
    assert info["groups"] == expected_groups("cjtbob")


def test_shebang_line(adir):
    """A '#!<wrapper>' script executed directly by the caller."""
    m = cjlib.Marker()
    src = f"#!{WRAPPER}\n" + cjlib.probe_source(m).split("\n", 1)[1]
    path = write_file(f"{adir}/shebang.py", src)
    res = run_wrapper([], cwd="/", wrapper=path)
    assert_accepted(res, m)
    info = res.info()
    assert info["resuid"] == [ALICE] * 3
    assert info["argv"] == [path]
    assert info["cwd"] == adir


def test_post_body_interp(adir):
    write_file(f"{adir}/echo.py",
               "import sys\nd = sys.stdin.buffer.read()\n"
               "sys.stdout.buffer.write(b'Content-Type: x/y\\n\\n' + d)\n")
    body = bytes(range(256)) * 64
    res = run_wrapper([f"{adir}/echo.py"], input=body,
                      env=cjlib.cgi_env(REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(body))))
    assert_accepted(res)
    assert res.body() == body

