// The training batch norm op's WGSL kernels against a float64 oracle and against the reference
// (tfjs ops on webgpu): y, batch statistics and the three gradients.
import { describe, expect, it } from 'vitest';
import { BATCH_NORM_TRAIN_GRAD_KERNEL, batchNormImplementation, batchNormTrain } from '@spikeflow/core/backend';
import { noGpu, tf } from './gpu.js';
import { BATCH_NORM_OUTPUTS, batchNormInputs, batchNormOracle, relError, type BatchNormCase } from '@spikeflow/test-support/batch-norm-cases';

type Case = BatchNormCase;
const cases: Case[] = [
  { name: 'rows x channels, odd sizes', shape: [7, 3] },
  { name: 'NHWC conv output, T folded into the batch', shape: [6, 5, 7, 5] },
  { name: 'one row (zero variance)', shape: [1, 6] },
  { name: 'large mean, small spread', shape: [4, 9, 2], offset: 1000, spread: 0.01 },
  { name: 'binary spikes', shape: [2, 4, 4, 8], spread: -1 },
  { name: 'wide layer', shape: [5, 130] },
  { name: 'many rows (several chunks per channel)', shape: [64, 14, 14, 32] },
];

async function run(c: Case, impl?: 'reference'): Promise<Float32Array[]> {
  const d = batchNormInputs(c);
  const [x, gamma, beta, w] = [tf.tensor(d.x, c.shape), tf.tensor1d(d.gamma), tf.tensor1d(d.beta), tf.tensor(d.w, c.shape)];
  const out = batchNormTrain(x, gamma, beta, 1e-5, impl);
  const f = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(xx, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5, impl).y, w)) as tf.Scalar;
  const grads = tf.grads(f)([x, gamma, beta]);
  const all = [out.y, out.mean, out.variance, ...grads];
  const data = await Promise.all(all.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, gamma, beta, w, ...all]);
  return data;
}

const names = BATCH_NORM_OUTPUTS;

describe.skipIf(noGpu)('batch norm for training on webgpu (WGSL kernels)', () => {
  it('setup() registered both kernels', () => {
    expect(batchNormImplementation('webgpu')).toBe('fused');
    expect(tf.getKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, 'webgpu')).toBeDefined();
  });
  it.each(cases)('fused = float64 oracle, and = reference: $name $shape', async (c) => {
    const fused = await run(c);
    const d = batchNormInputs(c);
    const exact = batchNormOracle(d.x, d.gamma, d.beta, d.w, d.C, 1e-5);
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
