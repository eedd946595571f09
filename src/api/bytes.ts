/**
 * Bytes from wherever an app holds them: a Uint8Array (a Node Buffer is one), an ArrayBuffer, any typed-array
 * view, or anything with arrayBuffer() (a browser File or Blob, a fetch Response).
 */
export type BytesSource = Uint8Array | ArrayBuffer | ArrayBufferView | { arrayBuffer(): Promise<ArrayBuffer> };

/** The bytes of a synchronous source (no copy), or an error naming `what` and the type received. */
export function bytesOf(src: Uint8Array | ArrayBuffer | ArrayBufferView, what: string): Uint8Array {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  throw new TypeError(`${what}: expected a Uint8Array, ArrayBuffer or typed array, got ${describe(src)}`);
}

export async function toBytes(src: BytesSource, what: string): Promise<Uint8Array> {
  if (src !== null && typeof src === 'object' && 'arrayBuffer' in src && typeof src.arrayBuffer === 'function') {
    return new Uint8Array(await src.arrayBuffer());
  }
  return bytesOf(src as Uint8Array, what);
}

function describe(x: unknown): string {
  if (x === null || typeof x !== 'object') return String(typeof x === 'string' ? 'a string' : x);
  return x.constructor?.name ?? 'an object';
}
