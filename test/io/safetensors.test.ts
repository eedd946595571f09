import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkTensorsAgainst,
  decodeSafetensors,
  decodeSafetensorsHeader,
  encodeSafetensors,
  readSafetensorsFile,
  type SafeDType,
  type SafeTensor,
  writeSafetensorsFile,
} from '../../src/io/safetensors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/safetensors');
const tmp = mkdtempSync(join(tmpdir(), 'wngan-safetensors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const enc = (s: string) => new TextEncoder().encode(s);
const u64le = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** A file from a raw header (no padding) and a data buffer. */
const rawFile = (header: string, data: Uint8Array | number = 0) => {
  const h = enc(header);
  return concat(u64le(h.length), h, typeof data === 'number' ? new Uint8Array(data) : data);
};

describe('encoder matches the official library', () => {
  // Expected bytes from the unit tests of huggingface/safetensors (safetensors/src/tensor.rs):
  // an independent check of our layout, not derived from our own Python script.
  const f32 = bytesOf(new Float32Array([0, 1, 2, 3, 4, 5]));

  it('test_serialization: {"attn.0": F32 [1,2,3]}, no metadata', () => {
    const out = encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    expect(out).toEqual(concat(u64le(64), enc(header), f32));
  });

  it('test_serialization_forced_alignement: header padded with spaces to 8 bytes', () => {
    const out = encodeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}' + ' '.repeat(7);
    expect(out).toEqual(concat(u64le(72), enc(header), f32));
  });

  it('test_empty: no tensors, with and without metadata', () => {
    expect(encodeSafetensors({})).toEqual(concat(u64le(8), enc('{}      ')));
    expect(encodeSafetensors({}, { framework: 'pt' })).toEqual(
      concat(u64le(40), enc('{"__metadata__":{"framework":"pt"}}     ')),
    );
  });
});

describe('round trip', () => {
  const tensors: Record<string, SafeTensor> = {
    w: { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-8, -0]) },
    scalar: { dtype: 'F64', shape: [], data: new Float64Array([Math.E]) },
    empty: { dtype: 'F32', shape: [3, 0], data: new Float32Array(0) },
    steps: { dtype: 'I64', shape: [1], data: new BigInt64Array([-(2n ** 62n)]) },
    idx: { dtype: 'I32', shape: [2, 1, 2], data: new Int32Array([1, 2, 3, -4]) },
    img: { dtype: 'U8', shape: [5], data: new Uint8Array([0, 1, 2, 254, 255]) },
    half: { dtype: 'F16', shape: [1], data: new Uint16Array([0x3c00]) },
  };

  it('preserves names, dtypes, shapes, values and metadata', () => {
    const meta = { epoch: '12', 'ünï': 'x\ny' };
    const back = decodeSafetensors(encodeSafetensors(tensors, meta));
    expect(back.metadata).toEqual(meta);
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const got = back.tensors[name]!;
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual(t.shape);
      expect(got.data.constructor).toBe(t.data.constructor);
      expect(bytesOf(got.data)).toEqual(bytesOf(t.data)); // bit-exact, -0 included
    }
  });

  it('keeps "no metadata" distinct from empty metadata', () => {
    expect(decodeSafetensors(encodeSafetensors(tensors)).metadata).toBeUndefined();
    expect(decodeSafetensors(encodeSafetensors(tensors, {})).metadata).toEqual({});
  });

  it('writes and reads files', async () => {
    const path = join(tmp, 'rt.safetensors');
    await writeSafetensorsFile(path, tensors, { a: 'b' });
    const back = await readSafetensorsFile(path);
    expect(back.metadata).toEqual({ a: 'b' });
    expect(Array.from(back.tensors.w!.data as Float32Array)).toEqual(Array.from(tensors.w!.data as Float32Array));
    expect(readFileSync(path)).toEqual(Buffer.from(encodeSafetensors(tensors, { a: 'b' })));
  });

  it('decodes data at unaligned offsets (unpadded header, odd byteOffset)', () => {
    const data = concat(bytesOf(new Float64Array([1.5])), bytesOf(new Float32Array([2.5, -3])), bytesOf(new BigInt64Array([7n])));
    const header =
      '{"d":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"f":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},' +
      '"i":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}}';
    const file = rawFile(header, data);
    expect((8 + enc(header).length) % 4).not.toBe(0); // really unaligned
    for (const shift of [0, 1, 3]) {
      const host = new Uint8Array(file.length + shift);
      host.set(file, shift);
      const { tensors: t } = decodeSafetensors(host.subarray(shift));
      expect(Array.from(t.d!.data as Float64Array)).toEqual([1.5]);
      expect(Array.from(t.f!.data as Float32Array)).toEqual([2.5, -3]);
      expect(Array.from(t.i!.data as BigInt64Array)).toEqual([7n]);
    }
  });

  it('returns zero-copy views when the data is aligned', () => {
    const bytes = encodeSafetensors(tensors);
    expect(decodeSafetensors(bytes).tensors.w!.data.buffer).toBe(bytes.buffer);
  });
});

describe('reference fixture written by scripts/write_safetensors_reference.py', () => {
  const path = join(FIXTURES, 'reference.safetensors');
  const bytes = new Uint8Array(readFileSync(path));

  it('decodes to the expected names, shapes and values', () => {
    const { tensors: t, metadata } = decodeSafetensors(bytes, path);
    expect(metadata).toEqual({ format: 'pt', note: 'tab\there "quoted" ünï', ctrl: '\x01\n' });
    // File order: dtype descending in the library's enum order, then code-point name order.
    const infos = Object.entries(decodeSafetensorsHeader(bytes, path).tensors);
    infos.sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
    expect(infos.map(([name]) => name)).toEqual([
      'big', 'steps', 'scalar', 'specials', 'a.bias', 'a.weight', 'empty', 'é', '\uff21', '\u{1f600}',
      'u32', 'counts', 'bhalf', 'half', 'u16', 'i16', 'f8', 'i8', '10', '9', 'bytes', 'mask',
    ]);
    const vals = (name: string) => Array.from(t[name]!.data as ArrayLike<number | bigint>);
    const check = (name: string, dtype: SafeDType, shape: number[], values: (number | bigint)[]) => {
      expect(t[name]!.dtype, name).toBe(dtype);
      expect(t[name]!.shape, name).toEqual(shape);
      expect(vals(name), name).toEqual(values);
    };
    check('a.weight', 'F32', [2, 3], [-1, -0.5, 0, 0.5, 1, 1.5]);
    check('a.bias', 'F32', [3], [0.25, -0.125, Math.fround(1e-3)]);
    check('scalar', 'F64', [], [Math.PI]);
    check('empty', 'F32', [0, 4], []);
    check('specials', 'F64', [4], [-0, Infinity, -Infinity, NaN]);
    expect(Object.is(vals('specials')[0], -0)).toBe(true);
    check('steps', 'I64', [2], [-1n, 2n ** 40n + 3n]);
    check('big', 'U64', [1], [2n ** 64n - 1n]);
    check('counts', 'I32', [2, 2], [-(2 ** 31), 0, 7, 2 ** 31 - 1]);
    check('u32', 'U32', [1], [2 ** 32 - 1]);
    check('half', 'F16', [2], [0x3c00, 0xc100]);
    check('bhalf', 'BF16', [2], [0x3f80, 0xc000]);
    check('i16', 'I16', [3], [-32768, -1, 32767]);
    check('u16', 'U16', [1], [65535]);
    check('i8', 'I8', [3], [-128, 0, 127]);
    check('bytes', 'U8', [4], [0, 1, 128, 255]);
    check('mask', 'BOOL', [3], [1, 0, 1]);
    check('f8', 'F8_E4M3', [2], [0x38, 0xb8]);
    check('é', 'F32', [1], [1]);
    check('\uff21', 'F32', [1], [2]);
    check('\u{1f600}', 'F32', [1], [3]);
    check('9', 'U8', [1], [9]);
    check('10', 'U8', [1], [10]);
  });

  it('is reproduced byte for byte by our encoder', () => {
    const { tensors, metadata } = decodeSafetensors(bytes, path);
    // Re-insert in a scrambled order: the encoder must sort on its own.
    const shuffled = Object.fromEntries(Object.entries(tensors).reverse());
    expect(encodeSafetensors(shuffled, metadata)).toEqual(bytes);
  });

  const python = ['python3', '/usr/bin/python3'].find((p) => {
    try {
      execFileSync(p, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  it('matches what the committed script writes now', () => {
    if (!python) throw new Error('python3 is needed to run scripts/write_safetensors_reference.py');
    const out = join(tmp, 'script-out');
    execFileSync(python!, [join(ROOT, 'scripts/write_safetensors_reference.py'), out], { stdio: 'ignore' });
    expect(new Uint8Array(readFileSync(join(out, 'reference.safetensors')))).toEqual(bytes);
  });
});

describe('PyTorch state_dict fixture (tiny Conv2d + BatchNorm2d)', () => {
  const path = join(FIXTURES, 'torch_conv_bn.safetensors');
  const bytes = new Uint8Array(readFileSync(path));
  const listing = JSON.parse(readFileSync(join(FIXTURES, 'torch_conv_bn.json'), 'utf8')) as Record<
    string,
    { dtype: SafeDType; shape: number[]; values: number[] }
  >;

  it('decodes to the names, shapes and values torch saved', () => {
    const { tensors, metadata } = decodeSafetensors(bytes, path);
    expect(metadata).toEqual({ format: 'pt' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(listing).sort());
    expect(tensors['net.1.num_batches_tracked']).toEqual({ dtype: 'I64', shape: [], data: new BigInt64Array([1n]) });
    for (const [name, want] of Object.entries(listing)) {
      const got = tensors[name]!;
      expect(got.dtype, name).toBe(want.dtype);
      expect(got.shape, name).toEqual(want.shape);
      expect(Array.from(got.data as ArrayLike<number | bigint>, Number), name).toEqual(want.values);
    }
  });

  it('is reproduced byte for byte by our encoder', () => {
    const { tensors, metadata } = decodeSafetensors(bytes, path);
    expect(encodeSafetensors(tensors, metadata)).toEqual(bytes);
  });

  it('can be checked against what a model expects', () => {
    const header = decodeSafetensorsHeader(bytes, path).tensors;
    const expected = Object.fromEntries(Object.entries(listing).map(([k, v]) => [k, { dtype: v.dtype, shape: v.shape }]));
    expect(() => checkTensorsAgainst(expected, header, path)).not.toThrow();
  });
});

describe('checkTensorsAgainst', () => {
  it('lists every difference in one error naming the file', () => {
    const expected = {
      'net.0.weight': { dtype: 'F32' as const, shape: [2, 1, 3, 3] },
      'net.0.bias': { dtype: 'F32' as const, shape: [2] },
      'net.1.running_mean': { dtype: 'F32' as const, shape: [2] },
      'net.2.weight': { dtype: 'F32' as const, shape: [4] },
    };
    const actual = {
      'net.0.weight': { dtype: 'F32' as const, shape: [2, 1, 5, 5] },
      'net.0.bias': { dtype: 'F32' as const, shape: [2] },
      'net.1.running_mean': { dtype: 'F64' as const, shape: [2] },
      'net.9.extra': { dtype: 'U8' as const, shape: [1] },
    };
    let msg = '';
    try {
      checkTensorsAgainst(expected, actual, 'ckpt/g.safetensors');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('ckpt/g.safetensors');
    expect(msg).toContain('4 problems');
    expect(msg).toContain('missing tensors (expected, not in file): net.2.weight');
    expect(msg).toContain('unexpected tensors (in file, not expected): net.9.extra');
    expect(msg).toContain('shape mismatch for "net.0.weight": expected [2,1,3,3], found [2,1,5,5]');
    expect(msg).toContain('dtype mismatch for "net.1.running_mean": expected F32, found F64');
    expect(msg).not.toContain('net.0.bias');
  });
});

describe('decode validation', () => {
  const SRC = 'bad.safetensors';
  const entry = (dtype: string, shape: unknown, offs: unknown) => JSON.stringify({ dtype, shape, data_offsets: offs });
  const cases: [string, Uint8Array, RegExp][] = [
    ['file shorter than 8 bytes', new Uint8Array(5), /5 bytes, too short for the 8-byte header length/],
    ['header length beyond the file', concat(u64le(100), enc('{}')), /header length 100 runs past the end of the file \(10 bytes\)/],
    ['header length near 2^64', concat(new Uint8Array(8).fill(0xff), enc('{}')), /header length 18446744073709551615 runs past/],
    ['header not JSON', rawFile('{"a":'), /header is not valid UTF-8 JSON/],
    ['header not UTF-8', concat(u64le(3), new Uint8Array([0x22, 0xff, 0x22])), /header is not valid UTF-8 JSON/],
    ['header is an array', rawFile('[1,2]'), /header is not a JSON object \(got an array\)/],
    ['header is null', rawFile('null'), /header is not a JSON object \(got null\)/],
    ['entry not an object', rawFile('{"t":5}'), /tensor "t": entry is not an object/],
    ['unknown dtype', rawFile(`{"t":${entry('F128', [1], [0, 16])}}`, 16), /tensor "t": unknown dtype "F128"/],
    ['negative shape', rawFile(`{"t":${entry('F32', [-1], [0, 0])}}`), /tensor "t": shape must be a list of non-negative integers, got \[-1\]/],
    ['fractional shape', rawFile(`{"t":${entry('F32', [1.5], [0, 4])}}`, 4), /tensor "t": shape must be .* got \[1.5\]/],
    ['shape not a list', rawFile(`{"t":${entry('F32', '2', [0, 8])}}`, 8), /tensor "t": shape must be/],
    ['offsets not a pair', rawFile(`{"t":${entry('F32', [1], [0])}}`, 4), /tensor "t": data_offsets must be \[begin, end\].* got \[0\]/],
    ['offsets reversed', rawFile(`{"t":${entry('F32', [0], [4, 0])}}`, 4), /tensor "t": data_offsets must be .*0 <= begin <= end/],
    ['span != numel * itemsize', rawFile(`{"t":${entry('F32', [2, 2], [0, 12])}}`, 12), /tensor "t": data_offsets \[0,12\] span 12 bytes but shape \[2,2\] of F32 needs 16/],
    ['offsets out of bounds', rawFile(`{"t":${entry('F32', [2], [0, 8])}}`, 4), /tensor "t": data_offsets \[0,8\] lie outside the 4-byte data buffer/],
    [
      'overlapping tensors',
      rawFile(`{"a":${entry('F32', [2], [0, 8])},"b":${entry('F32', [2], [4, 12])}}`, 12),
      /tensors "a" and "b" overlap in the data buffer \(bytes 4\.\.8\)/,
    ],
    [
      'hole between tensors',
      rawFile(`{"a":${entry('F32', [1], [0, 4])},"b":${entry('F32', [1], [8, 12])}}`, 12),
      /data buffer bytes 4\.\.8 are not covered by any tensor/,
    ],
    ['trailing bytes', rawFile(`{"a":${entry('U8', [2], [0, 2])}}`, 5), /data buffer bytes 2\.\.5 are not covered by any tensor/],
    ['data but no tensors', rawFile('{}', 3), /data buffer bytes 0\.\.3 are not covered/],
    ['metadata value not a string', rawFile('{"__metadata__":{"epoch":3}}'), /metadata "epoch" is not a string \(got 3\)/],
    ['metadata not an object', rawFile('{"__metadata__":"x"}'), /"__metadata__" is not an object/],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => {
      expect(() => decodeSafetensors(bytes, SRC)).toThrow(message);
      expect(() => decodeSafetensors(bytes, SRC)).toThrow(/^bad\.safetensors: /);
    });
  }

  it('accepts empty tensors anywhere and duplicated zero-length offsets', () => {
    const file = rawFile(`{"a":${entry('F32', [1], [0, 4])},"e1":${entry('F32', [0], [0, 0])},"e2":${entry('I64', [0, 3], [4, 4])}}`, 4);
    expect(Object.keys(decodeSafetensors(file).tensors).sort()).toEqual(['a', 'e1', 'e2']);
  });

  it('names the path when reading a file', async () => {
    const path = join(tmp, 'truncated.safetensors');
    writeFileSync(path, encodeSafetensors({ x: { dtype: 'F32', shape: [4], data: new Float32Array(4) } }).subarray(0, 40));
    await expect(readSafetensorsFile(path)).rejects.toThrow(`${path}: `);
  });
});

describe('encode validation', () => {
  it('rejects inconsistent tensors', () => {
    const bad = (t: SafeTensor, re: RegExp) => expect(() => encodeSafetensors({ t })).toThrow(re);
    bad({ dtype: 'F32', shape: [2], data: new Float64Array(2) }, /tensor "t": F32 data must be a Float32Array, got Float64Array/);
    bad({ dtype: 'F32', shape: [2, 2], data: new Float32Array(3) }, /tensor "t": shape \[2,2\] has 4 elements but data has 3/);
    bad({ dtype: 'F32', shape: [-1], data: new Float32Array(0) }, /tensor "t": shape must be non-negative integers/);
    bad({ dtype: 'Q4' as SafeDType, shape: [1], data: new Uint8Array(1) }, /tensor "t": unknown dtype "Q4"/);
    expect(() => encodeSafetensors({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } })).toThrow(/__metadata__/);
  });
});
