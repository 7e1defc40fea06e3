"""Writes tiny random Hugging Face model folders and the logits Hugging
Face's modeling code computes for them, for hf/reference_test.go.

The forward passes follow transformers' modeling_gpt2.py (GPT2LMHeadModel)
and modeling_llama.py (LlamaForCausalLM, with modeling_rope_utils.py's
llama3 rope scaling) line for line in plain PyTorch, since transformers is
not installed here; the files are written in the published layout (GPT-2
without the "transformer." prefix, with its attn.bias mask buffers, in
BF16; Llama sharded with an index). Run with Debian's python3-torch:

    /usr/bin/python3 hf/testdata/hf_reference.py hf/testdata
"""
import json, math, os, struct, sys
import torch

torch.manual_seed(0)
out = sys.argv[1]

DT = {torch.float32: ("F32", 4), torch.bfloat16: ("BF16", 2)}

def write_safetensors(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        code, size = DT[t.dtype]
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)

def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

def gpt2(folder):
    V, P, D, L, H = 61, 16, 24, 2, 3
    cfg = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": V, "n_positions": P, "n_ctx": P,
           "n_embd": D, "n_layer": L, "n_head": H, "n_inner": None, "activation_function": "gelu_new",
           "layer_norm_epsilon": 1e-5, "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1, "scale_attn_weights": True,
           "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": "bfloat16"}
    r = lambda *s: (torch.randn(*s) * 0.3).to(torch.bfloat16)
    w = {"wte.weight": r(V, D), "wpe.weight": r(P, D), "ln_f.weight": 1 + r(D), "ln_f.bias": r(D)}
    for l in range(L):
        p = f"h.{l}."
        w.update({p + "ln_1.weight": 1 + r(D), p + "ln_1.bias": r(D), p + "attn.c_attn.weight": r(D, 3 * D), p + "attn.c_attn.bias": r(3 * D),
                  p + "attn.c_proj.weight": r(D, D), p + "attn.c_proj.bias": r(D), p + "ln_2.weight": 1 + r(D), p + "ln_2.bias": r(D),
                  p + "mlp.c_fc.weight": r(D, 4 * D), p + "mlp.c_fc.bias": r(4 * D), p + "mlp.c_proj.weight": r(4 * D, D), p + "mlp.c_proj.bias": r(D),
                  p + "attn.bias": torch.tril(torch.ones(P, P)).view(1, 1, P, P).to(torch.bfloat16)})
    os.makedirs(folder, exist_ok=True)
    json.dump(cfg, open(os.path.join(folder, "config.json"), "w"), indent=2)
    write_safetensors(os.path.join(folder, "model.safetensors"), w)
    f = {k: v.double() for k, v in w.items()}  # HF upcasts nothing; float64 here to compare at 1e-9
    ids = torch.randint(0, V, (13,))
    T, hs = len(ids), D // H
    x = f["wte.weight"][ids] + f["wpe.weight"][torch.arange(T)]
    ln = lambda x, g, b: torch.nn.functional.layer_norm(x, (D,), g, b, 1e-5)
    for l in range(L):
        p = f"h.{l}."
        h = ln(x, f[p + "ln_1.weight"], f[p + "ln_1.bias"])
        qkv = h @ f[p + "attn.c_attn.weight"] + f[p + "attn.c_attn.bias"]  # Conv1D: x @ W + b
        q, k, v = qkv.split(D, dim=-1)
        q, k, v = (t.view(T, H, hs).transpose(0, 1) for t in (q, k, v))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
        att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf")).softmax(-1)
        a = (att @ v).transpose(0, 1).reshape(T, D)
        x = x + a @ f[p + "attn.c_proj.weight"] + f[p + "attn.c_proj.bias"]
        h = ln(x, f[p + "ln_2.weight"], f[p + "ln_2.bias"])
        x = x + gelu_new(h @ f[p + "mlp.c_fc.weight"] + f[p + "mlp.c_fc.bias"]) @ f[p + "mlp.c_proj.weight"] + f[p + "mlp.c_proj.bias"]
    logits = ln(x, f["ln_f.weight"], f["ln_f.bias"]) @ f["wte.weight"].T  # tied head
    json.dump({"ids": ids.tolist(), "logits": logits.tolist()}, open(os.path.join(folder, "expected.json"), "w"))

def llama3_inv_freq(base, dim, rs):
    # modeling_rope_utils.py: _compute_default_rope_parameters, then _compute_llama3_parameters.
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).double() / dim))
    factor, low, high, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
    low_wl, high_wl = old / low, old / high
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_wl, inv_freq / factor, inv_freq)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * inv_freq_llama / factor + smooth * inv_freq_llama
    medium = ~(wavelen < high_wl) * ~(wavelen > low_wl)
    return torch.where(medium, smoothed, inv_freq_llama)

def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)

def llama(folder):
    V, D, L, H, KV, F, P = 67, 32, 2, 4, 2, 48, 64
    # A small original context so that all three bands of the scaling occur at head size 8.
    rs = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 16}
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": V, "hidden_size": D, "intermediate_size": F,
           "num_hidden_layers": L, "num_attention_heads": H, "num_key_value_heads": KV, "head_dim": D // H, "max_position_embeddings": P,
           "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "rope_scaling": rs, "tie_word_embeddings": False, "hidden_act": "silu",
           "attention_bias": False, "mlp_bias": False, "pretraining_tp": 1, "torch_dtype": "float32", "bos_token_id": 1, "eos_token_id": 2}
    hs = D // H
    r = lambda *s: torch.randn(*s) * 0.3
    w = {"model.embed_tokens.weight": r(V, D), "model.norm.weight": 1 + r(D), "lm_head.weight": r(V, D)}
    for l in range(L):
        p = f"model.layers.{l}."
        w.update({p + "input_layernorm.weight": 1 + r(D), p + "post_attention_layernorm.weight": 1 + r(D),
                  p + "self_attn.q_proj.weight": r(H * hs, D), p + "self_attn.k_proj.weight": r(KV * hs, D),
                  p + "self_attn.v_proj.weight": r(KV * hs, D), p + "self_attn.o_proj.weight": r(D, H * hs),
                  p + "mlp.gate_proj.weight": r(F, D), p + "mlp.up_proj.weight": r(F, D), p + "mlp.down_proj.weight": r(D, F)})
    os.makedirs(folder, exist_ok=True)
    json.dump(cfg, open(os.path.join(folder, "config.json"), "w"), indent=2)
    names = sorted(w)
    shards = {"model-00001-of-00002.safetensors": names[: len(names) // 2], "model-00002-of-00002.safetensors": names[len(names) // 2 :]}
    for shard, ns in shards.items():
        write_safetensors(os.path.join(folder, shard), {n: w[n] for n in ns})
    json.dump({"metadata": {"total_size": 0}, "weight_map": {n: s for s, ns in shards.items() for n in ns}},
              open(os.path.join(folder, "model.safetensors.index.json"), "w"), indent=2)
    f = {k: v.double() for k, v in w.items()}
    ids = torch.randint(0, V, (40,))  # longer than original_max_position_embeddings
    T = len(ids)
    inv_freq = llama3_inv_freq(cfg["rope_theta"], hs, rs)
    freqs = torch.arange(T).double()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    rms = lambda x, g: g * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5))
    x = f["model.embed_tokens.weight"][ids]
    for l in range(L):
        p = f"model.layers.{l}."
        h = rms(x, f[p + "input_layernorm.weight"])
        q = (h @ f[p + "self_attn.q_proj.weight"].T).view(T, H, hs).transpose(0, 1)
        k = (h @ f[p + "self_attn.k_proj.weight"].T).view(T, KV, hs).transpose(0, 1)
        v = (h @ f[p + "self_attn.v_proj.weight"].T).view(T, KV, hs).transpose(0, 1)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k, v = k.repeat_interleave(H // KV, dim=0), v.repeat_interleave(H // KV, dim=0)  # repeat_kv
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
        att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf")).softmax(-1)
        x = x + (att @ v).transpose(0, 1).reshape(T, H * hs) @ f[p + "self_attn.o_proj.weight"].T
        h = rms(x, f[p + "post_attention_layernorm.weight"])
        g = h @ f[p + "mlp.gate_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * (h @ f[p + "mlp.up_proj.weight"].T)) @ f[p + "mlp.down_proj.weight"].T
    logits = rms(x, f["model.norm.weight"]) @ f["lm_head.weight"].T
    json.dump({"ids": ids.tolist(), "logits": logits.tolist()}, open(os.path.join(folder, "expected.json"), "w"))

gpt2(os.path.join(out, "gpt2-tiny"))
llama(os.path.join(out, "llama-tiny"))
