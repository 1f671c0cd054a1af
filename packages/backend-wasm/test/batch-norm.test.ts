// The training batch norm kernels on wasm: the XNNPACK path (large tensors) against core's float64
// host loops, and the choice between the two.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { batchNormTrain, batchNormTrainGradHost, batchNormTrainHost } from '@spikeflow/core/backend';
import { statsFitFloat32, xnnpackBatchNormFits } from '../src/batch-norm-xnnpack.js';
import { randomValues, relativeError } from './helpers.js';

/** Counts calls of a wasm kernel (runWasm looks kernels up on every call). */
function countCalls(name: string): { count: number; restore: () => void } {
  const config = tf.getKernel(name, 'wasm')!;
  const original = config.kernelFunc;
  const counter = { count: 0, restore: () => void (config.kernelFunc = original) };
  config.kernelFunc = (args) => {
    counter.count++;
    return original(args);
  };
  return counter;
}

describe('batch norm for training on wasm: XNNPACK and host loops', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  let counter: ReturnType<typeof countCalls> | undefined;
  afterEach(() => counter?.restore());

  it('chooses XNNPACK for large tensors whose rows factor into pooling windows', () => {
    expect(xnnpackBatchNormFits(200704, 32)).toBe(true);
    expect(xnnpackBatchNormFits(5291, 8)).toBe(true); // 11 * 13 * 37
    expect(xnnpackBatchNormFits(7, 3)).toBe(false); // small: host loops
    expect(xnnpackBatchNormFits(1031 * 1033, 1)).toBe(false); // rows with no usable factors
    expect(statsFitFloat32([0.5, -3], [1, 0.04], 1e-5)).toBe(true);
    expect(statsFitFloat32([1000, 0], [1e-4, 1], 1e-5)).toBe(false);
    expect(statsFitFloat32([Number.NaN], [1], 1e-5)).toBe(false);
  });

  it.each([
    { name: 'NHWC conv output, rows 11*13*37', shape: [37, 11, 13, 8], offset: 0.5, xnnpack: true },
    { name: 'large mean: float64 host loops', shape: [16, 32, 40], offset: 1000, xnnpack: false },
  ])('y, statistics and gradients equal the float64 host loops: $name', (c) => {
    const C = c.shape[c.shape.length - 1];
    const size = c.shape.reduce((a, b) => a * b, 1);
    const rows = size / C;
    const xv = randomValues(size, 5).map((v) => v * (c.offset > 100 ? 0.02 : 1) + c.offset);
    const gv = randomValues(C, 6).map((v) => v + 1);
    const bv = randomValues(C, 7);
    const wv = randomValues(size, 8);
    counter = countCalls('FusedDepthwiseConv2D');
    const got = tf.tidy(() => {
      const [x, gamma, beta, w] = [tf.tensor(xv, c.shape), tf.tensor1d(gv), tf.tensor1d(bv), tf.tensor(wv, c.shape)];
      const { y, mean, variance } = batchNormTrain(x, gamma, beta, 1e-5);
      const grads = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(batchNormTrain(xx, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5).y, w)) as tf.Scalar)([x, gamma, beta]);
      return [y, mean, variance, ...grads].map((t) => t.dataSync() as Float32Array);
    });
    // Forward: a mean, a centring, a scaling; backward: one centring and two affine maps.
    if (c.xnnpack) expect(counter.count).toBeGreaterThanOrEqual(5);
    const y = new Float32Array(size);
    const mean = new Float32Array(C);
    const variance = new Float32Array(C);
    batchNormTrainHost(xv, gv, bv, 1e-5, rows, C, y, mean, variance);
    const dx = new Float32Array(size);
    const dgamma = new Float32Array(C);
    const dbeta = new Float32Array(C);
    batchNormTrainGradHost(wv, xv, mean, variance, gv, 1e-5, rows, C, dx, dgamma, dbeta);
    const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
    [y, mean, variance, dx, dgamma, dbeta].forEach((want, i) => expect(relativeError(want, got[i]), names[i]).toBeLessThan(2e-5));
  });
});
