import { stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { syntheticDataset, type BatchStream, type LabelledBatch } from '@spikeflow/core';
import {
  batches,
  batchCount,
  imageBatches,
  loadCifar10,
  loadCifar10Dvs,
  loadDvsGesture,
  loadFashionMnist,
  loadMnist,
  loadNmnist,
  type BatchSource,
  type ImageSet,
} from '@spikeflow/datasets/node';
import { UsageError } from './flags.js';
import type { DatasetName } from './presets.js';

/** A dataset split the loop can batch: image sets, event frames from the cache, or synthetic tensors. */
export interface Split {
  count: number;
  numClasses: number;
  /** Yields inputs as the network takes them and int32 labels; the caller disposes them. */
  batches(batchSize: number, epoch: number, shuffle: boolean): AsyncGenerator<LabelledBatch>;
  source: string;
  /** Per-sample input shape ([height, width, channels] for images), when known before batching. */
  sampleShape?: readonly number[];
}

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

function limit(set: ImageSet, k: number): ImageSet {
  if (k <= 0 || k >= set.count) return set;
  const pixels = set.height * set.width * set.channels;
  return { ...set, count: k, images: set.images.subarray(0, k * pixels), labels: set.labels.subarray(0, k) };
}

function imageSplit(set: ImageSet, seed: number): Split {
  return {
    count: set.count,
    numClasses: set.numClasses,
    sampleShape: [set.height, set.width, set.channels],
    source: `${set.name} ${set.split} (${set.count} images from ${set.source})${set.note ? ` — ${set.note}` : ''}`,
    async *batches(batchSize, epoch, shuffle) {
      for await (const b of imageBatches(set, { batchSize, seed, epoch, shuffle })) yield { xs: b.xs, ys: b.ys };
    },
  };
}

/** The first k samples of a batch source (k <= 0: all). */
function limitSource(source: BatchSource, k: number): BatchSource {
  if (k <= 0 || k >= source.size) return source;
  return {
    size: k,
    sampleShape: source.sampleShape,
    numClasses: source.numClasses,
    timeMajor: source.timeMajor,
    fill: (indices, out, labels, rng) => source.fill(indices, out, labels, rng),
  };
}

function sourceSplit(source: BatchSource, name: string, seed: number): Split {
  return {
    count: source.size,
    numClasses: source.numClasses,
    source: name,
    async *batches(batchSize, epoch, shuffle) {
      for await (const b of batches(source, { batchSize, seed, epoch, shuffle })) yield { xs: b.xs, ys: b.ys };
    },
  };
}

function syntheticSplit(samples: number, seed: number): Split {
  return {
    count: samples,
    numClasses: 10,
    sampleShape: [28, 28, 1],
    source: `synthetic 10-class task (${samples} samples, seed ${seed})`,
    async *batches(batchSize, epoch) {
      const { x, labels } = syntheticDataset({ numClasses: 10, shape: [28, 28, 1], samples, seed: seed + epoch * 7919, taskSeed: 1 });
      for (let i = 0; i < samples; i += batchSize) {
        const n = Math.min(batchSize, samples - i);
        yield { xs: x.slice([i], [n]), ys: labels.slice([i], [n]) };
      }
      tf.dispose([x, labels]);
    },
  };
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

function needDir(o: DataOptions): string {
  if (!o.dataDir) throw new DataLocationError(`--data-dir: the ${o.dataset} preset needs the dataset's folder (see "spikeflow presets")`);
  return o.dataDir;
}

/** The data folder named on the command line is missing: a usage error. */
export class DataLocationError extends UsageError {}

export async function loadSplits(o: DataOptions): Promise<{ train: Split; test: Split }> {
  switch (o.dataset) {
    case 'synthetic':
      return { train: syntheticSplit(o.trainLimit || 1024, o.seed), test: syntheticSplit(o.testLimit || 512, o.seed + 1) };
    case 'fashion-mnist':
    case 'mnist': {
      const load = o.dataset === 'mnist' ? loadMnist : loadFashionMnist;
      const opts = { dir: o.dataDir, download: o.download ?? false };
      const [train, test] = await Promise.all([load({ split: 'train', ...opts }), load({ split: 'test', ...opts })]);
      return { train: imageSplit(limit(train, o.trainLimit), o.seed), test: imageSplit(limit(test, o.testLimit), o.seed) };
    }
    case 'cifar10': {
      const dir = needDir(o);
      const where = (await stat(dir).catch(() => undefined))?.isFile() ? { archive: dir } : { dir };
      const [train, test] = await Promise.all([loadCifar10({ split: 'train', ...where }), loadCifar10({ split: 'test', ...where })]);
      return { train: imageSplit(limit(train, o.trainLimit), o.seed), test: imageSplit(limit(test, o.testLimit), o.seed) };
    }
    case 'n-mnist':
    case 'cifar10-dvs':
    case 'dvs128-gesture': {
      const root = needDir(o);
      const frames = o.frames ?? 20;
      const load = { 'n-mnist': loadNmnist, 'cifar10-dvs': loadCifar10Dvs, 'dvs128-gesture': loadDvsGesture }[o.dataset];
      const common = { root, frames, splitBy: 'number' as const };
      const [train, test] = await Promise.all([load({ ...common, split: 'train' }), load({ ...common, split: 'test' })]);
      const name = (d: typeof train, k: number) => `${d.info.name} ${d.info.split} (${k > 0 ? Math.min(k, d.size) : d.size} samples from ${root}, ${frames} frames by event count, cached)`;
      return {
        train: sourceSplit(limitSource(train, o.trainLimit), name(train, o.trainLimit), o.seed),
        test: sourceSplit(limitSource(test, o.testLimit), name(test, o.testLimit), o.seed),
      };
    }
  }
}
