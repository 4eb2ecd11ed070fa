"""Rotary position embeddings as transformers v5 computes them, transcribed into float64.

Read from huggingface/transformers src/transformers/modeling_rope_utils.py (the 2026 main-branch text, with
`RotaryEmbeddingConfigMixin`, `dynamic_rope_update`, `ROPE_INIT_FUNCTIONS`) and the per-model rotary classes
(`LlamaRotaryEmbedding.compute_default_rope_parameters`, `Gemma3RotaryEmbedding`, Phi3's
`apply_rotary_pos_emb`). transformers computes inv_freq, angles, cos and sin in float32; here every step is
float64, so the values are the exact ones its float32 arithmetic approximates.

Vocabulary: `params` is one rope-parameters dict after standardization ({"rope_type", "rope_theta", "factor",
...}); `dim` is the rotary dimension (head_dim * partial_rotary_factor); inv_freq has dim / 2 entries.
"""

import copy
import math

import torch

F64 = torch.float64


def head_dim_of(config):
    """`getattr(config, "head_dim", None) or hidden_size // num_attention_heads` (every attention class)."""
    return config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]


# ---------------------------------------------------------------------------------------------------------
# Config -> rope parameters (v5 moved rope_theta / rope_scaling into one `rope_parameters` dict)

def standardize(config, params):
    """RotaryEmbeddingConfigMixin.standardize_rope_params, case 1 (one dict for the whole model)."""
    params.setdefault("rope_type", params.get("type", "default"))    # BC: "type" was the old key
    if config.get("partial_rotary_factor") is not None:            # top-level attribute wins (Phi3, ...)
        params["partial_rotary_factor"] = config["partial_rotary_factor"]
    if params["rope_type"] in ("llama3", "yarn", "longrope"):
        if "original_max_position_embeddings" in config:           # Phi3 keeps it top-level; it takes priority
            params["original_max_position_embeddings"] = config["original_max_position_embeddings"]
        else:
            params.setdefault("original_max_position_embeddings", config["max_position_embeddings"])
    return params


def rope_parameters_by_layer_type(config):
    """{layer_type: params}. Gemma3 has one dict per layer type; every other family one dict for all layers.

    Generic: RotaryEmbeddingConfigMixin.convert_rope_params_to_dict: `rope_scaling` (v4 name) or
    `rope_parameters` (v5 name), then rope_theta from the dict, else the top-level `rope_theta` (v4 layout).
    Gemma3: Gemma3TextConfig.convert_rope_params_to_dict: v4 `rope_scaling` updates the full_attention dict,
    top-level `rope_theta` is the full_attention theta and `rope_local_base_freq` the sliding_attention theta.
    """
    if config["model_type"] == "gemma3_text":
        params = copy.deepcopy(config.get("rope_parameters")) or {
            "sliding_attention": {"rope_type": "default"}, "full_attention": {"rope_type": "default"}}
        if config.get("rope_scaling"):
            params["full_attention"].update(config["rope_scaling"])
        params["full_attention"].setdefault("rope_theta", config.get("rope_theta", 1_000_000.0))
        params["sliding_attention"].setdefault("rope_theta", config.get("rope_local_base_freq", 10_000.0))
        for layer_type in params:                                   # standardize_rope_params, case 2
            params[layer_type].setdefault("rope_type", params[layer_type].get("type", "default"))
        return params
    params = copy.deepcopy(config.get("rope_scaling") or config.get("rope_parameters") or {})
    params.setdefault("rope_theta", config.get("rope_theta", 10_000.0))
    params = standardize(config, params)
    return {"full_attention": params, "sliding_attention": params}


# ---------------------------------------------------------------------------------------------------------
# ROPE_INIT_FUNCTIONS: (inv_freq, attention_factor) per rope type

def rotary_dim(config, params):
    """dim = int(head_dim * partial_rotary_factor) (v5 reads the factor from the rope dict)."""
    return int(head_dim_of(config) * params.get("partial_rotary_factor", 1.0))


def base_inv_freq(base, dim):
    """inv_freq = 1 / base^(arange(0, dim, 2) / dim)."""
    return 1.0 / base ** (torch.arange(0, dim, 2, dtype=F64) / dim)


def default_parameters(config, params, seq_len):
    """compute_default_rope_parameters (per model class in v5): plain RoPE, attention factor 1."""
    return base_inv_freq(params["rope_theta"], rotary_dim(config, params)), 1.0


def linear_parameters(config, params, seq_len):
    """_compute_linear_scaling_rope_parameters: inv_freq / factor (== positions / factor)."""
    inv_freq, _ = default_parameters(config, params, seq_len)
    return inv_freq / params["factor"], 1.0


def dynamic_ntk_parameters(config, params, seq_len):
    """_compute_dynamic_ntk_parameters: the base grows with the sequence once it passes max_position_embeddings.

    seq_len = max(seq_len, max_position_embeddings) (None -> max_position_embeddings, i.e. plain RoPE at init);
    base' = base * (factor * seq_len / max_position_embeddings - (factor - 1)) ^ (dim / (dim - 2)).
    """
    dim = rotary_dim(config, params)
    max_positions = config["max_position_embeddings"]
    seq_len = max_positions if seq_len is None else max(seq_len, max_positions)
    factor = params["factor"]
    base = params["rope_theta"] * ((factor * seq_len / max_positions) - (factor - 1)) ** (dim / (dim - 2))
    return base_inv_freq(base, dim), 1.0


def yarn_parameters(config, params, seq_len):
    """_compute_yarn_parameters (v5): NTK-by-parts blend of interpolated and extrapolated frequencies."""
    base = params["rope_theta"]
    dim = rotary_dim(config, params)
    factor = params["factor"]
    attention_factor = params.get("attention_factor")
    mscale = params.get("mscale")
    mscale_all_dim = params.get("mscale_all_dim")
    original_max_positions = params["original_max_position_embeddings"]
    # v5 uses the explicit factor; only a missing one is derived from the two lengths
    if factor is None:
        factor = config["max_position_embeddings"] / original_max_positions

    def get_mscale(scale, m=1):
        return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0

    # attention factor: explicit, else mscale ratio when both mscales are set (and non-zero), else 0.1 ln(s) + 1
    if attention_factor is None:
        if mscale and mscale_all_dim:
            attention_factor = float(get_mscale(factor, mscale) / get_mscale(factor, mscale_all_dim))
        else:
            attention_factor = get_mscale(factor)
    beta_fast = params.get("beta_fast") or 32
    beta_slow = params.get("beta_slow") or 1

    # find_correction_dim: the dimension whose wavelength makes `rotations` turns over the original context
    def correction_dim(rotations):
        return (dim * math.log(original_max_positions / (rotations * 2 * math.pi))) / (2 * math.log(base))

    # find_correction_range: floor / ceil only when truncate (default True), then clamp to [0, dim - 1]
    truncate = params.get("truncate", True)
    low, high = correction_dim(beta_fast), correction_dim(beta_slow)
    if truncate:
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0), min(high, dim - 1)

    # linear_ramp_factor over dim // 2 frequencies (0.001 added when low == high)
    if low == high:
        high += 0.001
    ramp = torch.clamp((torch.arange(dim // 2, dtype=F64) - low) / (high - low), 0, 1)
    pos_freqs = base ** (torch.arange(0, dim, 2, dtype=F64) / dim)
    inv_freq_extrapolation = 1.0 / pos_freqs
    inv_freq_interpolation = 1.0 / (factor * pos_freqs)
    extrapolation_factor = 1 - ramp
    inv_freq = inv_freq_interpolation * (1 - extrapolation_factor) + inv_freq_extrapolation * extrapolation_factor
    return inv_freq, attention_factor


def longrope_parameters(config, params, seq_len):
    """_compute_longrope_parameters: per-frequency divisors, short ones up to the original context."""
    base = params["rope_theta"]
    dim = rotary_dim(config, params)
    factor = params.get("factor")
    attention_factor = params.get("attention_factor")
    original_max_positions = params["original_max_position_embeddings"]
    # Phi3 configs carry no factor: it is max_position_embeddings / original_max_position_embeddings
    if factor is None:
        factor = config["max_position_embeddings"] / original_max_positions
    if attention_factor is None:
        attention_factor = 1.0 if factor <= 1.0 else math.sqrt(
            1 + math.log(factor) / math.log(original_max_positions))
    # long factors only when a sequence length above the original context is passed
    key = "long_factor" if seq_len and seq_len > original_max_positions else "short_factor"
    ext_factors = torch.tensor(params[key], dtype=F64)
    inv_freq = 1.0 / (ext_factors * base ** (torch.arange(0, dim, 2, dtype=F64) / dim))
    return inv_freq, attention_factor


def llama3_parameters(config, params, seq_len):
    """_compute_llama3_parameters: keep short wavelengths, divide long ones by factor, blend in between."""
    inv_freq, _ = default_parameters(config, params, seq_len)
    factor = params["factor"]
    low_freq_factor = params["low_freq_factor"]
    high_freq_factor = params["high_freq_factor"]
    old_context_len = params["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    # wavelen > low_freq_wavelen: divide by factor; wavelen < high_freq_wavelen: unchanged
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    # otherwise (both bounds inclusive): interpolate with the smooth factor
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium, smoothed, inv_freq_llama), 1.0


ROPE_INIT_FUNCTIONS = {
    "default": default_parameters,
    "linear": linear_parameters,
    "dynamic": dynamic_ntk_parameters,
    "yarn": yarn_parameters,
    "longrope": longrope_parameters,
    "llama3": llama3_parameters,
}


def init_function(params):
    rope_type = params["rope_type"]
    if rope_type not in ROPE_INIT_FUNCTIONS:
        raise ValueError(f"unsupported rope_type {rope_type!r}")
    return ROPE_INIT_FUNCTIONS[rope_type]


# ---------------------------------------------------------------------------------------------------------
# The rotary module's forward, for a freshly built module (no state carried over from earlier calls)

def cos_sin(config, params, positions):
    """cos, sin [T, dim] for integer positions [T]: *RotaryEmbedding.__init__ then forward under dynamic_rope_update.

    __init__: inv_freq, attention_scaling = init_fn(config, seq_len=None); max_seq_len_cached =
    original_max_seq_len = max_position_embeddings.
    dynamic_rope_update, seq_len = max(position_ids) + 1:
      dynamic: seq_len > max_seq_len_cached -> recompute both with seq_len (a fresh module never resets);
      longrope: seq_len > original_max_position_embeddings -> long inv_freq computed with seq_len = original + 1,
                attention_scaling stays the __init__ value; otherwise the __init__ (short) inv_freq.
    forward: freqs = positions x inv_freq; emb = cat(freqs, freqs); cos = cos(emb) * attention_scaling, same for sin.
    """
    init = init_function(params)
    inv_freq, attention_scaling = init(config, params, None)
    seq_len = int(max(positions)) + 1
    if "dynamic" in params["rope_type"] and seq_len > config["max_position_embeddings"]:
        inv_freq, attention_scaling = init(config, params, seq_len)
    elif params["rope_type"] == "longrope" and seq_len > params["original_max_position_embeddings"]:
        inv_freq, _ = init(config, params, params["original_max_position_embeddings"] + 1)
    freqs = torch.tensor(positions, dtype=F64)[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos() * attention_scaling, emb.sin() * attention_scaling


def rotate_half(x):
    """rotate_half: (x1, x2) -> (-x2, x1) over the two halves of the last dimension (not interleaved)."""
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rotary(x, cos, sin):
    """apply_rotary_pos_emb with partial rotary (Phi3 form): rotate the first cos.shape[-1] dims, pass the rest.

    x [T, heads, head_dim]; cos, sin [T, dim]. For dim == head_dim this is Llama's apply_rotary_pos_emb.
    """
    dim = cos.shape[-1]
    cos, sin = cos[:, None, :], sin[:, None, :]
    x_rot, x_pass = x[..., :dim], x[..., dim:]
    return torch.cat(((x_rot * cos) + (rotate_half(x_rot) * sin), x_pass), dim=-1)
