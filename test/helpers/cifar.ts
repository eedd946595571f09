/** Tiny CIFAR-10 data for tests that train through the real loader. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** 48 CIFAR-10 records (label byte + 3072 planar RGB bytes) of smooth varied images, written to `dir`. */
export function writeCifar(dir: string): string {
  const rec = 3073;
  const buf = new Uint8Array(48 * rec);
  for (let i = 0; i < 48; i++) {
    buf[i * rec] = i % 10;
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < 1024; p++) buf[i * rec + 1 + c * 1024 + p] = (((p >> 5) * (3 + i) + (p & 31) * (c + 1) * 5 + i * 17) & 255);
  }
  const path = join(dir, 'data_batch_1.bin');
  writeFileSync(path, buf);
  return path;
}
