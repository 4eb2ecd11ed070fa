#!/usr/bin/python3
"""Reference cases for compression-service, computed the way the published implementations compute them.

The procedures are transcriptions, in plain PyTorch float32, of
  - IST-DASLab/gptq gptq.py (GPTQ.add_batch, GPTQ.fasterquant) and quant.py (Quantizer.find_params with
    perchannel=True, weight=True, mse=False; quantize),
  - IST-DASLab/sparsegpt sparsegpt.py (SparseGPT.add_batch, SparseGPT.fasterprune, no quantizer),
  - locuslab/wanda lib/layerwrapper.py (WrappedGPT.add_batch: scaler_row) and lib/prune.py
    (prune_wanda without the variant, prune_magnitude),
with the model plumbing (hooks, layer loops, devices, printing) left out. Run with Debian's python3-torch:

  /usr/bin/python3 tools/reference/make_cases.py verify testvectors
      re-runs the 16 shipped golden cases from their inputs and compares (shows the transcription is faithful)
  /usr/bin/python3 tools/reference/make_cases.py generate compression-service/src/test/resources/reference
      writes extra_cases.safetensors (+ extra_cases.json) there
  /usr/bin/python3 tools/reference/make_cases.py bench [rows columns sequences tokens threads]
      times the Hessian, fasterquant 4-bit g128 and fasterprune 50% on 4096 x 4096 / 32 x 2048
"""

import json
import math
import struct
import sys
import time

import torch


# ---------------------------------------------------------------------------------------------------------
# Statistics (one call per calibration batch; the cases add one sequence at a time, as the golden file did)

class Hessian:
    """GPTQ.add_batch / SparseGPT.add_batch: running average H = 2/n sum X X^T, float32."""

    def __init__(self, columns):
        self.H = torch.zeros((columns, columns))
        self.nsamples = 0

    def add_batch(self, inp):
        if inp.dim() == 2:
            inp = inp.unsqueeze(0)
        batch = inp.shape[0]
        inp = inp.reshape((-1, inp.shape[-1])).t()
        # rescale the old average, then add the new sequences already scaled by sqrt(2 / n)
        self.H *= self.nsamples / (self.nsamples + batch)
        self.nsamples += batch
        inp = math.sqrt(2 / self.nsamples) * inp.float()
        self.H += inp.matmul(inp.t())


class ScalerRow:
    """WrappedGPT.add_batch: per input feature, running average over sequences of sum_t x^2."""

    def __init__(self, columns):
        self.scaler_row = torch.zeros(columns)
        self.nsamples = 0

    def add_batch(self, inp):
        if inp.dim() == 2:
            inp = inp.unsqueeze(0)
        batch = inp.shape[0]
        inp = inp.reshape((-1, inp.shape[-1])).t()
        self.scaler_row *= self.nsamples / (self.nsamples + batch)
        self.nsamples += batch
        inp = inp.type(torch.float32)
        self.scaler_row += torch.norm(inp, p=2, dim=1) ** 2 / self.nsamples


# ---------------------------------------------------------------------------------------------------------
# The min/max quantizer of quant.py, per output row (perchannel=True, weight=True)

def find_params(x, maxq, sym):
    """Scale and zero point [rows, 1] of each row of x; the grid always contains 0."""
    x = x.flatten(1)
    tmp = torch.zeros(x.shape[0])
    xmin = torch.minimum(x.min(1)[0], tmp)
    xmax = torch.maximum(x.max(1)[0], tmp)
    if sym:
        xmax = torch.maximum(torch.abs(xmin), xmax)
        negative = xmin < 0
        if torch.any(negative):
            xmin[negative] = -xmax[negative]
    both_zero = (xmin == 0) & (xmax == 0)
    xmin[both_zero] = -1
    xmax[both_zero] = +1
    scale = (xmax - xmin) / maxq
    if sym:
        zero = torch.full_like(scale, (maxq + 1) / 2)
    else:
        zero = torch.round(-xmin / scale)
    return scale.reshape((-1, 1)), zero.reshape((-1, 1))


def quantize(x, scale, zero, maxq):
    q = torch.clamp(torch.round(x / scale) + zero, 0, maxq)
    return scale * (q - zero)


# ---------------------------------------------------------------------------------------------------------
# Methods

def upper_cholesky_of_damped_inverse(H, percdamp):
    """Dampen the diagonal by percdamp * mean(diag H), then cholesky(cholesky_inverse(cholesky(H)), upper)."""
    columns = H.shape[0]
    damp = percdamp * torch.mean(torch.diag(H))
    diag = torch.arange(columns)
    H[diag, diag] += damp
    H = torch.linalg.cholesky(H)
    H = torch.cholesky_inverse(H)
    return torch.linalg.cholesky(H, upper=True)


def gptq(W, H, bits, groupsize=-1, sym=False, actorder=False, blocksize=128, percdamp=0.01):
    """GPTQ.fasterquant (static_groups=False); returns the dequantized weight. W and H are not modified."""
    W = W.clone().float()
    H = H.clone()
    columns = W.shape[1]
    maxq = 2 ** bits - 1
    scale, zero = find_params(W, maxq, sym)

    # dead inputs
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0

    if actorder:
        perm = torch.argsort(torch.diag(H), descending=True)
        W = W[:, perm]
        H = H[perm][:, perm]
        invperm = torch.argsort(perm)

    Losses = torch.zeros_like(W)             # the reference's error report; kept so timings compare like for like
    Q = torch.zeros_like(W)
    Hinv = upper_cholesky_of_damped_inverse(H, percdamp)

    for i1 in range(0, columns, blocksize):
        i2 = min(i1 + blocksize, columns)
        count = i2 - i1
        W1 = W[:, i1:i2].clone()
        Q1 = torch.zeros_like(W1)
        Err1 = torch.zeros_like(W1)
        Losses1 = torch.zeros_like(W1)
        Hinv1 = Hinv[i1:i2, i1:i2]
        for i in range(count):
            w = W1[:, i]
            d = Hinv1[i, i]
            # a group's grid comes from W as it stands at the start of this block
            if groupsize != -1 and (i1 + i) % groupsize == 0:
                scale, zero = find_params(W[:, (i1 + i):(i1 + i + groupsize)], maxq, sym)
            q = quantize(w.unsqueeze(1), scale, zero, maxq).flatten()
            Q1[:, i] = q
            Losses1[:, i] = (w - q) ** 2 / d ** 2
            err1 = (w - q) / d
            W1[:, i:] -= err1.unsqueeze(1).matmul(Hinv1[i, i:].unsqueeze(0))
            Err1[:, i] = err1
        Q[:, i1:i2] = Q1
        Losses[:, i1:i2] = Losses1 / 2
        # lazy batch update of the columns after the block
        W[:, i2:] -= Err1.matmul(Hinv[i1:i2, i2:])

    torch.sum(Losses).item()
    if actorder:
        Q = Q[:, invperm]
    return Q


def sparsegpt(W, H, sparsity=0.0, prunen=0, prunem=0, blocksize=128, percdamp=0.01):
    """SparseGPT.fasterprune without a quantizer; returns the pruned, compensated weight."""
    W = W.clone().float()
    H = H.clone()
    columns = W.shape[1]

    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0

    Losses = torch.zeros(W.shape[0])
    Hinv = upper_cholesky_of_damped_inverse(H, percdamp)

    for i1 in range(0, columns, blocksize):
        i2 = min(i1 + blocksize, columns)
        count = i2 - i1
        W1 = W[:, i1:i2].clone()
        Q1 = torch.zeros_like(W1)
        Err1 = torch.zeros_like(W1)
        Losses1 = torch.zeros_like(W1)
        Hinv1 = Hinv[i1:i2, i1:i2]

        # unstructured: one threshold of the saliency w^2 / [Hinv]_qq^2 over the whole block
        if prunen == 0:
            tmp = W1 ** 2 / (torch.diag(Hinv1).reshape((1, -1))) ** 2
            thresh = torch.sort(tmp.flatten())[0][int(tmp.numel() * sparsity)]
            mask1 = tmp <= thresh
        else:
            mask1 = torch.zeros_like(W1) == 1

        for i in range(count):
            w = W1[:, i]
            d = Hinv1[i, i]
            # N:M: the n lowest saliencies of each row's next m columns, chosen from the updated weights
            if prunen != 0 and i % prunem == 0:
                tmp = W1[:, i:(i + prunem)] ** 2 / (torch.diag(Hinv1)[i:(i + prunem)].reshape((1, -1))) ** 2
                mask1.scatter_(1, i + torch.topk(tmp, prunen, dim=1, largest=False)[1], True)
            q = w.clone()
            q[mask1[:, i]] = 0
            Q1[:, i] = q
            Losses1[:, i] = (w - q) ** 2 / d ** 2
            err1 = (w - q) / d
            W1[:, i:] -= err1.unsqueeze(1).matmul(Hinv1[i, i:].unsqueeze(0))
            Err1[:, i] = err1

        W[:, i1:i2] = Q1
        Losses += torch.sum(Losses1, 1) / 2
        W[:, i2:] -= Err1.matmul(Hinv[i1:i2, i2:])
    torch.sum(Losses).item()
    return W


def nm_mask(W_metric, prune_n, prune_m):
    """prune_wanda / prune_magnitude N:M: per row, the n lowest of every m consecutive columns."""
    W_mask = torch.zeros_like(W_metric) == 1
    for ii in range(W_metric.shape[1]):
        if ii % prune_m == 0:
            tmp = W_metric[:, ii:(ii + prune_m)].float()
            W_mask.scatter_(1, ii + torch.topk(tmp, prune_n, dim=1, largest=False)[1], True)
    return W_mask


def wanda(W, scaler_row, sparsity=0.0, prune_n=0, prune_m=0):
    """prune_wanda (use_variant=False): score |W| * sqrt(scaler_row), compared within each output row."""
    W_metric = torch.abs(W) * torch.sqrt(scaler_row.reshape((1, -1)))
    if prune_n != 0:
        W_mask = nm_mask(W_metric, prune_n, prune_m)
    else:
        W_mask = torch.zeros_like(W_metric) == 1
        sort_res = torch.sort(W_metric, dim=-1, stable=True)
        indices = sort_res[1][:, :int(W_metric.shape[1] * sparsity)]
        W_mask.scatter_(1, indices, True)
    W = W.clone()
    W[W_mask] = 0
    return W


def magnitude(W, sparsity=0.0, prune_n=0, prune_m=0):
    """prune_magnitude: |W| against one threshold over the whole matrix, or N:M per row."""
    W_metric = torch.abs(W)
    if prune_n != 0:
        W_mask = nm_mask(W_metric, prune_n, prune_m)
    else:
        thresh = torch.sort(W_metric.flatten())[0][int(W.numel() * sparsity)]
        W_mask = W_metric <= thresh
    W = W.clone()
    W[W_mask] = 0
    return W


def rtn(W, bits, groupsize=-1, sym=False):
    """The quant.py grid without error compensation, per row or per group of columns of each row."""
    maxq = 2 ** bits - 1
    width = W.shape[1] if groupsize == -1 else groupsize
    Q = torch.zeros_like(W)
    for g in range(0, W.shape[1], width):
        scale, zero = find_params(W[:, g:g + width], maxq, sym)
        Q[:, g:g + width] = quantize(W[:, g:g + width], scale, zero, maxq)
    return Q


def run_case(spec, W, inputs):
    """One case of the cases JSON; statistics are accumulated one sequence at a time."""
    method = spec["method"]
    columns = W.shape[1]
    if method in ("gptq", "sparsegpt"):
        hessian = Hessian(columns)
        for s in range(inputs.shape[0]):
            hessian.add_batch(inputs[s:s + 1])
        if method == "gptq":
            return gptq(W, hessian.H, spec["bits"], spec["group_size"], spec["sym"], spec["act_order"],
                        spec["block_size"], spec["damp"])
        return sparsegpt(W, hessian.H, spec.get("sparsity", 0.0), spec.get("n", 0), spec.get("m", 0),
                         spec["block_size"], spec["damp"])
    if method == "wanda":
        return wanda(W, scaler_row(inputs), spec.get("sparsity", 0.0), spec.get("n", 0), spec.get("m", 0))
    if method == "magnitude":
        return magnitude(W, spec.get("sparsity", 0.0), spec.get("n", 0), spec.get("m", 0))
    if method == "rtn":
        return rtn(W, spec["bits"], spec["group_size"], spec["sym"])
    raise ValueError("method: unknown " + method)


def scaler_row(inputs):
    rows = ScalerRow(inputs.shape[-1])
    for s in range(inputs.shape[0]):
        rows.add_batch(inputs[s:s + 1])
    return rows.scaler_row


# ---------------------------------------------------------------------------------------------------------
# safetensors by hand: 8-byte little-endian header length, JSON header, raw little-endian data

def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} has dtype {info['dtype']}, only F32 is read")
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + length + begin:8 + length + end])
        tensors[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(info["shape"]).clone()
    return tensors, header.get("__metadata__", {})


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        if sys.byteorder != "little":
            raise RuntimeError("this writer assumes a little-endian machine")
        blob = tensor.contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)          # pad so the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


# ---------------------------------------------------------------------------------------------------------
# Commands

def compare(name, actual, expected):
    scale = torch.clamp(expected.abs(), min=1e-3)
    deviation = (actual - expected).abs() / scale
    within = (deviation <= 1e-4).float().mean().item()
    masks = ((actual == 0) != (expected == 0)).sum().item()
    exact = (actual == expected).float().mean().item()
    print(f"{name:24s} exact={exact:.5f} within1e-4={within:.5f} worst={deviation.max().item():.2e} "
          f"mask_mismatches={masks}")
    return within >= 0.999


def verify(directory):
    tensors, metadata = read_safetensors(directory + "/layer_compression.safetensors")
    with open(directory + "/layer_compression_cases.json") as f:
        cases = json.load(f)
    ok = compare("wanda_scaler_row", scaler_row(tensors["inputs"]), tensors["wanda_scaler_row"])
    for name, spec in cases.items():
        ok &= compare(name, run_case(spec, tensors["weight"], tensors["inputs"]), tensors[name])
    print("all within tolerance" if ok else "SOME CASES DIFFER")
    return 0 if ok else 1


def correlated_inputs(generator, sequences, tokens, columns, dead_columns=()):
    """Token features that share a few latent factors, with feature scales spread over ~2 decades."""
    latent = torch.randn((sequences, tokens, columns // 4), generator=generator)
    mixing = torch.randn((columns // 4, columns), generator=generator) / math.sqrt(columns // 4)
    noise = 0.3 * torch.randn((sequences, tokens, columns), generator=generator)
    feature_scale = torch.exp(torch.randn(columns, generator=generator))
    x = (latent.matmul(mixing) + noise) * feature_scale
    for j in dead_columns:
        x[:, :, j] = 0
    return x


def layer_weight(generator, rows, columns):
    """Roughly Gaussian weights with a few larger outliers, like trained linears."""
    W = 0.05 * torch.randn((rows, columns), generator=generator)
    outliers = torch.rand((rows, columns), generator=generator) < 0.01
    W[outliers] *= 6
    return W


# Layer "a": [96, 160] (160 = one 128-column block and a 32-column remainder), 6 x 48 tokens.
# Layer "b": [64, 257] (odd width, column 100 never active: a dead input), 6 x 48 tokens.
# Layer "c": [48, 96], 4 x 40 tokens, for N:M groups of 2, 3 and 6 columns.
LAYERS = {
    "a": {"rows": 96, "columns": 160, "sequences": 6, "tokens": 48, "dead": []},
    "b": {"rows": 64, "columns": 257, "sequences": 6, "tokens": 48, "dead": [100]},
    "c": {"rows": 48, "columns": 96, "sequences": 4, "tokens": 40, "dead": []},
}


def gptq_spec(bits, group_size, sym, act_order, block_size=128):
    return {"method": "gptq", "bits": bits, "group_size": group_size, "act_order": act_order, "sym": sym,
            "damp": 0.01, "block_size": block_size}


def sparsegpt_spec(block_size, sparsity=None, n=None, m=None):
    spec = {"method": "sparsegpt", "damp": 0.01, "block_size": block_size}
    spec.update({"sparsity": sparsity} if n is None else {"n": n, "m": m})
    return spec


CASES = {
    # layer a
    "a_gptq_b4_g32_actorder": ("a", gptq_spec(4, 32, False, True)),
    "a_gptq_b3_g32_sym": ("a", gptq_spec(3, 32, True, False)),
    "a_gptq_b3_g32_sym_actorder": ("a", gptq_spec(3, 32, True, True)),
    "a_gptq_b2_g48_block64": ("a", gptq_spec(2, 48, False, False, 64)),   # groups straddle blocks
    "a_gptq_b8": ("a", gptq_spec(8, -1, False, False)),
    "a_rtn_b4_g32_sym": ("a", {"method": "rtn", "bits": 4, "group_size": 32, "sym": True}),
    "a_sparsegpt_2of4_block64": ("a", sparsegpt_spec(64, n=2, m=4)),
    "a_sparsegpt_4of8_block32": ("a", sparsegpt_spec(32, n=4, m=8)),
    "a_sparsegpt_s60_block64": ("a", sparsegpt_spec(64, sparsity=0.6)),
    "a_wanda_4of8": ("a", {"method": "wanda", "n": 4, "m": 8}),
    "a_magnitude_4of8": ("a", {"method": "magnitude", "n": 4, "m": 8}),
    # layer b
    "b_gptq_b4_g32_actorder": ("b", gptq_spec(4, 32, False, True)),          # last group: 1 column
    "b_gptq_b3_actorder_sym_block100": ("b", gptq_spec(3, -1, True, True, 100)),
    "b_gptq_b4_g64": ("b", gptq_spec(4, 64, False, False)),
    "b_rtn_b3_g32": ("b", {"method": "rtn", "bits": 3, "group_size": 32, "sym": False}),
    "b_sparsegpt_s50_block64": ("b", sparsegpt_spec(64, sparsity=0.5)),
    "b_wanda_s50": ("b", {"method": "wanda", "sparsity": 0.5}),
    "b_magnitude_s40": ("b", {"method": "magnitude", "sparsity": 0.4}),
    # layer c
    "c_sparsegpt_1of2_block48": ("c", sparsegpt_spec(48, n=1, m=2)),
    "c_sparsegpt_1of3_block48": ("c", sparsegpt_spec(48, n=1, m=3)),
    "c_sparsegpt_4of6_block48": ("c", sparsegpt_spec(48, n=4, m=6)),
}


def generate(directory, seed=20240605):
    generator = torch.Generator().manual_seed(seed)
    tensors = {}
    layers = {}
    for name, layer in LAYERS.items():
        W = layer_weight(generator, layer["rows"], layer["columns"])
        X = correlated_inputs(generator, layer["sequences"], layer["tokens"], layer["columns"], layer["dead"])
        tensors[name + "_weight"] = W
        tensors[name + "_inputs"] = X
        tensors[name + "_wanda_scaler_row"] = scaler_row(X)
        layers[name] = {k: layer[k] for k in ("rows", "columns", "sequences", "tokens", "dead")}
    cases = {}
    for name, (layer, spec) in CASES.items():
        tensors[name] = run_case(spec, tensors[layer + "_weight"], tensors[layer + "_inputs"])
        cases[name] = dict(spec, layer=layer)
    metadata = {"torch": torch.__version__, "seed": str(seed), "layers": json.dumps(layers),
                "cases": json.dumps(cases), "made_by": "tools/reference/make_cases.py generate"}
    write_safetensors(directory + "/extra_cases.safetensors", tensors, metadata)
    with open(directory + "/extra_cases.json", "w") as f:
        json.dump({"torch": torch.__version__, "seed": seed, "layers": layers, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases ({sum(t.numel() for t in tensors.values()) * 4 / 1e6:.2f} MB) "
          f"with torch {torch.__version__}")
    return 0


def bench(rows=4096, columns=4096, sequences=32, tokens=2048, threads=2):
    """Times the reference kernels on synthetic values of real shapes (compare KernelBenchmark)."""
    torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(1)
    W = 0.02 * torch.randn((rows, columns), generator=generator)
    X = torch.randn((sequences, tokens, columns), generator=generator)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, W [{rows}, {columns}], "
          f"X [{sequences}, {tokens}, {columns}]")
    hessian = Hessian(columns)
    start = time.perf_counter()
    for s in range(sequences):
        hessian.add_batch(X[s:s + 1])
    seconds = time.perf_counter() - start
    gflops = 2.0 * sequences * tokens * columns * columns / seconds / 1e9
    print(f"hessian add_batch x{sequences}: {seconds:.2f} s ({gflops:.0f} GFLOP/s)")
    del X
    repeats = 3
    for label, run in (("gptq fasterquant 4-bit g128", lambda: gptq(W, hessian.H, 4, 128)),
                       ("sparsegpt fasterprune 50%", lambda: sparsegpt(W, hessian.H, 0.5))):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        print(f"{label}: best of {repeats} {min(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})")
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "verify":
        return verify(argv[1])
    if len(argv) >= 2 and argv[0] == "generate":
        return generate(argv[1])
    if len(argv) >= 1 and argv[0] == "bench":
        return bench(*[int(a) for a in argv[1:]])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
