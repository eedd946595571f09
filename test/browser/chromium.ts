/**
 * Headless Chromium for the browser tests: Debian's chromium (which `npm run setup` installs) with WebGPU on
 * its SwiftShader (CPU adapters need --enable-unsafe-webgpu), started through scripts/chromium-low-priority.sh
 * so that, run as root, it cannot raise its priority above the test's (`nice` stays in effect). A missing
 * browser is an error that says how to get one, never a skip.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const LAUNCHER = join(import.meta.dirname, '..', '..', 'scripts', 'chromium-low-priority.sh');

export async function launchChromium(opts: { webgpu?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run \`npm run setup\` (it installs Debian's chromium), or set CHROMIUM to its path`);
  return chromium.launch({
    executablePath: LAUNCHER, env: { ...process.env, CHROMIUM }, headless: true,
    args: [...(opts.webgpu === false ? [] : ['--enable-unsafe-webgpu']), '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/**
 * Serve the files of `dir` on 127.0.0.1 (a secure context for WebGPU) on a free port: `/name` is the file of
 * that name when `isAsset(name)` allows it, anything else is index.html.
 */
export async function serveDir(dir: string, isAsset: (name: string) => boolean): Promise<{ port: number; close: () => void }> {
  const server = createServer(async (req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    const file = isAsset(name) ? name : 'index.html';
    res.writeHead(200, { 'content-type': file.endsWith('.mjs') ? 'text/javascript' : 'text/html' }).end(await readFile(join(dir, file)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}
