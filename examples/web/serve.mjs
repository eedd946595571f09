// The demo's static server (npm run serve): bundles main.ts with esbuild (WGSL inlined by scripts/wgsl-loader.mjs,
// the package's `wngan/browser` mapped to its source) and serves the page, the bundle and the data subset on
// 127.0.0.1 only.
// No CDN or other network: everything the page loads comes from here.
//   node examples/web/serve.mjs [--port 8080] [--host 127.0.0.1]
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { wgslEsbuildPlugin } from '../../scripts/wgsl-loader.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** The page's files by URL path; anything else is a 404 (no directory walking). */
const FILES = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/fashion-mnist-3000-idx3-ubyte.gz': ['fashion-mnist-3000-idx3-ubyte.gz', 'application/gzip'],
};

/** Bundle the page for the browser; throws esbuild's errors (a type error does not stop esbuild: see tsc). */
export async function bundleDemo() {
  const wgsl = new Set(); // WGSL files read, includes too (the metafile lists only the imported ones)
  const r = await build({
    entryPoints: [join(here, 'main.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    write: false, sourcemap: 'inline', plugins: [wgslEsbuildPlugin(wgsl)], logLevel: 'silent', metafile: true,
    alias: { 'wngan/browser': join(root, 'src', 'browser.ts') },
  });
  return { code: r.outputFiles[0].contents, inputs: [...new Set([...Object.keys(r.metafile.inputs).map((f) => resolve(process.cwd(), f)), ...wgsl])] };
}

/** The newest modification time of these files (a deleted one counts as changed). */
async function newestMtime(files) {
  const times = await Promise.all(files.map((f) => stat(f).then((s) => s.mtimeMs, () => Infinity)));
  return Math.max(...times);
}

/**
 * Serve the demo on host:port (port 0: any free port). The bundle is rebuilt when one of its sources changed
 * since it was built, so a reload picks up edits. Resolves with the URL and a close().
 */
export async function startDemoServer({ port = 8080, host = '127.0.0.1' } = {}) {
  let built = Date.now();
  let bundle = await bundleDemo();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    try {
      if (path === '/demo.mjs') {
        if ((await newestMtime(bundle.inputs)) >= built) {
          built = Date.now();
          bundle = await bundleDemo();
        }
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(bundle.code);
        return;
      }
      if (path === '/favicon.ico') {
        res.writeHead(204).end(); // none: keeps the console free of a 404
        return;
      }
      const file = FILES[path];
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
        return;
      }
      res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(await readFile(join(here, file[0])));
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e?.message ?? e));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${server.address().port}/`;
  return { url, close: () => new Promise((r) => server.close(() => r())) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: process.env.PORT ?? '8080' }, host: { type: 'string', default: '127.0.0.1' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer in [0, 65535], got ${values.port}`);
    process.exit(2);
  }
  try {
    const { url } = await startDemoServer({ port, host: values.host });
    console.log(`wngan demo: open ${url} in a WebGPU browser (Chrome/Edge 113+; on Linux Chromium with --enable-unsafe-webgpu). Ctrl-C stops.`);
  } catch (e) {
    console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: pass --port N (0 picks a free one)` : `cannot start the demo server: ${e.message ?? e}`);
    process.exit(1);
  }
}
