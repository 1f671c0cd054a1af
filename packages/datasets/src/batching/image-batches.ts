import type { Augment } from '../image/augment.js';
import type { ImageSet } from '../image/image-set.js';
import { batches, type Batch, type BatchOptions } from './batches.js';
import { imageSource } from './image-source.js';

/**
 * Batches of an image split: xs [N, H, W, C] float32 in [0, 1] (or [T, N, H, W, C] with an encoder),
 * ys [N] int32. Shuffled with `seed` + `epoch`; augment only the training split.
 */
export function imageBatches(set: ImageSet, opts: BatchOptions & { augment?: Augment }): AsyncGenerator<Batch> {
  return batches(imageSource(set, { augment: opts.augment }), opts);
}
