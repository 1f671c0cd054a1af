import { datasets, paperCifarNet, paperEventNet, paperImageNet, type DatasetPreset, type PresetSchedule } from '@spikeflow/datasets/node';
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

/** Recipes of the CLI's own, beside the one each dataset brings: CPU-sized Fashion-MNIST runs. */
const OWN_PRESETS: Record<string, Preset> = {
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
