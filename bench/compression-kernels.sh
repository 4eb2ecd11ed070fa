#!/usr/bin/env bash
# Compression kernels against the reference implementations on this machine (issue 5): ROUNDS alternating
# runs of Calibra's KernelBenchmark and of tools/reference/make_cases.py bench (the reference gptq.py /
# sparsegpt.py code paths in plain PyTorch float32, Debian python3-torch + libopenblas0-pthread, 2 threads),
# so both see the same machine weather. Each run reports its best of 3 compress calls; the table gives
# the median over rounds and the ratio of medians. Raw outputs stay in the printed folder.
#   bench/compression-kernels.sh [rounds]          (default 3; one round takes about 2.5 minutes)
# Needs: apt-get install python3-torch libopenblas0-pthread
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS="${1:-3}"
OUT="$(mktemp -d /tmp/calibra-kernels.XXXXXX)"
cd "$ROOT"

/usr/bin/python3 -c "import torch" 2> /dev/null \
  || { echo "compression-kernels.sh: Debian's python3-torch is missing (apt-get install python3-torch libopenblas0-pthread)" >&2; exit 2; }
echo "building compression-service ..." >&2
mvn -B -o -q -pl compression-service -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile="$OUT/classpath.txt" > "$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt" >&2; exit 1; }
CP="compression-service/target/classes:$(cat "$OUT/classpath.txt")"

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS: calibra ..." >&2
  java -Xmx8g -cp "$CP" dev.calibra.compression.bench.KernelBenchmark 4096 32 2048 true > "$OUT/calibra-$round.txt" 2>&1
  echo "round $round/$ROUNDS: reference ..." >&2
  /usr/bin/python3 tools/reference/make_cases.py bench > "$OUT/reference-$round.txt" 2>&1
done

/usr/bin/python3 - "$OUT" "$ROUNDS" <<'PY'
import re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def calibra(text, label):
    return float(re.search(r"\| " + re.escape(label) + r"[^|]*\| ([0-9.]+) \|", text).group(1))
def reference(text, label):
    return float(re.search(re.escape(label) + r"[^:]*: (?:best of \d+ )?([0-9.]+) s", text).group(1))
rows = [("Hessian accumulation 32x2048", "Hessian accumulation", "hessian add_batch"),
        ("GPTQ 4-bit g128 compress", "GPTQ 4-bit g128 compress", "gptq fasterquant 4-bit g128"),
        ("SparseGPT 50% compress", "SparseGPT 50% compress", "sparsegpt fasterprune 50%")]
print(f"| kernel | Calibra s (median of {rounds}) | reference s (median of {rounds}) | speed-up | per round |")
print("|---|---:|---:|---:|---|")
for name, ours, theirs in rows:
    c = [calibra(open(f"{out}/calibra-{r}.txt").read(), ours) for r in range(1, rounds + 1)]
    p = [reference(open(f"{out}/reference-{r}.txt").read(), theirs) for r in range(1, rounds + 1)]
    per = ", ".join(f"{b / a:.2f}x" for a, b in zip(c, p))
    print(f"| {name} | {statistics.median(c):.2f} | {statistics.median(p):.2f} | "
          f"{statistics.median(p) / statistics.median(c):.2f}x | {per} |")
PY
echo "raw outputs: $OUT" >&2
