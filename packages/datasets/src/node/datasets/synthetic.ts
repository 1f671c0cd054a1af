import { defineDataset } from '../../registry/dataset.js';
import { syntheticSplit } from '../../registry/splits.js';
import { paperImageNet } from '../../presets/paper.js';

const shape = [28, 28, 1];

/** A generated 10-class task (no files): 1024 training and 512 test samples unless limited. */
export const syntheticTaskDataset = defineDataset({
  name: 'synthetic',
  inputShape: shape,
  classes: 10,
  load: async (o) => ({ train: syntheticSplit(o.trainLimit || 1024, o.seed, 10, shape), test: syntheticSplit(o.testLimit || 512, o.seed + 1, 10, shape) }),
  preset: {
    description: 'a synthetic 10-class task (no data needed): checks the whole training path in seconds',
    model: { ...paperImageNet('plif-synthetic', 8, 128), timeSteps: 4 },
    optimizer: { kind: 'adam', learningRate: 5e-3 },
    loss: 'mse',
    epochs: 3,
    batchSize: 32,
    trainLimit: 1024,
    testLimit: 512,
    seed: 2020,
  },
});
