// The one-pass finiteness check behind the training step's checks, on the threaded wasm build:
// NaN and infinities found wherever they are (first element, inside the SIMD scan on either
// thread, in the tail the loop checks), finite extremes accepted.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { allFinite } from '@spikeflow/core/backend';
import { wasmAllFiniteSimdScans } from '../src/kernels/all-finite.js';
import { randomValues, useTwoThreads } from './helpers.js';

useTwoThreads();

const check = (values: Float32Array, shape = [values.length]): boolean => tf.tidy(() => allFinite(tf.tensor(values, shape)).dataSync()[0] === 1);

describe('allFinite on wasm', () => {
  const n = 100_003; // scanned on two threads, the last 3 in the loop
  it.each([
    ['nothing wrong', -1, 0, true],
    ['NaN first', 0, Number.NaN, false],
    ['Infinity on the first thread', 1234, Number.POSITIVE_INFINITY, false],
    ['-Infinity on the second thread', 90_001, Number.NEGATIVE_INFINITY, false],
    ['NaN in the tail', n - 1, Number.NaN, false],
    ['the largest float32', 500, 3.4028234663852886e38, true],
    ['a subnormal', 77, 1e-40, true],
  ] as const)('%s', (_name, at, value, finite) => {
    const values = randomValues(n, 3);
    if (at >= 0) values[at] = value;
    const before = wasmAllFiniteSimdScans();
    expect(check(values, [1, n])).toBe(finite);
    expect(wasmAllFiniteSimdScans()).toBe(before + 1);
  });

  it('checks tensors shorter than a vector in the loop, and int32 tensors cast first', () => {
    expect(check(Float32Array.of(1, Number.NaN))).toBe(false);
    expect(check(Float32Array.of(1, 2, 3))).toBe(true);
    expect(tf.tidy(() => allFinite(tf.tensor1d([1, 2, 3, 4, 5], 'int32')).dataSync()[0])).toBe(1);
  });
});
