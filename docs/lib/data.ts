// The demos' Fashion-MNIST subset: gzipped IDX files made at build time (scripts/make-data.mjs).
import { loadIdxImageSetWeb, type ImageSet } from '@spikeflow/datasets';
import { assetUrl } from './runtime.js';

const cache = new Map<string, Promise<ImageSet>>();

/** The demos' training subset (the first 4,000 official training images) or test subset (the first 1,000 test images). */
export function demoImages(split: 'train' | 'test'): Promise<ImageSet> {
  let set = cache.get(split);
  if (!set) {
    set = loadIdxImageSetWeb({
      dataset: 'fashion-mnist',
      split,
      images: assetUrl(`data/fashion-mnist-${split}-images.idx.gz`),
      labels: assetUrl(`data/fashion-mnist-${split}-labels.idx.gz`),
    });
    cache.set(split, set);
  }
  return set;
}

/** One image of a set as floats in [0, 1], [H * W]. */
export function imagePixels(set: ImageSet, index: number): Float32Array {
  const size = set.height * set.width * set.channels;
  return Float32Array.from(set.images.subarray(index * size, (index + 1) * size), (b) => b / 255);
}
