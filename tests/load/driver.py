#!/usr/bin/python3
"""Load driver of tests/load/run.sh: N HTTP requests at concurrency C
against one Apache, a fixed mix of request classes, every response checked
against what its class must give.  Standard library only.

    driver.py --port P --requests N --concurrency C --out RESULT.json
              [--seed S] [--timeout SECONDS] [--deadline SECONDS]

Classes (path on the server, what the response must be):
  hello    /t1/hello.py           200, body "hello\\n"
  slow     /t1/slow.py?MS         200, body "slept MS\\n" (MS 200-1000),
                                  after at least MS ms
  post     /t1/echo.py            200, the request body (0-256 KiB of random
                                  bytes) back, byte-exact
  refused  /t1/badperm.py         500 and cgijail's generic body (the script
                                  is group-writable: cgijail refuses it)
  memory   /t2/mem.py             200, body exactly "start\\n": the script is
  cpu      /t3/cpu.py             ended by its memory / cpu / wall limit after
  wall     /t2/wall.py            its first line, never "survived"
  abort    /t1/stream.py          200 and the first body bytes, then the client
                                  resets the connection

The result file has the counts per class, the failures (at most 50 described)
and the wall time; the exit status is 0 when every request passed, 1 when one
failed, 2 on a usage error.
"""
import argparse
import json
import os
import random
import socket
import struct
import sys
import threading
import time

GENERIC_500 = b"The script could not be run. The reason is in the server's logs.\n"

# class: (weight in 1000)
MIX = [
    ("hello", 470),
    ("slow", 150),
    ("post", 150),
    ("refused", 80),
    ("abort", 100),
    ("memory", 25),
    ("wall", 15),
    ("cpu", 10),
]
CLASSES = [c for c, _ in MIX]


def plan(n, seed):
    """The classes of the n requests: the mix's proportions exactly (rounded),
    every class at least once when n allows it, in a seeded random order."""
    rnd = random.Random(seed)
    total = sum(w for _, w in MIX)
    counts = {c: (n * w) // total for c, w in MIX}
    for c in CLASSES:
        if sum(counts.values()) >= n:
            break
        if counts[c] == 0:
            counts[c] = 1
    i = 0
    while sum(counts.values()) < n:
        counts[CLASSES[i % len(CLASSES)]] += 1
        i += 1
    while sum(counts.values()) > n:   # n smaller than the number of classes
        c = max(counts, key=counts.get)
        counts[c] -= 1
    seq = [c for c in CLASSES for _ in range(counts[c])]
    rnd.shuffle(seq)
    return seq


def read_response(sock, deadline):
    """Everything until EOF: (status, headers dict lower-case, body)."""
    buf = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no complete response in time")
        sock.settimeout(left)
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    return parse(bytes(buf))


def parse(raw):
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no end of headers in %r" % raw[:200])
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        raise ValueError("bad status line %r" % lines[0][:100])
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return int(parts[1]), headers, body


def request(port, method, path, body=b"", timeout=60.0):
    """path is /VHOST/SCRIPT: the name-based virtual host VHOST (t1, t2),
    its /cgi/SCRIPT."""
    _, host, rest = path.split("/", 2)
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        head = (f"{method} /cgi/{rest} HTTP/1.0\r\nHost: {host}\r\n"
                f"User-Agent: cgijail-load\r\n").encode()
        if method == "POST":
            head += (b"Content-Type: application/octet-stream\r\n"
                     b"Content-Length: %d\r\n" % len(body))
        sock.sendall(head + b"\r\n" + body)
        return read_response(sock, time.monotonic() + timeout)
    finally:
        sock.close()


def short(b):
    return repr(b[:120]) + ("...(%d bytes)" % len(b) if len(b) > 120 else "")


def one(cls, port, rnd, timeout):
    """One request of class cls; returns None when it passed, else why not."""
    if cls == "hello":
        st, _, body = request(port, "GET", "/t1/hello.py", timeout=timeout)
        if st != 200 or body != b"hello\n":
            return f"status {st}, body {short(body)}"
    elif cls == "slow":
        ms = rnd.randint(200, 1000)
        t0 = time.monotonic()
        st, _, body = request(port, "GET", f"/t1/slow.py?{ms}", timeout=timeout)
        took = time.monotonic() - t0
        if st != 200 or body != b"slept %d\n" % ms:
            return f"status {st}, body {short(body)}"
        if took < ms / 1000:
            return f"answered after {took:.3f} s, before its {ms} ms sleep"
    elif cls == "post":
        size = rnd.choice([0, 1, rnd.randint(2, 4096), rnd.randint(4097, 262144)])
        data = rnd.randbytes(size)
        st, hdr, body = request(port, "POST", "/t1/echo.py", data, timeout=timeout)
        if st != 200:
            return f"status {st}, body {short(body)}"
        if body != data:
            first = next((i for i in range(min(len(body), len(data))) if body[i] != data[i]),
                         min(len(body), len(data)))
            return f"POST body of {size} bytes came back as {len(body)} bytes, first difference at {first}"
    elif cls == "refused":
        st, _, body = request(port, "GET", "/t1/badperm.py", timeout=timeout)
        if st != 500 or body != GENERIC_500:
            return f"status {st}, body {short(body)} (expected 500, cgijail's generic body)"
    elif cls in ("memory", "cpu", "wall"):
        path = {"memory": "/t2/mem.py", "cpu": "/t3/cpu.py", "wall": "/t2/wall.py"}[cls]
        st, _, body = request(port, "GET", path, timeout=timeout)
        if st != 200 or body != b"start\n":
            return f"status {st}, body {short(body)} (expected 200, exactly 'start')"
    elif cls == "abort":
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        try:
            sock.sendall(b"GET /cgi/stream.py HTTP/1.0\r\nHost: t1\r\n\r\n")
            buf = b""
            deadline = time.monotonic() + timeout
            while b"\r\n\r\n" not in buf or len(buf.partition(b"\r\n\r\n")[2]) == 0:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = sock.recv(4096)
                if not chunk:
                    return f"connection closed before the first body bytes: {short(buf)}"
                buf += chunk
            if not buf.startswith(b"HTTP/1.1 200 ") and not buf.startswith(b"HTTP/1.0 200 "):
                return f"status line {short(buf)}"
            # Reset, not a polite close: the server's next write fails.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        finally:
            sock.close()
    else:
        raise AssertionError(cls)
    return None


def pct(xs):
    """median, 99th percentile and maximum of xs (ms), rounded."""
    if not xs:
        return None
    xs = sorted(xs)
    return {"p50": round(xs[len(xs) // 2]), "p99": round(xs[min(len(xs) - 1, len(xs) * 99 // 100)]),
            "max": round(xs[-1])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--requests", type=int, required=True)
    ap.add_argument("--concurrency", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    ap.add_argument("--deadline", type=float, default=0,
                    help="stop starting requests after this many seconds (0: none)")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    if a.requests < 1 or a.concurrency < 1:
        ap.error("--requests and --concurrency must be at least 1")

    seq = plan(a.requests, a.seed)
    lock = threading.Lock()
    state = {"next": 0, "done": 0}
    passed = {c: 0 for c in CLASSES}
    failed = {c: 0 for c in CLASSES}
    planned = {c: seq.count(c) for c in CLASSES}
    failures = []
    lat = {c: [] for c in CLASSES}
    t_start = time.monotonic()
    stop_at = t_start + a.deadline if a.deadline > 0 else None
    progress_every = max(1, a.requests // 20)

    def worker(wid):
        rnd = random.Random(a.seed * 1000003 + wid)
        while True:
            with lock:
                i = state["next"]
                if i >= len(seq) or (stop_at and time.monotonic() >= stop_at):
                    return
                state["next"] += 1
            cls = seq[i]
            t0 = time.monotonic()
            try:
                why = one(cls, a.port, rnd, a.timeout)
            except Exception as e:   # a refused connection, a timeout, a bad response
                why = f"{type(e).__name__}: {e}"
            ms = (time.monotonic() - t0) * 1000
            with lock:
                state["done"] += 1
                lat[cls].append(ms)
                if why is None:
                    passed[cls] += 1
                else:
                    failed[cls] += 1
                    if len(failures) < 50:
                        failures.append({"request": i, "class": cls, "ms": round(ms), "why": why})
                    if not a.quiet:
                        print(f"FAIL request {i} ({cls}, {ms:.0f} ms): {why}", file=sys.stderr,
                              flush=True)
                d = state["done"]
                if not a.quiet and d % progress_every == 0:
                    el = time.monotonic() - t_start
                    print(f"  {d}/{len(seq)} requests, {el:.0f} s, {d / el:.1f} req/s, "
                          f"{sum(failed.values())} failed", file=sys.stderr, flush=True)

    threads = [threading.Thread(target=worker, args=(w,), daemon=True)
               for w in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t_start
    done = state["done"]
    res = {
        "requests_planned": a.requests,
        "requests_done": done,
        "concurrency": a.concurrency,
        "seed": a.seed,
        "seconds": round(elapsed, 2),
        "req_per_s": round(done / elapsed, 1) if elapsed > 0 else 0,
        "planned": planned,
        "passed": passed,
        "failed": failed,
        "latency_ms": {c: pct(lat[c]) for c in CLASSES},
        "failures": failures,
        "stopped_by_deadline": done < a.requests,
    }
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(res, f, indent=1)
    os.replace(tmp, a.out)
    return 0 if sum(failed.values()) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
