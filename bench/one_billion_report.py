#!/usr/bin/env python3
"""Report of bench/one-billion.sh: each phase's wall time against its floor on this machine, peak memory, the
dense and compressed perplexity, and the projection to Llama 3.1 8B's shapes and to 128 x 2048 calibration tokens.

Floors (work / the machine's measured rate, floors.json):
  matmul-bound phases: flops at the float32 2048^2 DJL matMul rate, with these flop counts per block
    forward (capture, recompute)  2 T P + 4 T s H d     (P linear weights, T tokens, s sequence length,
                                                          H heads, d head dim: QK^T and PV over all s^2 scores)
    Hessians                     T (sum of c^2 over the distinct linear inputs: q/k/v share one, gate/up one;
                                  the lower triangle of X^T X, as the accumulator computes it)
    GPTQ                         sum over linears of c^3 + r c^2 (factoring H and its inverse ~c^3, the
                                  lazy updates of W ~r c^2; r rows, c columns)
    evaluation, calibration      the whole model's forward over its tokens, language-model head included
  bytes-bound phases: verify (sha256 of the folder), load (read), checkpoint and write (disk write)
Projection: each phase keeps its measured ratio to its floor; the floor is recomputed for the target shapes.
usage: one_billion_report.py OUT_DIR
"""
import json
import os
import re
import sys

LLAMA_8B = {"hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
            "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 128256, "tie_word_embeddings": False}


class Shapes:
    def __init__(self, config):
        self.h = config["hidden_size"]
        self.i = config["intermediate_size"]
        self.L = config["num_hidden_layers"]
        self.H = config["num_attention_heads"]
        self.kv = config["num_key_value_heads"]
        self.d = config.get("head_dim") or self.h // self.H
        self.V = config["vocab_size"]
        self.tied = config.get("tie_word_embeddings", False)
        q, kv = self.H * self.d, self.kv * self.d
        # (rows, columns) per linear, HF order
        self.linears = [(q, self.h), (kv, self.h), (kv, self.h), (self.h, q), (self.i, self.h), (self.i, self.h),
                        (self.h, self.i)]
        self.P = sum(r * c for r, c in self.linears)
        self.distinct_inputs = [self.h, q, self.h, self.i]

    def params(self):
        norms = (2 * self.L + 1) * self.h
        return self.L * self.P + self.V * self.h * (1 if self.tied else 2) + norms

    def block_forward(self, tokens, seq):
        return 2 * tokens * self.P + 4 * tokens * seq * self.H * self.d

    def model_forward(self, tokens, seq):
        return self.L * self.block_forward(tokens, seq) + 2 * tokens * self.V * self.h

    def hessians(self, tokens):
        return self.L * tokens * sum(c * c for c in self.distinct_inputs)

    def gptq(self):
        return self.L * sum(c ** 3 + r * c * c for r, c in self.linears)

    def checkpoint_bytes(self, group=128):
        # float32 weights, float32 scales and zeros per group, int32 g_idx
        return self.L * sum(4 * r * c + 8 * r * (c // group) + 4 * c for r, c in self.linears)

    def output_bytes(self, group=128):
        # packed 4-bit linears with fp16 scales, packed zeros and g_idx; everything else stays bf16
        linear = self.L * sum(r * c // 2 + 2 * r * (c // group) + r * (c // group) // 2 + 4 * c for r, c in self.linears)
        return linear + 2 * (self.params() - self.L * self.P)


def phases_from_log(line):
    # "... compression JOB (gptq, NAME): 192.86 s: verify 7.55 s, calibration_set 7.32 s, ..."
    tail = line.split("): ", 1)[1]
    total, rest = tail.split(" s: ", 1)
    return float(total), {m.group(1): float(m.group(2)) for m in re.finditer(r"(\w+) ([0-9.]+) s", rest)}


def peak(path):
    """Largest VmRSS and RssAnon (kB) a sampler file holds."""
    rss, anon = 0, 0
    if os.path.exists(path):
        for line in open(path):
            values = [int(v) for v in line.split()]
            if len(values) == 2:
                rss, anon = max(rss, values[0]), max(anon, values[1])
    return rss, anon


def gib(kilobytes):
    return kilobytes / 1048576


def resident_bytes(m, tokens, seq, batch, eval_tokens, eval_seq, eval_batch):
    """What each worker holds at its peak by the shapes, float32 (the services widen bf16), bytes."""
    embed = 4 * m.V * m.h * (1 if m.tied else 2)              # embedding and lm_head, loaded eagerly
    block = 4 * m.P
    activations = 2 * 4 * tokens * m.h                         # a block's input and output for every sample
    hessians = 4 * sum(c * c for _, c in m.linears)            # one per linear of the block at once
    logits = lambda rows, width: 2 * 4 * rows * width * m.V    # logits and their log-softmax
    return {
        # compression: one block in memory (original and compressed copy)
        "compress": embed + 2 * block + activations + hessians,
        # calibration scores each sample under the whole model: every block stays loaded
        "calibrate": embed + m.L * block + logits(batch, seq),
        "eval": embed + m.L * block + logits(eval_batch, eval_seq),
    }


def memory_projection(out, one, big, target, n, s, E, es):
    """Measured peak anonymous memory plus the change in what the shapes make each worker hold."""
    print("Projected peak anonymous memory (measured + the change in embedding, resident blocks, activations, "
          "Hessians and logits by the shapes; heap and runtime held as measured):\n")
    print(f"| process | measured | 1B, {n} x {s} | 1B, 128 x 2048 | 8B, {n} x {s} | 8B, 128 x 2048 |")
    print("|---|---:|---:|---:|---:|---:|")
    batch, eval_batch = 8, 2           # the calibration scorer's 8 rows per forward; the evaluation's --batch-size
    for name, label in [("calibrate", "calibration-service"), ("compress", "compression-service"),
                        ("eval", "eval-service")]:
        _, anon = peak(f"{out}/{name}.rss")
        if not anon:
            continue
        base = resident_bytes(one, n * s, s, min(batch, n), E, es, eval_batch)[name]
        cells = []
        for m, tokens, seq in [(big, n * s, s), (big, 128 * 2048, 2048), (target, n * s, s), (target, 128 * 2048, 2048)]:
            cells.append(anon * 1024 + resident_bytes(m, tokens, seq, min(batch, tokens // seq), E, es, eval_batch)[name] - base)
        print(f"| {label} | {gib(anon):.2f} GiB | " + " | ".join(f"{c / 2 ** 30:.1f} GiB" for c in cells) + " |")
    print()


def main():
    out = sys.argv[1]
    wall = json.load(open(f"{out}/wall.json"))
    floors = json.load(open(f"{out}/floors.json"))
    config = json.load(open(os.path.join(wall["model_dir"], "config.json")))
    one, big = Shapes(config), Shapes(dict(config, num_hidden_layers=16) if config["num_hidden_layers"] != 16 else config)
    target = Shapes(LLAMA_8B)
    n, s = wall["n_samples"], wall["seq_len"]
    T = n * s
    E, es = wall["eval_tokens"] // wall["eval_seq_len"] * wall["eval_seq_len"], wall["eval_seq_len"]
    flops = floors["matmul_gflops"] * 1e9
    sha = floors["sha256_mb_s"] * 1e6
    read = floors["read_mb_s"] * 1e6
    write = floors["write_mb_s"] * 1e6
    total, phases = phases_from_log(open(f"{out}/compress-phases.log").read())
    output_bytes = int(open(f"{out}/output.bytes").read())

    def floor(phase, m, tokens, seq):
        """Seconds of a phase's floor for shapes m at tokens x seq calibration tokens."""
        model_bytes = 2 * m.params()
        return {
            "register": model_bytes / sha,
            "calibrate": m.model_forward(tokens, seq) / flops,
            "verify": model_bytes / sha,
            "load": model_bytes / read,
            "capture": m.L * m.block_forward(tokens, seq) / flops,
            "statistics": m.hessians(tokens) / flops,
            "compress": m.gptq() / flops,
            "forward": m.L * m.block_forward(tokens, seq) / flops,
            "checkpoint": m.checkpoint_bytes() / write,
            "write": m.output_bytes() / write,
            "eval": m.model_forward(E, es) / flops + model_bytes / sha,
        }.get(phase)

    names = {"register": "register (hash the folder)", "calibrate": "calibrate: draw the set (its per-sample perplexity is a forward)",
             "verify": "verify (sha256 before reading)", "calibration_set": "read calibration set, load tokenizer",
             "load": "load (global tensors + each block, bf16 -> f32)", "capture": "capture forward",
             "statistics": "Hessians", "compress": "GPTQ 4-bit g128", "forward": "recompute forward (compressed block)",
             "checkpoint": "block checkpoints", "write": "write output folder", "register_output": "register output"}
    rows = [("register", wall["register"])]
    rows.append(("calibrate", wall["calibrate"]))
    for phase in ["verify", "calibration_set", "load", "capture", "statistics", "compress", "forward", "checkpoint",
                  "write", "register"]:
        if phase in phases:
            rows.append((phase if phase != "register" else "register_output", phases[phase]))
    evals = {k: v for k, v in wall.items() if k.startswith("eval ")}

    layers_note = "" if one.L == 16 else f" (measured on {one.L} layers; the 16-layer column scales each phase by its floor)"
    print(f"### Phases{layers_note}\n")
    print(f"Calibration {n} x {s} tokens; evaluation {E} tokens in windows of {es}; matmul {floors['matmul_gflops']:.1f} "
          f"GFLOP/s, sha256 {floors['sha256_mb_s']:.0f} MB/s, read {floors['read_mb_s']:.0f} MB/s "
          f"({'cold' if floors['read_cold'] else 'page cache'}), write {floors['write_mb_s']:.0f} MB/s.\n")
    print(f"| phase | measured (s) | floor (s) | measured / floor | 1B, {n} x {s} (s) | 1B, 128 x 2048 (s) | "
          f"8B, {n} x {s} (s) | 8B, 128 x 2048 (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    sums = [0.0] * 6

    def line(label, measured, key, tokens_scale=True):
        f = floor(key, one, T, s) if key else None
        if f is None:
            print(f"| {label} | {measured:.1f} | - | - | - | - | - | - |")
            cells = [measured] * 5
        else:
            ratio = measured / f
            projected = [ratio * floor(key, big, T, s), ratio * floor(key, big, 128 * 2048, 2048),
                         ratio * floor(key, target, T, s), ratio * floor(key, target, 128 * 2048, 2048)]
            print(f"| {label} | {measured:.1f} | {f:.1f} | {ratio:.2f}x | " + " | ".join(f"{p:.0f}" for p in projected) + " |")
            cells = [measured] + projected
        for k in range(5):
            sums[k] += cells[k]
        return f or 0.0

    floor_sum = 0.0
    for key, measured in rows:
        floor_key = {"calibration_set": None, "register_output": None}.get(key, key)
        floor_sum += line(names[key], measured, floor_key)
    for name, measured in evals.items():
        floor_sum += line(f"evaluation: {name[5:]}", measured, "eval")
    print(f"| **all of the above** | **{sums[0]:.0f}** | {floor_sum:.0f} | {sums[0] / floor_sum:.2f}x | "
          + " | ".join(f"{v:.0f}" for v in sums[1:5]) + " |")
    print(f"\nCompression job as its log line times it: {total:.1f} s (CLI wall {wall['compress']:.1f} s). "
          f"Load average after the run: {wall['load_average_after']}.\n")

    print("### Memory\n")
    print("| process | peak RSS (VmHWM) | peak anonymous (1 s samples) | peak RSS (1 s samples) |")
    print("|---|---:|---:|---:|")
    for name, label in [("calibrate", "calibration-service (calibrate)"), ("compress", "compression-service (compress)"),
                        ("eval", "eval-service (both evaluations)")]:
        hwm = int(open(f"{out}/{name}.hwm").read()) if os.path.exists(f"{out}/{name}.hwm") else 0
        rss, anon = peak(f"{out}/{name}.rss")
        print(f"| {label} | {gib(hwm):.2f} GiB | {gib(anon):.2f} GiB | {gib(rss):.2f} GiB |")
    print()
    memory_projection(out, one, big, target, n, s, E, es)

    print("### Perplexity and read-back\n")
    print("| model | perplexity | mean NLL (nats) | tokens | windows |")
    print("|---|---:|---:|---:|---:|")
    import math
    ppl = {}
    for name in evals:
        result = json.load(open(f"{out}/eval-{name[5:]}.json"))
        ppl[name] = result["perplexity"]
        print(f"| {name[5:]} | {result['perplexity']:.1f} | {math.log(result['perplexity']):.5f} | {result['tokens']} | "
              f"{result['windows']} |")
    values = list(ppl.values())
    if len(values) == 2:
        print(f"\nCompressed / dense: {values[1] / values[0]:.4f} (mean NLL {math.log(values[1]) - math.log(values[0]):+.5f} nats).")
    report = json.load(open(f"{out}/calibra_compression.json"))
    errors = [layer["relative_reconstruction_error"] for layer in report["layers"]]
    print(f"Per-linear relative reconstruction error: {min(errors):.2e} to {max(errors):.2e} over {len(errors)} linears; "
          f"average bits {report.get('average_bits', float('nan')):.3f}; packed {len(report.get('packed_modules', []))} "
          f"modules per block; output folder {output_bytes / 1e9:.2f} GB (model {output_bytes / (2 * one.params()):.2f}x of "
          f"the bf16 checkpoint's {2 * one.params() / 1e9:.2f} GB; estimate {one.output_bytes() / 1e9:.2f} GB).")


if __name__ == "__main__":
    main()
