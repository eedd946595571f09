/**
 * The paper's layers against PyTorch 1.13 (fixtures made by scripts/make_fixtures.py in float64 from
 * f32-representable inputs): outputs and the gradients of Σ upstream·output, rtol 1e-4 (see helpers/check.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { assertClose } from '../helpers/check.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { backward } from '../../src/autograd/backward.js';
import { conv2d, convTranspose2d } from '../../src/ops/conv.js';
import { wnConv2d, wnConvTranspose2d, wnLinear } from '../../src/ops/weight-norm.js';
import { batchNorm } from '../../src/ops/batchnorm.js';
import { prelu, tprelu } from '../../src/ops/prelu.js';
import { bce, bceWithLogits, mse } from '../../src/ops/loss.js';
import { crossEntropy } from '../../src/ops/cross-entropy.js';
import { leakyRelu, relu, sigmoid, tanh } from '../../src/ops/elementwise.js';
import { weightedAdd } from '../../src/ops/weighted-add.js';
import { avgPool2x2, upsampleNearest2x } from '../../src/ops/resample.js';
import { Adam, RMSprop } from '../../src/optim/optimizer.js';

interface Arr { shape: number[]; data: number[] }
interface Fixture {
  name: string; op: string; params: Record<string, any>;
  inputs: Record<string, Arr>; outputs: Record<string, Arr>; upstream: Record<string, Arr>; grads: Record<string, Arr>;
}

const dir = join(__dirname, '..', 'fixtures');
const fixtures: Fixture[] = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));

type Layer = (t: Record<string, Tensor>, p: Record<string, any>) => Tensor;
const layers: Record<string, Layer> = {
  conv2d: (t, p) => conv2d(t.x, t.weight, t.bias ?? null, p),
  conv_transpose2d: (t, p) => convTranspose2d(t.x, t.weight, t.bias ?? null, p),
  wn_conv2d: (t, p) => wnConv2d(t.x, t.v, t.gamma ?? null, t.beta ?? null, p),
  wn_conv_transpose2d: (t, p) => wnConvTranspose2d(t.x, t.v, t.gamma ?? null, t.beta ?? null, p),
  wn_linear: (t, p) => wnLinear(t.x, t.v, t.gamma ?? null, t.beta ?? null, p),
  batchnorm2d: (t, p) => batchNorm(t.x, t.weight, t.bias, t.running_mean, t.running_var, p as any),
  batchnorm1d: (t, p) => batchNorm(t.x, t.weight, t.bias, t.running_mean, t.running_var, p as any),
  tprelu: (t) => tprelu(t.x, t.a, t.b),
  prelu: (t) => prelu(t.x, t.a),
  bce: (t) => bce(t.p, t.target),
  bce_with_logits: (t) => bceWithLogits(t.x, t.target),
  mse: (t) => mse(t.a, t.b),
  // labels as a tensor of class indices stored as floats (the host-label path: its own test below)
  cross_entropy: (t) => crossEntropy(t.logits, t.labels),
  sigmoid: (t) => sigmoid(t.x),
  tanh: (t) => tanh(t.x),
  relu: (t) => relu(t.x),
  leaky_relu: (t, p) => leakyRelu(t.x, p.negative_slope),
  weighted_add: (t) => weightedAdd(t.x, t.y, t.a, t.b),
  avg_pool2d: (t) => avgPool2x2(t.x),
  upsample_nearest2d: (t) => upsampleNearest2x(t.x),
};
/** inputs that are buffers or targets, not differentiated */
const constant = new Set(['running_mean', 'running_var', 'target', 'labels']);

describe('PyTorch fixtures for the paper\'s layers (rtol 1e-4)', () => {
  useGpu();
  it('every fixture op is covered', () => {
    const known = new Set([...Object.keys(layers), 'rmsprop', 'adam']);
    expect(fixtures.map((f) => f.op).filter((op) => !known.has(op))).toEqual([]);
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
  });

  for (const f of fixtures.filter((x) => layers[x.op])) {
    it(`${f.name} (${f.op})`, async () => {
      const ts: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(f.inputs)) {
        ts[k] = tensor(v.data, v.shape, k);
        ts[k].requiresGrad = !constant.has(k);
      }
      const outName = Object.keys(f.upstream)[0];
      const y = tidy(() => {
        const out = layers[f.op](ts, f.params);
        const up = f.upstream[outName];
        backward(out, tensor(up.data, out.shape));
        return out;
      });
      expect([...y.shape]).toEqual(f.outputs[outName].shape);
      assertClose(await y.read(), f.outputs[outName].data, `${f.name} ${outName}`);
      for (const [k, g] of Object.entries(f.grads)) {
        expect(ts[k].grad, `${f.name}: gradient for ${k}`).toBeTruthy();
        assertClose(await ts[k].grad!.read(), g.data, `${f.name} d/d${k}`);
      }
      // batch norm in training mode also updates the running statistics
      if (f.outputs.running_mean_new) {
        assertClose(await ts.running_mean.read(), f.outputs.running_mean_new.data, `${f.name} running_mean`);
        assertClose(await ts.running_var.read(), f.outputs.running_var_new.data, `${f.name} running_var`);
      }
      for (const t of Object.values(ts)) t.dispose();
      y.dispose();
    });
  }

  it('cross_entropy with host labels (validated on the host), as F.cross_entropy', async () => {
    const f = fixtures.find((x) => x.op === 'cross_entropy')!;
    const logits = tensor(f.inputs.logits.data, f.inputs.logits.shape, 'logits');
    logits.requiresGrad = true;
    const loss = tidy(() => {
      const l = crossEntropy(logits, Int32Array.from(f.inputs.labels.data));
      backward(l);
      return l;
    });
    assertClose(await loss.read(), f.outputs.loss.data, 'cross_entropy (host labels) loss');
    assertClose(await logits.grad!.read(), f.grads.logits.data, 'cross_entropy (host labels) d/dlogits');
    loss.dispose();
    logits.dispose();
  });

  it('RMSprop: two steps from a non-zero state, as torch.optim.RMSprop', async () => {
    const f = fixtures.find((x) => x.op === 'rmsprop')!;
    const p = tensor(f.inputs.p.data, f.inputs.p.shape);
    const opt = new RMSprop([{ name: 'p', tensor: p }], { lr: f.params.lr, alpha: f.params.alpha, eps: f.params.eps });
    opt.namedState().get('p.square_avg')!.write(Float32Array.from(f.inputs.square_avg.data));
    for (const k of [1, 2]) {
      p.grad = tensor(f.inputs[`g${k}`].data, f.inputs.p.shape);
      opt.step();
      assertClose(await p.read(), f.outputs[`p_after${k}`].data, `rmsprop p after ${k}`);
      assertClose(await opt.namedState().get('p.square_avg')!.read(), f.outputs[`square_avg_after${k}`].data, `rmsprop state after ${k}`);
      opt.zeroGrad();
    }
    opt.dispose();
  });

  it('Adam: three steps from a fresh state, as torch.optim.Adam', async () => {
    const f = fixtures.find((x) => x.op === 'adam')!;
    const p = tensor(f.inputs.p.data, f.inputs.p.shape);
    const opt = new Adam([{ name: 'p', tensor: p }], { lr: f.params.lr, beta1: f.params.beta1, beta2: f.params.beta2, eps: f.params.eps });
    for (const k of [1, 2, 3]) {
      p.grad = tensor(f.inputs[`g${k}`].data, f.inputs.p.shape);
      opt.step();
      assertClose(await p.read(), f.outputs[`p_after${k}`].data, `adam p after ${k}`);
      opt.zeroGrad();
    }
    const st = opt.namedState();
    assertClose(await st.get('p.exp_avg')!.read(), f.outputs.exp_avg_after3.data, 'adam exp_avg');
    assertClose(await st.get('p.exp_avg_sq')!.read(), f.outputs.exp_avg_sq_after3.data, 'adam exp_avg_sq');
    opt.dispose();
  });
});
