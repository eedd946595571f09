// safetensors reader/writer (format: https://github.com/huggingface/safetensors).
//
// Layout: u64 little-endian N | N bytes of UTF-8 JSON header | data buffer.
// Header: {"__metadata__": {str: str}, "<name>": {"dtype", "shape", "data_offsets": [begin, end]}}
// with offsets relative to the data buffer; tensors are row-major and little-endian.
//
// The encoder reproduces the official library's bytes: tensors sorted by dtype (descending
// in the library's Dtype enum order, which is roughly by alignment) then by name, compact
// JSON with `__metadata__` first and each entry's keys as dtype, shape, data_offsets, and
// the header padded with spaces so the data buffer starts 8-byte aligned.
// Pure (no Node APIs): the browser bundle uses it; file reading and writing are in safetensors.ts.
// One difference: the library writes metadata keys in Rust HashMap order (random per
// process); we sort them, so files with >1 metadata key can differ in key order only.

/** The dtypes we read and write, in the library's enum order (used for the write order). */
const DTYPE_ORDER = [
  'BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16',
  'I32', 'U32', 'F32', 'F64', 'I64', 'U64',
] as const;
export type SafeDType = (typeof DTYPE_ORDER)[number];

export type SafeData =
  | Float32Array | Float64Array
  | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/**
 * One tensor. F16, BF16 and the F8 types have no JS float array: their data is the raw bit
 * patterns (Uint16Array / Uint8Array). BOOL is a Uint8Array of 0/1.
 */
export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: SafeData;
}

/** A header entry, before any data is read. */
export interface SafeTensorInfo {
  dtype: SafeDType;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data buffer. */
  dataOffsets: [number, number];
}

// Records are filled in data-buffer order, but JS enumerates integer-like keys ("0", "10")
// first whatever the insertion order; sort by dataOffsets when the file order matters.
export interface SafetensorsHeader {
  tensors: Record<string, SafeTensorInfo>;
  /** undefined when the file has no `__metadata__` entry (distinct from an empty one). */
  metadata: Record<string, string> | undefined;
  /** Byte offset of the data buffer in the file (8 + N). */
  dataStart: number;
}

export interface SafetensorsContent {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string> | undefined;
}

type ArrayCtor = { new (buffer: ArrayBuffer, byteOffset: number, length: number): SafeData; BYTES_PER_ELEMENT: number };

const ARRAY_OF: Record<SafeDType, ArrayCtor> = {
  BOOL: Uint8Array, U8: Uint8Array, I8: Int8Array, F8_E5M2: Uint8Array, F8_E4M3: Uint8Array,
  I16: Int16Array, U16: Uint16Array, F16: Uint16Array, BF16: Uint16Array,
  I32: Int32Array, U32: Uint32Array, F32: Float32Array,
  F64: Float64Array, I64: BigInt64Array, U64: BigUint64Array,
};

export function dtypeSize(dtype: SafeDType): number {
  return ARRAY_OF[dtype].BYTES_PER_ELEMENT;
}

function isDType(s: unknown): s is SafeDType {
  return typeof s === 'string' && Object.hasOwn(ARRAY_OF, s);
}

/** Error for a malformed file or a file that does not fit a model; `source` names the file. */
export class SafetensorsError extends Error {
  constructor(readonly source: string, readonly problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'SafetensorsError';
  }
}

// Typed arrays use the host's byte order; the format is little-endian.
const HOST_IS_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function assertLittleEndianHost(): void {
  if (!HOST_IS_LE) throw new Error('safetensors: big-endian hosts are not supported');
}

const fmtShape = (shape: readonly number[]) => `[${shape.join(',')}]`;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1); // [] (a scalar) has one element
}

function isShape(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/** Rust (and Python) order strings by UTF-8 bytes = code points; JS `<` uses UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

// ---------------------------------------------------------------------------------------
// Encoding

/** The file as a list of chunks (header, then each tensor's bytes) so it can be streamed. */
export function encodeChunks(tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array[] {
  assertLittleEndianHost();
  const where = 'encodeSafetensors';
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SafetensorsError(where, 'a tensor cannot be named "__metadata__"');
    if (!isDType(t.dtype)) throw new SafetensorsError(where, `tensor "${name}": unknown dtype ${JSON.stringify(t.dtype)}`);
    if (!isShape(t.shape)) throw new SafetensorsError(where, `tensor "${name}": shape must be non-negative integers, got ${JSON.stringify(t.shape)}`);
    const Ctor = ARRAY_OF[t.dtype];
    if (!(t.data instanceof Ctor)) {
      throw new SafetensorsError(where, `tensor "${name}": ${t.dtype} data must be a ${Ctor.name}, got ${t.data?.constructor?.name}`);
    }
    if (t.data.length !== numel(t.shape)) {
      throw new SafetensorsError(where, `tensor "${name}": shape ${fmtShape(t.shape)} has ${numel(t.shape)} elements but data has ${t.data.length}`);
    }
  }
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(where, `metadata "${k}" must be a string, got ${typeof v}`);
    }
  }

  const rank = (d: SafeDType) => DTYPE_ORDER.indexOf(d);
  entries.sort(([na, a], [nb, b]) => rank(b.dtype) - rank(a.dtype) || compareCodePoints(na, nb));

  // JSON is assembled by hand because JS objects list integer-like keys ("0", "10") first,
  // whatever the insertion order; JSON.stringify of strings matches serde_json's escaping.
  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareCodePoints);
    const body = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',');
    parts.push(`"__metadata__":{${body}}`);
  }
  let offset = 0;
  const data: Uint8Array[] = [];
  for (const [name, t] of entries) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    parts.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":${fmtShape(t.shape)},"data_offsets":[${offset},${offset + bytes.byteLength}]}`);
    offset += bytes.byteLength;
    data.push(bytes);
  }
  let header = new TextEncoder().encode(`{${parts.join(',')}}`);
  const pad = (8 - (header.byteLength % 8)) % 8;
  if (pad) {
    const padded = new Uint8Array(header.byteLength + pad).fill(0x20); // spaces: still valid JSON
    padded.set(header);
    header = padded;
  }
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(header.byteLength), true);
  return [prefix, header, ...data];
}

/** Serialize tensors (+ optional string metadata) to safetensors bytes. */
export function encodeSafetensors(tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array {
  const chunks = encodeChunks(tensors, metadata);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Decoding

/** The official reader's limit; a bigger header means a corrupt or hostile file. */
const MAX_HEADER_BYTES = 100_000_000;

/** Parse and validate the header; reads no tensor data. */
export function decodeSafetensorsHeader(bytes: Uint8Array, source = '<buffer>'): SafetensorsHeader {
  // Explicitly typed so TypeScript narrows after `if (bad) fail(...)`.
  const fail: (problem: string) => never = (problem) => {
    throw new SafetensorsError(source, problem);
  };
  if (bytes.byteLength < 8) {
    fail(`file is ${bytes.byteLength} bytes, too short for the 8-byte header length`);
  }
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(bytes.byteLength - 8)) {
    fail(`header length ${n64} runs past the end of the file (${bytes.byteLength} bytes)`);
  }
  const n = Number(n64);
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail(`header is not a JSON object (got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json})`);
  }
  const obj = json as Record<string, unknown>;

  let metadata: Record<string, string> | undefined;
  if (Object.hasOwn(obj, '__metadata__')) {
    const m = obj.__metadata__;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) fail('"__metadata__" is not an object');
    for (const [k, v] of Object.entries(m as object)) {
      if (typeof v !== 'string') fail(`metadata "${k}" is not a string (got ${JSON.stringify(v)})`);
    }
    metadata = m as Record<string, string>;
  }

  const dataLen = bytes.byteLength - 8 - n;
  const infos: [string, SafeTensorInfo][] = [];
  for (const [name, entry] of Object.entries(obj)) {
    if (name === '__metadata__') continue;
    const what = `tensor "${name}"`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(`${what}: entry is not an object`);
    const { dtype, shape, data_offsets: offs } = entry as Record<string, unknown>;
    if (!isDType(dtype)) fail(`${what}: unknown dtype ${JSON.stringify(dtype)} (known: ${DTYPE_ORDER.join(', ')})`);
    if (!isShape(shape)) fail(`${what}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    const d = dtype as SafeDType;
    const s = shape as number[];
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
      fail(`${what}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    const need = numel(s) * dtypeSize(d);
    if (end - begin !== need) {
      fail(`${what}: data_offsets [${begin},${end}] span ${end - begin} bytes but shape ${fmtShape(s)} of ${d} needs ${need}`);
    }
    if (end > dataLen) fail(`${what}: data_offsets [${begin},${end}] lie outside the ${dataLen}-byte data buffer`);
    infos.push([name, { dtype: d, shape: s, dataOffsets: [begin, end] }]);
  }

  // The spec requires the tensors to tile the data buffer exactly: no overlaps, no holes.
  infos.sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let covered = 0;
  let last = '';
  for (const [name, { dataOffsets: [begin, end] }] of infos) {
    if (begin === end) continue; // empty tensors occupy no bytes
    if (begin < covered) fail(`tensors "${last}" and "${name}" overlap in the data buffer (bytes ${begin}..${Math.min(covered, end)})`);
    if (begin > covered) fail(`data buffer bytes ${covered}..${begin} are not covered by any tensor`);
    covered = end;
    last = name;
  }
  if (covered < dataLen) fail(`data buffer bytes ${covered}..${dataLen} are not covered by any tensor`);

  // fromEntries defines own properties, so a tensor named "__proto__" stays a plain key.
  return { tensors: Object.fromEntries(infos), metadata, dataStart: 8 + n };
}

/**
 * Parse safetensors bytes. Arrays are zero-copy views into `bytes` where the data is aligned
 * for its type, and copies otherwise (e.g. files whose header was not padded).
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): SafetensorsContent {
  assertLittleEndianHost();
  const header = decodeSafetensorsHeader(bytes, source);
  const tensors = Object.entries(header.tensors).map(([name, { dtype, shape, dataOffsets: [begin, end] }]) => {
    const Ctor = ARRAY_OF[dtype];
    const at = bytes.byteOffset + header.dataStart + begin;
    const count = (end - begin) / Ctor.BYTES_PER_ELEMENT;
    const data =
      at % Ctor.BYTES_PER_ELEMENT === 0
        ? new Ctor(bytes.buffer as ArrayBuffer, at, count)
        : new Ctor(bytes.slice(at - bytes.byteOffset, end + header.dataStart).buffer, 0, count);
    return [name, { dtype, shape, data }] as const;
  });
  return { tensors: Object.fromEntries(tensors), metadata: header.metadata };
}

// ---------------------------------------------------------------------------------------
// Files

// ---------------------------------------------------------------------------------------
// Model compatibility

/**
 * Compare what a model expects with what a file holds (header entries or decoded tensors)
 * and throw one error listing every difference: missing names, unexpected names, shape and
 * dtype mismatches. Returns normally when they agree.
 */
export function checkTensorsAgainst(
  expected: Record<string, { shape: readonly number[]; dtype: SafeDType }>,
  actual: Record<string, { shape: readonly number[]; dtype: SafeDType }>,
  source: string,
): void {
  const has = (o: object, k: string) => Object.hasOwn(o, k);
  const missing = Object.keys(expected).filter((k) => !has(actual, k));
  const unexpected = Object.keys(actual).filter((k) => !has(expected, k));
  const problems: string[] = [];
  if (missing.length) problems.push(`missing tensors (expected, not in file): ${missing.join(', ')}`);
  if (unexpected.length) problems.push(`unexpected tensors (in file, not expected): ${unexpected.join(', ')}`);
  for (const [name, want] of Object.entries(expected)) {
    if (!has(actual, name)) continue;
    const got = actual[name]!;
    if (fmtShape(want.shape) !== fmtShape(got.shape)) {
      problems.push(`shape mismatch for "${name}": expected ${fmtShape(want.shape)}, found ${fmtShape(got.shape)}`);
    }
    if (want.dtype !== got.dtype) problems.push(`dtype mismatch for "${name}": expected ${want.dtype}, found ${got.dtype}`);
  }
  if (problems.length) {
    throw new SafetensorsError(source, `does not match the model (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${problems.join('\n  ')}`);
  }
}
