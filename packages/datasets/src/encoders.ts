// Spike encoders: turn a batch of intensities in [0, 1] into T time steps, laid out time-major
// [T, N, ...] so step t is the contiguous slice t * N * sampleSize.
import { OptionError } from './errors.js';

export type EncoderKind = 'direct' | 'poisson' | 'latency';

export interface EncoderOptions {
  kind: EncoderKind;
  /** Number of time steps (>= 1). */
  T: number;
}

export function checkEncoder(e: EncoderOptions): void {
  if (!Number.isInteger(e.T) || e.T < 1) throw new OptionError(`encoder T must be an integer >= 1, got ${e.T}`);
  if (e.kind !== 'direct' && e.kind !== 'poisson' && e.kind !== 'latency') throw new OptionError(`unknown encoder "${e.kind as string}" (direct, poisson, latency)`);
}

/**
 * Encodes `x` (any layout, values in [0, 1]) into `out` of length T * x.length.
 * - direct: the analog value repeated at every step (the first layer does the spiking).
 * - poisson: a spike with probability x at each step, independently (rate coding).
 * - latency: one spike at step round((1 - x) * (T - 1)): bright pixels fire first; x <= 0 never fires.
 */
export function encodeSpikes(e: EncoderOptions, x: Float32Array, rng: () => number, out = new Float32Array(e.T * x.length)): Float32Array {
  checkEncoder(e);
  const n = x.length;
  if (e.kind === 'direct') {
    for (let t = 0; t < e.T; t++) out.set(x, t * n);
  } else if (e.kind === 'poisson') {
    for (let t = 0; t < e.T; t++) {
      const o = t * n;
      for (let i = 0; i < n; i++) out[o + i] = rng() < x[i] ? 1 : 0;
    }
  } else {
    out.fill(0);
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (v <= 0) continue;
      const t = Math.round((1 - Math.min(v, 1)) * (e.T - 1));
      out[t * n + i] = 1;
    }
  }
  return out;
}
