import { augmentImage, checkAugment, type Augment } from '../image/augment.js';
import type { ImageSet } from '../image/image-set.js';
import type { BatchSource } from './source.js';

export interface ImageSourceOptions {
  /** Applied to every sample drawn (use only for the training split). */
  augment?: Augment;
}

/** Serves an in-memory ImageSet as [H, W, C] float samples in [0, 1], augmented on the fly. */
export function imageSource(set: ImageSet, opts: ImageSourceOptions = {}): BatchSource {
  if (opts.augment) checkAugment(opts.augment);
  const { height: h, width: w, channels: c } = set;
  const per = h * w * c;
  return {
    size: set.count,
    sampleShape: [h, w, c],
    numClasses: set.numClasses,
    fill(indices, out, labels, rng) {
      for (let b = 0; b < indices.length; b++) {
        const i = indices[b];
        const src = set.images.subarray(i * per, (i + 1) * per);
        const dst = out.subarray(b * per, (b + 1) * per);
        if (opts.augment) augmentImage(opts.augment, src, dst, h, w, c, rng);
        else for (let k = 0; k < per; k++) dst[k] = src[k] / 255;
        labels[b] = set.labels[i];
      }
    },
  };
}
