import { describe, expect, it } from 'vitest';
import { registry } from '@spikeflow/core';
import { webgpuMaxPool as maxPool } from '../src/index.js';
import { noGpu, tf } from './gpu.js';

const window = { size: [2, 2] as [number, number], stride: [2, 2] as [number, number], padding: 'valid' as const };

describe.skipIf(noGpu)('max pooling on spikes, on webgpu', () => {
  // Windows [1 1 / 1 0], [0 1 / 1 1], [0 0 / 0 1], [0 0 / 0 0]: ties everywhere.
  const spikes = [1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0];
  const firstMax = [1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 4, 0, 0, 3, 0, 0];

  it('setup() registered the webgpu max pooling plugin as "max"', () => {
    expect(registry.pools.get('max')).toBe(maxPool);
  });

  it('the pooling plugin sends the gradient to the FIRST maximum of each window (row-major)', async () => {
    const x = tf.tensor4d(spikes, [1, 4, 4, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxPool.apply(t as tf.Tensor4D, window, {}), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]))))(x);
    expect(tf.getBackend()).toBe('webgpu');
    expect(Array.from(await g.data())).toEqual(firstMax);
  });

  it('tfjs\'s own maxPool gradient on webgpu does not (so the plugin\'s routing is needed)', async () => {
    const x = tf.tensor4d(spikes, [1, 4, 4, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]))))(x);
    const got = Array.from(await g.data());
    // Same total (one unit per window), but tfjs picks the last maximum where there are ties.
    expect(got.reduce((a, b) => a + b, 0)).toBe(10);
    expect(got).not.toEqual(firstMax);
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
