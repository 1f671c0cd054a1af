import { beforeAll, describe, expect, it } from 'vitest';
import { build, firingRate, rateLoss } from '@spikeflow/core';
import type { LayerSpec } from '@spikeflow/spec';
import { cpu, tf } from './setup.js';

const layers: LayerSpec[] = [
  { kind: 'conv2d', filters: 3, kernelSize: 3 },
  { kind: 'batchNorm' },
  { kind: 'neuron', neuron: 'plif', detachReset: true },
  { kind: 'pool', pool: 'max', size: 2 },
  { kind: 'flatten' },
  { kind: 'dense', units: 6 },
  { kind: 'neuron', neuron: 'lif' },
  { kind: 'voting', groups: 2 },
];

async function read(ts: tf.Tensor[]): Promise<number[][]> {
  return Promise.all(ts.map(async (t) => Array.from(await t.data())));
}

describe('encoders', () => {
  beforeAll(cpu);

  it('direct: running the static prefix once equals feeding the image at every step (values, gradients, BN statistics)', async () => {
    const T = 3;
    const direct = build({ input: { shape: [6, 6, 1] }, timeSteps: T, layers }, { seed: 4 });
    const sequence = build({ input: { shape: [6, 6, 1] }, timeSteps: T, encoder: { kind: 'sequence' }, layers }, { seed: 4 });
    const x = tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 5);
    const xs = tf.stack([x, x, x]); // [T, N, ...]
    const labels = tf.tensor1d([0, 1, 1, 0], 'int32');
    const lossOf = (net: typeof direct, input: tf.Tensor) => () => rateLoss('mse', firingRate(net.forward(input, { training: true }).output), labels);
    const a = tf.variableGrads(lossOf(direct, x), direct.trainableVariables());
    const b = tf.variableGrads(lossOf(sequence, xs), sequence.trainableVariables());
    expect((await a.value.data())[0]).toBeCloseTo((await b.value.data())[0], 6);
    const ga = await read(direct.trainableVariables().map((v) => a.grads[v.name]));
    const gb = await read(sequence.trainableVariables().map((v) => b.grads[v.name]));
    for (let i = 0; i < ga.length; i++) for (let j = 0; j < ga[i].length; j++) expect(ga[i][j]).toBeCloseTo(gb[i][j], 5);
    // Running statistics count the T copies too (unbiased variance over T*N*H*W).
    const stats = (net: typeof direct) => read(net.namedVariables().filter((v) => !v.trainable).map((v) => v.variable));
    const [sa, sb] = [await stats(direct), await stats(sequence)];
    for (let i = 0; i < sa.length; i++) for (let j = 0; j < sa[i].length; j++) expect(sa[i][j]).toBeCloseTo(sb[i][j], 6);
    direct.dispose();
    sequence.dispose();
  });

  it('sequence: takes [T, N, ...] and uses the input T', async () => {
    const net = build({ input: { shape: [4] }, timeSteps: 8, encoder: { kind: 'sequence' }, layers: [{ kind: 'neuron', neuron: 'if' }] });
    const x = tf.fill([5, 2, 4], 0.4); // IF, threshold 1: 0.4, 0.8, 1.2 (fires, resets to 0), 0.4, 0.8
    const out = net.forward(x).output;
    expect(out.shape).toEqual([5, 2, 4]);
    const s = await out.data();
    expect(Array.from(s.subarray(0, 4 * 2 * 5)).filter((_, i) => i % 8 === 0)).toEqual([0, 0, 1, 0, 0]);
    expect(() => net.forward(tf.zeros([2, 4]))).toThrow(/expected shape \[T, N, 4\], got \[2, 4\]/);
  });

  it('poisson: spikes are binary and fire at the input rate', async () => {
    const net = build({ input: { shape: [1000] }, timeSteps: 50, encoder: { kind: 'poisson' }, layers: [{ kind: 'dropout', rate: 0 }] });
    const x = tf.concat([tf.fill([1, 500], 0.2), tf.fill([1, 500], 0.8)], 1);
    const out = net.forward(x).output; // [T, 1, 1000]
    const d = await out.data();
    expect(Array.from(d).every((v) => v === 0 || v === 1)).toBe(true);
    const rate = await tf.mean(out, [0, 1]).data();
    const low = Array.from(rate.subarray(0, 500)).reduce((a, b) => a + b) / 500;
    const high = Array.from(rate.subarray(500)).reduce((a, b) => a + b) / 500;
    expect(low).toBeGreaterThan(0.18);
    expect(low).toBeLessThan(0.22);
    expect(high).toBeGreaterThan(0.78);
    expect(high).toBeLessThan(0.82);
  });
});

describe('losses and schedule', () => {
  beforeAll(cpu);
  it('MSE on the rate is the paper loss; cross-entropy uses the rate as logits', async () => {
    const rate = tf.tensor2d([[1, 0, 0.5], [0.25, 0.75, 0]]);
    const labels = tf.tensor1d([0, 1], 'int32');
    expect((await rateLoss('mse', rate, labels).data())[0]).toBeCloseTo((0 + 0 + 0.25 + 0.0625 + 0.0625 + 0) / 6, 6);
    const ce = (await rateLoss('crossEntropy', rate, labels).data())[0];
    const lse = (r: number[]) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0));
    expect(ce).toBeCloseTo(((lse([1, 0, 0.5]) - 1) + (lse([0.25, 0.75, 0]) - 0.75)) / 2, 5);
    expect(() => rateLoss('mse', rate, tf.tensor1d([0, 1, 2], 'int32'))).toThrow(/labels: expected shape \[2\], got \[3\]/);
  });

  it('cosine annealing follows PyTorch CosineAnnealingLR', async () => {
    const { cosineLearningRate } = await import('@spikeflow/core');
    const s = { kind: 'cosine' as const, tMax: 64 };
    expect(cosineLearningRate(1e-3, 0, s)).toBe(1e-3);
    expect(cosineLearningRate(1e-3, 32, s)).toBeCloseTo(5e-4, 12);
    expect(cosineLearningRate(1e-3, 64, s)).toBeCloseTo(0, 12);
    expect(cosineLearningRate(1e-3, 16, { ...s, etaMin: 1e-4 })).toBeCloseTo(1e-4 + 0.9e-3 * (1 + Math.cos(Math.PI / 4)) / 2, 12);
  });
});
