#!/usr/bin/env bash
# build-packages.sh [ARTIFACTS_DIR] - build cgijail's Debian package and RPM
# from this checkout, check them with lintian and rpmlint, and copy them to
# ARTIFACTS_DIR (default ./artifacts).
#
# Runs as root on Debian 12 with no stdin; installs (apt-get) only the tools
# and build dependencies that are missing.  What is packaged: HEAD of the git
# checkout (git archive; uncommitted changes are left out, with a warning),
# or with CGIJAIL_PKG_SOURCE=worktree the working tree as it is (tracked and
# untracked files, not ignored ones).  Everything is built in a scratch
# directory; the checkout is not written to (except ARTIFACTS_DIR).
#
# Fails when a build fails, when lintian reports an error or a warning, or
# when rpmlint reports anything that packaging/rpm/cgijail.rpmlintrc does
# not filter.  Prints where the packages are.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
artifacts=${1:-$top/artifacts}
source_mode=${CGIJAIL_PKG_SOURCE:-}
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

log() { printf '== %s\n' "$*"; }
die() { printf 'build-packages.sh: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (Rules-Requires-Root: the wrapper is setuid root:www-data)"
command -v dpkg-query >/dev/null || die "needs Debian (dpkg, apt-get)"

# ---- tools -------------------------------------------------------------------
# devscripts: checkbashisms, which rpmlint runs on the scriptlets
need=(build-essential debhelper dpkg-dev devscripts lintian rpm rpmlint cmake pkg-config
      libcap-dev libseccomp-dev libcgroup-dev binutils elfutils)
[[ ! -e $top/.git ]] || need+=(git)
missing=()
for p in "${need[@]}"; do
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true) == installed ]] ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

# ---- the source ------------------------------------------------------------------
version=$(sed -n 's/^project(cgijail VERSION \([0-9.]*\) .*/\1/p' "$top/CMakeLists.txt")
[[ -n $version ]] || die "no version in CMakeLists.txt's project()"
debversion=$(dpkg-parsechangelog -l "$here/deb/changelog" -S Version)
[[ ${debversion%-*} == "$version" ]] ||
  die "packaging/deb/changelog is at $debversion, CMakeLists.txt at $version"
rpmversion=$(sed -n 's/^Version:[[:space:]]*//p' "$here/rpm/cgijail.spec")
[[ $rpmversion == "$version" ]] ||
  die "packaging/rpm/cgijail.spec is at $rpmversion, CMakeLists.txt at $version"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/cgijail-pkg.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
src=$scratch/cgijail-$version
mkdir "$src"

if [[ -z $source_mode ]]; then
  if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    source_mode="head"
  else
    source_mode="worktree"
  fi
fi
case $source_mode in
head)
  rev=$(git -C "$top" rev-parse --short HEAD)
  if [[ -n $(git -C "$top" status --porcelain --untracked-files=no) ]]; then
    log "warning: uncommitted changes are not packaged (CGIJAIL_PKG_SOURCE=worktree packages them)"
  fi
  log "source: git archive of HEAD ($rev)"
  git -C "$top" archive --format=tar HEAD | tar -x -C "$src"
  ;;
worktree)
  log "source: the working tree of $top"
  if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$top" && git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
      tar --null -T - -cf -) | tar -x -C "$src"
  else
    tar -C "$top" --exclude='./build' --exclude='./build-*' --exclude='./artifacts' -cf - . |
      tar -x -C "$src"
  fi
  ;;
*) die "CGIJAIL_PKG_SOURCE must be head or worktree, not '$source_mode'" ;;
esac
tar -C "$scratch" -czf "$scratch/cgijail-$version.tar.gz" "cgijail-$version"

mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)
# Only this run's packages and logs are left there.
rm -f "$artifacts"/cgijail*.deb "$artifacts"/cgijail*.ddeb "$artifacts"/cgijail*.rpm \
      "$artifacts"/cgijail_*.changes "$artifacts"/cgijail_*.buildinfo \
      "$artifacts"/{deb-build,rpm-build}.log "$artifacts"/{lintian,rpmlint}.txt

run_logged() { # NAME LOGFILE CMD... : run, show the log's tail on failure
  local name=$1 logfile=$2; shift 2
  local t0=$SECONDS
  if ! "$@" >"$logfile" 2>&1 </dev/null; then
    tail -n 60 "$logfile" >&2
    die "$name failed (full log: $logfile)"
  fi
  log "$name: done in $((SECONDS - t0)) s"
}

# ---- Debian ------------------------------------------------------------------------
log "building the Debian package (dpkg-buildpackage -b)"
debsrc=$scratch/deb/cgijail-$version
mkdir -p "$scratch/deb"
cp -a "$src" "$debsrc"
cp -a "$debsrc/packaging/deb" "$debsrc/debian"
deb_build() ( cd "$debsrc" && dpkg-buildpackage -us -uc -b )
run_logged "dpkg-buildpackage" "$artifacts/deb-build.log" deb_build
changes=$(ls "$scratch"/deb/cgijail_"$debversion"_*.changes)

log "lintian"
# --show-overrides would make overridden tags fail --fail-on: it only makes
# the report (the overrides with their justifications), after the verdict.
if ! lintian --fail-on error,warning --display-info "$changes" >"$artifacts/lintian.txt" 2>&1; then
  cat "$artifacts/lintian.txt" >&2
  die "lintian reported errors or warnings"
fi
lintian --display-info --show-overrides "$changes" >"$artifacts/lintian.txt" 2>&1 || true
sed 's/^/   /' "$artifacts/lintian.txt"

# ---- RPM ---------------------------------------------------------------------------
log "building the RPM (rpmbuild -bb --nodeps)"
rpmtop=$scratch/rpmbuild
mkdir -p "$rpmtop"/{SOURCES,SPECS,BUILD,RPMS,SRPMS}
cp "$scratch/cgijail-$version.tar.gz" "$rpmtop/SOURCES/"
cp "$src/packaging/rpm/cgijail.spec" "$rpmtop/SPECS/"
# fedora-like.macros: debuginfo packages and compressed man pages, as on Fedora.
run_logged "rpmbuild" "$artifacts/rpm-build.log" \
  rpmbuild -bb --nodeps -D "_topdir $rpmtop" --load "$src/packaging/rpm/fedora-like.macros" \
    "$rpmtop/SPECS/cgijail.spec"
mapfile -t rpms < <(find "$rpmtop/RPMS" -name '*.rpm' | sort)
((${#rpms[@]})) || die "rpmbuild made no package"

# The -debuginfo package is find-debuginfo's output, not ours: not linted.
mapfile -t lint_rpms < <(printf '%s\n' "${rpms[@]}" | grep -v -- '-debug\(info\|source\)-')
log "rpmlint"
rpmlint_rc=0
rpmlint -c "$src/packaging/rpm/rpmlint-fedora.toml" -r "$src/packaging/rpm/cgijail.rpmlintrc" \
  "${lint_rpms[@]}" >"$artifacts/rpmlint.txt" 2>&1 || rpmlint_rc=$?
sed 's/^/   /' "$artifacts/rpmlint.txt"
if ((rpmlint_rc != 0)) || grep -Eq '^[^ ]+: [EW]: ' "$artifacts/rpmlint.txt"; then
  die "rpmlint reported errors or warnings (exit status $rpmlint_rc)"
fi

# ---- artifacts -----------------------------------------------------------------------
cp "$scratch"/deb/*.deb "$scratch"/deb/*.changes "$scratch"/deb/*.buildinfo "${rpms[@]}" \
   "$artifacts/"
log "packages in $artifacts:"
for f in "$artifacts"/*.deb "$artifacts"/*.rpm; do
  printf '   %s\n' "$f"
done
