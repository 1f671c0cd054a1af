import { describe, expect, it } from 'vitest';
import { noGpu, tf } from './gpu.js';

describe.skipIf(noGpu)('addN of more tensors than one program can bind', () => {
  it('gives the sums, and the tensors made after it keep their values', async () => {
    for (const n of [2, 7, 8, 9, 16, 50]) {
      const parts = Array.from({ length: n }, (_, i) => tf.add(tf.fill([4], i), 0));
      const sum = tf.addN(parts);
      const after = tf.add(tf.fill([4], 100), 0);
      expect(Array.from(await sum.data())).toEqual(new Array(4).fill((n * (n - 1)) / 2));
      expect(Array.from(await after.data())).toEqual([100, 100, 100, 100]);
      tf.dispose([...parts, sum, after]);
    }
  });
});
