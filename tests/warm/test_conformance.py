"""Warm and cold give the same: each script of scripts/ run the way cgijail
runs it cold (a fresh interpreter, the init of its own pid namespace) and
through a zygote (a request process forked from a warm interpreter) must
give the same exit status, stdout and stderr, with the same environment,
argv, stdin, cwd and umask.  Root only (the zygote serves uid 0)."""
import os
import re

import pytest

import zyglib

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "scripts")

CGI_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1",
           "REQUEST_METHOD": "POST", "QUERY_STRING": "a=1&b=%C3%A9", "SERVER_NAME": "cjt",
           "SCRIPT_NAME": "/cgi-bin/x.py", "HTTP_USER_AGENT": "t\u00e9st",
           "CONTENT_TYPE": "application/octet-stream"}

# (script, argv after the script, stdin)
CASES = [
    ("env.py", [], b""),
    ("introspect.py", ["one", "two words", "\u00fcml"], b""),
    ("stdin_echo.py", [], bytes(range(256)) * 4096),
    ("text_io.py", [], b"first line \xff\xfe\n second"),
    ("exit_int.py", [], b""),
    ("exit_str.py", [], b""),
    ("exit_none.py", [], b""),
    ("os_exit.py", [], b""),
    ("raise_error.py", [], b""),
    ("kbint.py", [], b""),
    ("syntax_error.py", [], b""),
    ("main_guard.py", [], b""),
    ("sibling_main.py", [], b""),
    ("at_exit.py", [], b""),
    ("logging_use.py", [], b""),
]


@pytest.fixture(scope="module")
def zygote():
    z = zyglib.Zygote(preload=["json", "logging"])
    yield z
    z.stop()


def normalized(b):
    """Memory addresses differ between any two runs."""
    return re.sub(rb"0x[0-9a-f]{6,16}", b"0x?", b)


@pytest.mark.parametrize("script,args,stdin", CASES, ids=[c[0] for c in CASES])
def test_same_as_cold(zygote, script, args, stdin):
    path = os.path.join(SCRIPTS, script)
    cold = zyglib.run_cold(path, args, env=CGI_ENV, stdin=stdin, umask=0o027)
    warm = zygote.request(path, args, env=CGI_ENV, stdin=stdin, umask=0o027)
    assert warm.status is not None, (warm, zygote.stderr())
    assert (warm.exit, normalized(warm.stdout), normalized(warm.stderr)) == \
        (cold.exit, normalized(cold.stdout), normalized(cold.stderr)), \
        f"\ncold: {cold!r}\nwarm: {warm!r}"
    assert zygote.alive(), zygote.stderr()


def test_random_numbers_differ_between_requests(zygote):
    path = os.path.join(SCRIPTS, "random_numbers.py")
    outs = [zygote.request(path, env=CGI_ENV).stdout for _ in range(3)]
    assert all(o.strip() for o in outs), outs
    assert len(set(outs)) == 3, outs


def test_requests_share_nothing_they_set(zygote):
    """Module state a request changes (a preloaded module's attribute, the
    environment) is not seen by the next one."""
    path = os.path.join(SCRIPTS, "env.py")
    first = zygote.request(path, env=dict(CGI_ENV, HTTP_X_FIRST="1"))
    second = zygote.request(path, env=CGI_ENV)
    assert b"HTTP_X_FIRST=1" in first.stdout
    assert b"HTTP_X_FIRST" not in second.stdout


def test_signal_state_of_a_request_does_not_reach_the_next(zygote):
    """The zygote sets a fresh interpreter's dispositions and mask once;
    what a request changes dies with it."""
    change = os.path.join(SCRIPTS, "signals_change.py")
    look = os.path.join(SCRIPTS, "introspect.py")
    first = zygote.request(change, env=CGI_ENV)
    assert first.exit == 0 and first.stdout == b"changed\n", first
    warm = zygote.request(look, env=CGI_ENV)
    cold = zyglib.run_cold(look, env=CGI_ENV)
    kinds = (b"signal ", b"mask ", b"alarm ")
    lines = [l for l in warm.stdout.splitlines() if l.startswith(kinds)]
    assert len(lines) == 10, warm
    assert lines == [l for l in cold.stdout.splitlines() if l.startswith(kinds)]
