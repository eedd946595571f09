/**
 * The README's examples (every ```ts/```js block after an `<!-- example -->` line, as test/api runs them in
 * Node) also run in headless Chromium, each on a fresh page: bundled by esbuild with `wngan` resolved to the
 * browser entry (wngan-as-browser.ts), imported by the page, and required to finish without an error and to
 * print something.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { wgslEsbuildPlugin } from '../../scripts/wgsl-loader.mjs';
import type { Browser } from 'playwright-core';
import { launchChromium, serveDir } from './chromium.js';
import { readme, readmeExamples } from '../api/package-helpers.js';

const examples = readmeExamples(readme());
const dir = mkdtempSync(join(tmpdir(), 'wngan-readme-browser-'));
let server: Awaited<ReturnType<typeof serveDir>> | undefined;
let browser: Browser | undefined;
let port = 0;

beforeAll(async () => {
  const shim = join(import.meta.dirname, 'wngan-as-browser.ts');
  for (const [k, ex] of examples.entries()) {
    await build({
      stdin: { contents: ex.code, loader: ex.lang, resolveDir: import.meta.dirname, sourcefile: `README.md:${ex.line}` },
      outfile: join(dir, `example-${k}.mjs`), bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
      plugins: [wgslEsbuildPlugin()], logLevel: 'warning', alias: { wngan: shim },
    });
  }
  writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><title>README example</title>
<script type="module">
  const k = new URL(location.href).searchParams.get('k');
  const r = (window.__example = { done: false, logs: [] });
  const log = console.log;
  console.log = (...a) => { r.logs.push(a.map(String).join(' ')); log(...a); };
  try { await import('/example-' + k + '.mjs'); } catch (e) { r.error = String(e && e.stack || e); }
  r.done = true;
</script>`);
  server = await serveDir(dir, (name) => /^example-\d+\.mjs$/.test(name));
  port = server.port;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('README examples in Chromium (WebGPU on SwiftShader)', () => {
  it('README.md has examples to run', () => expect(examples.length).toBeGreaterThanOrEqual(4));
  for (const [k, ex] of examples.entries()) {
    it(`README.md:${ex.line} runs in the browser`, async () => {
      const page = await browser!.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      try {
        await page.goto(`http://127.0.0.1:${port}/?k=${k}`);
        await page.waitForFunction(() => (globalThis as unknown as { __example?: { done: boolean } }).__example?.done, null, { timeout: 240_000, polling: 250 });
        const r = await page.evaluate(() => (globalThis as unknown as { __example: { error?: string; logs: string[] } }).__example);
        if (r.error) throw new Error(`README.md:${ex.line} failed in Chromium: ${r.error}\n${r.logs.join('\n')}`);
        expect(errors, `README.md:${ex.line}: page errors`).toEqual([]);
        expect(r.logs.join('\n').trim().length, `README.md:${ex.line} printed nothing`).toBeGreaterThan(0);
      } finally {
        await page.close();
      }
    }, 300_000);
  }
});
