import { describe, expect, it } from 'vitest';
import { validate } from '@spikeflow/core';
import '../src/cli.js';
import { comparisonTable } from '../src/commands/experiment.js';
import { EXPERIMENTS, PRESETS, type MetricsRecord } from '../src/index.js';

const neuronLayers = (layers: Array<Record<string, unknown>>) => layers.filter((l) => l.kind === 'neuron');

describe('experiments', () => {
  const base = PRESETS['fashion-mnist-quick'].model;

  it('plif-vs-lif: PLIF tau0 2 and 16, LIF tau 2 and 16, on every neuron layer', () => {
    const models = EXPERIMENTS['plif-vs-lif'].variants.map((v) => validate(v.apply(base)));
    expect(EXPERIMENTS['plif-vs-lif'].variants.map((v) => v.name)).toEqual(['plif-tau0-2', 'plif-tau0-16', 'lif-tau-2', 'lif-tau-16']);
    const kinds = models.map((m) => neuronLayers(m.layers).map((l) => [l.neuron, l.initTau ?? l.tau]));
    expect(kinds).toEqual([
      Array(4).fill(['plif', 2]),
      Array(4).fill(['plif', 16]),
      Array(4).fill(['lif', 2]),
      Array(4).fill(['lif', 16]),
    ]);
  });

  it('max-vs-avg: every pooling layer switches', () => {
    const models = EXPERIMENTS['max-vs-avg'].variants.map((v) => validate(v.apply(base)));
    expect(models.map((m) => m.layers.filter((l) => l.kind === 'pool').map((l) => l.pool))).toEqual([
      ['max', 'max'],
      ['avg', 'avg'],
    ]);
  });

  it('hyperpolarize: vReset below vRest = 0 by 0, 0.5, 1 and 2', () => {
    const models = EXPERIMENTS.hyperpolarize.variants.map((v) => validate(v.apply(base)));
    expect(models.map((m) => neuronLayers(m.layers).map((l) => [l.vRest, l.vReset])[0])).toEqual([
      [0, 0],
      [0, -0.5],
      [0, -1],
      [0, -2],
    ]);
    // Everything else stays the preset's.
    expect(models.every((m) => neuronLayers(m.layers).every((l) => l.neuron === 'plif' && l.initTau === 2))).toBe(true);
  });

  it('the comparison table lists every variant with its images, accuracies and tau', () => {
    const m = (epoch: number, acc: number, complete = true): MetricsRecord =>
      ({ epoch, complete, samples: 100, testAccuracy: acc, tau: { neuron0: 1.5 } }) as unknown as MetricsRecord;
    const table = comparisonTable([
      { name: 'a', note: 'A', metrics: [m(1, 0.5), m(2, 0.6, false)] },
      { name: 'b', note: 'B', metrics: [] },
    ]);
    expect(table.split('\n')).toEqual([
      '| variant | setting | epochs | images trained | final test acc (%) | best test acc (%) | tau at the end |',
      '|---|---|---:|---:|---:|---:|---|',
      '| a | A | 2 (part) | 200 | 60.00 | 60.00 | 1.50 |',
      '| b | B | 0 | 0 | - | - | - |',
    ]);
  });
});
