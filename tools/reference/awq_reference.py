#!/usr/bin/python3
"""AWQ golden cases: a float32 transcription of mit-han-lab/llm-awq for one linear layer.

The transcription follows, line by line, llm-awq at commit d6e797a (files named at each step):
  awq/quantize/auto_scale.py   get_act_scale, auto_scale_block._search_module_scale, apply_scale
  awq/quantize/auto_clip.py    auto_clip_layer, apply_clip
  awq/quantize/quantizer.py    pseudo_quantize_tensor (zero_point=True, the only branch upstream uses)
  awq/quantize/pre_quant.py    run_awq: search scales, apply them (weight * s, inputs / s), search the clip
                               on the scaled weight with the scaled inputs, apply it;
  awq/entry.py                 then apply_awq on a fresh model and pseudo_quantize_model_weight.
The layer is its own scaling group: module2inspect = the linear, and prev_op is whatever the scales fold
into (a norm or the previous linear divides its output by s). Upstream runs a float16 model on a GPU; this
transcription runs float32 on the CPU, one thread. Run with Debian's python3-torch:

  /usr/bin/python3 tools/reference/awq_reference.py generate testvectors
      writes awq_cases.safetensors and awq_cases.json there (deterministic: same bytes every run)
  /usr/bin/python3 tools/reference/awq_reference.py verify testvectors
      recomputes every case and compares with the shipped files
  /usr/bin/python3 tools/reference/awq_reference.py crosscheck GIT_DIR
      runs upstream's own functions (pseudo_quantize_tensor, get_act_scale, _search_module_scale,
      auto_clip_layer, taken with ast from the pinned commit's files in a git directory holding
      mit-han-lab/llm-awq, e.g. the fetch tool's /work/.mirror/mit-han-lab+llm-awq/repo) on the same
      inputs and checks that they give bit-identical results to this transcription
  /usr/bin/python3 tools/reference/awq_reference.py bench [COLUMNS SEQUENCES TOKENS]
      times the transcription (2 threads) on KernelBenchmark's synthetic 4096 x 4096 layer, 32 x 2048 tokens
"""

import ast
import json
import os
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

from family_safetensors import read_safetensors, write_safetensors

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAYER = os.path.join(REPO, "testvectors", "layer_compression.safetensors")
UPSTREAM_COMMIT = "d6e797a42b9ef7778de8ee2352116e0f48a78d61"   # github.com/mit-han-lab/llm-awq

N_GRID = 20            # _search_module_scale and auto_clip_layer
MAX_SHRINK = 0.5       # auto_clip_layer default
N_SAMPLE_TOKEN = 512   # auto_clip_layer default

CASES = {
    "awq_4bit_g64": {"w_bit": 4, "q_group_size": 64, "clip": True},
    "awq_3bit_g64": {"w_bit": 3, "q_group_size": 64, "clip": True},
    "awq_4bit_g32": {"w_bit": 4, "q_group_size": 32, "clip": True},
    "awq_4bit_g64_noclip": {"w_bit": 4, "q_group_size": 64, "clip": False},   # run_awq(mse_range=False)
    # the layer's input channels are alike (mean |x| 3.8 to 5.0); AWQ is made for a few salient channels
    "awq_4bit_g64_spread": {"w_bit": 4, "q_group_size": 64, "clip": True, "inputs": "spread"},
}


def channel_spread(columns):
    """Power-of-two factors per input channel (exact in float32): 2^(((37 c) mod 5) - 2), i.e. 1/4 to 4,
    and 8 for the salient channels c = 7 (mod 40)."""
    exponents = [3 if c % 40 == 7 else (37 * c) % 5 - 2 for c in range(columns)]
    return torch.tensor([2.0 ** e for e in exponents])


# ---------------------------------------------------------------------------------------------------------
# quantizer.py

def pseudo_quantize_tensor(w, n_bit, q_group_size):
    """pseudo_quantize_tensor(w, n_bit, zero_point=True, q_group_size): returns the dequantized tensor and,
    per group (one row of the [-1, q_group_size] view), scales and zeros, plus the integer codes."""
    org_w_shape = w.shape
    if q_group_size > 0:
        assert org_w_shape[-1] % q_group_size == 0
        w = w.reshape(-1, q_group_size)
    # asymmetric min/max grid; the range is not widened to contain 0
    max_val = w.amax(dim=1, keepdim=True)
    min_val = w.amin(dim=1, keepdim=True)
    max_int = 2 ** n_bit - 1
    min_int = 0
    scales = (max_val - min_val).clamp(min=1e-5) / max_int
    zeros = (-torch.round(min_val / scales)).clamp_(min_int, max_int)
    # round half to even (torch.round), add the zero point, clamp, then back
    codes = torch.clamp(torch.round(w / scales) + zeros, min_int, max_int)
    w = (codes - zeros) * scales
    return w.reshape(org_w_shape), scales, zeros, codes.reshape(org_w_shape)


def w_quantize_func(p, w_bit, q_group_size):
    """auto_scale_block.w_quantize_func: pseudo_quantize_tensor(p, n_bit=w_bit, **q_config)."""
    return pseudo_quantize_tensor(p, w_bit, q_group_size)[0]


# ---------------------------------------------------------------------------------------------------------
# auto_scale.py

def get_act_scale(x):
    """get_act_scale: mean over all tokens of |x|, per input channel."""
    return x.abs().view(-1, x.shape[-1]).mean(0)


def search_module_scale(W, x, w_bit, q_group_size):
    """_search_module_scale(block=the linear, linears2scale=[the linear], x): the grid search of s = x_max^ratio.
    Returns best_ratio, best_scales and the loss of every grid point (upstream's `history`)."""
    org_out = F.linear(x, W)                         # block(x): nn.Linear without bias, x [sequences, tokens, in]
    x_max = get_act_scale(x)
    best_error = float("inf")
    best_ratio = -1
    best_scales = None
    history = []
    for ratio in range(N_GRID):
        ratio = ratio * 1 / N_GRID                   # a Python float; pow takes it as the exponent
        scales = x_max.pow(ratio).clamp(min=1e-4).view(-1)
        scales = scales / (scales.max() * scales.min()).sqrt()
        # fc.weight.mul_(scales); fc.weight.data = w_quantize_func(fc.weight.data) / scales
        scaled = W * scales.view(1, -1)
        candidate = w_quantize_func(scaled, w_bit, q_group_size) / (scales.view(1, -1))
        out = F.linear(x, candidate)
        loss = (org_out - out).float().pow(2).mean().item()   # mean over every output element
        history.append(loss)
        if loss < best_error:                        # strict: the first (smallest) ratio wins a tie
            best_error = loss
            best_ratio = ratio
            best_scales = scales
        # block.load_state_dict(org_sd): W is left untouched here
    if best_ratio == -1:
        raise ValueError(f"no finite loss in {history}")
    return best_ratio, best_scales.view(-1), history


def apply_scale(W, x, scales):
    """apply_scale with input_feat_dict: the linear's weight times s (scale_ln_fcs / scale_fc_fc /
    scale_gelu_fc all do fc.weight.mul_(scales.view(1, -1))), its cached input divided by s (inp.div_)."""
    return W * scales.view(1, -1), x / scales.view(1, -1)


# ---------------------------------------------------------------------------------------------------------
# auto_clip.py

def auto_clip_layer(w, input_feat, n_bit, q_group_size, n_grid=N_GRID, max_shrink=MAX_SHRINK,
                    n_sample_token=N_SAMPLE_TOKEN):
    """auto_clip_layer: per output row and group, the clip max_val = org_max * (1 - i / n_grid),
    i < max_shrink * n_grid, with the lowest mean squared error of the group's partial outputs.
    Returns best_max_val [rows, n_group] (upstream's [co, n_group, 1] squeezed) and, which upstream does not
    keep, the grid index i chosen (0: not clipped) and the error of every grid point [rows, n_group, i].
    Upstream runs the rows in batches of 256 (or 64) and asserts the row count divides; each row is
    independent, so one batch of all rows gives the same values (and 96 rows would fail that assertion)."""
    group_size = q_group_size if q_group_size > 0 else w.shape[1]
    # w [co, ci] -> [co, 1, n_group, group size]; input_feat [n_token, ci] -> [1, n_token, n_group, group size]
    input_feat = input_feat.view(-1, input_feat.shape[-1])
    input_feat = input_feat.reshape(1, input_feat.shape[0], -1, group_size)
    # every (n_token // n_sample_token)-th token; with fewer than n_sample_token tokens the step is 0 and
    # Python refuses the slice, as upstream does
    input_feat = input_feat[:, 0::input_feat.shape[1] // n_sample_token]
    w = w.reshape(w.shape[0], 1, -1, group_size)

    org_max_val = w.abs().amax(dim=-1, keepdim=True)       # co, 1, n_group, 1
    best_max_val = org_max_val.clone()
    min_errs = torch.ones_like(org_max_val) * 1e9
    best_index = torch.zeros_like(org_max_val, dtype=torch.int32)
    grid_errors = []
    org_out = (input_feat * w).sum(dim=-1)                 # co, n_token, n_group
    for i_s in range(int(max_shrink * n_grid)):
        max_val = org_max_val * (1 - i_s / n_grid)         # the Python float factor is rounded to float32
        min_val = -max_val
        cur_w = torch.clamp(w, min_val, max_val)
        q_w = pseudo_quantize_tensor(cur_w, n_bit, q_group_size)[0]
        cur_out = (input_feat * q_w).sum(dim=-1)
        err = (cur_out - org_out).pow(2).mean(dim=1).view(min_errs.shape)   # mean over tokens
        cur_best_idx = err < min_errs                      # strict: the smallest shrink wins a tie
        min_errs[cur_best_idx] = err[cur_best_idx]
        best_max_val[cur_best_idx] = max_val[cur_best_idx]
        best_index[cur_best_idx] = i_s
        grid_errors.append(err.squeeze(1).squeeze(-1))
    return best_max_val.squeeze(1).squeeze(-1), best_index.squeeze(1).squeeze(-1), torch.stack(grid_errors, -1)


def apply_clip(W, max_val):
    """apply_clip: clamp each group of the weight to [-max_val, max_val]."""
    org_shape = W.shape
    W = W.reshape(*max_val.shape[:2], -1)
    W = torch.clamp(W, -max_val.unsqueeze(-1), max_val.unsqueeze(-1))
    return W.reshape(org_shape)


# ---------------------------------------------------------------------------------------------------------
# One case: run_awq's order, then entry.py's pseudo quantization of the scaled, clipped weight

def run_case(spec, W, X):
    w_bit, q_group_size = spec["w_bit"], spec["q_group_size"]
    if spec.get("inputs") == "spread":
        X = X * channel_spread(X.shape[-1])
    best_ratio, scales, history = search_module_scale(W, X, w_bit, q_group_size)
    W_scaled, X_scaled = apply_scale(W, X, scales)
    tensors = {"scales": ("F32", scales), "scale_search_losses": ("F32", torch.tensor(history))}
    if spec["clip"]:
        max_val, clip_index, clip_grid_errors = auto_clip_layer(W_scaled, X_scaled, w_bit, q_group_size)
        W_scaled = apply_clip(W_scaled, max_val)
        tensors["max_val"] = ("F32", max_val)
        tensors["clip_index"] = ("I32", clip_index)
        tensors["clip_grid_errors"] = ("F32", clip_grid_errors)
    dequantized, group_scales, group_zeros, codes = pseudo_quantize_tensor(W_scaled, w_bit, q_group_size)
    rows = W.shape[0]
    # the layer keeps `dequantized` and reads x / s (prev_op folded); on the unscaled input it acts as W_eff
    effective = dequantized / scales.view(1, -1)
    tensors.update({
        "codes": ("I32", codes.to(torch.int32)),
        "group_scales": ("F32", group_scales.view(rows, -1)),
        "group_zeros": ("F32", group_zeros.view(rows, -1)),
        "weight": ("F32", effective),
    })
    ordered = sorted(history)
    org_out = F.linear(X, W)
    results = {
        "best_ratio": best_ratio,
        "best_index": history.index(min(history)),
        "scale_search_losses": history,
        # how far the runner-up is from the best loss, relative: a port must land on the same best ratio
        "runner_up_margin": (ordered[1] - ordered[0]) / ordered[0],
        "output_mse": (org_out - F.linear(X, effective)).pow(2).mean().item(),
        "rtn_output_mse": (org_out - F.linear(X, w_quantize_func(W, w_bit, q_group_size))).pow(2).mean().item(),
    }
    if spec["clip"]:
        results["clipped_groups"] = int(clip_index.gt(0).sum().item())
        results["groups"] = max_val.numel()
        # the smallest relative gap between a group's best and runner-up clip error
        errors = clip_grid_errors.sort(dim=-1).values
        results["clip_min_margin"] = ((errors[..., 1] - errors[..., 0]) / errors[..., 0]).min().item()
    return tensors, results


# ---------------------------------------------------------------------------------------------------------
# Commands

def load_layer():
    tensors, _ = read_safetensors(LAYER)
    return torch.from_numpy(tensors["weight"][1].copy()), torch.from_numpy(tensors["inputs"][1].copy())


def run_all():
    torch.set_num_threads(1)
    W, X = load_layer()
    return {name: (dict({"inputs": "layer"}, **spec, n_grid=N_GRID, max_shrink=MAX_SHRINK,
                        n_sample_token=N_SAMPLE_TOKEN, zero_point=True),) + run_case(spec, W, X)
            for name, spec in CASES.items()}


def generate(directory):
    W, X = load_layer()
    tensors = {"x_max": ("F32", get_act_scale(X)), "channel_spread": ("F32", channel_spread(X.shape[-1])),
               "x_max_spread": ("F32", get_act_scale(X * channel_spread(X.shape[-1])))}
    listing = {}
    for name, (params, case_tensors, results) in run_all().items():
        for key, value in case_tensors.items():
            tensors[f"{name}.{key}"] = value
        listing[name] = {"parameters": params, "results": results}
        print(f"{name:22s} best_ratio={results['best_ratio']:.2f} margin={results['runner_up_margin']:.2e} "
              f"output_mse={results['output_mse']:.4e} (rtn {results['rtn_output_mse']:.4e})"
              + (f" clipped {results['clipped_groups']}/{results['groups']} groups" if params["clip"] else ""))
    provenance = {"upstream": "https://github.com/mit-han-lab/llm-awq", "commit": UPSTREAM_COMMIT,
                  "torch": torch.__version__, "threads": 1, "layer": "testvectors/layer_compression.safetensors",
                  "made_by": "tools/reference/awq_reference.py generate"}
    size = write_safetensors(os.path.join(directory, "awq_cases.safetensors"), tensors,
                             {k: str(v) for k, v in provenance.items()})
    with open(os.path.join(directory, "awq_cases.json"), "w") as f:
        json.dump(dict(provenance, cases=listing), f, indent=1)
        f.write("\n")
    print(f"wrote {len(listing)} cases ({size / 1e6:.2f} MB of tensors) with torch {torch.__version__}")
    return 0


def verify(directory):
    stored, _ = read_safetensors(os.path.join(directory, "awq_cases.safetensors"))
    with open(os.path.join(directory, "awq_cases.json")) as f:
        listing = json.load(f)["cases"]
    ok = True
    for name, (params, case_tensors, results) in run_all().items():
        if params != listing[name]["parameters"] or results != listing[name]["results"]:
            print(f"{name}: parameters or scalar results differ from awq_cases.json")
            ok = False
        exact = all(torch.equal(tensor, torch.from_numpy(stored[f"{name}.{key}"][1].copy()))
                    for key, (dtype, tensor) in case_tensors.items())
        print(f"{name:22s} {'identical' if exact else 'DIFFERS'}")
        ok &= exact
    print("all cases identical" if ok else "SOME CASES DIFFER")
    return 0 if ok else 1


# ---------------------------------------------------------------------------------------------------------
# crosscheck: upstream's own functions, taken from its source with ast (their modules import transformers)

def upstream_functions(git_dir):
    def source(path):
        return subprocess.run(["git", "--git-dir", git_dir, "show", f"{UPSTREAM_COMMIT}:{path}"],
                              check=True, capture_output=True, text=True).stdout

    def functions(path, names, nested_in=None):
        tree = ast.parse(source(path))
        body = tree.body
        if nested_in is not None:
            body = next(n for n in body if isinstance(n, ast.FunctionDef) and n.name == nested_in).body
        return [n for n in body if isinstance(n, ast.FunctionDef) and n.name in names]

    namespace = {"torch": torch, "nn": torch.nn, "gc": __import__("gc")}
    nodes = (functions("awq/quantize/quantizer.py", {"pseudo_quantize_tensor"})
             + functions("awq/quantize/auto_clip.py", {"auto_clip_layer"})
             + functions("awq/quantize/auto_scale.py", {"get_act_scale"})
             + functions("awq/quantize/auto_scale.py", {"_search_module_scale"}, nested_in="auto_scale_block"))
    exec(compile(ast.Module(body=nodes, type_ignores=[]), "llm-awq", "exec"), namespace)
    return namespace


@torch.no_grad()
def crosscheck(git_dir):
    torch.set_num_threads(1)
    upstream = upstream_functions(git_dir)
    W, X_layer = load_layer()
    ok = True
    for name, spec in CASES.items():
        w_bit, q_group_size = spec["w_bit"], spec["q_group_size"]
        X = X_layer * channel_spread(X_layer.shape[-1]) if spec.get("inputs") == "spread" else X_layer
        q_config = {"zero_point": True, "q_group_size": q_group_size}
        upstream["w_quantize_func"] = lambda p: upstream["pseudo_quantize_tensor"](p, n_bit=w_bit, **q_config)
        layer = torch.nn.Linear(W.shape[1], W.shape[0], bias=False)
        layer.weight.data = W.clone()
        their_scales = upstream["_search_module_scale"](layer, [layer], X.clone())
        best_ratio, scales, _ = search_module_scale(W, X, w_bit, q_group_size)
        same = torch.equal(their_scales, scales) and torch.equal(upstream["get_act_scale"](X), get_act_scale(X))
        W_scaled, X_scaled = apply_scale(W, X, scales)
        if spec["clip"]:
            # upstream asserts rows % 64 == 0: pad to 128 rows with copies of rows 0..31 and keep the first 96
            padded = torch.cat([W_scaled, W_scaled[:128 - W.shape[0]]], dim=0)
            their_max = upstream["auto_clip_layer"](padded, X_scaled.clone(), n_bit=w_bit, q_config=q_config)
            max_val, _, _ = auto_clip_layer(W_scaled, X_scaled, w_bit, q_group_size)
            same &= torch.equal(their_max[:W.shape[0]].squeeze(-1), max_val)
            W_scaled = apply_clip(W_scaled, max_val)
        their_q, their_s, their_z = upstream["pseudo_quantize_tensor"](W_scaled, n_bit=w_bit, get_scale_zp=True,
                                                                       **q_config)
        ours_q, ours_s, ours_z, _ = pseudo_quantize_tensor(W_scaled, w_bit, q_group_size)
        same &= torch.equal(their_q, ours_q) and torch.equal(their_s.flatten(), ours_s.flatten()) \
            and torch.equal(their_z.flatten(), ours_z.flatten())
        print(f"{name:22s} {'bit-identical to upstream' if same else 'DIFFERS from upstream'}")
        ok &= same
    return 0 if ok else 1


def bench(columns=4096, sequences=32, tokens=2048):
    """The transcription's AWQ on one synthetic linear of KernelBenchmark's shape (weights N(0, 0.02), inputs
    N(0, 1) times a per-feature scale from U[0.1, 3]), 4-bit g128, timed step by step. The scale search runs
    upstream's twenty forwards of the linear over all tokens; the clip search runs upstream's batches of 256 rows."""
    columns, sequences, tokens = int(columns), int(sequences), int(tokens)
    torch.set_num_threads(2)
    generator = torch.Generator().manual_seed(7)
    W = torch.randn(columns, columns, generator=generator) * 0.02
    X = torch.randn(sequences, tokens, columns, generator=generator) * (torch.rand(columns, generator=generator) * 2.9 + 0.1)
    w_bit, q_group_size = 4, 128
    start = time.perf_counter()
    ratio, scales, _ = search_module_scale(W, X, w_bit, q_group_size)
    searched = time.perf_counter()
    W_scaled, X_scaled = apply_scale(W, X, scales)
    max_vals = []
    for rows in range(0, columns, 256):                    # auto_clip_layer's oc_batch_size
        max_val, _, _ = auto_clip_layer(W_scaled[rows:rows + 256], X_scaled, w_bit, q_group_size)
        max_vals.append(max_val)
    W_scaled = apply_clip(W_scaled, torch.cat(max_vals, 0))
    clipped = time.perf_counter()
    pseudo_quantize_tensor(W_scaled, w_bit, q_group_size)
    done = time.perf_counter()
    print(f"awq scale search 4-bit g128 ({sequences}x{tokens} tokens): {searched - start:.3f} s (alpha {ratio:.2f})")
    print(f"awq clip search 4-bit g128: {clipped - searched:.3f} s")
    print(f"awq quantize: {done - clipped:.3f} s")
    print(f"awq total 4-bit g128: {done - start:.3f} s")
    return 0


def main(argv):
    if argv and argv[0] == "bench":
        return bench(*argv[1:4])
    if len(argv) >= 2 and argv[0] in ("generate", "verify", "crosscheck"):
        return {"generate": generate, "verify": verify, "crosscheck": crosscheck}[argv[0]](argv[1])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
