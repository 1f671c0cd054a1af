import { datasets, paperCifarNet, paperEventNet, paperImageNet, paperTraining, type DatasetPreset, type PresetSchedule } from '@spikeflow/datasets/node';
import { recurrentRowNet, sewResNet, spikingAttentionNet } from './graph-presets.js';
import { liveList, liveRecord } from './live.js';

export { paperImageNet, paperCifarNet, paperEventNet, type PresetSchedule };

/** A registered dataset's name (`datasets.names()` in @spikeflow/datasets lists them). */
export type DatasetName = string;

/** A training recipe: model, data and hyperparameters. Flags and --spec files override any of them. */
export interface Preset extends Omit<DatasetPreset, 'paperOrder'> {
  dataset: DatasetName;
}

/** Every registered dataset's name, in registration order (read live from the registry). */
export const DATASETS: readonly DatasetName[] = liveList(() => datasets.names());

/** Recipes of the CLI's own, beside the one each dataset brings: CPU-sized Fashion-MNIST runs and the graph models. */
const OWN_PRESETS: Record<string, Preset> = {
  'fashion-mnist-quick': {
    description:
      'a PLIF CSNN sized for a CPU: 32 channels, T=4, no dropout, batch 32, Adam 2e-3 annealed every step to 0 over 10 epochs or 18.5 minutes, whichever comes first',
    dataset: 'fashion-mnist',
    model: { ...paperImageNet('plif-fashion-mnist-quick', 32, 256, 0), timeSteps: 4 },
    optimizer: { kind: 'adam', learningRate: 2e-3 },
    schedule: { kind: 'cosine' },
    scheduleBy: 'step',
    loss: 'mse',
    // 10 epochs fill the budget on two idle cores (6 took 10.4 min there, 92.15%); a slower machine is
    // cut by the budget, and the schedule anneals to 0 by whichever limit comes first.
    epochs: 10,
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
};

/** The datasets whose recipe is one of the paper's settings, in the paper's order. */
function paperDatasets(): string[] {
  const paper = datasets.list().filter((d) => d.preset?.paperOrder !== undefined);
  return paper.sort((a, b) => a.preset!.paperOrder! - b.preset!.paperOrder!).map((d) => d.name);
}

function datasetPreset(name: string): Preset {
  const { description, paperAccuracy, paperOrder: _order, model, ...training } = datasets.get(name).preset!;
  return { description, ...(paperAccuracy !== undefined ? { paperAccuracy } : {}), dataset: name, model, ...training };
}

/**
 * Every preset: the paper's settings first (in the paper's order), then the CLI's own recipes, then
 * the recipe of every other registered dataset, each named after its dataset.
 */
export function presetTable(): Record<string, Preset> {
  const paper = paperDatasets();
  const others = datasets.list().filter((d) => d.preset && !paper.includes(d.name) && !(d.name in OWN_PRESETS)).map((d) => d.name);
  return {
    ...Object.fromEntries(paper.map((name) => [name, datasetPreset(name)])),
    ...OWN_PRESETS,
    ...Object.fromEntries(others.map((name) => [name, datasetPreset(name)])),
  };
}

/** The presets, read live from the dataset registry (see presetTable). */
export const PRESETS: Readonly<Record<string, Preset>> = liveRecord(presetTable);

/** The paper's six settings, in the paper's table order. */
export const PAPER_PRESETS: readonly string[] = liveList(paperDatasets);
