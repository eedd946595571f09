/**
 * The demo page (examples/web) end to end in headless Chromium (WebGPU on SwiftShader), at a tiny size
 * (16 px, width 4, z of 8, batch 8) through its URL parameters: a few live training iterations with a sample
 * grid that is not blank and finite losses, BN and WN side by side, a checkpoint made here with the Node API
 * (the CLI's format) loaded through the file input and sampled, a bad file named as such, a drawn image
 * reconstructed with a finite MSE, and the explanation shown when WebGPU is missing or offers no adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { useGpu } from '../helpers/gpu.js';
import { createGan } from '../../src/api/index.js';
import { startDemoServer } from '../../examples/web/serve.mjs';
import type { DemoHook } from '../../examples/web/hook.js';
import { launchChromium } from './chromium.js';

const TINY = 'size=16&width=4&code=8&batch=8&every=1&steps=5';
let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

const hookOf = (p: Page) => p.evaluate(() => (window as unknown as { __demo: DemoHook }).__demo);

/** Wait until the page's hook satisfies `done`; on a timeout, fail with the hook and the status line. */
async function waitForHook(p: Page, done: string, what: string, timeout = 240_000): Promise<DemoHook> {
  try {
    await p.waitForFunction(`(() => { const h = window.__demo; return h && (${done}); })()`, null, { timeout, polling: 250 });
  } catch (e) {
    const status = await p.textContent('#status').catch(() => '?');
    throw new Error(`${what}: timed out; page state ${JSON.stringify(await hookOf(p).catch(() => null))}, status "${status}", page errors ${JSON.stringify(pageErrors)}`, { cause: e });
  }
  return hookOf(p);
}

/** Variance of the red channel inside tile `tile` of a grid canvas drawn by the page (size px tiles, `cols` per row). */
function tileVariance(p: Page, id: string, size: number, cols: number, tile = 0): Promise<number> {
  return p.evaluate(({ id, size, cols, tile }) => {
    const c = document.getElementById(id) as HTMLCanvasElement;
    const k = c.width / (cols * (size + 1) + 1);
    const [x0, y0] = [(1 + (tile % cols) * (size + 1)) * k, (1 + Math.floor(tile / cols) * (size + 1)) * k];
    const d = c.getContext('2d')!.getImageData(x0, y0, size * k, size * k).data;
    let [s, s2] = [0, 0];
    for (let i = 0; i < d.length; i += 4) [s, s2] = [s + d[i]!, s2 + d[i]! * d[i]!];
    const n = d.length / 4;
    return s2 / n - (s / n) ** 2;
  }, { id, size, cols, tile });
}

beforeAll(async () => {
  server = await startDemoServer({ port: 0 });
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.url}?${TINY}&iterations=3&compare=1`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

// minutes only on a machine whose cores are busy with other work; on 2 idle cores the file takes well under 90 s
describe('the demo page in Chromium (examples/web)', { timeout: 300_000 }, () => {
  useGpu(); // the Node engine, to write the checkpoint that the page loads

  it('trains WN and BN side by side: sample grids that are not blank, finite losses on the charts', async () => {
    const h = await waitForHook(page, `h.training === 'done' || h.training === 'failed' || h.phase === 'error' || h.phase === 'unsupported'`, 'training 3 iterations');
    expect(h.phase, h.error ?? h.unsupported).toBe('ready');
    expect(h.training).toBe('done');
    expect(h.iterations).toEqual({ weight: 3, batch: 3 });
    for (const norm of ['weight', 'batch']) {
      expect(h.grids[norm], `${norm} sample grids drawn`).toBeGreaterThanOrEqual(1);
      expect(await tileVariance(page, `samples-${norm}`, 16, 8), `${norm}: pixel variance of the first sample`).toBeGreaterThan(0);
    }
    const progress = (await page.textContent('#progress'))!;
    const losses = [...progress.matchAll(/[DG] (-?[\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses, progress).toHaveLength(4);
    for (const l of losses) expect(Number.isFinite(l), progress).toBe(true);
    expect(await page.locator('#chart-d polyline').count()).toBe(2);
    expect(await page.locator('#chart-g polyline').count()).toBe(2);
    expect(pageErrors).toEqual([]);
  });

  it('loads a checkpoint written in the CLI format (file input) and samples from it', async () => {
    const gan = createGan({ norm: 'batch', imageSize: 16, baseWidth: 4, codeSize: 8, batchSize: 4, seed: 3 });
    const images = new Float32Array(4 * 3 * 16 * 16).map((_, i) => 0.5 + 0.4 * Math.sin(i / 7));
    await gan.step(images);
    const bytes = await gan.saveCheckpoint();
    gan.dispose();
    await page.setInputFiles('#ckpt-file', { name: 'bn16.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    const h = await waitForHook(page, `h.checkpoint.status === 'loaded' || h.checkpoint.status === 'error'`, 'loading the checkpoint');
    expect(h.checkpoint.status, h.checkpoint.message).toBe('loaded');
    expect(h.checkpoint.message).toContain('norm batch, 16 px, width 4, z of 8, trained 1 iterations');
    expect(h.checkpoint.grids).toBe(1);
    expect(await tileVariance(page, 'ckpt-samples', 16, 8), 'pixel variance of the first checkpoint sample').toBeGreaterThan(0);
  });

  it('names the problem when the file is not a checkpoint', async () => {
    await page.setInputFiles('#ckpt-file', { name: 'notes.safetensors', mimeType: 'text/plain', buffer: Buffer.from('hello, not safetensors') });
    const h = await waitForHook(page, `h.checkpoint.status === 'error' || h.checkpoint.status === 'loaded' && h.checkpoint.message.includes('notes')`, 'the bad file');
    expect(h.checkpoint.status).toBe('error');
    expect(h.checkpoint.message).toMatch(/^Could not load this checkpoint: notes\.safetensors: .*(header|safetensors)/);
    expect(await page.textContent('#ckpt-info')).toBe(h.checkpoint.message);
  });

  it('reconstructs a drawn image with the paper\'s metric: a finite MSE and a reconstruction', async () => {
    await page.click('#pad-clear');
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.8, { steps: 12 });
    await page.mouse.up();
    const drawn = await page.evaluate(() => {
      const d = (document.getElementById('pad') as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data;
      return d.filter((_, i) => i % 4 === 0 && d[i]! > 128).length;
    });
    expect(drawn, 'bright pixels drawn on the pad').toBeGreaterThan(10);
    // the models on offer: the loaded checkpoint first, then the live ones
    const options = await page.locator('#recon-model option').allTextContents();
    expect(options).toEqual(['checkpoint bn16.safetensors', 'live WN (weight norm)', 'live BN (batch norm)']);
    await page.selectOption('#recon-model', { label: 'live WN (weight norm)' });
    await page.click('#recon-run');
    const h = await waitForHook(page, `h.recon.status === 'done' || h.recon.status === 'error'`, 'the reconstruction');
    expect(h.recon.status, h.recon.message).toBe('done');
    expect(Number.isFinite(h.recon.mse) && h.recon.mse! > 0, String(h.recon.mse)).toBe(true);
    expect(await page.textContent('#recon-result')).toContain(`MSE ${h.recon.mse!.toFixed(4)}`);
    expect(await tileVariance(page, 'recon-original', 16, 1), 'the model input').toBeGreaterThan(0);
    expect(await tileVariance(page, 'recon-output', 16, 1), 'the reconstruction').toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });

  it('without WebGPU it says so and names the browsers and flags that work', async () => {
    for (const [init, why] of [
      [() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }), 'navigator.gpu is undefined'],
      [() => Object.defineProperty(GPU.prototype, 'requestAdapter', { value: async () => null, configurable: true }), 'offered no adapter'],
    ] as const) {
      const p = await browser!.newPage();
      await p.addInitScript(init);
      await p.goto(`${server!.url}?${TINY}`);
      const h = await waitForHook(p, `h.phase !== 'loading'`, 'the page without WebGPU', 120_000);
      expect(h.phase).toBe('unsupported');
      expect(h.unsupported).toContain(why);
      expect(await p.isVisible('#unsupported')).toBe(true);
      expect(await p.isVisible('#train')).toBe(false);
      const text = (await p.textContent('#unsupported'))!;
      for (const s of [why, 'Chrome or Edge 113+', '--enable-unsafe-webgpu', 'Safari 26', 'Firefox 141+']) expect(text).toContain(s);
      await p.close();
    }
  });
});
