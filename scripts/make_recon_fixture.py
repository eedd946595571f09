#!/usr/bin/env python3
"""Reference fixtures for the paper's reconstruction metric (src/metrics/reconstruction.ts), in float64.

How to run (Debian's python has torch 1.13; pyenv's python3 does not):

    /usr/bin/python3 scripts/make_recon_fixture.py          # from anywhere; finds the repo root itself

What it writes
--------------
    test/fixtures/recon/recon_<norm>.safetensors      norm in: batch, weight

Each file holds a small DCGAN generator (the paper's R1 G, built by scripts/make_dcgan_fixture.py, which
this script imports: imageSize 16, baseWidth 8, codeSize 8), 40 held-out-like images and what the metric
computes on them (written with scripts/write_safetensors_reference.py):

    G.<state_dict name>   F32   G's weights and buffers (num_batches_tracked: I64); with norm 'batch' the
                                BN running statistics are non-trivial, so eval-mode BN is exercised
    input.x               F32   [40,3,16,16] the images in [0,1]
    expect.z              F64   [40,8]  z after the S RMSprop steps
    expect.recon          F64   [40,3,16,16] G(z) at the final z (eval mode)
    expect.per_image      F64   [40]    per-image MSE per pixel per channel at the final z
    expect.mse            F64   []      mean of expect.per_image (the metric)
    expect.mse_z0         F64   []      the same at z = 0 (before any step), to show the steps matter
    expect.loss_trace     F64   [2,S]   batch b's loss (mean MSE over its images) before step s

Metadata: `config` (JSON: imageSize, norm, codeSize, baseWidth, count, batch, steps, lr, alpha, eps),
`procedure` (the metric in words), `f32_check` (JSON: how far the same computation in float32 lands from
the float64 one, and how far a 1% change of lr moves it; see below), `generator`.

The metric, as src/metrics/reconstruction.ts (and the paper's code) runs it
--------------------------------------------------------------------------
Per batch of 32 images (40 = 32 + a partial batch of 8): z = zeros(n, codeSize); G in eval mode (BN uses
its running statistics) with every parameter frozen; torch.optim.RMSprop([z], lr 0.01, alpha 0.9,
eps 1e-6, centered False, momentum 0), fresh state per batch; S = 20 steps of: loss = F.mse_loss(G(z), x)
(the mean over the batch's n·3·16·16 values), backward, step. PyTorch's rule: v ← α·v + (1−α)·g²;
z ← z − lr·g/(sqrt(v) + eps), eps outside the sqrt, exactly as kernels/optimizer.wgsl. The script checks
torch's update against that explicit rule at every step. Then per image mean((G(z) − x)²) at the final z.

Images: x = clip(G(z*) + 0.02·N(0,1), 0, 1) with z* ~ N(0, 0.5²), rounded to f32: near G's range (so S
steps reduce the error clearly: the comparison tests the optimisation, not only G(0)), but off its manifold
as real held-out images are. All weights, images and BN statistics are f32-representable, so the f32
engine loading the F32 tensors starts from exactly the values used here.

Initialisation: make_dcgan_fixture.init_model (weights U(±1/sqrt(fan_in)), PReLU/TPReLU slopes
U(0.1, 0.4), TPReLU thresholds U(−0.1, 0.1), BN weight 1+U(−0.2, 0.2), bias U(−0.1, 0.1)), seeded from
the norm name. BN running statistics are then set as training would leave them: the cumulative batch
statistics of G (train mode) over 256 codes ~ N(0,1), perturbed per channel (mean + U(−0.2, 0.2)·std,
var × U(0.7, 1.4)) and rounded to f32; at the default init G's output would hardly depend on z (the
running variance far above the activations' own), and the metric would have little to optimise.

Tolerance guidance (`f32_check`)
--------------------------------
The script reruns the metric in float32 (PyTorch CPU) from the same f32 values and records the largest
relative difference from the float64 result in z, per-image MSE, the MSE and the improvement
mse_z0 − mse; it also reruns in float64 with lr 0.0101 (1% off) and records how far that moves the same
quantities. A test tolerance between the two separates f32 rounding from a wrong optimiser. RMSprop's
first step from v = 0 is lr·g/(sqrt(0.1)·|g| + eps) ≈ ±0.0316 whatever |g| is (for |g| ≫ 1e-6): it damps
relative errors of g rather than amplifying them, unless a gradient element is itself at the f32 noise
level; the script reports the smallest |g| of the first step relative to the largest (`min_rel_grad0`) to
show none is.
"""
import json
import math
import os
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import make_dcgan_fixture as M  # noqa: E402  (also sets float64 default and one thread)
from write_safetensors_reference import pack, serialize  # noqa: E402

# the generator's size: make_dcgan_fixture builds its modules from these module-level constants
M.IMAGE_SIZE, M.BASE_WIDTH, M.CODE_SIZE = 16, 8, 8
IMAGE_SIZE, BASE_WIDTH, CODE_SIZE = M.IMAGE_SIZE, M.BASE_WIDTH, M.CODE_SIZE

OUT_DIR = os.path.join(ROOT, "test", "fixtures", "recon")
NORMS = ["batch", "weight"]
COUNT, BATCH, STEPS = 40, 32, 20
LR, ALPHA, EPS = 0.01, 0.9, 1e-6
Z_TRUE_STD, NOISE_STD, CALIB = 0.5, 0.02, 256


def f32(t):
    return t.float().double()


def build(norm):
    g = torch.Generator().manual_seed(zlib.crc32(("recon_" + norm).encode()))
    G = M.Generator(norm)
    M.init_model(G, g)
    bns = [m for m in G.modules() if isinstance(m, nn.BatchNorm2d)]
    if bns:
        # running statistics as training would leave them: the cumulative batch statistics of G on
        # N(0,1) codes (train mode, momentum None), then perturbed per channel so that eval mode is not
        # batch statistics in disguise; without this G's output hardly depends on z at this init
        G.train()
        for m in bns:
            m.reset_running_stats()
            m.momentum = None
        with torch.no_grad():
            G(torch.randn(CALIB, CODE_SIZE, generator=g))
            for m in bns:
                c = m.num_features
                m.running_mean.copy_(f32(m.running_mean + M.uni(g, [c], -0.2, 0.2) * m.running_var.sqrt()))
                m.running_var.copy_(f32(m.running_var * M.uni(g, [c], 0.7, 1.4)))
                m.num_batches_tracked.zero_()
                m.momentum = 0.1
    G.eval()
    for p in G.parameters():
        p.requires_grad_(False)
    z_true = f32(Z_TRUE_STD * torch.randn(COUNT, CODE_SIZE, generator=g))
    with torch.no_grad():
        x = f32((G(z_true) + NOISE_STD * torch.randn(COUNT, 3, IMAGE_SIZE, IMAGE_SIZE, generator=g)).clamp(0, 1))
    return G, x


def metric(G, x, lr=LR, check_rule=True):
    """The metric as reconstruction.ts runs it; G's dtype decides the precision. Returns z, recon,
    per-image MSE, loss trace, the smallest |g| of the first step relative to the batch's largest."""
    dtype = next(G.parameters()).dtype
    x = x.to(dtype)
    zs, recons, per, trace, min_rel_g0 = [], [], [], [], math.inf
    for start in range(0, COUNT, BATCH):
        xb = x[start:start + BATCH]
        n = xb.shape[0]
        z = torch.zeros(n, CODE_SIZE, dtype=dtype, requires_grad=True)
        opt = torch.optim.RMSprop([z], lr=lr, alpha=ALPHA, eps=EPS, centered=False, momentum=0)
        v = torch.zeros(n, CODE_SIZE, dtype=dtype)
        losses = []
        for s in range(STEPS):
            opt.zero_grad()
            loss = F.mse_loss(G(z), xb)
            loss.backward()
            losses.append(float(loss))
            gz = z.grad.detach().clone()
            if s == 0:
                min_rel_g0 = min(min_rel_g0, float(gz.abs().min() / gz.abs().max()))
            z0 = z.detach().clone()
            opt.step()
            if check_rule:
                # the explicit rule (eps outside the sqrt), as kernels/optimizer.wgsl
                v = ALPHA * v + (1 - ALPHA) * gz * gz
                want = z0 - lr * gz / (v.sqrt() + EPS)
                tol = 1e-15 if dtype == torch.float64 else 1e-6
                assert torch.allclose(z.detach(), want, rtol=0, atol=tol), "RMSprop rule, step %d" % s
        with torch.no_grad():
            y = G(z)
            per.append(((y - xb) ** 2).mean((1, 2, 3)))
        zs.append(z.detach())
        recons.append(y)
        trace.append(losses)
    return torch.cat(zs), torch.cat(recons), torch.cat(per), torch.tensor(trace, dtype=torch.float64), min_rel_g0


def max_rel(a, b):
    """max |a−b| / (|b| + rms(b)), the shape of test/helpers/check.ts's assertClose criterion."""
    a, b = a.double(), b.double()
    rms = b.pow(2).mean().sqrt()
    return float(((a - b).abs() / (b.abs() + rms)).max())


def make(norm):
    G, x = build(norm)
    sd_before = {k: v.clone() for k, v in G.state_dict().items()}
    z, recon, per, trace, min_rel_g0 = metric(G, x)
    mse = per.mean()
    with torch.no_grad():
        mse_z0 = ((G(torch.zeros(COUNT, CODE_SIZE)) - x) ** 2).mean()
    for k, v in G.state_dict().items():
        assert torch.equal(v, sd_before[k]), "G changed: " + k

    # f32 rounding vs a wrong optimiser
    G32 = M.Generator(norm)
    G32.load_state_dict(sd_before)
    G32 = G32.float().eval()
    for p in G32.parameters():
        p.requires_grad_(False)
    z32, recon32, per32, _, _ = metric(G32, x)
    zl, reconl, perl, _, _ = metric(G, x, lr=LR * 1.01, check_rule=False)

    def diffs(zz, rr, pp):
        return {
            "z": max_rel(zz, z),
            "recon": max_rel(rr, recon),
            "per_image": max_rel(pp, per),
            "mse": abs(float(pp.double().mean()) - float(mse)) / float(mse),
            "improvement": abs(float(mse_z0 - pp.double().mean()) - float(mse_z0 - mse)) / float(mse_z0 - mse),
        }

    check = {
        "float32_vs_float64": diffs(z32, recon32, per32),
        "lr_plus_1pct_vs_lr": diffs(zl, reconl, perl),
        "min_rel_grad0": min_rel_g0,
        "note": "max |a-b|/(|b|+rms(b)) per tensor (as test/helpers/check.ts), relative difference for mse and "
                "for the improvement mse_z0 - mse",
    }

    t = {}

    def put(name, dtype, value):
        value = value.detach().contiguous()
        t[name] = (dtype, list(value.shape), pack(dtype, value.flatten().tolist()))

    for k, v in sd_before.items():
        put("G." + k, "I64" if v.dtype == torch.int64 else "F32", v)
    put("input.x", "F32", x)
    put("expect.z", "F64", z)
    put("expect.recon", "F64", recon)
    put("expect.per_image", "F64", per)
    put("expect.mse", "F64", mse)
    put("expect.mse_z0", "F64", mse_z0)
    put("expect.loss_trace", "F64", trace)

    config = {"imageSize": IMAGE_SIZE, "norm": norm, "codeSize": CODE_SIZE, "baseWidth": BASE_WIDTH,
              "count": COUNT, "batch": BATCH, "steps": STEPS, "lr": LR, "alpha": ALPHA, "eps": EPS}
    procedure = (
        "Per batch of %d images (the last one partial): z = zeros; G in eval mode (BN: running statistics), "
        "parameters frozen; torch.optim.RMSprop([z], lr %g, alpha %g, eps %g outside the sqrt, centered False, "
        "no momentum), fresh state per batch; %d steps of loss = F.mse_loss(G(z), x) (mean over the batch), "
        "backward, step. expect.per_image = mean((G(z)-x)^2) per image at the final z, expect.mse their mean. "
        "All float64 from the stored f32 values." % (BATCH, LR, ALPHA, EPS, STEPS)
    )
    meta = {
        "config": json.dumps(config, separators=(",", ":")),
        "procedure": procedure,
        "f32_check": json.dumps(check, separators=(",", ":")),
        "generator": "scripts/make_recon_fixture.py, torch %s" % torch.__version__,
    }
    data = serialize(t, meta)
    path = os.path.join(OUT_DIR, "recon_%s.safetensors" % norm)
    with open(path, "wb") as f:
        f.write(data)
    print("%-7s mse(z=0) %.9f -> mse %.9f after %d steps; %d bytes -> %s"
          % (norm, float(mse_z0), float(mse), STEPS, len(data), os.path.relpath(path, ROOT)))
    fmt = lambda d: " ".join("%s %.1e" % (k, v) for k, v in d.items())  # noqa: E731
    print("        f32 vs f64:  " + fmt(check["float32_vs_float64"]))
    print("        lr +1%:      " + fmt(check["lr_plus_1pct_vs_lr"]))
    print("        min |g0|/max |g0| %.1e" % min_rel_g0)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for norm in NORMS:
        make(norm)


if __name__ == "__main__":
    main()
