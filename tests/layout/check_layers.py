#!/usr/bin/env python3
"""The placement rule of wrapper/README.md, checked on the tree and the build.

  1. includes: a file includes headers of its own folder and of the layers
     below it only (policy < logic < sys < flow); no relative "../" paths.
     CMake enforces the same with include paths; this names the offender.
  2. pure layers: the static libraries of policy/ and wrapper/logic/ call no
     system call: every symbol they take from outside is on PURE_LIBC below
     or defined by a pure library.
  3. cgijail-check links no supervisor code (prepare, confine, supervise).
  4. exit statuses: README.md and the cgijail(8) man page list every status
     of wrapper/logic/exitcodes.h with its word.

Usage: check_layers.py SOURCE_DIR BUILD_DIR NM
Prints one line per check and "N passed, N failed"; exits 1 on a failure.
"""
import pathlib
import re
import subprocess
import sys

SRC = pathlib.Path(sys.argv[1])
BUILD = pathlib.Path(sys.argv[2])
NM = sys.argv[3]

LAYERS = [  # bottom up: (name, folders, static libraries)
    ("policy", ["policy"], ["cgijail_policy"]),
    ("logic", ["wrapper/logic"], ["cgijail_logic", "cgijail_scpolicy"]),
    ("sys", ["wrapper/sys", "wrapper/sys/cgroup"], ["cgijail_sys"]),
    ("flow", ["wrapper/flow"], ["cgijail_request", "cgijail_spawn"]),
]
GENERATED = {"seccomp_bpf.h"}  # build/generated, included by sys/scfilter.c

# libc functions that make no system call (string, memory, formatting into
# memory, reading a FILE* the caller opened).  Add one only after checking
# that it never enters the kernel.
PURE_LIBC = {
    "memcpy", "memcmp", "memmove", "memset", "memchr", "strlen", "strnlen",
    "strcmp", "strncmp", "strchr", "strrchr", "strstr", "strspn", "strcspn",
    "strdup", "strndup", "snprintf", "vsnprintf", "malloc", "calloc",
    "realloc", "free", "qsort", "gmtime_r", "strftime", "getc", "ferror",
    "__stack_chk_fail", "__memcpy_chk", "__memmove_chk", "__memset_chk",
    "__snprintf_chk", "__vsnprintf_chk", "__strcpy_chk",
}
# libseccomp only builds data in cgijail_scpolicy (the build-time rules);
# the sanitizer build's instrumentation calls its runtime, not the code.
PURE_PREFIXES = ("seccomp_", "__asan_", "__ubsan_", "__lsan_", "__sanitizer_")
SUPERVISOR = {"sv_run", "confine_exec", "sb_cgroup", "sb_landlock", "sb_tmpdir",
              "outcome_finished"}

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("ok    " if ok else "FAIL  ") + name + (f": {detail}" if detail else ""))


def layer_of(path):
    rel = path.parent.relative_to(SRC).as_posix()
    for i, (_, folders, _) in enumerate(LAYERS):
        if rel in folders:
            return i
    return None


# 1. includes
headers = {}  # basename -> layer index
for i, (_, folders, _) in enumerate(LAYERS):
    for folder in folders:
        for h in (SRC / folder).glob("*.h"):
            if h.name in headers:
                check(f"header name {h.name} is unique", False,
                      "two layers define it: an include could pick either")
            headers[h.name] = i
bad = []
for i, (_, folders, _) in enumerate(LAYERS):
    for folder in folders:
        for f in sorted((SRC / folder).glob("*.[ch]")):
            for n, line in enumerate(f.read_text().splitlines(), 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not m:
                    continue
                inc = m.group(1)
                where = f"{f.relative_to(SRC)}:{n}"
                if "/" in inc:
                    bad.append(f"{where}: includes by path ({inc})")
                elif inc in GENERATED:
                    continue
                elif inc not in headers:
                    bad.append(f"{where}: {inc} is not a header of any layer")
                elif headers[inc] > i:
                    bad.append(f"{where}: {LAYERS[i][0]} includes {inc} of "
                               f"{LAYERS[headers[inc]][0]}, a layer above it")
check("includes go only to the same or a lower layer", not bad, "; ".join(bad))


# 2. pure layers
def nm(path, *flags):
    out = subprocess.run([NM, *flags, str(path)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{NM} {path}: {out.stderr.strip()}")
    return {ln.split()[-1] for ln in out.stdout.splitlines()
            if ln.strip() and not ln.endswith(":")}


pure_libs = [BUILD / f"lib{lib}.a" for _, _, libs in LAYERS[:2] for lib in libs]
missing = [p.name for p in pure_libs if not p.exists()]
check("the pure libraries are built", not missing, ", ".join(missing))
if not missing:
    defined = set()
    for p in pure_libs:
        defined |= nm(p, "--defined-only")
    for p in pure_libs:
        calls = nm(p, "--undefined-only") - defined
        impure = sorted(s for s in calls
                        if s not in PURE_LIBC and not s.startswith(PURE_PREFIXES))
        check(f"{p.name} makes no system call", not impure,
              "takes " + ", ".join(impure) if impure else "")

# 3. the check tool
for tool in ("cgijail-check", "cgijail-check-testcfg"):
    exe = BUILD / "bin" / tool
    if exe.exists():
        linked = SUPERVISOR & nm(exe, "--defined-only")
        check(f"{tool} links no supervisor code", not linked,
              ", ".join(sorted(linked)) if linked else "")

# 4. exit statuses in the documents
table = re.findall(r'X\((\w+),\s*(\d+),\s*"([^"]+)"',
                   (SRC / "wrapper/logic/exitcodes.h").read_text())
check("exitcodes.h has its table", len(table) >= 6, f"{len(table)} rows")
for doc in ("README.md", "docs/man/cgijail.8"):
    path = SRC / doc
    if not path.exists():
        check(f"{doc} exists", False)
        continue
    text = re.sub(r"\\f[BIRP]|\\-", "", path.read_text())
    absent = [f"{code} {word}" for _, code, word in table
              if not re.search(rf"\b{code}\b[^\n]{{0,12}}\b{re.escape(word)}\b", text)]
    check(f"{doc} lists every exit status", not absent,
          "missing " + ", ".join(absent) if absent else "")

failed = results.count(False)
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
