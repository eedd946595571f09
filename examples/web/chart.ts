/** A minimal line chart as inline SVG: one polyline per series, a y range from the data, axis labels. */

export interface Series {
  label: string;
  color: string;
  /** [iteration, value] pairs */
  points: [number, number][];
}

const W = 320;
const H = 160;
const M = { l: 40, r: 8, t: 18, b: 22 };

export function renderChart(svg: SVGSVGElement, title: string, series: Series[]): void {
  const all = series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v));
  const xMax = Math.max(1, ...all.map(([x]) => x));
  let yMin = Math.min(...all.map(([, y]) => y));
  let yMax = Math.max(...all.map(([, y]) => y));
  if (!all.length) [yMin, yMax] = [0, 1];
  if (yMax - yMin < 1e-6) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const px = (x: number) => M.l + (x / xMax) * (W - M.l - M.r);
  const py = (y: number) => H - M.b - ((y - yMin) / (yMax - yMin)) * (H - M.t - M.b);
  const lines = series
    .filter((s) => s.points.length)
    .map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${s.points
      .filter(([, v]) => Number.isFinite(v))
      .map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join(' ')}"><title>${s.label}</title></polyline>`);
  // title and legend share the line above the plot, so they never cover the curves
  let right = W - M.r;
  const legend = [...series].reverse().map((s) => {
    const t = `<text x="${right}" y="${M.t - 5}" text-anchor="end" fill="${s.color}">${s.label}</text>`;
    right -= 6 * s.label.length + 10;
    return t;
  });
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.innerHTML = [
    `<rect x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="#fff" stroke="#ccc"/>`,
    `<text x="${M.l}" y="${M.t - 5}" font-weight="bold">${title}</text>`,
    `<text x="${M.l - 4}" y="${M.t + 7}" text-anchor="end">${fmt(yMax)}</text>`,
    `<text x="${M.l - 4}" y="${H - M.b}" text-anchor="end">${fmt(yMin)}</text>`,
    `<text x="${M.l}" y="${H - 6}">0</text>`,
    `<text x="${W - M.r}" y="${H - 6}" text-anchor="end">iteration ${xMax}</text>`,
    ...lines,
    ...legend,
  ].join('');
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}
