#!/usr/bin/env python3
"""Independent PEFT merge reference for transformer/lora_peft_test.go.

Writes, for a tiny GPT-2-named and a tiny Llama-named model, random base
weights of the adapted linear layers, a LoRA adapter in PEFT's exact
on-disk layout (adapter_model.safetensors with
base_model.model.<module>.lora_A.weight (r x in) and .lora_B.weight
(out x r), F32; adapter_config.json), and the merged weights computed as
PEFT's LoraLayer.get_delta_weight does:
    delta = transpose(B @ A, fan_in_fan_out) * (lora_alpha / r)
    W_merged = W + delta
(fan_in_fan_out is true for GPT-2's Conv1D, whose weight is in x out).
peft itself is not installed here, so this is plain torch, float64.

Run from the repository root with a python that has torch:
    /usr/bin/python3 transformer/testdata/peft_reference.py
"""
import json, os, struct
import torch

torch.manual_seed(0)
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peft")

def write_safetensors(path, tensors, dtype):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].to(torch.float32 if dtype == "F32" else torch.float64).contiguous()
        b = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

D, F, hs, H, KVH = 8, 16, 4, 2, 1
MODELS = {
    "gpt": {"fan_in_fan_out": True, "targets": ["c_attn", "c_proj"], "layers": {
        # module: (in, out); stored in x out
        "transformer.h.0.attn.c_attn": (D, 3 * D), "transformer.h.0.attn.c_proj": (D, D),
        "transformer.h.0.mlp.c_fc": (D, F), "transformer.h.0.mlp.c_proj": (F, D)}},
    "llama": {"fan_in_fan_out": False, "targets": ["q_proj", "v_proj", "down_proj"], "layers": {
        # stored out x in
        "model.layers.0.self_attn.q_proj": (D, H * hs), "model.layers.0.self_attn.k_proj": (D, KVH * hs),
        "model.layers.0.self_attn.v_proj": (D, KVH * hs), "model.layers.0.self_attn.o_proj": (H * hs, D),
        "model.layers.0.mlp.gate_proj": (D, F), "model.layers.0.mlp.up_proj": (D, F),
        "model.layers.0.mlp.down_proj": (F, D)}},
}
r, alpha = 2, 6.0
for name, m in MODELS.items():
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    adapter, expected = {}, {}
    for mod, (fin, fout) in m["layers"].items():
        shape = (fin, fout) if m["fan_in_fan_out"] else (fout, fin)
        W = torch.randn(shape, dtype=torch.float64) * 0.3
        expected["base/" + mod + ".weight"] = W
        merged = W.clone()
        if any(mod == t or mod.endswith("." + t) for t in m["targets"]):
            A = (torch.rand(r, fin, dtype=torch.float64) * 2 - 1).float().double()
            B = (torch.randn(fout, r, dtype=torch.float64) * 0.5).float().double()
            adapter["base_model.model." + mod + ".lora_A.weight"] = A
            adapter["base_model.model." + mod + ".lora_B.weight"] = B
            delta = B @ A
            if m["fan_in_fan_out"]:
                delta = delta.T
            merged = W + delta * (alpha / r)
        expected["merged/" + mod + ".weight"] = merged
    write_safetensors(os.path.join(d, "adapter_model.safetensors"), adapter, "F32")
    write_safetensors(os.path.join(HERE, name + "_expected.safetensors"), expected, "F64")
    cfg = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": "tiny-" + name,
           "r": r, "lora_alpha": alpha, "lora_dropout": 0.05, "target_modules": m["targets"],
           "fan_in_fan_out": m["fan_in_fan_out"], "bias": "none", "inference_mode": True,
           "init_lora_weights": True, "modules_to_save": None, "revision": None, "use_rslora": False}
    with open(os.path.join(d, "adapter_config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
