// The dataset registry: a dataset is one file that calls defineDataset, and every list of datasets
// (the CLI's --dataset choices, its presets, the input shape a spec file must take) reads it here.
import type { LabelledBatch, LossKind, OptimizerSpec } from '@spikeflow/core';
import { unknownNameMessage, type ModelSpec } from '@spikeflow/spec';
import { DatasetError } from '../errors.js';

/** One split (train or test) as a training loop batches it. */
export interface DatasetSplit {
  count: number;
  numClasses: number;
  /** Yields inputs as the network takes them and int32 labels; the caller disposes them. */
  batches(batchSize: number, epoch: number, shuffle: boolean): AsyncGenerator<LabelledBatch>;
  /** Where the samples came from, in words (printed by the CLI). */
  source: string;
  /** Per-sample input shape ([height, width, channels] for images), when known before batching. */
  sampleShape?: readonly number[];
}

export interface DatasetSplits {
  train: DatasetSplit;
  test: DatasetSplit;
}

export interface DatasetLoadOptions {
  /** The folder (or archive) holding the files; loaders that can download or generate may go without. */
  dataDir?: string;
  /** Fetch missing files (datasets that have a download). */
  download?: boolean;
  /** Use only the first K training / test samples (0 = all). */
  trainLimit: number;
  testLimit: number;
  seed: number;
  /** Frames per sample for event datasets (the model's T). */
  frames?: number;
}

/** Cosine annealing; without tMax the period is the run's number of epochs. */
export interface PresetSchedule {
  kind: 'cosine';
  tMax?: number;
  etaMin?: number;
}

/** A training recipe for a dataset: model and hyperparameters (the CLI's preset of the dataset's name). */
export interface DatasetPreset {
  description: string;
  /** Test accuracy (%) the paper reports for this setting (PLIF tau0 = 2, max pooling). */
  paperAccuracy?: number;
  /** Position among the paper's results (1 = first): the CLI lists the paper's settings first, in this order. */
  paperOrder?: number;
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

export interface DatasetDefinition {
  /** What `--dataset` and a spec file's `training.dataset` take. */
  name: string;
  /** Per-sample input shape: [height, width, channels]; for event datasets one frame [H, W, 2]. */
  inputShape: readonly number[];
  classes: number;
  load(options: DatasetLoadOptions): Promise<DatasetSplits>;
  /** The recipe the CLI offers as a preset named after the dataset. */
  preset?: DatasetPreset;
}

/** A dataset name nobody registered: the message lists the registered ones. */
export class UnknownDatasetError extends DatasetError {
  readonly dataset: string;
  readonly known: readonly string[];
  constructor(name: string, known: readonly string[]) {
    super(unknownNameMessage('dataset', name, known));
    this.dataset = name;
    this.known = known;
  }
}

/** A dataset whose files must be named (dataDir) was loaded without them. */
export class DataDirRequiredError extends DatasetError {
  readonly dataset: string;
  constructor(dataset: string) {
    super(`the ${dataset} dataset needs dataDir: the folder (or archive) holding its files`);
    this.dataset = dataset;
  }
}

/** The folder a loader needs, or DataDirRequiredError naming the dataset. */
export function requireDataDir(dataset: string, o: DatasetLoadOptions): string {
  if (!o.dataDir) throw new DataDirRequiredError(dataset);
  return o.dataDir;
}

// A Map, not an object: names like "__proto__" or "toString" never resolve to something inherited.
const registered = new Map<string, DatasetDefinition>();

function check(d: DatasetDefinition): void {
  const where = `defineDataset(${JSON.stringify(d?.name)})`;
  if (typeof d?.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(d.name)) throw new DatasetError(`${where}: name must be lowercase letters, digits, ".", "_" or "-"`);
  if (!Array.isArray(d.inputShape) || d.inputShape.length === 0 || !d.inputShape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new DatasetError(`${where}: inputShape must be a non-empty list of positive integers, got ${JSON.stringify(d.inputShape)}`);
  }
  if (!Number.isInteger(d.classes) || d.classes < 1) throw new DatasetError(`${where}: classes must be an integer >= 1, got ${JSON.stringify(d.classes)}`);
  if (typeof d.load !== 'function') throw new DatasetError(`${where}: load must be a function`);
  if (registered.has(d.name)) throw new DatasetError(`${where}: a dataset of that name is already registered`);
}

/** Registers a dataset (once per name) and returns it. Registration order is the order lists show. */
export function defineDataset<D extends DatasetDefinition>(definition: D): D {
  check(definition);
  registered.set(definition.name, definition);
  return definition;
}

/** The registered datasets. */
export const datasets = {
  /** The dataset of that name; UnknownDatasetError (listing the known ones) for any other. */
  get(name: string): DatasetDefinition {
    const d = registered.get(name);
    if (!d) throw new UnknownDatasetError(name, [...registered.keys()]);
    return d;
  },
  has(name: string): boolean {
    return registered.has(name);
  },
  /** Every registered dataset, in registration order. */
  list(): DatasetDefinition[] {
    return [...registered.values()];
  },
  names(): string[] {
    return [...registered.keys()];
  },
};
