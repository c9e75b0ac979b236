#!/usr/bin/env bash
# Agent start to healthy (issue 2, "Speed"; goal <= 3 s on a 2-core machine).
#
#   packaging/bench/start-time.sh [runs]          (default 5 runs)
#
# Builds nothing: it runs the packaged launcher, packaging/target/hibachi/bin/hibachi (build it first with
# ./mvnw -q -o install -Dmaven.test.skip=true), or $HIBACHI_BIN. Each run starts
#   hibachi agent --dev --data-dir <fresh tmp dir> --http-addr 127.0.0.1:<free port> --rpc-port <free port>
# and measures from just before the process is started to the first 200 of GET /health (polled every 20 ms
# with curl), then sends SIGTERM and waits for the process to end. Then the restart case: an agent whose data
# dir already holds $RESTART_JOBS (default 1,000) jobs is stopped and started again, and timed the same way.
#
# Prints one plain line per figure ("name: value unit"), "(goal ...) PASS|MISS" after the ones with a goal,
# and the 1-minute load average, since other processes on the machine move every figure. Exits non-zero only
# on an error (an agent that does not start), never because a goal was missed.
set -euo pipefail

runs=${1:-5}
restart_jobs=${RESTART_JOBS:-1000}
goal_ms=3000
poll=0.02
give_up_ms=60000

here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)
bin=${HIBACHI_BIN:-$root/packaging/target/hibachi/bin/hibachi}
if [ ! -x "$bin" ]; then
  echo "error: $bin not found; build it first: ./mvnw -q -o install -Dmaven.test.skip=true" >&2
  exit 2
fi
command -v curl >/dev/null || { echo "error: curl is needed" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/hibachi-start-time.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load1() { cut -d' ' -f1 /proc/loadavg; }
now_ns() { date +%s%N; }

# A loopback port nobody listens on, from 20000-32767: below Linux's ephemeral range (32768-60999), which
# outgoing connections use, so that no client socket holds it when the agent binds it.
taken=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12768))
    case "$taken" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      taken="$taken$p "
      echo "$p"
      return
    fi
  done
}

verdict() { # value goal
  if [ "$1" -le "$2" ]; then echo PASS; else echo MISS; fi
}

http_port=""
# start_agent <data dir> <log file>: starts the agent and waits for its first 200 of /health; sets
# $pid, $http_port and $elapsed_ms.
start_agent() {
  local dir=$1 log=$2 rpc code t0 t1
  http_port=$(free_port)
  rpc=$(free_port)
  t0=$(now_ns)
  "$bin" agent --dev --data-dir "$dir" --http-addr "127.0.0.1:$http_port" --rpc-port "$rpc" >"$log" 2>&1 &
  pid=$!
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$http_port/health" || true)
    [ "$code" = 200 ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: the agent exited before it was healthy; its log ($log):" >&2
      tail -n 40 "$log" >&2
      pid=""
      exit 1
    fi
    if [ $(( ($(now_ns) - t0) / 1000000 )) -gt "$give_up_ms" ]; then
      echo "error: the agent was not healthy after $give_up_ms ms; its log ($log):" >&2
      tail -n 40 "$log" >&2
      exit 1
    fi
    sleep "$poll"
  done
  t1=$(now_ns)
  elapsed_ms=$(( (t1 - t0) / 1000000 ))
}

# stop_agent: SIGTERM, then wait; sets $stop_ms.
stop_agent() {
  local t0
  t0=$(now_ns)
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  stop_ms=$(( ($(now_ns) - t0) / 1000000 ))
}

echo "== start-time == $runs runs of: $bin agent --dev (fresh data dir each); load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
times=()
for i in $(seq 1 "$runs"); do
  dir="$work/data-$i"
  start_agent "$dir" "$work/agent-$i.log"
  stop_agent
  times+=("$elapsed_ms")
  echo "start to healthy, run $i: $elapsed_ms ms (stop took $stop_ms ms) [load $(load1)]"
  rm -rf "$dir"
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
n=${#times[@]}
p50=$(echo "$sorted" | sed -n "$(( (n + 1) / 2 ))p")
max=$(echo "$sorted" | tail -n 1)
echo "start to healthy p50: $p50 ms (goal <= $goal_ms ms) $(verdict "$p50" "$goal_ms") [load $(load1)]"
echo "start to healthy max: $max ms (goal <= $goal_ms ms) $(verdict "$max" "$goal_ms") [load $(load1)]"

if [ "$restart_jobs" -gt 0 ]; then
  dir="$work/data-restart"
  start_agent "$dir" "$work/agent-restart-1.log"
  echo "# restart case: creating $restart_jobs jobs (@every 1h, shell true) in $dir"
  seq -f 'bench-restart-%05g' 1 "$restart_jobs" | xargs -P 4 -I{} curl -s -o /dev/null -f --max-time 30 \
    -H 'Content-Type: application/json' \
    -d '{"name":"{}","schedule":"@every 1h","executor":"shell","executor_config":{"command":"true"}}' \
    "http://127.0.0.1:$http_port/v1/jobs" || { echo "error: creating the jobs failed" >&2; exit 1; }
  stop_agent
  start_agent "$dir" "$work/agent-restart-2.log"
  count=$(curl -s -D - -o /dev/null --max-time 30 "http://127.0.0.1:$http_port/v1/jobs" \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "x-total-count" { print $2 }')
  restart_ms=$elapsed_ms
  stop_agent
  if [ "${count:-0}" != "$restart_jobs" ]; then
    echo "error: after the restart GET /v1/jobs counts ${count:-nothing}, not $restart_jobs" >&2
    exit 1
  fi
  echo "restart to healthy with $restart_jobs jobs: $restart_ms ms (goal <= $goal_ms ms) $(verdict "$restart_ms" "$goal_ms") [load $(load1)]"
fi
echo "== start-time done; load average $(cut -d' ' -f1-3 /proc/loadavg)"
