#!/usr/bin/env node
// Side experiment (NOT the engine contract): the same subgroup-broadcast GEMM, but A and B are read
// through rgba32float sampled textures (textureLoad) instead of storage buffers. On lavapipe (Mesa 25.0)
// a texel fetch is a branch-free vectorised gather, while a storage-buffer load in a loop is executed
// lane by lane with a bounds-check branch per component. Aligned sizes only (K % 4 == 0, N % 4 == 0).
//   node bench/probes/gemm-tex-probe.mjs [--rows 32] [--reps 3] [--rounds 2]
import { create, globals } from 'webgpu';
import os from 'node:os';
Object.assign(globalThis, globals);

const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.indexOf(n); return i < 0 ? d : args[i + 1]; };
const REPS = +opt('--reps', 3), ROUNDS = +opt('--rounds', 2);
const range = (n) => [...Array(n).keys()];

function kernel(ROWS, WG) {
  const G = ROWS / 8;
  let s = `enable subgroups;
struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var TA: texture_2d<f32>;   // A: M rows x K/4 texels
@group(0) @binding(1) var TB: texture_2d<f32>;   // B: K rows x N/4 texels
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(subgroup_invocation_id) sl: u32) {
  let m0 = wid.y * ${ROWS}u;
  let nOut = 4u * (wid.x * ${WG}u + lid.x);
  let nt = min(nOut, P.N - 4u) / 4u;
`;
  for (const g of range(G)) s += `  let mg${g} = min(m0 + ${8 * g}u + (sl & 7u), P.M - 1u);\n`;
  for (const r of range(ROWS)) s += `  var c${r} = vec4<f32>(0.0);\n`;
  s += `  for (var k = 0u; k < P.K; k += 4u) {\n`;
  for (const u of range(4)) s += `    let b${u} = textureLoad(TB, vec2<u32>(nt, k + ${u}u), 0);\n`;
  for (const g of range(G)) s += `    let a${g} = textureLoad(TA, vec2<u32>(k / 4u, mg${g}), 0);\n`;
  for (const r of range(ROWS)) s += `    { let a = subgroupBroadcast(a${Math.floor(r / 8)}, ${r % 8}u); c${r} = fma(vec4(a.x), b0, c${r}); c${r} = fma(vec4(a.y), b1, c${r}); c${r} = fma(vec4(a.z), b2, c${r}); c${r} = fma(vec4(a.w), b3, c${r}); }\n`;
  s += `  }\n`;
  for (const r of range(ROWS)) s += `  if (m0 + ${r}u < P.M && nOut < P.N) { let o = (m0 + ${r}u) * P.N + nOut; C[o] = c${r}.x; C[o + 1u] = c${r}.y; C[o + 2u] = c${r}.z; C[o + 3u] = c${r}.w; }\n`;
  return s + '}\n';
}

const gpu = create([]);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice({ requiredFeatures: ['subgroups'] });
const shapes = Object.fromEntries(Object.entries({ sq1024: [1024, 1024, 1024], 'conv2_64-128': [128, 8192, 1024], 'conv3_128-256': [256, 2048, 2048], 'conv4_256-512': [512, 512, 4096] })
  .filter(([k]) => opt('--shapes', 'sq1024').split(',').includes(k)));
const rand = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1; return a; };
function tex(data, w4, h) {
  const t = device.createTexture({ size: [w4, h], format: 'rgba32float', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
  device.queue.writeTexture({ texture: t }, data, { bytesPerRow: w4 * 16, rowsPerImage: h }, [w4, h]);
  return t;
}
const variants = [[32, 64], [16, 64], [64, 64]];
const res = {};
for (let round = 0; round < ROUNDS; round++) for (const [ROWS, WG] of variants) {
  const module = device.createShaderModule({ code: kernel(ROWS, WG) });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  for (const [sn, [M, N, K]] of Object.entries(shapes)) {
    const a = rand(M * K), b = rand(K * N);
    const TA = tex(a, K / 4, M), TB = tex(b, N / 4, K);
    const Cb = device.createBuffer({ size: M * N * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const Pb = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(Pb, 0, new Uint32Array([M, N, K, 0]));
    const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [
      { binding: 0, resource: TA.createView() }, { binding: 1, resource: TB.createView() }, { binding: 2, resource: { buffer: Cb } }, { binding: 3, resource: { buffer: Pb } }] });
    const run = (n) => { const e = device.createCommandEncoder(); const p = e.beginComputePass(); p.setPipeline(pipeline); p.setBindGroup(0, bind);
      for (let i = 0; i < n; i++) p.dispatchWorkgroups(Math.ceil(N / (4 * WG)), Math.ceil(M / ROWS)); p.end(); device.queue.submit([e.finish()]); return device.queue.onSubmittedWorkDone(); };
    await run(1);
    // spot-check correctness
    const rb = device.createBuffer({ size: M * N * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    { const e = device.createCommandEncoder(); e.copyBufferToBuffer(Cb, 0, rb, 0, M * N * 4); device.queue.submit([e.finish()]); }
    await rb.mapAsync(GPUMapMode.READ); const c = new Float32Array(rb.getMappedRange());
    let bad = 0; for (let t = 0; t < 32; t++) { const m = (t * 7919) % M, n = (t * 104729) % N; let s = 0; for (let k = 0; k < K; k++) s += a[m * K + k] * b[k * N + n]; if (Math.abs(s - c[m * N + n]) > 1e-3 * Math.sqrt(K)) bad++; }
    rb.unmap(); rb.destroy();
    const times = [];
    for (let r = 0; r < REPS; r++) { const t0 = performance.now(); await run(1); times.push(performance.now() - t0); }
    const key = `tex_sg_R${ROWS}_wg${WG}|${sn}`;
    (res[key] ??= []).push(...times);
    if (round === ROUNDS - 1) {
      const t = res[key].sort((p, q) => p - q), flop = 2 * M * N * K;
      console.log(`${key}: ${(flop / t[t.length >> 1] / 1e6).toFixed(1)}/${(flop / t[0] / 1e6).toFixed(1)} GFLOP/s${bad ? ' WRONG' : ''} (load ${os.loadavg()[0].toFixed(1)})`);
    }
    TA.destroy(); TB.destroy(); Cb.destroy(); Pb.destroy();
  }
}
device.destroy();
