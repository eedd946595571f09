#!/usr/bin/env node
// Prints bench/probes/gemm-results.json as a markdown table: GFLOP/s median (best) per variant x shape.
//   node bench/probes/gemm-table.mjs [results.json] [variant-regex]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
const file = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'gemm-results.json');
const re = new RegExp(process.argv[3] ?? '.');
const res = JSON.parse(readFileSync(file, 'utf8'));
const rows = new Map(), shapes = [];
for (const r of Object.values(res)) {
  if (!r.variant || !re.test(r.variant)) continue;
  if (!shapes.includes(r.shape)) shapes.push(r.shape);
  if (!rows.has(r.variant)) rows.set(r.variant, {});
  rows.get(r.variant)[r.shape] = `${r.gflops.toFixed(1)} (${r.gflops_best.toFixed(1)})${r.correct === false ? ' WRONG' : ''}`;
}
const used = shapes.filter((s) => [...rows.values()].some((c) => c[s]));
console.log(`| variant | ${used.join(' | ')} |`);
console.log(`|---|${used.map(() => '---').join('|')}|`);
for (const [v, c] of rows) console.log(`| ${v} | ${used.map((s) => c[s] ?? '').join(' | ')} |`);
