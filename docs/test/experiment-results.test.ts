// The Results page's numbers: computed from results.json files, checked on the committed ones.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { EXPERIMENTS, summarize, type ExperimentResults, type RunEntry } from '@spikeflow/train';
import { bandsOf, experimentView } from '../lib/experiment-results.js';

const run = (variant: string, seed: number, accs: number[], rate = 0.1, tau = 2): RunEntry => ({
  variant,
  note: variant,
  seed,
  testAccuracy: accs[accs.length - 1],
  testSamples: 100,
  curve: accs.map((a, i) => ({ images: 100 * (i + 1), testAccuracy: a })),
  firingRate: { neuron0: rate },
  tau: { neuron0: tau },
  tauLearned: true,
  images: 100 * accs.length,
  minutes: 1,
  imagesPerSecond: 10,
  orderDigest: 'd',
});

function results(name: string, runs: RunEntry[]): ExperimentResults {
  const exp = EXPERIMENTS[name];
  return {
    format: 'spikeflow.experiment/v1',
    experiment: name,
    question: exp.question,
    claim: exp.claim,
    command: `spikeflow experiment ${name}`,
    setup: { experiment: name, preset: 'p', dataset: 'fashion-mnist', images: 200, dataSeed: 1, curveEvery: 100, batchSize: 10, timeSteps: 4, trainLimit: 0, testLimit: 100, learningRate: 0.001, backend: 'wasm' },
    seeds: [1, 2, 3],
    variants: exp.variants.map((v) => ({ name: v.name, note: v.note })),
    data: { train: 'train', test: 'test' },
    machine: { cpu: 'cpu', cores: 2, memoryGiB: 4, platform: 'linux x64', node: '20', backend: 'wasm', loadAverage: [1, 1, 1] },
    complete: false,
    runs,
    summary: summarize(exp, runs),
  };
}

describe('Results page', () => {
  test('seed bands span the lowest and highest seed at each test point', () => {
    const r = results('max-vs-avg', [run('max-pool', 1, [0.5, 0.7]), run('max-pool', 2, [0.6, 0.8]), run('avg-pool', 1, [0.4, 0.6])]);
    expect(bandsOf(r)).toEqual([
      { variant: 'max-pool', points: [{ images: 100, mean: 55, min: 50, max: 60 }, { images: 200, mean: 75, min: 70, max: 80 }] },
      { variant: 'avg-pool', points: [{ images: 100, mean: 40, min: 40, max: 40 }, { images: 200, mean: 60, min: 60, max: 60 }] },
    ]);
  });

  test('max-vs-avg: agrees with the claim unless max pooling is significantly worse', () => {
    const close = results('max-vs-avg', [1, 2, 3].flatMap((s) => [run('max-pool', s, [0.7, 0.8 + s / 100]), run('avg-pool', s, [0.7, 0.81 + s / 200])]));
    expect(experimentView(close).conclusions[1]).toMatch(/^Max pooling is not significantly worse/);
    const worse = results('max-vs-avg', [1, 2, 3].flatMap((s) => [run('max-pool', s, [0.5, 0.6 + s / 1000]), run('avg-pool', s, [0.7, 0.8 + s / 1000])]));
    expect(experimentView(worse).conclusions[1]).toMatch(/^Max pooling is significantly worse here/);
    const better = results('max-vs-avg', [1, 2, 3].flatMap((s) => [run('max-pool', s, [0.7, 0.8 + s / 1000]), run('avg-pool', s, [0.5, 0.6 + s / 1000])]));
    expect(experimentView(better).conclusions[1]).toMatch(/^Max pooling is significantly better here/);
    const single = results('max-vs-avg', [run('max-pool', 1, [0.5, 0.6]), run('avg-pool', 1, [0.5, 0.6])]);
    expect(experimentView(single).conclusions[1]).toBe('Not tested yet: the claim needs at least 2 seeds per variant.');
  });

  test('hyperpolarize: the answer states each difference with its standard error', () => {
    const runs = [1, 2, 3].flatMap((s) => EXPERIMENTS.hyperpolarize.variants.map((v, i) => run(v.name, s, [0.6, 0.8 + s / 100], 0.1 - i / 100, 2 + i)));
    const view = experimentView(results('hyperpolarize', runs));
    expect(view.conclusions[0]).toMatch(/^vReset = -0\.25, vRest = 0 \(hyperpolarising\): final test accuracy \+0\.00 ± 0\.82 points \(p = 1\.00\) against vReset = vRest; mean firing rate -0\.0100 ± 0\.0000 \(p < 0\.001\)\. Firing rate per layer 0\.090 against 0\.100; mean learned tau 3\.000 against 2\.000/);
    expect(view.conclusions[3]).toMatch(/^Answer at this budget: no effect of a hyperpolarising reset on accuracy detected/);
    expect(view.conclusions).toHaveLength(4);
    const silent = experimentView(results('hyperpolarize', [...runs, ...[1, 2].map((s) => run('reset-to-rest', s, [0.1, 0.1], 0))].filter((x) => x.variant === 'reset-to-rest' && x.firingRate.neuron0 === 0)));
    expect(silent.conclusions.at(-1)).toMatch(/^Did not start learning within 200 images: reset-to-rest \(10\.00%\): their output layer never fired/);
  });

  const committed = fileURLToPath(new URL('../results', import.meta.url));
  const files = existsSync(committed) ? readdirSync(committed).filter((d) => existsSync(join(committed, d, 'results.json'))) : [];
  // The results are committed (the Results page reads them): a missing file is a failure, not a skip.
  test('the committed results: every run of an experiment trained the same images in the same order', () => {
    expect(files.sort()).toEqual(['hyperpolarize', 'max-vs-avg', 'plif-vs-lif']);
    for (const dir of files) {
      const r = JSON.parse(readFileSync(join(committed, dir, 'results.json'), 'utf8')) as ExperimentResults;
      expect(r.experiment).toBe(dir);
      expect(new Set(r.runs.map((x) => x.images))).toEqual(new Set([r.setup.images]));
      expect(new Set(r.runs.map((x) => x.orderDigest)).size).toBe(1);
      // The page shows what the summary of these runs says, recomputed.
      expect(r.summary).toEqual(JSON.parse(JSON.stringify(summarize({ ...EXPERIMENTS[dir], variants: EXPERIMENTS[dir].variants.filter((v) => r.variants.some((x) => x.name === v.name)) }, r.runs))));
      expect(experimentView(r).rows).toHaveLength(r.summary.variants.length);
    }
  });

  const baselines: Array<[string, string]> = [['plif-vs-lif', 'plif-tau0-2'], ['max-vs-avg', 'max-pool'], ['hyperpolarize', 'reset-to-rest']];
  test('the committed results: the baseline network gives the same runs in every experiment', () => {
    expect(baselines.filter(([dir]) => !files.includes(dir))).toEqual([]);
    const runsOf = ([dir, variant]: [string, string]) => {
      const r = JSON.parse(readFileSync(join(committed, dir, 'results.json'), 'utf8')) as ExperimentResults;
      return r.runs.filter((x) => x.variant === variant).map((x) => [x.seed, x.testAccuracy, x.curve, x.firingRate, x.tau, x.orderDigest]);
    };
    const first = runsOf(baselines[0]);
    expect(first.length).toBeGreaterThan(0);
    for (const b of baselines.slice(1)) expect(runsOf(b)).toEqual(first);
    // What the page says of the tau = 16 arms follows from their output layers' firing.
    const plifVsLif = JSON.parse(readFileSync(join(committed, 'plif-vs-lif', 'results.json'), 'utf8')) as ExperimentResults;
    const silent = plifVsLif.summary.variants.filter((v) => Object.values(v.firingRate).at(-1) === 0).map((v) => v.variant);
    const line = experimentView(plifVsLif).conclusions.find((c) => c.startsWith('Did not start learning'));
    if (silent.length === 0) expect(line).toBeUndefined();
    else for (const v of silent) expect(line).toContain(v);
  });
});
