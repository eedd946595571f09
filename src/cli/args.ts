/** A small, strict option parser: --name value / --name=value / --flag; unknown options are errors. */
export interface OptionSpec {
  [name: string]: { help: string; default?: string | number | boolean; type: 'string' | 'number' | 'boolean' };
}

export type Parsed<S extends OptionSpec> = { [K in keyof S]: S[K]['type'] extends 'number' ? number : S[K]['type'] extends 'boolean' ? boolean : string };

export function helpText(command: string, summary: string, spec: OptionSpec): string {
  const lines = Object.entries(spec).map(([k, s]) => `  --${k.padEnd(16)} ${s.help}${s.default !== undefined ? ` (default ${s.default})` : ''}`);
  return [`usage: wngan ${command} [options]`, '', summary, '', 'options:', ...lines].join('\n');
}

export function parseArgs<S extends OptionSpec>(command: string, args: string[], spec: S): Parsed<S> | null {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(spec)) if (s.default !== undefined) out[k] = s.default;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return null;
    if (!a.startsWith('--')) throw new Error(`${command}: unexpected argument '${a}'`);
    let [name, value] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const s = spec[name];
    if (!s) throw new Error(`${command}: unknown option --${name} (see wngan ${command} --help)`);
    if (s.type === 'boolean') {
      out[name] = value === undefined ? true : value !== 'false';
      continue;
    }
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new Error(`${command}: --${name} needs a value`);
    }
    if (s.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`${command}: --${name} must be a number, got '${value}'`);
      out[name] = n;
    } else out[name] = value;
  }
  for (const [k, s] of Object.entries(spec)) if (out[k] === undefined) throw new Error(`${command}: --${k} is required (${s.help})`);
  return out as Parsed<S>;
}
