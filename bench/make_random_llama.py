#!/usr/bin/env python3
"""A random-weight checkpoint with Llama 3.2 1B's shapes, for bench/one-billion.sh.

HuggingFace layout: config.json (Llama 3.2 1B's fields, llama3 rope scaling, tied embeddings), bfloat16 weights
sharded as model-0000K-of-0000N.safetensors with model.safetensors.index.json, and a tokenizer.

Weights: linears and the embedding N(0, 0.02), norms 1, so activations stay near unit RMS and the logits
(std about sqrt(2048) * 0.02 = 0.9) give a finite perplexity near the vocabulary size.

Tokenizer: no Llama 3 tokenizer is available offline, so this takes the shipped stories260K tokenizer (512
tokens, SentencePiece-style BPE) and pads its vocabulary with unreachable placeholder entries up to 128,256, the
embedding's rows: texts encode to ids below 512, and every row of the embedding is still a softmax output.

Only numpy is needed. bfloat16 is float32 rounded to nearest even on its upper 16 bits, as torch rounds.

  python3 bench/make_random_llama.py --out /tmp/llama-1b-random [--layers 16] [--seed 0] [--shard-bytes 1e9]
"""
import argparse
import json
import os
import struct
import sys

import numpy as np

# Llama 3.2 1B (meta-llama/Llama-3.2-1B config.json)
HIDDEN = 2048
INTERMEDIATE = 8192
HEADS = 32
KV_HEADS = 8
HEAD_DIM = 64
VOCAB = 128256
STD = 0.02


def config(layers):
    return {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        # the tokenizer's own BOS/EOS (stories260K's), not Llama 3's 128000/128001
        "bos_token_id": 1,
        "eos_token_id": 2,
        "head_dim": HEAD_DIM,
        "hidden_act": "silu",
        "hidden_size": HIDDEN,
        "initializer_range": STD,
        "intermediate_size": INTERMEDIATE,
        "max_position_embeddings": 131072,
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": HEADS,
        "num_hidden_layers": layers,
        "num_key_value_heads": KV_HEADS,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": {
            "factor": 32.0,
            "high_freq_factor": 4.0,
            "low_freq_factor": 1.0,
            "original_max_position_embeddings": 8192,
            "rope_type": "llama3",
        },
        "rope_theta": 500000.0,
        "tie_word_embeddings": True,
        "torch_dtype": "bfloat16",
        "use_cache": True,
        "vocab_size": VOCAB,
    }


def tensors(layers):
    """(name, shape, kind) in HF order; kind 'normal' or 'ones'."""
    yield "model.embed_tokens.weight", (VOCAB, HIDDEN), "normal"
    for i in range(layers):
        p = f"model.layers.{i}."
        yield p + "input_layernorm.weight", (HIDDEN,), "ones"
        yield p + "self_attn.q_proj.weight", (HEADS * HEAD_DIM, HIDDEN), "normal"
        yield p + "self_attn.k_proj.weight", (KV_HEADS * HEAD_DIM, HIDDEN), "normal"
        yield p + "self_attn.v_proj.weight", (KV_HEADS * HEAD_DIM, HIDDEN), "normal"
        yield p + "self_attn.o_proj.weight", (HIDDEN, HEADS * HEAD_DIM), "normal"
        yield p + "post_attention_layernorm.weight", (HIDDEN,), "ones"
        yield p + "mlp.gate_proj.weight", (INTERMEDIATE, HIDDEN), "normal"
        yield p + "mlp.up_proj.weight", (INTERMEDIATE, HIDDEN), "normal"
        yield p + "mlp.down_proj.weight", (HIDDEN, INTERMEDIATE), "normal"
    yield "model.norm.weight", (HIDDEN,), "ones"


def bfloat16_bytes(values):
    """float32 -> bfloat16 bits (round to nearest even), little-endian bytes."""
    bits = values.astype(np.float32).view(np.uint32)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype("<u2").tobytes()


def make(name, shape, kind, rng):
    if kind == "ones":
        return bfloat16_bytes(np.ones(shape, dtype=np.float32))
    # row by row blocks keep the float32 scratch under ~256 MB for the 128256 x 2048 embedding
    out = bytearray()
    rows_per_chunk = max(1, (64 << 20) // int(np.prod(shape[1:], dtype=np.int64)))
    for start in range(0, shape[0], rows_per_chunk):
        rows = min(rows_per_chunk, shape[0] - start)
        chunk = rng.standard_normal((rows,) + tuple(shape[1:]), dtype=np.float32) * np.float32(STD)
        out += bfloat16_bytes(chunk)
    return bytes(out)


def plan_shards(layers, shard_bytes):
    """Greedy split in tensor order, as transformers' save_pretrained(max_shard_size) does."""
    shards, current, size = [], [], 0
    for name, shape, kind in tensors(layers):
        nbytes = 2 * int(np.prod(shape, dtype=np.int64))
        if current and size + nbytes > shard_bytes:
            shards.append(current)
            current, size = [], 0
        current.append((name, shape, kind))
        size += nbytes
    shards.append(current)
    return shards


def write_shard(path, entries, rng):
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, _ in entries:
        nbytes = 2 * int(np.prod(shape, dtype=np.int64))
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)                         # 8-byte aligned data, as safetensors writes it
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for name, shape, kind in entries:
            f.write(make(name, shape, kind, rng))
    os.replace(tmp, path)
    return offset


def tokenizer(source_dir, out_dir):
    with open(os.path.join(source_dir, "tokenizer.json"), encoding="utf-8") as f:
        tok = json.load(f)
    vocab = tok["model"]["vocab"]
    first = max(vocab.values()) + 1
    for token_id in range(first, VOCAB):
        vocab[f"<|reserved_{token_id}|>"] = token_id      # no merge makes these: never produced by encode
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)
    with open(os.path.join(source_dir, "tokenizer_config.json"), encoding="utf-8") as f:
        tok_config = json.load(f)
    tok_config["model_max_length"] = 131072
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tok_config, f, indent=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--layers", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shard-bytes", type=float, default=1e9)
    parser.add_argument("--tokenizer-from", default=os.path.join(os.path.dirname(__file__), "..", "assets", "models",
                                                                 "stories260K"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    shards = plan_shards(args.layers, int(args.shard_bytes))
    weight_map, total = {}, 0
    for k, entries in enumerate(shards, start=1):
        name = f"model-{k:05d}-of-{len(shards):05d}.safetensors"
        total += write_shard(os.path.join(args.out, name), entries, rng)
        weight_map.update({entry[0]: name for entry in entries})
        print(f"wrote {name}: {len(entries)} tensors", file=sys.stderr)
    with open(os.path.join(args.out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config(args.layers), f, indent=2)
    tokenizer(args.tokenizer_from, args.out)
    params = total // 2
    print(json.dumps({"path": os.path.abspath(args.out), "parameters": params, "shards": len(shards),
                      "bytes": total}))


if __name__ == "__main__":
    main()
