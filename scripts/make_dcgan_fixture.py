#!/usr/bin/python3
"""Reference fixtures for ONE training iteration of the paper's DCGAN (R1), one file per norm mode.

What it writes
--------------
    test/fixtures/dcgan/dcgan_<norm>.safetensors      norm in: weight, batch, none, weight-affine

Config of every fixture: imageSize 32, baseWidth 8 (D widths 8,16,32; G's top width 32), codeSize 16,
batch 4. Every file is a safetensors file written with the standard-library writer of
scripts/write_safetensors_reference.py (byte-identical to the official library; tensors sorted by dtype
then name, metadata keys sorted). Tensor names:

    G.<state_dict name>, D.<state_dict name>   INITIAL weights and buffers, F32 (num_batches_tracked: I64)
    input.x        [4,3,32,32] F32  real batch, U(0,1)
    input.z1       [4,16]      F32  z of the fake batch of the D step
    input.z2       [4,16]      F32  z of the G step
    input.z_eval   [2,16]      F32  z for the eval-mode output
    expect.G_eval           F64  G(z_eval), G in EVAL mode, initial weights (before the iteration)
    expect.D_real           F64  [4,1] D(x) in the D step
    expect.D_fake           F64  [4,1] D(G(z1)) in the D step
    expect.D_fake2          F64  [4,1] D(G(z2)) in the G step (D already updated)
    expect.lossD            F64  []   BCE(D(x),1) + BCE(D(G(z1)),0)
    expect.lossG            F64  []   BCE(D(G(z2)),1), computed with the UPDATED D
    expect.gradD.<param>    F64  d lossD / d param, initial D (every D parameter)
    expect.gradG.<param>    F64  d lossG / d param, initial G and updated D (every G parameter)
    expect.after.D.<name>   F64  D's parameters and buffers after the iteration (num_batches_tracked: I64)
    expect.after.G.<name>   F64  G's parameters and buffers after the iteration (num_batches_tracked: I64)
    expect.after.G_eval     F64  G(z_eval) in EVAL mode after the iteration (BN: updated running stats)

Metadata: `config` (JSON {imageSize, norm, codeSize, baseWidth, batch}), `schedule` (what was computed),
`generator` ("scripts/make_dcgan_fixture.py, torch <version>").

The iteration (the paper's R1 schedule, with the optimiser steps):
  1. G and D in training mode. fake = G(z1) without gradient (BN in G: batch statistics, running stats
     updated once). lossD = BCE(D(x), 1) + BCE(D(fake), 0) with two separate D forward passes, real first,
     then fake (BN in D: each pass normalises with its own batch statistics and updates the running stats,
     real then fake). Backward; record gradD. RMSprop step on D (lr 1e-4, alpha 0.9, eps 1e-6 outside the
     sqrt, not centred, square_avg starting at 0, PyTorch's torch.optim.RMSprop), then PReLU/TPReLU slopes
     of D clamped to [0, 1].
  2. lossG = BCE(D(G(z2)), 1) through the UPDATED D (still training mode: BN in G and D updates running
     stats once more). Backward; record gradG (D's gradients from this pass are ignored, D is not stepped).
     RMSprop step on G (same settings, fresh state), then G's slopes clamped to [0, 1].
  So after the iteration BN num_batches_tracked is 3 in D and 2 in G.

All math is float64 on the CPU (one thread, so the output is deterministic); every stored initial value
and input is float32-representable (drawn, then rounded to f32), so an f32 engine loading the F32 tensors
sees exactly the values the float64 reference used.

Initialisation (seeded from the norm name; not the engine's rng): weights and conv/linear biases
U(±1/sqrt(fan_in)), fan_in = in·kh·kw for conv AND transposed conv (the paper's Torch rule), G's input
WN linear ×0.01. To make gradients informative the following are NOT at their defaults: PReLU/TPReLU
slopes U(0.1, 0.4); TPReLU thresholds U(−0.1, 0.1); BN weight 1+U(−0.2, 0.2), bias U(−0.1, 0.1),
running_mean U(−0.1, 0.1), running_var U(0.5, 1.5) (num_batches_tracked 0); affine WN gain 1+U(−0.2, 0.2),
bias U(−0.1, 0.1).

Notes for tests comparing an f32 engine against these files:
  * With norm 'batch' the conv/convT biases right before a BatchNorm (D main.2.bias, main.5.bias; G
    main.4.bias, main.7.bias) have gradient 0 in theory (~1e-17 here); an f32 engine gets rounding noise.
    Compare those gradients with an absolute tolerance scaled to the other gradients, not a relative one.
  * RMSprop's first step from square_avg 0 moves every parameter by ≈ lr·g/(sqrt(0.1)·|g| + 1e-6), i.e.
    ≈ ±3.16e-4 whatever |g| is once |g| ≫ 1e-6: elements whose gradient is tiny or noise (the biases
    above, and the ×0.01-initialised WN input linear of G, whose weights are ~1e-3) can differ in
    expect.after.* by up to ~lr·3 in f32. Compare after.* with an absolute tolerance of that order for
    those, or check the update against the RMSprop rule applied to the engine's own gradient. BN running
    means downstream of such a bias (D's in norm 'batch') inherit the difference via the G-step pass.

How to run (Debian's python has torch 1.13; pyenv's python3 does not):

    /usr/bin/python3 scripts/make_dcgan_fixture.py            # from anywhere; finds the repo root itself

It prints the losses and runs self-checks (finite differences in float64 of one element of every
parameter's gradient, the explicit RMSprop rule, name/shape checks) and fails loudly if one is off.

Module tree ↔ src/models/dcgan.ts (imageSize 32 → level sizes 32,16,8,4, three levels). Layers without
parameters (Flatten, Unflatten, Sigmoid) still take an index in `main` (a Sequential), as in the TS model.

  D (norm none / weight / weight-affine)          D (norm batch)
    main.0  conv 3→8    k4 s2 p1                    main.0  Conv2d 3→8
    main.1  act(8)                                  main.1  PReLU(8)
    main.2  conv 8→16   k4 s2 p1                    main.2  Conv2d 8→16
    main.3  act(16)                                 main.3  BatchNorm(16)
    main.4  conv 16→32  k4 s2 p1                    main.4  PReLU(16)
    main.5  act(32)                                 main.5  Conv2d 16→32
    main.6  conv 32→1   k4 s1 p0 (last)             main.6  BatchNorm(32)
    main.7  Flatten                                 main.7  PReLU(32)
    main.8  Sigmoid                                 main.8  Conv2d 32→1 k4 s1 p0
                                                    main.9  Flatten, main.10 Sigmoid
  G (norm none / weight / weight-affine)          G (norm batch)
    main.0  linear 16→512 (32·4·4)                  main.0  Linear 16→512
    main.1  Unflatten → [32,4,4]                    main.1  Unflatten
    main.2  act(32)                                 main.2  BatchNorm(32)
    main.3  convT 32→16 k4 s2 p1                    main.3  PReLU(32)
    main.4  act(16)                                 main.4  ConvTranspose2d 32→16
    main.5  convT 16→8  k4 s2 p1                    main.5  BatchNorm(16)
    main.6  act(8)                                  main.6  PReLU(16)
    main.7  convT 8→3   k4 s2 p1 (last)             main.7  ConvTranspose2d 16→8
    main.8  Sigmoid                                 main.8  BatchNorm(8), main.9 PReLU(8)
                                                    main.10 ConvTranspose2d 8→3, main.11 Sigmoid
  conv/convT/linear by norm:  none, batch → Conv2d / ConvTranspose2d / Linear (weight, bias)
                              weight      → strict WN (weight only) except the last layer of D and of G,
                                            which is affine WN (weight, gain, bias)
                              weight-affine → affine WN everywhere (weight, gain, bias)
  act by norm:                weight → TPReLU (weight = slope, threshold); otherwise PReLU (weight)
  BatchNorm: weight, bias, running_mean, running_var, num_batches_tracked (PyTorch's names).
  Weight layouts: conv [out,in,kh,kw], convT [in,out,kh,kw], linear [out,in] (PyTorch's).
"""
import copy
import json
import math
import os
import struct
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from write_safetensors_reference import pack, serialize  # noqa: E402

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

OUT_DIR = os.path.join(ROOT, "test", "fixtures", "dcgan")
NORMS = ["weight", "batch", "none", "weight-affine"]
IMAGE_SIZE, BASE_WIDTH, CODE_SIZE, BATCH, N_EVAL = 32, 8, 16, 4, 2
LR, ALPHA, RMS_EPS = 1e-4, 0.9, 1e-6
WN_EPS_CONV, WN_EPS_LINEAR = 1e-6, 1e-8


# ----------------------------------------------------------------------------------------------------
# layers (names as src/nn/layers.ts)

def per_channel(t, ndim):
    return t.view(1, -1, *([1] * (ndim - 2)))


class WNLinear(nn.Module):
    """y = x·(v/‖v‖)ᵀ, per output unit ‖v_o‖ = sqrt(Σ_i v_oi² + 1e-8); affine: γ·(…)+β."""

    def __init__(self, in_f, out_f, affine, init_scale=1.0):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(out_f, in_f))
        self.init_bound = init_scale / math.sqrt(in_f)
        self.affine = affine
        if affine:
            self.gain = nn.Parameter(torch.ones(out_f))
            self.bias = nn.Parameter(torch.zeros(out_f))

    def forward(self, x):
        n = (self.weight.pow(2).sum(1) + WN_EPS_LINEAR).sqrt()
        y = F.linear(x, self.weight / n.view(-1, 1))
        return y * self.gain + self.bias if self.affine else y


class WNConv2d(nn.Module):
    """y = conv2d(x, v/‖v‖), ‖v_o‖ = sqrt(Σ_{in,kh,kw} v² + 1e-6); affine: γ·(…)+β."""

    def __init__(self, cin, cout, k, stride, pad, affine):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(cout, cin, k, k))
        self.init_bound = 1 / math.sqrt(cin * k * k)
        self.stride, self.pad, self.affine = stride, pad, affine
        if affine:
            self.gain = nn.Parameter(torch.ones(cout))
            self.bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x):
        n = (self.weight.pow(2).sum((1, 2, 3)) + WN_EPS_CONV).sqrt()
        y = F.conv2d(x, self.weight / n.view(-1, 1, 1, 1), None, self.stride, self.pad)
        return y * per_channel(self.gain, 4) + per_channel(self.bias, 4) if self.affine else y


class WNConvTranspose2d(nn.Module):
    """v is [in,out,kh,kw]; norm per OUTPUT channel (dim 1) over (in,kh,kw), eps 1e-6; output
    × sqrt(stride_h·stride_w) (before γ, β)."""

    def __init__(self, cin, cout, k, stride, pad, affine):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(cin, cout, k, k))
        self.init_bound = 1 / math.sqrt(cin * k * k)
        self.stride, self.pad, self.affine = stride, pad, affine
        if affine:
            self.gain = nn.Parameter(torch.ones(cout))
            self.bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x):
        n = (self.weight.pow(2).sum((0, 2, 3)) + WN_EPS_CONV).sqrt()
        y = F.conv_transpose2d(x, self.weight / n.view(1, -1, 1, 1), None, self.stride, self.pad)
        y = y * math.sqrt(self.stride * self.stride)
        return y * per_channel(self.gain, 4) + per_channel(self.bias, 4) if self.affine else y


class TPReLU(nn.Module):
    """y = PReLU_a(x − b) + b, per channel (dim 1): weight = slope a, threshold = b."""

    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.full((c,), 0.25))
        self.threshold = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        b = per_channel(self.threshold, x.dim())
        return F.prelu(x - b, self.weight) + b


def is_wn(norm):
    return norm in ("weight", "weight-affine")


def activation(norm, c):
    return TPReLU(c) if norm == "weight" else nn.PReLU(c)


def conv(norm, cin, cout, k, s, p, last):
    if not is_wn(norm):
        m = nn.Conv2d(cin, cout, k, s, p)
        m.init_bound = 1 / math.sqrt(cin * k * k)
        return m
    return WNConv2d(cin, cout, k, s, p, last or norm == "weight-affine")


def deconv(norm, cin, cout, k, s, p, last):
    if not is_wn(norm):
        m = nn.ConvTranspose2d(cin, cout, k, s, p)
        m.init_bound = 1 / math.sqrt(cin * k * k)  # the paper's rule (PyTorch's own default uses out·k·k)
        return m
    return WNConvTranspose2d(cin, cout, k, s, p, last or norm == "weight-affine")


def level_sizes(size):
    sizes, s = [size], size
    while s >= 8:
        assert s % 2 == 0
        s //= 2
        sizes.append(s)
    return sizes


class Discriminator(nn.Module):
    def __init__(self, norm):
        super().__init__()
        sizes = level_sizes(IMAGE_SIZE)
        layers, c, f = [], 3, BASE_WIDTH
        for i in range(1, len(sizes)):
            layers.append(conv(norm, c, f, 4, 2, 1, False))
            if norm == "batch" and i > 1:
                layers.append(nn.BatchNorm2d(f))
            layers.append(activation(norm, f))
            c, f = f, f * 2
        layers += [conv(norm, c, 1, sizes[-1], 1, 0, True), nn.Flatten(), nn.Sigmoid()]
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x)


class Generator(nn.Module):
    def __init__(self, norm):
        super().__init__()
        sizes = level_sizes(IMAGE_SIZE)
        levels, s0 = len(sizes) - 1, sizes[-1]
        f = BASE_WIDTH * 2 ** (levels - 1)
        n = f * s0 * s0
        if is_wn(norm):
            first = WNLinear(CODE_SIZE, n, norm == "weight-affine", 0.01)
        else:
            first = nn.Linear(CODE_SIZE, n)
            first.init_bound = 1 / math.sqrt(CODE_SIZE)
        layers = [first, nn.Unflatten(1, (f, s0, s0))]
        if norm == "batch":
            layers.append(nn.BatchNorm2d(f))
        layers.append(activation(norm, f))
        for _ in range(1, levels):
            layers.append(deconv(norm, f, f // 2, 4, 2, 1, False))
            if norm == "batch":
                layers.append(nn.BatchNorm2d(f // 2))
            layers.append(activation(norm, f // 2))
            f //= 2
        layers += [deconv(norm, f, 3, 4, 2, 1, True), nn.Sigmoid()]
        self.main = nn.Sequential(*layers)

    def forward(self, z):
        return self.main(z)


# ----------------------------------------------------------------------------------------------------
# init, inputs

def f32(t):
    return t.float().double()


def uni(g, shape, lo, hi):
    return f32(lo + (hi - lo) * torch.rand(*shape, generator=g))


@torch.no_grad()
def init_model(model, g):
    """Every value f32-representable; drawn in module order, so the same seed gives the same model."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, WNLinear, WNConv2d, WNConvTranspose2d)):
            b = m.init_bound
            m.weight.copy_(uni(g, m.weight.shape, -b, b))
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                m.bias.copy_(uni(g, m.bias.shape, -b, b))
            elif m.affine:
                m.gain.copy_(uni(g, m.gain.shape, 0.8, 1.2))
                m.bias.copy_(uni(g, m.bias.shape, -0.1, 0.1))
        elif isinstance(m, (nn.PReLU, TPReLU)):
            m.weight.copy_(uni(g, m.weight.shape, 0.1, 0.4))
            if isinstance(m, TPReLU):
                m.threshold.copy_(uni(g, m.threshold.shape, -0.1, 0.1))
        elif isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.weight.copy_(uni(g, [c], 0.8, 1.2))
            m.bias.copy_(uni(g, [c], -0.1, 0.1))
            m.running_mean.copy_(uni(g, [c], -0.1, 0.1))
            m.running_var.copy_(uni(g, [c], 0.5, 1.5))
            m.num_batches_tracked.zero_()
    for name, t in model.state_dict().items():
        if t.is_floating_point():
            assert torch.equal(t, f32(t)), name


def slopes(model):
    return [m.weight for m in model.modules() if isinstance(m, (nn.PReLU, TPReLU))]


def bce(p, target):
    return F.binary_cross_entropy(p, torch.full_like(p, target))


# ----------------------------------------------------------------------------------------------------
# the iteration

def loss_d(D, G, x, z1):
    with torch.no_grad():
        fake = G(z1)
    d_real = D(x)
    d_fake = D(fake)
    return bce(d_real, 1.0) + bce(d_fake, 0.0), d_real, d_fake


def loss_g(D, G, z2):
    d_fake2 = D(G(z2))
    return bce(d_fake2, 1.0), d_fake2


def rmsprop_step(model, opt):
    opt.step()
    with torch.no_grad():
        for a in slopes(model):
            a.clamp_(0, 1)


def fd_check(name, model, loss_fn, grads, label):
    """Central differences in float64 of one element (the largest |grad|) of every parameter, each on a
    fresh deep copy (BN running stats do not affect a training-mode forward, but keep them untouched)."""
    worst = 0.0
    for pname, _ in model.named_parameters():
        gr = grads[pname]
        idx = int(gr.abs().flatten().argmax())
        h = 1e-6
        vals = []
        for sgn in (1, -1):
            m = copy.deepcopy(model)
            with torch.no_grad():
                dict(m.named_parameters())[pname].view(-1)[idx] += sgn * h
            vals.append(float(loss_fn(m)))
        fd = (vals[0] - vals[1]) / (2 * h)
        an = float(gr.flatten()[idx])
        # FD noise is ~1e-16/h = 1e-10 absolute; a gradient that is exactly zero in theory (a bias right
        # before BatchNorm) comes out ~1e-17 from autograd
        assert abs(fd - an) <= 1e-6 * abs(an) + 1e-8, "%s %s.%s[%d]: autograd %.12g vs finite difference %.12g" % (name, label, pname, idx, an, fd)
        if abs(an) > 1e-6:
            worst = max(worst, abs(fd - an) / abs(an))
    return worst


def make(norm):
    g = torch.Generator().manual_seed(zlib.crc32(("dcgan_" + norm).encode()))
    G, D = Generator(norm), Discriminator(norm)
    init_model(G, g)
    init_model(D, g)
    x = uni(g, [BATCH, 3, IMAGE_SIZE, IMAGE_SIZE], 0.0, 1.0)
    z1 = f32(torch.randn(BATCH, CODE_SIZE, generator=g))
    z2 = f32(torch.randn(BATCH, CODE_SIZE, generator=g))
    z_eval = f32(torch.randn(N_EVAL, CODE_SIZE, generator=g))
    init_G = {k: v.clone() for k, v in G.state_dict().items()}
    init_D = {k: v.clone() for k, v in D.state_dict().items()}

    # G in eval mode with the initial weights
    G.eval()
    with torch.no_grad():
        g_eval = G(z_eval)
    G.train()
    D.train()

    opt_d = torch.optim.RMSprop(D.parameters(), lr=LR, alpha=ALPHA, eps=RMS_EPS, centered=False)
    opt_g = torch.optim.RMSprop(G.parameters(), lr=LR, alpha=ALPHA, eps=RMS_EPS, centered=False)

    # 1. D step
    G_before_d, D_before_d = copy.deepcopy(G), copy.deepcopy(D)
    opt_d.zero_grad()
    lossD, d_real, d_fake = loss_d(D, G, x, z1)
    lossD.backward()
    grad_d = {k: p.grad.clone() for k, p in D.named_parameters()}
    worst_d = fd_check(norm, D_before_d, lambda m: loss_d(m, copy.deepcopy(G_before_d), x, z1)[0], grad_d, "D")
    d_params0 = {k: p.detach().clone() for k, p in D.named_parameters()}
    rmsprop_step(D, opt_d)

    # 2. G step through the updated D
    G_before_g, D_after = copy.deepcopy(G), copy.deepcopy(D)
    opt_g.zero_grad()
    D.zero_grad(set_to_none=True)
    lossG, d_fake2 = loss_g(D, G, z2)
    lossG.backward()
    grad_g = {k: p.grad.clone() for k, p in G.named_parameters()}
    worst_g = fd_check(norm, G_before_g, lambda m: loss_g(copy.deepcopy(D_after), m, z2)[0], grad_g, "G")
    g_params0 = {k: p.detach().clone() for k, p in G.named_parameters()}
    rmsprop_step(G, opt_g)

    # the explicit update rule: first step from square_avg 0, then slopes clamped
    for model, p0s, grads in ((D, d_params0, grad_d), (G, g_params0, grad_g)):
        slope_names = {n for n, p in model.named_parameters() if any(p is a for a in slopes(model))}
        for k, p in model.named_parameters():
            gk = grads[k]
            want = p0s[k] - LR * gk / ((1 - ALPHA) * gk * gk).sqrt().add(RMS_EPS)
            if k in slope_names:
                want = want.clamp(0, 1)
            assert torch.allclose(p.detach(), want, rtol=0, atol=1e-15), k

    G.eval()
    with torch.no_grad():
        g_eval_after = G(z_eval)
    G.train()

    # ------------------------------------------------------------------------------------------------
    t = {}

    def put(name, dtype, value):
        value = value.detach().contiguous()
        t[name] = (dtype, list(value.shape), pack(dtype, value.flatten().tolist()))

    def put_state(prefix, sd, float_dtype):
        for k, v in sd.items():
            if v.dtype == torch.int64:
                put(prefix + k, "I64", v)
            else:
                put(prefix + k, float_dtype, v)

    put_state("G.", init_G, "F32")
    put_state("D.", init_D, "F32")
    put("input.x", "F32", x)
    put("input.z1", "F32", z1)
    put("input.z2", "F32", z2)
    put("input.z_eval", "F32", z_eval)
    put("expect.lossD", "F64", lossD)
    put("expect.lossG", "F64", lossG)
    put("expect.D_real", "F64", d_real)
    put("expect.D_fake", "F64", d_fake)
    put("expect.D_fake2", "F64", d_fake2)
    put("expect.G_eval", "F64", g_eval)
    put("expect.after.G_eval", "F64", g_eval_after)
    for k, v in grad_d.items():
        put("expect.gradD." + k, "F64", v)
    for k, v in grad_g.items():
        put("expect.gradG." + k, "F64", v)
    put_state("expect.after.G.", G.state_dict(), "F64")
    put_state("expect.after.D.", D.state_dict(), "F64")

    # F32 values must survive the f32 round trip exactly
    for name, (dtype, _, raw) in t.items():
        if dtype == "F32":
            vals = struct.unpack("<%df" % (len(raw) // 4), raw)
            assert all(math.isfinite(v) for v in vals), name

    config = {"imageSize": IMAGE_SIZE, "norm": norm, "codeSize": CODE_SIZE, "baseWidth": BASE_WIDTH, "batch": BATCH}
    bn = norm == "batch"
    schedule = (
        "One R1 iteration WITH optimiser steps, all in float64 from the stored f32 values; G and D in "
        "training mode throughout. D step: fake = G(z1) without gradient to G%s; lossD = BCE(D(x),1) + "
        "BCE(D(fake),0) with two separate D forward passes, real first then fake%s; gradD = d lossD/d D's "
        "params; then one RMSprop step on D (torch.optim.RMSprop: lr 1e-4, alpha 0.9, eps 1e-6 added "
        "outside the sqrt, centered False, no momentum, square_avg starting at 0) and D's PReLU/TPReLU "
        "slopes clamped to [0,1]. G step: lossG = BCE(D(G(z2)),1) (non-saturating) through the UPDATED "
        "D%s; gradG = d lossG/d G's params (D's gradients from this pass ignored, D not stepped again); "
        "then one RMSprop step on G (same settings, fresh state) and G's slopes clamped to [0,1]. "
        "expect.after.* hold parameters%s after both steps. expect.G_eval is G(z_eval) with G in eval mode "
        "and the initial weights%s; expect.after.G_eval the same after the iteration."
        % (
            " (G's BN uses batch statistics and updates its running stats)" if bn else "",
            " (D's BN normalises each pass with its own batch statistics and updates its running stats "
            "after each, real then fake)" if bn else "",
            " (D's BN again in training mode: batch statistics and a third running-stat update; G's BN a "
            "second one)" if bn else "",
            " and BN buffers (running_mean, running_var; num_batches_tracked = 3 in D, 2 in G)" if bn else "",
            " (BN: the stored initial running statistics)" if bn else "",
        )
    )
    meta = {
        "config": json.dumps(config, separators=(",", ":")),
        "schedule": schedule,
        "generator": "scripts/make_dcgan_fixture.py, torch %s" % torch.__version__,
    }
    data = serialize(t, meta)
    path = os.path.join(OUT_DIR, "dcgan_%s.safetensors" % norm)
    with open(path, "wb") as f:
        f.write(data)
    print("%-14s lossD %.15f  lossG %.15f  D(x) %s  FD worst rel err D %.1e G %.1e  %d tensors, %d bytes -> %s"
          % (norm, float(lossD), float(lossG), [round(float(v), 4) for v in d_real.flatten()],
             worst_d, worst_g, len(t), len(data), os.path.relpath(path, ROOT)))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for norm in NORMS:
        make(norm)


if __name__ == "__main__":
    main()
