import type { Command } from './command.js';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'test accuracy of a checkpoint',
  usage: 'spikeflow eval --checkpoint DIR [--engine float|packed|auto] [--backend NAME] [--threads N] [--batch-size N] [--dataset NAME] [--data-dir DIR] [--test-limit N]\n'
    + '  --engine float: the network\'s forward on the backend (default); packed: spikes packed 32 per word, event-driven\n'
    + '  synapses (@spikeflow/infer-packed; prints its cost table); auto: packed where the network packs, else float and why\n'
    + '  --threads N: threads of the wasm backend, and of the packed engine (each batch split over N threads)',
  async run(ctx) {
    const { runEval } = await import('../command-runs/eval.js');
    return runEval(ctx);
  },
};

export const inspect: Command = {
  name: 'inspect',
  summary: 'model, step, epoch and learned neuron parameters of a checkpoint',
  usage: 'spikeflow inspect --checkpoint DIR',
  async run(ctx) {
    const { runInspect } = await import('../command-runs/eval.js');
    return runInspect(ctx);
  },
};
