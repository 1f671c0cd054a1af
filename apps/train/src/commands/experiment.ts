import { EXPERIMENTS } from '../experiments.js';
import type { Command } from './command.js';

export const DEFAULT_SEEDS = 3;
/** Test points per learning curve when --curve-every is not given. */
export const CURVE_POINTS = 10;

export const experiment: Command = {
  name: 'experiment',
  summary: `train every variant on the same images, K weight seeds each, and test the differences: ${Object.keys(EXPERIMENTS).join(', ')}`,
  usage: `spikeflow experiment ${Object.keys(EXPERIMENTS).join('|')} [--images N] [--seeds K] [--out DIR] [--curve-every M]
                [--variants A,B] [--preset P] [--backend NAME] [--threads N] [--batch-size N] [--lr X] [--time-steps T]
                [--train-limit N] [--test-limit N] [--seed N] [--checkpoint-every K] [--data-dir DIR]

  Every variant trains on the same N images in the same order (data seed --seed), once per weight seed
  1..K (default ${DEFAULT_SEEDS}); the test split is scored every M images (default N/${CURVE_POINTS}). DIR (default
  runs/experiment-NAME) gets results.json, report.html and summary.md; each finished run is saved
  under DIR/runs, so the same command resumes an interrupted experiment without redoing them.`,
  async run(ctx) {
    const { runExperiment } = await import('../command-runs/experiment.js');
    return runExperiment(ctx);
  },
};
