/**
 * Helpers shared by the benchmark scripts: flags, medians, the machine's load, and JSON output. Every bench
 * script prints exactly one JSON document on stdout; progress and library chatter go to stderr
 * (`quietStdout()` routes console.log/info/debug there), so `npm run -s bench:X | jq .` parses.
 */
import { cpus, loadavg } from 'node:os';

export type Flags = Map<string, string | true>;

/** `--name value`, `--name=value` and bare `--switch` flags. */
export function parseFlags(argv: string[] = process.argv.slice(2)): Flags {
  const f: Flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) f.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) f.set(a.slice(2), argv[++i]);
    else f.set(a.slice(2), true);
  }
  return f;
}

export function flagInt(f: Flags, name: string, dflt: number): number {
  const v = f.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} wants a positive integer, got '${v}'`);
  return n;
}

export function flagList(f: Flags, name: string, dflt: string[]): string[] {
  const v = f.get(name);
  if (v === undefined) return dflt;
  if (v === true) throw new Error(`--${name} wants a value`);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Unknown flags are errors (a typo should not silently run the defaults for minutes). */
export function checkFlags(f: Flags, known: string[]): void {
  const bad = [...f.keys()].filter((k) => !known.includes(k));
  if (bad.length) throw new Error(`unknown flag(s): ${bad.map((b) => '--' + b).join(', ')} (known: ${known.map((k) => '--' + k).join(', ')})`);
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const round = (x: number, digits = 3): number => +x.toFixed(digits);

/** What else the machine was doing: the load averages next to the core count. */
export function machineLoad(): { cpus: number; loadavg_1m: number; loadavg_5m: number } {
  const [l1, l5] = loadavg();
  return { cpus: cpus().length, loadavg_1m: round(l1, 2), loadavg_5m: round(l5, 2) };
}

/** Route console.log/info/debug to stderr: stdout carries only the final JSON. */
export function quietStdout(): void {
  const toErr = (...a: unknown[]) => console.error(...a);
  console.log = toErr;
  console.info = toErr;
  console.debug = toErr;
}

export function emitJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

export function progress(what: unknown): void {
  process.stderr.write((typeof what === 'string' ? what : JSON.stringify(what)) + '\n');
}

/** Run `main`, printing errors to stderr with a non-zero exit code. */
export function runMain(main: () => Promise<void>): void {
  quietStdout();
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
