/** `wngan report DIR`: rebuild an experiment's report from its raw logs and results (no GPU needed). */
import { resolve } from 'node:path';
import { writeReport } from '../report/html.js';
import type { Summary } from '../report/summary.js';

const f = (x: number | null, d = 4) => (x === null || !Number.isFinite(x) ? '–' : x.toPrecision(d));

/** The final table as plain text, for the terminal. */
export function summaryTable(s: Summary): string {
  const lines = [`norm            seeds  final-test MSE (best)   FD                KID`];
  for (const [norm, n] of Object.entries(s.norms)) {
    lines.push(`${norm.padEnd(15)} ${`${n.seeds}/${n.seedsPlanned}`.padEnd(6)} ${`${f(n.recon.mean)} ± ${f(n.recon.std, 2)}`.padEnd(23)} ` +
      `${`${f(n.fd.mean)} ± ${f(n.fd.std, 2)}`.padEnd(17)} ${f(n.kid.mean, 3)} ± ${f(n.kid.std, 2)}`);
  }
  lines.push('(± the standard deviation over seeds; – where fewer than two seeds have finished)');
  if (s.ratio_wn_bn !== null) {
    lines.push(`WN/BN final-test error ratio: ${s.ratio_wn_bn.toFixed(3)}${s.ratio_wn_bn_ci95 ? ` (95% interval ${s.ratio_wn_bn_ci95[0].toFixed(3)}–${s.ratio_wn_bn_ci95[1].toFixed(3)})` : ''}`);
  }
  for (const f of s.failed ?? []) lines.push(`FAILED: ${f.name}: ${f.error}`);
  lines.push(`final test: ${s.finalTestImages} held-out images, ${s.finalSteps} z steps${s.complete ? '' : '; INCOMPLETE: not every run has finished'}`);
  return lines.join('\n');
}

export async function runReport(args: string[]): Promise<void> {
  if (!args.length || args[0] === '--help' || args[0] === '-h') {
    console.log('usage: wngan report DIR\n\nRebuild DIR/report (index.html, plots, images, summary.json) of a `wngan experiment` folder from its logs and results.');
    return;
  }
  if (args.length > 1) throw new Error(`report: expected one experiment folder, got ${args.length} arguments`);
  const { html, summary } = await writeReport(resolve(args[0]));
  console.log(summaryTable(summary));
  console.log(`report: ${html}`);
}
