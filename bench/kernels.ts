/**
 * Kernel micro-benchmarks at the DCGAN layer shapes (32 and 64 px, batch 32 and 64). Prints one JSON
 * document: the adapter, then per kernel and shape the median (and min) milliseconds over repeated runs and
 * GFLOP/s (GEMM-class kernels) or GB/s (memory-bound ones). Run: npm run bench:kernels [-- --quick]
 */
import { initNode, shutdown } from '../src/engine-node.js';
import { tensor, type Tensor } from '../src/tensor/tensor.js';
import { convGatherRaw, convScatterRaw, convWeightGradRaw } from '../src/ops/conv.js';
import { matmulRaw } from '../src/ops/matmul.js';
import { batchNorm } from '../src/ops/batchnorm.js';
import { tprelu } from '../src/ops/prelu.js';
import { noGrad } from '../src/autograd/tape.js';
import { RMSprop } from '../src/optim/optimizer.js';
import type { Runtime } from '../src/gpu/runtime.js';

const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 9;

function rand(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return tensor(a, shape);
}

async function time(rt: Runtime, fn: () => Tensor | void): Promise<{ median: number; min: number }> {
  const run = () => {
    const r = fn();
    if (r) r.dispose();
  };
  run();
  await rt.sync();
  const ts: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    run();
    await rt.sync();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)], min: ts[0] };
}

interface Row { kernel: string; shape: string; median_ms: number; min_ms: number; gflops?: number; gbps?: number; of_device_copy?: number }

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The machine's memory bandwidth, to read the memory-bound kernels' GB/s against: a host copy of 256 MB
 * (TypedArray.set, i.e. memcpy) and a device buffer-to-buffer copy of 256 MB (on lavapipe also a memcpy,
 * through the driver). Both count the bytes read plus written, as the kernels' rows do. Medians of REPS.
 */
async function memoryBandwidth(rt: Runtime): Promise<{ host_copy_gbps: number; device_copy_gbps: number; bytes: number }> {
  const bytes = 256 << 20;
  const a = new Float32Array(bytes / 4).fill(1);
  const b = new Float32Array(bytes / 4);
  const host: number[] = [];
  for (let i = 0; i <= REPS; i++) {
    const t0 = performance.now();
    b.set(a);
    if (i > 0) host.push(performance.now() - t0); // the first copy faults the pages in
  }
  const usage = 0x4 | 0x8; // COPY_SRC | COPY_DST
  const src = rt.device.createBuffer({ size: bytes, usage });
  const dst = rt.device.createBuffer({ size: bytes, usage });
  const device: number[] = [];
  for (let i = 0; i <= REPS; i++) {
    const enc = rt.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, dst, 0, bytes);
    const t0 = performance.now();
    rt.device.queue.submit([enc.finish()]);
    await rt.device.queue.onSubmittedWorkDone();
    if (i > 0) device.push(performance.now() - t0);
  }
  src.destroy();
  dst.destroy();
  const gbps = (ms: number) => +((2 * bytes) / ms / 1e6).toFixed(2);
  return { host_copy_gbps: gbps(medianOf(host)), device_copy_gbps: gbps(medianOf(device)), bytes };
}

/** The strided conv layers of D (k4 s2 p1) and G (its transposes) for an image size. */
function dcganLayers(px: number): { cin: number; cout: number; h: number }[] {
  const out = [];
  let c = 3;
  let f = 64;
  for (let h = px; h >= 8; h /= 2) {
    out.push({ cin: c, cout: f, h });
    c = f;
    f *= 2;
  }
  return out;
}

async function main(): Promise<void> {
  const rt = await initNode();
  const rows: Row[] = [];
  const add = (kernel: string, shape: string, t: { median: number; min: number }, flops?: number, bytes?: number) => {
    const r: Row = { kernel, shape, median_ms: +t.median.toFixed(3), min_ms: +t.min.toFixed(3) };
    if (flops) r.gflops = +(flops / t.median / 1e6).toFixed(2);
    if (bytes) r.gbps = +(bytes / t.median / 1e6).toFixed(2);
    rows.push(r);
    console.error(JSON.stringify(r));
  };
  try {
    const sizes = quick ? [32] : [32, 64];
    const batches = quick ? [32] : [32, 64];
    for (const px of sizes)
      for (const B of batches)
        for (const { cin, cout, h } of dcganLayers(px)) {
          const oh = h / 2;
          const x = rand([B, cin, h, h]);
          const w = rand([cout, cin, 4, 4]);
          const dy = rand([B, cout, oh, oh]);
          const flops = 2 * B * cout * oh * oh * cin * 16;
          const shape = `px${px} b${B} ${cin}x${h}² → ${cout}x${oh}²`;
          add('conv2d_forward', shape, await time(rt, () => convGatherRaw(x, w, oh, oh, 2, 1)), flops);
          add('conv2d_input_grad', shape, await time(rt, () => convScatterRaw(dy, w, h, h, 2, 1)), flops);
          add('conv2d_weight_grad', shape, await time(rt, () => convWeightGradRaw(dy, x, 4, 4, 2, 1)), flops);
          // G's transposed conv is the mirror image: cout×oh² → cin×h²
          const wt = rand([cout, cin, 4, 4]);
          add('conv_transpose2d_forward', `px${px} b${B} ${cout}x${oh}² → ${cin}x${h}²`, await time(rt, () => convScatterRaw(dy, wt, h, h, 2, 1)), flops);
          for (const t of [x, w, dy, wt]) t.dispose();
        }
    for (const [M, K, N] of [[1024, 1024, 1024], [32, 128, 8192], [32, 4096, 1]]) {
      const a = rand([M, K]);
      const b = rand([K, N]);
      add('matmul', `${M}x${K}·${K}x${N}`, await time(rt, () => matmulRaw(a, b)), 2 * M * N * K);
      a.dispose();
      b.dispose();
    }
    for (const [B, C, H] of [[32, 64, 16], [64, 128, 8], [64, 256, 4]]) {
      const x = rand([B, C, H, H]);
      const g = rand([C]);
      const b = rand([C]);
      const rm = rand([C]);
      const rv = tensor(new Float32Array(C).fill(1), [C]);
      const bytes = 4 * x.size * 4; // stats read x twice, apply reads and writes once
      add('batchnorm_train_forward', `${B}x${C}x${H}²`, await time(rt, () => noGrad(() => batchNorm(x, g, b, rm, rv, { training: true }))), undefined, bytes);
      add('tprelu_forward', `${B}x${C}x${H}²`, await time(rt, () => noGrad(() => tprelu(x, g, b))), undefined, 2 * x.size * 4);
      for (const t of [x, g, b, rm, rv]) t.dispose();
    }
    {
      const n = 1 << 22;
      const p = rand([n]);
      p.grad = rand([n]);
      const opt = new RMSprop([{ name: 'p', tensor: p }], { lr: 1e-4 });
      add('rmsprop_step', `${n} params`, await time(rt, () => opt.step()), undefined, 5 * n * 4);
      opt.dispose();
      p.dispose();
    }
    const bandwidth = await memoryBandwidth(rt);
    console.error(JSON.stringify({ memory_bandwidth: bandwidth }));
    for (const r of rows) if (r.gbps !== undefined) r.of_device_copy = +(r.gbps / bandwidth.device_copy_gbps).toFixed(3);
    console.log(JSON.stringify({
      adapter: rt.adapter.description, fallback: rt.adapter.isFallbackAdapter, reps: REPS,
      memory_bandwidth: bandwidth,
      note: 'gbps counts bytes read plus written; of_device_copy = gbps / device_copy_gbps (a 256 MB buffer copy on this adapter)',
      results: rows,
    }, null, 2));
  } finally {
    shutdown();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
