import { parseArgs } from 'node:util';
import { unknownNameMessage } from '@spikeflow/spec';

/** A bad command line or input file named on it: the message names the flag. Exit code 2. */
export class UsageError extends Error {}

/** Every flag of every command (commands read the ones they use). */
export const OPTIONS = {
  preset: { type: 'string' },
  spec: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  'time-steps': { type: 'string' },
  'train-limit': { type: 'string' },
  'test-limit': { type: 'string' },
  'max-steps': { type: 'string' },
  'max-minutes': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'budget-minutes': { type: 'string' },
  images: { type: 'string' },
  seeds: { type: 'string' },
  'curve-every': { type: 'string' },
  variants: { type: 'string' },
  seed: { type: 'string' },
  'data-dir': { type: 'string' },
  download: { type: 'boolean' },
  out: { type: 'string' },
  resume: { type: 'string' },
  checkpoint: { type: 'string' },
  engine: { type: 'string' },
  dataset: { type: 'string' },
  progress: { type: 'string' },
  format: { type: 'string' },
  dt: { type: 'string' },
  'max-pool': { type: 'string' },
  encoder: { type: 'string' },
  'cubalif-order': { type: 'string' },
  'missing-reset': { type: 'string' },
  'no-report': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
} as const;

export type FlagName = keyof typeof OPTIONS;
export type Flags = Partial<Record<FlagName, string | boolean>>;

/** `--flag -2` as `--flag=-2`, so a negative number reaches the range check instead of looking like a flag. */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') && !argv[i].includes('=') ? argv[i].slice(2) : undefined;
    const option = name !== undefined ? (OPTIONS as Record<string, { type: string }>)[name] : undefined;
    if (option?.type === 'string' && /^-[\d.]/.test(argv[i + 1] ?? '')) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/** `command` is undefined when the line names none (a bare `spikeflow`, or only flags). */
export function parse(argv: string[]): { command: string | undefined; positionals: string[]; flags: Flags } {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const m = /option '([^']+)'/.exec((e as Error).message);
    if (m) {
      const name = m[1].replace(/^-+/, '').split(/[ =]/)[0];
      const close = unknownNameMessage('flag', name, Object.keys(OPTIONS)).match(/did you mean "([^"]+)"/);
      throw new UsageError(`${m[1]}: unknown flag or missing value${close ? ` (did you mean --${close[1]}?)` : ''}; see --help`);
    }
    throw new UsageError((e as Error).message);
  }
  const [command, ...positionals] = parsed.positionals;
  return { command, positionals, flags: parsed.values as Flags };
}

export function str(flags: Flags, name: FlagName): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function integer(flags: Flags, name: FlagName, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = str(flags, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name}: expected an integer ${max < Number.MAX_SAFE_INTEGER ? `from ${min} to ${max}` : `>= ${min}`}, got "${raw}"`);
  }
  return n;
}

export function positive(flags: Flags, name: FlagName, max = Infinity): number | undefined {
  const raw = str(flags, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
    throw new UsageError(`--${name}: expected a number > 0${Number.isFinite(max) ? ` and <= ${max}` : ''}, got "${raw}"`);
  }
  return n;
}

/** Minutes flags: more than a week is a typo, not a plan. */
export const MAX_MINUTES = 7 * 24 * 60;

/** `unknown preset "fashoin"; known: ... (did you mean "fashion-mnist"?)` as a usage error. */
export function unknownName(flag: string, what: string, name: string, known: readonly string[]): UsageError {
  return new UsageError(`${flag}: ${unknownNameMessage(what, name, known)}`);
}
