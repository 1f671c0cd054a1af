// The training batch norm op's WGSL kernels against a float64 oracle and against the reference
// (tfjs ops on webgpu): y, batch statistics and the three gradients.
import { describe, expect, it } from 'vitest';
import { BATCH_NORM_TRAIN_GRAD_KERNEL, batchNormImplementation, batchNormTrain } from '@spikeflow/core';
import { noGpu, tf } from './gpu.js';

function values(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

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
  { name: 'NHWC conv output, T folded into the batch', shape: [6, 5, 7, 5] },
  { name: 'one row (zero variance)', shape: [1, 6] },
  { name: 'large mean, small spread', shape: [4, 9, 2], offset: 1000, spread: 0.01 },
  { name: 'binary spikes', shape: [2, 4, 4, 8], spread: -1 },
  { name: 'wide layer', shape: [5, 130] },
  { name: 'many rows (several chunks per channel)', shape: [64, 14, 14, 32] },
];

function inputs(c: Case) {
  const size = c.shape.reduce((a, b) => a * b, 1);
  const C = c.shape[c.shape.length - 1];
  let xv = values(size, 11, -(c.spread ?? 1), c.spread ?? 1).map((v) => v + (c.offset ?? 0));
  if (c.spread === -1) xv = values(size, 11).map((v) => (v > 0.4 ? 1 : 0));
  return { x: xv, gamma: values(C, 12, 0.5, 1.5), beta: values(C, 13), w: values(size, 14), C };
}

async function run(c: Case, impl?: 'reference'): Promise<Float32Array[]> {
  const d = inputs(c);
  const [x, gamma, beta, w] = [tf.tensor(d.x, c.shape), tf.tensor1d(d.gamma), tf.tensor1d(d.beta), tf.tensor(d.w, c.shape)];
  const out = batchNormTrain(x, gamma, beta, 1e-5, impl);
  const f = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(xx, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5, impl).y, w)) as tf.Scalar;
  const grads = tf.grads(f)([x, gamma, beta]);
  const all = [out.y, out.mean, out.variance, ...grads];
  const data = await Promise.all(all.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, gamma, beta, w, ...all]);
  return data;
}

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
  const dx = xhat.map((h, i) => (gamma[i % C] / Math.sqrt(variance[i % C] + eps)) * (w[i] - dbeta[i % C] / R - (h * dgamma[i % C]) / R));
  return [y, mean, variance, dx, dgamma, dbeta];
}

const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];

describe.skipIf(noGpu)('batch norm for training on webgpu (WGSL kernels)', () => {
  it('setup() registered both kernels', () => {
    expect(batchNormImplementation('webgpu')).toBe('fused');
    expect(tf.getKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, 'webgpu')).toBeDefined();
  });
  it.each(cases)('fused = float64 oracle, and = reference: $name $shape', async (c) => {
    const fused = await run(c);
    const d = inputs(c);
    const exact = oracle(d.x, d.gamma, d.beta, d.w, d.C, 1e-5);
    // At a mean of 1000 the gradient kernel gets the mean rounded to float32 (ulp 6.1e-5): xhat is
    // then off by up to 3.1e-5 / std (0.0058) = 5.3e-3, and dgamma = sum dy xhat by that times
    // |dbeta| (<= 6 here). The forward shifts its sums by x[0, c] and stays within 1e-4.
    const bound = (i: number) => (c.offset ? (i < 3 ? 1e-4 : 0.04) : 2e-5);
    exact.forEach((e, i) => expect(relError(e, fused[i]), `${names[i]} vs float64`).toBeLessThan(bound(i)));
    if (c.offset) return; // the reference's own float32 error exceeds a useful bound at a large mean
    const reference = await run(c, 'reference');
    fused.forEach((f, i) => expect(relError(reference[i], f), names[i]).toBeLessThan(c.shape[0] === 1 ? 1e-4 : 2e-5));
  });
});
