// Adam's update on the wasm SIMD module (threaded build, two threads): bit for bit core's float64
// host loop, for counts that are and are not a multiple of 4, on one thread and split across two.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { adamUpdate, adamUpdateHost } from '@spikeflow/core/backend';
import { wasmAdamSimdUpdates } from '../src/kernels/adam.js';
import { randomValues, useTwoThreads } from './helpers.js';

useTwoThreads();

describe('Adam on the wasm SIMD module', () => {
  it.each([
    { name: '4096 values, one thread', n: 4096 },
    { name: '70001 values, two threads and a host-loop tail', n: 70001 },
    { name: '3 values: the host loop alone', n: 3 },
  ])('equals the host loop bit for bit: $name', ({ n }) => {
    const value = randomValues(n, 1);
    const gradient = randomValues(n, 2).map((g, i) => (i % 7 === 0 ? g * 1e-6 : g));
    const m = randomValues(n, 3).map((x) => x * 0.1);
    const v = randomValues(n, 4).map((x) => Math.abs(x) * 0.01);
    const attrs = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    const [c1, c2] = [Math.fround(1 - 0.9 ** 3), Math.fround(1 - 0.999 ** 3)];
    const before = wasmAdamSimdUpdates();
    const got = tf.tidy(() => adamUpdate(tf.tensor1d(value), tf.tensor1d(gradient), tf.tensor1d(m), tf.tensor1d(v), tf.scalar(c1), tf.scalar(c2), attrs)
      .map((t) => t.dataSync() as Float32Array));
    expect(wasmAdamSimdUpdates() - before).toBe(n >= 4 ? 1 : 0);
    const want = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    adamUpdateHost(value, gradient, m, v, c1, c2, attrs.learningRate, attrs.beta1, attrs.beta2, attrs.epsilon, want[0], want[1], want[2]);
    ['value', 'm', 'v'].forEach((name, i) => expect(got[i], name).toEqual(want[i]));
    expect(got[0]).not.toEqual(value); // the update moved the weights
  });
});
