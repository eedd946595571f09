/**
 * The engine in real Chromium (headless, WebGPU on its bundled SwiftShader with --enable-unsafe-webgpu): the
 * op subset of op-cases.ts, forward and backward against the same float64 references and the same harness
 * as the Node op tests. The page is bundled here with esbuild and served on loopback (a secure context).
 * Needs Debian's chromium, which `npm run setup` installs; without it this test fails and says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { wgslEsbuildPlugin } from '../../scripts/wgsl-loader.mjs';
import type { Browser } from 'playwright-core';
import { browserOpCases } from './op-cases.js';
import type { PageResult } from './ops-page.js';
import { launchChromium, serveDir } from './chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'wngan-chromium-'));
let server: Awaited<ReturnType<typeof serveDir>> | undefined;
let browser: Browser | undefined;
let result: PageResult;
const pageErrors: string[] = [];

beforeAll(async () => {
  await build({
    entryPoints: { ops: join(import.meta.dirname, 'ops-page.ts') }, outdir: dir, bundle: true, format: 'esm',
    platform: 'browser', target: 'es2022', plugins: [wgslEsbuildPlugin()], outExtension: { '.js': '.mjs' }, logLevel: 'warning',
  });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>wngan op tests</title><script type="module" src="/ops.mjs"></script>');
  server = await serveDir(dir, (name) => name === 'ops.mjs');
  const { port } = server;
  browser = await launchChromium();
  const page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => (globalThis as unknown as { __result?: PageResult }).__result?.done, null, { timeout: 240_000, polling: 500 });
  result = await page.evaluate(() => (globalThis as unknown as { __result: PageResult }).__result);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ops in Chromium (WebGPU on SwiftShader): forward vs float64, backward vs finite differences', () => {
  it('the engine starts on navigator.gpu without page errors', () => {
    expect(result.error, 'page start-up').toBeUndefined();
    expect(pageErrors).toEqual([]);
    expect(result.adapter).toBeTruthy();
    expect(result.cases.map((c) => c.name)).toEqual(browserOpCases.map((c) => c.name));
  });
  for (const { name } of browserOpCases) {
    it(name, () => {
      const c = result.cases.find((r) => r.name === name);
      expect(c, `${name} did not run`).toBeDefined();
      if (!c!.ok) throw new Error(`in Chromium: ${c!.error}`);
    });
  }
  it('every case released its GPU buffers', () => {
    const [before, after] = result.liveBytes!;
    expect(after).toBe(before);
  });
});
