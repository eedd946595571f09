/**
 * The experiment report: one self-contained HTML page (inline SVG plots, PNGs as data URIs, no scripts and
 * no network references), with the plots and images also written as files beside it, and summary.json.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { collectExperiment, type ExperimentData, type RunData } from './collect.js';
import { summarise, type Stat, type Summary } from './summary.js';
import { lineChart, NORM_COLORS, type Series, type SeriesPoint } from './svg.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Across seeds at each x: mean with a min–max band. */
function acrossSeeds(perSeed: Map<number, number>[]): SeriesPoint[] {
  const xs = [...new Set(perSeed.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  return xs.map((x) => {
    const ys = perSeed.map((m) => m.get(x)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return { x, y: ys.reduce((s, v) => s + v, 0) / ys.length, lo: Math.min(...ys), hi: Math.max(...ys) };
  });
}

/** A run's losses averaged in bins of `bin` iterations (the x is the bin's last iteration). */
function binned(run: RunData, key: 'lossD' | 'lossG', bin: number): Map<number, number> {
  const sums = new Map<number, [number, number]>();
  for (const e of run.train) {
    const b = Math.ceil(e.iter / bin) * bin;
    const s = sums.get(b) ?? [0, 0];
    sums.set(b, [s[0] + e[key], s[1] + 1]);
  }
  return new Map([...sums].map(([b, [s, n]]) => [b, s / n]));
}

function charts(data: ExperimentData): Record<string, string> {
  const norms = data.record.grid.norms;
  // a norm's curves average its finished runs (all its runs while none has finished): averaging over the
  // seeds that happen to have reached an iteration would put steps in the curve that training never made
  const byNorm = (norm: string) => {
    const runs = data.runs.filter((r) => r.job.config.norm === norm);
    const done = runs.filter((r) => r.result);
    return done.length ? done : runs;
  };
  const series = (pick: (r: RunData) => Map<number, number>, markers = false): Series[] =>
    norms.map((n) => ({ label: n, color: NORM_COLORS[n] ?? '#000', points: acrossSeeds(byNorm(n).map(pick)), markers }));
  const iterations = data.record.grid.base.iterations;
  const bin = Math.max(1, Math.ceil(iterations / 100));
  const seedsNote = `mean over seeds, band: min–max`;
  return {
    'running-recon': lineChart(series((r) => new Map(r.recon.map((e) => [e.iter, e.mse])), true), {
      title: `Running reconstruction error (${seedsNote})`, xLabel: 'iteration', yLabel: 'MSE per pixel per channel',
    }),
    'loss-d': lineChart(series((r) => binned(r, 'lossD', bin)), { title: `D loss (mean of ${bin}-iteration bins; ${seedsNote})`, xLabel: 'iteration', yLabel: 'BCE' }),
    'loss-g': lineChart(series((r) => binned(r, 'lossG', bin)), { title: `G loss (mean of ${bin}-iteration bins; ${seedsNote})`, xLabel: 'iteration', yLabel: 'BCE', logY: true }),
    fd: lineChart(series((r) => new Map(r.quality.map((e) => [e.iter, e.fd])), true), { title: `Fréchet distance at milestones (${seedsNote})`, xLabel: 'iteration', yLabel: 'FD (classifier features)' }),
  };
}

const f = (x: number | null | undefined, digits = 5) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toPrecision(digits));
const ms = (s: Stat | null, digits = 4) => (!s || s.mean === null ? '–' : s.std === null ? `${f(s.mean, digits)} (1 seed)` : `${f(s.mean, digits)} ± ${f(s.std, 2)}`);
const dur = (s: Stat) => (s.mean === null ? '–' : `${(s.mean / 60).toFixed(1)} min`);

function finalTable(sum: Summary): string {
  const rows = Object.entries(sum.norms).map(([norm, n]) => `<tr><td><b>${esc(norm)}</b></td><td>${n.seeds}/${n.seedsPlanned}</td><td>${ms(n.recon)}</td>` +
    `${sum.norms[norm].reconLast ? `<td>${ms(n.reconLast)}</td>` : ''}<td>${ms(n.fd)}</td><td>${ms(n.kid, 3)}</td><td>${ms(n.bestRunningRecon)}</td>` +
    `<td>${n.restarts.values.reduce((s, v) => s + v, 0)}${n.divergedRuns ? `; ${n.divergedRuns} run(s) diverged for good` : ''}</td><td>${dur(n.trainSeconds)}</td><td>${dur(n.evalSeconds)}</td></tr>`);
  const hasLast = Object.values(sum.norms).some((n) => n.reconLast);
  return `<table><tr><th>norm</th><th>seeds done</th><th>final-test MSE, best checkpoint</th>${hasLast ? '<th>final-test MSE, last</th>' : ''}` +
    `<th>FD (last)</th><th>KID (last)</th><th>lowest running-test MSE</th><th>divergence restarts (all seeds)</th><th>train time per run</th><th>final-test time per run</th></tr>${rows.join('')}</table>`;
}

async function dataUri(path: string): Promise<string> {
  return `data:image/png;base64,${(await readFile(path)).toString('base64')}`;
}

/** The first seed's image for each norm (lowest seed that has it). */
function firstWith<T>(runs: RunData[], pick: (r: RunData) => T | undefined): [RunData, T] | null {
  for (const r of [...runs].sort((a, b) => a.job.config.seed - b.job.config.seed)) {
    const v = pick(r);
    if (v !== undefined) return [r, v];
  }
  return null;
}

export async function writeReport(dir: string): Promise<{ html: string; summary: Summary }> {
  const data = await collectExperiment(dir);
  const sum = summarise(data);
  const out = join(dir, 'report');
  await mkdir(join(out, 'plots'), { recursive: true });
  await mkdir(join(out, 'images'), { recursive: true });
  const files = charts(data);
  for (const [name, svg] of Object.entries(files)) await writeFileAtomic(join(out, 'plots', `${name}.svg`), new TextEncoder().encode(svg));
  // inline SVG in HTML needs no namespace declaration (and then the page holds no URL at all)
  const plots = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.replace(' xmlns="http://www.w3.org/2000/svg"', '')]));
  const g = data.record.grid;
  const milestones = data.runs[0]?.job.milestones ?? [];

  const sampleRows: string[] = [];
  const reconRows: string[] = [];
  for (const norm of g.norms) {
    const runs = data.runs.filter((r) => r.job.config.norm === norm);
    const cells: string[] = [];
    for (const it of milestones) {
      const hit = firstWith(runs, (r) => r.milestoneGrids.get(it));
      if (!hit) cells.push('<td>–</td>');
      else {
        const file = `samples-${norm}-s${hit[0].job.config.seed}-${it}.png`;
        await copyFile(hit[1], join(out, 'images', file));
        cells.push(`<td><img src="${await dataUri(hit[1])}" alt="${esc(norm)} samples at iteration ${it}" width="200"><br><small>seed ${hit[0].job.config.seed}</small></td>`);
      }
    }
    sampleRows.push(`<tr><th>${esc(norm)}</th>${cells.join('')}</tr>`);
    const rec = firstWith(runs, (r) => r.reconGrids.best);
    if (rec) {
      const file = `reconstructions-${norm}-s${rec[0].job.config.seed}.png`;
      await copyFile(rec[1], join(out, 'images', file));
      reconRows.push(`<tr><th>${esc(norm)}<br><small>seed ${rec[0].job.config.seed}</small></th><td><img src="${await dataUri(rec[1])}" alt="${esc(norm)} reconstructions" style="image-rendering:pixelated;max-width:100%"></td></tr>`);
    } else reconRows.push(`<tr><th>${esc(norm)}</th><td>not yet</td></tr>`);
  }

  const ratio = sum.ratio_wn_bn === null ? 'needs finished runs of both <i>weight</i> and <i>batch</i>'
    : `<b>${sum.ratio_wn_bn.toFixed(3)}</b>${sum.ratio_wn_bn_ci95 ? ` (95% interval ${sum.ratio_wn_bn_ci95[0].toFixed(3)}–${sum.ratio_wn_bn_ci95[1].toFixed(3)})` : ' (one seed: no interval)'}` +
      ` — below 1 means WN reconstructs held-out images better; the paper reports about 0.9. <small>${esc(sum.ratio_method)}.</small>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wngan experiment: ${esc(g.base.model)} ${esc(g.norms.join(', '))}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:center;vertical-align:top}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}
img{image-rendering:pixelated}.note{color:#555;font-size:90%}</style></head><body>
<h1>Batch vs weight normalisation in GANs: ${esc(g.base.model.toUpperCase())} at ${g.base.imageSize} px</h1>
<p>Reproduction of Xiang &amp; Li, <i>On the Effects of Batch and Weight Normalization in Generative Adversarial Networks</i> (arXiv 1704.03971) with wngan.
${sum.complete ? 'All runs finished.' : '<b>Incomplete: some runs have not finished; the figures cover finished runs (curves include unfinished ones).</b>'}</p>
<h2>Final table</h2>
<p>Final test: the paper's reconstruction error (z from zeros, RMSprop on z with lr 0.01, G frozen in eval mode), MSE per pixel per channel on [0,1],
on the ${sum.finalTestImages} held-out images with <b>${sum.finalSteps} z steps</b>, of each run's best checkpoint (lowest running-test error, as the paper keeps).
Mean ± standard deviation over seeds. FD and KID compare ${g.qualitySamples} samples of the last model with the held-out images in the feature space of a small classifier trained with this engine on the training split
(held-out accuracy ${sum.classifierAccuracy === null ? 'n/a' : (100 * sum.classifierAccuracy).toFixed(2) + '%'}): <b>comparable within this project only, not with Inception-based FID/KID in the literature</b>.</p>
${finalTable(sum)}
${sum.failed.length ? `<p><b>Failed runs</b> (not in the figures): ${sum.failed.map((f) => `${esc(f.name)}: ${esc(f.error)}`).join('; ')}</p>` : ''}
<p>WN/BN ratio of the final-test error: ${ratio}</p>
<h2>Training curves</h2>
${plots['running-recon']}
${plots.fd}
${plots['loss-d']}
${plots['loss-g']}
<h2>Samples at milestones (fixed z)</h2>
<table><tr><th>norm</th>${milestones.map((m) => `<th>iteration ${m}</th>`).join('')}</tr>${sampleRows.join('')}</table>
<h2>Reconstructions of held-out images (best checkpoint)</h2>
<p class="note">Top row: 16 held-out test images; bottom row: G(z) after the final test's z optimisation.</p>
<table>${reconRows.join('')}</table>
<h2>Setup</h2>
<p>Command (rerun it to continue or to rebuild this report; <code>wngan report DIR</code> rebuilds the report alone):</p>
<pre>${esc(sum.command)}</pre>
<p>Adapter: ${esc(sum.adapter)}<br>Commit: ${esc(sum.commit ?? 'unknown')}<br>Generated: ${esc(sum.generated)}</p>
<p>Grid and every run's configuration (a run's seed sets its initialisation, z draws and batch order; the split seed is shared, so all runs hold out the same images):</p>
<pre>${esc(JSON.stringify({ ...g, base: undefined }, null, 2))}</pre>
<pre>${esc(JSON.stringify(g.base, null, 2))}</pre>
</body></html>
`;
  await writeFileAtomic(join(out, 'index.html'), new TextEncoder().encode(html));
  await writeFileAtomic(join(out, 'summary.json'), new TextEncoder().encode(JSON.stringify(sum, null, 2) + '\n'));
  return { html: join(out, 'index.html'), summary: sum };
}
