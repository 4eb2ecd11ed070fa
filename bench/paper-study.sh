#!/usr/bin/env bash
# Paper-sized study through the queue (issue 18, part 3): `calibra bench study` on a fresh local stack whose
# own workers are off, so 16 dry-run workers (every registry call a real worker makes, no model work) drain
# the 9 x 4 x 5 x 10 grid with 11 evaluations per model. Prints the bench's table and the registry's memory:
# its resident size sampled every second, and its heap after a full GC before the study and after the report.
#   bench/paper-study.sh [calibra bench study flags]     (default: the paper's grid, 16 workers)
# PAPER_PROFILE=1 also records the registry with Java Flight Recorder during the study and prints where its CPU
# samples fall (bench/jfr-top.py), and the CPU seconds the registry and PostgreSQL used.
# Uses ports 9660-9664 and state in /tmp/paper-stack (both stopped/removed at the end).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export CALIBRA_STATE_DIR=/tmp/paper-stack CALIBRA_PORT_BASE=9660 CALIBRA_WORKER_ENABLED=false
OUT="$(mktemp -d /tmp/calibra-paper.XXXXXX)"
# shellcheck source=stack-lib.sh
source "$ROOT/bench/stack-lib.sh"

cleanup() {
  [ -n "${sampler:-}" ] && kill "$sampler" 2> /dev/null || true
  "$ROOT/calibra" stack down > /dev/null 2>&1 || true
}
trap cleanup EXIT

"$ROOT/calibra" stack down > /dev/null 2>&1 || true
rm -rf "$CALIBRA_STATE_DIR"
echo "starting the stack in $CALIBRA_STATE_DIR ..." >&2
"$ROOT/calibra" stack up > "$OUT/stack.txt"
registry_pid="$(service_pid registry)"

# Heap in use after a full collection, in MiB: what the registry keeps, not what it has yet to collect.
heap_after_gc() {
  jcmd "$registry_pid" GC.run > /dev/null
  jstat -gc "$registry_pid" | awk 'NR == 2 { printf "%.1f", ($3 + $4 + $6 + $8) / 1024 }'
}
heap_before="$(heap_after_gc)"
if [ "${PAPER_PROFILE:-0}" = 1 ]; then
  jcmd "$registry_pid" JFR.start name=study settings=profile > /dev/null
fi
database_pid="$(database_pid)"
cpu_before="$(cpu_seconds "$registry_pid") $(cpu_seconds "$database_pid")"
( while kill -0 "$registry_pid" 2> /dev/null; do
    echo "$(date +%s) $(awk '/VmRSS/ {print $2}' "/proc/$registry_pid/status")" >> "$OUT/rss.txt"
    sleep 1
  done ) &
sampler=$!

echo "calibra bench study $* ..." >&2
set +e
"$ROOT/calibra" --json bench study "$@" > "$OUT/study.json"
bench_rc=$?
set -e
echo "$cpu_before $(cpu_seconds "$registry_pid") $(cpu_seconds "$database_pid")" > "$OUT/cpu.txt"
if [ "${PAPER_PROFILE:-0}" = 1 ]; then
  jcmd "$registry_pid" JFR.dump name=study filename="$OUT/registry.jfr" > /dev/null
fi
heap_after="$(heap_after_gc)"
kill "$sampler" 2> /dev/null || true
sampler=
cp "$CALIBRA_STATE_DIR/logs/registry.log" "$OUT/registry.log" 2> /dev/null || true
[ -s "$OUT/study.json" ] || { echo "paper-study.sh: the bench printed nothing (exit $bench_rc)" >&2; exit 1; }

python3 - "$OUT" "$heap_before" "$heap_after" "$bench_rc" <<'PY'
import json, os, sys
out, heap_before, heap_after, rc = sys.argv[1:5]
s = json.load(open(os.path.join(out, "study.json")))
rss = [int(line.split()[1]) / 1024 for line in open(os.path.join(out, "rss.txt")) if len(line.split()) == 2]
print(f"Machine: {os.cpu_count()} cores. Grid {s['grid']}: {s['jobs']} jobs, {s['workers']} dry-run workers.")
print()
print("| measure | value |")
print("|---|---|")
print(f"| creation (CreateStudy) | {s['creation_seconds']:.2f} s |")
print(f"| creation asked again (same request id) | {s['repeat_creation_seconds']:.2f} s, idempotent: {s['idempotent']} |")
print(f"| drain | {s['drain_seconds']:.1f} s, {s['claims']} claims, {s['claims_per_second']:.0f} claims/s, {s['empty_claims']} empty polls, {s['errors']} errors |")
print(f"| study | {s['study_state']}, {s['jobs_succeeded']} of {s['jobs']} jobs succeeded |")
print(f"| report (GetStudyReport, 3 calls) | {', '.join(f'{x:.2f}' for x in s['report_seconds'])} s; {s['report_groups']} of {s['report_expected_groups']} groups, {s['report_baselines']} baselines, {s['report_values']} values |")
rb, db, ra, da = map(float, open(os.path.join(out, "cpu.txt")).read().split())
print(f"| CPU during the bench | registry {ra - rb:.1f} s, PostgreSQL {da - db:.1f} s ({1000 * (ra - rb) / s['jobs']:.1f} and {1000 * (da - db) / s['jobs']:.1f} ms per job) |")
print(f"| registry heap after full GC | {heap_before} MiB before, {heap_after} MiB after |")
if rss:
    print(f"| registry resident size | {rss[0]:.0f} MiB at start, {max(rss):.0f} MiB peak, {rss[-1]:.0f} MiB at the end |")
print()
print("| call | calls | p50 ms | p95 ms | p99 ms | max ms |")
print("|---|---|---|---|---|---|")
for call, l in s["latency_ms"].items():
    print(f"| {call} | {l['calls']} | {l['p50']:.2f} | {l['p95']:.2f} | {l['p99']:.2f} | {l['max']:.1f} |")
print()
print(f"Raw results: {out}")
sys.exit(0 if rc == "0" else 1)
PY
if [ "${PAPER_PROFILE:-0}" = 1 ]; then
  echo
  python3 "$ROOT/bench/jfr-top.py" "$OUT/registry.jfr"
fi
