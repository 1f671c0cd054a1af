// Batch norm for training over typed arrays, for backends whose tensors live in host memory (cpu,
// wasm): two passes over x forward (statistics, then y) and two backward (the per-channel sums,
// then dx), where the tfjs ops take about a dozen. Layout as in batch-norm-op.ts: [R, C] rows.
//
// Each pass is a loop over rows whose body is unrolled over the channels, generated once per channel
// count: per-channel sums and factors then live in locals instead of typed arrays, which runs 2-4x
// faster in V8. Wide layers (or a page that forbids new Function) use the plain loops.

/** Accumulates, per channel, sums of d and d*d (pass 1) or of dy, dy*d and d (backward pass 1). */
type Sums = (a: Float32Array, b: Float32Array, n: number, center: Float64Array, s0: Float64Array, s1: Float64Array, s2: Float64Array) => void;
/** out = a * f0 + (b - center) * f1 + f2 per channel (f0 unused forward: out = (a - center) * f1 + f2). */
type Affine = (a: Float32Array, b: Float32Array, n: number, center: Float64Array, f0: Float64Array, f1: Float64Array, f2: Float64Array, out: Float32Array) => void;

interface Passes {
  stats: Sums;
  normalize: Affine;
  gradSums: Sums;
  gradDx: Affine;
}

/** Widest channel count that gets unrolled code (beyond it V8 would spill most locals anyway). */
const MAX_UNROLLED_CHANNELS = 128;
const SUM_CHUNK = 8;

const plain: Passes = {
  // Forward pass 1 (b unused): d = x - center.
  stats(x, _b, n, center, sum, sumSq) {
    const C = center.length;
    for (let r = 0; r < n; r += C) {
      for (let c = 0; c < C; c++) {
        const d = x[r + c] - center[c];
        sum[c] += d;
        sumSq[c] += d * d;
      }
    }
  },
  normalize(x, _b, n, center, _f0, scale, beta, y) {
    const C = center.length;
    for (let r = 0; r < n; r += C) {
      for (let c = 0; c < C; c++) y[r + c] = (x[r + c] - center[c]) * scale[c] + beta[c];
    }
  },
  // Backward pass 1: a = dy, b = x, d = x - center.
  gradSums(dy, x, n, center, sumDy, sumDyD, sumD) {
    const C = center.length;
    for (let r = 0; r < n; r += C) {
      for (let c = 0; c < C; c++) {
        const g = dy[r + c];
        const d = x[r + c] - center[c];
        sumDy[c] += g;
        sumDyD[c] += g * d;
        sumD[c] += d;
      }
    }
  },
  gradDx(dy, x, n, center, a, b, k, dx) {
    const C = center.length;
    for (let r = 0; r < n; r += C) {
      for (let c = 0; c < C; c++) dx[r + c] = a[c] * dy[r + c] + b[c] * (x[r + c] - center[c]) + k[c];
    }
  },
};

const channels = (C: number, f: (c: number) => string) => Array.from({ length: C }, (_, c) => f(c)).join('\n');
const ARGS = ['a', 'b', 'n', 'center', 'f0', 'f1', 'f2'];

function generate(C: number): Passes {
  const loop = (body: (c: number) => string) => `for (let r = 0; r < n; r += ${C}) {\n${channels(C, body)}\n}`;
  // Sums go over SUM_CHUNK channels at a time, one row loop each: fewer live accumulators than one
  // loop over all channels, which measured faster even though each loop strides over the rows.
  const sums = (locals: string[], body: (c: number) => string) => {
    let src = '';
    for (let c0 = 0; c0 < C; c0 += SUM_CHUNK) {
      const cs = Array.from({ length: Math.min(SUM_CHUNK, C - c0) }, (_, i) => c0 + i);
      const each = (f: (c: number) => string) => cs.map(f).join('\n');
      src += `{
        ${each((c) => `const m${c} = center[${c}]; ${locals.map((l) => `let ${l}${c} = 0;`).join(' ')}`)}
        for (let r = 0; r < n; r += ${C}) {\n${each(body)}\n}
        ${each((c) => locals.map((l, i) => `f${i}[${c}] += ${l}${c};`).join(' '))}
      }\n`;
    }
    return new Function(...ARGS, src) as Sums;
  };
  const affine = (body: (c: number) => string) =>
    new Function(...ARGS, 'out', `
      ${channels(C, (c) => `const m${c} = center[${c}], a${c} = f0[${c}], b${c} = f1[${c}], k${c} = f2[${c}];`)}
      ${loop(body)}`) as Affine;
  return {
    stats: sums(['s', 'q'], (c) => `{ const d = a[r + ${c}] - m${c}; s${c} += d; q${c} += d * d; }`),
    normalize: affine((c) => `out[r + ${c}] = (a[r + ${c}] - m${c}) * b${c} + k${c};`),
    gradSums: sums(['s', 'p', 'q'], (c) => `{ const g = a[r + ${c}], d = b[r + ${c}] - m${c}; s${c} += g; p${c} += g * d; q${c} += d; }`),
    gradDx: affine((c) => `out[r + ${c}] = a${c} * a[r + ${c}] + b${c} * (b[r + ${c}] - m${c}) + k${c};`),
  };
}

const generated = new Map<number, Passes>();

function passesFor(C: number): Passes {
  if (C > MAX_UNROLLED_CHANNELS) return plain;
  let p = generated.get(C);
  if (!p) {
    try {
      p = generate(C);
    } catch {
      p = plain; // new Function forbidden (Content-Security-Policy)
    }
    generated.set(C, p);
  }
  return p;
}

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
  const passes = passesFor(C);
  const shift = new Float64Array(C);
  const sum = new Float64Array(C);
  const sumSq = new Float64Array(C);
  if (rows > 0) for (let c = 0; c < C; c++) shift[c] = x[c];
  passes.stats(x, x, n, shift, sum, sumSq, sumSq);
  const m = new Float64Array(C);
  const scale = new Float64Array(C);
  const b = Float64Array.from(beta);
  for (let c = 0; c < C; c++) {
    const d = rows > 0 ? sum[c] / rows : 0;
    const v = rows > 0 ? Math.max(sumSq[c] / rows - d * d, 0) : 0;
    m[c] = shift[c] + d;
    mean[c] = m[c];
    variance[c] = v;
    scale[c] = gamma[c] / Math.sqrt(v + epsilon);
  }
  // Centred before scaling: x * scale + (beta - mean * scale) would cancel when |mean| >> std.
  passes.normalize(x, x, n, m, scale, scale, b, y);
}

/** Backward: fills dx [R*C], dgamma [C] and dbeta [C] from the forward's mean and variance. */
export function batchNormTrainGradHost(
  dy: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array, epsilon: number,
  rows: number, channels: number, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
): void {
  const C = channels;
  const n = rows * C;
  const passes = passesFor(C);
  const m = Float64Array.from(mean);
  const sumDy = new Float64Array(C);
  const sumDyX = new Float64Array(C); // sum dy * (x - mean)
  const sumX = new Float64Array(C); // sum (x - mean): the mean output is rounded to float32, this recovers the rest
  passes.gradSums(dy, x, n, m, sumDy, sumDyX, sumX);
  // dx = a*dy + b*(x - mean) + k per channel: the closed form with its per-channel factors hoisted.
  const a = new Float64Array(C);
  const b = new Float64Array(C);
  const k = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const delta = rows > 0 ? sumX[c] / rows : 0;
    m[c] += delta;
    const invStd = 1 / Math.sqrt(variance[c] + epsilon);
    const dg = (sumDyX[c] - delta * sumDy[c]) * invStd;
    dgamma[c] = dg;
    dbeta[c] = sumDy[c];
    a[c] = gamma[c] * invStd;
    b[c] = rows > 0 ? (-a[c] * invStd * dg) / rows : 0;
    k[c] = rows > 0 ? (-a[c] * sumDy[c]) / rows : 0;
  }
  passes.gradDx(dy, x, n, m, a, b, k, dx);
}

/** Which loops run for a channel count: 'unrolled' (generated per channel count) or 'plain'. */
export function batchNormHostLoops(channels: number): 'unrolled' | 'plain' {
  return passesFor(channels) === plain ? 'plain' : 'unrolled';
}
