import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@spikeflow/core/node';
import { loadCheckpoint, use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { selectBackend } from './backends.js';
import { loadSplits } from './data.js';
import { evaluate, run } from './loop.js';
import { PRESETS, type Preset } from './presets.js';
import { nirCommand, NIR_USAGE } from './commands/nir.js';

use(neurons, surrogates, pools);
// Production mode: no debug checks, and no console banner from tfjs about its Node backend.
tf.enableProdMode();

export const USAGE = `usage:
  spikeflow train   [--preset NAME] [--backend auto|cpu|wasm|webgpu] [--epochs N] [--batch-size N] [--lr X]
                    [--time-steps T] [--train-limit N] [--test-limit N] [--max-steps N] [--seed N]
                    [--data-dir DIR] [--download] [--out DIR] [--resume DIR]
  spikeflow eval    --checkpoint DIR [--backend NAME] [--dataset fashion-mnist|mnist] [--data-dir DIR] [--test-limit N]
  spikeflow inspect --checkpoint DIR
  spikeflow presets
${NIR_USAGE}
presets: ${Object.keys(PRESETS).join(', ')}`;

/** A bad command line: the message names the flag. Exit code 2. */
export class UsageError extends Error {}

const OPTIONS = {
  preset: { type: 'string' },
  backend: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  'time-steps': { type: 'string' },
  'train-limit': { type: 'string' },
  'test-limit': { type: 'string' },
  'max-steps': { type: 'string' },
  seed: { type: 'string' },
  'data-dir': { type: 'string' },
  download: { type: 'boolean' },
  out: { type: 'string' },
  resume: { type: 'string' },
  checkpoint: { type: 'string' },
  dataset: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = Partial<Record<keyof typeof OPTIONS, string | boolean>>;

function integer(flags: Flags, name: keyof typeof OPTIONS, min: number): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: expected an integer >= ${min}, got "${raw}"`);
  return n;
}

function positive(flags: Flags, name: keyof typeof OPTIONS): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name}: expected a number > 0, got "${raw}"`);
  return n;
}

export function parse(argv: string[]): { command: string; flags: Flags } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const m = /option '([^']+)'/.exec((e as Error).message);
    throw new UsageError(m ? `${m[1]}: unknown flag or missing value; see --help` : (e as Error).message);
  }
  const [command = 'train', ...rest] = parsed.positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  return { command, flags: parsed.values as Flags };
}

/** The preset with the flags applied. */
export function resolvePreset(flags: Flags): Preset {
  const name = (flags.preset as string | undefined) ?? 'fashion-mnist-small';
  const base = PRESETS[name];
  if (!base) throw new UsageError(`--preset: unknown preset "${name}"; known: ${Object.keys(PRESETS).join(', ')}`);
  const p: Preset = structuredClone(base);
  p.epochs = integer(flags, 'epochs', 1) ?? p.epochs;
  p.batchSize = integer(flags, 'batch-size', 1) ?? p.batchSize;
  p.trainLimit = integer(flags, 'train-limit', 0) ?? p.trainLimit;
  p.testLimit = integer(flags, 'test-limit', 0) ?? p.testLimit;
  p.seed = integer(flags, 'seed', 0) ?? p.seed;
  const lr = positive(flags, 'lr');
  if (lr !== undefined) p.optimizer = { ...p.optimizer, learningRate: lr };
  const T = integer(flags, 'time-steps', 1);
  if (T !== undefined) p.model = { ...p.model, timeSteps: T };
  return p;
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  if ((argv[0] === 'export' || argv[0] === 'import') && !argv.includes('--help') && !argv.includes('-h')) return nirCommand(argv, log);
  const { command, flags } = parse(argv);
  if (flags.help) {
    log(USAGE);
    return 0;
  }
  switch (command) {
    case 'presets':
      for (const [name, p] of Object.entries(PRESETS)) log(`${name.padEnd(22)} ${p.description}`);
      return 0;
    case 'train': {
      const preset = resolvePreset(flags);
      const backend = await selectBackend((flags.backend as string | undefined) ?? 'auto');
      const { train, test } = await loadSplits({
        dataset: preset.dataset,
        dataDir: flags['data-dir'] as string | undefined,
        download: flags.download === true,
        trainLimit: preset.trainLimit,
        testLimit: preset.testLimit,
        seed: preset.seed,
      });
      log(`spikeflow train: preset ${(flags.preset as string | undefined) ?? 'fashion-mnist-small'} on ${backend.name}${backend.detail ? ` ${JSON.stringify(backend.detail)}` : ''}`);
      log(`  train: ${train.source}`);
      log(`  test:  ${test.source}`);
      log(`  T=${preset.model.timeSteps} batch ${preset.batchSize} ${preset.optimizer.kind} lr ${preset.optimizer.learningRate} epochs ${preset.epochs}`);
      const reports = await run({
        preset,
        train,
        test,
        out: flags.out as string | undefined,
        resume: flags.resume as string | undefined,
        maxSteps: integer(flags, 'max-steps', 1),
        log,
      });
      const last = reports[reports.length - 1];
      if (last) log(`final test accuracy ${(100 * last.testAccuracy).toFixed(2)}%; learned tau per layer: ${JSON.stringify(last.tau)}`);
      return 0;
    }
    case 'eval':
    case 'inspect': {
      const dir = flags.checkpoint as string | undefined;
      if (!dir) throw new UsageError(`--checkpoint: required by "${command}"`);
      if (command === 'eval') await selectBackend((flags.backend as string | undefined) ?? 'auto');
      const ckpt = await loadCheckpoint(`file://${dir}`);
      if (command === 'inspect') {
        log(JSON.stringify({ model: ckpt.spec, step: ckpt.meta.step, epoch: ckpt.meta.epoch, neurons: ckpt.meta.neurons }, null, 2));
      } else {
        const dataset = ((flags.dataset as string | undefined) ?? 'fashion-mnist') as 'fashion-mnist' | 'mnist';
        if (!['fashion-mnist', 'mnist'].includes(dataset)) throw new UsageError(`--dataset: expected fashion-mnist or mnist, got "${dataset}"`);
        const { test } = await loadSplits({ dataset, dataDir: flags['data-dir'] as string | undefined, trainLimit: 1, testLimit: integer(flags, 'test-limit', 0) ?? 0, seed: 0 });
        const acc = await evaluate(ckpt.network, test, 64);
        log(`test accuracy ${(100 * acc).toFixed(2)}% on ${test.source}`);
      }
      ckpt.network.dispose();
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}
