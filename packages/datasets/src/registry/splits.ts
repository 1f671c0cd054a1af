// The three kinds of split the built-in datasets give: image sets, batch sources (event frames from
// the cache) and the synthetic task's tensors.
import * as tf from '@tensorflow/tfjs';
import { batches } from '../batching/batches.js';
import { imageBatches } from '../batching/image-batches.js';
import type { BatchSource } from '../batching/source.js';
import type { ImageSet } from '../image/image-set.js';
import { syntheticDataset } from '../synthetic.js';
import type { DatasetSplit } from './dataset.js';

/** The first k images of a set (k <= 0: all). */
export function limitImages(set: ImageSet, k: number): ImageSet {
  if (k <= 0 || k >= set.count) return set;
  const pixels = set.height * set.width * set.channels;
  return { ...set, count: k, images: set.images.subarray(0, k * pixels), labels: set.labels.subarray(0, k) };
}

/** An image set as a split, shuffled per epoch from `seed`. */
export function imageSplit(set: ImageSet, seed: number): DatasetSplit {
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
export function limitSource(source: BatchSource, k: number): BatchSource {
  if (k <= 0 || k >= source.size) return source;
  return {
    size: k,
    sampleShape: source.sampleShape,
    numClasses: source.numClasses,
    timeMajor: source.timeMajor,
    fill: (indices, out, labels, rng) => source.fill(indices, out, labels, rng),
  };
}

/** A batch source as a split described by `source`, shuffled per epoch from `seed`. */
export function sourceSplit(source: BatchSource, description: string, seed: number): DatasetSplit {
  return {
    count: source.size,
    numClasses: source.numClasses,
    source: description,
    async *batches(batchSize, epoch, shuffle) {
      for await (const b of batches(source, { batchSize, seed, epoch, shuffle })) yield { xs: b.xs, ys: b.ys };
    },
  };
}

/** The synthetic task (class patterns from task seed 1) as a split: fresh noise every epoch. */
export function syntheticSplit(samples: number, seed: number, numClasses: number, shape: readonly number[]): DatasetSplit {
  return {
    count: samples,
    numClasses,
    sampleShape: shape,
    source: `synthetic ${numClasses}-class task (${samples} samples, seed ${seed})`,
    async *batches(batchSize, epoch) {
      const { x, labels } = syntheticDataset({ numClasses, shape: [...shape], samples, seed: seed + epoch * 7919, taskSeed: 1 });
      for (let i = 0; i < samples; i += batchSize) {
        const n = Math.min(batchSize, samples - i);
        yield { xs: x.slice([i], [n]), ys: labels.slice([i], [n]) };
      }
      tf.dispose([x, labels]);
    },
  };
}
