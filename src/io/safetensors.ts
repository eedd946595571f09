// safetensors files: the codec (safetensors-codec.ts, pure, also in the browser bundle) plus reading and
// writing files in Node.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { decodeSafetensors, encodeChunks, type SafeTensor, type SafetensorsContent } from './safetensors-codec.js';

export * from './safetensors-codec.js';

/** Write atomically: an interrupted write leaves any previous file at `path` untouched. */
export async function writeSafetensorsFile(
  path: string,
  tensors: Record<string, SafeTensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, encodeChunks(tensors, metadata));
}

export async function readSafetensorsFile(path: string): Promise<SafetensorsContent> {
  const buf = await readFile(path);
  return decodeSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}
