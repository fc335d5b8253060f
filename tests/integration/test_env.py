"""The script's environment: built from scratch from an allowlist."""
import re

import pytest

import cjlib
from cjlib import SAFE_PATH, WWW, assert_accepted, assert_refused, make_probe, run_wrapper

KEPT = {
    # RFC 3875 meta-variables
    "AUTH_TYPE": "Basic",
    "CONTENT_LENGTH": "0",
    "CONTENT_TYPE": "text/plain; charset=utf-8",
    "GATEWAY_INTERFACE": "CGI/1.1",
    "PATH_INFO": "/extra/path",
    "PATH_TRANSLATED": "/var/lib/cgijail-test/www/extra/path",
    "QUERY_STRING": "q=a%20b&x=%0A",
    "REMOTE_ADDR": "192.0.2.7",
    "REMOTE_HOST": "client.example",
    "REMOTE_IDENT": "ident",
    "REMOTE_USER": "someone",
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "/cgi/probe.py",
    "SERVER_NAME": "www.example",
    "SERVER_PORT": "443",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "SERVER_SOFTWARE": "Apache/2.4",
    # Apache suexec's safe list
    "DOCUMENT_ROOT": "/var/lib/cgijail-test/www",
    "REQUEST_URI": "/cgi/probe.py?q=a",
    "SCRIPT_FILENAME": "/var/lib/cgijail-test/www/cjtalice/probe.py",
    "REMOTE_PORT": "51234",
    "HTTPS": "on",
    "REDIRECT_STATUS": "200",
    # HTTP_* and SSL_*
    "HTTP_HOST": "www.example",
    "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64)",
    "HTTP_COOKIE": "a=b; c=d",
    "HTTP_ACCEPT": "*/*",
    "HTTP_X_FORWARDED_FOR": "198.51.100.1",
    "HTTP_X_WITH_TAB": "a\tb",
    "SSL_PROTOCOL": "TLSv1.3",
    "SSL_CLIENT_S_DN": "CN=client,O=Example",
}

DROPPED = {
    "HTTP_PROXY": "http://evil.example:3128",   # httpoxy
    # (a value setpriv, not setuid, loads silently and the setuid wrapper
    # skips silently: glibc would print an error for others)
    "LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "LD_LIBRARY_PATH": "/tmp",
    "PYTHONPATH": "/tmp",
    "PYTHONINSPECT": "1",
    "PYTHONSTARTUP": "/tmp/evil.py",
    "PYTHONHOME": "/tmp",
    "PYTHONWARNINGS": "error",
    "PYTHONUSERBASE": "/tmp",
    "TMPDIR": "/tmp/evil",
    "BASH_ENV": "/tmp/evil.sh",
    "ENV": "/tmp/evil.sh",
    "IFS": " ",
    "SHELLOPTS": "xtrace",
    "PS4": "$(touch /tmp/x)",
    "PERL5LIB": "/tmp",
    "GCONV_PATH": "/tmp",
    "HOSTALIASES": "/tmp/hosts",
    "LOCALDOMAIN": "evil",
    "RES_OPTIONS": "debug",
    "NLSPATH": "/tmp/%N",
    "MALLOC_CHECK_": "3",
    "HOME": "/root",
    "SHELL": "/bin/sh",
    "USER": "root",
    "LOGNAME": "root",
    # not upper-case / not a valid name
    "http_proxy": "http://evil.example:3128",
    "lower_case": "x",
    "Http_Host": "x",
    "HTTP_X-DASH": "x",
    "1HTTP_DIGIT_FIRST": "x",
    "HTTP_X.DOT": "x",
    # a control character (other than tab) in the value
    "HTTP_X_CTRL_SOH": "a\x01b",
    "HTTP_X_CTRL_ESC": "a\x1b[31mb",
    "HTTP_X_CTRL_NL": "a\nb",
    "HTTP_X_CTRL_CR": "a\rb",
    "HTTP_X_CTRL_DEL": "a\x7fb",
}


@pytest.fixture(scope="module")
def seen(world):
    d = cjlib.new_dir(f"{WWW}/cjtalice", "cjtalice")
    _, m = make_probe(d)
    env = dict(KEPT)
    env.update(DROPPED)
    env["PATH"] = "/tmp/evil:/usr/bin"
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=d, env=env)
    assert_accepted(res, m)
    return res.info()["env"]


@pytest.mark.parametrize("name", sorted(KEPT))
def test_kept(seen, name):
    assert seen.get(name) == KEPT[name]


# Variables cgijail sets itself (the caller's value never passes): the
# sandbox's private per-tenant temporary directory.
def set_by_cgijail():
    tmp = cjlib.tenant_tmpdir("cjtalice")
    return {"TMPDIR": tmp} if tmp else {}


@pytest.mark.parametrize("name", sorted(DROPPED))
def test_dropped(seen, name):
    own = set_by_cgijail()
    if name in own:
        assert seen.get(name) == own[name], f"{name}={seen.get(name)!r}, expected {own[name]!r}"
        return
    assert name not in seen, f"{name}={seen[name]!r} reached the script"


def test_path_is_safe_path(seen):
    assert seen["PATH"] == SAFE_PATH


def test_every_variable_is_clean(seen):
    """Whatever the script sees has a valid name and no control character.
    (Python itself may add LC_CTYPE when it coerces the C locale.)"""
    for k, v in seen.items():
        assert re.fullmatch(r"[A-Z_][A-Z0-9_]*", k), k
        assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", v), (k, v)
        assert k in KEPT or k in ("PATH", "LC_CTYPE") or set_by_cgijail().get(k) == v, \
            f"unexpected variable {k}={v!r}"


# ---- size limits ---------------------------------------------------------------------

def _env_bytes(env):
    return sum(len(k.encode()) + 1 + len(v.encode()) + 1 for k, v in env.items())


def _with_entries(n, prefix="HTTP_X_N"):
    env = cjlib.cgi_env()
    i = 0
    while len(env) < n:
        env[f"{prefix}{i}"] = "1"
        i += 1
    assert len(env) == n
    return env


def _with_bytes(total):
    env = cjlib.cgi_env()
    i = 0
    while True:
        missing = total - _env_bytes(env)
        name = f"HTTP_BIG_{i:03d}"
        overhead = len(name) + 2
        if missing <= 0:
            break
        if missing - overhead <= 100000:
            if missing - overhead < 0:
                raise AssertionError("cannot hit the exact size")
            env[name] = "x" * (missing - overhead)
        else:
            env[name] = "x" * 100000
        i += 1
    assert _env_bytes(env) == total
    return env


def _light_script(d):
    return cjlib.marker_script(d, "probe.py", body="print('Content-Type: text/plain\\n')\n")


def test_4096_entries_accepted(adir):
    _, m = _light_script(adir)
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir, env=_with_entries(4096))
    assert_accepted(res, m)


def test_4097_entries_refused(adir):
    _, m = _light_script(adir)
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir, env=_with_entries(4097))
    assert_refused(res, m)


def test_4097_entries_refused_even_if_they_would_be_dropped(adir):
    """The limit is on what the caller passes, not on what is kept."""
    _, m = _light_script(adir)
    env = _with_entries(4097, prefix="lower_")
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir, env=env)
    assert_refused(res, m)


def test_exactly_1mib_accepted(adir):
    _, m = _light_script(adir)
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir, env=_with_bytes(1 << 20))
    assert_accepted(res, m)


def test_over_1mib_refused(adir):
    _, m = _light_script(adir)
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir,
                      env=_with_bytes((1 << 20) + 1))
    assert_refused(res, m)


def test_large_value_passes_intact(adir):
    _, m = make_probe(adir)
    big = "v" * 100000
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir,
                      env=cjlib.cgi_env(HTTP_X_BIG=big))
    assert_accepted(res, m)
    assert res.info()["env"]["HTTP_X_BIG"] == big
