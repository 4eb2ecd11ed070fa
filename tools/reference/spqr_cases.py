#!/usr/bin/python3
"""SpQR golden cases, computed by running the published SpQR code itself (Vahe1994/SpQR) on one layer.

Nothing of SpQR is copied into this repository: this driver imports upstream's spqr_engine.py (with its
quant_groups.py and weight_permutation.py) from a folder outside the repository, checks that those files
are byte for byte the ones of the pinned commit, and feeds them testvectors/layer_compression.safetensors
the way upstream's main.py (quantize_spqr) feeds a linear layer: SPQRUtil(layer), add_batch once per
calibration sequence (the forward hook sees [1, tokens, columns]), then SPQRUtil.quantize with the
arguments main.py passes. Run with Debian's python3-torch, on CPU, one thread:

  /usr/bin/python3 tools/reference/spqr_cases.py prepare GIT_DIR [UPSTREAM_DIR]
      writes the four upstream files of the pinned commit from a git directory holding Vahe1994/SpQR
      (a clone, or the bare snapshot the workplace's fetch tool gives: /work/.mirror/Vahe1994+SpQR/repo)
      into UPSTREAM_DIR (default /tmp/spqr-upstream, keep it outside the repository)
  /usr/bin/python3 tools/reference/spqr_cases.py generate testvectors [UPSTREAM_DIR]
      writes spqr_cases.safetensors and spqr_cases.json there (deterministic: same bytes every run)
  /usr/bin/python3 tools/reference/spqr_cases.py verify testvectors [UPSTREAM_DIR]
      re-runs every case through upstream and compares with the shipped files
  /usr/bin/python3 tools/reference/spqr_cases.py crosscheck testvectors
      runs our own float32 transcription (below; no upstream needed) and compares it with the shipped files
  /usr/bin/python3 tools/reference/spqr_cases.py bench [UPSTREAM_DIR [COLUMNS SEQUENCES TOKENS]]
      times upstream's add_batch and quantize (README recipe) on KernelBenchmark's synthetic 4096 x 4096 layer

Patches, applied from here and never by editing upstream's files (none changes the arithmetic):
  1. tqdm is not installed here; spqr_engine.py imports `tqdm.auto.tqdm` only to draw a progress bar when
     verbose=True. A stub module whose tqdm returns its iterable unchanged stands in (and verbose=False).
  2. main.py cannot be imported (it needs transformers and the datasets); its get_average_number_of_bits
     is taken out of main.py's source with ast and executed as written.
No CUDA call is reached on this path (SPQRUtil only uses the layer's device, here the CPU).
"""

import ast
import hashlib
import json
import math
import os
import subprocess
import sys
import types

import torch

from family_safetensors import read_safetensors, write_safetensors

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAYER = os.path.join(REPO, "testvectors", "layer_compression.safetensors")
DEFAULT_UPSTREAM = "/tmp/spqr-upstream"

# github.com/Vahe1994/SpQR, the snapshot the cases were made from; the three engine files last changed in
# 1445234 (2023-09-07), main.py in 264330a.
UPSTREAM_COMMIT = "543d10e56f921e5eeb10d5f0aaaccd30b6662d0e"
UPSTREAM_FILES = {
    "spqr_engine.py": "d10d298f83f20d94440ee8f3d86197644e6299249f615133a82baef8cbbb352c",
    "quant_groups.py": "fc243f88df820f305dcd7f573a225d7bfe763424afbfd0601a1056cf61840e2d",
    "weight_permutation.py": "3a39994c800ee405046518f0fcaa0bba80955d95a2da865fd2858883a6f09f7e",
    "main.py": "f1f225f89471e24e587d6ce76660e3c080dfe97d5f83cb211b598439c5a98a69",
}


# ---------------------------------------------------------------------------------------------------------
# The cases: main.py's command-line arguments. The README's recipe ("near-lossless", script.sh) is
# --wbits 3 --groupsize 16 --perchannel --qq_scale_bits 3 --qq_zero_bits 3 --qq_groupsize 16
# --outlier_threshold=0.2 --permutation_order act_order --percdamp 1e0; the README's own command line
# says --wbits 4 with the same rest. Flags it leaves out take main.py's argparse defaults: --sym off,
# --round_zero None (falsy: zero points stay fractional), --qq_zero_sym off, --simplified_outliers off;
# blocksize is SPQRUtil.quantize's default 128 (main.py does not pass it).

README_RECIPE = {
    "wbits": 3, "groupsize": 16, "perchannel": True, "sym": False,
    "qq_scale_bits": 3, "qq_zero_bits": 3, "qq_groupsize": 16, "qq_zero_sym": False, "round_zero": False,
    "outlier_threshold": 0.2, "permutation_order": "act_order", "percdamp": 1.0, "blocksize": 128,
    "simplified_outliers": False, "columns": 320,
}

CASES = {
    "spqr_readme": {},
    "spqr_4bit_g16": {"wbits": 4},
    "spqr_no_outliers": {"outlier_threshold": None},          # None: infinite, no outliers
    "spqr_identity_order": {"permutation_order": "identity"},
    "spqr_g32": {"groupsize": 32},
    "spqr_partial_group": {"columns": 300},                    # 300 = 18 * 16 + 12: last group 12 wide
    "spqr_simplified_outliers": {"simplified_outliers": True},
}


def case_parameters(name):
    return dict(README_RECIPE, **CASES[name])


# ---------------------------------------------------------------------------------------------------------
# Upstream, imported from outside the repository

def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def prepare(git_dir, upstream_dir=DEFAULT_UPSTREAM):
    os.makedirs(upstream_dir, exist_ok=True)
    for name in UPSTREAM_FILES:
        text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{UPSTREAM_COMMIT}:{name}"],
                              check=True, capture_output=True).stdout
        with open(os.path.join(upstream_dir, name), "wb") as f:
            f.write(text)
    check_upstream(upstream_dir)
    print(f"wrote {', '.join(UPSTREAM_FILES)} of {UPSTREAM_COMMIT} to {upstream_dir}")
    return 0


def check_upstream(upstream_dir):
    for name, digest in UPSTREAM_FILES.items():
        path = os.path.join(upstream_dir, name)
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing: run `prepare GIT_DIR {upstream_dir}` first")
        if sha256(path) != digest:
            raise SystemExit(f"{path} is not the file of SpQR {UPSTREAM_COMMIT} (sha256 differs)")


def load_upstream(upstream_dir):
    """spqr_engine (and quant_groups it imports) and main.get_average_number_of_bits, unmodified."""
    check_upstream(upstream_dir)
    try:
        import tqdm.auto  # noqa: F401
    except ModuleNotFoundError:
        # patch 1: a progress-bar stub; SPQRUtil.quantize only wraps its block iterator in it when verbose
        stub = types.ModuleType("tqdm")
        stub.auto = types.ModuleType("tqdm.auto")
        stub.auto.tqdm = stub.tqdm = lambda iterable, **kwargs: iterable
        sys.modules["tqdm"] = stub
        sys.modules["tqdm.auto"] = stub.auto
    sys.path.insert(0, upstream_dir)
    import spqr_engine
    import quant_groups
    # patch 2: main.py's get_average_number_of_bits, executed from main.py's own source
    with open(os.path.join(upstream_dir, "main.py")) as f:
        tree = ast.parse(f.read())
    function = next(node for node in tree.body
                    if isinstance(node, ast.FunctionDef) and node.name == "get_average_number_of_bits")
    namespace = {}
    exec(compile(ast.Module(body=[function], type_ignores=[]), "main.py", "exec"), namespace)
    return spqr_engine, quant_groups, namespace["get_average_number_of_bits"]


# ---------------------------------------------------------------------------------------------------------
# One case, fed as main.py's quantize_spqr feeds a sublayer

def run_case(upstream, params, W, X):
    spqr_engine, quant_groups, get_average_number_of_bits = upstream
    columns = params["columns"]
    W = W[:, :columns].contiguous()
    X = X[:, :, :columns].contiguous()
    layer = torch.nn.Linear(columns, W.shape[0], bias=False)
    layer.weight.data = W.clone()
    handler = spqr_engine.SPQRUtil(layer)
    for j in range(X.shape[0]):
        handler.add_batch(X[j].unsqueeze(0))        # the hook's inp[0] for layer(inps[j].unsqueeze(0))
    threshold = params["outlier_threshold"]
    result = handler.quantize(
        percdamp=params["percdamp"], bits=params["wbits"], groupsize=params["groupsize"], sym=params["sym"],
        perchannel=params["perchannel"], qq_groupsize=params["qq_groupsize"],
        round_zero=None if not params["round_zero"] else params["round_zero"],   # main.py's default is None
        qq_scale_bits=params["qq_scale_bits"], qq_zero_bits=params["qq_zero_bits"],
        qq_zero_sym=params["qq_zero_sym"],
        outlier_relative_threshold=float("inf") if threshold is None else threshold,
        permutation_order=params["permutation_order"], simplified_outliers=params["simplified_outliers"],
        blocksize=params["blocksize"], save_quantization=True, verbose=False)

    saved = result.save_quant_dict
    perm = result.perm
    invperm = torch.argsort(perm)
    mask = result.unstructured_outlier_mask[:, invperm]         # upstream returns it in permuted order
    # per group (in permuted column order): the codes of the first-order statistics and their second-order
    # scale/zero, and the first-order scale/zero they dequantize to (quant_groups.dequantize, as find_params)
    scale_codes = torch.stack([q.reshape(-1) for q in saved["quant_layer_scale"]], dim=1)
    zero_codes = torch.stack([q.reshape(-1) for q in saved["quant_layer_zeros"]], dim=1)
    scale_qq_scale = torch.cat(saved["quant_layer_scale_qq_scale"], dim=1)
    scale_qq_zero = torch.cat(saved["quant_layer_scale_qq_zero"], dim=1)
    zero_qq_scale = torch.cat(saved["quant_layer_zero_qq_scale"], dim=1)
    zero_qq_zero = torch.cat(saved["quant_layer_zero_qq_zero"], dim=1)
    per_qq_group = lambda t: t.repeat_interleave(params["qq_groupsize"], dim=0)
    scale = quant_groups.dequantize(scale_codes.float(), per_qq_group(scale_qq_scale), per_qq_group(scale_qq_zero))
    zero = quant_groups.dequantize(zero_codes.float(), per_qq_group(zero_qq_scale), per_qq_group(zero_qq_zero))

    outliers = int(result.unstructured_outlier_mask.to(torch.int32).sum().item())
    share = outliers / result.weight.numel()
    groups = scale_codes.shape[1]
    tensors = {
        "weight": ("F32", result.weight),
        "outlier_mask": ("U8", mask.to(torch.uint8)),
        "perm": ("I32", perm.to(torch.int32)),
        "permuted_codes": ("U8", saved["quant_weights"].to(torch.uint8)),    # upstream saves them as int8
        "scale": ("F32", scale), "zero": ("F32", zero),
        "scale_codes": ("U8", scale_codes.to(torch.uint8)), "zero_codes": ("U8", zero_codes.to(torch.uint8)),
        "scale_qq_scale": ("F32", scale_qq_scale), "scale_qq_zero": ("F32", scale_qq_zero),
        "zero_qq_scale": ("F32", zero_qq_scale), "zero_qq_zero": ("F32", zero_qq_zero),
    }
    groupsize = params["groupsize"]
    results = {
        "groups": groups,
        "last_group_columns": columns - (groups - 1) * groupsize,
        "outlier_count": outliers,
        "outlier_fraction": share,
        "outlier_threshold_absolute": None if math.isinf(result.unstructured_outlier_threshold)
                                      else result.unstructured_outlier_threshold,        # None: no outliers
        # main.py's number, with this layer standing for the whole model (global_ol_n_share = share)
        "avg_bits": get_average_number_of_bits(
            wbits=params["wbits"], qq_scale_bits=params["qq_scale_bits"], qq_zero_bits=params["qq_zero_bits"],
            qqq_scale_bits=16, qqq_zero_bits=16, groupsize=groupsize, qq_groupsize=params["qq_groupsize"],
            round_zero=None if not params["round_zero"] else params["round_zero"], global_ol_n_share=share),
        # the same formula before main.py's round(., 2): round_zero false branch plus 32 bits per outlier
        "avg_bits_unrounded": params["wbits"] + (params["qq_scale_bits"] + params["qq_zero_bits"]) / groupsize
                              + 2 * (16 + 16) / (groupsize * params["qq_groupsize"]) + 32 * share,
        "mean_squared_weight_change": (result.weight - W).pow(2).mean().item(),
    }
    return tensors, results


# ---------------------------------------------------------------------------------------------------------
# Our float32 transcription of the same procedure (what a port implements); `crosscheck` shows that it
# gives the shipped cases bit for bit, so the description in testvectors/README.md is complete.

def minmax_grid(x, maxq):
    """quant_groups.Quantizer.find_params(x, weight=True), perchannel, asymmetric, round_zero falsy: per row
    min and max (the range is not widened to contain 0; min == max becomes [-1, 1]), fractional zero."""
    xmin = x.min(1).values
    xmax = x.max(1).values
    same = xmin == xmax
    xmin[same] = -1
    xmax[same] = +1
    scale = (xmax - xmin) / maxq
    return scale, -xmin / scale


def quantize_dequantize(x, scale, zero, maxq):
    """quant_groups.quantize then dequantize: q = clamp(round(x / max(scale, 1e-9) + zero), 0, maxq)."""
    q = torch.clamp(torch.round(x / scale.clamp_min(1e-9) + zero), 0, maxq)
    return scale * (q - zero)


def second_level(values, bits, qq_groupsize):
    """find_params' qq_scale / qq_zero: the per-row statistic, in groups of qq_groupsize consecutive rows,
    min/max quantized to `bits` (asymmetric, fractional zero) and dequantized."""
    groups = values.reshape(-1, qq_groupsize)
    scale, zero = minmax_grid(groups, 2 ** bits - 1)
    return quantize_dequantize(groups, scale.unsqueeze(1), zero.unsqueeze(1), 2 ** bits - 1).reshape(-1)


def fit_group(group, p):
    """Quantizer.configure(wbits, perchannel, qq_*) + find_params: the group's per-row scale and zero."""
    scale, zero = minmax_grid(group, 2 ** p["wbits"] - 1)
    scale = second_level(scale, p["qq_scale_bits"], p["qq_groupsize"])
    zero = second_level(zero, p["qq_zero_bits"], p["qq_groupsize"])
    return scale.unsqueeze(1), zero.unsqueeze(1)


def leave_one_out_reduction(group, d, bits):
    """get_leave_one_out_error: per weight, how much the row's Hessian-weighted squared error
    sum_j ((q_j - w_j) / d_j)^2 drops when the grid is fitted without that weight (plain grid, no qq)."""
    maxq = 2 ** bits - 1
    rows, width = group.shape
    index = torch.arange(width)
    loo = index[1:] - (index[:, None] >= index[1:]).to(index.dtype)     # [width, width - 1]: all j != i
    data = group[:, loo].flatten(0, 1)
    scale, zero = minmax_grid(data, maxq)
    rebuilt = quantize_dequantize(data, scale.unsqueeze(1), zero.unsqueeze(1), maxq).reshape(rows, width, width - 1)
    loo_errors = ((rebuilt - group[:, loo]) / d[loo]).square().sum(-1)
    scale, zero = minmax_grid(group, maxq)
    rebuilt = quantize_dequantize(group, scale.unsqueeze(1), zero.unsqueeze(1), maxq)
    baseline = ((rebuilt - group) / d).square().sum(dim=1, keepdim=True)
    return baseline - loo_errors


def transcribed_spqr(W, X, p):
    """SPQRUtil.add_batch per sequence + SPQRUtil.quantize; returns the weight and outlier mask, original order."""
    columns = W.shape[1]
    H = torch.zeros((columns, columns))
    n = 0
    for j in range(X.shape[0]):                       # H = 2/n sum X X^T, one sequence at a time
        inp = X[j].t()
        H *= n / (n + 1)
        n += 1
        inp = math.sqrt(2 / n) * inp.float()
        H += inp.matmul(inp.t())
    if p["permutation_order"] == "act_order":
        perm = torch.argsort(torch.diag(H), descending=True)
    else:
        perm = torch.arange(columns)
    W = W[:, perm].clone()
    H = H[perm][:, perm]
    dead = torch.diag(H) == 0                         # before damping, unlike GPTQ
    diagonal = torch.arange(columns)
    H[diagonal, diagonal] += p["percdamp"] * abs(torch.diag(H)).mean()
    H[dead, dead] = 1
    W[:, dead] = 0
    U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)
    d = torch.diag(U)
    relative = float("inf") if p["outlier_threshold"] is None else p["outlier_threshold"]
    threshold = relative * (W.var(dim=0) / d.square()).mean().item()   # unbiased variance over rows
    groupsize, maxq, blocksize = p["groupsize"], 2 ** p["wbits"] - 1, p["blocksize"]
    errors = torch.zeros_like(W)
    mask = torch.zeros_like(W, dtype=torch.bool)
    for block_start in range(0, columns, blocksize):
        block_end = min(block_start + blocksize, columns)
        for c in range(block_start, block_end):
            if c % groupsize == 0:
                # the group as it stands now: every earlier column of this block has already updated it
                group = W[:, c:c + groupsize]
                if p["simplified_outliers"] or threshold == float("inf"):
                    scale, zero = fit_group(group, p)
                else:
                    likely = (leave_one_out_reduction(group, d[c:c + groupsize], p["wbits"]) > threshold).float()
                    keep = 1 - likely
                    mean = torch.sum(group * keep, dim=1, keepdim=True) / torch.sum(keep, dim=1, keepdim=True).clamp_min(1)
                    scale, zero = fit_group(group * keep + mean * (1 - keep), p)
            w = W[:, c]
            q = quantize_dequantize(w.unsqueeze(1), scale, zero, maxq).flatten()
            e = (w - q) / U[c, c]
            if threshold != float("inf"):
                outlier = e.square() > threshold
                mask[:, c] = outlier
                o = outlier.float()
                q = quantize_dequantize((w * (1 - o)).unsqueeze(1), scale, zero, maxq).flatten() * (1 - o) + w * o
                e = (w - q) / U[c, c]
            errors[:, c] = e
            W[:, c] = q
            W[:, c + 1:block_end].addr_(e, U[c, c + 1:block_end], alpha=-1)
        W[:, block_end:].addmm_(errors[:, block_start:block_end], U[block_start:block_end, block_end:], alpha=-1)
    invperm = torch.argsort(perm)
    return W[:, invperm], mask[:, invperm]


# ---------------------------------------------------------------------------------------------------------
# Commands

def load_layer():
    tensors, _ = read_safetensors(LAYER)
    return torch.from_numpy(tensors["weight"][1].copy()), torch.from_numpy(tensors["inputs"][1].copy())


def run_all(upstream_dir):
    torch.set_num_threads(1)
    upstream = load_upstream(upstream_dir)
    W, X = load_layer()
    out = {}
    for name in CASES:
        params = case_parameters(name)
        out[name] = (params,) + run_case(upstream, params, W, X)
    return out


def generate(directory, upstream_dir=DEFAULT_UPSTREAM):
    cases = run_all(upstream_dir)
    tensors = {}
    listing = {}
    for name, (params, case_tensors, results) in cases.items():
        for key, value in case_tensors.items():
            tensors[f"{name}.{key}"] = value
        listing[name] = {"parameters": params, "results": results}
        print(f"{name:26s} groups={results['groups']:2d} outliers={results['outlier_count']:4d} "
              f"({results['outlier_fraction']:.4%}) avg_bits={results['avg_bits']} "
              f"({results['avg_bits_unrounded']:.4f})")
    provenance = {"upstream": "https://github.com/Vahe1994/SpQR", "commit": UPSTREAM_COMMIT,
                  "files_sha256": UPSTREAM_FILES, "torch": torch.__version__, "threads": 1,
                  "layer": "testvectors/layer_compression.safetensors",
                  "made_by": "tools/reference/spqr_cases.py generate"}
    size = write_safetensors(os.path.join(directory, "spqr_cases.safetensors"), tensors,
                             {k: json.dumps(v) if not isinstance(v, str) else v for k, v in provenance.items()})
    with open(os.path.join(directory, "spqr_cases.json"), "w") as f:
        json.dump(dict(provenance, cases=listing), f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases ({size / 1e6:.2f} MB of tensors) with torch {torch.__version__}")
    return 0


def verify(directory, upstream_dir=DEFAULT_UPSTREAM):
    stored, _ = read_safetensors(os.path.join(directory, "spqr_cases.safetensors"))
    with open(os.path.join(directory, "spqr_cases.json")) as f:
        listing = json.load(f)["cases"]
    ok = True
    for name, (params, case_tensors, results) in run_all(upstream_dir).items():
        if params != listing[name]["parameters"] or results != listing[name]["results"]:
            print(f"{name}: parameters or scalar results differ from spqr_cases.json")
            ok = False
        exact = all(torch.equal(tensor, torch.from_numpy(stored[f"{name}.{key}"][1].copy()))
                    for key, (dtype, tensor) in case_tensors.items())
        print(f"{name:26s} {'identical' if exact else 'DIFFERS'}")
        ok &= exact
    print("all cases identical" if ok else "SOME CASES DIFFER")
    return 0 if ok else 1


def crosscheck(directory):
    torch.set_num_threads(1)
    stored, _ = read_safetensors(os.path.join(directory, "spqr_cases.safetensors"))
    W, X = load_layer()
    ok = True
    for name in CASES:
        params = case_parameters(name)
        columns = params["columns"]
        weight, mask = transcribed_spqr(W[:, :columns], X[:, :, :columns], params)
        same = (torch.equal(weight, torch.from_numpy(stored[f"{name}.weight"][1].copy()))
                and torch.equal(mask.to(torch.uint8), torch.from_numpy(stored[f"{name}.outlier_mask"][1].copy())))
        print(f"{name:26s} {'transcription bit-identical to upstream' if same else 'transcription DIFFERS'}")
        ok &= same
    return 0 if ok else 1


def bench(upstream_dir=DEFAULT_UPSTREAM, columns=4096, sequences=32, tokens=2048):
    """Upstream SPQRUtil itself on one synthetic linear of KernelBenchmark's shape (weights N(0, 0.02), inputs
    N(0, 1) times a per-feature scale from U[0.1, 3]) with the README recipe, 2 threads: add_batch per sequence
    (the Hessian) and quantize, timed."""
    import time
    columns, sequences, tokens = int(columns), int(sequences), int(tokens)
    torch.set_num_threads(2)
    spqr_engine, _, _ = load_upstream(upstream_dir)
    generator = torch.Generator().manual_seed(7)
    layer = torch.nn.Linear(columns, columns, bias=False)
    layer.weight.data = torch.randn(columns, columns, generator=generator) * 0.02
    feature_scale = torch.rand(columns, generator=generator) * 2.9 + 0.1
    handler = spqr_engine.SPQRUtil(layer)
    hessian = 0.0
    for _ in range(sequences):
        x = torch.randn(1, tokens, columns, generator=generator) * feature_scale
        start = time.perf_counter()
        handler.add_batch(x)
        hessian += time.perf_counter() - start
    p = case_parameters("spqr_readme")
    start = time.perf_counter()
    handler.quantize(percdamp=p["percdamp"], bits=p["wbits"], groupsize=p["groupsize"], sym=p["sym"], perchannel=True,
                     qq_groupsize=p["qq_groupsize"], round_zero=None, qq_scale_bits=p["qq_scale_bits"],
                     qq_zero_bits=p["qq_zero_bits"], qq_zero_sym=False, outlier_relative_threshold=p["outlier_threshold"],
                     permutation_order=p["permutation_order"], simplified_outliers=False, blocksize=p["blocksize"],
                     save_quantization=False, verbose=False)
    quantize = time.perf_counter() - start
    print(f"spqr hessian add_batch ({sequences}x{tokens} tokens): {hessian:.3f} s")
    print(f"spqr quantize README recipe: {quantize:.3f} s")
    return 0


def main(argv):
    if argv and argv[0] == "bench":
        return bench(*argv[1:5])
    if len(argv) >= 2 and argv[0] in ("prepare", "generate", "verify", "crosscheck"):
        command = {"prepare": prepare, "generate": generate, "verify": verify, "crosscheck": crosscheck}[argv[0]]
        return command(*argv[1:3])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
