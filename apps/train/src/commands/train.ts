import { loadedRuntime } from '../runtime-loader.js';
import type { Command } from './command.js';

export const train: Command = {
  name: 'train',
  summary: 'train a preset or a --spec model',
  // A getter: the --backend choices are the providers known when help is printed.
  get usage() {
    return `spikeflow train [--preset NAME] [--spec FILE] [--backend ${loadedRuntime().backendChoices().join('|')}] [--threads N] [--epochs N]
                [--batch-size N] [--lr X] [--time-steps T] [--train-limit N] [--test-limit N] [--max-steps N]
                [--max-minutes M] [--checkpoint-every K] [--seed N] [--data-dir DIR] [--download] [--out DIR] [--resume DIR]
                [--progress bar|lines|none] [--no-report]`;
  },
  async run(ctx) {
    const { runTrain } = await import('../command-runs/train.js');
    return runTrain(ctx);
  },
};
