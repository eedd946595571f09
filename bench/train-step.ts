/**
 * End-to-end training-iteration timing: one R1 iteration (D step + G step, RMSprop) of the paper's DCGAN
 * on random data, for each norm, batch size and width. Prints one JSON document on stdout: the adapter, the
 * machine's load and the median seconds per iteration.
 *
 *   npm run -s bench:train [-- --quick] [-- --norm weight,batch --batch 64 --width 64 --size 32 --iters 8]
 *
 * `--profile`: the time of one iteration broken down by kernel and op group from GPU timestamp queries (each
 * dispatch in its own compute pass; Dawn's timestamp quantization turned off). Defaults then: norms batch
 * and weight, width 64, batch 64, 32 px; `--iters` unprofiled iterations for the wall time (default 3), then
 * `--profile-iters` profiled ones (default 3), after one warm-up.
 */
import { initNode, shutdown } from '../src/engine-node.js';
import { NORMS, type Norm } from '../src/models/dcgan.js';
import { checkFlags, emitJson, flagInt, flagList, machineLoad, median, parseFlags, progress, round, runMain } from './lib.js';
import { timeWnganTrain, wnganTrainer } from './peer/wngan-dcgan.js';
import { summarizeProfile, TIMESTAMP_FLAGS } from './profile.js';
import type { ProfileCapture } from '../src/gpu/runtime.js';

function norms(list: string[]): Norm[] {
  for (const n of list) if (!(NORMS as readonly string[]).includes(n)) throw new Error(`--norm: unknown norm '${n}' (${NORMS.join(', ')})`);
  return list as Norm[];
}

async function main(): Promise<void> {
  const f = parseFlags();
  checkFlags(f, ['quick', 'profile', 'norm', 'width', 'batch', 'size', 'iters', 'profile-iters']);
  const quick = f.has('quick');
  const profile = f.has('profile');
  const size = flagInt(f, 'size', 32);
  const loadBefore = machineLoad();
  const rt = await initNode(profile ? { dawnFlags: TIMESTAMP_FLAGS } : {});
  try {
    if (profile) {
      const iters = flagInt(f, 'iters', quick ? 2 : 3);
      const profIters = flagInt(f, 'profile-iters', quick ? 2 : 3);
      const width = flagInt(f, 'width', 64);
      const batch = flagInt(f, 'batch', 64);
      const runs: object[] = [];
      for (const norm of norms(flagList(f, 'norm', ['batch', 'weight']))) {
        const t = wnganTrainer(rt, { norm, width, batch, imageSize: size });
        try {
          await t.iteration(); // pipeline compilation
          const wall: number[] = [];
          for (let i = 0; i < iters; i++) wall.push(await t.iteration());
          progress({ norm, unprofiled_ms: wall.map((x) => round(x, 1)) });
          const caps: ProfileCapture[] = [];
          const profWall: number[] = [];
          const c0 = { ...rt.counters };
          rt.startProfiling();
          try {
            for (let i = 0; i < profIters; i++) {
              profWall.push(await t.iteration());
              caps.push(await rt.collectProfile());
            }
          } finally {
            rt.stopProfiling();
          }
          const p = summarizeProfile(caps, profWall);
          progress({ norm, profiled_ms: profWall.map((x) => round(x, 1)), kernel_sum_ms: p.kernel_sum_ms });
          runs.push({
            model: 'dcgan', norm, imageSize: size, width, batch,
            wall_ms_unprofiled_median: round(median(wall)),
            wall_ms_unprofiled: wall.map((x) => round(x, 1)),
            submits_per_iter: round((rt.counters.submits - c0.submits) / profIters, 1),
            ...p,
          });
        } finally {
          t.dispose();
        }
      }
      emitJson({
        adapter: rt.adapter.description,
        method:
          'GPU timestamp queries (timestamp-query): while profiling every dispatch runs in a compute pass of its own ' +
          'whose beginning and end write timestamps (Dawn toggle timestamp_quantization disabled); per kernel name and ' +
          'op group (prefix before ":") the calls and ms per iteration, averaged over the profiled iterations. ' +
          'kernel_sum_ms is the mean per iteration; gap_ms = median over profiled iterations of (wall − that iteration\'s ' +
          'kernel sum): recording, submits, GPU idle between passes, readback. gpu_span_ms: first to last timestamp per submit. ' +
          'wall_ms_unprofiled_median is the same iteration with normal batching (one pass per submit).',
        machine: { before: loadBefore, after: machineLoad() },
        runs,
      });
      return;
    }
    const iters = flagInt(f, 'iters', quick ? 4 : 8);
    const results: object[] = [];
    for (const norm of norms(flagList(f, 'norm', quick ? ['weight'] : ['weight', 'batch', 'none']))) {
      for (const batch of f.has('batch') ? [flagInt(f, 'batch', 64)] : [32, 64]) {
        for (const width of f.has('width') ? [flagInt(f, 'width', 64)] : quick ? [64] : [64, 32]) {
          const times = (await timeWnganTrain(rt, { norm, width, batch, imageSize: size }, iters)).map((ms) => ms / 1000);
          times.sort((a, b) => a - b);
          const r = { model: 'dcgan', norm, imageSize: size, width, batch, median_s_per_iter: +times[Math.floor(times.length / 2)].toFixed(4), min_s: +times[0].toFixed(4), iters };
          progress(r);
          results.push(r);
        }
      }
    }
    emitJson({ adapter: rt.adapter.description, machine: { before: loadBefore, after: machineLoad() }, results });
  } finally {
    shutdown();
  }
}

runMain(main);
