// Test accuracy and throughput of a checkpoint on the float forward (tfjs, the selected backend) or
// the packed engine (@spikeflow/infer-packed). Only the forward pass is timed, not data loading.
import * as tf from '@tensorflow/tfjs';
import type { Network } from '@spikeflow/core';
import { PackError } from '@spikeflow/infer-packed';
import { compileThreaded, type ThreadedPackedNetwork } from '@spikeflow/infer-packed/threads';
import type { Split } from './data.js';

export const ENGINES = ['float', 'packed', 'auto'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface EngineRun {
  engine: 'float' | 'packed';
  accuracy: number;
  samples: number;
  imagesPerSecond: number;
}

/**
 * The engine to run: packed where the network packs (on `threads` threads: the batch split over
 * worker threads); with 'auto', float (and why) where it does not. Close the packed engine after use.
 */
export async function chooseEngine(network: Network, engine: EngineName, log: (line: string) => void, threads = 1): Promise<ThreadedPackedNetwork | undefined> {
  if (engine === 'float') return undefined;
  try {
    return await compileThreaded(network, { threads });
  } catch (e) {
    if (engine === 'auto' && e instanceof PackError) {
      log(`--engine auto: running the float forward: ${e.message}`);
      return undefined;
    }
    throw e;
  }
}

export async function runFloat(network: Network, split: Split, batchSize: number): Promise<EngineRun> {
  let correct = 0;
  let samples = 0;
  let ms = 0;
  for await (const { xs, ys } of split.batches(batchSize, 0, false)) {
    const t0 = performance.now();
    const scores = network.predict(xs);
    const predicted = tf.argMax(scores, 1);
    const p = await predicted.data();
    ms += performance.now() - t0;
    const labels = await ys.data();
    for (let i = 0; i < p.length; i++) if (p[i] === labels[i]) correct++;
    samples += p.length;
    tf.dispose([xs, ys, scores, predicted]);
  }
  return { engine: 'float', accuracy: correct / Math.max(samples, 1), samples, imagesPerSecond: (1000 * samples) / Math.max(ms, 1e-9) };
}

export async function runPacked(packed: ThreadedPackedNetwork, split: Split, batchSize: number): Promise<EngineRun> {
  let correct = 0;
  let samples = 0;
  let ms = 0;
  let calibrated = false;
  for await (const { xs, ys } of split.batches(batchSize, 0, false)) {
    const images = (await xs.data()) as Float32Array;
    if (!calibrated) {
      // Event-driven or bit-mask kernel per layer, measured at this data's firing rates (not timed).
      packed.calibrate(images, Math.min(xs.shape[0], 32));
      packed.resetCosts();
      calibrated = true;
    }
    const t0 = performance.now();
    const r = await packed.predict(images, xs.shape[0]);
    ms += performance.now() - t0;
    const labels = await ys.data();
    for (let i = 0; i < r.predictions.length; i++) if (r.predictions[i] === labels[i]) correct++;
    samples += r.predictions.length;
    tf.dispose([xs, ys]);
  }
  return { engine: 'packed', accuracy: correct / Math.max(samples, 1), samples, imagesPerSecond: (1000 * samples) / Math.max(ms, 1e-9) };
}
