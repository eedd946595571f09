// Writes the demo page's training data: the first N images of Debian's Fashion-MNIST training set
// (dataset-fashion-mnist) as a gzipped IDX file (magic 0x00000803, N×28×28 unsigned bytes), so the page and
// `wngan train --data` read the same format. 3000 images gzip to about 1.3 MB.
//   node scripts/make-web-subset.mjs [--count 3000] [--src PATH] [--out examples/web/fashion-mnist-3000-idx3-ubyte.gz]
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '3000' },
    src: { type: 'string', default: '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz' },
    out: { type: 'string', default: 'examples/web/fashion-mnist-3000-idx3-ubyte.gz' },
  },
});
const count = Number(values.count);
let raw;
try {
  raw = readFileSync(values.src);
} catch (e) {
  console.error(`cannot read ${values.src} (${e.code ?? e.message}): install Debian's dataset-fashion-mnist (npm run setup) or pass --src`);
  process.exit(1);
}
const idx = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
const view = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
if (view.getUint32(0) !== 0x803) throw new Error(`${values.src}: not an IDX image file (magic 0x${view.getUint32(0).toString(16)}, expected 0x803)`);
const [total, rows, cols] = [view.getUint32(4), view.getUint32(8), view.getUint32(12)];
if (!Number.isInteger(count) || count < 1 || count > total) throw new Error(`--count must be an integer in [1, ${total}], got ${values.count}`);

const header = new Uint8Array(16);
const hv = new DataView(header.buffer);
hv.setUint32(0, 0x803);
hv.setUint32(4, count);
hv.setUint32(8, rows);
hv.setUint32(12, cols);
const body = idx.subarray(16, 16 + count * rows * cols);
// mtime 0 in the gzip header is zlib's default, so the output is byte-identical on every run
const gz = gzipSync(Buffer.concat([header, body]), { level: 9 });
writeFileSync(values.out, gz);
console.log(`wrote ${values.out}: ${count} images of ${rows}×${cols}, ${gz.length} bytes`);
