import * as tf from '@tensorflow/tfjs';
import { createRng } from './random.js';

export interface SyntheticOptions {
  numClasses: number;
  /** Per-sample shape, e.g. [8, 8, 1]. */
  shape: number[];
  samples: number;
  /** Fraction of pixels flipped per sample (0..1). */
  flip?: number;
  /** Seed of the class patterns: train and test splits of one task share it. */
  taskSeed?: number;
  /** Seed of the samples (noise, intensity): differs between splits. */
  seed?: number;
}

/**
 * A synthetic classification task: each class is a random binary pattern; a sample is its class's
 * pattern with a fraction of pixels flipped and a random intensity. Values in [0, 1]. Used by the
 * demo and tests, where no dataset is at hand.
 */
export function syntheticDataset(o: SyntheticOptions): { x: tf.Tensor; labels: tf.Tensor1D } {
  const size = o.shape.reduce((a, b) => a * b, 1);
  const task = createRng(o.taskSeed ?? 1);
  const prototypes = Array.from({ length: o.numClasses }, () => Float32Array.from({ length: size }, () => (task() < 0.35 ? 1 : 0)));
  const rand = createRng((o.seed ?? 1) + 0x9e3779b9);
  const data = new Float32Array(o.samples * size);
  const labels = new Int32Array(o.samples);
  const flip = o.flip ?? 0.1;
  for (let i = 0; i < o.samples; i++) {
    const c = i % o.numClasses;
    labels[i] = c;
    const gain = 0.6 + 0.4 * rand();
    for (let j = 0; j < size; j++) {
      const bit = rand() < flip ? 1 - prototypes[c][j] : prototypes[c][j];
      data[i * size + j] = bit * gain;
    }
  }
  return { x: tf.tensor(data, [o.samples, ...o.shape]), labels: tf.tensor1d(labels, 'int32') };
}
