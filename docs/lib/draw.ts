// The draw demo: a pretrained PLIF CSNN (public/models/draw/, trained by
// scripts/train-draw-model.mjs) classifies a 28x28 image made from the drawing canvas.
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, type Network } from '@spikeflow/core';
import { FASHION_MNIST_CLASSES } from '@spikeflow/datasets';
import { sampleActivity, type SampleActivity } from './activity.js';
import { assetUrl } from './runtime.js';

export const CLASS_NAMES: readonly string[] = FASHION_MNIST_CLASSES;

/** What docs/scripts/train-draw-model.mjs measured of the shipped model (public/models/draw/record.json). */
export interface DrawModelRecord {
  testAccuracy: number;
  testImages: number;
  weightsBytes: number;
  parameters: number;
}

/** Loads the pretrained network (spec and weights in tfjs's format) and its record from the site. */
export async function loadDrawModel(): Promise<{ network: Network; record?: DrawModelRecord }> {
  const [ckpt, record] = await Promise.all([
    loadCheckpoint(assetUrl('models/draw/model.json')),
    fetch(assetUrl('models/draw/record.json')).then((r) => (r.ok ? (r.json() as Promise<DrawModelRecord>) : undefined)).catch(() => undefined),
  ]);
  return { network: ckpt.network, record };
}

/**
 * Averages a square RGBA image (white strokes on black) down to size x size floats in [0, 1]:
 * each output pixel is the mean brightness of its block, as Fashion-MNIST's images were made.
 */
export function downsample(rgba: Uint8ClampedArray, width: number, size = 28): Float32Array {
  const block = width / size;
  if (!Number.isInteger(block) || rgba.length !== width * width * 4) throw new Error(`downsample: expected a ${width}x${width} RGBA image whose side is a multiple of ${size}`);
  const out = new Float32Array(size * size);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      out[Math.floor(y / block) * size + Math.floor(x / block)] += (rgba[i] + rgba[i + 1] + rgba[i + 2]) / 3;
    }
  }
  const norm = 255 * block * block;
  for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

export interface Classification extends SampleActivity {
  prediction: number;
  /** Milliseconds the prediction itself took, when the classifier measures it apart from the drawn activity. */
  predictMs?: number;
}

/**
 * The demo's one classification step: a 28x28 image in, the prediction (and what the page draws of
 * it) out. The page calls only this, so another inference engine can replace it in one place.
 */
export type Classifier = (pixels: Float32Array) => Promise<Classification>;

/** The classifier the demo uses today: the network on the running tfjs backend, spikes recorded. */
export function networkClassifier(network: Network): Classifier {
  return (pixels) => classify(network, pixels);
}

/**
 * The packed binary-spike engine (@spikeflow/infer-packed) predicts; the float network on the tfjs
 * backend then records the spikes the page draws (the same spikes: the engines agree bit for bit).
 * `engine` says which one predicts, and why the float one does when the packed one cannot.
 */
export async function packedClassifier(network: Network): Promise<{ classifier: Classifier; engine: string }> {
  let packed: { predict(images: Float32Array, count: number): { predictions: Int32Array } };
  try {
    const { compileInference } = await import('@spikeflow/infer-packed');
    packed = await compileInference(network);
  } catch (e) {
    return { classifier: networkClassifier(network), engine: `float (the packed engine cannot run here: ${(e as Error).message})` };
  }
  const classifier: Classifier = async (pixels) => {
    const t0 = performance.now();
    const prediction = packed.predict(pixels, 1).predictions[0];
    const predictMs = performance.now() - t0;
    const activity = await classify(network, pixels);
    return { ...activity, prediction, predictMs };
  };
  return { classifier, engine: 'packed (1 bit per spike, event-driven)' };
}

/** Runs a classifier and measures its latency in milliseconds: the prediction's own time where the classifier gives it, else the whole call. */
export async function timedClassify(classifier: Classifier, pixels: Float32Array): Promise<{ result: Classification; ms: number }> {
  const t0 = performance.now();
  const result = await classifier(pixels);
  return { result, ms: result.predictMs ?? performance.now() - t0 };
}

/** Median of a list of latencies (the page shows the last one and this). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Classifies a 28x28 image and records every layer's spikes over T. */
export async function classify(network: Network, pixels: Float32Array): Promise<Classification> {
  const x = tf.tensor4d(pixels, [1, 28, 28, 1]);
  try {
    const activity = await sampleActivity(network, x);
    const prediction = activity.scores.reduce((best, s, i, a) => (s > a[best] ? i : best), 0);
    return { ...activity, prediction };
  } finally {
    x.dispose();
  }
}
