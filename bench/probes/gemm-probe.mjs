#!/usr/bin/env node
// Standalone GEMM kernel probe: raw WebGPU (Dawn `webgpu` package), no engine code.
//
//   node bench/probes/gemm-probe.mjs [--set NAME] [--only REGEX] [--shapes a,b] [--reps N]
//                                     [--check-only] [--no-check] [--json FILE] [--toggles t1,t2]
//
// For each variant: compiles it, checks it against a CPU reference on odd sizes (1x1x1, 33x65x17,
// ...) and on sampled entries of every benchmark shape, then times it: one warm-up dispatch, then
// `reps` repetitions, each a single submit of `inner` dispatches (inner chosen so one repetition
// lasts >= ~120 ms) timed with the wall clock around queue.onSubmittedWorkDone(). Reports the
// median ms per dispatch and GFLOP/s = 2*M*N*K / t. Results merge into --json (keyed variant|shape).
import { create, globals } from 'webgpu';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import os from 'node:os';
import * as V from './gemm-variants.mjs';
import * as G from '../../scripts/gen-gemm-kernels.mjs';

Object.assign(globalThis, globals);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

// ------------------------------------------------------------------------------------------ args
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i < 0 ? def : args[i + 1]; };
const flag = (name) => args.includes(name);
const SET = opt('--set', 'final');
const ONLY = opt('--only', null);
const REPS = +opt('--reps', 3);
const JSON_OUT = opt('--json', null);
const TOGGLES = opt('--toggles', '');
const TARGET_MS = +opt('--target-ms', 120);
const NCPU = os.cpus().length;

// ------------------------------------------------------------------------------------------ shapes
// DCGAN conv layers as GEMMs at batch 32 (M = Cout, N = batch*OH*OW, K = Cin*4*4).
export const SHAPES = {
  sq1024: { M: 1024, N: 1024, K: 1024 },
  'conv1_3-64': { M: 64, N: 32768, K: 48 },
  'conv2_64-128': { M: 128, N: 8192, K: 1024 },
  'conv3_128-256': { M: 256, N: 2048, K: 2048 },
  'conv4_256-512': { M: 512, N: 512, K: 4096 },
  // weight gradient of conv2: dW[Co, Ci*16] = dY[Co, B*OH*OW] . im2col(X)^T  -> K = 32*16*16
  'wgrad2_64-128': { M: 128, N: 1024, K: 8192 },
  // conv3 shape in the transposed layouts the backward pass needs
  'conv3_TN': { M: 256, N: 2048, K: 2048, layout: 'TN' },
  'conv3_NT': { M: 256, N: 2048, K: 2048, layout: 'NT' },
  'wgrad2_NT': { M: 128, N: 1024, K: 8192, layout: 'NT' },
  'conv3_TT': { M: 256, N: 2048, K: 2048, layout: 'TT' },
  sq1024_TN: { M: 1024, N: 1024, K: 1024, layout: 'TN' },
  sq1024_NT: { M: 1024, N: 1024, K: 1024, layout: 'NT' },
  // B small enough for L2 (memory-pattern check)
  tallM: { M: 4096, N: 256, K: 256 },
  tallM_NT: { M: 4096, N: 256, K: 256, layout: 'NT' },
  tallM_TN: { M: 4096, N: 256, K: 256, layout: 'TN' },
  // strides that are not powers of two (cache-set conflict check)
  'conv3_pad': { M: 256, N: 2064, K: 2064 },
  'conv3_TN_pad': { M: 256, N: 2064, K: 2064, layout: 'TN' },
  'conv3_NT_pad': { M: 256, N: 2064, K: 2064, layout: 'NT' },
  // unaligned sizes: the scalar (VEC_A = VEC_B = false) paths
  odd999: { M: 1000, N: 1001, K: 999 },
};
const SHAPE_NAMES = opt('--shapes', Object.keys(SHAPES).join(',')).split(',');
const CHECK_SIZES = [[1, 1, 1], [33, 65, 17], [7, 129, 33], [64, 64, 64], [100, 37, 301], [17, 300, 5], [130, 70, 9], [36, 68, 20], [5, 12, 8], [97, 260, 44], [3, 4, 4], [1, 8, 1]];
const CHECK_SIZES4 = [[4, 4, 4], [36, 68, 20], [8, 128, 32], [64, 64, 64], [100, 36, 300], [20, 300, 8]];

// ------------------------------------------------------------------------------------------ variants
const cdiv = (a, b) => Math.ceil(a / b);

function variantSet(name) {
  const L = ['NN', 'TN', 'NT'];
  const each = (mk) => L.map((layout) => mk(layout));
  switch (name) {
    case 'explore-bc': return [
      ...[8, 16, 24, 32].flatMap((R) => [1, 2, 4].filter((CC) => R * CC <= 64).map((CC) => V.bc({ R, CC, WG: 64 }))),
    ];
    case 'explore-bc-wg': return [8, 16, 32, 64, 128, 256].map((WG) => V.bc({ R: 16, CC: 2, WG }));
    case 'explore-bc-ku': return [1, 2, 4, 8, 16].flatMap((KU) => [V.bc({ R: 16, CC: 2, KU }), V.bc({ R: 8, CC: 2, KU }), V.bc({ R: 24, CC: 1, KU })]);
    case 'explore-bc-cols': return [V.bc({ R: 16, CC: 2, cols: 'contig' }), V.bc({ R: 16, CC: 4, cols: 'contig' }), V.bc({ R: 16, CC: 4 })];
    case 'explore-sg': return [
      V.sg({ R: 8, CC: 4, WG: 8, cols: 'contig' }), V.sg({ R: 16, CC: 4, WG: 8, cols: 'contig' }),
      V.sg({ R: 16, CC: 2, WG: 64 }), V.sg({ R: 16, CC: 2, WG: 64, op: 'shuffle' }),
      V.sg({ R: 32, CC: 1, WG: 64 }), V.sg({ R: 8, CC: 4, WG: 64 }), V.sg({ R: 16, CC: 4, WG: 64, KU: 2 }),
    ];
    case 'explore-tiled': return [
      V.tiled({ TM: 4, TN: 4, TX: 16, TY: 16, BK: 16 }), V.tiled({ TM: 4, TN: 4, TX: 16, TY: 16, BK: 8 }),
      V.tiled({ TM: 8, TN: 4, TX: 16, TY: 8, BK: 16 }), V.tiled({ TM: 4, TN: 4, TX: 16, TY: 8, BK: 16 }),
      V.tiled({ TM: 4, TN: 8, TX: 8, TY: 16, BK: 16 }), V.tiled({ TM: 8, TN: 8, TX: 8, TY: 8, BK: 16 }),
      V.tiled1d({ BM: 16, CC: 2, WG: 64, BK: 32 }), V.tiled1d({ BM: 16, CC: 2, WG: 64, BK: 128 }),
    ];
    case 'layouts': return [
      ...L.map((layout) => V.bc({ R: 16, CC: 2, layout })),
      ...L.map((layout) => V.sg({ R: 16, CC: 2, layout })),
      ...L.map((layout) => V.tiled({ TM: 4, TN: 4, TX: 16, TY: 16, BK: 16, layout })),
    ];
    case 'explore-sgv': return [
      V.sgv({ R: 8, CV: 1 }), V.sgv({ R: 16, CV: 1 }), V.sgv({ R: 32, CV: 1 }), V.sgv({ R: 8, CV: 2 }), V.sgv({ R: 16, CV: 2 }),
      V.sgv({ R: 16, CV: 1, WG: 64 }), V.sgv({ R: 16, CV: 1, aVec: false }), V.sgv({ R: 16, CV: 1, bVec: false }),
    ];
    case 'explore-sgv2': return [
      V.sgv({ R: 16, CV: 1 }), V.sgv({ R: 32, CV: 1 }), V.sgv({ R: 64, CV: 1 }), V.sgv({ R: 128, CV: 1 }), V.sgv({ R: 32, CV: 2 }), V.sgv({ R: 64, CV: 2 }),
    ];
    case 'explore-sg16': return [
      V.sgv({ R: 16, CV: 1, SG: 16, WG: 16 }), V.sgv({ R: 32, CV: 1, SG: 16, WG: 16 }), V.sgv({ R: 32, CV: 1, SG: 16, WG: 64 }), V.sgv({ R: 64, CV: 1, SG: 16, WG: 16 }),
    ];
    case 'explore-ku': return [V.sgv({ R: 32, CV: 1, KU: 8 }), V.sgv({ R: 16, CV: 1, KU: 8 }), V.sgv({ R: 16, CV: 2, KU: 8 }), V.sgv({ R: 32, CV: 1, WG: 32 }), V.sgv({ R: 32, CV: 1, WG: 64 })];
    case 'explore-tiledv': return [
      V.tiledv({ TM: 8, TN: 8, TX: 8, TY: 8, BK: 16 }), V.tiledv({ TM: 8, TN: 8, TX: 8, TY: 8, BK: 8 }), V.tiledv({ TM: 4, TN: 8, TX: 8, TY: 8, BK: 16 }),
      V.tiledv({ TM: 8, TN: 4, TX: 16, TY: 8, BK: 16 }), V.tiledv({ TM: 4, TN: 4, TX: 16, TY: 16, BK: 16 }), V.tiledv({ TM: 8, TN: 8, TX: 8, TY: 4, BK: 16 }),
      V.tiledv({ TM: 8, TN: 8, TX: 4, TY: 4, BK: 16 }), V.tiledv({ TM: 4, TN: 8, TX: 16, TY: 8, BK: 8 }),
    ];
    case 'final': return finalVariants();
    case 'gen': return genVariants();
    case 'final-compare': {
      // the end-of-study rerun: one representative per design family plus the deliverables
      const pick = (set, re) => variantSet(set).filter((v) => re.test(v.name));
      return [
        V.bc({ R: 16, CC: 2, WG: 64 }), V.sg({ R: 16, CC: 2, WG: 64 }), V.sg({ R: 16, CC: 4, WG: 8, cols: 'contig' }),
        V.sgv({ R: 16, CV: 1 }), V.sgv({ R: 32, CV: 1 }),
        V.tiled({ TM: 4, TN: 4, TX: 16, TY: 16, BK: 16 }), V.tiled({ TM: 8, TN: 8, TX: 8, TY: 8, BK: 16 }),
        ...pick('gen', /^gen_sg_R(24|32|40)_wg64$/),
        ...finalVariants(),
      ];
    }
    case 'report': {
      // everything in the results table: explored designs, the size sweep, and the deliverables
      const pick = (set, re) => variantSet(set).filter((v) => re.test(v.name));
      return [
        V.bc({ R: 16, CC: 2, WG: 64 }), V.bc({ R: 8, CC: 2, WG: 64, KU: 4 }),
        V.sg({ R: 16, CC: 2, WG: 64 }), V.sg({ R: 16, CC: 4, WG: 8, cols: 'contig' }), V.sg({ R: 16, CC: 2, WG: 64, op: 'shuffle' }),
        V.sgv({ R: 16, CV: 1 }), V.sgv({ R: 32, CV: 1 }), V.sgv({ R: 64, CV: 1 }), V.sgv({ R: 32, CV: 2 }),
        V.tiled({ TM: 4, TN: 4, TX: 16, TY: 16, BK: 16 }), V.tiled({ TM: 4, TN: 4, TX: 16, TY: 8, BK: 16 }), V.tiled({ TM: 8, TN: 8, TX: 8, TY: 8, BK: 16 }),
        V.tiled1d({ BM: 16, CC: 2, WG: 64, BK: 32 }),
        V.tiledv({ TM: 8, TN: 8, TX: 8, TY: 4, BK: 16 }),
        ...genVariants(),
        ...pick('layouts', /^sg_.*_(TN|NT)$/),
        ...finalVariants(),
      ];
    }
    default: throw new Error(`unknown set ${name}`);
  }
}

// The engine-facing kernels (kernels/gemm_subgroup.wgsl, kernels/gemm_tiled.wgsl) with the override
// rule the engine must apply: VEC_A iff (TRANS_A ? M : K) % 4 == 0, VEC_B iff (TRANS_B ? K : N) % 4 == 0.
function fileVariants(file, name, dispatch, features = [], extra = {}) {
  const path = join(root, 'kernels', file);
  if (!existsSync(path)) return [];
  const code = readFileSync(path, 'utf8');
  return ['NN', 'TN', 'NT', 'TT'].flatMap((layout) => [true, false].map((vec) => ({
    name: `${name}_${layout}${vec ? '' : '_novec'}`, code, features, layout, dispatch,
    constantsFor: (M, N, K) => ({ ...extra, TRANS_A: +(layout[0] === 'T'), TRANS_B: +(layout[1] === 'T'),
      VEC_A: +(vec && (layout[0] === 'T' ? M : K) % 4 === 0), VEC_B: +(vec && (layout[1] === 'T' ? K : N) % 4 === 0) }),
  })));
}
function finalVariants() {
  return [
    ...fileVariants('gemm_subgroup.wgsl', 'subgroup', (M, N) => [cdiv(N, 4 * 64), cdiv(M, 32), 1], ['subgroups']),
    ...fileVariants('gemm_tiled.wgsl', 'tiled', (M, N) => [cdiv(N, 64), cdiv(M, 64), 1]),
  ];
}
function genVariants() {
  const out = [];
  for (const [ROWS, WG] of [[16, 64], [24, 64], [32, 8], [32, 32], [32, 64], [32, 128], [32, 256], [40, 64], [48, 64]]) {
    const code = G.subgroupKernel({ ROWS, WG });
    out.push({ name: `gen_sg_R${ROWS}_wg${WG}`, code, features: ['subgroups'], layout: 'NN', dispatch: G.subgroupDispatch({ ROWS }, WG),
      constantsFor: (M, N, K) => ({ VEC_A: +(K % 4 === 0), VEC_B: +(N % 4 === 0) }) });
  }
  for (const t of [{ TM: 8, TN: 8, TX: 8, TY: 8, BK: 16 }, { TM: 8, TN: 8, TX: 8, TY: 4, BK: 16 }, { TM: 4, TN: 4, TX: 16, TY: 16, BK: 16 }, { TM: 8, TN: 8, TX: 8, TY: 8, BK: 8 }]) {
    out.push({ name: `gen_tiled_t${t.TM}x${t.TN}_wg${t.TX}x${t.TY}_bk${t.BK}`, code: G.tiledKernel(t), features: [], layout: 'NN', dispatch: G.tiledDispatch(t),
      constantsFor: (M, N, K) => ({ VEC_A: +(K % 4 === 0), VEC_B: +(N % 4 === 0) }) });
  }
  return out;
}

// ------------------------------------------------------------------------------------------ device
const gpu = create(TOGGLES ? [`enable-dawn-features=${TOGGLES}`] : []);
const adapter = await gpu.requestAdapter();
if (!adapter) { console.error('No WebGPU adapter (is mesa-vulkan-drivers from bookworm-backports installed?)'); process.exit(1); }
const requiredLimits = {};
for (const k in adapter.limits) if (typeof adapter.limits[k] === 'number') requiredLimits[k] = adapter.limits[k];
const requiredFeatures = ['subgroups', 'subgroup-size-control', 'timestamp-query'].filter((f) => adapter.features.has(f));
const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
device.addEventListener?.('uncapturederror', (e) => console.error('uncaptured:', e.error?.message));
const info = adapter.info;
console.log(`# adapter: ${info.description || info.device} | subgroups ${info.subgroupMinSize}-${info.subgroupMaxSize} | features: ${requiredFeatures.join(',')} | toggles: ${TOGGLES || '-'}`);

const mkBuf = (bytes, usage) => device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage });
function upload(data, usage = GPUBufferUsage.STORAGE) {
  const b = mkBuf(data.byteLength, usage | GPUBufferUsage.COPY_DST);
  device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
  return b;
}
async function readback(buf, bytes) {
  const rb = mkBuf(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buf, 0, rb, 0, rb.size);
  device.queue.submit([enc.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(rb.getMappedRange().slice(0, bytes));
  rb.unmap(); rb.destroy();
  return out;
}

const pipelineCache = new Map();
async function pipelineFor(v, constants = v.constants) {
  const key = v.name + JSON.stringify(constants);
  if (pipelineCache.has(key)) return pipelineCache.get(key);
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: v.code });
  const info = await module.getCompilationInfo();
  const errs = info.messages.filter((m) => m.type === 'error');
  if (errs.length) { await device.popErrorScope(); throw new Error(`${v.name}: WGSL errors:\n` + errs.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n')); }
  const t0 = performance.now();
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main', constants } });
  const compileMs = performance.now() - t0;
  const err = await device.popErrorScope();
  if (err) throw new Error(`${v.name}: ${err.message}`);
  const r = { pipeline, compileMs };
  pipelineCache.set(key, r);
  return r;
}

function randArray(n, seed) {
  const a = new Float32Array(n); let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = (s / 4294967296) * 2 - 1; }
  return a;
}
// reference element: A is [M,K] (or [K,M] for TN), B is [K,N] (or [N,K] for NT)
function refAt(a, b, M, N, K, layout, m, n) {
  let s = 0;
  for (let k = 0; k < K; k++) {
    const av = layout[0] === 'T' ? a[k * M + m] : a[m * K + k];
    const bv = layout[1] === 'T' ? b[n * K + k] : b[k * N + n];
    s += av * bv;
  }
  return s;
}

async function setup(v, M, N, K, seed = 1) {
  const a = randArray(M * K, seed), b = randArray(K * N, seed + 7);
  const A = upload(a), B = upload(b);
  const Cb = mkBuf(M * N * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
  // poison C so unwritten outputs are caught
  device.queue.writeBuffer(Cb, 0, new Float32Array(Cb.size / 4).fill(NaN));
  const Pb = upload(new Uint32Array([M, N, K, 0]), GPUBufferUsage.UNIFORM);
  const { pipeline, compileMs } = await pipelineFor(v, v.constantsFor ? v.constantsFor(M, N, K) : v.constants);
  const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [A, B, Cb, Pb].map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const [x, y, z] = v.dispatch(M, N, K);
  const run = (times) => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline); pass.setBindGroup(0, bind);
    for (let i = 0; i < times; i++) pass.dispatchWorkgroups(x, y, z);
    pass.end();
    device.queue.submit([enc.finish()]);
    return device.queue.onSubmittedWorkDone();
  };
  const destroy = () => [A, B, Cb, Pb].forEach((q) => q.destroy());
  return { a, b, Cb, run, destroy, compileMs, grid: [x, y, z] };
}

// full check on small sizes, sampled check on big ones
async function check(v, M, N, K, samples = 0) {
  const s = await setup(v, M, N, K, M * 31 + N * 7 + K);
  await s.run(1);
  const c = await readback(s.Cb, M * N * 4);
  s.destroy();
  let worst = 0, where = null;
  const test = (m, n) => {
    const r = refAt(s.a, s.b, M, N, K, v.layout, m, n);
    const e = Math.abs(c[m * N + n] - r) / (1e-3 * Math.sqrt(K) + Math.abs(r) * 1e-4);
    if (!(e <= worst)) { worst = Number.isNaN(e) ? Infinity : e; where = [m, n, c[m * N + n], r]; }
  };
  if (!samples) { for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) test(m, n); }
  else {
    let q = 12345;
    for (let i = 0; i < samples; i++) { q = (Math.imul(q, 1664525) + 1013904223) >>> 0; test(q % M, (q >>> 11) % N); }
    test(M - 1, N - 1); test(0, 0); test(M - 1, 0); test(0, N - 1);
  }
  return { ok: worst <= 1, worst, where };
}

async function bench(v, M, N, K) {
  const s = await setup(v, M, N, K);
  let t0 = performance.now(); await s.run(1); const first = performance.now() - t0;
  t0 = performance.now(); await s.run(1); const est = performance.now() - t0;
  const inner = Math.max(1, Math.min(50, Math.ceil(TARGET_MS / Math.max(est, 0.05))));
  const times = [], cpus = [];
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage(); t0 = performance.now();
    await s.run(inner);
    times.push((performance.now() - t0) / inner);
    const c1 = process.cpuUsage(c0); cpus.push((c1.user + c1.system) / 1000 / inner);
  }
  s.destroy();
  const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
  const ms = med(times), cpu = med(cpus);
  const flop = 2 * M * N * K;
  // gflops_cpu: flops per CPU-second of this process times the core count -- insensitive to other
  // tenants stealing time slices (lavapipe's worker threads live in this process and block, not spin).
  return { times, cpus, ms, gflops: flop / (ms * 1e6), min: Math.min(...times), max: Math.max(...times), cpu_ms: cpu, gflops_cpu: flop / (cpu / NCPU * 1e6), inner, first_ms: first, compile_ms: s.compileMs, grid: s.grid };
}

// ------------------------------------------------------------------------------------------ main
let results = {};
if (JSON_OUT && existsSync(JSON_OUT)) results = JSON.parse(readFileSync(JSON_OUT, 'utf8'));
results._meta = { adapter: info.description, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, updated: new Date().toISOString(), note: 'ms = median per dispatch; gflops = 2MNK/ms' };
let variants = variantSet(SET);
if (ONLY) variants = variants.filter((v) => new RegExp(ONLY).test(v.name));
const save = () => { if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(results, null, 1) + '\n'); };

const ROUNDS = +opt('--rounds', 1);
const valid = [];
for (const v of variants) {
  if (v.features.some((f) => !device.features.has(f))) { console.log(`${v.name}: skipped (needs ${v.features})`); continue; }
  let bad = null;
  try {
    if (!flag('--no-check')) for (const [M, N, K] of (v.aligned4 ? CHECK_SIZES4 : CHECK_SIZES)) {
      const r = await check(v, M, N, K);
      if (!r.ok) { bad = `WRONG at ${M}x${N}x${K}: ${JSON.stringify(r.where)}`; break; }
    }
    else await pipelineFor(v);
  } catch (e) { bad = 'ERROR ' + e.message.split('\n').slice(0, 4).join(' | '); }
  if (bad) { console.log(`${v.name}: ${bad}`); results[`${v.name}|check`] = { error: bad }; save(); continue; }
  if (flag('--check-only')) { console.log(`${v.name}: correct on the odd sizes`); continue; }
  valid.push(v);
}
// Interleaved rounds: every round times every variant x shape once (REPS repetitions), so slow
// phases caused by other tenants of the machine hit all variants alike. Median and best over all.
const samples = new Map(), cpuSamples = new Map(), checked = new Map();
const aligned = ({ M, N, K }) => M % 4 === 0 && N % 4 === 0 && K % 4 === 0;
const pairs = valid.flatMap((v) => SHAPE_NAMES.filter((sn) => (SHAPES[sn].layout ?? 'NN') === v.layout && (!v.aligned4 || aligned(SHAPES[sn])))
  .map((sn) => [v, sn]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [v, sn] of pairs) {
    const { M, N, K } = SHAPES[sn];
    const key = `${v.name}|${sn}`;
    const r = await bench(v, M, N, K);
    samples.set(key, [...(samples.get(key) ?? []), ...r.times]);
    cpuSamples.set(key, [...(cpuSamples.get(key) ?? []), ...r.cpus]);
    if (!checked.has(key)) checked.set(key, flag('--no-check') ? true : (await check(v, M, N, K, 64)).ok);
  }
  if (ROUNDS > 1) console.log(`# round ${round + 1}/${ROUNDS} done, load ${os.loadavg()[0].toFixed(1)}`);
}
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const table = [];
for (const v of valid) {
  const cells = [];
  for (const sn of SHAPE_NAMES) {
    const key = `${v.name}|${sn}`;
    if (!samples.has(key)) continue;
    const { M, N, K } = SHAPES[sn], flop = 2 * M * N * K;
    // samples accumulate across runs (--json): the median over many minutes is less hostage to one
    // busy minute on this shared machine; --fresh drops the earlier samples
    const t = [...(flag('--fresh') ? [] : results[key]?.samples_ms ?? []), ...samples.get(key)];
    const ms = med(t), best = Math.min(...t), cpu = med(cpuSamples.get(key));
    const rec = { variant: v.name, shape: sn, M, N, K, layout: v.layout, ms: +ms.toFixed(3), gflops: +(flop / (ms * 1e6)).toFixed(2),
      best_ms: +best.toFixed(3), gflops_best: +(flop / (best * 1e6)).toFixed(2), gflops_cpu: +(flop / (cpu / NCPU * 1e6)).toFixed(2),
      samples: t.length, samples_ms: t.map((x) => +x.toFixed(3)), correct: checked.get(key), measured: new Date().toISOString() };
    results[key] = rec;
    cells.push(`${sn}=${rec.gflops.toFixed(1)}/${rec.gflops_best.toFixed(1)}${rec.correct ? '' : '(WRONG)'}`);
  }
  console.log(`${v.name}: ${cells.join('  ')}`);
}
save();
console.log('# GFLOP/s as median/best over all samples');
device.destroy();
