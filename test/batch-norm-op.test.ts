// The training batch norm op: the fused kernels of cpu and wasm against the reference (tfjs ops
// differentiated by tfjs), and the reference's closed-form backward against tfjs's autograd.
// Values, batch statistics, all three gradients, and a network's running statistics after steps.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@spikeflow/backend-cpu';
import '@spikeflow/backend-wasm';
import {
  BATCH_NORM_TRAIN_GRAD_KERNEL,
  BATCH_NORM_TRAIN_KERNEL,
  Trainer,
  batchNormImplementation,
  batchNormHostLoops,
  batchNormTrain,
  batchNormTrainGrad,
  build,
  use,
  type ModelSpec,
} from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';

use(neurons, surrogates, pools);

/** Deterministic values in [lo, hi) (an LCG: enough to vary every element). */
function values(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

/** max |a - b| over max(1, max |a|). */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(b.length).toBe(a.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}

interface Case { name: string; shape: number[]; offset?: number; spread?: number }
const cases: Case[] = [
  { name: 'rows x channels, odd sizes', shape: [7, 3] },
  { name: 'NHWC conv output', shape: [3, 5, 7, 5] },
  { name: 'one row (zero variance)', shape: [1, 6] },
  { name: 'large mean, small spread', shape: [4, 9, 2], offset: 1000, spread: 0.01 },
  { name: 'binary spikes', shape: [2, 4, 4, 8], spread: -1 },
  { name: 'wide layer (plain loops, not unrolled)', shape: [5, 130] },
];

function inputs(c: Case) {
  const size = c.shape.reduce((a, b) => a * b, 1);
  const C = c.shape[c.shape.length - 1];
  let xv = values(size, 11, -(c.spread ?? 1), c.spread ?? 1).map((v) => v + (c.offset ?? 0));
  if (c.spread === -1) xv = values(size, 11).map((v) => (v > 0.4 ? 1 : 0));
  return {
    x: tf.tensor(xv, c.shape),
    gamma: tf.tensor1d(values(C, 12, 0.5, 1.5)),
    beta: tf.tensor1d(values(C, 13)),
    w: tf.tensor(values(size, 14), c.shape), // a loss weight per element, so dy varies
  };
}

/** y, mean, variance and the gradients of sum(y * w) w.r.t. x, gamma, beta. */
function run(c: Case, impl?: 'reference') {
  return tf.tidy(() => {
    const { x, gamma, beta, w } = inputs(c);
    const out = batchNormTrain(x, gamma, beta, 1e-5, impl);
    const f = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(batchNormTrain(xx, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5, impl).y, w)) as tf.Scalar;
    const grads = tf.grads(f)([x, gamma, beta]);
    return [out.y, out.mean, out.variance, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

/** y, mean, biased variance and the gradients of sum(y * w) in float64: the oracle. */
function oracle(x: Float32Array, gamma: Float32Array, beta: Float32Array, w: Float32Array, C: number, eps: number) {
  const R = x.length / C;
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  for (let i = 0; i < x.length; i++) mean[i % C] += x[i] / R;
  for (let i = 0; i < x.length; i++) variance[i % C] += (x[i] - mean[i % C]) ** 2 / R;
  const xhat = Array.from(x, (v, i) => (v - mean[i % C]) / Math.sqrt(variance[i % C] + eps));
  const y = xhat.map((h, i) => h * gamma[i % C] + beta[i % C]);
  for (let i = 0; i < x.length; i++) {
    dbeta[i % C] += w[i];
    dgamma[i % C] += w[i] * xhat[i];
  }
  const dx = xhat.map((h, i) => {
    const c = i % C;
    return (gamma[c] / Math.sqrt(variance[c] + eps)) * (w[i] - dbeta[c] / R - (h * dgamma[c]) / R);
  });
  return [y, mean, variance, dx, dgamma, dbeta];
}

// The reference's float32 rounding of x - mean is magnified by 1/std: 316 for a zero variance (eps 1e-5).
const tolerance = (c: Case) => (c.shape[0] === 1 ? 1e-4 : 2e-5);
const TOL = 2e-5;
const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`batch norm for training on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    it('runs the fused kernels there', () => {
      expect(batchNormImplementation(backend)).toBe('fused');
      expect([batchNormHostLoops(32), batchNormHostLoops(130)]).toEqual(['unrolled', 'plain']);
      expect(tf.getKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, backend)).toBeDefined();
    });

    it.each(cases)('fused = float64 oracle, and = reference: $name $shape', (c) => {
      const fused = run(c);
      const [xd, gd, bd, wd] = tf.tidy(() => Object.values(inputs(c)).map((t) => t.dataSync() as Float32Array));
      const exact = oracle(xd, gd, bd, wd, gd.length, 1e-5);
      exact.forEach((e, i) => expect(relError(e, fused[i]), `${names[i]} vs float64`).toBeLessThan(c.offset ? 1e-4 : TOL));
      // The reference's own float32 error exceeds any useful bound for a large mean; skip only that case.
      if (c.offset) return;
      const reference = run(c, 'reference');
      fused.forEach((f, i) => expect(relError(reference[i], f), names[i]).toBeLessThan(tolerance(c)));
    });

    it.each(cases)('closed-form backward = autograd of the reference: $name $shape', (c) => {
      const [ref, closed] = [false, true].map((closedForm) => tf.tidy(() => {
        const { x, gamma, beta, w } = inputs(c);
        const C = c.shape[c.shape.length - 1];
        if (!closedForm) {
          const f = (xx: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(xx, g as tf.Tensor1D, beta, 1e-5, 'reference').y, w)) as tf.Scalar;
          return tf.grads(f)([x, gamma]).map((t) => t.dataSync() as Float32Array);
        }
        const { mean, variance } = batchNormTrain(x, gamma, beta, 1e-5, 'reference');
        const x2 = tf.reshape(x, [-1, C]) as tf.Tensor2D;
        const r = batchNormTrainGrad(tf.reshape(w, [-1, C]) as tf.Tensor2D, x2, mean, variance, gamma, 1e-5, 'reference');
        return [r.dx, r.dgamma].map((t) => t.dataSync() as Float32Array);
      }));
      ref.forEach((r, i) => expect(relError(r, closed[i]), names[3 + i]).toBeLessThan(c.offset ? 0.05 : tolerance(c)));
    });

    it('rejects a gamma that does not match the channel axis, naming it', () => {
      expect(() => tf.tidy(() => {
        batchNormTrain(tf.zeros([4, 3]), tf.ones([2]), tf.zeros([3]), 1e-5);
      })).toThrow(/gamma must have shape \[3\]/);
    });

    it('a network trains the same with the fused kernels as with the reference: weights and running statistics', () => {
      const spec: ModelSpec = {
        format: 'spikeflow.model/v1',
        name: 'bn-net',
        input: { shape: [6, 6, 2] },
        timeSteps: 3,
        layers: [
          // No conv bias: batch norm cancels it, so its gradient is rounding noise that Adam magnifies.
          { kind: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', useBias: false },
          { kind: 'batchNorm' },
          { kind: 'neuron', neuron: 'plif' },
          { kind: 'conv2d', filters: 5, kernelSize: 3, padding: 'valid', useBias: false },
          { kind: 'batchNorm', momentum: 0.2 },
          { kind: 'neuron', neuron: 'plif' },
          { kind: 'flatten' },
          { kind: 'dense', units: 10 },
          { kind: 'neuron', neuron: 'plif' },
        ],
      } as unknown as ModelSpec;
      const trainTwice = () => {
        const net = build(spec, { seed: 3 });
        const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 0.01 }, loss: 'mse' });
        const xs = tf.tensor(values(4 * 6 * 6 * 2, 21, 0, 1), [4, 6, 6, 2]);
        const ys = tf.tensor1d([1, 3, 5, 7], 'int32');
        for (let i = 0; i < 2; i++) {
          const r = trainer.trainStep(xs, ys);
          tf.dispose([r.loss, r.rate]);
        }
        const out = Object.fromEntries(net.layers.flatMap((l) => l.variables).map((v) => [v.name, v.variable.dataSync() as Float32Array]));
        tf.dispose([xs, ys]);
        trainer.dispose();
        net.dispose();
        return out;
      };
      const fused = trainTwice();
      const kernels = [BATCH_NORM_TRAIN_KERNEL, BATCH_NORM_TRAIN_GRAD_KERNEL].map((k) => tf.getKernel(k, backend)!);
      for (const k of kernels) tf.unregisterKernel(k.kernelName, backend);
      let reference: Record<string, Float32Array>;
      try {
        expect(batchNormImplementation(backend)).toBe('reference');
        reference = trainTwice();
      } finally {
        for (const k of kernels) tf.registerKernel(k);
      }
      expect(Object.keys(fused)).toContain('batchNorm1/movingVariance');
      for (const [name, v] of Object.entries(reference)) expect(relError(v, fused[name]), name).toBeLessThan(1e-4);
      // The running statistics moved off their initial values.
      expect(Array.from(fused['batchNorm1/movingMean']).some((m) => Math.abs(m) > 1e-4)).toBe(true);
    });
  });
}
