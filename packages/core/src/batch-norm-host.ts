// Batch norm for training over typed arrays, for backends whose tensors live in host memory (cpu,
// wasm): two passes over x forward (statistics, then y) and two backward (the per-channel sums,
// then dx), where the tfjs ops take about a dozen. Layout as in batch-norm-op.ts: [R, C] rows.

/**
 * Forward: fills y [R*C], mean [C] and the biased variance [C]. Sums run in float64 on values
 * shifted by the first row, so a large mean does not cancel the variance away.
 */
export function batchNormTrainHost(
  x: Float32Array, gamma: Float32Array, beta: Float32Array, epsilon: number, rows: number, channels: number,
  y: Float32Array, mean: Float32Array, variance: Float32Array,
): void {
  const C = channels;
  const n = rows * C;
  const shift = new Float64Array(C);
  const sum = new Float64Array(C);
  const sumSq = new Float64Array(C);
  if (rows > 0) for (let c = 0; c < C; c++) shift[c] = x[c];
  for (let r = 0; r < n; r += C) {
    for (let c = 0; c < C; c++) {
      const d = x[r + c] - shift[c];
      sum[c] += d;
      sumSq[c] += d * d;
    }
  }
  const m = new Float64Array(C);
  const scale = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const d = rows > 0 ? sum[c] / rows : 0;
    const v = rows > 0 ? Math.max(sumSq[c] / rows - d * d, 0) : 0;
    m[c] = shift[c] + d;
    mean[c] = m[c];
    variance[c] = v;
    scale[c] = gamma[c] / Math.sqrt(v + epsilon);
  }
  // Centred before scaling: x * scale + (beta - mean * scale) would cancel when |mean| >> std.
  for (let r = 0; r < n; r += C) {
    for (let c = 0; c < C; c++) y[r + c] = (x[r + c] - m[c]) * scale[c] + beta[c];
  }
}

/** Backward: fills dx [R*C], dgamma [C] and dbeta [C] from the forward's mean and variance. */
export function batchNormTrainGradHost(
  dy: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array, epsilon: number,
  rows: number, channels: number, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
): void {
  const C = channels;
  const n = rows * C;
  const m = Float64Array.from(mean);
  const sumDy = new Float64Array(C);
  const sumDyX = new Float64Array(C); // sum dy * (x - mean)
  const sumX = new Float64Array(C); // sum (x - mean): the mean output is rounded to float32, this recovers the rest
  for (let r = 0; r < n; r += C) {
    for (let c = 0; c < C; c++) {
      const g = dy[r + c];
      const d = x[r + c] - m[c];
      sumDy[c] += g;
      sumDyX[c] += g * d;
      sumX[c] += d;
    }
  }
  for (let c = 0; c < C; c++) {
    const delta = rows > 0 ? sumX[c] / rows : 0;
    m[c] += delta;
    sumDyX[c] -= delta * sumDy[c];
  }
  // dx = a*dy + b*(x - mean) + k per channel: the closed form with its per-channel factors hoisted.
  const a = new Float64Array(C);
  const b = new Float64Array(C);
  const k = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const invStd = 1 / Math.sqrt(variance[c] + epsilon);
    const dg = sumDyX[c] * invStd;
    dgamma[c] = dg;
    dbeta[c] = sumDy[c];
    a[c] = gamma[c] * invStd;
    b[c] = rows > 0 ? -a[c] * invStd * dg / rows : 0;
    k[c] = rows > 0 ? -a[c] * sumDy[c] / rows : 0;
  }
  for (let r = 0; r < n; r += C) {
    for (let c = 0; c < C; c++) dx[r + c] = a[c] * dy[r + c] + b[c] * (x[r + c] - m[c]) + k[c];
  }
}
