#!/usr/bin/env bash
# Load benchmark (issue 8): CLIENTS concurrent clients making CALLS mixed registry calls (RecordScores,
# QueryScores, GetModel, SubmitJob in equal shares) against a fresh local stack, then PostgreSQL's own
# select-only throughput (pgbench -S) with the same number of clients for the same time, on the same
# machine, as the ceiling. Prints a markdown table; the raw results stay in the printed folder.
#   bench/load.sh [clients] [calls]          (default 50 20000)
# LOAD_PROFILE=1 also records the registry with Java Flight Recorder during the measured calls and prints
# where its CPU samples fall (bench/jfr-top.py); the recording stays in the printed folder.
# Uses ports 9650-9654 and state in /tmp/load-stack (both removed/stopped at the end), and a scratch
# database pgbench_calibra on the PostgreSQL at PGHOST:PGPORT (default 127.0.0.1:5432, user postgres),
# dropped at the end. The stack's workers are off (CALIBRA_WORKER_ENABLED=false): the submitted EVALUATE
# jobs stay queued and are cancelled after the run, so the registry alone is measured.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLIENTS="${1:-50}"
CALLS="${2:-20000}"
export CALIBRA_STATE_DIR=/tmp/load-stack CALIBRA_PORT_BASE=9650 CALIBRA_WORKER_ENABLED=false
PG=(-h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}")
OUT="$(mktemp -d /tmp/calibra-load.XXXXXX)"
# shellcheck source=stack-lib.sh
source "$ROOT/bench/stack-lib.sh"

cleanup() {
  "$ROOT/calibra" stack down > /dev/null 2>&1 || true
  dropdb "${PG[@]}" --if-exists pgbench_calibra 2> /dev/null || true
}
trap cleanup EXIT

command -v pgbench > /dev/null || { echo "load.sh: pgbench is missing (apt-get install postgresql-client)" >&2; exit 2; }
"$ROOT/calibra" stack down > /dev/null 2>&1 || true
rm -rf "$CALIBRA_STATE_DIR"
echo "starting the stack in $CALIBRA_STATE_DIR ..." >&2
"$ROOT/calibra" stack up > "$OUT/stack.txt"

registry_pid="$(service_pid registry)"
if [ "${LOAD_PROFILE:-0}" = 1 ]; then
  jcmd "$registry_pid" JFR.start name=load settings=profile > /dev/null
fi
database_pid="$(database_pid)"
registry_cpu_before="$(cpu_seconds "$registry_pid")"
database_cpu_before="$(cpu_seconds "$database_pid")"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "calibra bench load: $CLIENTS clients, $CALLS calls ..." >&2
set +e
/usr/bin/time -o "$OUT/client-time.txt" -f "%U %S" "$ROOT/calibra" --json bench load --clients "$CLIENTS" --calls "$CALLS" > "$OUT/load.json"
bench_rc=$?
echo "$(cpu_seconds "$registry_pid") $registry_cpu_before $(cpu_seconds "$database_pid") $database_cpu_before" > "$OUT/server-cpu.txt"
set -e
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
cp "$CALIBRA_STATE_DIR/logs/registry.log" "$OUT/registry.log" 2> /dev/null || true
if [ "${LOAD_PROFILE:-0}" = 1 ]; then
  jcmd "$registry_pid" JFR.dump name=load filename="$OUT/registry.jfr" > /dev/null
fi
[ -s "$OUT/load.json" ] || { echo "load.sh: the bench printed nothing (exit $bench_rc)" >&2; exit 1; }
seconds="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$OUT/load.json")"
duration="$(python3 -c 'import math,sys; print(max(5, math.ceil(float(sys.argv[1]))))' "$seconds")"

# The ceiling: one primary-key SELECT per transaction, same clients, same duration, same machine.
"$ROOT/calibra" stack down > /dev/null 2>&1 || true   # free the CPUs the stack used
dropdb "${PG[@]}" --if-exists pgbench_calibra 2> /dev/null || true
createdb "${PG[@]}" pgbench_calibra
pgbench "${PG[@]}" -i -s 10 -q pgbench_calibra > "$OUT/pgbench-init.txt" 2>&1
echo "pgbench -S: $CLIENTS clients, $duration s ..." >&2
pgbench "${PG[@]}" -S -c "$CLIENTS" -j "$(nproc)" -T "$duration" pgbench_calibra > "$OUT/pgbench.txt" 2>&1
pg_version="$(psql "${PG[@]}" -Atc 'SHOW server_version' postgres)"

python3 - "$OUT" "$load_before" "$load_after" "$pg_version" "$bench_rc" <<'PY'
import json, re, sys, os
out, before, after, pg_version, rc = sys.argv[1:6]
load = json.load(open(os.path.join(out, "load.json")))
pgbench = open(os.path.join(out, "pgbench.txt")).read()
tps = float(re.search(r"tps = ([0-9.]+)", pgbench).group(1))
lat = re.search(r"latency average = ([0-9.]+) ms", pgbench)
print(f"Machine: {os.cpu_count()} cores; load average (1/5/15 min) {before} before the run, {after} after.")
print(f"Stack: local stack, embedded PostgreSQL, workers off; registry {load['registry']}.")
print()
print("| call | calls | errors | p50 ms | p95 ms | p99 ms | max ms |")
print("|---|---|---|---|---|---|---|")
for key in ["overall", "record_scores", "query_scores", "get_model", "submit_job"]:
    l = load["latency_ms"][key]
    print(f"| {key} | {l['calls']} | {l['errors']} | {l['p50']:.2f} | {l['p95']:.2f} | {l['p99']:.2f} | {l['max']:.1f} |")
print()
print(f"Throughput: {load['calls_per_second']:.0f} calls/s ({load['calls']} calls from {load['clients']} clients in "
      f"{load['seconds']:.1f} s, after {load['warmup_calls']} warm-up calls); errors: {load['errors']}.")
registry_after, registry_before, database_after, database_before = map(float, open(os.path.join(out, "server-cpu.txt")).read().split())
client = sum(map(float, open(os.path.join(out, "client-time.txt")).read().split()[-2:]))
every = load["calls"] + load["warmup_calls"]
print(f"CPU per call (warm-up included, {every} calls): registry {1000 * (registry_after - registry_before) / every:.2f} ms, "
      f"PostgreSQL {1000 * (database_after - database_before) / every:.2f} ms, client {1000 * client / every:.2f} ms "
      f"(its JVM's start included).")
print(f"Ceiling: pgbench -S (PostgreSQL {pg_version} at scale 10, {load['clients']} clients) {tps:.0f} transactions/s"
      + (f", {float(lat.group(1)):.2f} ms average" if lat else "") + f"; the registry reaches {100 * load['calls_per_second'] / tps:.1f}% of it.")
print()
print(f"Raw results: {out}")
sys.exit(0 if rc == "0" else 1)
PY
if [ "${LOAD_PROFILE:-0}" = 1 ]; then
  echo
  python3 "$ROOT/bench/jfr-top.py" "$OUT/registry.jfr"
fi
