/**
 * The README's examples run as written: every ```ts/```js block after an `<!-- example -->` line is stripped of
 * its types (esbuild), saved in a temp folder whose node_modules/wngan is this repository, and run with
 * Node against the built package (resolved through package.json's `exports`, as an app would).
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerDir, ensureBuilt, readme, readmeExamples, ROOT } from './package-helpers.js';

describe('README examples', () => {
  let dir = '';
  beforeAll(() => {
    ensureBuilt();
    dir = consumerDir('wngan-readme-', { wngan: ROOT });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the marker is parsed strictly', () => {
    expect(readmeExamples('a\n<!-- example -->\n\n```ts\nx();\n```\n```ts\nnot();\n```\n')).toEqual([{ line: 4, lang: 'ts', code: 'x();\n' }]);
    expect(() => readmeExamples('<!-- example -->\n```sh\nls\n```\n')).toThrow(/README.md:1: .*followed by a ```ts or ```js block/);
    expect(() => readmeExamples('<!-- example -->\n```ts\nx();\n')).toThrow(/README.md:2: .*not closed/);
  });

  const examples = readmeExamples(readme());
  it('README.md has the engine and API examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
    expect(examples.some((e) => e.code.includes("from 'wngan'"))).toBe(true);
  });

  for (const [k, ex] of examples.entries()) {
    it(`README.md:${ex.line} runs`, () => {
      const js = ex.lang === 'ts' ? transformSync(ex.code, { loader: 'ts', format: 'esm' }).code : ex.code;
      const file = join(dir, `example-${k}.mjs`);
      writeFileSync(file, js);
      const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
      const out = `${r.stdout}\n${r.stderr}`;
      expect(r.status, `README.md:${ex.line} exited with ${r.status} (${r.signal ?? 'no signal'}):\n${out}`).toBe(0);
      expect(r.stdout.trim().length, `README.md:${ex.line} printed nothing`).toBeGreaterThan(0);
    }, 300_000);
  }
});
