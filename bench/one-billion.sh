#!/usr/bin/env bash
# A 1B-parameter model end to end through the services (issue 18, part 5; results in BENCHMARKS.md):
# a random-weight checkpoint with Llama 3.2 1B's shapes (bench/make_random_llama.py: bf16, sharded), registered,
# a calibration set of N_SAMPLES x SEQ_LEN C4 tokens, GPTQ 4-bit g128 as a queued job, then the perplexity of the
# dense and the compressed model on held-out WikiText-2. Records each phase's wall time (the compression
# service's own log line), peak memory of the workers, the machine's floors (matmul, sha256, disk) and writes
# report.md with the ratios and the projection to an 8B model and to 128 x 2048 tokens (bench/one_billion_report.py).
#
# usage: bench/one-billion.sh [LAYERS]        (16 = the whole model; fewer layers, same widths, to try it out)
# env:   N_SAMPLES (32), SEQ_LEN (512), EVAL_TOKENS (4096), EVAL_SEQ_LEN (512), EVAL_BATCH (2),
#        MODEL_DIR (/tmp/llama-1b-random, or /tmp/llama-<L>l-random), OUT (/tmp/one-billion-L<L>),
#        CALIBRA_TORCH_THREADS (every core), CALIBRA_STATE_DIR (/tmp/stack-1b-L<L>; must not exist: the services start fresh so that their peak
#        memory is this run's), CALIBRA_PORT_BASE (9900), KEEP_STACK=1 to leave the stack running,
#        DROP_CACHES=1 to time the disk read cold.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAYERS=${1:-16}
N_SAMPLES=${N_SAMPLES:-32}
SEQ_LEN=${SEQ_LEN:-512}
EVAL_TOKENS=${EVAL_TOKENS:-4096}
EVAL_SEQ_LEN=${EVAL_SEQ_LEN:-512}
EVAL_BATCH=${EVAL_BATCH:-2}
if [ "$LAYERS" = 16 ]; then MODEL_DIR=${MODEL_DIR:-/tmp/llama-1b-random}; else MODEL_DIR=${MODEL_DIR:-/tmp/llama-${LAYERS}l-random}; fi
OUT=${OUT:-/tmp/one-billion-L$LAYERS}
export CALIBRA_STATE_DIR=${CALIBRA_STATE_DIR:-/tmp/stack-1b-L$LAYERS}
export CALIBRA_PORT_BASE=${CALIBRA_PORT_BASE:-9900}
# A shared machine can starve a heartbeat for longer than the default 30 s lease; a lost lease restarts the
# job's block, which would count twice here.
export CALIBRA_WORKER_LEASE_SECONDS=${CALIBRA_WORKER_LEASE_SECONDS:-600}
export CALIBRA_SKIP_BUILD=${CALIBRA_SKIP_BUILD:-1}
# One job runs at a time here: give it every core (the stack's default is a third each, for three busy workers).
export CALIBRA_TORCH_THREADS=${CALIBRA_TORCH_THREADS:-$(nproc)}
CALIBRATION_TEXT=$ROOT/assets/corpora/c4_en_train00000_first1000.jsonl
HELD_OUT_TEXT=$ROOT/assets/corpora/wikitext2_raw_test.txt    # another source than the calibration text

if [ -e "$CALIBRA_STATE_DIR" ]; then
  echo "$CALIBRA_STATE_DIR exists: remove it (after ./calibra stack down) or set CALIBRA_STATE_DIR" >&2
  exit 2
fi
mkdir -p "$OUT"
calibra() { "$ROOT/calibra" "$@"; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# --- the checkpoint ---------------------------------------------------------------------------------------------
if [ ! -f "$MODEL_DIR/config.json" ]; then
  log "generating $MODEL_DIR ($LAYERS layers)"
  t=$(now); python3 "$ROOT/bench/make_random_llama.py" --out "$MODEL_DIR" --layers "$LAYERS" > "$OUT/generate.json"
  log "generated in $(since "$t") s"
fi
MODEL_BYTES=$(cat "$MODEL_DIR"/*.safetensors | wc -c)

# --- floors: matmul and sha256 rates (JVM, DJL/libtorch as the services run them), disk read and write ---------
# Measured before and after the run; the faster of the two is the floor (other work on a shared machine slows both).
if [ ! -f "$ROOT/model-core/target/classpath.txt" ]; then
  (cd "$ROOT" && mvn -B -o -q dependency:build-classpath -pl model-core -Dmdep.outputFile=target/classpath.txt)
fi
measure_floors() {   # file
  java -cp "$ROOT/model-core/target/classes:$(cat "$ROOT/model-core/target/classpath.txt")" \
    dev.calibra.model.bench.FloorBenchmark 2>/dev/null | tail -1 > "$1.jvm"
  # reads come from the page cache unless DROP_CACHES=1 (root; it empties the whole machine's cache): say which
  local cold=false t read_s write_s
  if [ "${DROP_CACHES:-}" = 1 ] && sync && echo 1 > /proc/sys/vm/drop_caches 2>/dev/null; then cold=true; fi
  t=$(now); cat "$MODEL_DIR"/*.safetensors > /dev/null; read_s=$(since "$t")
  t=$(now); dd if=/dev/zero of="$OUT/dd.tmp" bs=16M count=64 conv=fsync status=none; write_s=$(since "$t")
  rm -f "$OUT/dd.tmp"
  python3 - "$1" "$MODEL_BYTES" "$read_s" "$write_s" "$cold" <<'EOF'
import json, sys
path, model_bytes, read_s, write_s, cold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
floors = json.load(open(path + ".jvm"))
floors.update({"read_mb_s": model_bytes / read_s / 1e6, "read_cold": cold == "true",
               "write_mb_s": 1024 * 1048576 / write_s / 1e6, "load_average": open("/proc/loadavg").read().split()[0]})
json.dump(floors, open(path, "w"), indent=1)
EOF
  rm -f "$1.jvm"
  log "floors: $(tr -d '\n' < "$1")"
}
measure_floors "$OUT/floors-before.json"

# --- the stack ----------------------------------------------------------------------------------------------------
calibra stack up > /dev/null
# shellcheck source=stack-lib.sh
source "$ROOT/bench/stack-lib.sh"
COMPRESSION_PID=$(service_pid compression)
EVALUATION_PID=$(service_pid evaluation)
CALIBRATION_PID=$(service_pid calibration)
stop_stack() { if [ "${KEEP_STACK:-}" != 1 ]; then calibra stack down > /dev/null || true; fi; }
trap stop_stack EXIT

# Peak memory: VmHWM (resident, mapped checkpoint pages included) at the end, and the largest RssAnon (heap,
# native tensors, malloc; the kernel cannot drop it) that a 1 s sampler saw.
sampler() {   # pid file
  while [ -e "$2.on" ] && [ -e "/proc/$1/status" ]; do
    awk '/^RssAnon|^VmRSS/ {printf "%s ", $2} END {print ""}' "/proc/$1/status" >> "$2"; sleep 1
  done
}
start_sampler() { touch "$OUT/$1.rss.on"; : > "$OUT/$1.rss"; sampler "$2" "$OUT/$1.rss" & }
stop_sampler() { rm -f "$OUT/$1.rss.on"; wait; grep VmHWM "/proc/$2/status" | awk '{print $2}' > "$OUT/$1.hwm"; }

declare -A WALL
timed() {    # name command...: wall seconds into WALL[name]
  local name=$1; shift
  local t; t=$(now)
  "$@"
  WALL[$name]=$(since "$t")
  log "$name: ${WALL[$name]} s"
}

# --- register, calibrate, compress, evaluate ----------------------------------------------------------------------
timed register calibra models register --path "$MODEL_DIR" --name "random-llama-L$LAYERS" --json > "$OUT/register.json"
calibra corpora add --path "$CALIBRATION_TEXT" --name c4 --json > /dev/null
start_sampler calibrate "$CALIBRATION_PID"
timed calibrate calibra calibrate --model "random-llama-L$LAYERS" --corpus c4 -n "$N_SAMPLES" --seq-len "$SEQ_LEN" \
  --seed 0 --json > "$OUT/calibrate.json"
stop_sampler calibrate "$CALIBRATION_PID"
SET=$(jq -r .id "$OUT/calibrate.json")

start_sampler compress "$COMPRESSION_PID"
timed compress calibra compress --model "random-llama-L$LAYERS" --calibration "$SET" --method gptq --bits 4 \
  --group-size 128 --name "random-llama-L$LAYERS-gptq4" --json > "$OUT/compress.json" 2> "$OUT/compress.err"
stop_sampler compress "$COMPRESSION_PID"
OUTPUT_DIR=$(jq -r .artifact_path "$OUT/compress.json")
grep -F "compression $(jq -r .job_id "$OUT/compress.json") " "$CALIBRA_STATE_DIR/logs/compression.log" | tail -1 \
  > "$OUT/compress-phases.log"
cp "$OUTPUT_DIR/calibra_compression.json" "$OUT/"
du -sb "$OUTPUT_DIR" | cut -f1 > "$OUT/output.bytes"

# the output read back by Calibra's own reader (what the eval worker loads)
calibra models inspect "$OUTPUT_DIR" > "$OUT/inspect-output.txt"

start_sampler eval "$EVALUATION_PID"
for model in "random-llama-L$LAYERS" "random-llama-L$LAYERS-gptq4"; do
  timed "eval $model" calibra eval --model "$model" --perplexity "$HELD_OUT_TEXT" --seq-len "$EVAL_SEQ_LEN" \
    --max-tokens "$EVAL_TOKENS" --batch-size "$EVAL_BATCH" --json > "$OUT/eval-$model.json"
done
stop_sampler eval "$EVALUATION_PID"

stop_stack
trap - EXIT
measure_floors "$OUT/floors-after.json"
python3 - "$OUT" <<'EOF'
import json, sys
before, after = (json.load(open(f"{sys.argv[1]}/floors-{when}.json")) for when in ("before", "after"))
floors = {key: max(before[key], after[key]) if isinstance(before[key], float) else before[key] for key in before}
json.dump(floors, open(f"{sys.argv[1]}/floors.json", "w"), indent=1)
EOF

# --- what was measured --------------------------------------------------------------------------------------------
{
  echo "{"
  for name in "${!WALL[@]}"; do echo "  \"$name\": ${WALL[$name]},"; done
  echo "  \"layers\": $LAYERS, \"n_samples\": $N_SAMPLES, \"seq_len\": $SEQ_LEN, \"eval_tokens\": $EVAL_TOKENS,"
  echo "  \"eval_seq_len\": $EVAL_SEQ_LEN, \"model_bytes\": $MODEL_BYTES, \"model_dir\": \"$MODEL_DIR\","
  echo "  \"output_dir\": \"$OUTPUT_DIR\", \"load_average_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\""
  echo "}"
} > "$OUT/wall.json"
python3 "$ROOT/bench/one_billion_report.py" "$OUT" | tee "$OUT/report.md"
