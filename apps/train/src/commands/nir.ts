import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@spikeflow/core/node';
import { loadCheckpoint, saveCheckpoint } from '@spikeflow/core';
import { buildModel, exportNir, importNir, readNir, chainOf, type ExportOptions, type ImportOptions } from '@spikeflow/nir';
import { UsageError } from '../cli.js';

export const NIR_USAGE = `  spikeflow export --checkpoint DIR --format nir OUT.nir [--dt X] [--max-pool refuse|spike-or]
  spikeflow import IN.nir --out DIR [--dt X] [--time-steps T] [--encoder direct|poisson|sequence]`;

const OPTIONS = {
  checkpoint: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  dt: { type: 'string' },
  'max-pool': { type: 'string' },
  'time-steps': { type: 'string' },
  encoder: { type: 'string' },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const m = /option '([^']+)'/.exec((e as Error).message);
    throw new UsageError(m ? `${m[1]}: unknown flag or missing value; see --help` : (e as Error).message);
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, known: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(known as readonly string[]).includes(value)) throw new UsageError(`--${flag}: expected ${known.join(' or ')}, got "${value}"`);
  return value as T;
}

function positive(flag: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag}: expected ${integer ? 'an integer' : 'a number'} > 0, got "${value}"`);
  return n;
}

/** `spikeflow export` and `spikeflow import`: argv starts with the command. */
export async function nirCommand(argv: string[], log: (line: string) => void): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parse(rest);
  if (positionals.length !== 1) throw new UsageError(`${command}: expected one file (${command === 'export' ? 'OUT.nir' : 'IN.nir'}), got ${positionals.length}\n${NIR_USAGE}`);
  const dt = positive('dt', values.dt);
  await tf.setBackend('cpu');
  if (command === 'export') {
    if (!values.checkpoint) throw new UsageError('--checkpoint: required by "export"');
    oneOf('format', values.format ?? 'nir', ['nir'] as const);
    const options: ExportOptions = { dt, maxPool: oneOf('max-pool', values['max-pool'], ['refuse', 'spike-or'] as const) };
    const ckpt = await loadCheckpoint(`file://${values.checkpoint}`);
    const bytes = await exportNir(ckpt.network, options);
    ckpt.network.dispose();
    writeFileSync(positionals[0], bytes);
    const graph = await readNir(bytes, positionals[0]);
    log(`exported ${values.checkpoint} to ${positionals[0]} (NIR ${graph.version}, ${bytes.length} bytes, dt ${dt ?? 1}): ${chainOf(graph).map((n) => graph.nodes[n].type).join(' -> ')}`);
    return 0;
  }
  if (!values.out) throw new UsageError('--out: required by "import" (the checkpoint directory to write)');
  const options: ImportOptions = {
    dt,
    timeSteps: positive('time-steps', values['time-steps'], true),
    encoder: oneOf('encoder', values.encoder, ['direct', 'poisson', 'sequence'] as const),
    source: positionals[0],
  };
  const model = await importNir(new Uint8Array(readFileSync(positionals[0])), options);
  const network = buildModel(model);
  await saveCheckpoint(network, `file://${values.out}`, { extra: { importedFrom: positionals[0] } });
  network.dispose();
  log(`imported ${positionals[0]} to ${values.out}: ${model.spec.layers.map((l) => (l.kind === 'neuron' ? `neuron(${String(l.neuron)})` : l.kind === 'pool' ? `pool(${String(l.pool)})` : l.kind)).join(' -> ')}`);
  return 0;
}
