#!/usr/bin/env bash
# Where the time of a CGI request through Apache and cgijail goes: while ab
# loads one row of bench/apache.sh (the default sandbox unless
# BENCH_PROFILE_ROW says otherwise), record
#
#   perf record -a -g       on-CPU samples of every process (who burns CPU)
#   perf sched record -g    every context switch, fork, exec and exit (who
#                           waits, where, how long; the phases of each request)
#   strace -c -w -f         system calls of one wrapper run (wrapper, supervisor,
#                           python3), and strace -f -ttt -T of one request
#                           through Apache (its timeline)
#
# and write the reports into DIR. How to read them: docs/apache-bench.md,
# "Profiling"; DIR/README.txt lists what was recorded and what was not.
#
#   bench/profile.sh DIR                same as: bench/apache.sh --profile DIR
#   BENCH_PROFILE_SECONDS=20 BENCH_PROFILE_CONC=8 bench/profile.sh DIR
#   BENCH_MPM=prefork bench/profile.sh DIR
#   BENCH_PROFILE_ROW=off bench/profile.sh DIR   another row (suexec, off, warm,
#                                            default; default is the default)
#   BENCH_PROFILE_SCRIPT=heavy bench/profile.sh DIR   the import-heavy script
#
# Run directly, it runs bench/apache.sh --profile DIR (which sets up users,
# wrapper, Apache and cgroups and removes them afterwards). bench/apache.sh
# sources it to get run_profile, which uses apache.sh's variables.
# shellcheck disable=SC2154  # the variables are apache.sh's
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  [ "$#" -eq 1 ] || { echo "usage: bench/profile.sh DIR (as root)" >&2; exit 2; }
  exec "$(dirname "${BASH_SOURCE[0]}")/apache.sh" --profile "$1"
fi

# prof_note TEXT: one line of DIR/README.txt (and on stderr).
prof_note() {
  printf '%s\n' "$*" >>"$profile_dir/README.txt"
  say "$*"
}

# The CGI environment Apache passes for GET /cgi/SCRIPT.py (the wrapper
# filters it as it would under Apache).
prof_cgi_env() {   # prof_cgi_env KEY SCRIPT
  local key=$1 u=${row_user[$1]} s=$2
  printf '%s\n' \
    "PATH=/usr/local/bin:/usr/bin:/bin" "GATEWAY_INTERFACE=CGI/1.1" \
    "SERVER_PROTOCOL=HTTP/1.1" "SERVER_SOFTWARE=Apache/2.4" "SERVER_NAME=127.0.0.1" \
    "SERVER_ADDR=127.0.0.1" "SERVER_PORT=${row_port[$key]}" "REMOTE_ADDR=127.0.0.1" \
    "REMOTE_PORT=40000" "REQUEST_METHOD=GET" "REQUEST_URI=/cgi/$s.py" \
    "QUERY_STRING=" "SCRIPT_NAME=/cgi/$s.py" \
    "SCRIPT_FILENAME=$top/www/$u/$s.py" "DOCUMENT_ROOT=$top/www/$u" \
    "CONTEXT_DOCUMENT_ROOT=$top/www/$u" "HTTP_HOST=127.0.0.1:${row_port[$key]}"
}

# prof_strace_apache KEY OUT OPTS...: strace OPTS attached to every process
# of the row's Apache (the parent, its workers, mod_cgid's daemon) while one
# request is served; -f follows the fork that runs the wrapper.
prof_strace_apache() {
  local key=$1 out=$2 pid spid n=0 p
  shift 2
  local args=()
  pid=${row_pid[$key]}
  args+=(-p "$pid")
  for p in $(ps -o pid= --ppid "$pid"); do args+=(-p "$p"); done
  strace "$@" -o "$out" "${args[@]}" 2>"$out.log" &
  spid=$!
  bg_pids+=("$spid")
  # attached when every process shows a tracer
  while :; do
    local all=1
    for p in "$pid" $(ps -o pid= --ppid "$pid"); do
      [ "$(awk '/^TracerPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)" = "$spid" ] || all=0
    done
    [ "$all" -eq 1 ] && break
    n=$((n + 1))
    [ "$n" -lt 100 ] || { kill -INT "$spid"; wait "$spid"; return 1; }
    sleep 0.1
  done
  check_once "$key" "$prof_script"
  sleep 0.5
  kill -INT "$spid"
  wait "$spid" || true
}

run_profile() {
  local key=$prof_row dir=$profile_dir u load_pid perf_ok=1 sched_ok=1 err secs=$prof_secs
  u=${row_user[$key]}
  install -d -m 0755 "$dir"
  : >"$dir/README.txt"
  prof_note "bench/apache.sh --profile: row '${row_label[$key]}' ($u, $(url "$key" "$prof_script")), MPM $mpm"
  prof_note "load: ab -c $prof_conc for the perf recordings; $(date -u '+%Y-%m-%d %H:%M:%S UTC'); kernel $(uname -r)"
  prof_note "the wrapper runs as 'suexec' (the name Apache execs), the script as 'python3'"

  # Does perf work here? (no hardware counters in most VMs: perf falls back
  # to the cpu-clock software event, which is what -a sampling needs.)
  if ! command -v perf >/dev/null; then
    perf_ok=0 sched_ok=0
    prof_note "NOT RECORDED: perf is not installed (apt-get install linux-perf)"
  else
    if ! err=$(perf record -q -a -g -o "$tmp/probe.data" -- true 2>&1); then
      perf_ok=0
      prof_note "NOT RECORDED: perf record -a -g fails here: $(echo "$err" | tail -n 1)"
    fi
    if ! err=$(perf sched record -q -o "$tmp/probe-sched.data" -- true 2>&1); then
      sched_ok=0
      prof_note "NOT RECORDED: perf sched record fails here (tracepoints?): $(echo "$err" | tail -n 1)"
    fi
    rm -f "$tmp/probe.data" "$tmp/probe-sched.data"
    if perf stat -e instructions -x, true 2>&1 | grep -q 'not supported'; then
      prof_note "no hardware counters (perf stat -e instructions: not supported): samples are cpu-clock"
    fi
  fi

  if [ "$perf_ok" -eq 1 ] || [ "$sched_ok" -eq 1 ]; then
    say "load: ab -c $prof_conc on the $key row for about $((2 * secs + 4)) s"
    ab -q -t $((2 * secs + 30)) -n 1000000 -c "$prof_conc" -s 60 "$(url "$key" "$prof_script")" \
      >"$dir/ab-load.txt" 2>&1 &
    load_pid=$!
    bg_pids+=("$load_pid")
    sleep 2
    if [ "$perf_ok" -eq 1 ]; then
      say "perf record -a -g for $secs s"
      perf record -q -a -g -o "$dir/perf.data" -- sleep "$secs" 2>"$dir/perf-record.log" ||
        prof_note "perf record failed: $(tail -n 1 "$dir/perf-record.log")"
    fi
    if [ "$sched_ok" -eq 1 ]; then
      say "perf sched record -g for $secs s"
      perf sched record -q -g -e sched:sched_process_exec -o "$dir/sched.data" \
        -- sleep "$secs" 2>"$dir/sched-record.log" ||
        prof_note "perf sched record failed: $(tail -n 1 "$dir/sched-record.log")"
    fi
    kill -INT "$load_pid" 2>/dev/null || true   # ab prints its results on SIGINT
    wait "$load_pid" || true
    prof_note "load: $(grep -E '^(Complete requests|Failed requests|Non-2xx responses|Requests per second)' \
      "$dir/ab-load.txt" | tr -s ' ' | paste -sd ';' -)"
    if grep -qE '^(Failed requests: +[1-9]|Non-2xx responses)' "$dir/ab-load.txt"; then
      prof_note "WARNING: the load had failed or non-2xx responses; see ab-load.txt and the error log"
    fi
  fi

  if [ "$perf_ok" -eq 1 ] && [ -s "$dir/perf.data" ]; then
    say "perf reports"
    perf report -i "$dir/perf.data" --no-children --sort comm --stdio -g none \
      >"$dir/perf-by-command.txt" 2>/dev/null
    perf report -i "$dir/perf.data" --no-children --sort comm,dso,sym --stdio -g none \
      --percent-limit 0.3 >"$dir/perf-by-symbol.txt" 2>/dev/null
    perf report -i "$dir/perf.data" --children --sort sym --stdio -g none \
      --percent-limit 1 >"$dir/perf-inclusive.txt" 2>/dev/null
    # The wrapper (and its supervisor) and the script alone, in per cent of
    # their own samples.
    perf report -i "$dir/perf.data" --no-children --comm suexec --percentage relative \
      --sort dso,sym --stdio -g caller,0.5,callee,function,percent --percent-limit 0.5 \
      >"$dir/perf-wrapper.txt" 2>/dev/null
    perf report -i "$dir/perf.data" --no-children --sort comm,dso --stdio -g none \
      --percent-limit 0.2 >"$dir/perf-by-command-dso.txt" 2>/dev/null
    perf report -i "$dir/perf.data" --no-children --comm python3 --percentage relative \
      --dsos '[kernel.kallsyms]' --sort sym --stdio -g none --percent-limit 0.5 \
      >"$dir/perf-python-kernel.txt" 2>/dev/null
    prof_note "perf: perf-by-command.txt perf-by-symbol.txt perf-inclusive.txt perf-by-command-dso.txt perf-wrapper.txt perf-python-kernel.txt (perf.data: perf report -i perf.data; the wrapper's symbols need the bench binary, removed on exit)"
  fi
  if [ "$sched_ok" -eq 1 ] && [ -s "$dir/sched.data" ]; then
    say "perf sched reports"
    perf sched timehist -i "$dir/sched.data" -s >"$dir/sched-summary.txt" 2>/dev/null
    perf sched latency -i "$dir/sched.data" --sort max >"$dir/sched-latency.txt" 2>/dev/null
    perf sched timehist -i "$dir/sched.data" -g --state --max-stack 14 >"$tmp/timehist.txt" 2>/dev/null
    "$py" -E -s -B "$src/bench/profile_report.py" offcpu "$tmp/timehist.txt" \
      --seconds "$secs" >"$dir/offcpu.txt"
    perf script -i "$dir/sched.data" -F time,event,trace >"$tmp/sched-script.txt" 2>/dev/null
    if "$py" -E -s -B "$src/bench/profile_report.py" phases "$tmp/sched-script.txt" \
         --wrapper "$suexec_link" >"$dir/phases.txt"; then
      sed 's/^/   /' "$dir/phases.txt" >&2
    else
      prof_note "phases.txt: no complete request in the recording"
    fi
    prof_note "perf sched: phases.txt offcpu.txt sched-summary.txt sched-latency.txt"
  fi

  # strace: one wrapper run started as www-data from the script's directory,
  # with Apache's environment (strace -u lets the setuid bit work).
  if command -v strace >/dev/null; then
    say "strace -c -f of one wrapper run"
    local envf=$tmp/cgi.env rc=0
    prof_cgi_env "$key" "$prof_script" >"$envf"
    # In the row's mount namespace, as Apache would run it: the same path,
    # argv (numeric ids), environment and working directory.
    (
      mapfile -t cgienv <"$envf"
      # (entering a mount namespace resets the working directory: --wd)
      nsenter -t "${row_pid[$key]}" -m --wd="$top/www/$u" -- \
        strace -c -w -f -S time -u "$caller" -o "$dir/strace-c.txt" \
        env -i "${cgienv[@]}" "$suexec_link" "${row_uid[$key]}" "${row_uid[$key]}" "$prof_script.py" \
        >"$tmp/strace-out" 2>&1
    ) || rc=$?
    if [ "$rc" -ne 0 ] || [ "$(tail -n 1 "$tmp/strace-out")" != "$(expected_body "$prof_script")" ]; then
      prof_note "strace -c: the wrapper run failed (status $rc): $(tail -n 2 "$tmp/strace-out" | tr '\n' ' ')"
    else
      prof_note "strace -c -w -f -S time (wall time in system calls; wrapper + supervisor + python3 of one run): strace-c.txt"
    fi
    say "strace -f -ttt -T of one request through Apache"
    if prof_strace_apache "$key" "$dir/strace-request.txt" -f -ttt -T -s 96; then
      "$py" -E -s -B "$src/bench/profile_report.py" timeline "$dir/strace-request.txt" \
        >"$dir/strace-timeline.txt"
      prof_note "strace of one request through Apache: strace-request.txt, summarised in strace-timeline.txt"
    else
      prof_note "NOT RECORDED: strace could not attach to Apache's processes"
    fi
  else
    prof_note "NOT RECORDED: strace is not installed"
  fi
  prof_note "done; reports in $dir"
}
