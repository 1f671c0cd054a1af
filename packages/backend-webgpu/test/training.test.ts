import { describe, expect, it } from 'vitest';
import { build, Trainer } from '@spikeflow/core';
import { syntheticDataset } from '@spikeflow/datasets';
import { noGpu, tf } from './gpu.js';

interface BufferStats { numBytesAllocated: number; numUsedBuffers: number }

const plif = { kind: 'neuron', neuron: 'plif', detachReset: true, surrogate: { kind: 'atan' } } as const;

describe.skipIf(noGpu)('training a small CSNN on webgpu', () => {
  it('makes no synchronous read, and neither tensors nor GPU buffers grow from step to step', async () => {
    const backend = tf.backend() as unknown as { readSync: (id: unknown) => unknown; bufferManager: BufferStats; tensorMap: { get(id: unknown): { values?: unknown } } };
    let syncReads = 0;
    const readSync = backend.readSync.bind(backend);
    backend.readSync = (id) => {
      // Only reads of data that lives on the GPU stall the queue (and throw in Node).
      if (!backend.tensorMap.get(id).values) syncReads++;
      return readSync(id);
    };
    try {
      const net = build({
        input: { shape: [8, 8, 1] },
        timeSteps: 4,
        layers: [
          { kind: 'conv2d', filters: 4, kernelSize: 3, padding: 'same' },
          { kind: 'batchNorm' },
          plif,
          { kind: 'pool', pool: 'max', size: 2 },
          { kind: 'flatten' },
          { kind: 'dense', units: 10 },
          plif,
        ],
      }, { seed: 1 });
      const data = syntheticDataset({ numClasses: 10, shape: [8, 8, 1], samples: 16, seed: 2 });
      const trainer = new Trainer(net, { optimizer: { kind: 'sgd', learningRate: 0.5, momentum: 0.9 } });
      const w0 = Array.from(await net.trainableVariables()[0].data());
      const snapshot = () => ({ tensors: tf.memory().numTensors, bytes: backend.bufferManager.numBytesAllocated, used: backend.bufferManager.numUsedBuffers });
      const losses: number[] = [];
      let after3 = snapshot();
      for (let step = 0; step < 10; step++) {
        const { loss, rate } = trainer.trainStep(data.x, data.labels);
        losses.push((await loss.data())[0]);
        tf.dispose([loss, rate]);
        if (step === 2) after3 = snapshot();
      }
      const after10 = snapshot();
      expect(syncReads).toBe(0);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(Array.from(await net.trainableVariables()[0].data())).not.toEqual(w0);
      expect(after10.tensors).toBe(after3.tensors);
      expect(after10.used).toBe(after3.used);
      expect(after10.bytes).toBe(after3.bytes);
      net.dispose();
      data.x.dispose();
      data.labels.dispose();
    } finally {
      backend.readSync = readSync;
    }
  });
});
