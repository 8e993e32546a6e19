#!/bin/sh
# Starts the bundled target server in the background and prints its "listening on" line.
#   npm run target:start -- --port 8000 --capacity 5000      (extra flags go to target-server)
# Port 8000 unless --port is given. The pid goes to .target-server.pid (git-ignored), the log
# to a new file in $TMPDIR (made by mktemp, so no other user's file or link is written through)
# so the work tree stays clean; TARGET_SERVER_PID_FILE / TARGET_SERVER_LOG override.
# Stop it with: npm run target:stop
set -eu
cd "$(dirname "$0")/.."
pid_file=${TARGET_SERVER_PID_FILE:-.target-server.pid}
log_file=${TARGET_SERVER_LOG:-}

if [ -f "$pid_file" ] && ps -o stat=,args= -p "$(cat "$pid_file")" 2>/dev/null | grep -v '^ *Z' | grep -q 'target-server'; then
  echo "target-server: already running (pid $(cat "$pid_file")); stop it with npm run target:stop" >&2
  exit 1
fi
if [ ! -f dist/target-server/main.js ]; then
  echo "target-server: not built yet; run npm run build first" >&2
  exit 1
fi
case " $* " in
  *" --port "* | *" --port="*) ;;
  *) set -- --port 8000 "$@" ;;
esac

# made only now: a server already running must not leave an empty log behind
if [ -z "$log_file" ]; then log_file=$(mktemp "${TMPDIR:-/tmp}/stress-target-server.XXXXXX"); fi

# nohup: the server outlives the shell (and npm) that started it.
nohup node bin/target-server "$@" >"$log_file" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pid_file"

# Wait up to 10 s for the listening line; a bad flag or a taken port ends the process first.
tries=0
while [ "$tries" -lt 100 ]; do
  line=$(grep -m 1 '^listening on ' "$log_file" 2>/dev/null || true)
  if [ -n "$line" ]; then
    echo "$line"
    echo "target-server: pid $pid, log $log_file; stop with npm run target:stop"
    exit 0
  fi
  if ! ps -o stat= -p "$pid" 2>/dev/null | grep -qv '^ *Z'; then
    rm -f "$pid_file"
    cat "$log_file" >&2
    exit 1
  fi
  sleep 0.1
  tries=$((tries + 1))
done
echo "target-server: no listening line after 10 s; stopping it (log: $log_file)" >&2
kill "$pid" 2>/dev/null || true
rm -f "$pid_file"
exit 1
