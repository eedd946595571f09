// Screenshot of the trained demo (npm run demo:screenshot): serves the page, opens it in headless Chromium
// (WebGPU on SwiftShader: a small model, 16 px), trains WN and BN side by side for --iterations, optionally
// loads a CLI checkpoint (--checkpoint runs/demo-wn-dcgan32/best.safetensors), reconstructs a held-out image
// and saves the whole page.
//   node examples/web/screenshot.mjs [--iterations 40] [--checkpoint PATH] [--out docs/demo-web.png]
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startDemoServer } from './serve.mjs';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '40' },
    params: { type: 'string', default: 'size=16&width=8&batch=16&every=5&steps=50&compare=1' },
    checkpoint: { type: 'string' },
    out: { type: 'string', default: 'docs/demo-web.png' },
  },
});
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`Chromium not found at ${CHROMIUM}: run \`npm run setup\` (it installs Debian's chromium), or set CHROMIUM to its path`);
  process.exit(1);
}
const t0 = Date.now();
const log = (msg) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${msg}`);
const server = await startDemoServer({ port: 0 });
// through the launcher that keeps Chromium from raising its priority when run as root (see the script)
const launcher = join(import.meta.dirname, '..', '..', 'scripts', 'chromium-low-priority.sh');
const browser = await chromium.launch({ executablePath: launcher, env: { ...process.env, CHROMIUM }, headless: true, args: ['--enable-unsafe-webgpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  page.on('pageerror', (e) => log(`page error: ${e}`));
  const hook = () => page.evaluate(() => window.__demo);
  const waitFor = async (cond, what, timeout = 30 * 60_000) => {
    try {
      await page.waitForFunction(`(() => { const h = window.__demo; return h && (${cond}); })()`, null, { timeout, polling: 1000 });
    } catch (e) {
      throw new Error(`${what}: ${e.message}; page state ${JSON.stringify(await hook())}`);
    }
    const h = await hook();
    if (h.phase !== 'ready') throw new Error(`${what}: the page did not start: ${h.error ?? h.unsupported}`);
    return h;
  };
  await page.goto(`${server.url}?${values.params}&iterations=${Number(values.iterations)}`);
  log(`training ${values.iterations} iterations of WN and BN (${values.params})`);
  const h = await waitFor(`h.training === 'done' || h.training === 'failed' || h.phase !== 'loading' && h.phase !== 'ready'`, 'training');
  if (h.training !== 'done') throw new Error(`training ${h.training}: ${h.error}`);
  log(`trained: ${JSON.stringify(h.iterations)}`);
  if (values.checkpoint) {
    await page.setInputFiles('#ckpt-file', { name: basename(values.checkpoint), mimeType: 'application/octet-stream', buffer: readFileSync(values.checkpoint) });
    const c = (await waitFor(`h.checkpoint.status === 'loaded' || h.checkpoint.status === 'error'`, 'checkpoint')).checkpoint;
    if (c.status !== 'loaded') throw new Error(c.message);
    log(c.message);
  }
  await page.click('#pad-heldout');
  await page.selectOption('#recon-model', { label: 'live WN (weight norm)' });
  await page.click('#recon-run');
  const r = (await waitFor(`h.recon.status === 'done' || h.recon.status === 'error'`, 'reconstruction')).recon;
  if (r.status !== 'done') throw new Error(r.message);
  log(r.message);
  await page.screenshot({ path: values.out, fullPage: true });
  log(`wrote ${values.out}`);
} finally {
  await browser.close();
  await server.close();
}
