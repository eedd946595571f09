#!/usr/bin/env python3
"""Generate small PyTorch reference fixtures for the wngan engine's ops.

What it makes
-------------
One JSON file per fixture in ``test/fixtures/<name>.json`` (each well under
200 KB). Each file has the schema::

    {
      "name":     str,                      # fixture name (= file name without .json)
      "op":       str,                      # op identifier, e.g. "conv2d", "wn_linear"
      "params":   {...},                    # op-specific scalar parameters
      "inputs":   {name: {"shape": [...], "data": [...]}},
      "outputs":  {name: {"shape": [...], "data": [...]}},
      "upstream": {outputName: {"shape": [...], "data": [...]}},
      "grads":    {inputName:  {"shape": [...], "data": [...]}}
    }

* ``data`` is the row-major (C-order) flattening of the tensor
  (``t.reshape(-1).tolist()``); a scalar has ``"shape": []`` and a one-element
  ``data`` list.
* Layouts: NCHW activations; conv weight [out, in, kh, kw]; transposed-conv
  weight [in, out, kh, kw] (PyTorch's); linear weight [out, in].
* ``upstream`` holds the gradient fed into backward for each differentiable
  output; ``grads[k]`` is d(sum_o sum(upstream[o] * outputs[o])) / d(inputs[k]).
  For scalar losses the upstream is 1.0. Optimizer fixtures have empty
  ``upstream`` / ``grads``; non-differentiable outputs (updated batch-norm
  running statistics) have no upstream entry.
* Every input and upstream tensor is drawn with a fixed per-fixture seed and
  rounded to float32 (``x.float().double()``), so an f32 engine sees exactly
  the same values; all outputs and gradients are then computed in float64.
  Numbers are written with full precision (Python's shortest round-trip repr).

Weight normalization follows the paper (Xiang & Li 2017), not
``torch.nn.utils.weight_norm``: per-output-channel norm
``n_o = sqrt(sum over all non-output dims of v^2 + eps)``; strict layer
``y = layer(x, v / n)`` (no bias); affine layer ``y = gamma_o * layer(x, v / n) + beta_o``.
For the transposed conv (weight [in, out, kh, kw]) the norm is per output
channel (dim 1) over dims (0, 2, 3) and the layer output is multiplied by
``sqrt(stride_h * stride_w)`` (before gamma/beta).

How to run
----------
    /usr/bin/python3 scripts/make_fixtures.py                  # every fixture
    /usr/bin/python3 scripts/make_fixtures.py cross_entropy    # only the named ones

(``/usr/bin/python3``: Debian's python, which has torch here; any python3 with torch works.)

Needs PyTorch (CPU is enough; written against Debian's python3-torch 1.13).
Writes/overwrites ``test/fixtures/*.json`` relative to the repository root
(the script locates the root from its own path). The output is deterministic:
re-running produces byte-identical files. Only this script needs torch; the
engine's tests just read the JSON.
"""

import json
import math
import os
import sys
import zlib

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "test", "fixtures")

FIXTURES = []


def fixture(fn):
    FIXTURES.append(fn)
    return fn


# ----------------------------------------------------------------------------
# helpers


def gen_for(name):
    """A torch.Generator seeded from the fixture name (stable across runs and
    independent of the order/number of other fixtures)."""
    g = torch.Generator()
    g.manual_seed(zlib.crc32(name.encode("utf-8")))
    return g


def f32(t):
    """Round to float32 and back to float64."""
    return t.float().double()


def randn(g, *shape, scale=1.0, shift=0.0):
    return f32(torch.randn(*shape, generator=g, dtype=torch.float64) * scale + shift)


def uniform(g, lo, hi, *shape):
    return f32(torch.rand(*shape, generator=g, dtype=torch.float64) * (hi - lo) + lo)


def away_from(g, t, centre, margin, resample):
    """Resample elements of ``t`` until |t - centre| >= margin (elementwise).
    ``resample(n)`` draws n fresh candidate values; ``centre`` broadcasts."""
    t = t.clone()
    centre = torch.broadcast_to(centre, t.shape)
    for _ in range(1000):
        bad = (t - centre).abs() < margin
        n = int(bad.sum())
        if n == 0:
            return t
        t[bad] = resample(n)
    raise RuntimeError("could not resample away from kink")


def enc(t):
    t = t.detach().to(torch.float64)
    data = [float(v) for v in t.reshape(-1).tolist()]
    for v in data:
        if not math.isfinite(v):
            raise ValueError("non-finite value in fixture")
    return {"shape": list(t.shape), "data": data}


def run_autograd(g, inputs, forward, grad_inputs=None, no_upstream=()):
    """inputs: dict name -> float64 tensor. forward(**leaves) -> dict of outputs.
    Returns (outputs, upstream, grads). ``grad_inputs``: names to differentiate
    (default: all). ``no_upstream``: output names that are not differentiated."""
    if grad_inputs is None:
        grad_inputs = list(inputs.keys())
    leaves = {}
    for k, v in inputs.items():
        leaves[k] = v.clone().requires_grad_(k in grad_inputs)
    outs = forward(**leaves)
    upstream = {}
    total = 0.0
    for k, o in outs.items():
        if k in no_upstream:
            continue
        if o.dim() == 0:
            u = torch.tensor(1.0)
        else:
            u = randn(g, *o.shape)
        upstream[k] = u
        total = total + (o * u).sum()
    gs = torch.autograd.grad(total, [leaves[k] for k in grad_inputs])
    grads = {k: gv for k, gv in zip(grad_inputs, gs)}
    return outs, upstream, grads


def make(name, op, params, inputs, outputs, upstream=None, grads=None):
    return {
        "name": name,
        "op": op,
        "params": params,
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "outputs": {k: enc(v) for k, v in outputs.items()},
        "upstream": {k: enc(v) for k, v in (upstream or {}).items()},
        "grads": {k: enc(v) for k, v in (grads or {}).items()},
    }


def autograd_fixture(name, op, params, inputs, forward, g, **kw):
    outs, up, grads = run_autograd(g, inputs, forward, **kw)
    return make(name, op, params, inputs, outs, up, grads)


def conv_init(g, shape, fan_in):
    bound = 1.0 / math.sqrt(fan_in)
    return uniform(g, -bound, bound, *shape)


# ----------------------------------------------------------------------------
# 1. conv2d


def conv2d_case(name, xs, ws, stride, padding):
    g = gen_for(name)
    fan_in = ws[1] * ws[2] * ws[3]
    inputs = {
        "x": randn(g, *xs),
        "weight": conv_init(g, ws, fan_in),
        "bias": conv_init(g, [ws[0]], fan_in),
    }

    def fwd(x, weight, bias):
        return {"y": F.conv2d(x, weight, bias, stride=stride, padding=padding)}

    return autograd_fixture(name, "conv2d", {"stride": stride, "padding": padding}, inputs, fwd, g)


@fixture
def conv2d_k4s2p1():
    return conv2d_case("conv2d_k4s2p1", [2, 3, 8, 8], [5, 3, 4, 4], 2, 1)


@fixture
def conv2d_k3s1p1_odd():
    return conv2d_case("conv2d_k3s1p1_odd", [1, 3, 5, 7], [6, 3, 3, 3], 1, 1)


@fixture
def conv2d_full4():
    return conv2d_case("conv2d_full4", [2, 8, 4, 4], [1, 8, 4, 4], 1, 0)


# ----------------------------------------------------------------------------
# 2. conv_transpose2d


def convt_case(name, xs, ws, stride, padding):
    g = gen_for(name)
    fan_in = ws[0] * ws[2] * ws[3]
    inputs = {
        "x": randn(g, *xs),
        "weight": conv_init(g, ws, fan_in),
        "bias": conv_init(g, [ws[1]], fan_in),
    }

    def fwd(x, weight, bias):
        return {"y": F.conv_transpose2d(x, weight, bias, stride=stride, padding=padding)}

    return autograd_fixture(name, "conv_transpose2d", {"stride": stride, "padding": padding}, inputs, fwd, g)


@fixture
def conv_transpose2d_k4s2p1():
    return convt_case("conv_transpose2d_k4s2p1", [2, 6, 4, 4], [6, 3, 4, 4], 2, 1)


@fixture
def conv_transpose2d_k3s1p1_odd():
    return convt_case("conv_transpose2d_k3s1p1_odd", [1, 5, 3, 5], [5, 7, 3, 3], 1, 1)


# ----------------------------------------------------------------------------
# 3. weight normalization (paper's definition)


def wn_normalize(v, out_dim, eps):
    dims = [d for d in range(v.dim()) if d != out_dim]
    n = torch.sqrt((v * v).sum(dim=dims, keepdim=True) + eps)
    return v / n


def bcast_c(t, ndim):
    """Per-channel (dim 1) vector -> broadcastable to an ndim tensor."""
    return t.reshape([1, -1] + [1] * (ndim - 2))


def wn_affine_inputs(g, inputs, c):
    inputs["gamma"] = randn(g, c, scale=0.2, shift=1.0)
    inputs["beta"] = randn(g, c, scale=0.3)


def wn_conv2d_case(name, affine):
    g = gen_for(name)
    stride, padding, eps = 2, 1, 1e-6
    inputs = {"x": randn(g, 2, 4, 8, 8), "v": conv_init(g, [6, 4, 4, 4], 4 * 4 * 4)}
    if affine:
        wn_affine_inputs(g, inputs, 6)

    def fwd(x, v, gamma=None, beta=None):
        y = F.conv2d(x, wn_normalize(v, 0, eps), None, stride=stride, padding=padding)
        if affine:
            y = bcast_c(gamma, 4) * y + bcast_c(beta, 4)
        return {"y": y}

    params = {"stride": stride, "padding": padding, "eps": eps, "affine": affine}
    return autograd_fixture(name, "wn_conv2d", params, inputs, fwd, g)


@fixture
def wn_conv2d_strict():
    return wn_conv2d_case("wn_conv2d_strict", False)


@fixture
def wn_conv2d_affine():
    return wn_conv2d_case("wn_conv2d_affine", True)


def wn_convt_case(name, affine):
    g = gen_for(name)
    stride, padding, eps = 2, 1, 1e-6
    inputs = {"x": randn(g, 2, 6, 4, 4), "v": conv_init(g, [6, 3, 4, 4], 6 * 4 * 4)}
    if affine:
        wn_affine_inputs(g, inputs, 3)

    def fwd(x, v, gamma=None, beta=None):
        y = F.conv_transpose2d(x, wn_normalize(v, 1, eps), None, stride=stride, padding=padding)
        y = y * math.sqrt(stride * stride)
        if affine:
            y = bcast_c(gamma, 4) * y + bcast_c(beta, 4)
        return {"y": y}

    params = {"stride": stride, "padding": padding, "eps": eps, "affine": affine}
    return autograd_fixture(name, "wn_conv_transpose2d", params, inputs, fwd, g)


@fixture
def wn_conv_transpose2d_strict():
    return wn_convt_case("wn_conv_transpose2d_strict", False)


@fixture
def wn_conv_transpose2d_affine():
    return wn_convt_case("wn_conv_transpose2d_affine", True)


def wn_linear_case(name, affine):
    g = gen_for(name)
    eps = 1e-8
    inputs = {"x": randn(g, 3, 10), "v": conv_init(g, [7, 10], 10)}
    if affine:
        wn_affine_inputs(g, inputs, 7)

    def fwd(x, v, gamma=None, beta=None):
        y = F.linear(x, wn_normalize(v, 0, eps))
        if affine:
            y = gamma * y + beta
        return {"y": y}

    params = {"eps": eps, "affine": affine}
    return autograd_fixture(name, "wn_linear", params, inputs, fwd, g)


@fixture
def wn_linear_strict():
    return wn_linear_case("wn_linear_strict", False)


@fixture
def wn_linear_affine():
    return wn_linear_case("wn_linear_affine", True)


# ----------------------------------------------------------------------------
# 4. batch norm


def bn_case(name, op, xs, training):
    g = gen_for(name)
    c = xs[1]
    eps, momentum = 1e-5, 0.1
    inputs = {
        "x": randn(g, *xs, scale=1.5, shift=0.5),
        "weight": randn(g, c, scale=0.2, shift=1.0),
        "bias": randn(g, c, scale=0.3),
        "running_mean": randn(g, c, scale=0.5),
        "running_var": uniform(g, 0.5, 2.0, c),
    }

    def fwd(x, weight, bias, running_mean, running_var):
        rm = running_mean.detach().clone()
        rv = running_var.detach().clone()
        y = F.batch_norm(x, rm, rv, weight, bias, training=training, momentum=momentum, eps=eps)
        out = {"y": y}
        if training:
            out["running_mean_new"] = rm
            out["running_var_new"] = rv
        return out

    params = {"eps": eps, "momentum": momentum, "training": training}
    return autograd_fixture(
        name, op, params, inputs, fwd, g,
        grad_inputs=["x", "weight", "bias"],
        no_upstream=("running_mean_new", "running_var_new"),
    )


@fixture
def batchnorm2d_train():
    return bn_case("batchnorm2d_train", "batchnorm2d", [4, 5, 3, 3], True)


@fixture
def batchnorm1d_train():
    return bn_case("batchnorm1d_train", "batchnorm1d", [6, 7], True)


@fixture
def batchnorm2d_eval():
    return bn_case("batchnorm2d_eval", "batchnorm2d", [4, 5, 3, 3], False)


# ----------------------------------------------------------------------------
# 5. PReLU / TPReLU


def prelu_ref(x, a):
    a = bcast_c(a, x.dim())
    return torch.where(x >= 0, x, a * x)


def tprelu_case(name, xs):
    g = gen_for(name)
    c = xs[1]
    a = uniform(g, 0.05, 0.95, c)
    b = randn(g, c, scale=0.3)
    x = randn(g, *xs)
    x = away_from(g, x, bcast_c(b, len(xs)), 1e-3, lambda n: randn(g, n))
    inputs = {"x": x, "a": a, "b": b}

    def fwd(x, a, b):
        bb = bcast_c(b, x.dim())
        return {"y": prelu_ref(x - bb, a) + bb}

    return autograd_fixture(name, "tprelu", {}, inputs, fwd, g)


@fixture
def tprelu():
    return tprelu_case("tprelu", [3, 4, 5, 5])


@fixture
def tprelu_2d():
    return tprelu_case("tprelu_2d", [5, 6])


@fixture
def prelu():
    name = "prelu"
    g = gen_for(name)
    a = uniform(g, 0.05, 0.95, 4)
    x = randn(g, 3, 4, 5, 5)
    x = away_from(g, x, torch.tensor(0.0), 1e-3, lambda n: randn(g, n))
    inputs = {"x": x, "a": a}

    def fwd(x, a):
        y = F.prelu(x, a)
        assert torch.allclose(y, prelu_ref(x, a))
        return {"y": y}

    return autograd_fixture(name, "prelu", {}, inputs, fwd, g)


# ----------------------------------------------------------------------------
# 6. losses (mean reduction)


def bce_target(g):
    # mixed hard 0/1 and fractional targets
    t = uniform(g, 0.0, 1.0, 4, 3)
    hard = torch.tensor([[1.0, 0.0, 0.3], [0.0, 1.0, 1.0], [0.5, 0.0, 1.0], [1.0, 0.0, 0.0]])
    mask = torch.tensor([[1, 1, 0], [1, 1, 0], [0, 1, 1], [0, 1, 0]], dtype=torch.bool)
    return f32(torch.where(mask, hard, t))


@fixture
def bce():
    name = "bce"
    g = gen_for(name)
    inputs = {"p": uniform(g, 0.05, 0.95, 4, 3), "target": bce_target(g)}

    def fwd(p, target):
        return {"loss": F.binary_cross_entropy(p, target, reduction="mean")}

    return autograd_fixture(name, "bce", {"reduction": "mean"}, inputs, fwd, g, grad_inputs=["p"])


@fixture
def bce_with_logits():
    name = "bce_with_logits"
    g = gen_for(name)
    inputs = {"x": randn(g, 4, 3, scale=2.0), "target": bce_target(g)}

    def fwd(x, target):
        return {"loss": F.binary_cross_entropy_with_logits(x, target, reduction="mean")}

    return autograd_fixture(name, "bce_with_logits", {"reduction": "mean"}, inputs, fwd, g, grad_inputs=["x"])


@fixture
def mse():
    name = "mse"
    g = gen_for(name)
    inputs = {"a": randn(g, 3, 5), "b": randn(g, 3, 5)}

    def fwd(a, b):
        return {"loss": F.mse_loss(a, b, reduction="mean")}

    return autograd_fixture(name, "mse", {"reduction": "mean"}, inputs, fwd, g)


@fixture
def cross_entropy():
    """Softmax cross-entropy of logits [N, C] against class indices (F.cross_entropy, mean over rows).
    Labels are stored as floats (an input named "labels", not differentiated). Row 4 is shifted by
    +100 and row 5 by -60: exp() of those logits overflows / underflows f32 unless the kernel
    subtracts the row maximum; row 2's label holds its largest logit (a small loss), the others are
    mixed, every class appears at least once."""
    name = "cross_entropy"
    g = gen_for(name)
    n, c = 7, 5
    logits = randn(g, n, c, scale=3.0)
    logits[4] += 100.0
    logits[5] -= 60.0
    logits = f32(logits)
    labels = torch.tensor([0, 3, int(logits[2].argmax()), 1, 4, 2, 1], dtype=torch.float64)
    assert sorted(set(int(v) for v in labels.tolist())) == list(range(c))
    inputs = {"logits": logits, "labels": labels}

    def fwd(logits, labels):
        return {"loss": F.cross_entropy(logits, labels.long(), reduction="mean")}

    return autograd_fixture(name, "cross_entropy", {"reduction": "mean"}, inputs, fwd, g, grad_inputs=["logits"])


# ----------------------------------------------------------------------------
# 7. optimizer steps (torch.optim, float64 params)


@fixture
def rmsprop_step():
    name = "rmsprop_step"
    g = gen_for(name)
    lr, alpha, eps = 1e-3, 0.9, 1e-6
    p0 = randn(g, 10)
    g1 = randn(g, 10)
    g2 = randn(g, 10)
    sq0 = uniform(g, 0.1, 2.0, 10)
    inputs = {"p": p0, "g1": g1, "g2": g2, "square_avg": sq0}

    p = p0.clone().requires_grad_(True)
    opt = torch.optim.RMSprop([p], lr=lr, alpha=alpha, eps=eps)
    # pre-seed the optimizer state with a non-zero square_avg
    opt.state[p] = {"step": torch.tensor(0.0), "square_avg": sq0.clone()}
    outs = {}
    ref_p, ref_sq = p0.clone(), sq0.clone()
    for i, gi in ((1, g1), (2, g2)):
        p.grad = gi.clone()
        opt.step()
        outs["p_after%d" % i] = p.detach().clone()
        outs["square_avg_after%d" % i] = opt.state[p]["square_avg"].clone()
        # cross-check against the explicit update rule
        ref_sq = alpha * ref_sq + (1 - alpha) * gi * gi
        ref_p = ref_p - lr * gi / (ref_sq.sqrt() + eps)
        assert torch.allclose(outs["p_after%d" % i], ref_p, rtol=0, atol=1e-14)
        assert torch.allclose(outs["square_avg_after%d" % i], ref_sq, rtol=0, atol=1e-14)
    return make(name, "rmsprop", {"lr": lr, "alpha": alpha, "eps": eps}, inputs, outs)


@fixture
def adam_step():
    name = "adam_step"
    g = gen_for(name)
    lr, b1, b2, eps = 1e-3, 0.5, 0.999, 1e-8
    p0 = randn(g, 10)
    gs = [randn(g, 10) for _ in range(3)]
    inputs = {"p": p0, "g1": gs[0], "g2": gs[1], "g3": gs[2]}

    p = p0.clone().requires_grad_(True)
    opt = torch.optim.Adam([p], lr=lr, betas=(b1, b2), eps=eps)
    outs = {}
    ref_p, m, v = p0.clone(), torch.zeros(10), torch.zeros(10)
    for i, gi in enumerate(gs, start=1):
        p.grad = gi.clone()
        opt.step()
        outs["p_after%d" % i] = p.detach().clone()
        m = b1 * m + (1 - b1) * gi
        v = b2 * v + (1 - b2) * gi * gi
        mhat = m / (1 - b1 ** i)
        vhat = v / (1 - b2 ** i)
        ref_p = ref_p - lr * mhat / (vhat.sqrt() + eps)
        assert torch.allclose(outs["p_after%d" % i], ref_p, rtol=0, atol=1e-12)
    outs["exp_avg_after3"] = opt.state[p]["exp_avg"].clone()
    outs["exp_avg_sq_after3"] = opt.state[p]["exp_avg_sq"].clone()
    params = {"lr": lr, "beta1": b1, "beta2": b2, "eps": eps}
    return make(name, "adam", params, inputs, outs)


# ----------------------------------------------------------------------------
# 8. activations


def act_case(name, fn, params, kinked):
    g = gen_for(name)
    x = randn(g, 4, 6, scale=2.0)
    if kinked:
        x = away_from(g, x, torch.tensor(0.0), 1e-2, lambda n: randn(g, n, scale=2.0))
    return autograd_fixture(name, name, params, {"x": x}, lambda x: {"y": fn(x)}, g)


@fixture
def sigmoid():
    return act_case("sigmoid", torch.sigmoid, {}, False)


@fixture
def tanh():
    return act_case("tanh", torch.tanh, {}, False)


@fixture
def leaky_relu():
    return act_case("leaky_relu", lambda x: F.leaky_relu(x, 0.2), {"negative_slope": 0.2}, True)


@fixture
def relu():
    return act_case("relu", F.relu, {}, True)


# ----------------------------------------------------------------------------
# 9. normalised weighted addition (ResNet merge)


@fixture
def weighted_add():
    name = "weighted_add"
    g = gen_for(name)
    inputs = {
        "x": randn(g, 2, 4, 3, 3),
        "y": randn(g, 2, 4, 3, 3),
        "a": f32(torch.tensor([0.7, -0.4, 1.3, 0.2]) + 0.1 * torch.randn(4, generator=g)),
        "b": f32(torch.tensor([0.9, 1.1, -0.5, 0.6]) + 0.1 * torch.randn(4, generator=g)),
    }

    def fwd(x, y, a, b):
        aa, bb = bcast_c(a, 4), bcast_c(b, 4)
        return {"out": (aa * x + bb * y) / torch.sqrt(aa * aa + bb * bb)}

    return autograd_fixture(name, "weighted_add", {}, inputs, fwd, g)


# ----------------------------------------------------------------------------
# 10. pooling / upsampling


@fixture
def avg_pool2x2():
    name = "avg_pool2x2"
    g = gen_for(name)
    inputs = {"x": randn(g, 2, 3, 6, 4)}
    return autograd_fixture(
        name, "avg_pool2d", {"kernel_size": 2, "stride": 2}, inputs,
        lambda x: {"y": F.avg_pool2d(x, 2)}, g)


@fixture
def upsample_nearest2x():
    name = "upsample_nearest2x"
    g = gen_for(name)
    inputs = {"x": randn(g, 2, 3, 3, 2)}
    return autograd_fixture(
        name, "upsample_nearest2d", {"scale_factor": 2, "mode": "nearest"}, inputs,
        lambda x: {"y": F.interpolate(x, scale_factor=2, mode="nearest")}, g)


# ----------------------------------------------------------------------------


def main(names=()):
    """Write every fixture, or only those named (e.g. ``cross_entropy``)."""
    unknown = set(names) - {fn.__name__ for fn in FIXTURES}
    if unknown:
        raise SystemExit("unknown fixture(s): %s" % ", ".join(sorted(unknown)))
    os.makedirs(OUT_DIR, exist_ok=True)
    for fn in FIXTURES:
        if names and fn.__name__ not in names:
            continue
        fx = fn()
        path = os.path.join(OUT_DIR, fx["name"] + ".json")
        text = json.dumps(fx, separators=(",", ":"), allow_nan=False)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text + "\n")
        print("wrote %s (%d bytes)" % (os.path.relpath(path, ROOT), len(text) + 1))


if __name__ == "__main__":
    main(sys.argv[1:])
