#!/usr/bin/python3
"""Helpers of bench/apache.sh: parse ab's output, read the sandbox field of
cgijail's log, and render the results as Markdown.

Subcommands (all called by apache.sh):

  sandbox --log F --user U          the sandbox field of U's last cgijail record
  ab --out F --csv F ...            one ab run, checked, as one JSON line
  any-invalid RESULTS               exit 0 (and print them) if some run is invalid
  report RESULTS ...                the Markdown section (exit 3: some row invalid)
  splice DOC SECTION                put SECTION into DOC between its markers
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from typing import Optional

BEGIN = "<!-- BEGIN bench/apache.sh: generated, do not edit by hand -->"
END = "<!-- END bench/apache.sh -->"
ROWS = ("suexec", "off", "default", "warm", "floor")
# Warm mode's goal: its req/s over suexec-custom's, per script.
WARM_GOALS = {"hello": 5, "heavy": 10}


# ---- log records ---------------------------------------------------------------

def cmd_sandbox(a: argparse.Namespace) -> int:
    last = None
    with open(a.log, encoding="utf-8") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if rec.get("user") == a.user and "sandbox" in rec:
                last = rec["sandbox"]
    print("(no record)" if last is None else last)
    return 0


# ---- ab ---------------------------------------------------------------------------

def _field(text: str, name: str) -> Optional[str]:
    m = re.search(r"^" + re.escape(name) + r":\s+(\S+)", text, re.M)
    return m.group(1) if m else None


def parse_ab(text: str, csv_text: Optional[str]) -> dict:
    out: dict = {}
    for key, name in (("complete", "Complete requests"), ("failed", "Failed requests"),
                      ("non2xx", "Non-2xx responses"), ("doclen", "Document Length")):
        v = _field(text, name)
        out[key] = int(v) if v is not None and v.isdigit() else None
    if out["non2xx"] is None and out["complete"] is not None:
        out["non2xx"] = 0          # ab prints the line only when it is not 0
    v = _field(text, "Requests per second")
    out["rps"] = float(v) if v is not None else None
    out["pct"] = None
    if csv_text is not None:
        lines = csv_text.strip().splitlines()
        if lines and lines[0] == "Percentage served,Time in ms" and len(lines) == 102:
            pct = {}
            for ln in lines[1:]:
                p, t = ln.split(",", 1)
                pct[int(p)] = float(t)
            # ab prints line p (0 < p < 100) as the sorted times' element
            # [(int)(0.5 + done * p / 100)]: for p = 99 and done <= 50 that
            # is one past the end (garbage, seen as 0.3 ms). The element
            # meant is then the last one, which line 100 prints.
            done = out["complete"] or 0
            for p in list(pct):
                if 0 < p < 100 and int(0.5 + done * p / 100.0) >= done:
                    pct[p] = pct[100]
            out["pct"] = pct
    return out


def cmd_ab(a: argparse.Namespace) -> int:
    with open(a.out, encoding="utf-8", errors="replace") as f:
        text = f.read()
    csv_text = None
    if os.path.exists(a.csv):
        with open(a.csv, encoding="utf-8") as f:
            csv_text = f.read()
    r = parse_ab(text, csv_text)
    why = []
    if a.rc != 0:
        tail = [ln for ln in text.strip().splitlines() if ln.strip()][-1:] or ["(no output)"]
        why.append(f"ab exited {a.rc}: {tail[0][:160]}")
    if r["complete"] != a.n:
        why.append(f"{r['complete']} of {a.n} requests completed")
    if r["failed"] != 0:
        why.append(f"{r['failed']} failed requests")
    if r["non2xx"] != 0:
        why.append(f"{r['non2xx']} non-2xx responses")
    if r["doclen"] != a.length:
        why.append(f"document length {r['doclen']}, expected {a.length}")
    if r["rps"] is None or r["pct"] is None:
        why.append("ab's report is incomplete")
    if a.records != a.n:
        why.append(f"the wrapper's log has {a.records} successful records for {a.n} requests")
    if a.other != 0:
        why.append(f"{a.other} other records (refusals, errors) in the wrapper's log")
    if a.wrapper_ok != 1:
        why.append("/usr/lib/apache2/suexec in Apache's namespace is no longer the row's wrapper")
    rec = {
        "round": a.round, "row": a.row, "script": a.script, "conc": a.conc, "n": a.n,
        "valid": not why, "why": "; ".join(why), "rps": r["rps"],
        "p50": r["pct"][50] if r["pct"] else None,
        "p99": r["pct"][99] if r["pct"] else None,
        "throttled_ms": a.throttled_ms if a.throttled_ms >= 0 else None,
    }
    print(json.dumps(rec))
    return 0


def load(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_any_invalid(a: argparse.Namespace) -> int:
    bad = [r for r in load(a.results) if not r["valid"]]
    for r in bad:
        print(f"row {r['row']}, {r['script']}.py, c={r['conc']}: {r['why']}")
    return 0 if bad else 1


# ---- report ------------------------------------------------------------------------

def _cmd(*argv: str) -> str:
    try:
        p = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "n/a"
    out = (p.stdout or p.stderr).strip()
    return out.splitlines()[0] if out else "n/a"


def cgroup_version() -> str:
    fs = _cmd("stat", "-f", "-c", "%T", "/sys/fs/cgroup")
    if fs == "cgroup2fs":
        return "v2 (unified)"
    ctl = sorted(d for d in os.listdir("/sys/fs/cgroup")
                 if os.path.isfile(f"/sys/fs/cgroup/{d}/cgroup.procs")
                 and d not in ("unified", "systemd"))
    hybrid = " + v2 at /sys/fs/cgroup/unified" if os.path.isdir("/sys/fs/cgroup/unified") else ""
    return f"v1 ({' '.join(ctl)}){hybrid}"


def machine_facts(a: argparse.Namespace) -> list[tuple[str, str]]:
    cpu = "n/a"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    commit = _cmd("git", "-C", a.src, "rev-parse", "--short", "HEAD")
    dirty = subprocess.run(
        ["git", "-C", a.src, "status", "--porcelain", "--untracked-files=no",
         "--", "wrapper", "policy", "CMakeLists.txt", "cmake"],
        capture_output=True, text=True, check=False)
    if dirty.returncode == 0 and dirty.stdout.strip():
        commit += " (with uncommitted changes to the wrapper's sources)"
    pystart = _cmd("/usr/bin/python3", "-E", "-s", "-B", "-c",
                   "import sys; print(len(sys.modules))")
    facts = [
        ("machine", f"{cpu}, {_cmd('nproc')} CPUs, virtualisation: "
                    f"{_cmd('systemd-detect-virt')}"),
        ("kernel", os.uname().release),
        ("cgroup", cgroup_version()),
        ("OS", _cmd("sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\"")),
        ("Apache", _cmd("/usr/sbin/apache2", "-v").replace("Server version: ", "")),
        ("MPM / CGI module", "mpm_event + mod_cgid" if a.mpm == "event"
                             else "mpm_prefork + mod_cgi"),
        ("apache2-suexec-custom", _cmd("dpkg-query", "-W", "-f=${Version}",
                                       "apache2-suexec-custom")),
        ("ab", _cmd("ab", "-V")),
        ("python", _cmd("/usr/bin/python3", "--version")
                   + f"; {pystart} modules loaded at start-up (`-E -s -B`)"),
        ("cgijail commit", commit),
    ]
    for f in a.fact:
        k, _, v = f.partition("=")
        facts.append((k, v))
    return facts


def ratios(res: list[dict], script: str, concs: list[int],
           row: str) -> list[tuple[int, Optional[float]]]:
    """Per concurrency, the median of the row's per-round req/s ratios to
    suexec-custom; None where any of its runs was invalid."""
    out: list[tuple[int, Optional[float]]] = []
    for c in concs:
        base = {r["round"]: r for r in res if r["script"] == script and r["conc"] == c
                and r["row"] == "suexec" and r["valid"]}
        runs = [r for r in res if r["script"] == script and r["conc"] == c and r["row"] == row]
        pr = [r["rps"] / base[r["round"]]["rps"] for r in runs
              if r["valid"] and r["round"] in base]
        ok = bool(runs) and all(r["valid"] for r in runs) and bool(pr)
        out.append((c, statistics.median(pr) if ok else None))
    return out


def fmt(x: Optional[float], nd: int = 1) -> str:
    return "—" if x is None else f"{x:.{nd}f}"


def cmd_report(a: argparse.Namespace) -> int:
    res = load(a.results)
    labels = dict(l.split("=", 1) for l in a.label)
    scripts = list(dict.fromkeys(r["script"] for r in res))
    concs = sorted({r["conc"] for r in res})
    rows = [k for k in ROWS if any(r["row"] == k for r in res)]
    some_invalid = False
    o = []
    o.append(BEGIN)
    o.append("## Through Apache: requests per second under concurrency")
    o.append("")
    o.append("What users see: a real Apache 2.4 on loopback serving a Python CGI "
             "script through `SuexecUserGroup`, driven by `ab` (no keep-alive), "
             "the same script through Apache's suexec-custom and through cgijail. "
             f"Generated by `bench/apache.sh`: {a.rounds} rounds, each with every "
             "row once per script and concurrency, the rows' order rotating by one "
             "per round; {n} requests per row per round (hello.py){heavy}. "
             "Figures are medians over the rounds; the ratios are medians of the "
             "per-round ratios to suexec-custom measured in the same round."
             .format(n=a.n_hello,
                     heavy=f", {a.n_heavy} (heavy.py)" if "heavy" in scripts else ""))
    o.append("")
    for s in scripts:
        throttle: dict[str, list[str]] = {}
        what = ("`hello.py` (4 lines: a header and `hello`)" if s == "hello" else
                "`heavy.py` (imports email, json, http.cookies, urllib, "
                "xml.dom.minidom, sqlite3, logging and more of the standard library)")
        o.append(f"### {what}")
        o.append("")
        o.append("| c | row | req/s | median ms | p99 ms | req/s ÷ suexec | median ÷ suexec | rounds |")
        o.append("|---:|---|---:|---:|---:|---:|---:|---:|")
        for c in concs:
            base = {r["round"]: r for r in res if r["script"] == s and r["conc"] == c
                    and r["row"] == "suexec" and r["valid"]}
            for k in rows:
                runs = [r for r in res if r["script"] == s and r["conc"] == c and r["row"] == k]
                if not runs:
                    continue
                bad = [r for r in runs if not r["valid"]]
                label = labels.get(k, k)
                if bad:
                    some_invalid = True
                    o.append(f"| {c} | {label} | **invalid**: {bad[0]['why']} "
                             f"(round {bad[0]['round']}) | | | | | "
                             f"{len(runs) - len(bad)}/{len(runs)} valid |")
                    continue
                rps = statistics.median(r["rps"] for r in runs)
                p50 = statistics.median(r["p50"] for r in runs)
                p99 = statistics.median(r["p99"] for r in runs)
                pl = [r["p50"] / base[r["round"]]["p50"] for r in runs
                      if r["round"] in base and base[r["round"]]["p50"] > 0]
                ratio = "1.00" if k == "suexec" else fmt(ratios(res, s, [c], k)[0][1], 2)
                lratio = "1.00" if k == "suexec" else (
                    f"{statistics.median(pl):.2f}" if pl else "—")
                o.append(f"| {c} | {label} | {fmt(rps)} | {fmt(p50)} | {fmt(p99)} | "
                         f"{ratio} | {lratio} | {len(runs)} |")
                thr = [r["throttled_ms"] for r in runs if r.get("throttled_ms") is not None]
                if thr:
                    throttle.setdefault(k, []).append(
                        f"c={c}: {statistics.median(thr):.0f} ms "
                        f"({statistics.median(t / r['n'] for t, r in zip(thr, runs)):.1f} ms per request)")
        o.append("")
        goal = WARM_GOALS.get(s)
        if goal and "warm" in rows:
            warm = ratios(res, s, concs, "warm")
            met = all(v is not None and v >= goal for _, v in warm)
            shown = ", ".join(f"c={c}: {fmt(v, 2)}×" for c, v in warm)
            o.append(f"Warm mode's goal for this script: at least {goal}× suexec-custom's "
                     f"req/s at every concurrency. This run: {shown}: "
                     f"**{'met' if met else 'not met'}**.")
            if any(r["row"] == "floor" and r["script"] == s for r in res):
                ceil = ", ".join(f"c={c}: {fmt(v, 2)}×"
                                 for c, v in ratios(res, s, concs, "floor"))
                o.append(f"The floor row (the same response from a static C program "
                         f"through suexec-custom: no interpreter at all) reaches {ceil}; "
                         f"no wrapper that Apache execs per request can exceed that here.")
            o.append("")
        for k, parts in throttle.items():
            o.append(f"{labels.get(k, k)}: the tenant's CPU quota (`[tenant] cpu`, none by "
                     f"default; 100% would be one CPU for all of the tenant's scripts "
                     f"together) held the scripts back, median per run: {'; '.join(parts)}.")
            o.append("")
    o.append("### Machine")
    o.append("")
    o.append("| fact | value |")
    o.append("|---|---|")
    for k, v in machine_facts(a):
        o.append(f"| {k} | {v.replace('|', '/')} |")
    o.append("")
    o.append("### Method")
    o.append("")
    o.append("""\
- Rows: **suexec-custom** (Debian's `apache2-suexec-custom`, its docroot set
  to the bench's); **cgijail, sandbox layers off** (the user's drop-in sets
  `cgroup = off`, `seccomp = off`, `landlock = off`: the identity switch, the
  supervisor, rlimits, the slot, the record); **cgijail, default sandbox**
  (no drop-in: the shipped defaults, cgroups below
  `cgijail-test/apachebench`); **cgijail, default sandbox, warm mode** (the
  drop-in sets `[warm] enabled = yes` and `preload =` the modules
  `heavy.py` imports; the other `[warm]` keys at their defaults:
  `max_requests = 1000`, `max_age = 60m`, `idle_timeout = 5m`). The cgijail
  rows run the same binary, built from the tree into `build-bench/` and
  installed root:www-data 4754, and the same zygote program (root:root
  0644); each row has its own user and docroot with the same scripts. The
  warm row's zygotes are started by the warm-up requests (one per
  concurrency slot, each slot's start paid by its first request), and a
  zygote recycled after `max_requests` is started again by the request that
  finds it gone, inside the measured runs. **floor** (with `hello.py`
  only) is not a wrapper: suexec-custom's Apache serving `floor.cgi`, a
  static C program (`cc -O2 -static`) that writes `hello.py`'s response;
  it measures what ab, Apache, mod_cgid and one setuid exec cost without
  any interpreter, the ceiling of every row's req/s on this machine.
- One Apache per row (own ServerRoot, `Listen 127.0.0.1:<port>`, one vhost
  with `SuexecUserGroup` and `ScriptAlias /cgi/`, Debian's MPM defaults, no
  access log), each in its own mount namespace with its own
  `/usr/lib/apache2` (a tmpfs with the real `modules/` and the row's wrapper
  bound on a plain file `suexec`, the only path Apache runs), so the
  system's suexec alternative is neither used nor changed. The script
  checks Apache's `AH01232: suEXEC mechanism enabled` line, and before the
  first and after every run that the file Apache sees there is the row's
  wrapper.
- Before measuring, every row runs each script once with curl (status,
  body, log record), then a warm-up at the highest concurrency measured
  (4 × c requests, at least 20), not counted.
- Load: `ab -n N -c C` (a new connection per request), one run per row,
  script and concurrency in every round; the rows alternate within a round,
  so slow drift of the machine affects them alike. req/s is ab's mean over
  the run; median and p99 are ab's percentiles of the total request time.
- Every run is checked: all N requests completed, no failed and no non-2xx
  response, the expected document length (`hello` = 6 bytes), and exactly N
  new successful records in the wrapper's own log (cgijail's `log_file`, a
  JSON line per request with `status` 0; suexec-custom's `suexec.log`, one
  line per request) and no refusal or error record. A row with any failed
  check is shown **invalid** with the first reason, never as a figure.
- cgijail writes a `log_file` record per request (set for the check) as
  suexec-custom writes its `suexec.log` line; syslog gets its record too
  (the `/dev/log` socket may be absent on a test machine).
- ab runs on the same machine as Apache and the scripts: it takes CPU from
  them, equally for every row.

Reproduce, as root: `bench/apache.sh` (see its header for the settings:
`BENCH_ROWS`, `BENCH_ROUNDS`, `BENCH_N`, `BENCH_CONC`, `BENCH_SCRIPTS="hello heavy"`,
`BENCH_MPM=prefork`, `BENCH_DOC`).""")
    o.append(END)
    print("\n".join(o))
    return 3 if some_invalid else 0


def cmd_splice(a: argparse.Namespace) -> int:
    with open(a.section, encoding="utf-8") as f:
        section = f.read().rstrip("\n") + "\n"
    try:
        with open(a.doc, encoding="utf-8") as f:
            doc = f.read()
    except FileNotFoundError:
        doc = ""
    b, e = doc.find(BEGIN), doc.find(END)
    if b >= 0 and e > b:
        new = doc[:b] + section.rstrip("\n") + doc[e + len(END):]
    elif b >= 0 or e >= 0:
        print(f"apache_report.py: {a.doc} has only one of the section's markers", file=sys.stderr)
        return 1
    else:
        new = (doc.rstrip("\n") + "\n\n" if doc.strip() else "") + section
    tmp = a.doc + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(new)
    os.chmod(tmp, 0o644)
    os.replace(tmp, a.doc)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("sandbox")
    p.add_argument("--log", required=True)
    p.add_argument("--user", required=True)
    p.set_defaults(f=cmd_sandbox)
    p = sub.add_parser("ab")
    for opt in ("--out", "--csv", "--row", "--script"):
        p.add_argument(opt, required=True)
    for opt in ("--rc", "--n", "--length", "--records", "--other", "--conc", "--round",
                "--wrapper-ok", "--throttled-ms"):
        p.add_argument(opt, type=int, required=True)
    p.set_defaults(f=cmd_ab)
    p = sub.add_parser("any-invalid")
    p.add_argument("results")
    p.set_defaults(f=cmd_any_invalid)
    p = sub.add_parser("report")
    p.add_argument("results")
    p.add_argument("--src", required=True)
    p.add_argument("--mpm", required=True)
    p.add_argument("--rounds", type=int, required=True)
    p.add_argument("--n-hello", type=int, required=True)
    p.add_argument("--n-heavy", type=int, required=True)
    p.add_argument("--label", action="append", default=[])
    p.add_argument("--fact", action="append", default=[])
    p.set_defaults(f=cmd_report)
    p = sub.add_parser("splice")
    p.add_argument("doc")
    p.add_argument("section")
    p.set_defaults(f=cmd_splice)
    a = ap.parse_args()
    return a.f(a)


if __name__ == "__main__":
    sys.exit(main())
