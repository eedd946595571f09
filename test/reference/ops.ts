/**
 * CPU float64 reference implementations of the engine's ops, written for clarity, not speed. Layouts match
 * the engine's: NCHW, conv weight [out,in,kh,kw], transposed conv weight [in,out,kh,kw], linear weight [out,in].
 */
export type F64 = Float64Array;

export function matmul(a: F64, b: F64, M: number, K: number, N: number, transA = false, transB = false): F64 {
  const c = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (transA ? a[k * M + m] : a[m * K + k]) * (transB ? b[n * K + k] : b[k * N + n]);
      c[m * N + n] = s;
    }
  return c;
}

export interface ConvShape {
  N: number; C: number; H: number; W: number; // input
  O: number; KH: number; KW: number; stride: number; pad: number;
}

export function conv2d(x: F64, w: F64, b: F64 | null, s: ConvShape): F64 {
  const OH = Math.floor((s.H + 2 * s.pad - s.KH) / s.stride) + 1;
  const OW = Math.floor((s.W + 2 * s.pad - s.KW) / s.stride) + 1;
  const y = new Float64Array(s.N * s.O * OH * OW);
  for (let n = 0; n < s.N; n++)
    for (let o = 0; o < s.O; o++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let acc = b ? b[o] : 0;
          for (let c = 0; c < s.C; c++)
            for (let kh = 0; kh < s.KH; kh++)
              for (let kw = 0; kw < s.KW; kw++) {
                const iy = oy * s.stride - s.pad + kh;
                const ix = ox * s.stride - s.pad + kw;
                if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) continue;
                acc += w[((o * s.C + c) * s.KH + kh) * s.KW + kw] * x[((n * s.C + c) * s.H + iy) * s.W + ix];
              }
          y[((n * s.O + o) * OH + oy) * OW + ox] = acc;
        }
  return y;
}

/** Transposed convolution by its definition: every input pixel scatters a weighted kernel into the output. */
export function convTranspose2d(x: F64, w: F64, b: F64 | null, s: ConvShape): F64 {
  const OH = (s.H - 1) * s.stride - 2 * s.pad + s.KH;
  const OW = (s.W - 1) * s.stride - 2 * s.pad + s.KW;
  const y = new Float64Array(s.N * s.O * OH * OW);
  for (let n = 0; n < s.N; n++) {
    for (let o = 0; o < s.O; o++) for (let i = 0; i < OH * OW; i++) y[(n * s.O + o) * OH * OW + i] = b ? b[o] : 0;
    for (let c = 0; c < s.C; c++)
      for (let iy = 0; iy < s.H; iy++)
        for (let ix = 0; ix < s.W; ix++) {
          const v = x[((n * s.C + c) * s.H + iy) * s.W + ix];
          for (let o = 0; o < s.O; o++)
            for (let kh = 0; kh < s.KH; kh++)
              for (let kw = 0; kw < s.KW; kw++) {
                const oy = iy * s.stride - s.pad + kh;
                const ox = ix * s.stride - s.pad + kw;
                if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
                y[((n * s.O + o) * OH + oy) * OW + ox] += v * w[((c * s.O + o) * s.KH + kh) * s.KW + kw];
              }
        }
  }
  return y;
}

export const map = (x: F64, f: (v: number, i: number) => number): F64 => Float64Array.from(x, f);
export const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Per-channel helpers over [N, C, S]. */
export function channelIndex(i: number, C: number, S: number): number {
  return Math.floor(i / S) % C;
}

export function batchNormTrain(x: F64, g: F64, b: F64, N: number, C: number, S: number, eps = 1e-5): F64 {
  const M = N * S;
  const mean = new Float64Array(C);
  const vr = new Float64Array(C);
  x.forEach((v, i) => (mean[channelIndex(i, C, S)] += v / M));
  x.forEach((v, i) => {
    const c = channelIndex(i, C, S);
    vr[c] += (v - mean[c]) ** 2 / M;
  });
  return map(x, (v, i) => {
    const c = channelIndex(i, C, S);
    return ((v - mean[c]) / Math.sqrt(vr[c] + eps)) * g[c] + b[c];
  });
}

export function batchNormEval(x: F64, g: F64, b: F64, rm: F64, rv: F64, C: number, S: number, eps = 1e-5): F64 {
  return map(x, (v, i) => {
    const c = channelIndex(i, C, S);
    return ((v - rm[c]) / Math.sqrt(rv[c] + eps)) * g[c] + b[c];
  });
}

export function tprelu(x: F64, a: F64, b: F64 | null, C: number, S: number): F64 {
  return map(x, (v, i) => {
    const c = channelIndex(i, C, S);
    const t = v - (b ? b[c] : 0);
    return t >= 0 ? v : a[c] * t + (b ? b[c] : 0);
  });
}

/** v/‖v‖ per output channel; `outAxis` is 0 for conv/linear weights, 1 for transposed conv [in,out,kh,kw]. */
export function normalizeWeight(v: F64, shape: number[], outAxis: 0 | 1, eps: number): F64 {
  const O = shape[outAxis];
  const KK = shape.slice(2).reduce((a, b) => a * b, 1);
  const ch = (i: number) => (outAxis === 0 ? Math.floor(i / (v.length / O)) : Math.floor(i / KK) % O);
  const ss = new Float64Array(O);
  v.forEach((e, i) => (ss[ch(i)] += e * e));
  return map(v, (e, i) => e / Math.sqrt(ss[ch(i)] + eps));
}

export function weightedAdd(x: F64, y: F64, a: F64, b: F64, C: number, S: number): F64 {
  return map(x, (v, i) => {
    const c = channelIndex(i, C, S);
    return (a[c] * v + b[c] * y[i]) / Math.hypot(a[c], b[c]);
  });
}

export function avgPool2x2(x: F64, P: number, H: number, W: number): F64 {
  const OH = Math.floor(H / 2);
  const OW = Math.floor(W / 2);
  const y = new Float64Array(P * OH * OW);
  for (let p = 0; p < P; p++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OW; j++) {
        let s = 0;
        for (let di = 0; di < 2; di++) for (let dj = 0; dj < 2; dj++) s += x[(p * H + 2 * i + di) * W + 2 * j + dj];
        y[(p * OH + i) * OW + j] = s / 4;
      }
  return y;
}

export function upsample2x(x: F64, P: number, H: number, W: number): F64 {
  const y = new Float64Array(P * 4 * H * W);
  for (let p = 0; p < P; p++)
    for (let i = 0; i < 2 * H; i++)
      for (let j = 0; j < 2 * W; j++) y[(p * 2 * H + i) * 2 * W + j] = x[(p * H + (i >> 1)) * W + (j >> 1)];
  return y;
}

export const meanOf = (x: F64) => x.reduce((s, v) => s + v, 0) / x.length;
export const bce = (p: F64, t: F64) => Float64Array.of(meanOf(map(p, (v, i) => -(t[i] * Math.max(Math.log(v), -100) + (1 - t[i]) * Math.max(Math.log(1 - v), -100)))));
export const bceLogits = (x: F64, t: F64) => Float64Array.of(meanOf(map(x, (v, i) => Math.max(v, 0) - v * t[i] + Math.log1p(Math.exp(-Math.abs(v))))));
export const mse = (a: F64, b: F64) => Float64Array.of(meanOf(map(a, (v, i) => (v - b[i]) ** 2)));
