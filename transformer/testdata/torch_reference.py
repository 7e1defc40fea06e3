#!/usr/bin/env python3
"""PyTorch reference for tick's transformer: writes torch_reference.safetensors.

What it is
    An outside reference for transformer/torch_reference_test.go, as llm.c's
    test_gpt2.c has one: a small GPT-2 and a small Llama (grouped-query
    attention) with random weights, written here in plain PyTorch, float64
    throughout, independently of tick's Go code. For each model the fixture
    holds the inputs (ids, targets with some -1 = not scored), every weight,
    the logits, the mean cross-entropy loss and the gradient of that loss
    with respect to every weight (autograd, loss.backward()). The Go test
    loads the weights into tick, runs Forward and Backward and checks that
    tick agrees to 1e-9. The test itself needs no Python.

Semantics
    The layers follow Hugging Face transformers' definitions exactly (the
    class each function mirrors is named in its docstring): GPT-2 from
    models/gpt2/modeling_gpt2.py (Conv1D weights stored in x out, y = x@W + b;
    the tanh GELU "gelu_new"; LayerNorm with bias; a head tied to wte) and
    Llama from models/llama/modeling_llama.py (nn.Linear weights stored
    out x in, y = x@W^T; RMSNorm; rotate-half RoPE; repeat_kv grouped-query
    attention; SwiGLU MLP; separate lm_head). Two deliberate departures, both
    about precision only: Hugging Face casts RMSNorm, the RoPE tables and the
    attention softmax to float32 (an upcast for half-precision weights); here
    everything stays float64, as tick computes. The loss is
    torch.nn.functional.cross_entropy with ignore_index=-1 (tick's "skip this
    position"; Hugging Face spells it -100), the mean over scored positions.

    Sizes are small (the fixture is about 250 KB); the switches (norm, eps,
    biases, tied head, RoPE theta, ...) are those of tick's "gpt" and "llama"
    presets (transformer/config.go, Preset). The Go test checks that they
    still are. Weights are drawn larger than GPT-2's 0.02 initialisation so
    attention is far from uniform and GELU, SiLU are far from linear.

How to run
    From the repository root:

        python3 transformer/testdata/torch_reference.py

    (on Debian, where python3-torch is installed for the system Python and a
    pyenv or venv python3 may not have it, run /usr/bin/python3). It needs
    only torch and the standard library, and it rewrites
    transformer/testdata/torch_reference.safetensors. With the same torch
    build the output is byte-identical (fixed seeds, one thread,
    deterministic algorithms). Run it again only if the models here change,
    then run `go test ./transformer -run TorchReference`.

Fixture layout (safetensors, every tensor F64, written by this script's own
small writer so the safetensors package is not needed)
    <preset>/ids, <preset>/targets   [B, T]  token IDs (whole numbers)
    <preset>/logits                  [B, T, V]
    <preset>/loss                    [1]
    <preset>/weight/<name>           a tick parameter, Hugging Face name and shape
    <preset>/grad/<name>             d loss / d that parameter
    metadata "<preset>/config"       the tick Config as JSON (config.json's fields)
"""

import json
import math
import os
import struct

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    raise SystemExit("torch_reference.py needs PyTorch: install it (Debian: apt install python3-torch, "
                     "then run it with /usr/bin/python3) or pip install torch")

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
DT = torch.float64

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_reference.safetensors")

# Batch shape of the reference run. T < context so that the position table
# has rows no position reads (their gradient must be exactly zero).
B, T = 2, 8

# tick Configs (JSON field names of transformer.Config). The switches are
# copied from transformer/config.go's presets; only the sizes are smaller.
CONFIGS = {
    "gpt": dict(
        vocab_size=32, context=12, layers=2, heads=4, kv_heads=4, dim=16, ff_dim=64,
        norm="layernorm", norm_eps=1e-5, positions="learned", rope_theta=0, mlp="gelu",
        bias=True, tied_head=True, dropout=0, naming="gpt",
    ),
    "llama": dict(
        vocab_size=32, context=12, layers=2, heads=4, kv_heads=2, dim=16, ff_dim=48,
        norm="rmsnorm", norm_eps=1e-5, positions="rope", rope_theta=10000, mlp="swiglu",
        bias=False, tied_head=False, dropout=0, naming="llama",
    ),
}


# ---------------------------------------------------------------------------
# GPT-2 (modeling_gpt2.py)


def conv1d(x, weight, bias):
    """pytorch_utils.Conv1D: weight (in x out); y = x @ W + b (torch.addmm)."""
    size_out = x.size()[:-1] + (weight.size(1),)
    x = torch.addmm(bias, x.view(-1, x.size(-1)), weight)
    return x.view(size_out)


def gelu_new(x):
    """activations.NewGELUActivation ("gelu_new", GPT-2's tanh approximation)."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def gpt2_attention(x, w, p, cfg):
    """GPT2Attention with eager_attention_forward: fused c_attn, split into
    q, k, v, heads, causal softmax(q k^T / sqrt(head_dim)) v, merge, c_proj."""
    D, H = cfg["dim"], cfg["heads"]
    hd = D // H
    query, key, value = conv1d(x, w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"]).split(D, dim=2)
    shape = x.shape[:-1] + (-1, hd)  # _split_heads: (B, T, H, hd) -> (B, H, T, hd)
    query, key, value = (t.view(shape).transpose(1, 2) for t in (query, key, value))
    attn_weights = torch.matmul(query, key.transpose(-1, -2))
    attn_weights = attn_weights / torch.full([], value.size(-1) ** 0.5, dtype=DT)  # scale_attn_weights
    n = x.shape[1]
    causal = torch.tril(torch.ones(n, n, dtype=torch.bool)).view(1, 1, n, n)
    mask_value = torch.full([], torch.finfo(DT).min, dtype=DT)
    attn_weights = torch.where(causal, attn_weights, mask_value)
    attn_weights = F.softmax(attn_weights, dim=-1)
    y = torch.matmul(attn_weights, value)
    y = y.transpose(1, 2).contiguous().view(x.shape[0], n, D)  # _merge_heads
    return conv1d(y, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"])


def gpt2_mlp(x, w, p):
    """GPT2MLP: c_proj(gelu_new(c_fc(x)))."""
    h = gelu_new(conv1d(x, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"]))
    return conv1d(h, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])


def gpt2_forward(ids, w, cfg):
    """GPT2LMHeadModel (GPT2Model + GPT2Block x layers + ln_f + tied lm_head)."""
    D, eps = cfg["dim"], cfg["norm_eps"]
    ln = lambda x, name: F.layer_norm(x, (D,), w[name + ".weight"], w[name + ".bias"], eps)
    position_ids = torch.arange(ids.shape[1]).unsqueeze(0)
    h = F.embedding(ids, w["transformer.wte.weight"]) + F.embedding(position_ids, w["transformer.wpe.weight"])
    for l in range(cfg["layers"]):
        p = f"transformer.h.{l}."
        h = h + gpt2_attention(ln(h, p + "ln_1"), w, p, cfg)  # GPT2Block: pre-norm residuals
        h = h + gpt2_mlp(ln(h, p + "ln_2"), w, p)
    h = ln(h, "transformer.ln_f")
    return F.linear(h, w["transformer.wte.weight"])  # lm_head.weight is wte (tie_word_embeddings)


def gpt2_weights(cfg, g):
    """Random GPT-2 weights under their Hugging Face names and shapes."""
    V, C, D, F_, H = cfg["vocab_size"], cfg["context"], cfg["dim"], cfg["ff_dim"], cfg["heads"]
    w = {}
    w["transformer.wte.weight"] = 0.5 * randn(g, V, D)
    w["transformer.wpe.weight"] = 0.5 * randn(g, C, D)
    for l in range(cfg["layers"]):
        p = f"transformer.h.{l}."
        norm_params(w, p + "ln_1", D, g, bias=True)
        conv1d_params(w, p + "attn.c_attn", D, 3 * D, g)
        conv1d_params(w, p + "attn.c_proj", D, D, g)
        norm_params(w, p + "ln_2", D, g, bias=True)
        conv1d_params(w, p + "mlp.c_fc", D, F_, g)
        conv1d_params(w, p + "mlp.c_proj", F_, D, g)
    norm_params(w, "transformer.ln_f", D, g, bias=True)
    return w


# ---------------------------------------------------------------------------
# Llama (modeling_llama.py)


def llama_rms_norm(x, weight, eps):
    """LlamaRMSNorm: weight * x * rsqrt(mean(x^2) + eps) (kept in float64)."""
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def llama_rotary(n, hd, theta):
    """LlamaRotaryEmbedding ("default" rope type, attention_scaling 1):
    inv_freq = 1 / theta^(arange(0, hd, 2) / hd); cos, sin of cat(freqs, freqs)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).to(DT) / hd))
    position_ids = torch.arange(n, dtype=DT)
    freqs = torch.outer(position_ids, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()  # (T, hd)


def rotate_half(x):
    """rotate_half: (x1, x2) -> (-x2, x1), halves of the head dimension."""
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin):
    """apply_rotary_pos_emb: q*cos + rotate_half(q)*sin, the same for k."""
    return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin


def repeat_kv(hidden_states, n_rep):
    """repeat_kv: (B, kvh, T, hd) -> (B, kvh*n_rep, T, hd); query head h reads
    key/value head h // n_rep."""
    b, kvh, n, hd = hidden_states.shape
    if n_rep == 1:
        return hidden_states
    hidden_states = hidden_states[:, :, None, :, :].expand(b, kvh, n_rep, n, hd)
    return hidden_states.reshape(b, kvh * n_rep, n, hd)


def llama_attention(x, w, p, cfg, cos, sin):
    """LlamaAttention with eager_attention_forward: q/k/v_proj, RoPE on q and k,
    repeat_kv, causal softmax(q k^T * head_dim^-0.5) v, o_proj. No biases."""
    D, H, KV = cfg["dim"], cfg["heads"], cfg["kv_heads"]
    hd = D // H
    b, n, _ = x.shape
    q = F.linear(x, w[p + "self_attn.q_proj.weight"]).view(b, n, -1, hd).transpose(1, 2)
    k = F.linear(x, w[p + "self_attn.k_proj.weight"]).view(b, n, -1, hd).transpose(1, 2)
    v = F.linear(x, w[p + "self_attn.v_proj.weight"]).view(b, n, -1, hd).transpose(1, 2)
    q, k = apply_rotary_pos_emb(q, k, cos, sin)
    k, v = repeat_kv(k, H // KV), repeat_kv(v, H // KV)
    attn_weights = torch.matmul(q, k.transpose(2, 3)) * hd**-0.5
    causal_mask = torch.full((n, n), torch.finfo(DT).min, dtype=DT).triu(1)  # additive mask
    attn_weights = F.softmax(attn_weights + causal_mask, dim=-1)
    y = torch.matmul(attn_weights, v).transpose(1, 2).reshape(b, n, -1)
    return F.linear(y, w[p + "self_attn.o_proj.weight"])


def llama_mlp(x, w, p):
    """LlamaMLP (hidden_act "silu"): down_proj(silu(gate_proj(x)) * up_proj(x))."""
    gate = F.linear(x, w[p + "mlp.gate_proj.weight"])
    up = F.linear(x, w[p + "mlp.up_proj.weight"])
    return F.linear(F.silu(gate) * up, w[p + "mlp.down_proj.weight"])


def llama_forward(ids, w, cfg):
    """LlamaForCausalLM (LlamaModel + LlamaDecoderLayer x layers + norm + lm_head)."""
    eps, hd = cfg["norm_eps"], cfg["dim"] // cfg["heads"]
    cos, sin = llama_rotary(ids.shape[1], hd, float(cfg["rope_theta"]))
    h = F.embedding(ids, w["model.embed_tokens.weight"])
    for l in range(cfg["layers"]):
        p = f"model.layers.{l}."
        h = h + llama_attention(llama_rms_norm(h, w[p + "input_layernorm.weight"], eps), w, p, cfg, cos, sin)
        h = h + llama_mlp(llama_rms_norm(h, w[p + "post_attention_layernorm.weight"], eps), w, p)
    h = llama_rms_norm(h, w["model.norm.weight"], eps)
    return F.linear(h, w["lm_head.weight"])  # tie_word_embeddings False


def llama_weights(cfg, g):
    """Random Llama weights under their Hugging Face names and shapes."""
    V, D, F_, H, KV = cfg["vocab_size"], cfg["dim"], cfg["ff_dim"], cfg["heads"], cfg["kv_heads"]
    hd = D // H
    w = {}
    w["model.embed_tokens.weight"] = 0.5 * randn(g, V, D)
    for l in range(cfg["layers"]):
        p = f"model.layers.{l}."
        norm_params(w, p + "input_layernorm", D, g, bias=False)
        linear_params(w, p + "self_attn.q_proj", D, H * hd, g)
        linear_params(w, p + "self_attn.k_proj", D, KV * hd, g)
        linear_params(w, p + "self_attn.v_proj", D, KV * hd, g)
        linear_params(w, p + "self_attn.o_proj", H * hd, D, g)
        norm_params(w, p + "post_attention_layernorm", D, g, bias=False)
        linear_params(w, p + "mlp.gate_proj", D, F_, g)
        linear_params(w, p + "mlp.up_proj", D, F_, g)
        linear_params(w, p + "mlp.down_proj", F_, D, g)
    norm_params(w, "model.norm", D, g, bias=False)
    w["lm_head.weight"] = 0.5 * randn(g, V, D)
    return w


# ---------------------------------------------------------------------------
# random weights and inputs


def randn(g, *shape):
    return torch.randn(*shape, generator=g, dtype=DT)


def conv1d_params(w, name, n_in, n_out, g):
    """GPT-2 Conv1D: weight (in x out), std 1/sqrt(in); bias std 0.1."""
    w[name + ".weight"] = randn(g, n_in, n_out) / math.sqrt(n_in)
    w[name + ".bias"] = 0.1 * randn(g, n_out)


def linear_params(w, name, n_in, n_out, g):
    """nn.Linear without bias: weight (out x in), std 1/sqrt(in)."""
    w[name + ".weight"] = randn(g, n_out, n_in) / math.sqrt(n_in)


def norm_params(w, name, d, g, bias):
    """Norm gain 1 + N(0, 0.1^2) (not all ones, so a missing gain shows), bias N(0, 0.1^2)."""
    w[name + ".weight"] = 1 + 0.1 * randn(g, d)
    if bias:
        w[name + ".bias"] = 0.1 * randn(g, d)


def inputs(cfg, g):
    """ids and targets (B, T); a few targets are -1 (not scored): the first
    position of row 0, positions 3 and 4 of row 1, so a masked row sits in
    the middle of a sequence too."""
    V = cfg["vocab_size"]
    ids = torch.randint(0, V, (B, T), generator=g)
    targets = torch.randint(0, V, (B, T), generator=g)
    targets[0, 0] = -1
    targets[1, 3] = -1
    targets[1, 4] = -1
    return ids, targets


MODELS = {"gpt": (gpt2_weights, gpt2_forward), "llama": (llama_weights, llama_forward)}


def reference(name, seed):
    """Weights, inputs, logits, loss and gradients of one model, as named tensors."""
    cfg = CONFIGS[name]
    make_weights, forward = MODELS[name]
    g = torch.Generator().manual_seed(seed)
    w = make_weights(cfg, g)
    ids, targets = inputs(cfg, g)
    for t in w.values():
        t.requires_grad_(True)
    logits = forward(ids, w, cfg)
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
    loss.backward()
    out = {
        f"{name}/ids": ids.to(DT),
        f"{name}/targets": targets.to(DT),
        f"{name}/logits": logits.detach(),
        f"{name}/loss": loss.detach().reshape(1),
    }
    for k, t in w.items():
        out[f"{name}/weight/{k}"] = t.detach()
        out[f"{name}/grad/{k}"] = t.grad
    print(f"{name}: loss {loss.item():.17g}, {sum(t.numel() for t in w.values())} parameters")
    return out


def write_safetensors(path, tensors, metadata):
    """A minimal safetensors writer: 8-byte little-endian header length, the
    JSON header (keys sorted, padded with spaces to a multiple of 8), then
    each tensor's F64 little-endian bytes in name order. Written to a
    temporary file and renamed."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name in sorted(tensors):
        values = tensors[name].detach().reshape(-1).tolist()  # Python floats: exact float64
        data = struct.pack(f"<{len(values)}d", *values)
        header[name] = {"dtype": "F64", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def main():
    tensors, metadata = {}, {"producer": "transformer/testdata/torch_reference.py", "torch": torch.__version__}
    for seed, name in enumerate(CONFIGS, start=1):
        tensors.update(reference(name, seed))
        metadata[f"{name}/config"] = json.dumps(CONFIGS[name], sort_keys=True)
    write_safetensors(OUT, tensors, metadata)
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
