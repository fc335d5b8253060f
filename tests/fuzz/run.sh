#!/usr/bin/env bash
# Run every libFuzzer harness in tests/fuzz for a bounded time each.
#
#   tests/fuzz/run.sh SECONDS [NAME...]
#
# Builds the harnesses (clang, -DCGIJAIL_FUZZ=ON) in build-fuzz/ (or
# $CGIJAIL_FUZZ_BUILD), then runs each one, one process at a time, for
# SECONDS seconds on a copy of its seed corpus (tests/fuzz/corpus/NAME is
# never written to) with its dictionary.  Any crash, sanitizer report,
# leak, timeout or failed invariant fails the harness; its input and full
# log are kept under BUILD/fuzz-artifacts/NAME and BUILD/fuzz-logs/NAME.log.
# Prints per harness: executions, executions per second, coverage (cov:
# edges, ft: features), corpus size and crashes; the last line is
# "N passed, N failed".  Exit status 0 only when every harness passed.
set -euo pipefail

usage() {
	echo "usage: $0 SECONDS [NAME...]   (NAME: $(harness_names | tr '\n' ' '))" >&2
	exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${CGIJAIL_FUZZ_BUILD:-$root/build-fuzz}

harness_names() {
	local f
	for f in "$here"/fuzz_*.c; do
		f=${f##*/fuzz_}
		echo "${f%.c}"
	done
}

[[ $# -ge 1 && $1 =~ ^[1-9][0-9]*$ ]] || usage
secs=$1
shift
if [[ $# -gt 0 ]]; then
	names=("$@")
	for n in "${names[@]}"; do
		[[ -f $here/fuzz_$n.c ]] || usage
	done
else
	mapfile -t names < <(harness_names)
fi

# Longer inputs where the format needs them (several policy lines of up to
# 1024 bytes, environments near the 4096-entry limit, long rule lists).
max_len_for() {
	case $1 in
	policy | env | llrules | escape | logfmt) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

echo "== building the fuzz harnesses in $build"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCGIJAIL_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzzers -j2 >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/cgijail-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/fuzz-logs"

# The value of a libFuzzer "stat::KEY: VALUE" line, or "?".
stat_of() {
	local v
	v=$(sed -n "s/^stat::$1: *//p" "$2" | tail -n 1)
	echo "${v:-?}"
}

# A field ("cov:", "ft:", "corp:") of the last status line, or "?".
status_field() {
	local line
	line=$(grep -E '^#[0-9]+' "$2" | tail -n 1 || true)
	awk -v key="$1" '{ for (i = 1; i < NF; i++) if ($i == key) { print $(i + 1); exit } }' \
		<<<"$line" | grep . || echo "?"
}

passed=0
failed=0
echo "== ${#names[@]} harnesses, ${secs} s each"
for name in "${names[@]}"; do
	bin=$build/fuzz/fuzz_$name
	seeds=$here/corpus/$name
	corpus=$work/$name
	artifacts=$build/fuzz-artifacts/$name
	log=$build/fuzz-logs/$name.log
	[[ -x $bin ]] || { echo "fuzz_$name: no binary at $bin" >&2; exit 1; }
	[[ -d $seeds ]] || { echo "fuzz_$name: no seed corpus at $seeds" >&2; exit 1; }
	mkdir -p "$corpus"
	cp -a "$seeds/." "$corpus/"
	rm -rf "$artifacts"
	mkdir -p "$artifacts"
	nseeds=$(find "$seeds" -type f | wc -l)
	opts=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048
	      -max_len="$(max_len_for "$name")" -print_final_stats=1
	      -artifact_prefix="$artifacts/")
	[[ -f $here/$name.dict ]] && opts+=(-dict="$here/$name.dict")
	echo "-- fuzz_$name: ${secs} s on $nseeds seeds"
	rc=0
	# The outer timeout only guards against a hang of libFuzzer itself.
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		timeout --kill-after=30 $((secs + 300)) "$bin" "${opts[@]}" "$corpus" \
		>"$log" 2>&1 || rc=$?
	crashes=$(find "$artifacts" -type f | wc -l)
	execs=$(stat_of number_of_executed_units "$log")
	rate=$(stat_of average_exec_per_sec "$log")
	cov=$(status_field cov: "$log")
	ft=$(status_field ft: "$log")
	size=$(find "$corpus" -type f | wc -l)
	summary="execs $execs ($rate/s)  cov $cov  ft $ft  corpus $size  crashes $crashes"
	if [[ $rc -eq 0 && $crashes -eq 0 ]]; then
		passed=$((passed + 1))
		printf 'fuzz_%-9s PASS  %s\n' "$name" "$summary"
	else
		failed=$((failed + 1))
		printf 'fuzz_%-9s FAIL  exit %s  %s\n' "$name" "$rc" "$summary"
		# The report: from the first sanitizer or invariant line on.
		grep -n -m 1 -E 'ERROR: |invariant failed|runtime error|==[0-9]+==' "$log" |
			cut -d: -f1 | while read -r first; do
			sed -n "${first},$((first + 40))p" "$log"
		done
		echo "   full log: $log"
		if [[ $crashes -gt 0 ]]; then
			echo "   input(s): $(find "$artifacts" -type f | tr '\n' ' ')"
			echo "   reproduce: $bin <input>"
		fi
	fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
