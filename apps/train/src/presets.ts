import type { ModelSpec } from '@spikeflow/spec';
import type { OptimizerSpec, CosineSchedule, LossKind } from '@spikeflow/core';

/** A training recipe: model, data and hyperparameters. Flags override any of them. */
export interface Preset {
  description: string;
  dataset: 'fashion-mnist' | 'mnist' | 'synthetic';
  model: ModelSpec;
  optimizer: OptimizerSpec;
  schedule?: CosineSchedule;
  loss: LossKind;
  epochs: number;
  batchSize: number;
  /** Use only the first K training / test samples (0 = all). */
  trainLimit: number;
  testLimit: number;
  seed: number;
}

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, vThreshold: 1, vReset: 0, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;

/** The paper's MNIST / Fashion-MNIST network (Fang et al. 2021, authors' code). */
export function paperImageNet(name: string, channels = 128, hidden = 2048): ModelSpec {
  return {
    name,
    input: { shape: [28, 28, 1] },
    timeSteps: 8,
    encoder: { kind: 'direct' },
    layers: [
      { kind: 'conv2d', filters: channels, kernelSize: 3, padding: 'same', useBias: false },
      { kind: 'batchNorm' },
      { ...plif },
      { kind: 'pool', pool: 'max', size: 2 },
      { kind: 'conv2d', filters: channels, kernelSize: 3, padding: 'same', useBias: false },
      { kind: 'batchNorm' },
      { ...plif },
      { kind: 'pool', pool: 'max', size: 2 },
      { kind: 'flatten' },
      { kind: 'dropout', rate: 0.5 },
      { kind: 'dense', units: hidden, useBias: false },
      { ...plif },
      { kind: 'dropout', rate: 0.5 },
      { kind: 'dense', units: 100, useBias: false },
      { ...plif },
      { kind: 'voting', groups: 10 },
    ],
  };
}

const paperTraining = {
  optimizer: { kind: 'adam', learningRate: 1e-3 } as OptimizerSpec,
  schedule: { kind: 'cosine', tMax: 64 } as CosineSchedule,
  loss: 'mse' as LossKind,
  batchSize: 16,
  seed: 2020,
  trainLimit: 0,
  testLimit: 0,
};

export const PRESETS: Record<string, Preset> = {
  'fashion-mnist': {
    description: "the paper's Fashion-MNIST setting: 128-channel CSNN, PLIF tau0=2, T=8, Adam 1e-3, cosine 64, batch 16 (needs a GPU backend)",
    dataset: 'fashion-mnist',
    model: paperImageNet('plif-fashion-mnist'),
    ...paperTraining,
    epochs: 64,
  },
  mnist: {
    description: "the paper's MNIST setting (same network and training as fashion-mnist)",
    dataset: 'mnist',
    model: paperImageNet('plif-mnist'),
    ...paperTraining,
    epochs: 64,
  },
  'fashion-mnist-small': {
    description: 'a small PLIF CSNN on Fashion-MNIST that trains in minutes on a CPU: 32 channels, T=4, one epoch on 10,000 images, tested on the full test split',
    dataset: 'fashion-mnist',
    model: { ...paperImageNet('plif-fashion-mnist-small', 32, 256), timeSteps: 4 },
    optimizer: { kind: 'adam', learningRate: 2e-3 },
    schedule: { kind: 'cosine', tMax: 1 },
    loss: 'mse',
    epochs: 1,
    batchSize: 32,
    trainLimit: 10000,
    testLimit: 0,
    seed: 2020,
  },
  synthetic: {
    description: 'a synthetic 10-class task (no data needed): checks the whole training path in seconds',
    dataset: 'synthetic',
    model: { ...paperImageNet('plif-synthetic', 8, 128), timeSteps: 4 },
    optimizer: { kind: 'adam', learningRate: 5e-3 },
    loss: 'mse',
    epochs: 3,
    batchSize: 32,
    trainLimit: 1024,
    testLimit: 512,
    seed: 2020,
  },
};
