import { describe, expect, it } from 'vitest';
import { foldTile } from '../src/tile-patch.js';
import { noGpu, tf } from './gpu.js';

describe('rank-5 tile on the GPU', () => {
  it('folds axes repeated once into the axis before them', () => {
    expect(foldTile([1, 3, 4, 4, 2], [5, 1, 1, 1, 1])).toEqual({ shape: [96], reps: [5] });
    expect(foldTile([2, 3, 1, 4, 2], [1, 2, 1, 3, 1])).toEqual({ shape: [2, 3, 8], reps: [1, 2, 3] });
    expect(foldTile([2, 3, 4, 5, 6], [2, 2, 2, 2, 2])).toEqual({ shape: [2, 3, 4, 5, 6], reps: [2, 2, 2, 2, 2] });
  });

  it.skipIf(noGpu)('gives the cpu backend\'s values without a synchronous read', async () => {
    const backend = tf.backend() as unknown as { readSync: (id: unknown) => unknown; tensorMap: { get(id: unknown): { values?: unknown } } };
    const readSync = backend.readSync;
    let reads = 0;
    backend.readSync = (id) => {
      // Reading data that is still on the CPU is free; one that lives on the GPU would stall (or throw in Node).
      if (!backend.tensorMap.get(id).values) reads++;
      return readSync.call(backend, id);
    };
    try {
      const values = Array.from({ length: 2 * 3 * 8 * 8 * 3 }, (_, i) => i);
      const run = async (reps: number[]) => {
        // Through a GPU op first, so the data lives on the GPU (where a sync read would be needed).
        const x = tf.add(tf.tensor(values, [2, 3, 8, 8, 3]), 0);
        return Array.from(await tf.tile(x, reps).data());
      };
      const cases = [[4, 1, 1, 1, 1], [1, 2, 1, 3, 1], [2, 1, 1, 1, 2]];
      const gpu = [];
      for (const r of cases) gpu.push(await run(r));
      backend.readSync = readSync;
      await tf.setBackend('cpu');
      const cpu = [];
      for (const r of cases) cpu.push(await run(r));
      await tf.setBackend('webgpu');
      expect(gpu).toEqual(cpu);
      expect(reads).toBe(0);
    } finally {
      backend.readSync = readSync;
    }
  });
});
