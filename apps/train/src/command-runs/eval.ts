import { loadCheckpoint } from '@spikeflow/core';
import { datasets } from '@spikeflow/datasets/node';
import { formatCostTable } from '@spikeflow/infer-packed';
import { selectBackend } from '../backends.js';
import { loadSplits } from '../data.js';
import { chooseEngine, ENGINES, runFloat, runPacked, type EngineName } from '../eval-engines.js';
import { integer, str, unknownName, UsageError } from '../flags.js';
import type { CommandContext } from '../commands/command.js';

/** `spikeflow eval` (its usage: commands/eval.ts). */
export async function runEval({ flags, log }: CommandContext): Promise<number> {
  const dir = str(flags, 'checkpoint');
  if (!dir) throw new UsageError('--checkpoint: required by "eval"');
  const dataset = str(flags, 'dataset') ?? 'fashion-mnist';
  if (!datasets.has(dataset)) throw unknownName('--dataset', 'dataset', dataset, datasets.names());
  const engine = str(flags, 'engine') ?? 'float';
  if (!(ENGINES as readonly string[]).includes(engine)) throw unknownName('--engine', 'engine', engine, ENGINES);
  const testLimit = integer(flags, 'test-limit', 0) ?? 0;
  const batchSize = integer(flags, 'batch-size', 1, 4096) ?? 64;
  const threads = integer(flags, 'threads', 1, 64);
  await selectBackend(str(flags, 'backend') ?? 'auto', threads);
  const ckpt = await loadCheckpoint(`file://${dir}`);
  try {
    const { test } = await loadSplits({ dataset, dataDir: str(flags, 'data-dir'), trainLimit: 1, testLimit, seed: 0, frames: ckpt.spec.timeSteps });
    const packed = await chooseEngine(ckpt.network, engine as EngineName, log, threads ?? 1);
    try {
      const run = packed ? await runPacked(packed, test, batchSize) : await runFloat(ckpt.network, test, batchSize);
      log(`test accuracy ${(100 * run.accuracy).toFixed(2)}% on ${test.source}`);
      log(`engine ${run.engine}: ${run.imagesPerSecond.toFixed(1)} images/s (batch ${batchSize}, forward only${packed && packed.threads > 1 ? `, ${packed.threads} threads` : ''})`);
      if (packed) log(formatCostTable(packed.costs()));
    } finally {
      await packed?.close();
    }
  } finally {
    ckpt.network.dispose();
  }
  return 0;
}

/** `spikeflow inspect` (its usage: commands/eval.ts). */
export async function runInspect({ flags, log }: CommandContext): Promise<number> {
  const dir = str(flags, 'checkpoint');
  if (!dir) throw new UsageError('--checkpoint: required by "inspect"');
  const ckpt = await loadCheckpoint(`file://${dir}`);
  log(JSON.stringify({ model: ckpt.spec, step: ckpt.meta.step, epoch: ckpt.meta.epoch, neurons: ckpt.meta.neurons }, null, 2));
  ckpt.network.dispose();
  return 0;
}
