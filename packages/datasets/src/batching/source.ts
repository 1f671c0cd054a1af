/** Anything the batcher can draw samples from: images in memory, event frames on disk, ... */
export interface BatchSource {
  readonly size: number;
  /** Shape of one sample, e.g. [28, 28, 1] or, for event frames, [T, H, W, 2]. */
  readonly sampleShape: readonly number[];
  readonly numClasses: number;
  /** True when sampleShape[0] is time: batches then come out time-major [T, N, ...]. */
  readonly timeMajor?: boolean;
  /** Writes the samples `indices` one after another into `out`, and their labels into `labels`. */
  fill(indices: ArrayLike<number>, out: Float32Array, labels: Int32Array, rng: () => number): void | Promise<void>;
}

export function sampleSize(source: Pick<BatchSource, 'sampleShape'>): number {
  return source.sampleShape.reduce((a, b) => a * b, 1);
}
