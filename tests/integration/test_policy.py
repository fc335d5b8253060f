"""The policy: cgijail.conf, users.d drop-ins, their safety, their effect.
Every test here mutates the policy tree; conftest restores it afterwards."""
import os
import shutil

import pytest

import cjlib
from cjlib import (ETC, EXIT_CONFIG, EXIT_EXEC, EXIT_REFUSED, HOMES, POLICY, TOP, USERSD,
                   WWW, WWW2, assert_accepted, assert_refused, make_probe, new_dir,
                   policy_text, run_wrapper)

A = ["cjtalice", "cjtalice", "probe.py"]


def bob_request():
    d = new_dir(f"{WWW}/cjtbob", "cjtbob")
    _, m = make_probe(d, owner="cjtbob")
    return d, m


# ---- invalid policy: every request refused with file:line: reason --------------------

def _line_of(text, needle):
    return text.split("\n").index(needle) + 1


def _policy_error(policy, adir, text, bad_line):
    policy.write(text)
    _, m = make_probe(adir)
    res = run_wrapper(A, cwd=adir)
    why = assert_refused(res, m, code=EXIT_CONFIG, log=False)
    line = _line_of(text, bad_line)
    assert f"cgijail.conf:{line}:" in why, f"expected 'cgijail.conf:{line}:' in {why!r}"
    return why


def test_unknown_key(policy, adir):
    text = policy_text() + "no_such_key = 1\n"
    _policy_error(policy, adir, text, "no_such_key = 1")


def test_unknown_key_in_the_middle(policy, adir):
    text = policy_text().replace("umask = 022\n", "umask = 022\nchroot = /srv\n")
    _policy_error(policy, adir, text, "chroot = /srv")


def test_syntax_error_line_without_equals(policy, adir):
    text = policy_text().replace("[wrapper]\n", "[wrapper]\nthis line is not ini\n")
    _policy_error(policy, adir, text, "this line is not ini")


def test_unknown_section(policy, adir):
    text = policy_text() + "[surprise]\n"
    _policy_error(policy, adir, text, "[surprise]")


def test_unterminated_section(policy, adir):
    text = policy_text() + "[wrapper\n"
    _policy_error(policy, adir, text, "[wrapper")


def test_duplicate_key(policy, adir):
    text = policy_text() + "caller = cjtbob\n"
    _policy_error(policy, adir, text, "caller = cjtbob")


@pytest.mark.parametrize("key,value", [("min_uid", "abc"), ("min_uid", "0"),
                                       ("umask", "999"), ("docroot", "relative/dir"),
                                       ("interpreter", "python3")])
def test_bad_value(policy, adir, key, value):
    text = policy_text(**{key: value})
    _policy_error(policy, adir, text, f"{key} = {value}")


def test_error_message_names_the_policy_path(policy, adir):
    why = _policy_error(policy, adir, policy_text() + "bogus = 1\n", "bogus = 1")
    assert POLICY in why


# ---- unsafe policy tree ---------------------------------------------------------------

def _refused_by_policy(adir):
    _, m = make_probe(adir)
    res = run_wrapper(A, cwd=adir)
    assert_refused(res, m, code=EXIT_CONFIG, log=False)


def test_policy_missing(policy, adir):
    os.unlink(POLICY)
    _refused_by_policy(adir)


@pytest.mark.parametrize("mode", [0o664, 0o646, 0o666])
def test_policy_writable_by_group_or_other(policy, adir, mode):
    os.chmod(POLICY, mode)
    _refused_by_policy(adir)


@pytest.mark.parametrize("owner", ["cjtalice", "cjtweb"])
def test_policy_not_owned_by_root(policy, adir, owner):
    cjlib.chown_name(POLICY, owner, "root")
    _refused_by_policy(adir)


def test_policy_is_symlink(policy, adir):
    cjlib.write_root_file(f"{ETC}/real.conf", policy_text())
    os.unlink(POLICY)
    os.symlink("real.conf", POLICY)
    _refused_by_policy(adir)


def test_policy_is_directory(policy, adir):
    os.unlink(POLICY)
    os.mkdir(POLICY, 0o755)
    _refused_by_policy(adir)


@pytest.mark.parametrize("path", [ETC, TOP])
@pytest.mark.parametrize("mode", [0o775, 0o757])
def test_dir_above_policy_writable(policy, adir, path, mode):
    os.chmod(path, mode)
    _refused_by_policy(adir)


@pytest.mark.parametrize("path", [ETC, TOP])
def test_dir_above_policy_not_root_owned(policy, adir, path):
    cjlib.chown_name(path, "cjtweb", "root")
    _refused_by_policy(adir)


def test_usersd_writable(policy, adir):
    os.chmod(USERSD, 0o777)
    _refused_by_policy(adir)


def test_usersd_not_root_owned(policy, adir):
    cjlib.chown_name(USERSD, "cjtalice")
    _refused_by_policy(adir)


def test_usersd_symlink(policy, adir):
    shutil.rmtree(USERSD)
    os.mkdir(f"{ETC}/users.real", 0o755)
    os.symlink("users.real", USERSD)
    _refused_by_policy(adir)


def test_baseline_accepted(adir):
    """The default tree is accepted: each test above breaks one thing."""
    _, m = make_probe(adir)
    assert_accepted(run_wrapper(A, cwd=adir), m)


# ---- users.d drop-ins -------------------------------------------------------------------

def test_dropin_interpreter_args_for_that_user_only(policy, adir):
    policy.dropin("cjtalice", "[wrapper]\ninterpreter_args = -I\n")
    _, m = make_probe(adir)
    res = run_wrapper(A, cwd=adir)
    assert_accepted(res, m)
    assert res.info()["flags"]["isolated"] == 1
    bd, bm = bob_request()
    res = run_wrapper(["cjtbob", "cjtbob", "probe.py"], cwd=bd)
    assert_accepted(res, bm)
    assert res.info()["flags"] == {"isolated": 0, "ignore_environment": 1, "no_user_site": 1,
                                   "dont_write_bytecode": 1}


def test_dropin_interpreter(policy, adir):
    alt = f"{cjlib.BINDIR}/altpython"
    shutil.copyfile(os.path.realpath("/usr/bin/python3"), alt)
    os.chmod(alt, 0o755)
    try:
        policy.dropin("cjtalice", f"[wrapper]\ninterpreter = {alt}\n")
        _, m = make_probe(adir)
        res = run_wrapper(A, cwd=adir)
        assert_accepted(res, m)
        assert res.info()["executable"] == alt
        bd, bm = bob_request()
        res = run_wrapper(["cjtbob", "cjtbob", "probe.py"], cwd=bd)
        assert_accepted(res, bm)
        assert res.info()["executable"] == "/usr/bin/python3"
    finally:
        os.unlink(alt)


@pytest.mark.parametrize("line", ["docroot = /", "caller = cjtalice", "min_uid = 1",
                                  "userdir = .", "safe_path = /tmp", "umask = 0",
                                  "log_file = /var/lib/cgijail-test/log/other.log"])
def test_dropin_other_keys_refused(policy, adir, line):
    policy.dropin("cjtalice", f"[wrapper]\n{line}\n")
    _, m = make_probe(adir)
    why = assert_refused(run_wrapper(A, cwd=adir), m, code=EXIT_CONFIG)
    assert "cjtalice.conf:2:" in why, why
    # other users are unaffected
    bd, bm = bob_request()
    assert_accepted(run_wrapper(["cjtbob", "cjtbob", "probe.py"], cwd=bd), bm)


def test_dropin_syntax_error(policy, adir):
    policy.dropin("cjtalice", "[wrapper]\ninterpreter_args -I\n")
    _, m = make_probe(adir)
    why = assert_refused(run_wrapper(A, cwd=adir), m, code=EXIT_CONFIG)
    assert "cjtalice.conf:2:" in why, why


@pytest.mark.parametrize("mode,owner", [(0o664, "root"), (0o646, "root"), (0o644, "cjtalice")])
def test_dropin_unsafe(policy, adir, mode, owner):
    path = policy.dropin("cjtalice", "[wrapper]\ninterpreter_args = -I\n", mode=mode)
    cjlib.chown_name(path, owner, "root")
    _, m = make_probe(adir)
    assert_refused(run_wrapper(A, cwd=adir), m, code=EXIT_CONFIG)
    bd, bm = bob_request()
    assert_accepted(run_wrapper(["cjtbob", "cjtbob", "probe.py"], cwd=bd), bm)


def test_dropin_symlink_refused(policy, adir):
    cjlib.write_root_file(f"{ETC}/alice-real.conf", "[wrapper]\ninterpreter_args = -I\n")
    os.symlink("../alice-real.conf", f"{USERSD}/cjtalice.conf")
    _, m = make_probe(adir)
    assert_refused(run_wrapper(A, cwd=adir), m, code=EXIT_CONFIG)


def test_dropin_interpreter_not_root_owned(policy, adir):
    alt = f"{cjlib.BINDIR}/alicepython"
    shutil.copyfile(os.path.realpath("/usr/bin/python3"), alt)
    cjlib.chown_name(alt, "cjtalice")
    os.chmod(alt, 0o755)
    policy.dropin("cjtalice", f"[wrapper]\ninterpreter = {alt}\n")
    _, m = make_probe(adir)
    assert_refused(run_wrapper(A, cwd=adir), m, code=EXIT_REFUSED)


def _exec_failure(policy, adir):
    bad = f"{cjlib.BINDIR}/badinterp"
    cjlib.write_root_file(bad, b"\x7fELF not really an executable\n", mode=0o755)
    policy.set(interpreter=bad)
    _, m = make_probe(adir)
    return run_wrapper(A, cwd=adir), m


def test_interpreter_exec_failure_status(policy, adir):
    """A root-owned 'interpreter' the kernel cannot execute: status 127."""
    res, m = _exec_failure(policy, adir)
    assert not m.ran
    assert res.rc == EXIT_EXEC, res.describe()
    cjlib.assert_one_stderr_line(res, b"cgijail: ")
    assert res.stdout == cjlib.NOT_RUN_RESPONSE


def test_interpreter_exec_failure_is_one_error_record(policy, adir):
    """exec fails after the privilege drop, in the forked child: not a check's
    refusal but an error - one 'cgijail: error:' line, one log record
    (outcome 'error', the child's reason, the accounting of the attempt)."""
    res, m = _exec_failure(policy, adir)
    assert not m.ran
    assert res.rc == EXIT_EXEC, res.describe()
    cjlib.assert_one_stderr_line(res, b"cgijail: error: ")
    recs = res.log
    assert len(recs) == 1, f"exactly one log record expected: {res.describe()}"
    assert recs[0].get("outcome") == "error", res.describe()
    assert "cannot execute the interpreter" in recs[0].get("reason", ""), res.describe()
    assert recs[0].get("signal") is None and "wall_ms" in recs[0], res.describe()


# ---- the policy's values take effect ------------------------------------------------------

@pytest.mark.parametrize("callers", ["cjtweb, cjtcarol", "cjtweb cjtcarol", "cjtcarol,cjtweb"])
def test_caller_list(policy, adir, callers):
    policy.set(caller=callers)
    _, m = make_probe(adir)
    assert_accepted(run_wrapper(A, cwd=adir, caller="cjtcarol"), m)
    os.unlink(m.path)
    assert_accepted(run_wrapper(A, cwd=adir, caller="cjtweb"), m)
    os.unlink(m.path)
    assert_refused(run_wrapper(A, cwd=adir, caller="cjtbob"), m)


def test_caller_removed(policy, adir):
    policy.set(caller="cjtcarol")
    _, m = make_probe(adir)
    assert_refused(run_wrapper(A, cwd=adir, caller="cjtweb"), m)


def test_caller_root_listed_is_still_refused(policy, adir):
    """root in caller= is refused: by the policy (121) or by the check (120)."""
    policy.set(caller="cjtweb root")
    _, m = make_probe(adir)
    res = run_wrapper(A, cwd=adir, caller="root")
    assert res.rc in (EXIT_REFUSED, EXIT_CONFIG), res.describe()
    assert_refused(res, m, code=res.rc, log=res.rc == EXIT_REFUSED)


def test_userdir_empty_disables_tilde(policy, udir):
    policy.set(userdir="")
    _, m = make_probe(udir)
    assert_refused(run_wrapper(["~cjtalice", "cjtalice", "probe.py"], cwd=udir), m)


def test_userdir_other_name(policy, udir):
    policy.set(userdir="cgi-bin")
    _, m = make_probe(udir)
    assert_refused(run_wrapper(["~cjtalice", "cjtalice", "probe.py"], cwd=udir), m)
    cgi = new_dir(f"{HOMES}/cjtalice", "cjtalice", name="cgi-bin")
    _, m2 = make_probe(cgi)
    assert_accepted(run_wrapper(["~cjtalice", "cjtalice", "probe.py"], cwd=cgi), m2)


def test_two_docroots(policy):
    policy.set(docroot=f"{WWW} {WWW2}")
    d = new_dir(f"{WWW2}/cjtalice", "cjtalice")
    _, m = make_probe(d)
    assert_accepted(run_wrapper(A, cwd=d), m)


def test_docroot_is_per_component_even_with_trailing_slash(policy):
    policy.set(docroot=WWW + "/")
    d = new_dir(f"{WWW2}/cjtalice", "cjtalice")
    _, m = make_probe(d)
    res = run_wrapper(A, cwd=d)
    # either the policy rejects the trailing slash, or www2 is still outside
    assert not m.ran, res.describe()
    assert res.rc in (EXIT_REFUSED, EXIT_CONFIG), res.describe()


def test_umask(policy, adir):
    policy.set(umask="027")
    _, m = make_probe(adir)
    res = run_wrapper(A, cwd=adir, umask=0)
    assert_accepted(res, m)
    assert res.info()["umask"] == 0o027


def test_safe_path(policy, adir):
    policy.set(safe_path="/usr/bin:/bin")
    _, m = make_probe(adir)
    res = run_wrapper(A, cwd=adir, env=cjlib.cgi_env(PATH="/tmp"))
    assert_accepted(res, m)
    assert res.info()["env"]["PATH"] == "/usr/bin:/bin"


def test_min_uid_raised(policy, adir):
    policy.set(min_uid="62002")
    _, m = make_probe(adir)
    assert_refused(run_wrapper(A, cwd=adir), m)
    bd, bm = bob_request()
    assert_accepted(run_wrapper(["cjtbob", "cjtbob", "probe.py"], cwd=bd), bm)


def test_min_gid_raised(policy, adir):
    policy.set(min_gid="62002")
    _, m = make_probe(adir)
    assert_refused(run_wrapper(A, cwd=adir), m)


def test_interpreter_args_isolated_for_everyone(policy, adir):
    policy.set(interpreter_args="-I")
    _, m = make_probe(adir)
    res = run_wrapper(A, cwd=adir)
    assert_accepted(res, m)
    assert res.info()["flags"]["isolated"] == 1
