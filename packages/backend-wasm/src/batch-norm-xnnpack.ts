// Batch norm for training from XNNPACK operators, which run in SIMD on every thread: column means
// by average pooling (reduce-leading.ts), and every per-channel affine map x * s + t as a 1x1
// depthwise convolution with a bias. On a [200704, 32] tensor the forward pass takes ~5 ms where the
// JavaScript loops take ~20 ms. Statistics are two-pass (mean, then the mean of (x - mean)^2), in
// float32 like tfjs's own moments; where the channel means are so large against their spread that
// float32 would lose digits, the kernels use the float64 host loops instead (see statsFitFloat32).
import type { TensorInfo } from '@tensorflow/tfjs';
import { meanOfRows, poolWindows } from './kernels/reduce-leading.js';
import { release, reshape, runWasm, type BackendWasm } from './wasm-call.js';

/** Below this many elements the host loops are as fast (each operator call has a fixed cost). */
const MIN_ELEMENTS = 1 << 14;

/**
 * The largest |mean| / std for which float32 keeps y within ~1e-5: y depends on x - mean, and the
 * mean is stored as float32 (its rounding, relative 6e-8, is magnified by |mean| / std).
 */
const MAX_MEAN_OVER_STD = 100;

/** Whether a [rows, channels] batch norm can run on XNNPACK (else the host loops run). */
export function xnnpackBatchNormFits(rows: number, channels: number): boolean {
  return rows * channels >= MIN_ELEMENTS && poolWindows(rows) != null;
}

/** Whether float32 statistics keep full precision for these channels (else the float64 loops run). */
export function statsFitFloat32(mean: ArrayLike<number>, variance: ArrayLike<number>, epsilon: number): boolean {
  for (let c = 0; c < mean.length; c++) {
    if (!(Math.abs(mean[c]) <= MAX_MEAN_OVER_STD * Math.sqrt(variance[c] + epsilon))) return false;
  }
  return true;
}

const vector = (backend: BackendWasm, shape: number[], values: ArrayLike<number>): TensorInfo =>
  backend.makeOutput(shape, 'float32', undefined, Float32Array.from(values));

/** x [rows, C] -> x * scale + shift per channel (one XNNPACK depthwise 1x1 convolution). */
function affine(backend: BackendWasm, x: TensorInfo, scale: ArrayLike<number>, shift: ArrayLike<number>): TensorInfo {
  const [rows, channels] = x.shape;
  const image = reshape(backend, x, [1, rows, 1, channels]);
  const filter = vector(backend, [1, 1, channels, 1], scale);
  const bias = vector(backend, [channels], shift);
  const out = runWasm('FusedDepthwiseConv2D', backend, { x: image, filter, bias }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear',
  });
  release(backend, image, filter, bias);
  const shaped = reshape(backend, out, [rows, channels]);
  release(backend, out);
  return shaped;
}

const read = (backend: BackendWasm, t: TensorInfo): Float64Array => Float64Array.from(backend.typedArrayFromHeap(t) as Float32Array);

/** mean over rows of a [rows, C] tensor, as a [C] tensor. */
function columnMean(backend: BackendWasm, x: TensorInfo): TensorInfo {
  return meanOfRows(backend, x, poolWindows(x.shape[0])!, x.shape[1]);
}

/** Forward; null where float32 statistics would lose precision (the caller runs the host loops). */
export function batchNormTrainXnnpack(
  backend: BackendWasm, x: TensorInfo, gamma: TensorInfo, beta: TensorInfo, epsilon: number,
): TensorInfo[] | null {
  const channels = x.shape[1];
  const mean = columnMean(backend, x);
  const m = read(backend, mean);
  const centered = affine(backend, x, new Float64Array(channels).fill(1), m.map((v) => -v));
  const squares = runWasm('Square', backend, { x: centered });
  const variance = columnMean(backend, squares);
  release(backend, squares);
  const v = read(backend, variance);
  if (!statsFitFloat32(m, v, epsilon)) {
    release(backend, mean, centered, variance);
    return null;
  }
  const g = read(backend, gamma);
  const scale = g.map((gc, c) => gc / Math.sqrt(v[c] + epsilon));
  const y = affine(backend, centered, scale, read(backend, beta));
  release(backend, centered);
  return [y, mean, variance];
}

/** Backward; null where float32 would lose precision (the caller runs the host loops). */
export function batchNormTrainGradXnnpack(
  backend: BackendWasm, dy: TensorInfo, x: TensorInfo, mean: TensorInfo, variance: TensorInfo, gamma: TensorInfo, epsilon: number,
): TensorInfo[] | null {
  const [rows, channels] = x.shape;
  const m = read(backend, mean);
  const v = read(backend, variance);
  if (!statsFitFloat32(m, v, epsilon)) return null;
  const meanDyT = columnMean(backend, dy);
  const meanDy = read(backend, meanDyT);
  release(backend, meanDyT);
  const centered = affine(backend, x, new Float64Array(channels).fill(1), m.map((mc) => -mc));
  const products = runWasm('Multiply', backend, { a: dy, b: centered });
  const meanDyDT = columnMean(backend, products);
  release(backend, products);
  const meanDyD = read(backend, meanDyDT);
  release(backend, meanDyDT);
  // dx = a*dy + b*(x - mean) + k, as in core's host loops.
  const g = read(backend, gamma);
  const invStd = v.map((vc) => 1 / Math.sqrt(vc + epsilon));
  const dgamma = meanDyD.map((p, c) => rows * p * invStd[c]);
  const dbeta = meanDy.map((s) => rows * s);
  const a = g.map((gc, c) => gc * invStd[c]);
  const b = a.map((ac, c) => (-ac * invStd[c] * dgamma[c]) / rows);
  const k = a.map((ac, c) => -ac * meanDy[c]);
  const fromDy = affine(backend, dy, a, k);
  const fromX = affine(backend, centered, b, new Float64Array(channels));
  release(backend, centered);
  const dx = runWasm('Add', backend, { a: fromDy, b: fromX });
  release(backend, fromDy, fromX);
  return [dx, vector(backend, [channels], dgamma), vector(backend, [channels], dbeta)];
}
