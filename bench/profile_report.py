#!/usr/bin/python3
"""Summaries for bench/profile.sh (bench/apache.sh --profile).

  profile_report.py offcpu TIMEHIST.txt --seconds N
      Input: `perf sched timehist -g --state` (one line per switch-out:
      wait time before this run, scheduling delay, run time, the state and
      kernel call chain the task is leaving the CPU with). Output: per
      command, its CPU time, off-CPU time and run-queue delay; then where
      tasks sleep: the off-CPU time attributed to the state and call chain of
      the switch-out that began it, largest first.

  profile_report.py phases PERF-SCRIPT.txt
      Input: `perf script -F time,event,trace` of `perf sched record -e
      sched:sched_process_exec`. Output: per request (the wrapper's exec
      found by its path), the time from Apache's fork to the wrapper's exec,
      to its fork, to the script's exec, to the script's exit and to the
      supervisor's exit: medians and p10/p90.

  profile_report.py timeline STRACE.txt
      Input: `strace -f -ttt -T` of Apache's processes while one request was
      served. Output: the request's process events in order (accept, the
      fork that runs the wrapper, each execve, fork and exit, and every
      system call that took 1 ms or more), times relative to the accept;
      then per process its system calls and the time spent in them.
"""

from __future__ import annotations

import argparse
import collections
import re
import statistics
import sys

# ---- perf sched timehist --------------------------------------------------------

TH = re.compile(r"^\s*(\d+\.\d+)\s+\[(\d+)\]\s+(.*?)\[(\d+)(?:/(\d+))?\]\s+"
                r"([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\S+)\s*(.*)$")


def short_chain(chain: str, frames: int = 8) -> str:
    parts = [p.strip() for p in chain.split("<-") if p.strip()]
    return " <- ".join(parts[:frames]) if parts else "(no call chain)"


def cmd_offcpu(a: argparse.Namespace) -> int:
    last: dict[str, tuple[str, str, str]] = {}      # tid -> (comm, state, chain)
    per_comm = collections.defaultdict(lambda: [0.0, 0.0, 0.0, 0])  # run, wait, delay, n
    where = collections.defaultdict(lambda: [0.0, 0])  # (comm, state, chain) -> ms, n
    parsed = 0
    cgid_sleeps: list[float] = []   # Apache's short select() sleeps (mod_cgid cleanup)
    with open(a.timehist, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = TH.match(line)
            if not m:
                continue
            parsed += 1
            comm, tid = m.group(3).strip(), m.group(4)
            wait, delay, run = float(m.group(6)), float(m.group(7)), float(m.group(8))
            state, chain = m.group(9), m.group(10)
            c = per_comm[comm]
            c[0] += run
            c[1] += wait
            c[2] += delay
            c[3] += 1
            prev = last.get(tid)
            if (prev is not None and prev[0] == "apache2" and "do_pselect" in prev[2]
                    and wait < 200):
                cgid_sleeps.append(wait)
            if wait > 0:
                key = last.get(tid, (comm, "?", "(switched out before the recording)"))
                w = where[key]
                w[0] += wait
                w[1] += 1
            last[tid] = (comm, state, short_chain(chain))
    if parsed == 0:
        print("profile_report.py offcpu: no timehist lines parsed", file=sys.stderr)
        return 1
    o = [f"Recording: {a.seconds} s on every CPU (perf sched record -g, perf sched timehist -g --state).",
         "All times in ms summed over the recording. run: on CPU; off-CPU: between a",
         "switch-out and the next switch-in (sleeping, blocked, or runnable but waiting);",
         "run-queue: the part of it after the wake-up (CPU contention).",
         "",
         f"{'command':<24} {'run':>10} {'off-CPU':>10} {'run-queue':>10} {'switches':>9}"]
    for comm, (run, wait, delay, n) in sorted(per_comm.items(), key=lambda kv: -kv[1][0]):
        if comm.startswith("<idle>"):
            continue
        o.append(f"{comm[:24]:<24} {run:10.1f} {wait:10.1f} {delay:10.1f} {n:9d}")
    o.append("")
    o.append("Where tasks wait (off-CPU time attributed to the state and kernel call chain")
    o.append("of the switch-out that began it; S sleeping, D uninterruptible, R preempted,")
    o.append("I idle kernel thread, X exiting), top 40:")
    o.append("")
    o.append(f"{'ms':>10} {'count':>7} {'mean ms':>8}  command  state  call chain")
    items = sorted(where.items(), key=lambda kv: -kv[1][0])[:40]
    for (comm, state, chain), (ms, n) in items:
        o.append(f"{ms:10.1f} {n:7d} {ms / n:8.3f}  {comm}  {state}  {chain}")
    o.append("")
    o.append("Apache sleeping in select() for less than 200 ms: mod_cgid's request cleanup")
    o.append("sends SIGTERM to the CGI process Apache started (the wrapper) and, while")
    o.append("kill(pid, 0) still finds it, sleeps 10 ms, 20 ms, ... (its dead_yet()).")
    if cgid_sleeps:
        o.append(f"  {len(cgid_sleeps)} sleeps, {sum(cgid_sleeps):.1f} ms in all, "
                 f"median {statistics.median(cgid_sleeps):.2f} ms")
    else:
        o.append("  none")
    print("\n".join(o))
    return 0


# ---- request phases from perf sched's fork/exec/switch events -------------------

PS = re.compile(r"^\s*(\d+\.\d+):\s+sched:(sched_\w+):\s+(.*)$")
KV = re.compile(r"(\w+)=(\S+)")


def cmd_phases(a: argparse.Namespace) -> int:
    fork_parent: dict[str, str] = {}
    fork_time: dict[str, float] = {}
    children = collections.defaultdict(list)
    execs = collections.defaultdict(list)   # pid -> [(t, filename)]
    exit_time: dict[str, float] = {}
    runtime = collections.defaultdict(list)  # pid -> [(t, seconds on CPU up to t)]
    with open(a.script, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = PS.match(line)
            if not m:
                continue
            t, ev, kv = float(m.group(1)), m.group(2), dict(KV.findall(m.group(3)))
            if ev == "sched_process_fork":
                c = kv.get("child_pid")
                fork_parent[c] = kv.get("pid")
                fork_time[c] = t
                children[kv.get("pid")].append((t, c))
            elif ev == "sched_process_exec":
                execs[kv.get("pid")].append((t, kv.get("filename")))
            elif ev == "sched_stat_runtime":
                ns = re.match(r"\d+", kv.get("runtime", ""))
                if ns:
                    runtime[kv.get("pid")].append((t, int(ns.group(0)) / 1e9))
            elif ev == "sched_switch":
                st = kv.get("prev_state", "").rstrip("+")
                pid = kv.get("prev_pid")
                if st in ("X", "Z") and pid not in exit_time:
                    exit_time[pid] = t
    def cpu(pid: str, t_from: float, t_to: float) -> float:
        """Seconds pid was on a CPU between the two times (each
        sched_stat_runtime event reports the time run since the last)."""
        return sum(x for t, x in runtime.get(pid, []) if t_from < t <= t_to + 1e-6)

    rows = collections.defaultdict(list)
    n_wrappers = 0
    for w, ex in execs.items():
        t_wexec = next((t for t, fn in ex if fn == a.wrapper), None)
        if t_wexec is None:
            continue
        n_wrappers += 1
        if w not in fork_time or w not in exit_time:
            continue                      # began or ended outside the recording
        t0 = fork_time[w]
        # suexec-custom execs the script itself (through its #! line: the
        # exec event names the script); cgijail's child execs python3.
        py = next((t for t, fn in ex if t > t_wexec), None)
        if py is not None:
            if w not in exit_time:
                continue
            rows["1 Apache forks -> wrapper exec"].append(t_wexec - t0)
            rows["2 wrapper exec -> script exec (suexec: checks, log line, identity)"].append(py - t_wexec)
            rows["4 script exec -> script exit"].append(exit_time[w] - py)
            rows["total: Apache forks -> last exit"].append(exit_time[w] - t0)
            rows["cpu: wrapper (Apache's fork to the script's exec)"].append(cpu(w, t0, py))
            rows["cpu: script"].append(cpu(w, py, exit_time[w]))
            continue
        kids = [c for t, c in children.get(w, []) if t > t_wexec]
        if not kids:
            continue
        s = kids[0]
        t_py = next((t for t, fn in execs.get(s, [])), None)
        if t_py is None or s not in exit_time:
            continue
        rows["1 Apache forks -> wrapper exec"].append(t_wexec - t0)
        rows["2 wrapper exec -> its fork (policy, checks, slot, cgroup setup)"].append(fork_time[s] - t_wexec)
        rows["3 fork -> script exec (child: attach, identity, rlimits, Landlock, seccomp)"].append(t_py - fork_time[s])
        rows["4 script exec -> script exit"].append(exit_time[s] - t_py)
        rows["5 script exit -> supervisor exit (kill round, reap, accounting, leaf removal, record)"].append(
            exit_time[w] - exit_time[s])
        rows["total: Apache forks -> last exit"].append(max(exit_time[w], exit_time[s]) - t0)
        rows["cpu: wrapper (Apache's fork to the script's exec)"].append(
            cpu(w, t0, t_py) + cpu(s, fork_time[s], t_py))
        rows["cpu: supervisor while and after the script runs"].append(cpu(w, t_py, exit_time[w]))
        rows["cpu: script"].append(cpu(s, t_py, exit_time[s]))
    o = [f"Requests: {n_wrappers} runs of {a.wrapper} in the recording, "
         f"{len(rows.get('total: Apache forks -> last exit', []))} complete (fork, exec, exit all recorded).",
         "Phases of one request from the kernel's fork, exec and exit events (perf sched",
         "record, no tracing overhead on the processes), in ms. Apache sends the end of",
         "the response when the last holder of the CGI's stdout exits: for cgijail the",
         "supervisor (phase 5 is on the response's critical path). The cpu lines are",
         "the time those processes were on a CPU (sched_stat_runtime): a phase much",
         "longer than its CPU time was waiting (for a CPU, a lock, I/O).",
         "",
         f"{'phase':<88} {'median':>8} {'p10':>8} {'p90':>8}"]
    for k in sorted(rows):
        v = sorted(x * 1000 for x in rows[k])
        if len(v) >= 2:
            q = statistics.quantiles(v, n=10)
            p10, p90 = q[0], q[8]
        else:
            p10 = p90 = v[0]
        o.append(f"{k:<88} {statistics.median(v):8.2f} {p10:8.2f} {p90:8.2f}")
    if not rows:
        o.append("(no complete request)")
    print("\n".join(o))
    return 0 if rows else 1


# ---- strace timeline ---------------------------------------------------------------

ST = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(.*)$")
CALL = re.compile(r"^(\w+)\((.*)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
RET = re.compile(r"\)\s+=\s+(-?\d+|\?|0x[0-9a-f]+)(?:\s+(\w+)\s+\(([^)]*)\))?.*?(?:<(\d+\.\d+)>)?\s*$")
FORKS = {"clone", "clone3", "fork", "vfork"}


def cmd_timeline(a: argparse.Namespace) -> int:
    events = []               # (t, pid, text)
    pending: dict[tuple[str, str], tuple[float, str]] = {}  # (pid, name) -> (t0, args)
    per_pid = collections.defaultdict(lambda: {"n": 0, "t": 0.0, "exe": None,
                                                "first": None, "last": None, "parent": None})
    slow = []
    t_accept = None
    conn = None               # (fd) of the request's connection in Apache
    cgid: set[str] = set()
    with open(a.strace, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    for line in lines:
        m = ST.match(line)
        if not m:
            continue
        pid, t, rest = m.group(1), float(m.group(2)), m.group(3)
        p = per_pid[pid]
        p["first"] = t if p["first"] is None else p["first"]
        p["last"] = t
        if rest.startswith("+++"):
            events.append((t, pid, rest.strip("+ ").strip()))
            continue
        if rest.startswith("---"):
            continue
        name = args = None
        t0 = t
        mr = RESUMED.match(rest)
        if mr:
            name = mr.group(1)
            t0, args = pending.pop((pid, name), (t, ""))
            args = args + mr.group(2)
        else:
            mc = CALL.match(rest)
            if not mc:
                continue
            name, args = mc.group(1), mc.group(2)
            if rest.endswith("<unfinished ...>"):
                pending[(pid, name)] = (t, args.replace("<unfinished ...>", ""))
                continue
        full = f"{name}({args}"
        rm = RET.search(full)
        ret = rm.group(1) if rm else "?"
        dur = float(rm.group(4)) if rm and rm.group(4) else 0.0
        p["n"] += 1
        p["t"] += dur
        short = full if len(full) <= 110 else full[:107] + "..."
        if name in ("accept4", "accept") and "AF_UNIX" in args:
            cgid.add(pid)     # mod_cgid's daemon: its fds are not the worker's
        if name in ("accept4", "accept") and ret.isdigit() and t_accept is None \
                and "AF_UNIX" not in args:
            t_accept = t0
            conn = ret
            events.append((t0, pid, f"accept -> fd {ret} (the request's connection)"))
        elif (conn is not None and p["exe"] is None and p["parent"] is None
              and pid not in cgid
              and name in ("write", "writev", "sendfile", "close")
              and (args.startswith(conn + ",") or args.startswith(conn + ")"))):
            what = "closes" if name == "close" else f"{name} {ret} bytes to"
            events.append((t0, pid, f"Apache {what} the connection ({dur * 1000:.2f} ms)"))
        elif name == "execve" and ret == "0":
            exe = args.split(",", 1)[0].strip('"')
            p["exe"] = exe
            events.append((t0, pid, f"execve {exe} ({dur * 1000:.2f} ms)"))
        elif name in FORKS and ret.isdigit():
            per_pid[ret]["parent"] = pid
            events.append((t0, pid, f"{name} -> child {ret}"))
        elif name in ("exit_group", "exit"):
            events.append((t0, pid, f"{name}({args.split(')')[0]})"))
        elif dur >= 0.001:
            events.append((t0, pid, f"{short}  [{dur * 1000:.2f} ms]"))
        if dur > 0:
            slow.append((dur, pid, short))
    if not events:
        print("profile_report.py timeline: no events parsed", file=sys.stderr)
        return 1
    t_zero = t_accept if t_accept is not None else min(e[0] for e in events)
    o = ["Times in ms from the accept of the request's connection (strace -f -ttt -T;",
         "every traced system call stops the process twice: absolute times are",
         "inflated, compare steps with each other).", ""]
    before = sum(1 for e in events if e[0] < t_zero)
    for t, pid, text in sorted(events):
        if t >= t_zero:
            o.append(f"{(t - t_zero) * 1000:10.2f}  {pid:>7}  {text}")
    if before:
        o.append(f"({before} slow calls that began before the accept, Apache's idle waits, left out)")
    o.append("")
    o.append(f"{'pid':>7} {'parent':>7} {'syscalls':>8} {'in syscalls ms':>14} {'first..last ms':>18}  program")
    for pid, p in sorted(per_pid.items(), key=lambda kv: kv[1]["first"] or 0):
        if p["n"] == 0:
            continue
        span = f"{(p['first'] - t_zero) * 1000:.1f}..{(p['last'] - t_zero) * 1000:.1f}"
        o.append(f"{pid:>7} {p['parent'] or '':>7} {p['n']:8d} {p['t'] * 1000:14.2f} {span:>18}  "
                 f"{p['exe'] or '(apache2 or a fork of it)'}")
    o.append("")
    o.append("Slowest system calls (wall time inside the call, blocking included):")
    for dur, pid, text in sorted(slow, reverse=True)[:25]:
        o.append(f"{dur * 1000:9.2f} ms  {pid:>7}  {text}")
    print("\n".join(o))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("offcpu")
    p.add_argument("timehist")
    p.add_argument("--seconds", type=int, required=True)
    p.set_defaults(f=cmd_offcpu)
    p = sub.add_parser("phases")
    p.add_argument("script", help="perf script -F time,event,trace of perf sched record")
    p.add_argument("--wrapper", default="/usr/lib/apache2/suexec")
    p.set_defaults(f=cmd_phases)
    p = sub.add_parser("timeline")
    p.add_argument("strace")
    p.set_defaults(f=cmd_timeline)
    a = ap.parse_args()
    return a.f(a)


if __name__ == "__main__":
    sys.exit(main())
