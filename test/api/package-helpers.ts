/**
 * For the tests of the built package: build it when dist/ is missing or older than the sources, extract the
 * README's examples, and make a consumer folder whose node_modules resolve `wngan` and its dependencies.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const OUTPUTS = ['dist/node/index.mjs', 'dist/browser/wngan.mjs', 'dist/types/node.d.ts', 'dist/types/browser.d.ts'];

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Build (`node build.mjs`) unless every output exists and is newer than src/, kernels/ and the build files. */
export function ensureBuilt(): void {
  const inputs = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'kernels')),
    ...['build.mjs', 'tsconfig.json', 'tsconfig.types.json', 'package.json'].map((f) => statSync(join(ROOT, f)).mtimeMs));
  const fresh = OUTPUTS.every((f) => existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).mtimeMs >= inputs);
  if (!fresh) execFileSync(process.execPath, ['build.mjs'], { cwd: ROOT, stdio: 'pipe' });
}

export interface Example {
  /** 1-based line of the code fence in README.md */
  line: number;
  lang: 'ts' | 'js';
  code: string;
}

/** Every fenced ```ts / ```js block preceded by an `<!-- example -->` line (blank lines between allowed). */
export function readmeExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '<!-- example -->') continue;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    const fence = /^```(ts|js|typescript|javascript)\s*$/.exec(lines[j] ?? '');
    if (!fence) throw new Error(`README.md:${i + 1}: <!-- example --> must be followed by a \`\`\`ts or \`\`\`js block, found ${JSON.stringify(lines[j])}`);
    const end = lines.findIndex((l, k) => k > j && l.startsWith('```'));
    if (end < 0) throw new Error(`README.md:${j + 1}: the example's code block is not closed`);
    out.push({ line: j + 1, lang: fence[1]!.startsWith('t') ? 'ts' : 'js', code: lines.slice(j + 1, end).join('\n') + '\n' });
    i = end;
  }
  return out;
}

/**
 * A temp folder with node_modules/<name> → the given folders (the package under test and the dependencies
 * it needs at run and type-check time).
 */
export function consumerDir(prefix: string, links: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, target] of Object.entries(links)) {
    const at = join(dir, 'node_modules', name);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(target, at, 'dir');
  }
  return dir;
}

export function readme(): string {
  return readFileSync(join(ROOT, 'README.md'), 'utf8');
}
