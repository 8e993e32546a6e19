#!/bin/sh
# Stops the target server started by scripts/target-start.sh: SIGTERM to the pid in
# .target-server.pid (in-flight requests finish, it exits within 2 s), SIGKILL if it has
# not gone after 5 s, then removes the pid file. TARGET_SERVER_PID_FILE overrides the file.
set -eu
cd "$(dirname "$0")/.."
pid_file=${TARGET_SERVER_PID_FILE:-.target-server.pid}

if [ ! -f "$pid_file" ]; then
  echo "target-server: not running (no $pid_file)"
  exit 0
fi
pid=$(cat "$pid_file")

# Running and not a zombie: the server was started by a shell that has exited, so whoever
# adopted it may be slow to reap it, and `kill -0` alone would count the zombie as alive.
alive() {
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case "$state" in Z* | '') return 1 ;; esac
}

# A stale pid may belong to another process by now: only signal it if it is ours.
if alive "$pid" && ps -o args= -p "$pid" 2>/dev/null | grep -q 'target-server'; then
  kill -TERM "$pid"
  tries=0
  while alive "$pid" && [ "$tries" -lt 50 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
  if alive "$pid"; then
    echo "target-server: pid $pid ignored SIGTERM for 5 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  echo "target-server: stopped (pid $pid)"
else
  echo "target-server: pid $pid from $pid_file is not running; removing the stale file"
fi
rm -f "$pid_file"
