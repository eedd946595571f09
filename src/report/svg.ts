/**
 * Self-contained SVG line charts for the report: one line per series (the mean over seeds) with a shaded
 * band (min–max over seeds), axes with round ticks, and a legend. No scripts, fonts or external references.
 */

export interface SeriesPoint {
  x: number;
  y: number;
  lo?: number;
  hi?: number;
}

export interface Series {
  label: string;
  color: string;
  points: SeriesPoint[];
  /** draw a marker at every point (for sparse data such as milestones) */
  markers?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  logY?: boolean;
}

export const NORM_COLORS: Record<string, string> = {
  none: '#7f7f7f',
  batch: '#d62728',
  weight: '#1f77b4',
  'weight-affine': '#2ca02c',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

export function lineChart(series: Series[], o: ChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 340;
  const m = { l: 64, r: 150, t: 30, b: 44 };
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">` +
    `<text x="8" y="18" font-size="13" font-weight="bold">${esc(o.title)}</text>`;
  if (!pts.length) return `${head}<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data yet</text></svg>`;
  const ty = (v: number) => (o.logY ? Math.log10(Math.max(v, 1e-12)) : v);
  const xs = pts.map((p) => p.x);
  const ys = pts.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]).filter(Number.isFinite).map(ty);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - Math.abs(y0 || 1) * 0.1, y1 + Math.abs(y1 || 1) * 0.1];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((ty(y) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [head];
  // axes and ticks
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#999"/>`);
  for (const t of niceTicks(x0, x1)) {
    parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#999"/><text x="${px(t)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  const yTicks = o.logY ? niceTicks(y0, y1).filter((t) => Number.isInteger(t)).map((t) => 10 ** t) : niceTicks(y0, y1);
  for (const t of yTicks) {
    const y = py(t);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${m.l - 6}" y="${y + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}${o.logY ? ' (log scale)' : ''}</text>`);
  // bands first, then lines on top
  for (const s of series) {
    const band = s.points.filter((p) => Number.isFinite(p.lo) && Number.isFinite(p.hi));
    if (band.length > 1) {
      const d = [...band.map((p) => `${px(p.x).toFixed(1)},${py(p.hi!).toFixed(1)}`), ...band.reverse().map((p) => `${px(p.x).toFixed(1)},${py(p.lo!).toFixed(1)}`)];
      parts.push(`<polygon points="${d.join(' ')}" fill="${s.color}" fill-opacity="0.18" stroke="none"/>`);
    }
  }
  for (const s of series) {
    const line = s.points.filter((p) => Number.isFinite(p.y));
    if (line.length > 1) parts.push(`<polyline points="${line.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`);
    if (s.markers || line.length === 1) for (const p of line) parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  series.forEach((s, k) => {
    const y = m.t + 10 + k * 18;
    parts.push(`<line x1="${W - m.r + 12}" x2="${W - m.r + 34}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="3"/><text x="${W - m.r + 40}" y="${y + 4}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
