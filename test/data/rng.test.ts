import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';

describe('Rng', () => {
  it('matches the xoshiro128** reference (C) for splitmix64-seeded 42', () => {
    // Reference: xoshiro128** from prng.di.unimi.it, state = two splitmix64(42) outputs, low word first.
    const rng = new Rng(42);
    expect(Array.from({ length: 6 }, () => rng.nextU32())).toEqual([
      1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222,
    ]);
  });

  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const a = new Rng(7);
    const b = new Rng(7n);
    const c = new Rng(8);
    const sa = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 100 }, () => c.nextU32())).not.toEqual(sa);
  });

  it('restores a saved state mid-stream exactly, including the cached normal', () => {
    const rng = new Rng(123);
    for (let i = 0; i < 17; i++) rng.nextU32();
    rng.normal(); // leaves a spare normal cached
    const saved = rng.getState();
    expect(JSON.parse(saved)).toBeTypeOf('object');
    const expected = [rng.normal(), rng.nextFloat(), rng.normal(), rng.normal(), rng.nextU32()];
    const restored = new Rng(999);
    restored.setState(saved);
    expect([restored.normal(), restored.nextFloat(), restored.normal(), restored.normal(), restored.nextU32()]).toEqual(expected);
    // fork() after restore is the same as fork() of the original (the seed key is part of the state)
    expect(restored.fork('x').nextU32()).toBe(new Rng(123).fork('x').nextU32());
  });

  it('rejects malformed states', () => {
    const rng = new Rng(1);
    expect(() => rng.setState('nope')).toThrow(/JSON/);
    expect(() => rng.setState('{"v":1,"s":[0,0,0,0],"spare":null,"key":"1"}')).toThrow(/malformed/);
  });

  it('normal() has mean ≈ 0 and std ≈ 1 over 1e5 samples (|mean| < 0.02, |std − 1| < 0.02)', () => {
    // Standard error of the mean is 1/sqrt(1e5) ≈ 0.0032, so 0.02 is > 6 standard errors.
    const xs = new Rng(2024).fillNormal(new Float32Array(100_000));
    let s = 0;
    let s2 = 0;
    for (const x of xs) {
      s += x;
      s2 += x * x;
    }
    const mean = s / xs.length;
    const std = Math.sqrt(s2 / xs.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(std - 1)).toBeLessThan(0.02);
  });

  it('fillNormal applies mean/std and fillUniform stays in [lo, hi)', () => {
    const a = new Rng(5).fillNormal(new Float32Array(10), 3, 2);
    const r = new Rng(5);
    expect(Array.from(a)).toEqual(Array.from({ length: 10 }, () => Math.fround(3 + 2 * r.normal())));
    const u = new Rng(6).fillUniform(new Float32Array(10_000), -2, 5);
    expect(u.every((x) => x >= -2 && x < 5)).toBe(true);
    const f = new Rng(7);
    for (let i = 0; i < 10_000; i++) {
      const x = f.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('permutation(n) is a permutation of 0..n-1, and seeded', () => {
    for (const n of [0, 1, 2, 10, 1000]) {
      const p = new Rng(n).permutation(n);
      expect(p.length).toBe(n);
      expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    expect(new Rng(3).permutation(50)).toEqual(new Rng(3).permutation(50));
    expect(new Rng(3).permutation(50)).not.toEqual(new Rng(4).permutation(50));
  });

  it('nextInt is in range and roughly uniform', () => {
    const rng = new Rng(11);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.nextInt(6)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => rng.nextInt(0)).toThrow(RangeError);
  });

  it('fork(label) is deterministic, independent of draws, and differs by label', () => {
    const a = new Rng(77);
    const fa = a.fork('noise').nextU32();
    for (let i = 0; i < 5; i++) a.nextU32();
    expect(a.fork('noise').nextU32()).toBe(fa);
    expect(new Rng(77).fork('split').nextU32()).not.toBe(fa);
    expect(new Rng(78).fork('noise').nextU32()).not.toBe(fa);
  });

  it('rejects non-integer seeds', () => {
    expect(() => new Rng(1.5)).toThrow(RangeError);
  });
});
