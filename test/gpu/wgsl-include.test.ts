// The //#include resolver of scripts/wgsl-loader.mjs (no GPU): what it inlines, its errors, and that the
// build and vitest both use it.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWgsl, resolveWgsl, wgslEsbuildPlugin } from '../../scripts/wgsl-loader.mjs';
import reduceSrc from '../../kernels/reduce.wgsl';

const dir = mkdtempSync(join(tmpdir(), 'wngan-wgsl-include-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes files (path relative to a fresh folder → text) and returns that folder. */
let n = 0;
function tree(files: Record<string, string>): string {
  const root = join(dir, String(n++));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

describe('WGSL includes', () => {
  it('inlines a file in place of the directive line, relative to the including file', () => {
    const r = tree({ 'a.wgsl': 'fn a() {}\n//#include "lib/h.wgsl"\nfn b() {}\n', 'lib/h.wgsl': 'fn h() {}\n' });
    expect(loadWgsl(join(r, 'a.wgsl'))).toBe('fn a() {}\nfn h() {}\nfn b() {}\n');
  });

  it('resolves nested includes relative to each file, and leaves files without directives unchanged', () => {
    const r = tree({
      'k/a.wgsl': '//#include "../lib/b.wgsl"\nfn a() {}',
      'lib/b.wgsl': '  //#include "sub/c.wgsl"  \r\nfn b() {}', // indented, CRLF, no final line break
      'lib/sub/c.wgsl': 'fn c() {}\r\n',
    });
    const { code, files } = resolveWgsl(join(r, 'k/a.wgsl'));
    expect(code).toBe('fn c() {}\r\nfn b() {}\nfn a() {}');
    expect(files).toEqual(['k/a.wgsl', 'lib/b.wgsl', 'lib/sub/c.wgsl'].map((p) => join(r, p)));
    expect(loadWgsl(join(r, 'lib/sub/c.wgsl'))).toBe('fn c() {}\r\n');
  });

  it('inlines a file included twice (directly or through others) once, at its first include', () => {
    const r = tree({
      'a.wgsl': '//#include "b.wgsl"\n//#include "c.wgsl"\n//#include "d.wgsl"\nfn a() {}\n',
      'b.wgsl': '//#include "d.wgsl"\nfn b() {}\n',
      'c.wgsl': '//#include "d.wgsl"\nfn c() {}\n',
      'd.wgsl': 'fn d() {}\n',
    });
    expect(loadWgsl(join(r, 'a.wgsl'))).toBe('fn d() {}\nfn b() {}\nfn c() {}\nfn a() {}\n');
  });

  it('names the file and line of a missing include', () => {
    const r = tree({ 'a.wgsl': 'fn a() {}\n//#include "b.wgsl"\n', 'b.wgsl': '\n\n//#include "lib/nope.wgsl"\n' });
    expect(() => loadWgsl(join(r, 'a.wgsl'))).toThrow(/b\.wgsl:3: cannot include .*lib\/nope\.wgsl: not found/);
  });

  it('reports a cycle with its files', () => {
    const r = tree({ 'a.wgsl': '//#include "b.wgsl"\n', 'b.wgsl': 'fn b() {}\n//#include "c.wgsl"\n', 'c.wgsl': '//#include "b.wgsl"\n' });
    expect(() => loadWgsl(join(r, 'a.wgsl'))).toThrow(/c\.wgsl:1: include cycle: \S*b\.wgsl -> \S*c\.wgsl -> \S*b\.wgsl/);
    const s = tree({ 'self.wgsl': '//#include "self.wgsl"\n' });
    expect(() => loadWgsl(join(s, 'self.wgsl'))).toThrow(/self\.wgsl:1: include cycle/);
  });

  it('rejects a malformed directive', () => {
    const r = tree({ 'a.wgsl': 'fn a() {}\n//#include lib/b.wgsl\n' });
    expect(() => loadWgsl(join(r, 'a.wgsl'))).toThrow(/a\.wgsl:2: malformed include/);
  });

  it('gives the same text in vitest and in an esbuild bundle', async () => {
    expect(reduceSrc).toBe(loadWgsl('kernels/reduce.wgsl'));
    const out = await build({
      stdin: { contents: "import s from './kernels/reduce.wgsl'; export default s;", resolveDir: process.cwd(), loader: 'js' },
      bundle: true, format: 'iife', globalName: 'm', write: false, plugins: [wgslEsbuildPlugin()], logLevel: 'silent',
    });
    const mod = new Function(`${out.outputFiles[0].text}; return m;`)() as { default: string };
    expect(mod.default).toBe(reduceSrc);
  });

  it('resolves every kernel, each helper function defined once', () => {
    for (const f of readdirSync('kernels').filter((x) => x.endsWith('.wgsl'))) {
      const raw = readFileSync(join('kernels', f), 'utf8');
      const code = loadWgsl(join('kernels', f));
      expect(code.includes('//#include'), f).toBe(false);
      if (!raw.includes('//#include')) expect(code, f).toBe(raw);
      else {
        // no helper function defined twice, and the shared reduction present wherever lib/channel.wgsl is
        const fns = [...code.matchAll(/^fn (\w+)\(/gm)].map((m) => m[1]);
        expect(fns.filter((n, i) => fns.indexOf(n) !== i), f).toEqual([]);
        if (raw.includes('lib/channel.wgsl')) expect(fns, f).toContain('workgroup_sum');
      }
    }
  });
});
