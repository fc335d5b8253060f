"""The cgroup discovery kept in the run directory (cgroup.mounts): written by
a request, used by the next, and never trusted beyond what it can show: a
cache that names mounts that are not cgroup file systems, or the wrong
hierarchies, costs a new discovery, never a request without its cgroups."""
import os
import uuid

import cjlib
from cjlib import assert_accepted, make_probe, run_wrapper

CACHE = f"{cjlib.RUN}/cgroup.mounts"
HEADER = "cgijail-cgroup-mounts 1\n"


def request(adir):
    name = f"p{uuid.uuid4().hex[:8]}.py"
    _, m = make_probe(adir, name=name)
    res = assert_accepted(run_wrapper(["cjtalice", "cjtalice", name], cwd=adir), m)
    rec = res.log[0]
    assert rec["sandbox"].startswith(("cgroup=v1", "cgroup=v2")), res.describe()
    return rec


def read_cache():
    st = os.lstat(CACHE)
    assert st.st_uid == 0 and (st.st_mode & 0o7777) == 0o644, oct(st.st_mode)
    with open(CACHE) as f:
        return f.read()


def cached_mounts():
    lines = read_cache().splitlines()
    assert lines[0] + "\n" == HEADER
    return {name: (int(ver), path) for name, ver, path in (l.split(" ") for l in lines[1:])}


def write_cache(text, mode=0o644, uid=0):
    tmp = CACHE + ".test"
    with open(tmp, "w") as f:
        f.write(text)
    os.chown(tmp, uid, 0)
    os.chmod(tmp, mode)
    os.rename(tmp, CACHE)


def test_a_request_writes_the_cache_the_next_uses_it(adir):
    cjlib.sandbox_required()
    if os.path.exists(CACHE):
        os.unlink(CACHE)
    request(adir)
    mounts = cached_mounts()
    assert "memory" in mounts and "pids" in mounts, mounts
    for name, (ver, path) in mounts.items():
        assert os.path.isdir(path), (name, path)
    before = os.stat(CACHE)
    request(adir)
    assert os.stat(CACHE).st_ino == before.st_ino, "a good cache is not rewritten"


def test_a_cache_naming_no_cgroup_file_system_is_rediscovered(adir):
    cjlib.sandbox_required()
    request(adir)
    good = read_cache()
    write_cache(HEADER + "memory 1 /tmp\npids 1 /tmp\n")
    request(adir)
    assert read_cache() == good, "the cache is rewritten from libcgroup"


def test_a_cache_of_the_wrong_hierarchies_costs_a_rediscovery(adir):
    """memory and pids swapped: both are cgroup file systems, so only the
    limit files show it; the request still runs in its cgroups."""
    cjlib.sandbox_required()
    request(adir)
    good = read_cache()
    mounts = cached_mounts()
    (mv, mpath), (pv, ppath) = mounts["memory"], mounts["pids"]
    if mpath == ppath:
        # cgroup v2: one hierarchy; point it at a v1 name instead.
        write_cache(HEADER + f"memory 1 {mpath}\npids 1 {ppath}\n")
    else:
        write_cache(HEADER + f"memory {mv} {ppath}\npids {pv} {mpath}\n")
    rec = request(adir)
    assert read_cache() == good, "the cache is rewritten from libcgroup"
    assert "cgroup unavailable" not in rec["sandbox"], rec


def test_a_cache_not_owned_by_root_is_ignored(adir):
    cjlib.sandbox_required()
    request(adir)
    good = read_cache()
    write_cache(HEADER + "memory 1 /tmp\npids 1 /tmp\n", uid=cjlib.uid_of("cjtalice"))
    request(adir)
    assert read_cache() == good
    write_cache(HEADER + "memory 1 /tmp\npids 1 /tmp\n", mode=0o666)
    request(adir)
    assert read_cache() == good
