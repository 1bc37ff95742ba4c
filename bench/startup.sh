#!/usr/bin/env bash
# How long `make run` takes on a fresh clone until the home page answers 200.
# Usage: bash bench/startup.sh [PORT]   (prints one line: seconds to first 200)
set -euo pipefail
port=${1:-8799}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill -- -$pid 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/coro"
cd "$work/coro"
start=$(date +%s.%N)
set -m
PORT=$port make run >"$work/run.log" 2>&1 &
pid=$!
set +m
for _ in $(seq 1 600); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)" = 200 ]; then
    echo "make run on a fresh clone: first 200 after $(echo "$(date +%s.%N) - $start" | bc) s"
    exit 0
  fi
  sleep 0.25
done
echo "make run did not answer within 150 s; last lines of its log:" >&2
tail -20 "$work/run.log" >&2
exit 1
