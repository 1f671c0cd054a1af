import type { Command } from './command.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a checkpoint as a NIR file (Neuromorphic Intermediate Representation)',
  usage: 'spikeflow export --checkpoint DIR --format nir OUT.nir [--dt X] [--max-pool refuse|spike-or]',
  async run(ctx) {
    const { runExport } = await import('../command-runs/nir.js');
    return runExport(ctx);
  },
};

export const importCommand: Command = {
  name: 'import',
  summary: 'turn a NIR file into a spikeflow checkpoint',
  usage: 'spikeflow import IN.nir --out DIR [--dt X] [--time-steps T] [--encoder direct|poisson|sequence] [--cubalif-order current-first|euler] [--missing-reset by-version|subtract|zero]',
  async run(ctx) {
    const { runImport } = await import('../command-runs/nir.js');
    return runImport(ctx);
  },
};
