import type { Command } from './command.js';

export const presets: Command = {
  name: 'presets',
  summary: "list the presets, with the paper's test accuracy beside its six settings",
  usage: 'spikeflow presets',
  async run(ctx) {
    const { runPresets } = await import('../command-runs/presets.js');
    return runPresets(ctx);
  },
};
