// The networks and training setup of the PLIF paper (Fang et al., ICCV 2021, authors' code), from
// which the built-in datasets' presets are made.
import type { LayerSpec, ModelSpec } from '@spikeflow/spec';
import type { DatasetPreset } from '../registry/dataset.js';

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, vThreshold: 1, vReset: 0, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;
const conv = (filters: number): LayerSpec[] => [{ kind: 'conv2d', filters, kernelSize: 3, padding: 'same', useBias: false }, { kind: 'batchNorm' }, { ...plif }];
const maxPool: LayerSpec = { kind: 'pool', pool: 'max', size: 2 };
const dropout: LayerSpec = { kind: 'dropout', rate: 0.5 };

/** The paper's MNIST / Fashion-MNIST network (Fang et al. 2021, authors' code). */
export function paperImageNet(name: string, channels = 128, hidden = 2048, dropoutRate = 0.5): ModelSpec {
  const dp: LayerSpec[] = dropoutRate > 0 ? [{ kind: 'dropout', rate: dropoutRate }] : [];
  return {
    name,
    input: { shape: [28, 28, 1] },
    timeSteps: 8,
    encoder: { kind: 'direct' },
    layers: [
      ...conv(channels),
      maxPool,
      ...conv(channels),
      maxPool,
      { kind: 'flatten' },
      ...dp,
      { kind: 'dense', units: hidden, useBias: false },
      { ...plif },
      ...dp,
      { kind: 'dense', units: 100, useBias: false },
      { ...plif },
      { kind: 'voting', groups: 10 },
    ],
  };
}

/** The paper's CIFAR-10 network: 6 conv layers of 256 channels in two pooled blocks. */
export function paperCifarNet(): ModelSpec {
  return {
    name: 'plif-cifar10',
    input: { shape: [32, 32, 3] },
    timeSteps: 8,
    encoder: { kind: 'direct' },
    layers: [
      ...conv(256),
      ...conv(256),
      ...conv(256),
      maxPool,
      ...conv(256),
      ...conv(256),
      ...conv(256),
      maxPool,
      { kind: 'flatten' },
      dropout,
      { kind: 'dense', units: 2048, useBias: false },
      { ...plif },
      { kind: 'dense', units: 100, useBias: false },
      { ...plif },
      { kind: 'voting', groups: 10 },
    ],
  };
}

/**
 * The paper's event-camera network: n x [Conv(128)-BN-PLIF-MaxPool], dropout, FC(c*h*w -> c*h*w/4)-PLIF,
 * dropout, FC(-> classes*10)-PLIF, voting. Input: frames [T, N, H, W, 2] (the sequence encoder).
 */
export function paperEventNet(name: string, size: number, blocks: number, classes: number, T: number): ModelSpec {
  let side = size;
  for (let i = 0; i < blocks; i++) side = Math.floor(side / 2);
  const features = 128 * side * side;
  return {
    name,
    input: { shape: [size, size, 2] },
    timeSteps: T,
    encoder: { kind: 'sequence' },
    layers: [
      ...Array.from({ length: blocks }, () => [...conv(128), maxPool]).flat(),
      { kind: 'flatten' },
      dropout,
      { kind: 'dense', units: features / 4, useBias: false },
      { ...plif },
      dropout,
      { kind: 'dense', units: classes * 10, useBias: false },
      { ...plif },
      { kind: 'voting', groups: classes },
    ],
  };
}

/** The authors' training setup (PAPER.md): Adam 1e-3, cosine annealing over the run, batch 16, seed 2020. */
export const paperTraining: Omit<DatasetPreset, 'description' | 'model'> = {
  optimizer: { kind: 'adam', learningRate: 1e-3 },
  schedule: { kind: 'cosine' },
  loss: 'mse',
  batchSize: 16,
  seed: 2020,
  trainLimit: 0,
  testLimit: 0,
  epochs: 64,
};
