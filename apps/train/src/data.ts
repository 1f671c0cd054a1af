import * as tf from '@tensorflow/tfjs';
import { syntheticDataset } from '@spikeflow/core';
import { imageBatches, loadFashionMnist, loadMnist, type ImageSet } from '@spikeflow/datasets/node';

/** A dataset split the loop can batch: real image sets, or synthetic tensors. */
export interface Split {
  count: number;
  /** Yields [N, 28, 28, 1] float32 images in [0, 1] and int32 labels; the caller disposes them. */
  batches(batchSize: number, epoch: number, shuffle: boolean): AsyncGenerator<{ xs: tf.Tensor; ys: tf.Tensor }>;
  source: string;
}

export interface DataOptions {
  dataset: 'fashion-mnist' | 'mnist' | 'synthetic';
  dataDir?: string;
  download?: boolean;
  trainLimit: number;
  testLimit: number;
  seed: number;
}

function limit(set: ImageSet, k: number): ImageSet {
  if (k <= 0 || k >= set.count) return set;
  const pixels = set.height * set.width * set.channels;
  return { ...set, count: k, images: set.images.subarray(0, k * pixels), labels: set.labels.subarray(0, k) };
}

function imageSplit(set: ImageSet, seed: number): Split {
  return {
    count: set.count,
    source: `${set.name} ${set.split} (${set.count} images from ${set.source})${set.note ? ` — ${set.note}` : ''}`,
    async *batches(batchSize, epoch, shuffle) {
      for await (const b of imageBatches(set, { batchSize, seed, epoch, shuffle })) yield { xs: b.xs, ys: b.ys };
    },
  };
}

function syntheticSplit(samples: number, seed: number): Split {
  return {
    count: samples,
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

export async function loadSplits(o: DataOptions): Promise<{ train: Split; test: Split }> {
  if (o.dataset === 'synthetic') {
    return { train: syntheticSplit(o.trainLimit || 1024, o.seed), test: syntheticSplit(o.testLimit || 512, o.seed + 1) };
  }
  const load = o.dataset === 'mnist' ? loadMnist : loadFashionMnist;
  const opts = { dir: o.dataDir, download: o.download ?? false };
  const [train, test] = await Promise.all([load({ split: 'train', ...opts }), load({ split: 'test', ...opts })]);
  return { train: imageSplit(limit(train, o.trainLimit), o.seed), test: imageSplit(limit(test, o.testLimit), o.seed) };
}
