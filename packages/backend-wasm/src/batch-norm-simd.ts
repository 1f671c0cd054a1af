// Batch norm for training on the SIMD module (simd/rows-module.ts), on the thread pool:
// forward = a pass of sums about the first row (the mean), a pass of centred sums (the variance),
// a pass writing y; backward = a pass of sums (dbeta, dgamma), a pass writing dx. The blocks'
// float32 partial sums are added in float64, in block order, so results do not depend on the number
// of threads. The statistics are exact to float32: the variance is the mean of (x - m)^2 less the
// square of the mean of (x - m) about the stored float32 mean m.
import type { TensorInfo } from '@tensorflow/tfjs';
import { BN_BLOCK_ROWS, BN_MAX_VECTORS, type RowsModuleFunction } from './simd/rows-module.js';
import type { PooledInstance } from './simd/pooled-module.js';
import { rowsModule as bnModule } from './rows-kernels.js';
import { statsFitFloat32 } from './batch-norm-xnnpack.js';
import { heapAddress, release, type BackendWasm } from './wasm-call.js';


/** How often each pass ran (tests check that the path they mean ran). */
const counts = { forward: 0, backward: 0 };
export const wasmBatchNormSimdCounts = (): Readonly<typeof counts> => ({ ...counts });

type Kind = 'bn_stats' | 'bn_grad_stats' | 'bn_apply' | 'bn_grad_apply';

/** Whether the SIMD kernels take [rows, channels] (channels in f32x4 vectors). */
export const simdBatchNormFits = (channels: number): boolean => channels % 4 === 0 && channels > 0;

/** Runs one kind over every channel group: as many full groups as fit, then one narrower group. */
function pass(backend: BackendWasm, k: PooledInstance<RowsModuleFunction>, kind: Kind, ptrs: [number, number, number, number], rows: number, channels: number): void {
  const blocks = Math.ceil(rows / BN_BLOCK_ROWS);
  const vectors = channels / 4;
  const full = Math.floor(vectors / BN_MAX_VECTORS);
  const rest = vectors % BN_MAX_VECTORS;
  if (full > 0) bnModule.run(k, `${kind}_b${BN_MAX_VECTORS}` as RowsModuleFunction, [...ptrs, channels, rows, 0, full, blocks]);
  if (rest > 0) bnModule.run(k, `${kind}_b${rest}` as RowsModuleFunction, [...ptrs, channels, rows, 16 * full * BN_MAX_VECTORS, 1, blocks]);
}

/** Adds the blocks' two rows of partial sums [blocks, 2, C] in block order: [sum0, sum1], float64. */
function addBlocks(partials: Float64Array, blocks: number, channels: number): [Float64Array, Float64Array] {
  const s0 = new Float64Array(channels);
  const s1 = new Float64Array(channels);
  for (let j = 0, o = 0; j < blocks; j++, o += 2 * channels) {
    for (let c = 0; c < channels; c++) {
      s0[c] += partials[o + c];
      s1[c] += partials[o + channels + c];
    }
  }
  return [s0, s1];
}

/** Runs a sums pass into a fresh partials buffer and adds it up. */
function sums(backend: BackendWasm, k: PooledInstance<RowsModuleFunction>, kind: 'bn_stats' | 'bn_grad_stats', x: TensorInfo, dy: number, center: number): [Float64Array, Float64Array] {
  const [rows, channels] = x.shape;
  const blocks = Math.ceil(rows / BN_BLOCK_ROWS);
  // float64 partial sums in a float32 tensor of twice the length (tfjs has no float64 dtype)
  const partials = backend.makeOutput([blocks * 4 * channels], 'float32');
  try {
    pass(backend, k, kind, [heapAddress(backend, x), dy, center, heapAddress(backend, partials)], rows, channels);
    const view = backend.typedArrayFromHeap(partials) as Float32Array;
    const at = view.byteOffset;
    const f64 = at % 8 === 0
      ? new Float64Array(view.buffer, at, blocks * 2 * channels)
      : new Float64Array(view.slice().buffer); // the heap's allocator aligns to 8; this is only a guard
    return addBlocks(f64, blocks, channels);
  } finally {
    release(backend, partials);
  }
}

const vector = (backend: BackendWasm, shape: number[], values: ArrayLike<number>): TensorInfo =>
  backend.makeOutput(shape, 'float32', undefined, Float32Array.from(values));

/** y, mean, variance of x [rows, C]; undefined where the module is not built or float32 would lose digits (the caller falls back). */
export function batchNormTrainSimd(backend: BackendWasm, x: TensorInfo, gamma: TensorInfo, beta: TensorInfo, epsilon: number): TensorInfo[] | undefined {
  const [rows, channels] = x.shape;
  const k = bnModule.current();
  if (!k || !simdBatchNormFits(channels) || rows === 0) return undefined;
  const xAt = heapAddress(backend, x);
  // The mean about the first row (exact to float32 however large the mean is next to the spread).
  const [shifted] = sums(backend, k, 'bn_stats', x, 0, xAt);
  const first = (backend.typedArrayFromHeap(x) as Float32Array).slice(0, channels);
  const mean = vector(backend, [channels], Array.from(first, (f, c) => f + shifted[c] / rows));
  const [d, d2] = sums(backend, k, 'bn_stats', x, 0, heapAddress(backend, mean));
  const v = Array.from(d2, (s, c) => Math.max(0, s / rows - (d[c] / rows) ** 2));
  const m = backend.typedArrayFromHeap(mean) as Float32Array;
  if (!statsFitFloat32(m, v, epsilon)) {
    release(backend, mean);
    return undefined;
  }
  const variance = vector(backend, [channels], v);
  const g = backend.typedArrayFromHeap(gamma) as Float32Array;
  const b = backend.typedArrayFromHeap(beta) as Float32Array;
  const consts = new Float32Array(4 * channels);
  consts.set(backend.typedArrayFromHeap(mean) as Float32Array, 0);
  for (let c = 0; c < channels; c++) {
    consts[channels + c] = g[c] / Math.sqrt(v[c] + epsilon);
    consts[2 * channels + c] = b[c];
  }
  const constsT = vector(backend, [4 * channels], consts);
  const y = backend.makeOutput(x.shape, 'float32');
  pass(backend, k, 'bn_apply', [heapAddress(backend, x), 0, heapAddress(backend, constsT), heapAddress(backend, y)], rows, channels);
  release(backend, constsT);
  counts.forward++;
  return [y, mean, variance];
}

/** dx, dgamma, dbeta; undefined where the module is not built or float32 would lose digits (the caller falls back). */
export function batchNormTrainGradSimd(
  backend: BackendWasm, dy: TensorInfo, x: TensorInfo, mean: TensorInfo, variance: TensorInfo, gamma: TensorInfo, epsilon: number,
): TensorInfo[] | undefined {
  const [rows, channels] = x.shape;
  const k = bnModule.current();
  if (!k || !simdBatchNormFits(channels) || rows === 0) return undefined;
  // Copies: the passes below allocate, and growing the heap detaches views taken before.
  const m = (backend.typedArrayFromHeap(mean) as Float32Array).slice();
  const v = (backend.typedArrayFromHeap(variance) as Float32Array).slice();
  if (!statsFitFloat32(m, v, epsilon)) return undefined;
  const [sumDy, sumDyD] = sums(backend, k, 'bn_grad_stats', x, heapAddress(backend, dy), heapAddress(backend, mean));
  const g = backend.typedArrayFromHeap(gamma) as Float32Array;
  const dgamma = new Float64Array(channels);
  const consts = new Float32Array(4 * channels);
  consts.set(m, 0);
  for (let c = 0; c < channels; c++) {
    const invStd = 1 / Math.sqrt(v[c] + epsilon);
    dgamma[c] = sumDyD[c] * invStd;
    const a = g[c] * invStd;
    // dx = a * dy + b * (x - m) + k, as in core's host loops
    consts[channels + c] = a;
    consts[2 * channels + c] = (-a * invStd * dgamma[c]) / rows;
    consts[3 * channels + c] = (-a * sumDy[c]) / rows;
  }
  const constsT = vector(backend, [4 * channels], consts);
  const dx = backend.makeOutput(x.shape, 'float32');
  pass(backend, k, 'bn_grad_apply', [heapAddress(backend, x), heapAddress(backend, dy), heapAddress(backend, constsT), heapAddress(backend, dx)], rows, channels);
  release(backend, constsT);
  counts.backward++;
  return [dx, vector(backend, [channels], dgamma), vector(backend, [channels], sumDy)];
}
