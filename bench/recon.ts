/**
 * The reconstruction metric's running test (200 images × 50 z steps) on the paper's DCGAN at 32 px (width
 * 32, weight norm, random weights) with random Fashion-MNIST-shaped images (grey, replicated to 3
 * channels): the plain 32-image loop as it was before batching ("old") against the batched metric ("new"),
 * interleaved round by round so that both see the same machine load. Prints JSON: median seconds, effective
 * GFLOP/s, whether the per-image errors are bitwise identical, and the projected final-test times.
 *
 * FLOPs counted: G's forward and its backward to z (≈ the forward's again) per image per step, plus one
 * forward per image for the final error; 2 per multiply-add of the linear layer and of the transposed
 * convolutions (Cin·Cout·k²·H_in·W_in multiply-adds each); elementwise work is not counted, nor the weight
 * gradients the ops may compute without need.
 *
 * `--profile`: afterwards, one more run of the batched metric over the same images with `--profile-steps`
 * steps (default 5) in GPU-timestamp profiling mode, broken down by kernel and op group as `bench:train --
 * --profile` does (`profile` in the JSON; its per-iteration figures are per run of the metric).
 *
 * Run: npm run bench:recon [-- --rounds 3 --images 200 --steps 50 --groups K --norm weight --width 32 --profile]
 */
import { cpus, loadavg } from 'node:os';
import { initNode, shutdown } from '../src/engine-node.js';
import { Rng } from '../src/util/rng.js';
import { DcganGenerator, levelSizes, type Norm } from '../src/models/dcgan.js';
import type { Module } from '../src/nn/module.js';
import { reconstructionError } from '../src/metrics/reconstruction.js';
import { reconstructionLoopPerBatch } from '../test/reference/reconstruction-loop.js';
import { summarizeProfile, TIMESTAMP_FLAGS } from './profile.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}
const ROUNDS = Number(arg('rounds', '3'));
const IMAGES = Number(arg('images', '200'));
const STEPS = Number(arg('steps', '50'));
const GROUPS = arg('groups', '') ? Number(arg('groups', '')) : undefined;
const NORM = arg('norm', 'weight') as Norm;
const WIDTH = Number(arg('width', '32'));
const PROFILE = process.argv.includes('--profile');
const PROFILE_STEPS = Number(arg('profile-steps', '5'));
const S = 32;
const CODE = 128;
const PER = 3 * S * S;

/** The metric as it was before batching: one 32-image problem at a time (the test's bitwise reference). */
const oldLoop = async (G: Module, count: number, load: (s: number, n: number) => Promise<Float32Array>) =>
  (await reconstructionLoopPerBatch(G, count, load, [3, S, S], { codeSize: CODE, steps: STEPS })).perImage;

/** Multiply-adds of the DCGAN generator's forward pass for one image. */
function generatorMacs(width: number): number {
  const sizes = levelSizes(S);
  const levels = sizes.length - 1;
  let s = sizes[levels];
  let f = width * 2 ** (levels - 1);
  let macs = CODE * f * s * s;
  for (let i = 1; i < levels; i++) {
    macs += f * (f / 2) * 16 * s * s;
    f /= 2;
    s *= 2;
  }
  return macs + f * 3 * 16 * s * s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const rt = await initNode(PROFILE ? { dawnFlags: TIMESTAMP_FLAGS } : {});
  try {
    const G = new DcganGenerator(new Rng(1), { imageSize: S, norm: NORM, codeSize: CODE, baseWidth: WIDTH });
    const rng = new Rng(2);
    const grey = new Float32Array(IMAGES * S * S);
    rng.fillUniform(grey, 0, 1);
    const images = new Float32Array(IMAGES * PER);
    for (let i = 0; i < IMAGES; i++) for (let c = 0; c < 3; c++) images.set(grey.subarray(i * S * S, (i + 1) * S * S), (i * 3 + c) * S * S);
    const load = async (start: number, n: number) => images.slice(start * PER, (start + n) * PER);

    const flops = 2 * generatorMacs(WIDTH) * IMAGES * (2 * STEPS + 1);
    // warm-up (pipeline compilation) on a few images
    await oldLoop(G, 8, load);
    await reconstructionError(G, 8, load, [3, S, S], { codeSize: CODE, steps: 1, groupsPerDispatch: GROUPS });

    const times: Record<'old' | 'new', number[]> = { old: [], new: [] };
    // this process's CPU seconds (lavapipe's worker threads included): less sensitive than wall time to
    // other processes on a shared machine
    const cpu: Record<'old' | 'new', number[]> = { old: [], new: [] };
    let identical = true;
    let maxRel = 0;
    let groupsUsed = 0;
    for (let r = 0; r < ROUNDS; r++) {
      // alternate the order so neither variant always runs first
      const order: ('old' | 'new')[] = r % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
      const results: Partial<Record<'old' | 'new', Float32Array>> = {};
      for (const v of order) {
        await rt.sync();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        if (v === 'old') results.old = await oldLoop(G, IMAGES, load);
        else {
          const res = await reconstructionError(G, IMAGES, load, [3, S, S], { codeSize: CODE, steps: STEPS, groupsPerDispatch: GROUPS });
          results.new = res.perImage;
          groupsUsed = res.groupsPerDispatch;
        }
        const sec = (performance.now() - t0) / 1000;
        const c = process.cpuUsage(c0);
        times[v].push(sec);
        cpu[v].push((c.user + c.system) / 1e6);
        console.error(JSON.stringify({ round: r, variant: v, seconds: +sec.toFixed(2), cpu_seconds: +cpu[v][r].toFixed(2) }));
      }
      const a = results.old!;
      const b = results.new!;
      for (let i = 0; i < a.length; i++) {
        if (!Object.is(a[i], b[i])) identical = false;
        maxRel = Math.max(maxRel, Math.abs(a[i] - b[i]) / Math.abs(a[i]));
      }
    }
    const row = (v: 'old' | 'new') => {
      const sec = median(times[v]);
      const perImageStep = sec / (IMAGES * STEPS);
      return {
        median_s: +sec.toFixed(2),
        min_s: +Math.min(...times[v]).toFixed(2),
        runs_s: times[v].map((t) => +t.toFixed(2)),
        effective_gflops: +(flops / sec / 1e9).toFixed(2),
        median_cpu_s: +median(cpu[v]).toFixed(2),
        ms_per_image_step: +(perImageStep * 1000).toFixed(3),
        // linear in images × steps (the final forward is negligible)
        projected_final_test_s: { steps500: Math.round(perImageStep * 2000 * 500), steps100: Math.round(perImageStep * 2000 * 100) },
      };
    };
    let profile: object | undefined;
    if (PROFILE) {
      await rt.sync();
      rt.startProfiling();
      try {
        const t0 = performance.now();
        await reconstructionError(G, IMAGES, load, [3, S, S], { codeSize: CODE, steps: PROFILE_STEPS, groupsPerDispatch: GROUPS });
        const wall = performance.now() - t0;
        profile = { images: IMAGES, steps: PROFILE_STEPS, ...summarizeProfile([await rt.collectProfile()], [wall]) };
      } finally {
        rt.stopProfiling();
      }
    }
    console.log(JSON.stringify({
      adapter: rt.adapter.description,
      fallback: rt.adapter.isFallbackAdapter,
      // other processes on the machine: 1-minute load average before and after, next to the core count
      machine: { cpus: cpus().length, loadavg_1m_before: +loadBefore.toFixed(2), loadavg_1m_after: +loadavg()[0].toFixed(2) },
      model: { name: 'dcgan-G', norm: NORM, imageSize: S, width: WIDTH, codeSize: CODE, macs_per_image: generatorMacs(WIDTH) },
      images: IMAGES, steps: STEPS, rounds: ROUNDS,
      gflop_counted: +(flops / 1e9).toFixed(2),
      flop_count: 'per image: 2·MACs(G forward)·(2·steps + 1): forward + backward to z each step, one final forward',
      old: row('old'),
      new: { groups_per_dispatch: groupsUsed, ...row('new') },
      speedup: +(median(times.old) / median(times.new)).toFixed(2),
      cpu_ratio_old_over_new: +(median(cpu.old) / median(cpu.new)).toFixed(2),
      per_image_errors_bitwise_identical: identical,
      max_relative_difference: maxRel,
      ...(profile ? { profile } : {}),
    }, null, 2));
    G.dispose();
  } finally {
    shutdown();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
