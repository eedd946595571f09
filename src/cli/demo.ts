/**
 * `wngan demo`: a quick end-to-end check of the engine on real data. A weight-normalised autoencoder
 * (784·3 → 64 → 784·3, the paper's strict WN + TPReLU inside, affine WN + sigmoid at the output) learns to
 * reconstruct Fashion-MNIST images with RMSprop; the held-out reconstruction MSE must fall.
 */
import { initNode, shutdown } from '../engine-node.js';
import { IdxImageDataset } from '../data/idx.js';
import { loadBatch } from '../data/dataset.js';
import { Rng } from '../util/rng.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import { keep, tidy } from '../tensor/scope.js';
import { noGrad } from '../autograd/tape.js';
import { backward } from '../autograd/backward.js';
import { full, sigmoid, reshape } from '../ops/elementwise.js';
import { wnLinear } from '../ops/weight-norm.js';
import { tprelu } from '../ops/prelu.js';
import { mse } from '../ops/loss.js';
import { RMSprop, type Param } from '../optim/optimizer.js';
import { helpText, parseArgs } from './args.js';

const SPEC = {
  steps: { type: 'number', default: 300, help: 'training steps' },
  batch: { type: 'number', default: 32, help: 'batch size' },
  lr: { type: 'number', default: 1e-3, help: 'RMSprop learning rate' },
  data: { type: 'string', default: '/usr/share/datasets/fashion-mnist', help: 'folder with the Fashion-MNIST IDX files' },
  seed: { type: 'number', default: 1, help: 'random seed' },
} as const;

export async function runDemo(args: string[]): Promise<void> {
  const o = parseArgs('demo', args, SPEC);
  if (!o) return console.log(helpText('demo', 'Train a small weight-normalised autoencoder on Fashion-MNIST.', SPEC));
  const rt = await initNode();
  try {
    console.log(`adapter: ${rt.adapter.description}`);
    const ds = await IdxImageDataset.open({ path: o.data, imageSize: 28 });
    const D = 3 * 28 * 28;
    const H = 64;
    const rng = new Rng(o.seed);
    const init = (shape: number[], bound: number) => {
      const a = new Float32Array(shape.reduce((x, y) => x * y, 1));
      rng.fillUniform(a, -bound, bound);
      return keep(tensor(a, shape));
    };
    const params: Param[] = [
      { name: 'enc.v', tensor: init([H, D], 1 / Math.sqrt(D)) },
      { name: 'enc.act.a', tensor: keep(full([H], 0.25)), bounds: [0, 1] },
      { name: 'enc.act.b', tensor: keep(full([H], 0)) },
      { name: 'dec.v', tensor: init([D, H], 1 / Math.sqrt(H)) },
      { name: 'dec.gamma', tensor: keep(full([D], 1)) },
      { name: 'dec.beta', tensor: keep(full([D], 0)) },
    ];
    for (const p of params) p.tensor.requiresGrad = true;
    const [ev, ea, eb, dv, dg, db] = params.map((p) => p.tensor);
    const model = (x: Tensor) => sigmoid(wnLinear(tprelu(wnLinear(x, ev, null, null), ea, eb), dv, dg, db));
    const opt = new RMSprop(params, { lr: o.lr, alpha: 0.9, eps: 1e-6 });

    const test = Array.from({ length: 256 }, (_, i) => i);
    const testX = keep(tensor(await loadBatch(ds, test), [test.length, D]));
    const evaluate = async () => {
      const l = tidy(() => noGrad(() => mse(model(testX), testX)));
      const v = await l.item();
      l.dispose();
      return v;
    };
    const before = await evaluate();
    console.log(`held-out reconstruction MSE before: ${before.toFixed(5)}`);
    const t0 = performance.now();
    for (let step = 1; step <= o.steps; step++) {
      const idx = Array.from({ length: o.batch }, () => 256 + rng.nextInt(ds.length - 256));
      const xb = await loadBatch(ds, idx);
      const loss = tidy(() => {
        const x = tensor(xb, [o.batch, D]);
        const l = mse(model(reshape(x, [o.batch, D])), x);
        opt.zeroGrad();
        backward(l);
        opt.step();
        return l;
      });
      if (step % 50 === 0 || step === o.steps) {
        const v = await loss.item();
        const sps = step / ((performance.now() - t0) / 1000);
        console.log(`step ${String(step).padStart(4)}  train MSE ${v.toFixed(5)}  ${sps.toFixed(1)} steps/s`);
      }
      loss.dispose();
    }
    const after = await evaluate();
    console.log(`held-out reconstruction MSE after ${o.steps} steps: ${after.toFixed(5)} (was ${before.toFixed(5)})`);
    if (!(after < before)) throw new Error('the demo did not learn: held-out MSE did not fall');
  } finally {
    shutdown();
  }
}
