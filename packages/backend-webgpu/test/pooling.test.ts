import { describe, expect, it } from 'vitest';
import { maxPool } from '@spikeflow/pooling';
import { noGpu, tf } from './gpu.js';

const window = { size: [2, 2] as [number, number], stride: [2, 2] as [number, number], padding: 'valid' as const };

describe.skipIf(noGpu)('max pooling on spikes, on webgpu', () => {
  // Windows [1 1 / 1 0], [0 1 / 1 1], [0 0 / 0 1], [0 0 / 0 0]: ties everywhere.
  const spikes = [1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0];
  const firstMax = [1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 4, 0, 0, 3, 0, 0];

  it('setup() made tfjs\'s maxPool gradient route to the first maximum (one dispatch each way)', async () => {
    const x = tf.tensor4d(spikes, [1, 4, 4, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]))))(x);
    expect(Array.from(await g.data())).toEqual(firstMax);
  });

  it('the pooling plugin sends the gradient to the FIRST maximum of each window (row-major)', async () => {
    const x = tf.tensor4d(spikes, [1, 4, 4, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxPool.apply(t as tf.Tensor4D, window, {}), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]))))(x);
    expect(tf.getBackend()).toBe('webgpu');
    expect(Array.from(await g.data())).toEqual(firstMax);
  });

  it('overlapping windows keep tfjs\'s kernel (3x3 stride 1 gradient sums to one unit per window)', async () => {
    const x = tf.tensor4d(spikes, [1, 4, 4, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 3, 1, 'valid')))(x);
    expect(Array.from(await g.data()).reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('agrees with the cpu backend on random spike maps, values and gradients', async () => {
    const data = Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => ((i * 7919) % 13 < 5 ? 1 : 0));
    const upstream = Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => (i % 5) - 2);
    const run = async () => {
      const x = tf.tensor4d(data, [2, 8, 8, 3]);
      const up = tf.tensor4d(upstream, [2, 4, 4, 3]);
      const y = maxPool.apply(x, window, {});
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxPool.apply(t as tf.Tensor4D, window, {}), up)))(x);
      // + 0: the cpu multiplies zeros by negative gradients (-0), the kernel writes 0.
      return [Array.from(await y.data()), Array.from(await g.data(), (v) => v + 0)];
    };
    const gpu = await run();
    await tf.setBackend('cpu');
    const cpu = await run();
    await tf.setBackend('webgpu');
    expect(gpu).toEqual(cpu);
  });
});
