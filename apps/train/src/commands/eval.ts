import { loadCheckpoint } from '@spikeflow/core';
import { datasets } from '@spikeflow/datasets/node';
import { selectBackend } from '../backends.js';
import { loadSplits } from '../data.js';
import { integer, str, unknownName, UsageError } from '../flags.js';
import { evaluate } from '../loop.js';
import type { Command } from './command.js';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'test accuracy of a checkpoint',
  usage: 'spikeflow eval --checkpoint DIR [--backend NAME] [--dataset NAME] [--data-dir DIR] [--test-limit N]',
  async run({ flags, log }) {
    const dir = str(flags, 'checkpoint');
    if (!dir) throw new UsageError('--checkpoint: required by "eval"');
    const dataset = str(flags, 'dataset') ?? 'fashion-mnist';
    if (!datasets.has(dataset)) throw unknownName('--dataset', 'dataset', dataset, datasets.names());
    const testLimit = integer(flags, 'test-limit', 0) ?? 0;
    await selectBackend(str(flags, 'backend') ?? 'auto', integer(flags, 'threads', 1, 64));
    const ckpt = await loadCheckpoint(`file://${dir}`);
    const { test } = await loadSplits({ dataset, dataDir: str(flags, 'data-dir'), trainLimit: 1, testLimit, seed: 0, frames: ckpt.spec.timeSteps });
    const acc = await evaluate(ckpt.network, test, 64);
    log(`test accuracy ${(100 * acc).toFixed(2)}% on ${test.source}`);
    ckpt.network.dispose();
    return 0;
  },
};

export const inspect: Command = {
  name: 'inspect',
  summary: 'model, step, epoch and learned neuron parameters of a checkpoint',
  usage: 'spikeflow inspect --checkpoint DIR',
  async run({ flags, log }) {
    const dir = str(flags, 'checkpoint');
    if (!dir) throw new UsageError('--checkpoint: required by "inspect"');
    const ckpt = await loadCheckpoint(`file://${dir}`);
    log(JSON.stringify({ model: ckpt.spec, step: ckpt.meta.step, epoch: ckpt.meta.epoch, neurons: ckpt.meta.neurons }, null, 2));
    ckpt.network.dispose();
    return 0;
  },
};
