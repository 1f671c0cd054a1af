// Shared by the training batch norm tests of every backend: deterministic inputs, a float64 oracle
// (y, batch mean, biased variance and the gradients of sum(y * w)) and the error measure.

/** Deterministic values in [lo, hi) (an LCG: enough to vary every element). */
export function values(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

/** max |a - b| over max(1, max |a|); fails if the lengths differ. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relError: lengths differ (${a.length} vs ${b.length})`);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}

/** A test case: shape [..., C]; `offset` shifts x, `spread` scales it (-1: binary spikes). */
export interface BatchNormCase { name: string; shape: number[]; offset?: number; spread?: number }

/** x, gamma, beta and a loss weight per element w (so dy varies), C = channels. */
export function batchNormInputs(c: BatchNormCase) {
  const size = c.shape.reduce((a, b) => a * b, 1);
  const C = c.shape[c.shape.length - 1];
  let x = values(size, 11, -(c.spread ?? 1), c.spread ?? 1).map((v) => v + (c.offset ?? 0));
  if (c.spread === -1) x = values(size, 11).map((v) => (v > 0.4 ? 1 : 0));
  return { x, gamma: values(C, 12, 0.5, 1.5), beta: values(C, 13), w: values(size, 14), C };
}

/** Names of the six outputs, in the order oracle() and the tests' run() give them. */
export const BATCH_NORM_OUTPUTS = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];

/** y, mean, biased variance and the gradients of sum(y * w) in float64: the oracle. */
export function batchNormOracle(x: Float32Array, gamma: Float32Array, beta: Float32Array, w: Float32Array, C: number, eps: number) {
  const R = x.length / C;
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  for (let i = 0; i < x.length; i++) mean[i % C] += x[i] / R;
  for (let i = 0; i < x.length; i++) variance[i % C] += (x[i] - mean[i % C]) ** 2 / R;
  const xhat = Array.from(x, (v, i) => (v - mean[i % C]) / Math.sqrt(variance[i % C] + eps));
  const y = xhat.map((h, i) => h * gamma[i % C] + beta[i % C]);
  for (let i = 0; i < x.length; i++) {
    dbeta[i % C] += w[i];
    dgamma[i % C] += w[i] * xhat[i];
  }
  const dx = xhat.map((h, i) => {
    const c = i % C;
    return (gamma[c] / Math.sqrt(variance[c] + eps)) * (w[i] - dbeta[c] / R - (h * dgamma[c]) / R);
  });
  return [y, mean, variance, dx, dgamma, dbeta];
}
