/**
 * A small, strict option parser: --name value / --name=value; switches as --x, --no-x, --x=true|false.
 * Unknown options, malformed switches, numbers out of bounds and values outside a flag's choices are errors
 * that name the flag.
 */
export interface FlagSpec {
  help: string;
  type: 'string' | 'number' | 'boolean';
  default?: string | number | boolean;
  /** numbers: inclusive bounds */
  min?: number;
  max?: number;
  /** numbers: exclusive lower bound (a learning rate must be above 0) */
  above?: number;
  /** numbers: exclusive upper bound */
  below?: number;
  /** numbers: whole numbers only */
  int?: boolean;
  /** strings: the allowed values (the default is allowed too) */
  choices?: readonly string[];
}

export interface OptionSpec {
  [name: string]: FlagSpec;
}

export type Parsed<S extends OptionSpec> = { [K in keyof S]: S[K]['type'] extends 'number' ? number : S[K]['type'] extends 'boolean' ? boolean : string };

/** "an integer from 1 to 100", "a number above 0 and at most 1" */
function expected(s: FlagSpec): string {
  const kind = s.int ? 'an integer' : 'a number';
  if (s.min !== undefined && s.max !== undefined) return `${kind} from ${s.min} to ${s.max}`;
  const lo = s.above !== undefined ? `above ${s.above}` : s.min !== undefined ? `at least ${s.min}` : '';
  const hi = s.below !== undefined ? `below ${s.below}` : s.max !== undefined ? `at most ${s.max}` : '';
  return [kind, [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
}

export function helpText(command: string, summary: string, spec: OptionSpec): string {
  const lines = Object.entries(spec).map(([k, s]) => {
    const name = s.type === 'boolean' ? `${k} / --no-${k}` : k;
    const def = s.default !== undefined && s.default !== '' ? ` (default ${s.default})` : '';
    return `  --${name.padEnd(18)} ${s.help}${def}`;
  });
  return [`usage: wngan ${command} [options]`, '', summary, '', 'options:', ...lines].join('\n');
}

function parseNumber(command: string, name: string, s: FlagSpec, raw: string): number {
  const n = raw.trim() === '' ? NaN : Number(raw);
  const fail = (what: string) => new Error(`${command}: --${name} must be ${what}, got '${raw}'`);
  if (!Number.isFinite(n)) throw fail('a number');
  if (s.int && !Number.isInteger(n)) throw fail('a whole number');
  const tooLow = (s.min !== undefined && n < s.min) || (s.above !== undefined && !(n > s.above));
  const tooHigh = (s.max !== undefined && n > s.max) || (s.below !== undefined && !(n < s.below));
  if (tooLow || tooHigh) throw fail(expected(s));
  return n;
}

function parseSwitch(command: string, name: string, value: string | undefined): boolean {
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`${command}: --${name}=${value}: a switch takes --${name}, --no-${name}, --${name}=true or --${name}=false`);
}

/**
 * Parse `args` against `spec`; null when --help was asked for. `given`, when passed, receives the names of
 * the flags that appeared on the command line (so callers can tell a default from an explicit value).
 */
export function parseArgs<S extends OptionSpec>(command: string, args: string[], spec: S, given?: Set<string>): Parsed<S> | null {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(spec)) if (s.default !== undefined) out[k] = s.default;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return null;
    if (!a.startsWith('--')) throw new Error(`${command}: unexpected argument '${a}'`);
    let [name, value] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    let negated = false;
    if (!spec[name] && name.startsWith('no-') && spec[name.slice(3)]?.type === 'boolean') {
      if (value !== undefined) throw new Error(`${command}: --${name} takes no value`);
      name = name.slice(3);
      negated = true;
    }
    const s = spec[name];
    if (!s) throw new Error(`${command}: unknown option --${name} (see wngan ${command} --help)`);
    given?.add(name);
    if (s.type === 'boolean') {
      out[name] = negated ? false : parseSwitch(command, name, value);
      continue;
    }
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new Error(`${command}: --${name} needs a value`);
    }
    if (s.type === 'number') out[name] = parseNumber(command, name, s, value);
    else {
      if (s.choices && value !== s.default && !s.choices.includes(value)) {
        throw new Error(`${command}: --${name} must be one of ${s.choices.join(', ')}, got '${value}'`);
      }
      out[name] = value;
    }
  }
  for (const [k, s] of Object.entries(spec)) if (out[k] === undefined) throw new Error(`${command}: --${k} is required (${s.help})`);
  return out as Parsed<S>;
}
