#!/usr/bin/env bash
# Writes the distribution's class-data-sharing archive, lib/hibachi.jsa, from one training start of an agent.
#
#   packaging/src/cds/train.sh <distribution dir>      (run by ./mvnw package, after the assembly)
#
# Why: a JVM that maps the classes of an earlier run from an archive (AppCDS, JDK 13+) skips loading and
# verifying them again: the agent reaches healthy ~0.6 s sooner on this 2-core machine (2.4 -> 1.8 s). The
# archive belongs to this JDK build and this lib/ directory; bin/hibachi uses it when it is there, and a JVM
# that cannot use it (another JDK) runs without it. A training start that fails leaves no archive, and the
# build goes on: the archive only makes starting faster.
set -u
dist=${1:?usage: train.sh <distribution dir>}
jsa="$dist/lib/hibachi.jsa"
work=$(mktemp -d "${TMPDIR:-/tmp}/hibachi-cds.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A loopback port nobody listens on (and, for gossip, nobody on port + 100: its failure detector's).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 100))") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}
healthy() { # GET /health answers 200
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  read -r -t 2 line <&3 || true
  exec 3<&- 3>&-
  case "$line" in *" 200 "*) return 0 ;; *) return 1 ;; esac
}

http=$(free_port); rpc=$(free_port); gossip=$(free_port)
rm -f "$jsa"
JAVA_OPTS="-XX:ArchiveClassesAtExit=$jsa -Xlog:cds=off -Xlog:cds+dynamic=off" \
  "$dist/bin/hibachi" agent --dev --node-name cds-training --data-dir "$work/data" \
  --http-addr "127.0.0.1:$http" --rpc-port "$rpc" --bind-addr "127.0.0.1:$gossip" >"$work/agent.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  if healthy "$http"; then
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null
    pid=""
    if [ -s "$jsa" ]; then
      echo "class-data archive written: $jsa ($(du -h "$jsa" | cut -f1))"
      exit 0
    fi
    break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
echo "warning: no class-data archive (the training agent did not start and stop cleanly); bin/hibachi runs without one" >&2
tail -20 "$work/agent.log" >&2
rm -f "$jsa"
exit 0
