import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, saveCheckpoint } from '@spikeflow/core';
import { buildModel, exportNir, importNir, nodeOrder, readNir } from '@spikeflow/nir';
import { integer, positive, str, unknownName, UsageError, type Flags } from '../flags.js';
import type { CommandContext } from '../commands/command.js';

const MAX_POOL = ['refuse', 'spike-or'] as const;
const ENCODERS = ['direct', 'poisson', 'sequence'] as const;
const FORMATS = ['nir'] as const;
const CUBALIF_ORDERS = ['current-first', 'euler'] as const;
const MISSING_RESETS = ['by-version', 'subtract', 'zero'] as const;

function oneOf<T extends string>(flags: Flags, flag: 'format' | 'max-pool' | 'encoder' | 'cubalif-order' | 'missing-reset', what: string, known: readonly T[]): T | undefined {
  const value = str(flags, flag);
  if (value === undefined) return undefined;
  if (!(known as readonly string[]).includes(value)) throw unknownName(`--${flag}`, what, value, known);
  return value as T;
}

function oneFile(command: string, positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command}: expected one file (${what}), got ${positionals.length}; see --help`);
  return positionals[0];
}

/** `spikeflow export` (its usage: commands/nir.ts). */
export async function runExport({ positionals, flags, log }: CommandContext): Promise<number> {
  const out = oneFile('export', positionals, 'OUT.nir');
  const dir = str(flags, 'checkpoint');
  if (!dir) throw new UsageError('--checkpoint: required by "export"');
  oneOf(flags, 'format', 'format', FORMATS);
  const dt = positive(flags, 'dt');
  const maxPool = oneOf(flags, 'max-pool', 'max-pool mode', MAX_POOL);
  await tf.setBackend('cpu');
  const ckpt = await loadCheckpoint(`file://${dir}`);
  const bytes = await exportNir(ckpt.network, { dt, maxPool });
  ckpt.network.dispose();
  writeFileSync(out, bytes);
  const graph = await readNir(bytes, out);
  log(`exported ${dir} to ${out} (NIR ${graph.version}, ${bytes.length} bytes, dt ${dt ?? 1}): ${nodeOrder(graph).map((n) => graph.nodes[n].type).join(' -> ')}`);
  return 0;
}

/** `spikeflow import` (its usage: commands/nir.ts). */
export async function runImport({ positionals, flags, log }: CommandContext): Promise<number> {
  const file = oneFile('import', positionals, 'IN.nir');
  const out = str(flags, 'out');
  if (!out) throw new UsageError('--out: required by "import" (the checkpoint directory to write)');
  const options = {
    dt: positive(flags, 'dt'),
    timeSteps: integer(flags, 'time-steps', 1),
    encoder: oneOf(flags, 'encoder', 'encoder', ENCODERS),
    missingReset: oneOf(flags, 'missing-reset', 'missing-reset mode', MISSING_RESETS),
    source: file,
  };
  const order = oneOf(flags, 'cubalif-order', 'CubaLIF update order', CUBALIF_ORDERS);
  const neuronOptions = order ? { cubalif: { order } } : undefined;
  await tf.setBackend('cpu');
  const model = await importNir(new Uint8Array(readFileSync(file)), { ...options, neuronOptions });
  const network = buildModel(model);
  await saveCheckpoint(network, `file://${out}`, { extra: { importedFrom: file } });
  network.dispose();
  const kinds = model.spec.layers.map((l) => (l.kind === 'neuron' || l.kind === 'recurrent' ? `${l.kind}(${String(l.neuron)})` : l.kind === 'pool' ? `pool(${String(l.pool)})` : l.kind));
  log(`imported ${file} to ${out}: ${kinds.join(' -> ')}`);
  for (const note of model.notes ?? []) log(`note: ${note}`);
  return 0;
}
