# PyTorch peer of `tick bench generate`: a Llama block (RMSNorm, RoPE,
# SwiGLU, no biases, untied head) with a KV cache, float32, greedy, one token
# per forward as llama2.c does. Prints one JSON line per repeat:
# {"tok_per_s": N}. Arguments: layers heads dim ffdim vocab context threads
# tokens repeats.
import json, sys, time

import torch

L, H, D, F_, V, T, threads, n, repeats = map(int, sys.argv[1:10])
torch.set_num_threads(threads)
torch.manual_seed(1)
hs = D // H


def w(*shape):
    return torch.randn(*shape) * 0.02


layers = [dict(att_norm=torch.ones(D), wq=w(D, D), wk=w(D, D), wv=w(D, D), wo=w(D, D),
               ffn_norm=torch.ones(D), w1=w(F_, D), w2=w(D, F_), w3=w(F_, D)) for _ in range(L)]
emb, out_norm, head = w(V, D), torch.ones(D), w(V, D)
freqs = 1.0 / (10000.0 ** (torch.arange(0, hs, 2).float() / hs))
angles = torch.outer(torch.arange(T).float(), freqs)
cos, sin = angles.cos(), angles.sin()


def rms(x, g):
    return x * torch.rsqrt(x.pow(2).mean() + 1e-5) * g


def rope(x, pos):  # x: H x hs, pairs (2i, 2i+1) rotated as llama2.c does
    x = x.view(H, hs // 2, 2)
    a, b = x[..., 0], x[..., 1]
    c, s = cos[pos], sin[pos]
    return torch.stack((a * c - b * s, a * s + b * c), dim=-1).view(H, hs)


def generate():
    kc = torch.zeros(L, T, H, hs)
    vc = torch.zeros(L, T, H, hs)
    tok = 1
    for pos in range(n):
        x = emb[tok]
        for i, p in enumerate(layers):
            h = rms(x, p["att_norm"])
            q = rope((p["wq"] @ h).view(H, hs), pos)
            kc[i, pos] = rope((p["wk"] @ h).view(H, hs), pos)
            vc[i, pos] = (p["wv"] @ h).view(H, hs)
            k, v = kc[i, : pos + 1], vc[i, : pos + 1]  # pos+1 x H x hs
            att = torch.softmax(torch.einsum("hd,thd->ht", q, k) / hs ** 0.5, dim=-1)
            x = x + p["wo"] @ torch.einsum("ht,thd->hd", att, v).reshape(D)
            h = rms(x, p["ffn_norm"])
            x = x + p["w2"] @ (torch.nn.functional.silu(p["w1"] @ h) * (p["w3"] @ h))
        tok = int(torch.argmax(head @ rms(x, out_norm)))


with torch.no_grad():
    generate()  # warm up outside the timing
    for _ in range(repeats):
        t0 = time.perf_counter()
        generate()
        print(json.dumps({"tok_per_s": n / (time.perf_counter() - t0)}), flush=True)
