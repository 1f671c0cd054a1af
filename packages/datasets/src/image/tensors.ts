import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from './image-set.js';

/** Bytes 0..255 to float32 in [0, 1]; `out` lets batch code reuse one buffer. */
export function bytesToUnitFloat(src: Uint8Array, out = new Float32Array(src.length)): Float32Array {
  for (let i = 0; i < src.length; i++) out[i] = src[i] / 255;
  return out;
}

export interface ImageTensors {
  /** [N, H, W, C] float32 in [0, 1]. */
  xs: tf.Tensor4D;
  /** [N] int32 class indices, or [N, numClasses] float32 one-hot. */
  ys: tf.Tensor;
}

/** The whole split as tensors (60,000 Fashion-MNIST images take 188 MB as float32). */
export function imageSetToTensors(set: ImageSet, opts: { oneHot?: boolean } = {}): ImageTensors {
  const xs = tf.tensor4d(bytesToUnitFloat(set.images), [set.count, set.height, set.width, set.channels], 'float32');
  return { xs, ys: labelsToTensor(set.labels, set.numClasses, opts.oneHot ?? false) };
}

export function labelsToTensor(labels: ArrayLike<number>, numClasses: number, oneHot: boolean): tf.Tensor {
  const ints = Int32Array.from(labels);
  if (!oneHot) return tf.tensor1d(ints, 'int32');
  const out = new Float32Array(ints.length * numClasses);
  for (let i = 0; i < ints.length; i++) out[i * numClasses + ints[i]] = 1;
  return tf.tensor2d(out, [ints.length, numClasses], 'float32');
}
