"""Float64 forward passes of the decoder families, transcribed from huggingface/transformers (v5 text).

One forward for the RoPE decoders (Llama, Mistral, Qwen2, Qwen3, Phi3, Gemma2, Gemma3 text), whose
differences are data in FAMILIES, and one for OPT. Sources (src/transformers/models/<family>/):
  modeling_llama.py       LlamaRMSNorm, LlamaMLP, LlamaAttention, eager_attention_forward, repeat_kv,
                          LlamaDecoderLayer, LlamaModel, LlamaForCausalLM
  modeling_mistral.py     MistralAttention (sliding_window from the config on every layer)
  modeling_qwen2.py       Qwen2Attention (q/k/v bias, no o bias), Qwen2Config.layer_types
  modeling_qwen3.py       Qwen3Attention (q_norm / k_norm on each head before RoPE)
  modular_phi3.py         Phi3Attention (fused qkv_proj), Phi3MLP (fused gate_up_proj), apply_rotary_pos_emb
  modular_gemma2.py       Gemma2RMSNorm (1 + w), Gemma2Attention (query_pre_attn_scalar, softcap),
                          Gemma2DecoderLayer (four norms), Gemma2Model (normalizer), Gemma2ForCausalLM
  modular_gemma3.py       Gemma3TextScaledWordEmbedding, Gemma3Attention (q_norm / k_norm, no softcap),
                          Gemma3TextConfig (layer_types / sliding_window_pattern)
  modeling_opt.py         OPTLearnedPositionalEmbedding, OPTAttention, OPTDecoderLayer, OPTDecoder
  masking_utils.py        causal_mask_function, sliding_window_overlay
Everything is float64 from weights upcast exactly; transformers' float32 up/down casts are no-ops here.
"""

import math
from dataclasses import dataclass, replace

import torch

from family_rope import apply_rotary, cos_sin, head_dim_of, rope_parameters_by_layer_type

F64 = torch.float64


@dataclass(frozen=True)
class Family:
    """What distinguishes one RoPE decoder family from Llama."""
    norm: str               # "rms": w * x / rms(x) (LlamaRMSNorm); "rms_one_plus": (1 + w) * x / rms(x) (Gemma)
    qk_norm: bool           # per-head RMSNorm of q and k before RoPE (Qwen3, Gemma3)
    sandwich_norms: bool    # post_attention, pre_feedforward, post_feedforward norms around both blocks (Gemma)
    fused_qkv: bool         # self_attn.qkv_proj = [q; k; v] rows (Phi3)
    fused_gate_up: bool     # mlp.gate_up_proj = [gate; up] rows (Phi3)
    embed_scale: bool       # embeddings times sqrt(hidden_size) (Gemma2 normalizer, Gemma3 embed_scale)
    query_pre_attn_scalar: bool   # scores scaled by query_pre_attn_scalar^-0.5 instead of head_dim^-0.5 (Gemma)
    attn_softcap: bool      # attn_logit_softcapping reaches the attention (Gemma2 passes it, Gemma3 does not)
    final_softcap: bool     # final_logit_softcapping on the logits (Gemma2, Gemma3)
    activation_key: str     # config field naming the MLP activation
    qkv_bias: str           # "config": attention_bias; "always"; "never"
    o_bias: str             # "config": attention_bias; "never"
    mlp_bias: bool          # LlamaMLP's mlp_bias is read from the config
    windows: str            # which layers slide: "none", "all" (sliding_window on every layer), "layer_types"
    tie_default: bool       # tie_word_embeddings when the config omits it (the config class default)


LLAMA = Family(norm="rms", qk_norm=False, sandwich_norms=False, fused_qkv=False, fused_gate_up=False,
               embed_scale=False, query_pre_attn_scalar=False, attn_softcap=False, final_softcap=False,
               activation_key="hidden_act", qkv_bias="config", o_bias="config", mlp_bias=True, windows="none",
               tie_default=False)
GEMMA2 = Family(norm="rms_one_plus", qk_norm=False, sandwich_norms=True, fused_qkv=False, fused_gate_up=False,
                embed_scale=True, query_pre_attn_scalar=True, attn_softcap=True, final_softcap=True,
                activation_key="hidden_activation", qkv_bias="config", o_bias="config", mlp_bias=False,
                windows="layer_types", tie_default=True)

FAMILIES = {
    "llama": LLAMA,
    "mistral": replace(LLAMA, qkv_bias="never", o_bias="never", mlp_bias=False, windows="all"),
    "qwen2": replace(LLAMA, qkv_bias="always", o_bias="never", mlp_bias=False, windows="layer_types"),
    "qwen3": replace(LLAMA, qk_norm=True, mlp_bias=False, windows="layer_types"),
    "phi3": replace(LLAMA, fused_qkv=True, fused_gate_up=True, qkv_bias="never", o_bias="never", mlp_bias=False,
                    windows="all"),
    "gemma2": GEMMA2,
    "gemma3_text": replace(GEMMA2, qk_norm=True, attn_softcap=False),
}


def family_of(config):
    if config["model_type"] == "opt":
        return None
    if config["model_type"] not in FAMILIES:
        raise ValueError(f"unsupported model_type {config['model_type']!r}")
    return FAMILIES[config["model_type"]]


# ---------------------------------------------------------------------------------------------------------
# Layer kinds (each config class's __init__)

def layer_types(config):
    """["sliding_attention" | "full_attention"] per layer, as the config class derives it."""
    n = config["num_hidden_layers"]
    if config.get("layer_types") is not None:
        return list(config["layer_types"])
    model_type = config["model_type"]
    if model_type == "gemma2":
        # Gemma2Config: every other layer slides, starting with layer 0
        return ["sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(n)]
    if model_type == "gemma3_text":
        # Gemma3TextConfig: BC field sliding_window_pattern (default 6): every pattern-th layer is global
        pattern = config.get("sliding_window_pattern", 6)
        return ["sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(n)]
    if model_type in ("qwen2", "qwen3"):
        # Qwen2Config / Qwen3Config: no window unless use_sliding_window; then layers >= max_window_layers
        window = config.get("sliding_window") if config.get("use_sliding_window", False) else None
        return ["sliding_attention" if window is not None and i >= config.get("max_window_layers", n)
                else "full_attention" for i in range(n)]
    return ["full_attention"] * n


def layer_windows(config, family):
    """Sliding window (tokens, or None) per layer."""
    if family.windows == "none":
        return [None] * config["num_hidden_layers"]
    if family.windows == "all":
        # MistralModel / Phi3Model: create_sliding_window_causal_mask for every layer when sliding_window is set
        return [config.get("sliding_window")] * config["num_hidden_layers"]
    window = config.get("sliding_window")
    if config["model_type"] in ("qwen2", "qwen3") and not config.get("use_sliding_window", False):
        window = None
    return [window if kind == "sliding_attention" else None for kind in layer_types(config)]


# ---------------------------------------------------------------------------------------------------------
# Building blocks

def rms_norm(x, weight, eps, kind):
    """LlamaRMSNorm: w * (x * rsqrt(mean(x^2) + eps)); GemmaRMSNorm: the same with (1 + w)."""
    normed = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return normed * (1.0 + weight) if kind == "rms_one_plus" else weight * normed


def layer_norm(x, weight, bias, eps=1e-5):
    """torch.nn.LayerNorm (OPT): biased variance, default eps 1e-5."""
    mean = x.mean(-1, keepdim=True)
    variance = (x - mean).pow(2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(variance + eps) * weight + bias


def activation(name):
    """ACT2FN entries used by these families."""
    if name == "silu":
        return lambda x: x * torch.sigmoid(x)
    if name in ("gelu_pytorch_tanh", "gelu_new"):
        # 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        return lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))
    if name == "gelu":
        return lambda x: 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name == "relu":
        return torch.relu
    raise ValueError(f"unsupported activation {name!r}")


def linear(x, w, prefix, bias):
    """nn.Linear: x W^T (+ b)."""
    y = x @ w[prefix + ".weight"].T
    return y + w[prefix + ".bias"] if bias else y


def attention_mask(length, window):
    """masking_utils: causal_mask_function (kv <= q) and, for sliding layers, sliding_window_overlay
    (kv > q - window), i.e. a query sees itself and the window - 1 tokens before it. Additive, -inf where masked."""
    q = torch.arange(length)[:, None]
    kv = torch.arange(length)[None, :]
    allowed = kv <= q
    if window is not None:
        allowed &= kv > q - window
    return torch.zeros(length, length, dtype=F64).masked_fill(~allowed, float("-inf"))


def softmax_attention(q, k, v, scaling, mask, softcap=None):
    """eager_attention_forward with repeat_kv: q [T, H, D], k/v [T, Hkv, D] -> [T, H * D].

    Query head h reads key/value head h // (H / Hkv). Scores = q k^T * scaling, then softcap
    tanh(s / cap) * cap (Gemma2), then the additive mask, then softmax over keys."""
    heads, kv_heads = q.shape[1], k.shape[1]
    k = k.repeat_interleave(heads // kv_heads, dim=1)
    v = v.repeat_interleave(heads // kv_heads, dim=1)
    scores = torch.einsum("qhd,khd->hqk", q, k) * scaling
    if softcap is not None:
        scores = torch.tanh(scores / softcap) * softcap
    probs = torch.softmax(scores + mask, dim=-1)
    return torch.einsum("hqk,khd->qhd", probs, v).reshape(q.shape[0], -1)


# ---------------------------------------------------------------------------------------------------------
# RoPE decoders

def decoder_forward(config, w, input_ids):
    """LlamaForCausalLM.forward and its relatives: logits [T, vocab] float64."""
    family = family_of(config)
    eps = config["rms_norm_eps"]
    heads = config["num_attention_heads"]
    kv_heads = config.get("num_key_value_heads") or heads
    head_dim = head_dim_of(config)
    length = len(input_ids)
    positions = list(range(length))
    act = activation(config[family.activation_key])
    norm = lambda x, name: rms_norm(x, w[name + ".weight"], eps, family.norm)

    # rotary tables per layer type (one shared table unless Gemma3 gives each type its own parameters)
    rope = {kind: cos_sin(config, params, positions)
            for kind, params in rope_parameters_by_layer_type(config).items()}
    kinds = layer_types(config)
    windows = layer_windows(config, family)
    masks = {window: attention_mask(length, window) for window in set(windows)}
    scaling = (config["query_pre_attn_scalar"] if family.query_pre_attn_scalar else head_dim) ** -0.5
    softcap = config.get("attn_logit_softcapping") if family.attn_softcap else None
    qkv_bias = {"config": config.get("attention_bias", False), "always": True, "never": False}[family.qkv_bias]
    o_bias = config.get("attention_bias", False) if family.o_bias == "config" else False
    mlp_bias = config.get("mlp_bias", False) if family.mlp_bias else False

    # embed_tokens; Gemma multiplies by sqrt(hidden_size) (transformers casts it to the weight dtype first)
    x = w["model.embed_tokens.weight"][torch.tensor(input_ids)]
    if family.embed_scale:
        x = x * config["hidden_size"] ** 0.5

    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}"
        # self-attention block
        h = norm(x, p + ".input_layernorm")
        if family.fused_qkv:
            qkv = linear(h, w, p + ".self_attn.qkv_proj", False)
            q, k, v = qkv.split([heads * head_dim, kv_heads * head_dim, kv_heads * head_dim], dim=-1)
        else:
            q = linear(h, w, p + ".self_attn.q_proj", qkv_bias)
            k = linear(h, w, p + ".self_attn.k_proj", qkv_bias)
            v = linear(h, w, p + ".self_attn.v_proj", qkv_bias)
        q = q.reshape(length, heads, head_dim)
        k = k.reshape(length, kv_heads, head_dim)
        v = v.reshape(length, kv_heads, head_dim)
        if family.qk_norm:
            q = norm(q, p + ".self_attn.q_norm")
            k = norm(k, p + ".self_attn.k_norm")
        cos, sin = rope[kinds[i]]
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        attn = softmax_attention(q, k, v, scaling, masks[windows[i]], softcap)
        attn = linear(attn, w, p + ".self_attn.o_proj", o_bias)
        if family.sandwich_norms:
            attn = norm(attn, p + ".post_attention_layernorm")
        x = x + attn

        # MLP block: down(act(gate(h)) * up(h))
        h = norm(x, p + (".pre_feedforward_layernorm" if family.sandwich_norms else ".post_attention_layernorm"))
        if family.fused_gate_up:
            gate, up = linear(h, w, p + ".mlp.gate_up_proj", False).chunk(2, dim=-1)
        else:
            gate = linear(h, w, p + ".mlp.gate_proj", mlp_bias)
            up = linear(h, w, p + ".mlp.up_proj", mlp_bias)
        m = linear(act(gate) * up, w, p + ".mlp.down_proj", mlp_bias)
        if family.sandwich_norms:
            m = norm(m, p + ".post_feedforward_layernorm")
        x = x + m

    x = norm(x, "model.norm")
    logits = x @ output_embedding(config, w, family.tie_default, "model.embed_tokens.weight").T
    cap = config.get("final_logit_softcapping") if family.final_softcap else None
    if cap is not None:
        logits = torch.tanh(logits / cap) * cap
    return logits


def output_embedding(config, w, tie_default, embed_name):
    """lm_head.weight, or the input embedding when tie_word_embeddings (tied checkpoints store no lm_head)."""
    if config.get("tie_word_embeddings", tie_default):
        return w[embed_name]
    return w["lm_head.weight"]


# ---------------------------------------------------------------------------------------------------------
# OPT

def opt_forward(config, w, input_ids):
    """OPTForCausalLM.forward: logits [T, vocab] float64."""
    hidden = config["hidden_size"]
    heads = config["num_attention_heads"]
    head_dim = hidden // heads
    length = len(input_ids)
    bias = config.get("enable_bias", True)
    before = config.get("do_layer_norm_before", True)
    act = activation(config["activation_function"])
    ln = lambda x, name: layer_norm(x, w[name + ".weight"], w[name + ".bias"])
    d = "model.decoder"

    # embed_tokens (word_embed_proj_dim wide), project_in when narrower than hidden_size
    x = w[d + ".embed_tokens.weight"][torch.tensor(input_ids)]
    if d + ".project_in.weight" in w:
        x = linear(x, w, d + ".project_in", False)
    # OPTLearnedPositionalEmbedding: position ids 0..T-1 (from the all-ones attention mask) + offset 2
    x = x + w[d + ".embed_positions.weight"][torch.arange(length) + 2]
    mask = attention_mask(length, None)

    for i in range(config["num_hidden_layers"]):
        p = f"{d}.layers.{i}"
        # OPTAttention: q = q_proj(h) * head_dim^-0.5 (bias included, scaled), scores not scaled again
        residual = x
        h = ln(x, p + ".self_attn_layer_norm") if before else x
        q = (linear(h, w, p + ".self_attn.q_proj", bias) * head_dim ** -0.5).reshape(length, heads, head_dim)
        k = linear(h, w, p + ".self_attn.k_proj", bias).reshape(length, heads, head_dim)
        v = linear(h, w, p + ".self_attn.v_proj", bias).reshape(length, heads, head_dim)
        attn = linear(softmax_attention(q, k, v, 1.0, mask), w, p + ".self_attn.out_proj", bias)
        x = residual + attn
        if not before:                                   # 350m: layer norm after the residual add
            x = ln(x, p + ".self_attn_layer_norm")
        # fc1 -> activation -> fc2
        residual = x
        h = ln(x, p + ".final_layer_norm") if before else x
        h = linear(act(linear(h, w, p + ".fc1", bias)), w, p + ".fc2", bias)
        x = residual + h
        if not before:
            x = ln(x, p + ".final_layer_norm")

    # OPTDecoder: final_layer_norm only when do_layer_norm_before (and not _remove_final_layer_norm)
    if before and not config.get("_remove_final_layer_norm", False):
        x = ln(x, d + ".final_layer_norm")
    if d + ".project_out.weight" in w:
        x = linear(x, w, d + ".project_out", False)
    return x @ output_embedding(config, w, True, d + ".embed_tokens.weight").T


def forward(config, w, input_ids):
    """Logits [T, vocab] float64 of the model a config.json + weights describe."""
    if config["model_type"] == "opt":
        return opt_forward(config, w, input_ids)
    return decoder_forward(config, w, input_ids)


# ---------------------------------------------------------------------------------------------------------
# Checkpoint layout: tensor name, shape and role, as save_pretrained names them

def checkpoint_layout(config):
    """[(name, shape, role)] with role one of embed, positions, linear, bias, norm, layer_norm_weight,
    layer_norm_bias (the generator picks a distribution per role; fan-in is shape[1] for linears)."""
    if config["model_type"] == "opt":
        return opt_layout(config)
    family = family_of(config)
    hidden, vocab = config["hidden_size"], config["vocab_size"]
    heads = config["num_attention_heads"]
    kv_heads = config.get("num_key_value_heads") or heads
    head_dim, inter = head_dim_of(config), config["intermediate_size"]
    qkv_bias = {"config": config.get("attention_bias", False), "always": True, "never": False}[family.qkv_bias]
    o_bias = config.get("attention_bias", False) if family.o_bias == "config" else False
    mlp_bias = config.get("mlp_bias", False) if family.mlp_bias else False
    layout = [("model.embed_tokens.weight", [vocab, hidden], "embed")]
    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}"
        layout.append((p + ".input_layernorm.weight", [hidden], "norm"))
        if family.fused_qkv:
            layout.append((p + ".self_attn.qkv_proj.weight", [(heads + 2 * kv_heads) * head_dim, hidden], "linear"))
        else:
            for name, rows in (("q_proj", heads * head_dim), ("k_proj", kv_heads * head_dim),
                               ("v_proj", kv_heads * head_dim)):
                layout.append((f"{p}.self_attn.{name}.weight", [rows, hidden], "linear"))
                if qkv_bias:
                    layout.append((f"{p}.self_attn.{name}.bias", [rows], "bias"))
        if family.qk_norm:
            layout.append((p + ".self_attn.q_norm.weight", [head_dim], "norm"))
            layout.append((p + ".self_attn.k_norm.weight", [head_dim], "norm"))
        layout.append((p + ".self_attn.o_proj.weight", [hidden, heads * head_dim], "linear"))
        if o_bias:
            layout.append((p + ".self_attn.o_proj.bias", [hidden], "bias"))
        layout.append((p + ".post_attention_layernorm.weight", [hidden], "norm"))
        if family.sandwich_norms:
            layout.append((p + ".pre_feedforward_layernorm.weight", [hidden], "norm"))
            layout.append((p + ".post_feedforward_layernorm.weight", [hidden], "norm"))
        if family.fused_gate_up:
            layout.append((p + ".mlp.gate_up_proj.weight", [2 * inter, hidden], "linear"))
        else:
            layout.append((p + ".mlp.gate_proj.weight", [inter, hidden], "linear"))
            layout.append((p + ".mlp.up_proj.weight", [inter, hidden], "linear"))
        layout.append((p + ".mlp.down_proj.weight", [hidden, inter], "linear"))
        if mlp_bias:
            for name, rows in (("gate_proj", inter), ("up_proj", inter), ("down_proj", hidden)):
                layout.append((f"{p}.mlp.{name}.bias", [rows], "bias"))
    layout.append(("model.norm.weight", [hidden], "norm"))
    if not config.get("tie_word_embeddings", family.tie_default):
        layout.append(("lm_head.weight", [vocab, hidden], "embed"))
    return layout


def opt_layout(config):
    hidden, vocab, ffn = config["hidden_size"], config["vocab_size"], config["ffn_dim"]
    proj = config.get("word_embed_proj_dim", hidden)
    bias = config.get("enable_bias", True)
    d = "model.decoder"
    layout = [(d + ".embed_tokens.weight", [vocab, proj], "embed"),
              (d + ".embed_positions.weight", [config["max_position_embeddings"] + 2, hidden], "positions")]
    if proj != hidden:
        layout.append((d + ".project_in.weight", [hidden, proj], "linear"))
        layout.append((d + ".project_out.weight", [proj, hidden], "linear"))
    for i in range(config["num_hidden_layers"]):
        p = f"{d}.layers.{i}"
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            layout.append((f"{p}.self_attn.{name}.weight", [hidden, hidden], "linear"))
            if bias:
                layout.append((f"{p}.self_attn.{name}.bias", [hidden], "bias"))
        for name in ("self_attn_layer_norm", "final_layer_norm"):
            layout.append((f"{p}.{name}.weight", [hidden], "layer_norm_weight"))
            layout.append((f"{p}.{name}.bias", [hidden], "layer_norm_bias"))
        layout.append((p + ".fc1.weight", [ffn, hidden], "linear"))
        layout.append((p + ".fc2.weight", [hidden, ffn], "linear"))
        if bias:
            layout.append((p + ".fc1.bias", [ffn], "bias"))
            layout.append((p + ".fc2.bias", [hidden], "bias"))
    if config.get("do_layer_norm_before", True) and not config.get("_remove_final_layer_norm", False):
        layout.append((d + ".final_layer_norm.weight", [hidden], "layer_norm_weight"))
        layout.append((d + ".final_layer_norm.bias", [hidden], "layer_norm_bias"))
    if not config.get("tie_word_embeddings", True):
        layout.append(("lm_head.weight", [vocab, proj], "embed"))
    return layout
