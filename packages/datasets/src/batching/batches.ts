// The input pipeline: seeded shuffle, optional drop-last, spike encoding, and prefetch so the
// next batch is prepared on the event loop while the caller awaits its training step.
import * as tf from '@tensorflow/tfjs';
import { checkEncoder, encodeSpikes, type EncoderOptions } from '../encoders.js';
import { OptionError } from '../errors.js';
import { labelsToTensor } from '../image/tensors.js';
import { createRng, permutation } from '../random.js';
import { sampleSize, type BatchSource } from './source.js';

export interface BatchOptions {
  batchSize: number;
  /** Shuffle the order each epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle, augmentation and Poisson encoder (default 0). */
  seed?: number;
  /** Epoch number: mixed into the seed so every epoch has its own order. */
  epoch?: number;
  /** Skip the last, smaller batch (default false). */
  dropLast?: boolean;
  /** Batches prepared ahead of the one being consumed (default 1; 0 turns prefetch off). */
  prefetch?: number;
  /** Turn static samples into T time steps: xs becomes [T, N, ...sample]. */
  encoder?: EncoderOptions;
  /** Labels as one-hot float32 [N, classes] instead of int32 [N]. */
  oneHot?: boolean;
}

export interface Batch {
  /** [N, ...sample], or [T, N, ...] with an encoder or for event frames. Dispose after use. */
  xs: tf.Tensor;
  ys: tf.Tensor;
  /** Dataset indices of the samples, in batch order. */
  indices: Uint32Array;
  /** Position of the batch in the epoch. */
  index: number;
}

/** Host-side batch, before it becomes tensors. */
export interface HostBatch {
  data: Float32Array;
  shape: number[];
  labels: Int32Array;
  indices: Uint32Array;
  index: number;
}

function mix(seed: number, epoch: number, k: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35) ^ Math.imul(k + 1, 0x27d4eb2f)) >>> 0;
}

export function checkBatchOptions(source: BatchSource, o: BatchOptions): void {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new OptionError(`batchSize must be an integer >= 1, got ${o.batchSize}`);
  if (o.prefetch !== undefined && (!Number.isInteger(o.prefetch) || o.prefetch < 0)) throw new OptionError(`prefetch must be an integer >= 0, got ${o.prefetch}`);
  if (o.encoder) {
    checkEncoder(o.encoder);
    if (source.timeMajor) throw new OptionError('an encoder cannot be applied to samples that already have a time axis (event frames)');
  }
}

/** Number of batches one epoch yields. */
export function batchCount(size: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
}

/** The sample order of an epoch (identity when shuffle is false). */
export function epochOrder(size: number, o: Pick<BatchOptions, 'shuffle' | 'seed' | 'epoch'>): Uint32Array {
  if (o.shuffle === false) return Uint32Array.from({ length: size }, (_, i) => i);
  return permutation(size, mix(o.seed ?? 0, o.epoch ?? 0, -1));
}

/** Builds one host batch: gathers samples, encodes, moves time to the front when needed. */
export async function prepareHostBatch(source: BatchSource, o: BatchOptions, indices: Uint32Array, index: number): Promise<HostBatch> {
  const per = sampleSize(source);
  const n = indices.length;
  const rng = createRng(mix(o.seed ?? 0, o.epoch ?? 0, index));
  const raw = new Float32Array(n * per);
  const labels = new Int32Array(n);
  await source.fill(indices, raw, labels, rng);
  if (o.encoder) {
    return { data: encodeSpikes(o.encoder, raw, rng), shape: [o.encoder.T, n, ...source.sampleShape], labels, indices, index };
  }
  if (source.timeMajor) {
    const [T, ...rest] = source.sampleShape;
    return { data: toTimeMajor(raw, n, T, per / T), shape: [T, n, ...rest], labels, indices, index };
  }
  return { data: raw, shape: [n, ...source.sampleShape], labels, indices, index };
}

/** [N, T, S] -> [T, N, S]. */
export function toTimeMajor(src: Float32Array, n: number, T: number, s: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let b = 0; b < n; b++) {
    for (let t = 0; t < T; t++) out.set(src.subarray((b * T + t) * s, (b * T + t + 1) * s), (t * n + b) * s);
  }
  return out;
}

/** Lets the caller's pending work (a training step) run before the next batch is assembled. */
const nextTick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Host batches of one epoch, with `prefetch` batches prepared ahead. */
export async function* hostBatches(source: BatchSource, o: BatchOptions): AsyncGenerator<HostBatch> {
  checkBatchOptions(source, o);
  const order = epochOrder(source.size, o);
  const total = batchCount(source.size, o.batchSize, o.dropLast);
  const ahead = o.prefetch ?? 1;
  const start = (k: number): Promise<HostBatch> => {
    const p = nextTick().then(() => prepareHostBatch(source, o, order.subarray(k * o.batchSize, Math.min((k + 1) * o.batchSize, source.size)), k));
    p.catch(() => undefined); // observed when awaited; avoids an unhandled rejection while queued
    return p;
  };
  const queue: Promise<HostBatch>[] = [];
  let next = 0;
  while (next < total && queue.length < Math.max(1, ahead)) queue.push(start(next++));
  while (queue.length > 0) {
    const batch = await queue.shift()!;
    // With prefetch, the next batch is queued before this one is handed out, so it is built
    // while the caller trains; without, only once the caller asks for it.
    if (ahead > 0 && next < total) queue.push(start(next++));
    yield batch;
    if (ahead === 0 && next < total) queue.push(start(next++));
  }
}

/** Tensor batches of one epoch. The caller owns (and must dispose) each batch's tensors. */
export async function* batches(source: BatchSource, o: BatchOptions): AsyncGenerator<Batch> {
  for await (const h of hostBatches(source, o)) {
    yield {
      xs: tf.tensor(h.data, h.shape, 'float32'),
      ys: labelsToTensor(h.labels, source.numClasses, o.oneHot ?? false),
      indices: h.indices,
      index: h.index,
    };
  }
}
