/**
 * The demo page: checks WebGPU (and explains when it is missing), loads the bundled Fashion-MNIST subset,
 * trains WN (and optionally BN) live with sample grids and loss curves, and wires the checkpoint and
 * reconstruction panels. Settings come from the URL (params.ts); window.__demo reports progress to tests.
 */
import { initBrowser, randn } from 'wngan/browser';
import { renderChart, type Series } from './chart.js';
import { CheckpointPanel } from './checkpoint-panel.js';
import { loadIdxImages, toModelImages, type GrayImages } from './data.js';
import { installHook } from './hook.js';
import { drawGrid } from './images.js';
import { readParams } from './params.js';
import { ReconPanel } from './recon-panel.js';
import { GpuQueue, LiveTraining, type ModelRun } from './training.js';
import { WORKING_BROWSERS, whyNoWebGpu } from './webgpu-check.js';

const SUBSET = './fashion-mnist-3000-idx3-ubyte.gz';
/** the last images of the subset are never trained on: the reconstruction panel's held-out images */
const HELD_OUT = 100;
const COLORS: Record<string, string> = { weight: '#1f6fd1', batch: '#e07b00' };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const hook = installHook();
const status = $('status');

function fail(message: string): void {
  status.className = 'error';
  status.textContent = message;
  // after start-up an error (a bad drop, a failed step) is shown but the page stays usable
  if (hook.phase !== 'ready') hook.phase = 'error';
  hook.error = message;
}

window.addEventListener('unhandledrejection', (e) => fail(`Error: ${(e.reason as Error)?.message ?? e.reason}`));

async function main(): Promise<void> {
  const params = readParams(location.search);
  const why = await whyNoWebGpu();
  if (why) {
    $('unsupported-why').textContent = why;
    $('unsupported-browsers').innerHTML = WORKING_BROWSERS;
    $('unsupported').hidden = false;
    status.hidden = true;
    hook.phase = 'unsupported';
    hook.unsupported = why;
    return;
  }
  const rt = await initBrowser();
  status.textContent = `WebGPU adapter: ${rt.adapter.description}. Loading the training images…`;
  const set = await loadIdxImages(SUBSET);
  if (set.rows !== 28 || set.cols !== 28 || set.count <= HELD_OUT) throw new Error(`${SUBSET}: expected more than ${HELD_OUT} images of 28×28, got ${set.count} of ${set.rows}×${set.cols}`);
  const trainCount = set.count - HELD_OUT;
  const heldOut: GrayImages = { ...set, count: HELD_OUT, pixels: set.pixels.subarray(trainCount * 784) };
  const images = toModelImages(set, 0, trainCount, params.size);
  status.textContent = `WebGPU adapter: ${rt.adapter.description}. Training on ${trainCount} Fashion-MNIST images at ` +
    `${params.size} px (DCGAN width ${params.width}, batch ${params.batch}, RMSprop lr ${params.lr}).`;

  const gpu = new GpuQueue();
  let drawPending = false;
  const training: LiveTraining = new LiveTraining(gpu, {
    imageSize: params.size, baseWidth: params.width, batchSize: params.batch, codeSize: params.code,
    seed: params.seed, lr: params.lr, iterations: params.iterations, sampleEvery: params.every,
    sampleZ: randn(64 * params.code, params.seed), images,
    onIteration: (run) => {
      hook.iterations[run.norm] = run.gan.iteration;
      if (!drawPending) {
        drawPending = true;
        requestAnimationFrame(() => {
          drawPending = false;
          drawProgress(training.runs);
        });
      }
    },
    onSamples: (run, samples) => {
      drawGrid($<HTMLCanvasElement>(`samples-${run.norm}`), samples, 64, params.size, 8);
      hook.grids[run.norm] = (hook.grids[run.norm] ?? 0) + 1;
    },
    onStateChange: (s) => {
      hook.training = s;
      $('toggle').textContent = s === 'running' ? 'Pause' : s === 'done' ? 'Done' : 'Train';
      ($('toggle') as HTMLButtonElement).disabled = s === 'done' || s === 'failed';
      if (s === 'done') drawProgress(training.runs);
    },
    onError: (e) => fail(`Training stopped: ${(e as Error)?.message ?? e}`),
  });

  const ckpt = new CheckpointPanel(gpu, hook, () => updateModels());
  const recon = new ReconPanel(gpu, hook, heldOut, params.steps);
  const updateModels = () => recon.setModels([
    ...(ckpt.gan ? [{ label: `checkpoint ${ckpt.name}`, gan: ckpt.gan }] : []),
    ...training.runs.map((r) => ({ label: `live ${r.label}`, gan: r.gan })),
  ]);

  const setCompare = async (on: boolean) => {
    $('fig-batch').hidden = !on;
    if (on && !training.runs.some((r) => r.norm === 'batch')) await training.add('batch');
    if (!on) await training.remove('batch');
    updateModels();
    drawProgress(training.runs);
  };
  $('compare').addEventListener('change', (e) => void setCompare((e.target as HTMLInputElement).checked));
  $('toggle').addEventListener('click', () => (training.state === 'running' ? training.pause() : training.resume()));
  $('save').addEventListener('click', async () => {
    const wn = training.runs.find((r) => r.norm === 'weight')!;
    const bytes = await gpu.run(() => wn.gan.saveCheckpoint());
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    a.download = `wngan-wn-${params.size}px-iter${wn.gan.iteration}.safetensors`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });
  bindDrop(ckpt, recon);

  await training.add('weight');
  ($('compare') as HTMLInputElement).checked = params.compare;
  if (params.compare) await setCompare(true);
  updateModels();
  for (const id of ['train', 'checkpoint', 'recon']) $(id).hidden = false;
  hook.phase = 'ready';
  if (params.autostart) training.resume();
  else hook.training = 'paused';
}

/** Progress line and the two loss charts (D and G), one line per model. */
function drawProgress(runs: ModelRun[]): void {
  $('progress').textContent = runs.map((r) => {
    const d = r.lossD.at(-1)?.[1];
    const g = r.lossG.at(-1)?.[1];
    return `${r.label}: iteration ${r.gan.iteration}` + (d === undefined ? '' : `, D ${d.toFixed(3)}, G ${g!.toFixed(3)}`);
  }).join(' · ');
  const series = (pick: (r: ModelRun) => [number, number][]): Series[] =>
    runs.map((r) => ({ label: r.label, color: COLORS[r.norm] ?? '#444', points: pick(r) }));
  renderChart($('chart-d') as unknown as SVGSVGElement, 'D loss', series((r) => r.lossD));
  renderChart($('chart-g') as unknown as SVGSVGElement, 'G loss', series((r) => r.lossG));
}

/** Files dropped anywhere: a .safetensors goes to the checkpoint panel, an image to the sketch pad. */
function bindDrop(ckpt: CheckpointPanel, recon: ReconPanel): void {
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('drop');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('drop'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('drop');
    const f = e.dataTransfer?.files[0];
    if (!f) return;
    if (/\.safetensors$/i.test(f.name)) void ckpt.load(f);
    else if (f.type.startsWith('image/')) void recon.loadImage(f);
    else fail(`${f.name}: drop a .safetensors checkpoint (from wngan train) or an image to reconstruct`);
  });
}

main().catch((e) => fail(`The demo could not start: ${(e as Error)?.message ?? e}`));
