// Browser check: serves the repo over http://127.0.0.1 (a secure context), opens test/browser/page.html in
// headless Chromium (WebGPU on SwiftShader with --enable-unsafe-webgpu), and compares the page's results
// with the same computation in Node on Dawn. Run: npm run test:browser (needs Debian's chromium).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const root = normalize(join(import.meta.dirname, '..', '..'));
const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.map': 'application/json' };
const server = createServer(async (req, res) => {
  const path = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  if (!path.startsWith(root)) return res.writeHead(403).end();
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
let failed = false;
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.error(`[page] ${m.text()}`));
  await page.goto(`http://127.0.0.1:${port}/test/browser/page.html`);
  await page.waitForFunction(() => window.__result?.done, null, { timeout: 120_000 });
  const r = await page.evaluate(() => window.__result);
  console.log(JSON.stringify(r, null, 2));
  const checks = [
    ['no error', !r.error],
    ['linear sum', r.linearSum === 20],
    ['linear grad', JSON.stringify(r.linearGrad) === JSON.stringify([4, 6, 4, 6, 4, 6])],
  ];
  // the same WN layer in Node (Dawn) for reference
  const W = await import(join(root, 'dist/node/index.mjs'));
  await W.initNode();
  const xs = W.tensor(Float32Array.from({ length: 128 }, (_, i) => Math.sin(i)), [2, 4, 4, 4]);
  const v = W.tensor(Float32Array.from({ length: 192 }, (_, i) => Math.cos(i)), [4, 3, 4, 4]);
  v.requiresGrad = true;
  const m = W.tidy(() => {
    const l = W.mean(W.tprelu(W.wnConvTranspose2d(xs, v, null, null, { stride: 2, padding: 1 }), W.tensor([0.25, 0.25, 0.25], [3]), W.tensor([0, 0, 0], [3])));
    W.backward(l);
    return l;
  });
  const nodeMean = await m.item();
  const nodeGrad = Math.hypot(...(await v.grad.read()));
  W.shutdown();
  checks.push(['wn mean matches Node within 1e-4', Math.abs(r.wnMean - nodeMean) <= 1e-4 * Math.abs(nodeMean) + 1e-7]);
  checks.push(['wn grad norm matches Node within 1e-4', Math.abs(r.wnGradNorm - nodeGrad) <= 1e-4 * nodeGrad]);
  for (const [name, ok] of checks) {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
    if (!ok) failed = true;
  }
  console.log(`${checks.filter(([, ok]) => ok).length} passed, ${checks.filter(([, ok]) => !ok).length} failed`);
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
