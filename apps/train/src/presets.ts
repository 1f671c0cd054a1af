import type { LayerSpec, ModelSpec } from '@spikeflow/spec';
import type { LossKind, OptimizerSpec } from '@spikeflow/core';
import { recurrentRowNet, sewResNet, spikingAttentionNet } from './graph-presets.js';

export type DatasetName = 'fashion-mnist' | 'mnist' | 'cifar10' | 'n-mnist' | 'cifar10-dvs' | 'dvs128-gesture' | 'synthetic';
export const DATASETS: readonly DatasetName[] = ['fashion-mnist', 'mnist', 'cifar10', 'n-mnist', 'cifar10-dvs', 'dvs128-gesture', 'synthetic'];

/** Cosine annealing; without tMax the period is the run's number of epochs. */
export interface PresetSchedule {
  kind: 'cosine';
  tMax?: number;
  etaMin?: number;
}

/** A training recipe: model, data and hyperparameters. Flags and --spec files override any of them. */
export interface Preset {
  description: string;
  /** Test accuracy (%) the paper reports for this setting (PLIF tau0 = 2, max pooling). */
  paperAccuracy?: number;
  dataset: DatasetName;
  model: ModelSpec;
  optimizer: OptimizerSpec;
  schedule?: PresetSchedule;
  /** 'epoch': the learning rate moves at each epoch start (the paper); 'step': every step. */
  scheduleBy?: 'epoch' | 'step';
  loss: LossKind;
  epochs: number;
  batchSize: number;
  /** Use only the first K training / test samples (0 = all). */
  trainLimit: number;
  testLimit: number;
  seed: number;
  /** Training time budget (minutes of wall time, validation included); none = no limit. */
  maxMinutes?: number;
}

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
const paperTraining = {
  optimizer: { kind: 'adam', learningRate: 1e-3 } as OptimizerSpec,
  schedule: { kind: 'cosine' } as PresetSchedule,
  loss: 'mse' as LossKind,
  batchSize: 16,
  seed: 2020,
  trainLimit: 0,
  testLimit: 0,
  epochs: 64,
};

export const PRESETS: Record<string, Preset> = {
  mnist: {
    description: "the paper's MNIST setting: 128-channel CSNN, PLIF tau0=2, T=8, Adam 1e-3, cosine over 64 epochs, batch 16 (needs a GPU backend)",
    paperAccuracy: 99.72,
    dataset: 'mnist',
    model: paperImageNet('plif-mnist'),
    ...paperTraining,
  },
  'fashion-mnist': {
    description: "the paper's Fashion-MNIST setting (same network and training as mnist)",
    paperAccuracy: 94.38,
    dataset: 'fashion-mnist',
    model: paperImageNet('plif-fashion-mnist'),
    ...paperTraining,
  },
  cifar10: {
    description: "the paper's CIFAR-10 setting: 6 conv layers of 256 channels, T=8 (--data-dir: the binary version's folder or cifar-10-binary.tar.gz)",
    paperAccuracy: 93.5,
    dataset: 'cifar10',
    model: paperCifarNet(),
    ...paperTraining,
  },
  'n-mnist': {
    description: "the paper's N-MNIST setting: 2 conv blocks, 10 frames split by event count (--data-dir: folder with Train/ and Test/ or their zips)",
    paperAccuracy: 99.61,
    dataset: 'n-mnist',
    model: paperEventNet('plif-n-mnist', 34, 2, 10, 10),
    ...paperTraining,
  },
  'cifar10-dvs': {
    description: "the paper's CIFAR10-DVS setting: 4 conv blocks, 20 frames, 90/10 split per class (--data-dir: folder of the 10 class folders or zips)",
    paperAccuracy: 74.8,
    dataset: 'cifar10-dvs',
    model: paperEventNet('plif-cifar10-dvs', 128, 4, 10, 20),
    ...paperTraining,
  },
  'dvs128-gesture': {
    description: "the paper's DVS128 Gesture setting: 5 conv blocks, 20 frames, 11 classes (--data-dir: folder holding DvsGesture/ or DvsGesture.tar.gz)",
    paperAccuracy: 97.57,
    dataset: 'dvs128-gesture',
    model: paperEventNet('plif-dvs128-gesture', 128, 5, 11, 20),
    ...paperTraining,
  },
  'fashion-mnist-quick': {
    description:
      'a PLIF CSNN sized for a CPU: 32 channels, T=4, no dropout, batch 32, Adam 2e-3 annealed every step to 0 over 3 epochs or 18.5 minutes, whichever comes first',
    dataset: 'fashion-mnist',
    model: { ...paperImageNet('plif-fashion-mnist-quick', 32, 256, 0), timeSteps: 4 },
    optimizer: { kind: 'adam', learningRate: 2e-3 },
    schedule: { kind: 'cosine' },
    scheduleBy: 'step',
    loss: 'mse',
    epochs: 3,
    batchSize: 32,
    trainLimit: 0,
    testLimit: 0,
    seed: 2020,
    maxMinutes: 18.5,
  },
  'fashion-mnist-small': {
    description: 'a small PLIF CSNN on Fashion-MNIST that trains in minutes on a CPU: 32 channels, T=4, one epoch on 10,000 images, tested on the full test split',
    dataset: 'fashion-mnist',
    model: { ...paperImageNet('plif-fashion-mnist-small', 32, 256), timeSteps: 4 },
    optimizer: { kind: 'adam', learningRate: 2e-3 },
    schedule: { kind: 'cosine' },
    loss: 'mse',
    epochs: 1,
    batchSize: 32,
    trainLimit: 10000,
    testLimit: 0,
    seed: 2020,
  },
  'sew-resnet-dvs128-gesture': {
    description: 'SEW-ResNet (ADD) on DVS128 Gesture: 32-channel stem, 7 x [SEW basic block, max pool], dense to 11 classes, PLIF throughout, 16 frames',
    dataset: 'dvs128-gesture',
    model: sewResNet('sew-resnet-dvs128-gesture', 128, 32, 7, 11, 16, 'add'),
    ...paperTraining,
  },
  'sew-resnet-cifar10-dvs': {
    description: 'SEW-ResNet (ADD) on CIFAR10-DVS: 64-channel stem, 4 x [SEW basic block, max pool], dense to 10 classes, PLIF throughout, 16 frames',
    dataset: 'cifar10-dvs',
    model: sewResNet('sew-resnet-cifar10-dvs', 128, 64, 4, 10, 16, 'add'),
    ...paperTraining,
  },
  'fashion-mnist-recurrent': {
    description: 'sequential Fashion-MNIST: one row per step (T = 28), 128 recurrent PLIF neurons with dense feedback, dense to 10 classes; sized for a CPU',
    dataset: 'fashion-mnist',
    model: recurrentRowNet('plif-recurrent-fashion-mnist', 128),
    optimizer: { kind: 'adam', learningRate: 2e-3 },
    schedule: { kind: 'cosine' },
    scheduleBy: 'step',
    loss: 'mse',
    epochs: 1,
    batchSize: 64,
    trainLimit: 20000,
    testLimit: 2000,
    seed: 2020,
    maxMinutes: 9,
  },
  'fashion-mnist-attention': {
    description: 'a Spikformer-style network on Fashion-MNIST: 2x2 patch stem, one spiking self-attention block (no softmax) and one MLP block, 32 channels, 4 heads, T = 4',
    dataset: 'fashion-mnist',
    model: spikingAttentionNet('spiking-attention-fashion-mnist', 32, 4),
    optimizer: { kind: 'adam', learningRate: 2e-3 },
    schedule: { kind: 'cosine' },
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

/** The paper's six settings, in the paper's table order. */
export const PAPER_PRESETS = ['mnist', 'fashion-mnist', 'cifar10', 'n-mnist', 'cifar10-dvs', 'dvs128-gesture'] as const;
