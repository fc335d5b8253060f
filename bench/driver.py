#!/usr/bin/python3
"""Per-request cost of running a CGI script through cgijail and its peers.

Two subcommands, both started by bench/run.sh (which prepares users, policy,
wrapper builds and the script tree, and removes them again):

  driver.py measure [options] > results.json
      Starts as root, drops to the caller (www-data) once with
      setgroups/setgid/setuid, chdirs into the script's directory and then,
      for every variant in VARIANTS: checks its output once, and times
      fork+exec+wait cycles (os.posix_spawn, stdout+stderr to a pipe read to
      EOF, stdin /dev/null, a fixed small CGI environment), interleaved
      round-robin over the variants so that drift hits all of them alike.
      Every timed run's exit status and output are checked too: a refused
      request is never timed as a fast one.

  driver.py report results.json > performance.md
      Renders the markdown table, ratios and machine facts.

A row is one entry in VARIANTS (below), plus whatever run.sh must install
for it (a wrapper build, a user with a drop-in) passed in as an option.
The sandbox rows run the same cgijail binary for different users whose
drop-ins (users.d/<user>.conf) switch the layers on and off, so that the
rows differ only in the layers used.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pwd
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

HELLO_OUTPUT = b"Content-Type: text/plain\n\nhello\n"

# The fixed CGI environment every variant is spawned with (what mod_cgi would
# pass for "GET /site/hello.py?x=1").  The wrappers filter it themselves.
def cgi_env(script_dir: str, script: str, docroot: str) -> dict[str, str]:
    rel = os.path.relpath(script_dir, docroot)
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "Apache/2.4",
        "SERVER_NAME": "localhost",
        "SERVER_ADDR": "127.0.0.1",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "REQUEST_METHOD": "GET",
        "REQUEST_URI": f"/{rel}/{script}?x=1",
        "QUERY_STRING": "x=1",
        "SCRIPT_NAME": f"/{rel}/{script}",
        "SCRIPT_FILENAME": os.path.join(script_dir, script),
        "DOCUMENT_ROOT": docroot,
        "CONTEXT_DOCUMENT_ROOT": docroot,
        "REQUEST_SCHEME": "http",
        "HTTP_HOST": "localhost",
        "HTTP_USER_AGENT": "cgijail-bench",
        "HTTP_ACCEPT": "*/*",
    }


@dataclass
class Ctx:
    """What run.sh prepared: paths, names, and why something is missing."""
    script_dir: str
    script: str
    target_user: str
    target_group: str
    cgijail: str = ""
    cgijail_missing: str = "no --cgijail given"
    suexec: str = ""
    suexec_missing: str = "no --suexec given"
    base: str = ""
    base_rev: str = ""
    base_missing: str = "no --base given"
    # layer row key -> (user, script directory); see LAYER_ROWS
    layers: dict[str, tuple[str, str]] = field(default_factory=dict)


# The sandbox rows: key, label, what the user's drop-in sets, and the one
# line for the doc.  run.sh creates one user per key (with that drop-in).
LAYER_ROWS: list[tuple[str, str, str, str]] = [
    ("sb_none", "cgijail, sandbox layers off",
     "cgroup = off, seccomp = off, landlock = off",
     "the current wrapper with every layer off: the bare wrapper's steps plus the "
     "supervisor (fork, signalfd, poll, wait4), the concurrency slot "
     "(flock), the per-tenant TMPDIR, rlimits and the accounting record"),
    ("sb_seccomp", "cgijail, + seccomp only",
     "cgroup = off, seccomp = on, landlock = off",
     "layers off except the precompiled seccomp filter"),
    ("sb_landlock", "cgijail, + Landlock only",
     "cgroup = off, seccomp = off, landlock = required",
     "layers off except the Landlock ruleset (built in the parent, "
     "restricted in the child)"),
    ("sb_cgroup", "cgijail, + cgroup only",
     "cgroup = required, seccomp = off, landlock = off",
     "layers off except the cgroups: tenant cgroup checked, request leaf "
     "created with its limits, child attached, leaf killed, read and "
     "removed at the end"),
    ("cgijail", "cgijail, full sandbox (defaults)",
     "cgroup = required, seccomp = on, landlock = required",
     "the shipped defaults: every layer on"),
]


@dataclass
class Variant:
    key: str                      # short id, used in the JSON and for ratios
    label: str                    # the row's name in the table
    argv: list[str]               # argv[0] is the path spawned
    expect: bytes                 # exact stdout+stderr of one good run
    what: str                     # one line for the doc: what the row costs
    missing: str = ""             # non-empty: not measured, and why
    cwd: str = ""                 # spawn from here (default: the script dir)


# One entry per row.  Keep the keys stable: the report refers to them.
VARIANTS: list[Callable[[Ctx], Variant]] = [
    lambda c: Variant(
        "true", "`/bin/true` (spawn floor)", ["/bin/true"], b"",
        "the driver's own fork+exec+wait of a trivial program"),
    lambda c: Variant(
        "py", "`python3 hello.py` (direct)",
        ["/usr/bin/python3", c.script], HELLO_OUTPUT,
        "the interpreter alone, as the server would run it without a wrapper"),
    lambda c: Variant(
        "py_esb", "`python3 -E -s -B /abs/hello.py` (direct)",
        ["/usr/bin/python3", "-E", "-s", "-B",
         os.path.join(c.script_dir, c.script)], HELLO_OUTPUT,
        "exactly the command line cgijail execs, without cgijail"),
    lambda c: Variant(
        "suexec", "suexec-custom `USER GROUP hello.py`",
        [c.suexec, c.target_user, c.target_group, c.script], HELLO_OUTPUT,
        "Apache's suexec-custom: checks, log line in suexec.log, exec of "
        "the script (its `#!/usr/bin/python3` line)",
        "" if c.suexec else c.suexec_missing),
    lambda c: Variant(
        "base", "cgijail, bare wrapper (no sandbox)",
        [c.base, c.target_user, c.target_group, c.script], HELLO_OUTPUT,
        "the bare wrapper (no supervisor, no sandbox layer), built from commit "
        f"{c.base_rev or '(none)'}: policy load, fd walk and checks, "
        "privilege switch, exec of `python3 -E -s -B /abs/hello.py`; no "
        "supervisor, no sandbox",
        "" if c.base else c.base_missing),
]


def _layer_variant(key: str, label: str, dropin: str, what: str
                   ) -> Callable[[Ctx], Variant]:
    def mk(c: Ctx) -> Variant:
        user, sdir = c.layers.get(key, ("", ""))
        missing = (c.cgijail_missing if not c.cgijail else
                   "" if user else f"no --layer {key}=USER:DIR given")
        return Variant(
            key, f"{label} `USER GROUP hello.py`",
            [c.cgijail, user or "?", user or "?", c.script], HELLO_OUTPUT,
            f"{what}; the user's drop-in sets `{dropin}`", missing,
            cwd=sdir)
    return mk


VARIANTS += [_layer_variant(*r) for r in LAYER_ROWS]
LAYER_KEYS = [r[0] for r in LAYER_ROWS]


@dataclass
class Row:
    v: Variant
    ns: list[int] = field(default_factory=list)
    failure: str = ""


def spawn_once(argv: list[str], env: dict[str, str], devnull: int,
               cwd: str) -> tuple[int, int, bytes]:
    """One request: chdir (untimed), spawn, read stdout+stderr to EOF, wait.
    Returns (elapsed ns, exit status, output)."""
    os.chdir(cwd)
    r, w = os.pipe()
    chunks = []
    try:
        acts = [(os.POSIX_SPAWN_DUP2, devnull, 0),
                (os.POSIX_SPAWN_DUP2, w, 1),
                (os.POSIX_SPAWN_DUP2, w, 2)]
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=acts)
        os.close(w)
        w = -1
        while True:
            b = os.read(r, 65536)
            if not b:
                break
            chunks.append(b)
        _, status = os.waitpid(pid, 0)
        t1 = time.perf_counter_ns()
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
    return t1 - t0, os.waitstatus_to_exitcode(status), b"".join(chunks)


def check(row: Row, rc: int, out: bytes) -> bool:
    if rc == 0 and out == row.v.expect:
        return True
    row.failure = (f"exit status {rc}, output {out[:300]!r} "
                   f"(expected {row.v.expect!r})")
    return False


def drop_to(user: str) -> None:
    pw = pwd.getpwnam(user)
    if os.getuid() != 0:
        if os.getuid() == pw.pw_uid:
            return
        sys.exit(f"driver: must start as root or as {user}")
    os.setgroups(os.getgrouplist(user, pw.pw_gid))
    os.setgid(pw.pw_gid)
    os.setuid(pw.pw_uid)
    if os.getresuid() != (pw.pw_uid,) * 3 or os.getresgid() != (pw.pw_gid,) * 3:
        sys.exit("driver: privilege drop failed")


def pct(xs: list[int], p: int) -> float:
    """p-th percentile (inclusive method, linear interpolation), in ms."""
    return statistics.quantiles(xs, n=100, method="inclusive")[p - 1] / 1e6


def summarize(ns: list[int]) -> dict:
    return {
        "n": len(ns),
        "median_ms": statistics.median(ns) / 1e6,
        "p10_ms": pct(ns, 10),
        "p90_ms": pct(ns, 90),
        "min_ms": min(ns) / 1e6,
        "mean_ms": statistics.fmean(ns) / 1e6,
    }


def hyperfine_crosscheck(rows: list[Row], env: dict[str, str], n: int,
                         warmup: int) -> dict:
    """The same commands under hyperfine -N (sequential, output discarded):
    an independent check of the driver's numbers.  hyperfine cannot chdir
    per command, so it runs once per distinct working directory."""
    hf = shutil.which("hyperfine", path="/usr/bin:/bin")
    if not hf:
        return {"skipped": "hyperfine not installed"}
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.v.cwd, []).append(row)
    res = {}
    with tempfile.TemporaryDirectory(prefix="cgijail-bench-hf-") as td:
        for i, (cwd, group) in enumerate(groups.items()):
            out = os.path.join(td, f"hf{i}.json")
            cmd = [hf, "-N", "--style", "none", "--warmup", str(warmup),
                   "--runs", str(n), "--export-json", out]
            for row in group:
                cmd += ["-n", row.v.key, shlex.join(row.v.argv)]
            p = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, check=False)
            if p.returncode != 0:
                return {"skipped": "hyperfine failed: "
                        + p.stderr.decode(errors="replace")[-300:]}
            with open(out, encoding="utf-8") as f:
                data = json.load(f)
            for r in data["results"]:
                res[r["command"]] = {"median_ms": r["median"] * 1e3,
                                     "mean_ms": r["mean"] * 1e3,
                                     "stddev_ms": (r.get("stddev") or 0) * 1e3}
    # Keep the table's row order.
    return {"results": {r.v.key: res[r.v.key] for r in rows if r.v.key in res}}


def measure(a: argparse.Namespace) -> int:
    layers = {}
    for spec in a.layer:
        key, _, rest = spec.partition("=")
        user, _, sdir = rest.partition(":")
        if key not in LAYER_KEYS or not user or not os.path.isabs(sdir):
            sys.exit(f"driver: bad --layer {spec!r} (KEY=USER:/DIR, KEY one "
                     f"of {', '.join(LAYER_KEYS)})")
        layers[key] = (user, sdir)
    ctx = Ctx(script_dir=a.script_dir, script=a.script,
              target_user=a.target_user, target_group=a.target_group,
              cgijail=a.cgijail, cgijail_missing=a.cgijail_missing,
              suexec=a.suexec, suexec_missing=a.suexec_missing,
              base=a.base, base_rev=a.base_rev, base_missing=a.base_missing,
              layers=layers)
    env = cgi_env(a.script_dir, a.script, a.docroot)
    rows = [Row(mk(ctx)) for mk in VARIANTS]
    for row in rows:
        row.v.cwd = row.v.cwd or a.script_dir
    for row in rows:
        if row.v.missing:
            row.failure = row.v.missing

    # Children get fds 0-2 only, as from a web server (which sets CLOEXEC).
    for name in os.listdir("/proc/self/fd"):
        if int(name) > 2:
            try:
                os.set_inheritable(int(name), False)
            except OSError:
                pass
    drop_to(a.caller)
    devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    log = sys.stderr

    # Verify each variant before timing it: a refusal is not a fast request.
    for row in rows:
        if row.failure:
            continue
        _, rc, out = spawn_once(row.v.argv, env, devnull, row.v.cwd)
        if check(row, rc, out):
            print(f"driver: ok    {row.v.key}", file=log)
        else:
            print(f"driver: FAIL  {row.v.key}: {row.failure}", file=log)
    live = [r for r in rows if not r.failure]

    # Interleaved rounds; the order rotates each round so that no variant is
    # always the one right after (say) the slowest.
    total = a.warmup + a.n
    load_start = open("/proc/loadavg", encoding="ascii").read().split()[:3]
    gc.disable()
    started = time.time()
    for i in range(total):
        k = i % len(live) if live else 0
        for row in live[k:] + live[:k]:
            if row.failure:
                continue
            dt, rc, out = spawn_once(row.v.argv, env, devnull, row.v.cwd)
            if not check(row, rc, out):
                print(f"driver: FAIL  {row.v.key} in round {i}: "
                      f"{row.failure}", file=log)
                row.ns.clear()
                continue
            if i >= a.warmup:
                row.ns.append(dt)
        if (i + 1) % 50 == 0:
            print(f"driver: round {i + 1}/{total}", file=log)
    gc.enable()
    elapsed = time.time() - started

    good = [r for r in live if not r.failure]
    hf = ({"skipped": "BENCH_HYPERFINE=0"} if not a.hyperfine or not good
          else hyperfine_crosscheck(good, env, a.n, a.warmup))

    # Paired per-round differences (round i of both variants ran back to back).
    def paired(x: str, y: str) -> Optional[dict]:
        rx = next((r for r in good if r.v.key == x), None)
        ry = next((r for r in good if r.v.key == y), None)
        if not rx or not ry:
            return None
        d = [p - q for p, q in zip(rx.ns, ry.ns)]
        return {"median_ms": statistics.median(d) / 1e6,
                "p10_ms": pct(d, 10), "p90_ms": pct(d, 90)}

    result = {
        "n": a.n, "warmup": a.warmup, "elapsed_s": elapsed,
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)),
        "loadavg_start": " ".join(load_start),
        "loadavg_end": " ".join(
            open("/proc/loadavg", encoding="ascii").read().split()[:3]),
        "caller": a.caller, "target": f"{a.target_user}:{a.target_group}",
        "cwd": a.script_dir, "env": env,
        "base_rev": a.base_rev,
        "variants": [{
            "key": r.v.key, "label": r.v.label, "what": r.v.what,
            "argv": r.v.argv, "cwd": r.v.cwd,
            "failure": r.failure,
            "stats": summarize(r.ns) if not r.failure else None,
            "samples_ns": r.ns if not r.failure else [],
        } for r in rows],
        "paired": {
            "cgijail-py_esb": paired("cgijail", "py_esb"),
            "suexec-py": paired("suexec", "py"),
            "cgijail-suexec": paired("cgijail", "suexec"),
            "base-py_esb": paired("base", "py_esb"),
            **{f"{k}-base": paired(k, "base") for k in LAYER_KEYS},
            **{f"{k}-sb_none": paired(k, "sb_none")
               for k in LAYER_KEYS if k != "sb_none"},
        },
        "hyperfine": hf,
    }
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0 if len(good) == len(rows) else 3


# ---------------------------------------------------------------- report --

def fmt(x: Optional[float], unit: str = "") -> str:
    return "n/a" if x is None else f"{x:.2f}{unit}"


def _cmd(*argv: str) -> str:
    try:
        p = subprocess.run(argv, capture_output=True, text=True, check=False)
    except OSError:
        return "n/a"
    return (p.stdout.strip() or p.stderr.strip() or "n/a").splitlines()[0]


def machine_facts(res: dict, src: str) -> dict[str, str]:
    cpu = "n/a"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    commit = _cmd("git", "-C", src, "rev-parse", "--short", "HEAD")
    dirty = subprocess.run(
        ["git", "-C", src, "status", "--porcelain", "--untracked-files=no",
         "--", "wrapper", "policy", "CMakeLists.txt", "cmake"],
        capture_output=True, text=True, check=False)
    if dirty.returncode == 0 and dirty.stdout.strip():
        commit += " (with uncommitted changes to the wrapper's sources)"
    return {
        "date": res["started"],
        "nproc": _cmd("nproc"),
        "CPU": cpu,
        "systemd-detect-virt": _cmd("systemd-detect-virt"),
        "kernel": os.uname().release,
        "OS": _cmd("sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\""),
        "python": _cmd("/usr/bin/python3", "--version"),
        "cgijail commit": commit,
        "apache2-suexec-custom": _cmd("dpkg-query", "-W", "-f=${Version}",
                                      "apache2-suexec-custom"),
        "hyperfine": _cmd("hyperfine", "--version"),
        "syslog socket /dev/log": "present" if os.path.exists("/dev/log")
                                  else "absent",
        "load average (1/5/15 min) at start / end":
            f"{res['loadavg_start']} / {res['loadavg_end']}",
    }


def report(a: argparse.Namespace) -> int:
    with open(a.results, encoding="utf-8") as f:
        res = json.load(f)
    facts = machine_facts(res, a.src)
    by = {v["key"]: v for v in res["variants"]}

    def med(key: str) -> Optional[float]:
        v = by.get(key)
        return v["stats"]["median_ms"] if v and v["stats"] else None

    def ratio(x: str, y: str) -> str:
        mx, my = med(x), med(y)
        return "n/a" if mx is None or my is None else f"{mx / my:.2f}×"

    def diff(x: str, y: str) -> str:
        mx, my = med(x), med(y)
        return "n/a" if mx is None or my is None else f"{mx - my:+.2f} ms"

    def pdiff(name: str) -> str:
        p = res["paired"].get(name)
        if not p:
            return "n/a"
        return (f"{p['median_ms']:+.2f} ms "
                f"(p10 {p['p10_ms']:+.2f}, p90 {p['p90_ms']:+.2f})")

    o = []
    w = o.append
    w("# Performance: per-request cost\n")
    w("What one CGI request costs when the web server runs a trivial Python "
      "script (`hello.py`, 4 lines: a shebang, a `Content-Type` header, a "
      "blank line, `hello`) directly, through Apache's suexec-custom, "
      "through the bare cgijail wrapper (no sandbox), and through today's cgijail with "
      "its sandbox layers switched on one at a time and all together. "
      "Generated by `bench/run.sh`; do not edit by hand.\n")
    w(f"## Results ({res['n']} timed requests per row, after "
      f"{res['warmup']} warm-up rounds)\n")
    w("| variant | median ms | p10 ms | p90 ms | min ms | vs `python3 hello.py` |")
    w("|---|---:|---:|---:|---:|---:|")
    for v in res["variants"]:
        s = v["stats"]
        if not s:
            why = v["failure"].replace("|", "\\|")
            w(f"| {v['label']} | not measured: {why} | | | | |")
            continue
        w(f"| {v['label']} | {s['median_ms']:.2f} | {s['p10_ms']:.2f} | "
          f"{s['p90_ms']:.2f} | {s['min_ms']:.2f} | {ratio(v['key'], 'py')} |")
    w("")
    w("| derived | value |")
    w("|---|---:|")
    w(f"| cgijail (full sandbox) / python3 direct (medians) | {ratio('cgijail', 'py')} |")
    w(f"| cgijail (full sandbox) / suexec-custom (medians) | {ratio('cgijail', 'suexec')} |")
    w(f"| **cgijail's own overhead** (full sandbox): median(cgijail) − median(`python3 -E -s -B` direct) "
      f"| **{diff('cgijail', 'py_esb')}** |")
    w(f"| same, median of the per-round paired differences | "
      f"{pdiff('cgijail-py_esb')} |")
    w(f"| suexec-custom's overhead: median(suexec) − median(`python3 hello.py`) "
      f"| {diff('suexec', 'py')} |")
    w(f"| same, median of the per-round paired differences | "
      f"{pdiff('suexec-py')} |")
    w(f"| the bare wrapper's overhead: median(base) − median(`python3 -E -s -B` direct) "
      f"| {diff('base', 'py_esb')} |")
    w(f"| same, median of the per-round paired differences | "
      f"{pdiff('base-py_esb')} |")
    w(f"| spawn floor (`/bin/true`) | {fmt(med('true'), ' ms')} |")
    w("")

    w("## Cost of the sandbox\n")
    w("Every row below is the same cgijail binary; only the user's drop-in "
      "differs (see *What each row measures*). \"vs bare\" compares with "
      "the bare wrapper (no supervisor, no sandbox layer), built from commit "
      f"`{res.get('base_rev') or 'n/a'}` and run in the same rounds; "
      "\"vs layers off\" with today's wrapper with every layer off. Paired: "
      "the median (p10, p90) over the rounds of this row's time minus the "
      "other row's time in the same round.\n")
    w("| row | median ms | vs bare, medians | vs bare, paired | "
      "vs layers off, paired |")
    w("|---|---:|---:|---:|---:|")
    for key in LAYER_KEYS:
        v = by.get(key)
        if not v or not v["stats"]:
            why = (v["failure"] if v else "not in this run").replace("|", "\\|")
            w(f"| {key} | not measured: {why} | | | |")
            continue
        off = ("—" if key == "sb_none" else pdiff(f"{key}-sb_none"))
        w(f"| {v['label'].split(' `')[0]} | {v['stats']['median_ms']:.2f} | "
          f"{diff(key, 'base')} | {pdiff(f'{key}-base')} | {off} |")
    w("")
    p = res["paired"].get("cgijail-suexec")
    if p:
        met = "met" if p["median_ms"] <= 1.0 else "**not met**"
        w(f"**Goal**: the full sandbox costs at most 1 ms (median) over "
          f"Apache's suexec-custom. **Measured: {p['median_ms']:+.2f} ms** "
          f"(paired median; {diff('cgijail', 'suexec')} between the medians): "
          f"{met}.\n")
    else:
        w("**Goal**: the full sandbox costs at most 1 ms (median) over "
          "Apache's suexec-custom. Not measured in this run (a row is missing).\n")
    w("Where the time goes (what each row adds; the figures in this "
      "paragraph were measured separately, not by this run):\n")
    w("- *layers off* over the bare wrapper: the supervisor and the "
      "request's pid namespace. cgijail forks the script into a new pid "
      "namespace (it is the namespace's init); the parent stays as the "
      "supervisor (drops to uid 0 with only CAP_KILL, signalfd, poll, wait4 "
      "with rusage, the accounting record) and the child does the bare "
      "wrapper's identity switch plus the rlimits before the exec; the "
      "concurrency slot (open+flock) and the per-tenant TMPDIR "
      "(mkdirat+fstat) add a few system calls. That is a second process "
      "created, torn down and waited for on every request: a bare "
      "fork+_exit+waitpid of a small C program costs 0.64 ms on this VM; "
      "`bench/apache.sh --profile` measures the phases of real requests "
      "(the wrapper's own CPU time, ~1.2 ms with every layer off, most of "
      "it the process start and the identity switch of both halves).")
    w("- *cgroup*: the mounts come from the run directory's cache "
      "(`cgroup.mounts`; libcgroup's `cgroup_init` runs once, not per "
      "request), the slot's leaf is kept between requests (no mkdir or "
      "rmdir), limits are read and written only where they differ, the "
      "peak memory is reset, and the child enters the leaf through v1's "
      "`tasks` file (no cgroup_threadgroup_rwsem, so no RCU grace period; "
      "on v2 the clone places it: `CLONE_INTO_CGROUP`); step-by-step "
      "figures in docs/cgroups.md, \"Cost\".")
    w("- *seccomp*: installing the precompiled filter (one prctl/seccomp "
      "call) and its evaluation on every system call the interpreter makes.")
    w("- *Landlock*: the ruleset built in the parent (one open per rule "
      "path), `landlock_restrict_self` in the child, and the access checks "
      "on every path the interpreter opens.")
    w("- This VM is a paravirtualised guest where a system call costs ~1 µs "
      "and a first-touch page fault ~10 µs, several times more than on bare "
      "metal; every row's overhead is made of those.\n")
    missing = [v for v in res["variants"] if not v["stats"]]
    if missing:
        w("**Not measured in this run:** " + "; ".join(
            f"{v['key']} ({v['failure']})" for v in missing) + ". The ratios "
          "that need those rows read n/a.\n")

    hf = res.get("hyperfine", {})
    if "results" in hf:
        w("Cross-check with `hyperfine -N` (same commands, same caller, cwd "
          "and environment, run one after the other instead of interleaved, "
          "output discarded instead of read from a pipe):\n")
        w("| variant | hyperfine median ms | mean ± σ ms | driver median ms |")
        w("|---|---:|---:|---:|")
        for key, h in hf["results"].items():
            w(f"| {by[key]['label']} | {h['median_ms']:.2f} | "
              f"{h['mean_ms']:.2f} ± {h['stddev_ms']:.2f} | {fmt(med(key))} |")
        w("")
    elif hf.get("skipped"):
        w(f"(hyperfine cross-check skipped: {hf['skipped']})\n")

    w("Both wrappers put one more `execve` of a setuid binary in front of "
      "the interpreter (the dynamic loader in secure mode, the wrapper's "
      "checks, then the exec of python3); the `/bin/true` row shows what a "
      "bare spawn of a small program costs on this machine.\n")
    w("## What each row measures\n")
    for v in res["variants"]:
        w(f"- **{v['label']}**: {v['what']}. argv: `{shlex.join(v['argv'])}`")
    w("")
    w("## Machine\n")
    w("| fact | value |")
    w("|---|---|")
    for k, v in facts.items():
        w(f"| {k} | {v} |")
    w(f"| measuring time | {res['elapsed_s']:.0f} s |")
    w("")
    try:
        busy = max(float(res["loadavg_start"].split()[0]),
                   float(res["loadavg_end"].split()[0])) >= float(facts["nproc"])
    except (ValueError, KeyError, IndexError):
        busy = False
    if busy:
        w("The machine was busy with other work during this run (1-minute load "
          "average at or above the number of CPUs): absolute times are "
          "inflated and the spread is wide; the interleaving keeps the rows "
          "comparable with each other.\n")
    w("## Method\n")
    w(f"""- `bench/run.sh` (as root) builds a bench-only wrapper with its own
  compiled-in directories (`cmake -S . -B build-bench
  -DCGIJAIL_CONFIG_DIR=/var/lib/cgijail-bench/etc
  -DCGIJAIL_RUN_DIR=/run/cgijail-bench
  -DCGIJAIL_STATE_DIR=/var/lib/cgijail-bench/state -DBUILD_TESTING=OFF`)
  and the bare wrapper from `git archive <base commit>` (policy directory
  `/var/lib/cgijail-bench/etc-base`), installs both under
  `/var/lib/cgijail-bench/bin` (root:www-data, mode 4754, like Debian's
  suexec), and writes their policies: `caller = www-data`, `docroot =
  /var/lib/cgijail-bench/www`, `userdir =` empty, `min_uid = min_gid =
  1000`; today's wrapper also gets `[sandbox] cgroup_parent =
  cgijail-test/bench`; every other key is at its default (so the full
  sandbox row runs with the default limits: cpu 10 s, wall 30 s, memory
  256M, tasks 32, and so on).
- It creates the bench user `cjtbench` (uid/gid 62980, the full-sandbox
  row, the bare wrapper, suexec-custom and the direct rows) and one user
  per layer row (`cjtbsbnone`, `cjtbsbsecc`, `cjtbsbland`, `cjtbsbcgrp`,
  62981-62984), each owning its own directory under
  `/var/lib/cgijail-bench/www` with the same `hello.py` (0755), and one
  drop-in per user, `users.d/<user>.conf`, whose `[sandbox]` section sets
  `cgroup`, `seccomp` and `landlock` as the row says (the full row's
  drop-in spells out the defaults, so every row reads one drop-in).
  suexec-custom is pointed at the same docroot
  (`/etc/apache2/suexec/www-data`, backed up and restored).
- `bench/driver.py measure` starts as root, drops once to the caller
  {res['caller']} (`os.setgroups`/`setgid`/`setuid`), chdirs into the script's
  directory (each layer row: its user's directory; the `chdir` is not
  timed) and spawns every variant from there with `os.posix_spawn`: stdin
  `/dev/null`, stdout and stderr into one pipe that the driver reads to EOF
  (as mod_cgi does), then `waitpid`. The time of one request is
  `time.perf_counter_ns()` from just before the spawn to just after the
  wait. Every child gets the same fixed CGI environment ({len(res['env'])}
  variables: `GATEWAY_INTERFACE`, `REQUEST_METHOD=GET`, `QUERY_STRING`,
  `SCRIPT_NAME`, `HTTP_HOST`, `PATH`, ...); the wrappers filter it as they
  would under Apache.
- Each variant's exit status and output are checked once before timing and
  on every timed run: a refused request (cgijail exits 120 with `cgijail:
  refused: ...` on stderr, suexec exits 1xx with nothing on stdout) fails
  the check, and the row is reported as not measured, never timed as a
  fast request.
- Rounds are interleaved: each round runs every variant once, the order
  rotating by one per round, so slow drift (other load, frequency changes)
  affects all rows alike. {res['warmup']} warm-up rounds are discarded, then
  {res['n']} rounds are timed. The Python garbage collector is off while timing.
- Percentiles are linear-interpolation (inclusive) percentiles of the
  {res['n']} samples. The "paired" lines take, for every round, cgijail's time
  minus that round's `python3 -E -s -B` time (and suexec's minus `python3
  hello.py`), which cancels most of the drift between rounds.
- The direct `python3` rows run as the caller (www-data), not as the script
  owner: the driver drops privileges once, and the interpreter's start-up
  does not depend on which unprivileged user runs it.
- suexec-custom runs the script through its `#!/usr/bin/python3` line
  (plain `python3 hello.py`, no `-E -s -B`) and appends one line to
  `/var/log/apache2/suexec.log` per request; cgijail runs without a
  `log_file` and sends its syslog record to `/dev/log` (absent on a machine
  without a syslog daemon, which makes that record nearly free).
- The cgroup rows use the machine's cgroup hierarchies as they are (see
  the sandbox column of a log record: `cgroup=v1` on a host with v1
  controllers, `cgroup=v2` on a unified one); the tenant cgroups
  `cgijail-test/bench/<user>` are created by the first request and stay,
  each request creates and removes its own leaf below its tenant.

## Reproduce

    bench/run.sh                 # BENCH_N=200 timed rounds by default
    BENCH_N=1000 bench/run.sh    # more rounds
    BENCH_HYPERFINE=0 bench/run.sh   # skip the hyperfine cross-check
    BENCH_IDLE_WAIT=0 bench/run.sh   # start at once; by default it waits
                                          # up to 300 s for a 1-min load < 1

    BENCH_BASE_REV=<commit> bench/run.sh   # another reference wrapper

It installs what it needs (`apache2-suexec-custom hyperfine shellcheck`),
prints the tables, rewrites this file, and removes the bench users,
`/var/lib/cgijail-bench`, `/run/cgijail-bench`, its cgroups and its other
changes on exit, failed runs included (`build-bench/` and
`build-bench-base/` stay). Absolute numbers depend heavily on the machine
and on its other load (see the load average above); compare rows of one
run, not numbers across runs.

Requests per second through a real Apache under concurrency, and where the
time of a request goes (perf, strace): `bench/apache.sh`, described in
docs/apache-bench.md; its results, when written here, are the section after
this one.
""")
    sys.stdout.write("\n".join(o))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--caller", default="www-data")
    m.add_argument("--script-dir", required=True)
    m.add_argument("--script", default="hello.py")
    m.add_argument("--docroot", required=True)
    m.add_argument("--target-user", required=True)
    m.add_argument("--target-group", required=True)
    m.add_argument("--cgijail", default="")
    m.add_argument("--cgijail-missing", default="no --cgijail given")
    m.add_argument("--suexec", default="")
    m.add_argument("--suexec-missing", default="no --suexec given")
    m.add_argument("--base", default="",
                   help="the bare wrapper (the reference for the sandbox rows)")
    m.add_argument("--base-rev", default="")
    m.add_argument("--base-missing", default="no --base given")
    m.add_argument("--layer", action="append", default=[],
                   metavar="KEY=USER:/DIR",
                   help="a sandbox row: its user and that user's script dir")
    m.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", "200")))
    m.add_argument("--warmup", type=int, default=20)
    m.add_argument("--hyperfine", type=int,
                   default=int(os.environ.get("BENCH_HYPERFINE", "1")))
    r = sub.add_parser("report")
    r.add_argument("results")
    r.add_argument("--src", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), help="the source tree (for its commit)")
    a = ap.parse_args()
    if a.cmd == "measure":
        if a.n < 10 or a.warmup < 0:
            ap.error("need --n >= 10 and --warmup >= 0")
        return measure(a)
    return report(a)


if __name__ == "__main__":
    sys.exit(main())
