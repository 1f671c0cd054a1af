import { beforeAll, describe, expect, it } from 'vitest';
import { avgPool, firstMaxPool, maxPool } from '@spikeflow/pooling';
import { cpu, tf } from './setup.js';

const window = (k: number, s = k, padding: 'same' | 'valid' = 'valid') => ({ size: [k, k] as [number, number], stride: [s, s] as [number, number], padding });

describe('max pooling on spikes', () => {
  beforeAll(cpu);

  const pools: Array<[string, (x: tf.Tensor4D) => tf.Tensor4D]> = [
    ['the plugin (tfjs-cpu MaxPoolGrad)', (x) => maxPool.apply(x, window(2), {})],
    ['the portable first-max backward', (x) => firstMaxPool(x, window(2))],
  ];
  it.each(pools)('%s sends the gradient to the FIRST maximum of each window (row-major), as PyTorch', async (_, pool) => {
    // One 4x4 spike map, windows of 2x2 with ties: [1 1 / 1 0], [0 1 / 1 1], [0 0 / 0 1], [0 0 / 0 0]
    const x = tf.tensor4d([1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0], [1, 4, 4, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor4D), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]))))(x);
    expect(Array.from(await g.data())).toEqual([
      1, 0, 0, 2,
      0, 0, 0, 0,
      // all-zero window (bottom right): the first element takes it
      0, 0, 4, 0,
      0, 3, 0, 0,
    ]);
  });

  it('both backward paths agree on random spike maps with many ties', async () => {
    const x = tf.cast(tf.greater(tf.randomUniform([3, 8, 10, 4], 0, 1, 'float32', 11), 0.5), 'float32') as tf.Tensor4D;
    const dy = tf.randomNormal([3, 4, 5, 4], 0, 1, 'float32', 12);
    const grad = (pool: (t: tf.Tensor4D) => tf.Tensor4D) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor4D), dy)))(x);
    const a = Array.from(await grad(pools[0][1]).data());
    const b = Array.from(await grad(pools[1][1]).data());
    const diff = a.map((v, i) => [i, v, b[i]]).filter(([, u, w]) => u !== w);
    expect(diff.slice(0, 6)).toEqual([]);
  });

  it('matches tf.maxPool forward, and crops odd sizes like it (7x7 -> 3x3)', async () => {
    const x = tf.cast(tf.greater(tf.randomUniform([2, 7, 7, 3], 0, 1, 'float32', 1), 0.6), 'float32') as tf.Tensor4D;
    const ours = firstMaxPool(x, window(2));
    expect(ours.shape).toEqual([2, 3, 3, 3]);
    expect(Array.from(await ours.data())).toEqual(Array.from(await tf.maxPool(x, 2, 2, 'valid').data()));
    const g = tf.grad((t: tf.Tensor) => tf.sum(firstMaxPool(t as tf.Tensor4D, window(2))))(x);
    const gd = await g.data();
    // One unit of gradient per window that has a spike, nothing in the cropped last row/column.
    const windowsWithSpike = (await tf.sum(tf.maxPool(x, 2, 2, 'valid')).data())[0];
    const total = Array.from(gd).reduce((a, b) => a + b, 0);
    expect(total).toBe(9 * 2 * 3);
    expect(windowsWithSpike).toBeLessThanOrEqual(total);
    const g4 = g.reshape([2, 7, 7, 3]);
    expect(Array.from(await g4.slice([0, 6, 0, 0], [2, 1, 7, 3]).data()).every((v) => v === 0)).toBe(true);
  });

  it('falls back to tf.maxPool for overlapping windows (3x3 stride 2, same)', async () => {
    const x = tf.randomUniform([1, 6, 6, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = maxPool.apply(x, window(3, 2, 'same'), {});
    expect(Array.from(await y.data())).toEqual(Array.from(await tf.maxPool(x, 3, 2, 'same').data()));
  });
});

describe('average pooling', () => {
  beforeAll(cpu);
  it('averages each window and spreads the gradient evenly', async () => {
    const x = tf.tensor4d([1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0], [1, 4, 4, 1]);
    expect(Array.from(await avgPool.apply(x, window(2), {}).data())).toEqual([0.75, 0.75, 0.25, 0]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(avgPool.apply(t as tf.Tensor4D, window(2), {})))(x);
    expect(Array.from(await g.data()).every((v) => v === 0.25)).toBe(true);
  });
});
