#!/usr/bin/env python3
"""PyTorch (CPU) side of `npm run bench:peer`: the paper's DCGAN (R1) training iteration and one
reconstruction step, built to match src/models/dcgan.ts and src/train/gan.ts, timed on the CPU with every
core (torch.set_num_threads(os.cpu_count())). Prints one JSON object on stdout; progress goes to stderr.
Without torch it prints {"available": false, "reason": ...} and exits 0.

  /usr/bin/python3 bench/peer_torch.py [--size 32] [--width 64] [--batch 64] [--norm batch,weight] [--iters 3]
                                       [--warmup 1] [--recon-steps 5] [--recon-width 32] [--recon-batch 32]

(Any python3 with torch; here Debian's /usr/bin/python3 has it and pyenv's `python3` does not. bench/peer.ts
picks $WNGAN_PYTHON, else the first of `python3`, /usr/bin/python3 that imports torch.)

The JSON also records torch's build (`build`: its BLAS and whether oneDNN is used): Debian's python3-torch
links the reference BLAS (libblas3) unless an optimised one is selected with update-alternatives, and its
transposed convolutions go through that BLAS, so they are far slower than a tuned PyTorch's.

Parameter counts at 32 px, width 64 (as wngan's): batch G 1,188,355, D 664,193; weight G 1,183,622,
D 663,426. The modules compute the same functions as scripts/make_dcgan_fixture.py's (checked once by loading
test/fixtures/dcgan/dcgan_{batch,weight}.safetensors into build(..., size 32, width 8, code 16): G in eval mode
and D in train mode reproduce the stored outputs to 2e-16).

The model, per norm:
  D: k4 s2 convs from `width` channels (doubling per level; padding 1, or 2 at levels of size 2 mod 4),
     then a full-size conv to one logit, Flatten, Sigmoid.
  G: linear z (128) -> f_top x s_L x s_L, Unflatten, then k4 s2 transposed convs halving the channels, the
     last to 3 channels, Sigmoid.
  'batch':  Conv2d/ConvTranspose2d/Linear with biases; BatchNorm2d on every D level but the first and after
            every hidden G layer; PReLU (slope 0.25).
  'weight': the paper's weight norm per output channel, w = v / sqrt(sum v^2 + eps) (eps 1e-6 conv, 1e-8
            linear), x sqrt(stride^2) = 2 for the stride-2 transposed convs; strict in hidden layers (G's
            linear initialised x0.01), affine (gain, bias) in the last layer of G and of D; TPReLU
            PReLU_a(x - b) + b.
  Slopes clamped to [0, 1] after each optimiser step. RMSprop lr 1e-4, alpha 0.9, eps 1e-6. BCE on
  probabilities.
One iteration: fake = G(z1) without gradients; D step on BCE(D(x), 1) + BCE(D(fake), 0); G step on
BCE(D(G(z2)), 1) with D's parameters frozen; the losses are read (.item()).
One reconstruction step: G in eval mode without parameter gradients; MSE(G(z), x) backward to z, RMSprop
on z (lr 0.01, alpha 0.9, eps 1e-6).
"""
import argparse
import json
import math
import os
import statistics
import sys
import time


def level_plan(size):
    """src/models/dcgan.ts levelPlan: the map size per level and the extra padding of each level."""
    if size < 8 or size % 2:
        raise ValueError(f"image size must be even and >= 8, got {size}")
    levels, s = 0, size
    while s >= 8:
        levels += 1
        s = (s + 1) // 2
    sizes, extra = [size], []
    for i in range(levels):
        pad = 1 if i < levels - 1 and sizes[i] % 4 == 2 else 0
        extra.append(pad)
        sizes.append((sizes[i] + 2 * pad) // 2)
    return sizes, extra


def build(torch, norm, size, width, code=128):
    nn = torch.nn
    F = torch.nn.functional

    def uniform(shape, bound):
        return nn.Parameter(torch.empty(shape).uniform_(-bound, bound))

    class WNConv(nn.Module):
        def __init__(self, cin, cout, k, stride, pad, affine, transposed):
            super().__init__()
            self.stride, self.pad, self.transposed = stride, pad, transposed
            self.weight = uniform((cin, cout, k, k) if transposed else (cout, cin, k, k), 1 / math.sqrt(cin * k * k))
            self.factor = float(stride) if transposed else 1.0  # sqrt(stride_h * stride_w)
            self.gain = nn.Parameter(torch.ones(cout)) if affine else None
            self.bias = nn.Parameter(torch.zeros(cout)) if affine else None

        def forward(self, x):
            v = self.weight
            if self.transposed:  # [in, out, kh, kw]: per output channel = dim 1
                s = self.factor * torch.rsqrt((v * v).sum(dim=(0, 2, 3), keepdim=True) + 1e-6)
                if self.gain is not None:
                    s = s * self.gain.view(1, -1, 1, 1)
                return F.conv_transpose2d(x, v * s, self.bias, stride=self.stride, padding=self.pad)
            s = torch.rsqrt((v * v).sum(dim=(1, 2, 3), keepdim=True) + 1e-6)
            if self.gain is not None:
                s = s * self.gain.view(-1, 1, 1, 1)
            return F.conv2d(x, v * s, self.bias, stride=self.stride, padding=self.pad)

    class WNLinear(nn.Module):
        def __init__(self, fin, fout, init_scale):
            super().__init__()
            self.weight = uniform((fout, fin), init_scale / math.sqrt(fin))

        def forward(self, x):
            v = self.weight
            return F.linear(x, v * torch.rsqrt((v * v).sum(dim=1, keepdim=True) + 1e-8))

    class TPReLU(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.weight = nn.Parameter(torch.full((c,), 0.25))
            self.threshold = nn.Parameter(torch.zeros(c))

        def forward(self, x):
            b = self.threshold.view(1, -1, *([1] * (x.dim() - 2)))
            return F.prelu(x - b, self.weight) + b

    wn = norm == "weight"

    def act(c):
        return TPReLU(c) if wn else nn.PReLU(c, init=0.25)

    def conv(cin, cout, k, stride, pad, last):
        if wn:
            return WNConv(cin, cout, k, stride, pad, last, False)
        return nn.Conv2d(cin, cout, k, stride, pad)

    def deconv(cin, cout, pad, last):
        if wn:
            return WNConv(cin, cout, 4, 2, pad, last, True)
        return nn.ConvTranspose2d(cin, cout, 4, 2, pad)

    sizes, extra = level_plan(size)
    levels = len(sizes) - 1
    d, c, f = [], 3, width
    for i in range(1, levels + 1):
        d.append(conv(c, f, 4, 2, 1 + extra[i - 1], False))
        if norm == "batch" and i > 1:
            d.append(nn.BatchNorm2d(f))
        d.append(act(f))
        c, f = f, f * 2
    d += [conv(c, 1, sizes[-1], 1, 0, True), nn.Flatten(), nn.Sigmoid()]
    D = nn.Sequential(*d)

    s0 = sizes[levels]
    f = width * 2 ** (levels - 1)
    g = [WNLinear(code, f * s0 * s0, 0.01) if wn else nn.Linear(code, f * s0 * s0), nn.Unflatten(1, (f, s0, s0))]
    if norm == "batch":
        g.append(nn.BatchNorm2d(f))
    g.append(act(f))
    for i in range(1, levels):
        g.append(deconv(f, f // 2, 1 + extra[levels - i], False))
        if norm == "batch":
            g.append(nn.BatchNorm2d(f // 2))
        g.append(act(f // 2))
        f //= 2
    g += [deconv(f, 3, 1 + extra[0], True), nn.Sigmoid()]
    G = nn.Sequential(*g)
    slopes = lambda m: [x.weight for x in m.modules() if isinstance(x, (nn.PReLU, TPReLU))]
    return G, D, slopes(G), slopes(D)


def timing(ms):
    return {"median_ms": round(statistics.median(ms), 1), "times_ms": [round(x, 1) for x in ms]}


def train_times(torch, norm, a):
    F = torch.nn.functional
    G, D, slopes_g, slopes_d = build(torch, norm, a.size, a.width)
    G.train()
    D.train()
    opt_d = torch.optim.RMSprop(D.parameters(), lr=1e-4, alpha=0.9, eps=1e-6)
    opt_g = torch.optim.RMSprop(G.parameters(), lr=1e-4, alpha=0.9, eps=1e-6)
    B = a.batch
    x = torch.rand(B, 3, a.size, a.size)
    ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)

    def clamp(slopes):
        with torch.no_grad():
            for s in slopes:
                s.clamp_(0, 1)

    def iteration():
        with torch.no_grad():
            fake = G(torch.randn(B, 128))
        opt_d.zero_grad(set_to_none=True)
        loss_d = F.binary_cross_entropy(D(x), ones) + F.binary_cross_entropy(D(fake), zeros)
        loss_d.backward()
        opt_d.step()
        clamp(slopes_d)
        for p in D.parameters():
            p.requires_grad_(False)
        opt_g.zero_grad(set_to_none=True)
        loss_g = F.binary_cross_entropy(D(G(torch.randn(B, 128))), ones)
        loss_g.backward()
        opt_g.step()
        clamp(slopes_g)
        for p in D.parameters():
            p.requires_grad_(True)
        return loss_d.item(), loss_g.item()

    params = {"G": sum(p.numel() for p in G.parameters()), "D": sum(p.numel() for p in D.parameters())}
    ms = []
    for i in range(a.warmup + a.iters):
        t0 = time.perf_counter()
        ld, lg = iteration()
        dt = (time.perf_counter() - t0) * 1000
        if not (math.isfinite(ld) and math.isfinite(lg)):
            raise RuntimeError(f"non-finite loss (D {ld}, G {lg})")
        if i >= a.warmup:
            ms.append(dt)
        print(json.dumps({"system": "torch", "norm": norm, "train_ms": round(dt, 1), "warmup": i < a.warmup}), file=sys.stderr)
    return params, ms


def recon_times(torch, norm, a):
    F = torch.nn.functional
    G, _, _, _ = build(torch, norm, a.size, a.recon_width)
    G.eval()
    for p in G.parameters():
        p.requires_grad_(False)
    B = a.recon_batch
    x = torch.rand(B, 3, a.size, a.size)
    z = torch.zeros(B, 128, requires_grad=True)
    opt = torch.optim.RMSprop([z], lr=0.01, alpha=0.9, eps=1e-6)
    ms = []
    for i in range(a.warmup + a.recon_steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(G(z), x)
        loss.backward()
        opt.step()
        loss.item()
        dt = (time.perf_counter() - t0) * 1000
        if i >= a.warmup:
            ms.append(dt)
    return ms


def build_info(torch):
    """torch's BLAS and oneDNN (the configuration summary's BLAS_INFO; Debian's build says "generic": the
    system libblas.so.3, which update-alternatives may point at the reference BLAS or at OpenBLAS)."""
    info = {"mkldnn": bool(torch.backends.mkldnn.is_available())}
    try:
        cfg = torch.__config__.show()
        for key in ("BLAS_INFO", "LAPACK_INFO"):
            i = cfg.find(key + "=")
            if i >= 0:
                info[key.lower()] = cfg[i + len(key) + 1:].split(",")[0].strip()
    except Exception:  # informational only
        pass
    for lib in ("/etc/alternatives/libblas.so.3-x86_64-linux-gnu", "/etc/alternatives/libblas.so.3-aarch64-linux-gnu"):
        if os.path.exists(lib):
            info["libblas"] = os.path.realpath(lib)
    return info


def main():
    ap = argparse.ArgumentParser(description="PyTorch (CPU) side of `npm run bench:peer`: times the paper's DCGAN "
                                 "training iteration and one reconstruction step; prints one JSON object.")
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--norm", default="batch,weight")
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--recon-steps", type=int, default=5)
    ap.add_argument("--recon-width", type=int, default=32)
    ap.add_argument("--recon-batch", type=int, default=32)
    a = ap.parse_args()
    try:
        import torch
    except Exception as e:  # no torch here: say so, not an error
        print(json.dumps({"available": False, "reason": f"import torch failed: {type(e).__name__}: {e}"}))
        return
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(1)
    norms = [n for n in a.norm.split(",") if n]
    for n in norms:
        if n not in ("batch", "weight"):
            raise SystemExit(f"--norm: batch or weight, got {n!r}")
    out = {
        "available": True,
        "version": torch.__version__,
        "device": "cpu",
        "threads": torch.get_num_threads(),
        "build": build_info(torch),
        "iters": a.iters,
        "recon_steps": a.recon_steps,
        "params": {},
        "train": {},
        "recon": {},
    }
    for n in norms:
        params, ms = train_times(torch, n, a)
        out["params"][n] = params
        out["train"][n] = timing(ms)
        out["recon"][n] = timing(recon_times(torch, n, a))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
