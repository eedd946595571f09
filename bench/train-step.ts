/**
 * End-to-end training-iteration timing: one R1 iteration (D step + G step, RMSprop) of the paper's DCGAN
 * at 32 px, for each norm and batch size, on random data. Prints JSON with the median seconds per
 * iteration and the adapter. Run: npm run bench:train [-- --quick]
 */
import { initNode, shutdown } from '../src/engine-node.js';
import { Rng } from '../src/util/rng.js';
import { buildGan, disposeGan, sampleZ, trainIteration } from '../src/train/gan.js';
import { DEFAULTS } from '../src/train/config.js';
import type { Norm } from '../src/models/dcgan.js';

const quick = process.argv.includes('--quick');
const ITERS = quick ? 4 : 8;

async function main(): Promise<void> {
  const rt = await initNode();
  const results: object[] = [];
  try {
    const norms: Norm[] = quick ? ['weight'] : ['weight', 'batch', 'none'];
    for (const norm of norms) {
      for (const batch of [32, 64]) {
        for (const width of quick ? [64] : [64, 32]) {
          const cfg = { ...DEFAULTS, norm, batchSize: batch, baseWidth: width, imageSize: 32 };
          const gan = buildGan(cfg);
          const rng = new Rng(1);
          const real = new Float32Array(batch * 3 * 32 * 32);
          rng.fillUniform(real, 0, 1);
          const times: number[] = [];
          for (let i = 0; i < ITERS + 1; i++) {
            const t0 = performance.now();
            const { lossD, lossG } = trainIteration(gan, real, () => sampleZ(rng, batch, cfg.codeSize), batch, 32);
            rt.flush();
            await lossD.item();
            await lossG.item();
            lossD.dispose();
            lossG.dispose();
            if (i > 0) times.push((performance.now() - t0) / 1000); // the first includes pipeline compilation
          }
          times.sort((a, b) => a - b);
          const r = { model: 'dcgan', norm, imageSize: 32, width, batch, median_s_per_iter: +times[Math.floor(times.length / 2)].toFixed(4), min_s: +times[0].toFixed(4), iters: ITERS };
          console.error(JSON.stringify(r));
          results.push(r);
          disposeGan(gan);
        }
      }
    }
    console.log(JSON.stringify({ adapter: rt.adapter.description, results }, null, 2));
  } finally {
    shutdown();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
