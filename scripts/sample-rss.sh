#!/bin/sh
# Runs a command and prints its resident memory (RSS, from /proc, Linux) every EVERY seconds, as
# "seconds RSS anonymous file" lines on stdout, in MB; the command's own output goes to its own
# files. The file-backed part is mostly the node binary's own pages (about 47 MB, the same from the
# first minute on): what a run's memory does shows in the anonymous part. For the flat-memory
# figure of a long run (BENCHMARKS.md):
#
#   sh scripts/sample-rss.sh 60 bin/stress --profile bench-profiles/endurance.json --duration 1h
#
# The command's stdout and stderr are kept in rss-run.out and rss-run.err in the current folder.
set -eu
if [ "$#" -lt 2 ]; then
  echo "usage: sh scripts/sample-rss.sh EVERY-SECONDS COMMAND [ARGS...]" >&2
  exit 2
fi
every=$1
shift
"$@" > rss-run.out 2> rss-run.err &
pid=$!
start=$(date +%s)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ): $*"
echo "# seconds RSS-MB anonymous-MB file-MB"
while kill -0 "$pid" 2> /dev/null; do
  sleep "$every"
  rss=$(awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } END { if (r) printf "%.1f %.1f %.1f", r / 1024, a / 1024, f / 1024 }' "/proc/$pid/status" 2> /dev/null || true)
  [ -n "$rss" ] && echo "$(($(date +%s) - start)) $rss"
done
wait "$pid" && code=0 || code=$?
echo "# exit $code"
exit "$code"
