/**
 * Turning the runtime's timestamp captures (Runtime.collectProfile) of some iterations into the profile
 * that `npm run bench:train -- --profile` prints: per kernel, per kernel variant (pipeline key: name plus
 * override constants) and per op group (the kernel name's prefix before ':'), the calls and milliseconds per
 * iteration, the mean per call and the share of the summed kernel time.
 */
import type { ProfileCapture } from '../src/gpu/runtime.js';
import { median, round } from './lib.js';

/** Dawn flags for profiling: timestamps at full resolution (Dawn quantizes them by default). */
export const TIMESTAMP_FLAGS = ['disable-dawn-features=timestamp_quantization'];

export interface ProfileRow {
  name: string;
  /** calls per iteration */
  calls: number;
  /** milliseconds per iteration, summed over its calls */
  totalMs: number;
  meanMs: number;
  /** of the summed kernel time */
  share: number;
}

/** The op group of a kernel name: the prefix before ':' ('loss:pointwise' → 'loss'). */
export function opGroup(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(0, i);
}

/** Conv-class kernels: the direct conv kernels and the implicit-GEMM ones (conv2d:*, conv_gemm_*). */
export const isConvGroup = (op: string): boolean => op.startsWith('conv');

function rows(totals: Map<string, { calls: number; ms: number }>, iterations: number, kernelMs: number): ProfileRow[] {
  return [...totals]
    .map(([name, t]) => ({
      name,
      calls: round(t.calls / iterations, 2),
      totalMs: round(t.ms / iterations),
      meanMs: round(t.ms / t.calls, 4),
      share: round(kernelMs > 0 ? t.ms / iterations / kernelMs : 0, 4),
    }))
    .sort((a, b) => b.totalMs - a.totalMs);
}

export interface IterationProfile {
  /** per iteration (means over the profiled iterations unless said otherwise) */
  iterations: number;
  wall_ms_median: number;
  kernel_sum_ms: number;
  /** summed over submits: first timestamp to last, i.e. kernels plus the GPU's idle gaps between them */
  gpu_span_ms: number;
  /** median over iterations of (wall − that iteration's kernel sum): recording, submitting, GPU idle gaps, readback */
  gap_ms: number;
  gap_share: number;
  dispatches: number;
  /** submits that held profiled dispatches, per iteration */
  submits_with_kernels: number;
  conv_share: number;
  timestamps_quantized: boolean;
  groups: ProfileRow[];
  kernels: (ProfileRow & { op: string })[];
  /** the most expensive pipeline variants (name|overrides), with their costliest workgroup grids */
  variants: (ProfileRow & { grids: { workgroups: string; calls: number; totalMs: number }[] })[];
}

/** `caps[i]` and `wallMs[i]` belong to the same iteration. */
export function summarizeProfile(caps: ProfileCapture[], wallMs: number[], topVariants = 30): IterationProfile {
  if (caps.length !== wallMs.length || !caps.length) throw new Error('summarizeProfile: one capture and one wall time per iteration');
  const n = caps.length;
  const byName = new Map<string, { calls: number; ms: number }>();
  const byKey = new Map<string, { calls: number; ms: number }>();
  const byOp = new Map<string, { calls: number; ms: number }>();
  const byGrid = new Map<string, Map<string, { calls: number; ms: number }>>();
  const bump = (m: Map<string, { calls: number; ms: number }>, k: string, ms: number) => {
    const t = m.get(k) ?? { calls: 0, ms: 0 };
    t.calls++;
    t.ms += ms;
    m.set(k, t);
  };
  let total = 0;
  let span = 0;
  let submits = 0;
  let dispatches = 0;
  for (const c of caps) {
    for (const d of c.dispatches) {
      bump(byName, d.name, d.ms);
      bump(byKey, d.key, d.ms);
      bump(byOp, opGroup(d.name), d.ms);
      if (!byGrid.has(d.key)) byGrid.set(d.key, new Map());
      bump(byGrid.get(d.key)!, d.workgroups.join('×'), d.ms);
      total += d.ms;
    }
    dispatches += c.dispatches.length;
    submits += c.submits.length;
    span += c.submits.reduce((a, s) => a + s.spanMs, 0);
  }
  const kernelMs = total / n;
  const wall = median(wallMs);
  // the gap per iteration (its wall minus its own kernel sum), then the median: robust to load swings
  const gaps = caps.map((c, i) => wallMs[i] - c.dispatches.reduce((a, d) => a + d.ms, 0));
  const gap = median(gaps);
  const groups = rows(byOp, n, kernelMs);
  const conv = groups.filter((g) => isConvGroup(g.name)).reduce((a, g) => a + g.totalMs, 0);
  return {
    iterations: n,
    wall_ms_median: round(wall),
    kernel_sum_ms: round(kernelMs),
    gpu_span_ms: round(span / n),
    gap_ms: round(gap),
    gap_share: round(gap / wall, 4),
    dispatches: round(dispatches / n, 1),
    submits_with_kernels: round(submits / n, 1),
    conv_share: round(conv / kernelMs, 4),
    timestamps_quantized: caps.some((c) => c.quantized),
    groups,
    kernels: rows(byName, n, kernelMs).map((r) => ({ ...r, op: opGroup(r.name) })),
    variants: rows(byKey, n, kernelMs)
      .slice(0, topVariants)
      .map((r) => ({
        ...r,
        grids: rows(byGrid.get(r.name)!, n, kernelMs)
          .slice(0, 4)
          .map((g) => ({ workgroups: g.name, calls: g.calls, totalMs: g.totalMs })),
      })),
  };
}
