/**
 * Peer comparison: the same DCGAN training iteration (R1: a D step on a real and a fake batch, a G step;
 * RMSprop; norm batch and weight; width 64, batch 64) in
 *   - wngan (this engine, bench/peer/wngan-dcgan.ts),
 *   - TensorFlow.js with its WebGPU backend on the same Dawn adapter, in this process (bench/peer/tfjs-dcgan.ts),
 *   - PyTorch on the CPU (bench/peer_torch.py) with the first python that imports torch: $WNGAN_PYTHON
 *     alone when set, else `python3` on PATH, then /usr/bin/python3 (Debian's python3-torch lives there even
 *     when a pyenv `python3` shadows it); without one it is reported as unavailable, not an error,
 * plus one reconstruction step (G in eval mode forward, MSE, backward to z, RMSprop on z; batch 32, width 32)
 * in wngan and PyTorch. Prints one JSON document: per system and norm the median milliseconds, the adapters,
 * and the ratios (the other system's median over wngan's: above 1 means wngan is faster).
 *
 *   npm run -s bench:peer [-- --size 32|64] [--quick] [--norm batch,weight] [--width 64] [--batch 64]
 *                         [--iters N] [--tfjs-iters N] [--recon-steps N] [--no-tfjs] [--no-torch]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initNode, shutdown } from '../src/engine-node.js';
import type { Norm } from '../src/models/dcgan.js';
import { checkFlags, emitJson, flagInt, flagList, machineLoad, median, parseFlags, progress, round, runMain } from './lib.js';
import { ganParams, timeWnganRecon, wnganTrainer } from './peer/wngan-dcgan.js';
import { summarizeAdapter } from '../src/gpu/adapter.js';
import { tfDcgan, type TfDcgan } from './peer/tfjs-dcgan.js';

type PeerNorm = 'batch' | 'weight';

interface Timing {
  median_ms: number;
  times_ms: number[];
}

const timing = (ms: number[]): Timing => ({ median_ms: round(median(ms), 1), times_ms: ms.map((x) => round(x, 1)) });

interface TfjsEnv {
  tf: typeof import('@tensorflow/tfjs');
  info: { version: string; backend: string; adapter: string; flags: string };
  close(): void;
}

/** TF.js with its WebGPU backend on a Dawn instance of its own (same adapter), alive until close(). */
async function startTfjs(): Promise<TfjsEnv> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const webgpu = await import('webgpu');
  Object.assign(globalThis, webgpu.globals);
  let gpu: GPU | null = webgpu.create([]);
  // TF.js finds WebGPU through navigator.gpu, at import time
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const mod = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-webgpu');
  const tf = ((mod as unknown as { default?: typeof mod }).default ?? mod) as typeof mod;
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start its WebGPU backend');
  await tf.ready();
  const backend = tf.backend() as unknown as { device?: GPUDevice };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  return {
    tf,
    info: {
      version: tf.version.tfjs,
      backend: 'webgpu',
      adapter: adapter ? summarizeAdapter(adapter).description : 'unknown',
      flags: 'defaults (WEBGPU_CPU_FORWARD on: tensors under 1000 elements that live on the CPU may run there)',
    },
    close() {
      backend.device?.destroy();
      tf.removeBackend('webgpu');
      if (g.navigator) delete (g.navigator as { gpu?: GPU }).gpu;
      gpu = null; // Dawn keeps the process alive while referenced
    },
  };
}

/**
 * The python for the PyTorch peer: $WNGAN_PYTHON alone when set; otherwise `python3` on PATH, then
 * /usr/bin/python3 (a pyenv or venv `python3` may shadow the system python that has Debian's python3-torch).
 */
function torchPython(): { python: string; version: string } | { reason: string } {
  const chosen = process.env.WNGAN_PYTHON;
  const candidates = chosen ? [chosen] : ['python3', '/usr/bin/python3'];
  const why: string[] = [];
  for (const py of candidates) {
    const probe = spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0) return { python: py, version: probe.stdout.trim() };
    why.push(`${py}: ${probe.error ? String(probe.error.message) : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`)}`);
  }
  return { reason: `no python that imports torch (${why.join('; ')})${chosen ? ' [from WNGAN_PYTHON]' : '; set WNGAN_PYTHON to pick one'}` };
}

function runTorch(norms: PeerNorm[], o: { size: number; width: number; batch: number; iters: number; reconSteps: number }): { available: boolean; [k: string]: unknown } {
  const py = torchPython();
  if ('reason' in py) return { available: false, reason: py.reason };
  const script = fileURLToPath(new URL('../../bench/peer_torch.py', import.meta.url));
  const args = [
    script, '--size', String(o.size), '--width', String(o.width), '--batch', String(o.batch), '--norm', norms.join(','),
    '--iters', String(o.iters), '--recon-steps', String(o.reconSteps),
  ];
  progress(`${py.python} ${args.join(' ')}`);
  const r = spawnSync(py.python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (r.status !== 0) return { available: true, python: py.python, error: `bench/peer_torch.py exited with ${r.status ?? r.signal}` };
  return { python: py.python, ...JSON.parse(r.stdout) };
}

async function main(): Promise<void> {
  const f = parseFlags();
  checkFlags(f, ['size', 'quick', 'norm', 'width', 'batch', 'iters', 'tfjs-iters', 'recon-steps', 'no-tfjs', 'no-torch']);
  const quick = f.has('quick');
  const size = flagInt(f, 'size', 32);
  if (size !== 32 && size !== 64) throw new Error('--size: 32 or 64');
  const norms = flagList(f, 'norm', ['batch', 'weight']) as PeerNorm[];
  for (const n of norms) if (n !== 'batch' && n !== 'weight') throw new Error(`--norm: batch or weight, got '${n}'`);
  const width = flagInt(f, 'width', 64);
  const batch = flagInt(f, 'batch', 64);
  const iters = flagInt(f, 'iters', quick ? 3 : 8);
  const tfIters = flagInt(f, 'tfjs-iters', quick ? 2 : 3);
  const reconSteps = flagInt(f, 'recon-steps', quick ? 5 : 20);
  const recon = { width: 32, batch: 32 };
  const loadBefore = machineLoad();

  // wngan and TF.js side by side: per norm, after a warm-up each, every round runs one TF.js iteration and a
  // share of wngan's, so that both see the same load on a shared machine
  const rt = await initNode();
  const adapter = rt.adapter.description;
  let tfEnv: TfjsEnv | null = null;
  let tfjs: { available: boolean; reason?: string; train?: Record<string, Timing>; [k: string]: unknown };
  if (f.has('no-tfjs')) tfjs = { available: false, reason: 'skipped (--no-tfjs)' };
  else {
    try {
      tfEnv = await startTfjs();
      tfjs = { available: true, ...tfEnv.info, iters: tfIters, params: {}, train: {} };
    } catch (e) {
      progress(e instanceof Error ? (e.stack ?? e.message) : String(e));
      tfjs = { available: false, reason: `TF.js WebGPU failed to start: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const wTrain: Record<string, Timing> = {};
  const wRecon: Record<string, Timing> = {};
  const wParams: Record<string, { G: number; D: number }> = {};
  const loads: Record<string, object> = {};
  try {
    for (const norm of norms) {
      loads[norm] = machineLoad();
      const cfg = { norm: norm as Norm, width, batch, imageSize: size };
      const w = wnganTrainer(rt, cfg);
      wParams[norm] = ganParams(w.gan);
      let m: TfDcgan | null = null;
      // one TF.js iteration; a failure is reported in the JSON and ends TF.js's part, not the benchmark
      const tfIteration = async (): Promise<number | null> => {
        try {
          return await m!.iteration();
        } catch (e) {
          progress(e instanceof Error ? (e.stack ?? e.message) : String(e));
          // earlier norms' results stay
          tfjs = { ...tfjs, available: false, reason: `TF.js WebGPU failed (norm ${norm}): ${e instanceof Error ? e.message : String(e)}` };
          m?.dispose();
          m = null;
          tfEnv?.close();
          tfEnv = null;
          return null;
        }
      };
      try {
        if (tfEnv) {
          m = tfDcgan(tfEnv.tf, { norm, imageSize: size, width, batch });
          (tfjs.params as Record<string, object>)[norm] = m.params;
        }
        await w.iteration(); // pipeline compilation
        if (m) {
          const warm = await tfIteration(); // shader compilation
          if (warm !== null) progress({ system: 'tfjs', norm, warmup_ms: round(warm, 1) });
        }
        const rounds = m ? tfIters : 1;
        const wMs: number[] = [];
        const tMs: number[] = [];
        for (let r = 0; r < rounds; r++) {
          if (m) {
            const ms = await tfIteration();
            if (ms !== null) {
              tMs.push(ms);
              progress({ system: 'tfjs', norm, iter_ms: round(ms, 1) });
            }
          }
          const share = Math.floor(((r + 1) * iters) / rounds) - Math.floor((r * iters) / rounds);
          for (let i = 0; i < share; i++) wMs.push(await w.iteration());
        }
        wTrain[norm] = timing(wMs);
        progress({ system: 'wngan', norm, train: wTrain[norm] });
        if (m && tMs.length === tfIters) tfjs.train![norm] = timing(tMs);
      } finally {
        (m as TfDcgan | null)?.dispose();
        w.dispose();
      }
      wRecon[norm] = timing(await timeWnganRecon(rt, { norm: norm as Norm, ...recon, imageSize: size }, reconSteps));
      progress({ system: 'wngan', norm, recon: wRecon[norm] });
    }
  } finally {
    tfEnv?.close();
    shutdown();
  }

  // PyTorch on the CPU
  const torch: { train?: Record<string, Timing>; recon?: Record<string, Timing>; available?: boolean; reason?: string } = f.has('no-torch')
    ? { available: false, reason: 'skipped (--no-torch)' }
    : runTorch(norms, { size, width, batch, iters, reconSteps });

  const ratio = (other: Record<string, Timing> | undefined, mine: Record<string, Timing>) =>
    Object.fromEntries(norms.filter((n) => other?.[n] && mine[n]).map((n) => [n, round(other![n].median_ms / mine[n].median_ms, 2)]));
  emitJson({
    task: {
      train: `one R1 DCGAN training iteration (D step on real + fake, G step, RMSprop), ${size} px, width ${width}, batch ${batch}`,
      recon: `one reconstruction step (G eval forward, MSE, backward to z, RMSprop on z), ${size} px, width ${recon.width}, batch ${recon.batch}`,
      timing:
        'wall ms per iteration/step after one warm-up, losses read back; median. wngan and TF.js iterations are ' +
        'interleaved (per round one TF.js iteration, then a share of wngan\'s) so both see the same machine load; ' +
        'PyTorch runs afterwards in its own process',
    },
    adapter,
    machine: { before: loadBefore, at_start_of_norm: loads, after: machineLoad() },
    wngan: { iters, recon_steps: reconSteps, params: wParams, train: wTrain, recon: wRecon },
    tfjs,
    torch,
    ratios: {
      meaning: "other system's median ms / wngan's (above 1: wngan is faster)",
      tfjs_over_wngan_train: ratio(tfjs.train, wTrain),
      torch_over_wngan_train: ratio(torch.train, wTrain),
      torch_over_wngan_recon: ratio(torch.recon, wRecon),
    },
  });
}

runMain(main);
