import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic-write.js';

const root = mkdtempSync(join(tmpdir(), 'wngan-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dir = '';
let n = 0;
beforeEach(() => {
  dir = join(root, `case${n++}`);
  mkdirSync(dir);
});

const OLD = new Uint8Array(1000).fill(1);
const NEW = new Uint8Array(3000).fill(2);

describe('writeFileAtomic', () => {
  it('creates a new file and replaces an existing one, leaving no temp files', async () => {
    const target = join(dir, 'ckpt.safetensors');
    await writeFileAtomic(target, OLD);
    expect(new Uint8Array(readFileSync(target))).toEqual(OLD);
    await writeFileAtomic(target, NEW);
    expect(new Uint8Array(readFileSync(target))).toEqual(NEW);
    expect(readdirSync(dir)).toEqual(['ckpt.safetensors']);
  });

  it('writes chunked data in order', async () => {
    const target = join(dir, 'f');
    await writeFileAtomic(target, [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])]);
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
  });

  it('leaves the old file intact while writing, and after a failure mid-write', async () => {
    const target = join(dir, 'ckpt.safetensors');
    writeFileSync(target, OLD);
    let sawTemp = false;
    async function* crashHalfway() {
      yield NEW.subarray(0, 1500);
      // Half the new content is on disk, in the temp file only.
      expect(new Uint8Array(readFileSync(target))).toEqual(OLD);
      sawTemp = readdirSync(dir).some((f) => f.endsWith('.tmp'));
      throw new Error('simulated crash during checkpoint write');
    }
    await expect(writeFileAtomic(target, crashHalfway())).rejects.toThrow('simulated crash');
    expect(sawTemp).toBe(true);
    expect(new Uint8Array(readFileSync(target))).toEqual(OLD);
    expect(readdirSync(dir)).toEqual(['ckpt.safetensors']); // temp file removed
  });

  it('removes the temp file when the final rename fails', async () => {
    // A non-empty directory at the target path cannot be replaced by a file.
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    await expect(writeFileAtomic(target, NEW)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['keep']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), NEW)).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
