#!/usr/bin/env bash
# Measures the local stack's start-up: wall time of `./calibra stack up` from nothing running, each
# service's own start time (Quarkus "started in"), and resident memory after start. Prints markdown.
#   bench/stack-startup.sh [runs]        (uses ports 9600-9604 and a temporary state directory)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-3}"
export CALIBRA_STATE_DIR="$(mktemp -d)/state" CALIBRA_PORT_BASE=9600 CALIBRA_SKIP_BUILD=1
# shellcheck source=stack-lib.sh
source "$ROOT/bench/stack-lib.sh"
echo "| run | stack up wall (s) | registry start (s) | calibration (s) | compression (s) | evaluation (s) | registry RSS (MB) | calibration RSS | compression RSS | evaluation RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for run in $(seq 1 "$RUNS"); do
  start=$(date +%s.%N)
  "$ROOT/calibra" stack up > /dev/null 2>&1
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  row="| $run | $(printf %.1f "$wall")"
  for s in registry calibration compression evaluation; do
    t=$(grep -h "started in" "$CALIBRA_STATE_DIR/logs/$s.log" | tail -1 | sed -E 's/.*started in ([0-9.]+)s.*/\1/')
    row="$row | $t"
  done
  for s in registry calibration compression evaluation; do
    pid=$(service_pid "$s")
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    row="$row | $((rss / 1024))"
  done
  echo "$row |"
  "$ROOT/calibra" stack down > /dev/null 2>&1
done
