// One run of an experiment: a model trained on exactly `images` training images, in the order the
// split's data seed gives, tested every `curveEvery` images. Time is measured, never used to stop.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { build, firingRateMonitor, runMonitors, setLearningRate, Trainer, yieldToEventLoop, type Network } from '@spikeflow/core';
import type { SplitBatch } from '@spikeflow/datasets/node';
import type { Split } from '../data.js';
import { evaluate } from '../loop.js';
import type { Preset } from '../presets.js';

export interface CurvePoint {
  /** Training images seen when the test ran. */
  images: number;
  testAccuracy: number;
}

/** What one (variant, weight seed) run measured. */
export interface RunMeasures {
  /** On the whole test split given (the official test set unless --test-limit cut it). */
  testAccuracy: number;
  testSamples: number;
  curve: CurvePoint[];
  /** Mean firing rate per neuron layer on the probe batch (evaluation mode). */
  firingRate: Record<string, number>;
  /** Per neuron layer: the learned tau (PLIF) or the fixed one (LIF). */
  tau: Record<string, number>;
  tauLearned: boolean;
  images: number;
  minutes: number;
  /** Training throughput, evaluation excluded. */
  imagesPerSecond: number;
  /** SHA-256 of the trained sample indices (uint32, little-endian, in training order). */
  orderDigest: string;
}

export interface BudgetRunOptions {
  /** The variant's preset: model, optimiser, loss, schedule, batch size. */
  preset: Preset;
  weightSeed: number;
  train: Split;
  test: Split;
  images: number;
  curveEvery: number;
  /** Memory-lean BPTT (Network.checkpointEvery): neuron state kept every K steps; 0 or none: every step. */
  checkpointEvery?: number;
  /** Test inputs the firing rates are measured on. */
  probe: tf.Tensor;
  signal?: AbortSignal;
  log: (line: string) => void;
}

export interface BudgetRunResult {
  measures: RunMeasures;
  /** The dataset index of every trained image, in training order. */
  indices: Uint32Array;
}

/** Steps between reads of the step checks (a failed one names its step). */
const VERIFY_EVERY = 20;

export function orderDigest(indices: Uint32Array): string {
  return createHash('sha256').update(new Uint8Array(indices.buffer, indices.byteOffset, indices.byteLength)).digest('hex');
}

/** The first `n` samples of a batch: xs is [N, ...] or, for event frames, [T, N, ...]. */
function firstSamples(batch: SplitBatch, n: number, timeMajor: boolean): SplitBatch {
  const axis = timeMajor ? 1 : 0;
  const xBegin = batch.xs.shape.map(() => 0);
  const xSize = batch.xs.shape.map((d, i) => (i === axis ? n : d));
  const yBegin = batch.ys.shape.map(() => 0);
  const ySize = batch.ys.shape.map((d, i) => (i === 0 ? n : d));
  const cut = { xs: tf.slice(batch.xs, xBegin, xSize), ys: tf.slice(batch.ys, yBegin, ySize), indices: batch.indices?.subarray(0, n) };
  tf.dispose([batch.xs, batch.ys]);
  return cut;
}

async function tauOf(network: Network): Promise<{ tau: Record<string, number>; learned: boolean }> {
  const params = await network.neuronParameters();
  const tau: Record<string, number> = {};
  let learned = false;
  for (const layer of network.layers) {
    if (!layer.neuron) continue;
    const value = params[layer.name]?.tau;
    if (value !== undefined) learned = true;
    const fixed = (layer.spec as { tau?: number }).tau;
    const t = value ?? fixed;
    if (t !== undefined) tau[layer.name] = t;
  }
  return { tau, learned };
}

/**
 * Trains a fresh network (weights from `weightSeed`) on exactly `images` training images: whole
 * epochs of the split in its seeded order, the last batch cut to fit the budget. The learning rate
 * anneals over the image budget (cosine, when the preset has a schedule). Returns undefined when
 * the signal aborted it (nothing of a partial run is kept).
 */
export async function trainOnBudget(o: BudgetRunOptions): Promise<BudgetRunResult | undefined> {
  const { preset } = o;
  const timeMajor = o.train.sampleShape === undefined;
  const network = build(preset.model, { seed: o.weightSeed });
  network.checkpointEvery = o.checkpointEvery ?? 0;
  const trainer = new Trainer(network, { optimizer: preset.optimizer, loss: preset.loss, schedule: preset.schedule ? { ...preset.schedule, tMax: 1 } : undefined });
  const indices = new Uint32Array(o.images);
  const curve: CurvePoint[] = [];
  const started = performance.now();
  let trainingMs = 0;
  let trained = 0;
  let steps = 0;
  let nextTest = Math.min(o.curveEvery, o.images);
  const evalBatch = Math.max(preset.batchSize, 64);
  try {
    for (let epoch = 0; trained < o.images; epoch++) {
      for await (const whole of o.train.batches(preset.batchSize, epoch, true)) {
        const room = o.images - trained;
        const batch = whole.ys.shape[0] > room ? firstSamples(whole, room, timeMajor) : whole;
        const n = batch.ys.shape[0];
        if (!batch.indices) {
          tf.dispose([batch.xs, batch.ys]);
          throw new Error(`${o.train.source}: the split gives no sample indices, so the training order cannot be recorded`);
        }
        indices.set(batch.indices, trained);
        const t0 = performance.now();
        setLearningRate(trainer.optimizer, trainer.learningRateAt(trained / o.images));
        const step = trainer.trainStep(batch.xs, batch.ys);
        tf.dispose([batch.xs, batch.ys, step.rate, step.loss]);
        trained += n;
        steps++;
        if (steps % VERIFY_EVERY === 0) await trainer.verify();
        trainingMs += performance.now() - t0;
        await yieldToEventLoop();
        if (o.signal?.aborted) return undefined;
        if (trained >= nextTest) {
          await trainer.verify();
          const accuracy = await evaluate(network, o.test, evalBatch);
          curve.push({ images: trained, testAccuracy: accuracy });
          o.log(`${trained}/${o.images} images: test acc ${(100 * accuracy).toFixed(2)}%`);
          if (trained >= o.images) break;
          while (nextTest <= trained) nextTest = Math.min(nextTest + o.curveEvery, o.images);
        }
      }
    }
    const monitors = await runMonitors(network, o.probe, [firingRateMonitor()]);
    const { tau, learned } = await tauOf(network);
    const last = curve[curve.length - 1];
    return {
      indices,
      measures: {
        testAccuracy: last.testAccuracy,
        testSamples: o.test.count,
        curve,
        firingRate: monitors.firingRate as Record<string, number>,
        tau,
        tauLearned: learned,
        images: trained,
        minutes: (performance.now() - started) / 60000,
        imagesPerSecond: trainingMs > 0 ? trained / (trainingMs / 1000) : 0,
        orderDigest: orderDigest(indices),
      },
    };
  } finally {
    trainer.dispose();
    network.dispose();
  }
}
