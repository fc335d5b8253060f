"""Every request check, refused: the script (which would create a marker
file) must not run, cgijail prints exactly one 'cgijail: refused: ' line,
exits 120 and appends one 'refused' log record.

Each scenario builds its own files and returns the request to make.  Unless
noted, the request would be accepted but for the one thing the scenario
breaks (the accepted twins live in test_suexec.py / test_interp.py)."""
import os
import stat
import subprocess

import pytest

import cjlib
from cjlib import (HOMES, OUTSIDE, UNUSED_GID, UNUSED_UID, WWW, WWW2, make_probe,
                   marker_script, new_dir, run_wrapper)

A = ["cjtalice", "cjtalice"]


def req(args, cwd, marker, caller="cjtweb", timeout=20):
    return {"args": args, "cwd": cwd, "marker": marker, "caller": caller, "timeout": timeout}


def adir(**kw):
    return new_dir(f"{WWW}/cjtalice", "cjtalice", **kw)


def good():
    d = adir()
    _, m = make_probe(d)
    return d, m


def owned_probe(parent, owner, group=None, **kw):
    d = new_dir(parent, owner, group)
    _, m = make_probe(d, owner=owner, group=group, **kw)
    return d, m


SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


# ---- the caller --------------------------------------------------------------

@scenario
def caller_not_listed():
    d, m = good()
    return req(A + ["probe.py"], d, m, caller="cjtbob")


@scenario
def caller_root():
    d, m = good()
    return req(A + ["probe.py"], d, m, caller="root")


@scenario
def caller_is_the_target():
    d, m = good()
    return req(A + ["probe.py"], d, m, caller="cjtalice")


# ---- target user and group -----------------------------------------------------

@scenario
def user_unknown_name():
    d, m = good()
    return req(["cjtnosuchuser", "cjtalice", "probe.py"], d, m)


@scenario
def user_unknown_uid():
    d, m = good()
    return req([str(UNUSED_UID), "cjtalice", "probe.py"], d, m)


@scenario
def group_unknown_name():
    d, m = good()
    return req(["cjtalice", "cjtnosuchgroup", "probe.py"], d, m)


@scenario
def group_unknown_gid():
    d, m = good()
    return req(["cjtalice", str(UNUSED_GID), "probe.py"], d, m)


@scenario
def uid_below_min_uid():
    # uid 62000 < min_uid 62001; its group cjtwebx (62012) is fine
    d, m = owned_probe(f"{WWW}/cjtweb", "cjtweb", "cjtwebx")
    return req(["cjtweb", "cjtwebx", "probe.py"], d, m)


@scenario
def uid_below_min_uid_numeric():
    d, m = owned_probe(f"{WWW}/cjtweb", "cjtweb", "cjtwebx")
    return req(["62000", "62012", "probe.py"], d, m)


@scenario
def uid_and_gid_below_min():
    d, m = owned_probe(f"{WWW}/cjtweb", "cjtweb")
    return req(["cjtweb", "cjtweb", "probe.py"], d, m)


@scenario
def gid_below_min_gid():
    # cjtcarol (62003) is a member of cjtweb (62000 < min_gid 62001)
    d, m = owned_probe(f"{WWW}/cjtcarol", "cjtcarol", "cjtweb")
    return req(["cjtcarol", "cjtweb", "probe.py"], d, m)


@scenario
def target_root_by_name():
    d, m = owned_probe(f"{WWW}/root", "root")
    return req(["root", "root", "probe.py"], d, m)


@scenario
def target_root_by_number():
    d, m = owned_probe(f"{WWW}/root", "root")
    return req(["0", "0", "probe.py"], d, m)


@scenario
def group_root():
    d, m = owned_probe(f"{WWW}/cjtalice", "cjtalice", "root")
    return req(["cjtalice", "0", "probe.py"], d, m)


@scenario
def group_user_is_not_in():
    d, m = owned_probe(f"{WWW}/cjtalice", "cjtalice", "cjtnobody")
    return req(["cjtalice", "cjtnobody", "probe.py"], d, m)


@scenario
def group_another_users_primary():
    d, m = owned_probe(f"{WWW}/cjtalice", "cjtalice", "cjtbob")
    return req(["cjtalice", "62002", "probe.py"], d, m)


@scenario
def uid_overflowing_to_target():
    # 2**32 + 62001: must not wrap around to cjtalice
    d, m = good()
    return req([str(2**32 + 62001), "cjtalice", "probe.py"], d, m)


@scenario
def gid_overflowing_to_target():
    d, m = good()
    return req(["cjtalice", str(2**32 + 62001), "probe.py"], d, m)


@scenario
def uid_with_plus_sign():
    d, m = good()
    return req(["+62001", "cjtalice", "probe.py"], d, m)


@scenario
def uid_minus_one():
    d, m = good()
    return req(["-1", "cjtalice", "probe.py"], d, m)


@scenario
def user_empty():
    d, m = good()
    return req(["", "cjtalice", "probe.py"], d, m)


@scenario
def group_empty():
    d, m = good()
    return req(["cjtalice", "", "probe.py"], d, m)


@scenario
def user_tilde_only():
    d, m = good()
    return req(["~", "cjtalice", "probe.py"], d, m)


# ---- the command line ----------------------------------------------------------

@scenario
def no_arguments():
    d, m = good()
    return req([], d, m)


@scenario
def two_arguments():
    d, m = good()
    return req(A, d, m)


@scenario
def relative_path_alone():
    d, m = good()
    return req(["probe.py"], d, m)


@scenario
def unknown_option():
    d, m = good()
    return req(["-x"], d, m)


@scenario
def help_option():
    d, m = good()
    return req(["--help"], d, m)


@scenario
def version_with_extra_argument():
    d, m = good()
    return req(["-V", "probe.py"], d, m)


@scenario
def cmd_absolute():
    d, m = good()
    return req(A + [f"{d}/probe.py"], d, m)


@scenario
def cmd_dotdot_leading():
    d, m = good()
    sub = new_dir(d, "cjtalice")
    return req(A + ["../probe.py"], sub, m)


@scenario
def cmd_dotdot_inside():
    d, m = good()
    sub = new_dir(d, "cjtalice")
    return req(A + [os.path.basename(sub) + "/../probe.py"], d, m)


@scenario
def cmd_empty():
    d, m = good()
    return req(A + [""], d, m)


# ---- containment: docroot / userdir --------------------------------------------

@scenario
def cwd_outside_docroot():
    d, m = owned_probe(f"{OUTSIDE}/cjtalice", "cjtalice")
    return req(A + ["probe.py"], d, m)


@scenario
def cwd_docroot_prefix_trick():
    # /var/lib/cgijail-test/www2/... starts with the string ".../www"
    d, m = owned_probe(f"{WWW2}/cjtalice", "cjtalice")
    return req(A + ["probe.py"], d, m)


@scenario
def cwd_in_userdir_without_tilde():
    d, m = owned_probe(f"{HOMES}/cjtalice/public_html", "cjtalice")
    return req(A + ["probe.py"], d, m)


@scenario
def tilde_request_in_docroot():
    d, m = good()
    return req(["~cjtalice", "cjtalice", "probe.py"], d, m)


@scenario
def tilde_request_outside_userdir():
    d, m = owned_probe(f"{OUTSIDE}/cjtalice", "cjtalice")
    return req(["~cjtalice", "cjtalice", "probe.py"], d, m)


@scenario
def tilde_request_in_home_not_userdir():
    # <home>/cgi is not <home>/public_html
    d, m = owned_probe(f"{HOMES}/cjtalice", "cjtalice")
    return req(["~cjtalice", "cjtalice", "probe.py"], d, m)


@scenario
def tilde_request_in_another_users_userdir():
    d, m = owned_probe(f"{HOMES}/cjtbob/public_html", "cjtalice")
    return req(["~cjtalice", "cjtalice", "probe.py"], d, m)


# ---- directories from / down ----------------------------------------------------

def _symlinked_dir():
    d = adir()
    real = new_dir(d, "cjtalice")
    _, m = make_probe(real)
    link = f"{d}/link"
    os.symlink(os.path.basename(real), link)
    os.lchown(link, 62001, 62001)
    return d, link, m


@scenario
def symlinked_dir_in_cmd():
    d, link, m = _symlinked_dir()
    return req(A + ["link/probe.py"], d, m)


@scenario
def symlinked_dir_interp():
    d, link, m = _symlinked_dir()
    return req([f"{link}/probe.py"], "/", m)


@scenario
def dir_owned_by_another_user():
    d = adir()
    b = new_dir(d, "cjtbob")
    s = new_dir(b, "cjtalice")
    _, m = make_probe(s)
    return req(A + ["probe.py"], s, m)


@scenario
def dir_group_writable_above_script_dir():
    d = adir()
    g = new_dir(d, "cjtalice", mode=0o775)
    s = new_dir(g, "cjtalice")
    _, m = make_probe(s)
    return req(A + ["probe.py"], s, m)


@scenario
def dir_root_owned_world_writable():
    d = adir()
    r = new_dir(d, "root", mode=0o777)
    s = new_dir(r, "cjtalice")
    _, m = make_probe(s)
    return req(A + ["probe.py"], s, m)


@scenario
def dir_root_owned_sticky_world_writable():
    d = adir()
    r = new_dir(d, "root", mode=0o1777)
    s = new_dir(r, "cjtalice")
    _, m = make_probe(s)
    return req(A + ["probe.py"], s, m)


@scenario
def script_dir_group_writable():
    d = adir(mode=0o775)
    _, m = make_probe(d)
    return req(A + ["probe.py"], d, m)


@scenario
def script_dir_other_writable():
    d = adir(mode=0o757)
    _, m = make_probe(d)
    return req(A + ["probe.py"], d, m)


@scenario
def script_dir_owned_by_root():
    d = new_dir(f"{WWW}/cjtalice", "root")
    _, m = make_probe(d)
    return req(A + ["probe.py"], d, m)


@scenario
def script_dir_wrong_group():
    d = adir(group="cjtshared")
    _, m = make_probe(d)
    return req(A + ["probe.py"], d, m)


@scenario
def script_dir_owned_by_another_user():
    d = new_dir(f"{WWW}/cjtalice", "cjtbob", "cjtalice")
    _, m = make_probe(d)
    return req(A + ["probe.py"], d, m)


# ---- the script itself -----------------------------------------------------------

@scenario
def script_fifo():
    # Must be refused without opening it for reading (which would block).
    d = adir()
    os.mkfifo(f"{d}/probe.py")
    cjlib.chown_name(f"{d}/probe.py", "cjtalice")
    os.chmod(f"{d}/probe.py", 0o755)
    return req(A + ["probe.py"], d, None, timeout=10)


@scenario
def script_char_device():
    d = adir()
    os.mknod(f"{d}/probe.py", stat.S_IFCHR | 0o755, os.makedev(1, 3))  # like /dev/null
    cjlib.chown_name(f"{d}/probe.py", "cjtalice")
    os.chmod(f"{d}/probe.py", 0o755)
    return req(A + ["probe.py"], d, None, timeout=10)


@scenario
def script_is_directory():
    # python3 would run a directory's __main__.py: which creates the marker
    d = adir()
    sub = new_dir(d, "cjtalice", name="probe.py")
    _, m = marker_script(sub, "__main__.py")
    return req(A + ["probe.py"], d, m)


@scenario
def script_symlink():
    d = adir()
    _, m = make_probe(d, name="real.py")
    os.symlink("real.py", f"{d}/probe.py")
    os.lchown(f"{d}/probe.py", 62001, 62001)
    return req(A + ["probe.py"], d, m)


@scenario
def script_owned_by_another_user():
    d = adir()
    _, m = make_probe(d, owner="cjtbob", group="cjtalice")
    return req(A + ["probe.py"], d, m)


@scenario
def script_wrong_group():
    d = adir()
    _, m = make_probe(d, group="cjtshared")
    return req(A + ["probe.py"], d, m)


@scenario
def script_owned_by_root():
    d = adir()
    _, m = make_probe(d, owner="root", group="cjtalice")
    return req(A + ["probe.py"], d, m)


def _mode(mode):
    def f():
        d = adir()
        _, m = make_probe(d, mode=mode)
        return req(A + ["probe.py"], d, m)
    return f


for _name, _m in [("script_group_writable", 0o775), ("script_other_writable", 0o757),
                  ("script_setuid", 0o4755), ("script_setgid", 0o2755),
                  ("script_not_executable", 0o644),
                  ("script_executable_by_group_other_only", 0o655)]:
    SCENARIOS[_name] = _mode(_m)


@scenario
def script_missing():
    d, m = good()
    return req(A + ["missing.py"], d, m)


# ---- interpreter mode --------------------------------------------------------------

@scenario
def interp_dotdot_in_path():
    d, m = good()
    return req([f"{d}/../{os.path.basename(d)}/probe.py"], "/", m)


@scenario
def interp_dot_in_path():
    d, m = good()
    return req([f"{d}/./probe.py"], "/", m)


@scenario
def interp_double_slash():
    d, m = good()
    return req([f"{d}//probe.py"], "/", m)


@scenario
def interp_trailing_slash():
    d = adir()
    sub = new_dir(d, "cjtalice", name="probe.py")
    _, m = marker_script(sub, "__main__.py")
    return req([f"{d}/probe.py/"], "/", m)


@scenario
def interp_outside_docroot():
    d, m = owned_probe(f"{OUTSIDE}/cjtalice", "cjtalice")
    return req([f"{d}/probe.py"], "/", m)


@scenario
def interp_docroot_prefix_trick():
    d, m = owned_probe(f"{WWW2}/cjtalice", "cjtalice")
    return req([f"{d}/probe.py"], "/", m)


@scenario
def interp_script_group_not_primary():
    # target group = owner's primary group; the file's group is cjtshared
    d = adir()
    _, m = make_probe(d, group="cjtshared")
    return req([f"{d}/probe.py"], "/", m)


@scenario
def interp_dir_group_not_primary():
    d, m = owned_probe(f"{WWW}/cjtalice", "cjtalice", "cjtshared")
    return req([f"{d}/probe.py"], "/", m)


@scenario
def interp_owner_below_min_uid():
    d, m = owned_probe(f"{WWW}/cjtweb", "cjtweb")
    return req([f"{d}/probe.py"], "/", m)


@scenario
def interp_owner_root():
    d, m = owned_probe(f"{WWW}/root", "root")
    return req([f"{d}/probe.py"], "/", m)


@scenario
def interp_owner_unknown():
    d = new_dir(f"{WWW}/cjtalice", UNUSED_UID, UNUSED_GID)
    _, m = make_probe(d, owner=UNUSED_UID, group=UNUSED_GID)
    return req([f"{d}/probe.py"], "/", m)


@scenario
def interp_script_group_writable():
    d = adir()
    _, m = make_probe(d, mode=0o775)
    return req([f"{d}/probe.py"], "/", m)


@scenario
def interp_script_not_executable():
    d = adir()
    _, m = make_probe(d, mode=0o644)
    return req([f"{d}/probe.py"], "/", m)


@scenario
def interp_script_symlink():
    d = adir()
    _, m = make_probe(d, name="real.py")
    os.symlink("real.py", f"{d}/probe.py")
    os.lchown(f"{d}/probe.py", 62001, 62001)
    return req([f"{d}/probe.py"], "/", m)


@scenario
def interp_script_fifo():
    d = adir()
    os.mkfifo(f"{d}/probe.py")
    cjlib.chown_name(f"{d}/probe.py", "cjtalice")
    os.chmod(f"{d}/probe.py", 0o755)
    return req([f"{d}/probe.py"], "/", None, timeout=10)


@scenario
def interp_script_missing():
    d, m = good()
    return req([f"{d}/missing.py"], "/", m)


@scenario
def interp_caller_not_listed():
    d, m = good()
    return req([f"{d}/probe.py"], "/", m, caller="cjtbob")


def _run(name):
    r = SCENARIOS[name]()
    return run_wrapper(r["args"], cwd=r["cwd"], caller=r["caller"], timeout=r["timeout"]), r


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_refused(name):
    """Not run, status 120, one 'cgijail: refused: ' line, nothing on stdout."""
    res, r = _run(name)
    cjlib.assert_refused(res, r["marker"], log=False)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_refusal_logged(name):
    """...and exactly one 'refused' record in log_file."""
    res, r = _run(name)
    cjlib.assert_refused(res, r["marker"], log=True)


def test_refusal_reason_is_logged_and_printed():
    """The stderr reason and the log record's reason describe the same refusal."""
    d = adir()
    _, m = make_probe(d, mode=0o775)
    res = run_wrapper(A + ["probe.py"], cwd=d)
    why = cjlib.assert_refused(res, m)
    (rec,) = res.log
    assert rec["reason"] and (rec["reason"] in why or why in rec["reason"]), res.describe()
    assert rec["caller"] == "cjtweb"
    assert rec["script"] == f"{d}/probe.py"


def test_accepted_twin_of_the_table():
    """The table's baseline request is accepted, so each refusal is caused
    by what its scenario breaks."""
    d, m = good()
    res = run_wrapper(A + ["probe.py"], cwd=d)
    cjlib.assert_accepted(res, m)


EXECVE_EMPTY_ARGV = r'''
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
argv = (ctypes.c_char_p * 1)(None)
envs = [e.encode() for e in sys.argv[2:]]
envp = (ctypes.c_char_p * (len(envs) + 1))(*envs, None)
libc.execve(sys.argv[1].encode(), argv, envp)
sys.exit(99)
'''


def test_empty_argv_is_refused():
    """argc == 0 (pkexec, CVE-2021-4034): argv[1] would read envp[0], which
    here names a valid script.  (Kernels >= 5.18 turn it into argv = [""].)"""
    d, m = good()
    env0 = f"{d}/probe.py"
    before = cjlib.log_size()
    p = subprocess.run([cjlib.SETPRIV, "--reuid=62000", "--regid=62000", "--clear-groups", "--",
                        cjlib.PYTHON, "-c", EXECVE_EMPTY_ARGV, cjlib.WRAPPER, env0,
                        "REQUEST_METHOD=GET"],
                       cwd=d, env={}, capture_output=True, timeout=20)
    with open(cjlib.LOG, "rb") as f:
        f.seek(before)
        log_raw = f.read()
    res = cjlib.Result(["<argc 0>"], p.returncode, p.stdout, p.stderr, log_raw)
    assert res.rc != 99, f"execve failed: {res.describe()}"
    cjlib.assert_refused(res, m)
