// The training batch norm kernels on the SIMD module, on the threaded wasm build (two threads, so
// the pool and the blocks' partial sums run): y, the statistics and the gradients against core's
// float64 host loops, for channel counts that take every group width, row counts that end in a
// partial block, and a mean far from zero next to the spread.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchNormTrain, batchNormTrainGradHost, batchNormTrainHost } from '@spikeflow/core/backend';
import { wasmBatchNormSimdCounts } from '../src/batch-norm-simd.js';
import { randomValues, relativeError, useTwoThreads } from './helpers.js';

useTwoThreads();

interface Case { name: string; rows: number; channels: number; offset: number; scale: number; simd: boolean }

/** y, mean, variance, dx, dgamma, dbeta on wasm, with dy = w (the gradient of sum(y * w)). */
function run(xv: Float32Array, gv: Float32Array, bv: Float32Array, wv: Float32Array, rows: number, channels: number): Float32Array[] {
  return tf.tidy(() => {
    const [x, gamma, beta, w] = [tf.tensor2d(xv, [rows, channels]), tf.tensor1d(gv), tf.tensor1d(bv), tf.tensor2d(wv, [rows, channels])];
    const { y, mean, variance } = batchNormTrain(x, gamma, beta, 1e-5);
    const grads = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(batchNormTrain(xx, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5).y, w)) as tf.Scalar)([x, gamma, beta]);
    return [y, mean, variance, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

describe('batch norm for training on the wasm SIMD module', () => {
  it.each<Case>([
    { name: '32 channels (two groups of 16), 5000 rows on two threads', rows: 5000, channels: 32, offset: 0.3, scale: 2, simd: true },
    { name: '20 channels (a group of 16 and one of 4), 300 rows', rows: 300, channels: 20, offset: -1, scale: 1, simd: true },
    { name: '8 channels (one group of 8), 4100 rows', rows: 4100, channels: 8, offset: 0, scale: 0.5, simd: true },
    { name: 'mean 70 times the spread: statistics about the first row', rows: 3000, channels: 12, offset: 20, scale: 1, simd: true },
    { name: 'mean 3000 times the spread: float64 host loops', rows: 1000, channels: 16, offset: 1000, scale: 1, simd: false },
    { name: '6 channels (not in fours): another kernel', rows: 700, channels: 6, offset: 0, scale: 1, simd: false },
  ])('y, statistics and gradients equal the float64 host loops: $name', (c) => {
    const { rows, channels } = c;
    const size = rows * channels;
    // uniform in [-0.5, 0.5): standard deviation ~0.29 * scale
    const xv = randomValues(size, 11).map((v) => v * c.scale + c.offset);
    const gv = randomValues(channels, 12).map((v) => v + 1);
    const bv = randomValues(channels, 13);
    const wv = randomValues(size, 14);
    const before = wasmBatchNormSimdCounts();
    const got = run(xv, gv, bv, wv, rows, channels);
    const after = wasmBatchNormSimdCounts();
    expect(after.forward - before.forward, 'forward passes on the module').toBe(c.simd ? 2 : 0); // one by tf.grads' forward
    expect(after.backward - before.backward, 'backward passes on the module').toBe(c.simd ? 1 : 0);

    const want = [new Float32Array(size), new Float32Array(channels), new Float32Array(channels)];
    batchNormTrainHost(xv, gv, bv, 1e-5, rows, channels, want[0], want[1], want[2]);
    const grads = [new Float32Array(size), new Float32Array(channels), new Float32Array(channels)];
    batchNormTrainGradHost(wv, xv, want[1], want[2], gv, 1e-5, rows, channels, grads[0], grads[1], grads[2]);
    const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
    [...want, ...grads].forEach((w, i) => expect(relativeError(w, got[i]), names[i]).toBeLessThan(2e-5));
  });

  it('gives the same bits on every run (block sums added in block order)', () => {
    const rows = 4500;
    const channels = 16;
    const xv = randomValues(rows * channels, 21);
    const gv = randomValues(channels, 22).map((v) => v + 1);
    const bv = randomValues(channels, 23);
    const wv = randomValues(rows * channels, 24);
    const first = run(xv, gv, bv, wv, rows, channels);
    const second = run(xv, gv, bv, wv, rows, channels);
    first.forEach((a, i) => expect(second[i]).toEqual(a));
  });
});
