"""Safetensors and sharded-checkpoint I/O for the family reference (no safetensors package needed).

Format (huggingface/safetensors docs): 8-byte little-endian header length N, N bytes of JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then the raw
little-endian tensor bytes, offsets relative to the end of the header. BF16 is the top 16 bits of the
float32 with the same value (round to nearest even when narrowing).

A sharded checkpoint adds model.safetensors.index.json: {"metadata": {"total_size": bytes},
"weight_map": {tensor name: shard file}}, as transformers' save_pretrained writes it.
"""

import json
import os
import struct
import sys

import numpy as np
import torch

# safetensors dtype names and their numpy little-endian element types
NUMPY_TYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "|u1", "BF16": "<u2"}


def float32_to_bf16_bits(values):
    """Round float32 values to bfloat16 (nearest, ties to even) and return the 16-bit patterns."""
    bits = np.ascontiguousarray(values, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype("<u2")


def bf16_bits_to_float32(bits):
    """Widen bfloat16 bit patterns to the float32 values they denote (exact)."""
    return (np.asarray(bits, dtype="<u2").astype("<u4") << 16).view("<f4")


def encode(tensor, dtype):
    """Bytes of a torch tensor stored as the given safetensors dtype."""
    if sys.byteorder != "little":
        raise RuntimeError("this writer assumes a little-endian machine")
    values = tensor.detach().contiguous().cpu().numpy()
    if dtype == "BF16":
        return float32_to_bf16_bits(values.astype(np.float32)).tobytes()
    return values.astype(NUMPY_TYPES[dtype]).tobytes()


def write_safetensors(path, tensors, metadata):
    """tensors: {name: (dtype, torch tensor)} written in name order; metadata: {str: str}."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        dtype, tensor = tensors[name]
        blob = encode(tensor, dtype)
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)          # pad so the data starts 8-byte aligned, as safetensors does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
    return offset


def read_safetensors(path):
    """{name: (dtype, numpy array as stored)}, metadata. BF16 arrays come back as their uint16 bit patterns."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[8 + length + begin:8 + length + end]
        array = np.frombuffer(raw, dtype=NUMPY_TYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = (info["dtype"], array)
    return tensors, header.get("__metadata__", {})


def as_float64(dtype, array):
    """The stored values as a float64 torch tensor (every dtype here widens exactly)."""
    if dtype == "BF16":
        array = bf16_bits_to_float32(array)
    return torch.from_numpy(np.array(array, dtype=np.float64))


def read_checkpoint(folder):
    """All weights of a HuggingFace folder as float64 tensors, following model.safetensors.index.json if present."""
    index_path = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index_path):
        with open(index_path) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    weights = {}
    for file in files:
        tensors, _ = read_safetensors(os.path.join(folder, file))
        for name, (dtype, array) in tensors.items():
            weights[name] = as_float64(dtype, array)
    return weights


def write_checkpoint(folder, tensors, dtype, shards=1):
    """Writes {name: tensor} as model.safetensors, or as `shards` files plus the index, split in name order."""
    names = sorted(tensors)
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), {n: (dtype, tensors[n]) for n in names},
                          {"format": "pt"})
        return ["model.safetensors"]
    # split by bytes, keeping name order, so every shard holds roughly the same amount
    sizes = [tensors[n].numel() * (2 if dtype == "BF16" else 4) for n in names]
    total = sum(sizes)
    groups = [[] for _ in range(shards)]
    running = 0
    for name, size in zip(names, sizes):
        groups[min(shards - 1, running * shards // total)].append(name)
        running += size
    files = [f"model-{i + 1:05d}-of-{shards:05d}.safetensors" for i in range(shards)]
    weight_map = {}
    for file, group in zip(files, groups):
        write_safetensors(os.path.join(folder, file), {n: (dtype, tensors[n]) for n in group}, {"format": "pt"})
        weight_map.update({n: file for n in group})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
        f.write("\n")
    return files
