"""log_file: one JSON line per request, accepted or refused; control
characters escaped there and on stderr."""
import json
import os
import re
import threading

import pytest

import cjlib
from cjlib import (CTRL, LOG, LOGDIR, assert_accepted, assert_refused, make_probe,
                   run_wrapper, write_file)

KEYS = ("time", "caller", "uid", "gid", "script", "outcome", "reason")
A = ["cjtalice", "cjtalice"]


def test_accepted_record(adir):
    path, m = make_probe(adir)
    res = run_wrapper(A + ["probe.py"], cwd=adir)
    assert_accepted(res, m)
    (rec,) = res.log
    for k in KEYS:
        assert k in rec, (k, rec)
    assert rec["outcome"] == "accepted"
    assert rec["caller"] == "cjtweb"
    assert (rec["uid"], rec["gid"]) == (62001, 62001)
    assert rec["script"] == path
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", rec["time"]), rec["time"]


@pytest.mark.parametrize("caller", ["cjtbob", "root"])
def test_refused_record_names_the_caller(adir, caller):
    path, m = make_probe(adir)
    res = run_wrapper(A + ["probe.py"], cwd=adir, caller=caller)
    why = assert_refused(res, m)
    (rec,) = res.log
    for k in KEYS:
        assert k in rec, (k, rec)
    assert rec["caller"] == caller
    assert rec["outcome"] == "refused"
    assert rec["reason"]
    assert why


def test_one_line_per_request(adir):
    path, m = make_probe(adir)
    before = cjlib.log_size()
    plan = [(A + ["probe.py"], "cjtweb", "accepted"),
            (A + ["probe.py"], "cjtbob", "refused"),
            (A + ["nope.py"], "cjtweb", "refused"),
            ([path], "cjtweb", "accepted"),
            (["cjtalice", "cjtnobody", "probe.py"], "cjtweb", "refused")]
    for args, caller, _ in plan:
        run_wrapper(args, cwd=adir, caller=caller)
    with open(LOG, "rb") as f:
        f.seek(before)
        lines = f.read().splitlines()
    assert [json.loads(l)["outcome"] for l in lines] == [p[2] for p in plan], lines


def test_concurrent_requests_give_whole_lines(adir):
    path, m = make_probe(adir)
    before = cjlib.log_size()
    results = []

    def one(i):
        caller = "cjtweb" if i % 2 == 0 else "cjtbob"
        results.append(run_wrapper(A + ["probe.py"], cwd=adir, caller=caller, timeout=60))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(LOG, "rb") as f:
        f.seek(before)
        lines = f.read().splitlines()
    assert len(lines) == 16, lines
    recs = [json.loads(l) for l in lines]
    assert sorted(r["outcome"] for r in recs) == ["accepted"] * 8 + ["refused"] * 8


CONTROL_NAMES = ["evil\n.py", "esc\x1b[2J.py", "bell\x07.py", "cr\rname.py", "del\x7f.py",
                 "tab\tname.py"]
QUOTE_NAMES = ['quote".py', "back\\slash.py"]


def _assert_stderr_escaped(res):
    assert not CTRL.search(res.stderr.rstrip(b"\n")), f"raw control byte on stderr: {res.stderr!r}"
    assert res.stderr.count(b"\n") <= 1, res.describe()


def _assert_log_escaped(res, original):
    assert len(res.log_lines) == 1, f"one log line expected: {res.describe()}"
    line = res.log_lines[0]
    assert not re.search(rb"[\x00-\x1f\x7f]", line), f"raw control byte in the log: {line!r}"
    (rec,) = res.log
    # escaped, not dropped: the JSON decodes back to the original bytes
    assert original in rec["script"] or original in rec["reason"], (original, rec)


def _ctl_request(adir, name):
    make_probe(adir)
    return run_wrapper(A + [name], cwd=adir)


@pytest.mark.parametrize("name", CONTROL_NAMES + QUOTE_NAMES, ids=lambda n: n.encode().hex())
def test_cmd_with_control_characters_stderr(adir, name):
    res = _ctl_request(adir, name)
    assert_refused(res, log=False)
    _assert_stderr_escaped(res)


@pytest.mark.parametrize("name", CONTROL_NAMES + QUOTE_NAMES, ids=lambda n: n.encode().hex())
def test_cmd_with_control_characters_log(adir, name):
    res = _ctl_request(adir, name)
    assert_refused(res)
    _assert_log_escaped(res, name)


CTL_DIR = "ctl\n\x1b[31m\x07\x7f\"dir"


@pytest.mark.parametrize("mode", [0o755, 0o775], ids=["valid", "group-writable"])
def test_control_characters_in_directory_escaped(adir, mode):
    """A script below a directory whose name holds control characters,
    accepted or refused: the log record and stderr carry it escaped."""
    d = cjlib.new_dir(adir, "cjtalice", name=CTL_DIR)
    path, m = make_probe(d, mode=mode)
    res = run_wrapper(A + ["probe.py"], cwd=d)
    if res.rc == 0:
        assert mode == 0o755, res.describe()
        assert_accepted(res, m)
    else:
        assert_refused(res, m)
        _assert_stderr_escaped(res)
    _assert_log_escaped(res, CTL_DIR)


def test_control_characters_in_directory_interp(adir):
    d = cjlib.new_dir(adir, "cjtalice", name=CTL_DIR)
    path, m = make_probe(d, mode=0o775)
    res = run_wrapper([path])
    assert_refused(res, m, log=False)
    _assert_stderr_escaped(res)


def test_control_characters_interp_log(adir):
    d = cjlib.new_dir(adir, "cjtalice", name=CTL_DIR)
    path, m = make_probe(d, mode=0o775)
    res = run_wrapper([path])
    assert_refused(res, m)
    _assert_log_escaped(res, path)


def test_control_characters_in_user_name_stderr(adir):
    make_probe(adir)
    res = run_wrapper(["cjt\x1b[31m\nalice", "cjtalice", "probe.py"], cwd=adir)
    assert_refused(res, log=False)
    _assert_stderr_escaped(res)


def test_control_characters_in_user_name_log(adir):
    make_probe(adir)
    res = run_wrapper(["cjt\x1b[31m\nalice", "cjtalice", "probe.py"], cwd=adir)
    assert_refused(res)
    assert not re.search(rb"[\x00-\x1f\x7f]", res.log_lines[0]), res.log_raw


# ---- the log file itself -------------------------------------------------------------

def test_log_created_root_owned(adir):
    os.unlink(LOG)
    path, m = make_probe(adir)
    assert_accepted(run_wrapper(A + ["probe.py"], cwd=adir), m)
    st = os.lstat(LOG)
    assert st.st_uid == 0 and not st.st_mode & 0o022, oct(st.st_mode)


def test_log_symlink_refuses(policy, adir):
    link = f"{LOGDIR}/link.log"
    os.symlink("cgijail.log", link)
    policy.set(log_file=link)
    _, m = make_probe(adir)
    before = cjlib.log_size()
    res = run_wrapper(A + ["probe.py"], cwd=adir)
    assert_refused(res, m, code=cjlib.EXIT_CONFIG, log=False)
    assert cjlib.log_size() == before, "wrote through the symlink"


def test_log_writable_by_others_refuses(policy, adir):
    other = f"{LOGDIR}/other.log"
    write_file(other, b"", owner="root", mode=0o666)
    policy.set(log_file=other)
    _, m = make_probe(adir)
    res = run_wrapper(A + ["probe.py"], cwd=adir)
    assert_refused(res, m, code=cjlib.EXIT_CONFIG, log=False)


def test_log_hard_link_refuses(policy, adir):
    """A second name for a root-owned file (e.g. a link to /etc/shadow made
    where protected_hardlinks is off) must not become root's append target."""
    victim = f"{LOGDIR}/victim"
    write_file(victim, b"secret\n", owner="root", mode=0o600)
    link = f"{LOGDIR}/linked.log"
    os.link(victim, link)
    policy.set(log_file=link)
    _, m = make_probe(adir)
    res = run_wrapper(A + ["probe.py"], cwd=adir)
    assert_refused(res, m, code=cjlib.EXIT_CONFIG, log=False)
    with open(victim, "rb") as f:
        assert f.read() == b"secret\n", "appended through the hard link"


def test_log_directory_writable_by_others_refuses(policy, adir):
    d = f"{LOGDIR}/open"
    os.mkdir(d)
    os.chmod(d, 0o777)
    policy.set(log_file=f"{d}/cgijail.log")
    _, m = make_probe(adir)
    res = run_wrapper(A + ["probe.py"], cwd=adir)
    assert_refused(res, m, code=cjlib.EXIT_CONFIG, log=False)
    assert not os.path.exists(f"{d}/cgijail.log")


@pytest.mark.parametrize("name", ["bad\udcff\udcfeutf8", "\x01" * 250, "\\" * 250],
                         ids=["invalid-utf8", "many-controls", "many-backslashes"])
def test_log_line_stays_valid_json(adir, name):
    """Names that are invalid UTF-8 or escape to far more than they are long:
    the record is still one line of valid (UTF-8) JSON, stderr one line."""
    d = adir
    for _ in range(3):
        d = cjlib.new_dir(d, "cjtalice", name=name)
    _, m = make_probe(d, mode=0o775)   # refused at the latest by the mode
    res = run_wrapper(A + ["probe.py"], cwd=d)
    assert_refused(res, m)             # parses the log line as UTF-8 JSON
    _assert_stderr_escaped(res)
    line = res.log_lines[0]
    assert not re.search(rb"[\x00-\x1f\x7f]", line), line
