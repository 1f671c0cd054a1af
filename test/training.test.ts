import { beforeAll, describe, expect, it } from 'vitest';
import { build, correctCount, Trainer, type ModelSpec } from '@spikeflow/core';
import { syntheticDataset } from '@spikeflow/datasets';
import { cpu, tf } from './setup.js';

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;
const spec: ModelSpec = {
  input: { shape: [8, 8, 1] },
  timeSteps: 4,
  layers: [
    { kind: 'conv2d', filters: 8, kernelSize: 3, useBias: false },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 40, useBias: false },
    plif,
    { kind: 'voting', groups: 4 },
  ],
};

async function accuracy(trainer: Trainer, x: tf.Tensor, labels: tf.Tensor): Promise<number> {
  const rate = trainer.evaluate(x);
  const correct = correctCount(rate, labels);
  const n = (await correct.data())[0];
  tf.dispose([rate, correct]);
  return n / labels.shape[0];
}

describe('training a small PLIF CSNN on a synthetic task (cpu)', () => {
  beforeAll(cpu);

  it('reaches over 95% test accuracy, and both PLIF layers learn their w', async () => {
    const train = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 256, seed: 1 });
    const test = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 128, seed: 2 });
    const net = build(spec, { seed: 7 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 }, schedule: { kind: 'cosine', tMax: 6 } });
    const before = await net.neuronParameters();
    const batch = 32;
    for (let epoch = 0; epoch < 6; epoch++) {
      trainer.setEpoch(epoch);
      for (let i = 0; i < 256; i += batch) {
        const x = train.x.slice([i], [batch]);
        const y = train.labels.slice([i], [batch]);
        const { loss, rate } = trainer.trainStep(x, y);
        tf.dispose([x, y, loss, rate]);
      }
    }
    const acc = await accuracy(trainer, test.x, test.labels);
    const after = await net.neuronParameters();
    console.log(`synthetic test accuracy ${(acc * 100).toFixed(1)}%; tau before`, before, 'after', after);
    expect(acc).toBeGreaterThan(0.95);
    for (const layer of Object.keys(before)) {
      expect(Math.abs(after[layer].w - before[layer].w), `${layer} w moved`).toBeGreaterThan(1e-3);
      expect(after[layer].tau).toBeCloseTo(1 + Math.exp(-after[layer].w), 6);
    }
    tf.dispose([train.x, train.labels, test.x, test.labels]);
    trainer.dispose();
    net.dispose();
  });

  it('keeps tf.memory().numTensors the same after step 10 and step 200', async () => {
    const data = syntheticDataset({ numClasses: 4, shape: [8, 8, 1], samples: 16, seed: 3 });
    const net = build({ ...spec, layers: [...spec.layers.slice(0, 5), { kind: 'dropout', rate: 0.2 }, ...spec.layers.slice(5)] }, { seed: 1 });
    const trainer = new Trainer(net, { optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9 } });
    let at10 = -1;
    for (let step = 1; step <= 200; step++) {
      const { loss, rate } = trainer.trainStep(data.x, data.labels);
      if (step % 50 === 0) await loss.data(); // read metrics now and then, asynchronously
      tf.dispose([loss, rate]);
      if (step === 10) at10 = tf.memory().numTensors;
    }
    expect(at10).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(at10);
    tf.dispose([data.x, data.labels]);
    trainer.dispose();
    net.dispose();
  });
});
