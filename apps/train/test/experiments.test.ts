import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '@spikeflow/core';
import '../src/cli.js';
import { summarize, verdictOf, type RunEntry } from '../src/experiment/summary.js';
import { twoSidedP, welch } from '../src/experiment/stats.js';
import { EXPERIMENTS, main, PRESETS } from '../src/index.js';

const neuronLayers = (layers: Array<Record<string, unknown>>) => layers.filter((l) => l.kind === 'neuron');

describe('experiments', () => {
  const base = PRESETS['fashion-mnist-quick'].model;

  it('plif-vs-lif: PLIF tau0 2, 4 and 16 against LIF tau 2, 4 and 16, on every neuron layer', () => {
    const models = EXPERIMENTS['plif-vs-lif'].variants.map((v) => validate(v.apply(base)));
    expect(EXPERIMENTS['plif-vs-lif'].variants.map((v) => v.name)).toEqual(['plif-tau0-2', 'plif-tau0-4', 'plif-tau0-16', 'lif-tau-2', 'lif-tau-4', 'lif-tau-16']);
    const kinds = models.map((m) => neuronLayers(m.layers).map((l) => [l.neuron, l.initTau ?? l.tau]));
    expect(kinds).toEqual([2, 4, 16].flatMap((t) => [Array(4).fill(['plif', t])]).concat([2, 4, 16].map((t) => Array(4).fill(['lif', t]))));
    expect(EXPERIMENTS['plif-vs-lif'].comparisons).toEqual([2, 4, 16].map((t) => ({ a: `plif-tau0-${t}`, b: `lif-tau-${t}` })));
  });

  it('max-vs-avg: every pooling layer switches', () => {
    const models = EXPERIMENTS['max-vs-avg'].variants.map((v) => validate(v.apply(base)));
    expect(models.map((m) => m.layers.filter((l) => l.kind === 'pool').map((l) => l.pool))).toEqual([
      ['max', 'max'],
      ['avg', 'avg'],
    ]);
  });

  it('hyperpolarize: vRest 0 with vReset 0, -0.25, -0.5 and -1', () => {
    const models = EXPERIMENTS.hyperpolarize.variants.map((v) => validate(v.apply(base)));
    expect(models.map((m) => neuronLayers(m.layers).map((l) => [l.vRest, l.vReset])[0])).toEqual([
      [0, 0],
      [0, -0.25],
      [0, -0.5],
      [0, -1],
    ]);
    // Everything else stays the preset's.
    expect(models.every((m) => neuronLayers(m.layers).every((l) => l.neuron === 'plif' && l.initTau === 2))).toBe(true);
  });
});

describe('experiment statistics', () => {
  it("Welch's t-test matches SciPy's ttest_ind(equal_var=False)", () => {
    // scipy.stats.ttest_ind([1,2,3,4], [3,4,5,6,7], equal_var=False): t -2.6111648, df 6.9807692, p 0.0349388
    const r = welch([1, 2, 3, 4], [3, 4, 5, 6, 7])!;
    expect(r.t).toBeCloseTo(-2.6111648, 6);
    expect(r.df).toBeCloseTo(6.9807692, 6);
    expect(r.p).toBeCloseTo(0.0349388, 6);
    // 2 * scipy.stats.t.sf(2, 3) and 2 * t.sf(0.5, 1.5)
    expect(twoSidedP(2, 3)).toBeCloseTo(0.1393260, 6);
    expect(twoSidedP(0.5, 1.5)).toBeCloseTo(0.6805671, 6);
    expect(welch([1], [2, 3])).toBeUndefined();
  });

  const entry = (variant: string, seed: number, acc: number, rate = 0.1): RunEntry => ({
    variant,
    note: variant,
    seed,
    testAccuracy: acc,
    testSamples: 100,
    curve: [
      { images: 50, testAccuracy: acc - 0.1 },
      { images: 100, testAccuracy: acc },
    ],
    firingRate: { neuron0: rate, neuron1: rate / 2 },
    tau: { neuron0: 2.5 },
    tauLearned: true,
    images: 100,
    minutes: 1,
    imagesPerSecond: 10,
    orderDigest: 'x',
  });

  it('says "no difference detected" when the seeds overlap, and names the higher variant when they do not', () => {
    const exp = EXPERIMENTS['max-vs-avg'];
    const overlap = summarize(exp, [entry('max-pool', 1, 0.8), entry('max-pool', 2, 0.82), entry('max-pool', 3, 0.78), entry('avg-pool', 1, 0.81), entry('avg-pool', 2, 0.79), entry('avg-pool', 3, 0.8)]);
    expect(overlap.variants.map((v) => [v.variant, v.testAccuracy.mean.toFixed(2), v.testAccuracy.std.toFixed(2)])).toEqual([
      ['max-pool', '80.00', '2.00'],
      ['avg-pool', '80.00', '1.00'],
    ]);
    expect(overlap.comparisons[0].verdict).toMatch(/^max-pool against avg-pool on final test accuracy: no difference detected \(\+0\.00 ± 1\.29 points, Welch's t = 0\.00, df = 2\.9, p = 1\.000\)\.$/);
    const apart = summarize(exp, [entry('max-pool', 1, 0.9), entry('max-pool', 2, 0.91), entry('max-pool', 3, 0.89), entry('avg-pool', 1, 0.7), entry('avg-pool', 2, 0.71), entry('avg-pool', 3, 0.69)]);
    expect(apart.comparisons[0].verdict).toMatch(/^max-pool is higher than avg-pool on final test accuracy \(\+20\.00 ± 0\.82 points, .*p < 0\.001\)\.$/);
    expect(verdictOf('a', 'b', 'final test accuracy', [1, 1], undefined)).toBe("a against b on final test accuracy: no test (Welch's t needs at least 2 seeds per variant; have 1 and 1).");
  });

  it('plif-vs-lif states the spread over tau of each group and the rule it judges it by', () => {
    const runs = ['plif-tau0-2', 'plif-tau0-4', 'plif-tau0-16', 'lif-tau-2', 'lif-tau-4', 'lif-tau-16'].flatMap((v, i) => [entry(v, 1, 0.8 + (i >= 3 ? 0.05 * (i - 3) : 0)), entry(v, 2, 0.801 + (i >= 3 ? 0.05 * (i - 3) : 0))]);
    const s = summarize(EXPERIMENTS['plif-vs-lif'], runs);
    expect(s.sensitivity?.map((g) => [g.group, g.spread.toFixed(2)])).toEqual([
      ['PLIF', '0.00'],
      ['LIF', '10.00'],
    ]);
    expect(s.sensitivity?.[0].verdict).toMatch(/^PLIF is less sensitive to tau than LIF \(spread PLIF 0\.00 points, LIF 10\.00 points; rule: a gap above twice the pooled seed std/);
  });
});

const fashionMnist = existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz');
if (!fashionMnist) console.warn('experiments.test.ts: the Fashion-MNIST order test is skipped: /usr/share/datasets/fashion-mnist is missing (Debian package dataset-fashion-mnist); the synthetic one runs everywhere.');

interface RunFileJson {
  run: RunEntry;
  indices: number[];
}

function runFiles(out: string): RunFileJson[] {
  return readdirSync(join(out, 'runs'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(out, 'runs', f), 'utf8')) as RunFileJson);
}

describe('spikeflow experiment: same images for every run', () => {
  const quiet = () => undefined;
  const common = ['--backend', 'wasm', '--threads', '1', '--time-steps', '1', '--batch-size', '16', '--progress', 'none'];

  it('every variant of hyperpolarize trains the same images in the same order (synthetic task, two epochs)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-exp-'));
    const code = await main(['experiment', 'hyperpolarize', '--preset', 'synthetic', '--images', '56', '--seeds', '1', '--train-limit', '40', '--test-limit', '16', '--curve-every', '32', '--out', out, ...common], quiet);
    expect(code).toBe(0);
    const files = runFiles(out);
    expect(files.map((f) => f.run.variant).sort()).toEqual(EXPERIMENTS.hyperpolarize.variants.map((v) => v.name).sort());
    // 40 images, then the first 16 of the second epoch (the last batch cut to fit 56).
    const expected = [...Array.from({ length: 40 }, (_, i) => i), ...Array.from({ length: 16 }, (_, i) => i)];
    for (const f of files) {
      expect(f.indices).toEqual(expected);
      expect(f.run.images).toBe(56);
      expect(f.run.curve.map((p) => p.images)).toEqual([32, 56]);
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.complete).toBe(true);
    expect(new Set(results.runs.map((r: RunEntry) => r.orderDigest)).size).toBe(1);
    expect(Object.keys(results.runs[0].firingRate)).toEqual(['neuron0', 'neuron1', 'neuron2', 'neuron3']);
    expect(Object.keys(results.runs[0].tau)).toEqual(['neuron0', 'neuron1', 'neuron2', 'neuron3']);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<polygon');
  }, 300_000);

  it('--checkpoint-every K (memory-lean BPTT) trains the same run', async () => {
    const args = (out: string) => ['experiment', 'max-vs-avg', '--preset', 'synthetic', '--variants', 'max-pool', '--images', '32', '--seeds', '1', '--train-limit', '32', '--test-limit', '16', '--out', out, ...common.filter((a, i, all) => a !== '--time-steps' && all[i - 1] !== '--time-steps')];
    const plain = mkdtempSync(join(tmpdir(), 'spikeflow-exp-'));
    const lean = mkdtempSync(join(tmpdir(), 'spikeflow-exp-'));
    expect(await main(args(plain), quiet)).toBe(0);
    expect(await main([...args(lean), '--checkpoint-every', '2'], quiet)).toBe(0);
    const [a] = runFiles(plain);
    const [b] = runFiles(lean);
    expect(b.run.testAccuracy).toBe(a.run.testAccuracy);
    for (const [layer, tau] of Object.entries(a.run.tau)) expect(b.run.tau[layer]).toBeCloseTo(tau, 5);
  }, 300_000);

  it.skipIf(!fashionMnist)('every variant and seed of max-vs-avg trains the same shuffled Fashion-MNIST images in the same order', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spikeflow-exp-'));
    const code = await main(['experiment', 'max-vs-avg', '--preset', 'fashion-mnist-quick', '--images', '80', '--seeds', '2', '--train-limit', '64', '--test-limit', '16', '--out', out, ...common], quiet);
    expect(code).toBe(0);
    const files = runFiles(out);
    expect(files.map((f) => `${f.run.variant}/${f.run.seed}`)).toEqual(['avg-pool/1', 'avg-pool/2', 'max-pool/1', 'max-pool/2']);
    const first = files[0].indices;
    expect(first).toHaveLength(80);
    // Epoch 1 is a shuffle of all 64 images, not their file order; epoch 2 starts another shuffle.
    expect([...first.slice(0, 64)].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(first.slice(0, 64)).not.toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(new Set(first.slice(64)).size).toBe(16);
    for (const f of files) {
      expect(f.indices).toEqual(first);
      expect(f.run.images).toBe(80);
    }
    // The weight seeds differ: so do the trained networks (PLIF's learned tau).
    expect(files[0].run.tau).not.toEqual(files[1].run.tau);
  }, 300_000);
});
