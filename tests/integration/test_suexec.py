"""Accepted requests in the suexec protocol: cgijail USER GROUP CMD [ARGS...]
(cwd = the script's directory), and what the script's process looks like."""
import os

import pytest

import cjlib
from cjlib import (POLICY, SAFE_PATH, WWW, assert_accepted, assert_refused,
                   expected_groups, make_probe, run_wrapper, write_file)

ALICE = 62001
SHARED = 62010
ARGS = ["arg1", "-c", "import os; os._exit(9)", "two words", ""]


@pytest.fixture(scope="module")
def probe(world):
    """One accepted suexec request, made as hostile as a caller can: an extra
    inherited descriptor, umask 077, script arguments that look like
    interpreter options."""
    d = cjlib.new_dir(f"{WWW}/cjtalice", "cjtalice")
    path, marker = make_probe(d)
    r, w = os.pipe()
    extra = os.open(POLICY, os.O_RDONLY)   # an fd on a root-only-writable file
    try:
        res = run_wrapper(["cjtalice", "cjtalice", "probe.py", *ARGS], cwd=d,
                          pass_fds=(r, w, extra), umask=0o077)
    finally:
        for fd in (r, w, extra):
            os.close(fd)
    assert_accepted(res, marker)
    return {"res": res, "info": res.info(), "path": path, "dir": d}


def test_accepted_and_ran(probe):
    assert probe["res"].rc == 0
    assert probe["res"].stdout.startswith(b"Content-Type: application/json\n\n")


def test_uids_are_target(probe):
    assert probe["info"]["resuid"] == [ALICE, ALICE, ALICE]


def test_gids_are_target(probe):
    assert probe["info"]["resgid"] == [ALICE, ALICE, ALICE]


def test_supplementary_groups_are_targets(probe):
    assert probe["info"]["groups"] == expected_groups("cjtalice")
    assert probe["info"]["groups"] == [ALICE, SHARED]


@pytest.mark.parametrize("cap", ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"])
def test_capability_set_empty(probe, cap):
    v = probe["info"]["caps"][cap]
    assert v is not None and int(v, 16) == 0, f"{cap} = {v}"


def test_no_new_privs(probe):
    assert probe["info"]["nonewprivs"] == "1"


def test_umask_from_policy_not_caller(probe):
    assert probe["info"]["umask"] == 0o022


def test_cwd_is_script_dir(probe):
    assert probe["info"]["cwd"] == probe["dir"]


def test_only_std_fds(probe):
    assert probe["info"]["fds"] == [0, 1, 2]


def test_argv_is_script_path_and_args(probe):
    assert probe["info"]["argv"] == [probe["path"], *ARGS]


def test_default_interpreter_args(probe):
    flags = probe["info"]["flags"]
    assert flags == {"isolated": 0, "ignore_environment": 1, "no_user_site": 1,
                     "dont_write_bytecode": 1}
    assert probe["info"]["executable"] == "/usr/bin/python3"


def test_path_is_safe_path(probe):
    assert probe["info"]["env"].get("PATH") == SAFE_PATH


def test_accepted_log_record(probe):
    (rec,) = probe["res"].log
    for key in ("time", "caller", "uid", "gid", "script", "outcome", "reason"):
        assert key in rec, f"log record lacks {key}: {rec}"
    assert rec["caller"] == "cjtweb"
    assert rec["uid"] == ALICE and rec["gid"] == ALICE
    assert rec["script"] == probe["path"]
    assert rec["outcome"] == "accepted"


def test_names_and_numbers_mixed(adir):
    path, m = make_probe(adir)
    for user, group in (("cjtalice", "cjtalice"), ("62001", "cjtalice"), ("cjtalice", "62001")):
        if m.ran:
            os.unlink(m.path)
        res = run_wrapper([user, group, "probe.py"], cwd=adir)
        assert_accepted(res, m)
        info = res.info()
        assert info["resuid"] == [ALICE] * 3 and info["resgid"] == [ALICE] * 3, (user, group)


@pytest.mark.parametrize("group", ["cjtshared", "62010"])
def test_supplementary_group_accepted(newdir, group):
    d = newdir(f"{WWW}/cjtalice", "cjtalice", "cjtshared")
    path, m = make_probe(d, group="cjtshared")
    res = run_wrapper(["cjtalice", group, "probe.py"], cwd=d)
    assert_accepted(res, m)
    info = res.info()
    assert info["resgid"] == [SHARED] * 3
    assert info["resuid"] == [ALICE] * 3
    assert info["groups"] == expected_groups("cjtalice")
    (rec,) = res.log
    assert rec["gid"] == SHARED


def test_cmd_in_subdirectory(adir, newdir):
    sub = newdir(adir, "cjtalice")
    path, m = make_probe(sub)
    res = run_wrapper(["cjtalice", "cjtalice", os.path.basename(sub) + "/probe.py", "x"], cwd=adir)
    assert_accepted(res, m)
    info = res.info()
    assert info["cwd"] == sub
    assert info["argv"] == [path, "x"]


@pytest.mark.parametrize("user", ["~cjtalice", "~62001"])
def test_userdir_request(udir, user):
    path, m = make_probe(udir)
    res = run_wrapper([user, "cjtalice", "probe.py"], cwd=udir)
    assert_accepted(res, m)
    info = res.info()
    assert info["resuid"] == [ALICE] * 3
    assert info["cwd"] == udir
    assert info["argv"] == [path]
    (rec,) = res.log
    assert rec["script"] == path


def test_stdin_closed_by_caller_still_fd0(adir):
    path, m = make_probe(adir)
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir, close_stdin=True)
    assert_accepted(res, m)
    assert res.info()["fds"] == [0, 1, 2]


def test_stdin_closed_by_caller_reads_dev_null(adir):
    path, m = make_probe(adir)
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir, close_stdin=True)
    assert_accepted(res, m)
    info = res.info()
    assert info["fd0"] == "/dev/null"
    assert info["fdmodes"][0] in ("r", "rw")
    assert info["stdin"] == ""          # EOF, not an error


@pytest.mark.parametrize("fd", [1, 2])
def test_stdout_stderr_closed_by_caller_writable(adir, fd):
    """README: 0-2 guaranteed; a script writing to them must not get EBADF."""
    path, m = make_probe(adir)
    out = cjlib.Marker().path
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir, close_fds=(fd,),
                      env=cjlib.cgi_env(HTTP_X_PROBE_OUT=out))
    assert m.ran, res.describe()
    with open(out, "rb") as f:
        info = cjlib.Result([], 0, f.read(), b"", b"").info()
    assert info["fds"] == [0, 1, 2]
    assert info["fdlinks"][fd] == "/dev/null"
    assert info["fdmodes"][fd] in ("w", "rw"), info["fdmodes"]


ECHO = r'''import sys
data = sys.stdin.buffer.read()
out = sys.stdout.buffer
out.write(b"Content-Type: application/octet-stream\n\n")
out.write(data)
out.write(bytes(range(256)))
out.flush()
'''


def test_post_body_and_binary_output_pass_through(adir):
    write_file(f"{adir}/echo.py", ECHO)
    body = os.urandom(300 * 1024) + b"\x00\r\n\x1b[0m\xff\n\n"
    env = cjlib.cgi_env(REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(body)),
                        CONTENT_TYPE="application/octet-stream")
    res = run_wrapper(["cjtalice", "cjtalice", "echo.py"], cwd=adir, env=env, input=body)
    assert_accepted(res)
    assert res.stdout == b"Content-Type: application/octet-stream\n\n" + body + bytes(range(256))


def test_sibling_module_import(adir):
    write_file(f"{adir}/helper.py", "VALUE = 'helper-ok'\n", mode=0o644)
    path, m = make_probe(adir, extra="import helper\nEXTRA_RESULT = helper.VALUE\n")
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir)
    assert_accepted(res, m)
    assert res.info()["extra"] == "helper-ok"
    # -B: no byte code written next to the script
    assert not os.path.exists(f"{adir}/__pycache__")


def test_script_exit_status_passed_through(adir):
    write_file(f"{adir}/exit7.py", "import sys\nprint('Content-Type: text/plain\\n')\nsys.exit(7)\n")
    res = run_wrapper(["cjtalice", "cjtalice", "exit7.py"], cwd=adir)
    assert res.rc == 7, res.describe()
    assert [r["outcome"] for r in res.log] == ["accepted"]


def test_script_output_written_as_target(adir, policy):
    """Files the script creates belong to the target and get the policy umask.
    (The script writes into its own directory: granted by `write =`.)"""
    if cjlib.SANDBOX_POLICY:
        policy.set(sections={"sandbox": {"write": f"{cjlib.MARKERS} {adir}"}})
    body = ("import os\nopen('made-by-script', 'w').close()\n"
            "print('Content-Type: text/plain\\n')\n")
    write_file(f"{adir}/mk.py", body)
    res = run_wrapper(["cjtalice", "cjtalice", "mk.py"], cwd=adir, umask=0)
    assert_accepted(res)
    st = os.stat(f"{adir}/made-by-script")
    assert (st.st_uid, st.st_gid) == (ALICE, ALICE)
    assert st.st_mode & 0o777 == 0o644


# ---- -V ---------------------------------------------------------------------

@pytest.mark.parametrize("caller", ["root", "cjtweb"])
def test_version_allowed(caller):
    res = run_wrapper(["-V"], caller=caller)
    assert res.rc == 0, res.describe()
    assert POLICY.encode() in res.stdout, res.describe()


def test_version_refused_to_non_caller():
    res = run_wrapper(["-V"], caller="cjtbob")
    assert_refused(res)
    assert POLICY.encode() not in res.stdout



@pytest.mark.parametrize("mode", [0o700, 0o500, 0o750])
def test_private_script_modes_accepted(adir, mode):
    """Nothing beyond owner-execute is required of the script's mode."""
    path, m = make_probe(adir, mode=mode)
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir)
    assert_accepted(res, m)
    assert res.info()["argv"] == [path]


def test_script_directly_in_userdir(world):
    pub = f"{cjlib.HOMES}/cjtalice/public_html"
    path, m = make_probe(pub, name=f"top-{os.getpid()}.py")
    try:
        res = run_wrapper(["~cjtalice", "cjtalice", os.path.basename(path)], cwd=pub)
        assert_accepted(res, m)
        assert res.info()["cwd"] == pub
    finally:
        os.unlink(path)


def test_signal_dispositions_and_mask_reset(adir):
    """README: signals reset.  The caller ignores SIGHUP/SIGTERM/SIGUSR1 and
    blocks SIGUSR2; the script sees none of it (Python itself ignores only
    SIGPIPE and SIGXFSZ)."""
    import signal

    def hostile():
        for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGUSR1):
            signal.signal(sig, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})

    path, m = make_probe(adir)
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir, preexec=hostile)
    assert_accepted(res, m)
    info = res.info()
    ign = int(info["sigign"], 16)
    for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGUSR1):
        assert not ign & (1 << (sig - 1)), f"{sig!r} still ignored: SigIgn={info['sigign']}"
    assert int(info["sigblk"], 16) == 0, f"SigBlk={info['sigblk']}"
