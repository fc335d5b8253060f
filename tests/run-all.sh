#!/usr/bin/env bash
# run-all.sh - cgijail's whole test suite, the way CI runs it, as root on
# Debian 12 (no sudo needed: run it as root).
#
#   bash tests/run-all.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# 1. installs what the build and the tests need with apt-get (it says what,
#    and only what is missing): the build dependencies, python3-pytest,
#    qemu-system-x86, busybox-static, cpio and kmod for the cgroup v2 guest;
#    packaging/build-packages.sh and tests/e2e install their own tools
#    (debhelper, lintian, rpm, rpmlint; apache2, lighttpd, nginx, fcgiwrap,
#    mercurial, curl) when their tests run, and apache2 for tests/load;
# 2. builds BUILD_DIR (a release-hardened build);
# 3. runs every ctest test, in order, printing each as it ends:
#      unit.*        Criterion unit tests and the layout check  (~1 min)
#      integration, attacks, cgroup   the setuid wrapper as root, on this
#                    kernel, with real users cjt* (uids 62000-62999)  (~1 min)
#      vm.*          the same suites in a qemu guest with cgroup v2 and
#                    Landlock ABI 2 (Debian 12's kernel: the first run
#                    downloads Debian's linux-image package, about 70 MB,
#                    with apt-get into BUILD_DIR/vm)  (~5-10 min under TCG)
#      packaging     both packages built and checked (lintian, rpmlint, an
#                    install/remove/purge in an overlay root)  (~1 min)
#      e2e           the Debian package installed behind Apache, Mercurial,
#                    lighttpd, nginx + fcgiwrap and http.server; purged at
#                    the end  (~2-3 min)
#      load          2000 requests through Apache (mpm_event + mod_cgid) with
#                    cgijail as suexec, a mix of normal, slow, POST,
#                    refused, limit-killed and client-aborted requests, then
#                    no leftovers (tests/load/run.sh)  (~1 min)
#    ending with ctest's summary.  Exit status: ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
export DEBIAN_FRONTEND=noninteractive
[[ $(id -u) -eq 0 ]] || { echo "run-all.sh: run as root (the tests create users, cgroups and install a package)" >&2; exit 2; }

pkgs=(build-essential cmake pkg-config libcap-dev libseccomp-dev libcgroup-dev libcriterion-dev
      python3 python3-pytest util-linux passwd login binutils bindfs fuse3
      qemu-system-x86 busybox-static cpio kmod)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== run-all.sh: installing with apt-get: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== run-all.sh: building $build"
cmake -S . -B "$build" >/dev/null
cmake --build "$build" -j2 >/dev/null
echo "== run-all.sh: ctest (every suite; each line appears when its test ends)"
exec ctest --test-dir "$build" --output-on-failure
