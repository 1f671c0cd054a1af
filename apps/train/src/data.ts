import type * as tf from '@tensorflow/tfjs';
import type { BatchStream } from '@spikeflow/core';
import { batchCount, DataDirRequiredError, datasets, UnknownDatasetError, type DatasetSplit } from '@spikeflow/datasets/node';
import { UsageError } from './flags.js';
import type { DatasetName } from './presets.js';

/** A dataset split the loop can batch: image sets, event frames from the cache, or synthetic tensors. */
export type Split = DatasetSplit;

export interface DataOptions {
  dataset: DatasetName;
  dataDir?: string;
  download?: boolean;
  trainLimit: number;
  testLimit: number;
  seed: number;
  /** Frames per sample for event datasets (the model's T). */
  frames?: number;
}

/** A split as fit's batch stream: fixed batch size and shuffling, epoch given by fit. */
export function streamOf(split: Split, batchSize: number, shuffle: boolean): BatchStream {
  return {
    size: split.count,
    batchesPerEpoch: batchCount(split.count, batchSize),
    batches: (epoch) => split.batches(batchSize, epoch, shuffle),
  };
}

/** The first n samples of a split (in order), as one input tensor: the monitors' probe batch. */
export async function probeBatch(split: Split, n: number): Promise<tf.Tensor> {
  const it = split.batches(Math.min(n, split.count), 0, false);
  const first = await it.next();
  await it.return(undefined);
  if (first.done) throw new Error(`probe: the split ${split.source} is empty`);
  first.value.ys.dispose();
  return first.value.xs;
}

/** The data folder named on the command line is missing: a usage error. */
export class DataLocationError extends UsageError {}

/** Both splits of a registered dataset; a missing --data-dir or an unknown name is a usage error. */
export async function loadSplits(o: DataOptions): Promise<{ train: Split; test: Split }> {
  try {
    const { dataset, ...options } = o;
    return await datasets.get(dataset).load(options);
  } catch (e) {
    if (e instanceof DataDirRequiredError) throw new DataLocationError(`--data-dir: the ${e.dataset} preset needs the dataset's folder (see "spikeflow presets")`);
    if (e instanceof UnknownDatasetError) throw new UsageError(e.message);
    throw e;
  }
}
