/**
 * Seeded pseudo-random numbers whose whole state can be saved and restored exactly, so that a run resumed
 * from a checkpoint draws the same numbers as one that never stopped.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 128-bit state in four uint32 words, period 2^128 − 1. It is
 * fast in JavaScript because it needs only 32-bit integer ops (Math.imul, shifts). The state is filled by
 * splitmix64 from the seed, the seeding recommended by the authors.
 *
 * Normals use the Box–Muller transform; it makes two values at a time and the spare one is cached, so the
 * cached spare is part of the state.
 *
 * `fork(label)` derives a new generator from this one's *seed* (not its position) and a label: the same
 * seed and label always give the same stream, however many numbers were drawn before. Use it to give each
 * consumer (data split, sampler, noise, ...) its own stream from one experiment seed.
 */

const MASK64 = (1n << 64n) - 1n;
const TWO_PI = 2 * Math.PI;
const INV_2_32 = 1 / 4294967296;

/** One step of splitmix64: returns [next state, output], both 64-bit. */
function splitmix64(state: bigint): [bigint, bigint] {
  const s = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = s;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [s, z ^ (z >> 31n)];
}

/** FNV-1a (64-bit) of a string's UTF-8 bytes: turns a fork label into a number. */
function fnv1a64(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

function seedToBigInt(seed: number | bigint): bigint {
  if (typeof seed === 'bigint') return seed & MASK64; // negative bigints wrap (two's complement)
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`Rng seed must be a safe integer or a bigint, got ${seed}`);
  }
  return BigInt(seed) & MASK64;
}

interface RngStateV1 {
  v: 1;
  /** the four xoshiro128** words */
  s: [number, number, number, number];
  /** cached second Box–Muller value, or null */
  spare: number | null;
  /** the 64-bit seed key (hex) that fork() derives children from */
  key: string;
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;
  /** 64-bit value derived from the seed; fork() hashes it with a label. */
  private key: bigint;

  constructor(seed: number | bigint) {
    this.key = seedToBigInt(seed);
    this.reseed(this.key);
  }

  private reseed(key: bigint): void {
    let st = key;
    let a: bigint;
    let b: bigint;
    [st, a] = splitmix64(st);
    [st, b] = splitmix64(st);
    this.s0 = Number(a & 0xffffffffn) >>> 0;
    this.s1 = Number(a >> 32n) >>> 0;
    this.s2 = Number(b & 0xffffffffn) >>> 0;
    this.s3 = Number(b >> 32n) >>> 0;
    // xoshiro must not start from all zeros (splitmix64 practically never gives that; be safe anyway).
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = (s1 ^ n2) >>> 0;
    this.s0 = (s0 ^ n3) >>> 0;
    this.s2 = (n2 ^ t) >>> 0;
    this.s3 = ((n3 << 11) | (n3 >>> 21)) >>> 0;
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextU32() * INV_2_32;
  }

  /** Uniform integer in [0, bound), unbiased (rejection sampling); 1 <= bound <= 2^32. */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 4294967296) {
      throw new RangeError(`Rng.nextInt bound must be an integer in [1, 2^32], got ${bound}`);
    }
    // Values below `threshold` would make some residues more likely than others; draw again.
    const threshold = (4294967296 - bound) % bound;
    for (;;) {
      const r = this.nextU32();
      if (r >= threshold) return r % bound;
    }
  }

  /** Standard normal N(0, 1) by Box–Muller; every second call returns the cached spare value. */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u1 = 1 - this.nextFloat(); // (0, 1]: log(0) impossible
    const u2 = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = TWO_PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Fill `out` with N(mean, std²) samples (same sequence as repeated normal() calls). Returns `out`. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Fill `out` with uniform samples in [lo, hi). Returns `out`. */
  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    const span = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + span * this.nextFloat();
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    if (!Number.isInteger(n) || n < 0 || n > 4294967296) {
      throw new RangeError(`Rng.permutation size must be a non-negative integer, got ${n}`);
    }
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = p[i]!;
      p[i] = p[j]!;
      p[j] = tmp;
    }
    return p;
  }

  /** In-place Fisher–Yates shuffle of `arr`. Returns `arr`. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }

  /** The full state as a JSON string; `setState` restores it exactly (including the cached normal). */
  getState(): string {
    const state: RngStateV1 = {
      v: 1,
      s: [this.s0, this.s1, this.s2, this.s3],
      spare: this.spare,
      key: this.key.toString(16),
    };
    return JSON.stringify(state);
  }

  setState(text: string): void {
    let st: RngStateV1;
    try {
      st = JSON.parse(text) as RngStateV1;
    } catch {
      throw new Error('Rng.setState: not a JSON state string');
    }
    const ok =
      st !== null &&
      typeof st === 'object' &&
      st.v === 1 &&
      Array.isArray(st.s) &&
      st.s.length === 4 &&
      st.s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) &&
      st.s.some((w) => w !== 0) &&
      (st.spare === null || typeof st.spare === 'number') &&
      typeof st.key === 'string' &&
      /^[0-9a-f]{1,16}$/.test(st.key);
    if (!ok) throw new Error('Rng.setState: malformed state (expected the output of getState())');
    [this.s0, this.s1, this.s2, this.s3] = st.s;
    this.spare = st.spare;
    this.key = BigInt('0x' + st.key);
  }

  /**
   * An independent generator for `label`, derived from this generator's seed key (not from its current
   * position): `new Rng(s).fork('x')` is always the same stream.
   */
  fork(label: string): Rng {
    const [, mixed] = splitmix64(this.key ^ fnv1a64(label));
    return new Rng(mixed);
  }
}
