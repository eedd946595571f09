/**
 * The package as an app installs it: `npm pack`, unpacked into a temp app's node_modules/wngan (its runtime and
 * type dependencies linked from this checkout: no network). A TypeScript file importing `wngan` and
 * `wngan/browser`, plus the README's ts examples, type-check with tsc (strict, skipLibCheck off, so the
 * declarations themselves are checked too: a TS7016 or a broken .d.ts fails; `types: ['node']` because TypeScript 6+
 * no longer includes @types packages by default); a deliberately wrong file must
 * fail (the types are real, not `any`); and a JS file trains, samples, reconstructs and round-trips a checkpoint.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerDir, ensureBuilt, readme, readmeExamples, ROOT } from './package-helpers.js';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const dep = (name: string) => join(ROOT, 'node_modules', name);

const APP_TS = `
import { createGan, loadGan, GanTrainer, initNode, openDataset, type StepResult, type GAN, type ReconstructResult } from 'wngan';
import * as browser from 'wngan/browser';

await initNode();
const gan: GAN = createGan({ norm: 'weight', imageSize: 16, baseWidth: 4, codeSize: 8 });
const r: StepResult = await gan.step(new Float32Array(4 * 768), { returnOutputs: true });
const d: Float32Array | undefined = r.dReal;
const rec: ReconstructResult = await gan.reconstruct(new Float32Array(768), { steps: 1 });
const z: Float32Array = rec.z;
const copy: GAN = await loadGan(await gan.saveCheckpoint());
const t = new GanTrainer(copy, new Float32Array(4 * 768), { iterations: 1, onIteration: (s) => void s.lossD.toFixed(2) });
const ds = await openDataset({ kind: 'cifar10', path: 'x', imageSize: 16 });
const init: () => Promise<unknown> = browser.initBrowser;
export { d, z, t, ds, init };
`;
// each line must be an error: a sample is a Float32Array, not a number; no such config field; wrong option type
const BAD_TS = `
import { createGan } from 'wngan';
const n: number = await createGan().sample(1);
createGan({ imageSizee: 16 });
await createGan().step(new Float32Array(1), { returnOutputs: 'yes' });
export { n };
`;

const APP_JS = `
import { initNode, shutdown, createGan, loadGan, GanTrainer } from 'wngan';
await initNode();
const gan = createGan({ norm: 'batch', imageSize: 16, baseWidth: 4, codeSize: 8, batchSize: 4 });
const images = new Float32Array(8 * 768).map((_, i) => 0.5 + 0.4 * Math.sin(i / 7));
let iterations = 0;
await new GanTrainer(gan, images, { iterations: 2, onIteration: () => void iterations++ }).run();
const samples = await gan.sample(2, { seed: 3 });
const rec = await gan.reconstruct(images, { count: 2, steps: 2 });
const copy = await loadGan(Buffer.from(await gan.saveCheckpoint()));
const same = (await copy.sample(2, { seed: 3 })).every((v, i) => v === samples[i]);
console.log(JSON.stringify({ iterations, samples: samples.length, mse: rec.mse, z: rec.z.length, same, iteration: copy.iteration }));
gan.dispose(); copy.dispose(); shutdown();
`;

/**
 * strict: every .d.ts checked (skipLibCheck off), with the DOM lib, whose WebGPU types (TypeScript 6+) the
 * engine's GPU* signatures use. usual: a Node app's usual settings (skipLibCheck, no DOM lib).
 */
const SETTINGS = {
  strict: { skipLibCheck: false, lib: ['ES2022', 'DOM'] },
  usual: { skipLibCheck: true, lib: ['ES2022'] },
};

function tsc(dir: string, files: string[], settings: keyof typeof SETTINGS = 'strict') {
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], ...SETTINGS[settings] },
    files,
  }));
  return spawnSync(process.execPath, [TSC, '-p', dir], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
}

describe('npm pack → install → import', () => {
  let dir = '';
  beforeAll(() => {
    ensureBuilt();
    // what `npm install wngan` brings that the test needs: its dependencies webgpu and sharp (checked below);
    // @types/node is the app's own
    dir = consumerDir('wngan-pack-', { webgpu: dep('webgpu'), sharp: dep('sharp'), '@types/node': dep('@types/node') });
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const tgz = join(dir, JSON.parse(out)[0].filename);
    execFileSync('tar', ['-xzf', tgz, '-C', dir]);
    renameSync(join(dir, 'package'), join(dir, 'node_modules', 'wngan'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the packed package has the entries its exports name', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', 'wngan', 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['webgpu', 'sharp']));
    for (const entry of Object.values(pkg.exports as Record<string, string | Record<string, string>>)) {
      for (const p of typeof entry === 'string' ? [entry] : Object.values(entry)) {
        expect(() => readFileSync(join(dir, 'node_modules', 'wngan', p)), p).not.toThrow();
      }
    }
    // the browser bundle stands alone: it imports nothing (no Dawn, no Node built-ins, WGSL inlined)
    const browser = readFileSync(join(dir, 'node_modules', 'wngan', pkg.exports['./browser'].default), 'utf8');
    expect(browser).not.toMatch(/^\s*import[\s{*]|[^\w.]import\(/m);
    expect(browser).toMatch(/@compute/);
  });

  it('TypeScript: the API and the README examples type-check; a wrong use does not', () => {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'app.ts'), APP_TS);
    const examples = readmeExamples(readme()).filter((e) => e.lang === 'ts');
    expect(examples.length).toBeGreaterThan(0);
    const files = ['src/app.ts', ...examples.map((e, k) => {
      writeFileSync(join(dir, 'src', `readme-${e.line}.ts`), e.code);
      return `src/readme-${e.line}.ts`;
    })];
    for (const settings of ['strict', 'usual'] as const) {
      const ok = tsc(dir, files, settings);
      expect(ok.status, `tsc (${settings}):\n${ok.stdout}${ok.stderr}`).toBe(0);
    }

    writeFileSync(join(dir, 'src', 'bad.ts'), BAD_TS);
    for (const settings of ['strict', 'usual'] as const) {
      const bad = tsc(dir, ['src/bad.ts'], settings);
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).not.toMatch(/TS7016/);
      // one error on each wrong line: not assignable; unknown property (TS2353 or, with a close name, TS2561)
      expect(bad.stdout, settings).toMatch(/bad\.ts\(3,\d+\): error TS2322/);
      expect(bad.stdout, settings).toMatch(/bad\.ts\(4,\d+\): error TS(2353|2561)/);
      expect(bad.stdout, settings).toMatch(/bad\.ts\(5,\d+\): error TS2322/);
    }
  });

  it('JavaScript: train, sample, reconstruct and a checkpoint round trip from the installed package', () => {
    writeFileSync(join(dir, 'app.mjs'), APP_JS);
    const r = spawnSync(process.execPath, ['app.mjs'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out).toMatchObject({ iterations: 2, samples: 2 * 768, z: 2 * 8, same: true, iteration: 2 });
    expect(out.mse > 0 && out.mse < 1).toBe(true);
  }, 300_000);
});
