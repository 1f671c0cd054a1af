// Sum and Mean over leading axes on wasm (batch-norm statistics, bias gradients: reduce NHW of an
// NHWC tensor). tfjs-backend-wasm first transposes the reduced axes innermost, a full copy of the
// input that dominates the reduction. XNNPACK's average pooling reduces a [rows, C] view in place:
// pooling [groups, rows/groups, 1, C] with a (rows/groups) x 1 window averages each group, and a
// second pool over the group means gives the overall mean.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, MeanAttrs, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { release, reshape, runWasm, wasmKernel, type BackendWasm, type WasmKernelArgs } from '../wasm-call.js';
import { addRowsSimd } from '../rows-kernels.js';

/** The largest divisor of n not above limit (1 if none). */
function divisorAtMost(n: number, limit: number): number {
  for (let d = Math.min(n, limit); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/** How many leading axes are reduced (0 unless the axes are exactly 0..k-1 with k < rank). */
function leadingAxes(shape: number[], axis: number | number[]): number {
  const axes = tf.util.parseAxisParam(axis, shape).sort((p, q) => p - q);
  if (axes.length === shape.length || axes.some((a, i) => a !== i)) return 0;
  return axes.length;
}

/**
 * Pooling windows whose product is rows, each at most 1024 rows so that XNNPACK's float32 running
 * sums stay short; null when rows has no usable factorization (e.g. a large prime).
 */
export function poolWindows(rows: number): number[] | null {
  const windows: number[] = [];
  for (let remaining = rows; remaining > 1;) {
    const window = remaining <= 1024 ? remaining : divisorAtMost(remaining, 1024);
    if (window < 16 && window !== remaining) return null;
    windows.push(window);
    remaining /= window;
  }
  return windows;
}

/** Mean over the rows of x viewed as [rows, cols], as a [cols] tensor. */
export function meanOfRows(backend: BackendWasm, x: TensorInfo, windows: number[], cols: number): TensorInfo {
  let current = x;
  let remaining = windows.reduce((p, q) => p * q, 1);
  for (const window of windows) {
    const view = reshape(backend, current, [remaining / window, window, 1, cols]);
    const pooled = runWasm('AvgPool', backend, { x: view }, {
      filterSize: [window, 1], strides: [window, 1], pad: 'valid',
    });
    release(backend, view);
    if (current !== x) release(backend, current);
    current = pooled;
    remaining /= window;
  }
  const out = reshape(backend, current, [cols]);
  if (current !== x) release(backend, current);
  return out;
}

// tfjs-backend-wasm's AvgPool reads out of bounds (and corrupts the heap) past about 10,000
// channels (measured: 8,192 right, 16,384 fails); wider rows are added up here instead.
const MAX_POOL_CHANNELS = 8192;

/**
 * Sum (or mean) over the rows of x viewed as [rows, cols], row by row in float32, as a [cols]
 * tensor: the rows module in SIMD on the thread pool where it is built, else a loop here (the same
 * additions in the same order).
 */
function addRows(backend: BackendWasm, x: TensorInfo, rows: number, cols: number, mean: boolean): TensorInfo {
  const simd = addRowsSimd(backend, x, rows, cols);
  const out = simd ?? backend.makeOutput([cols], 'float32');
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  if (!simd) {
    const src = backend.typedArrayFromHeap(x) as Float32Array;
    dst.set(src.subarray(0, cols));
    for (let r = 1; r < rows; r++) {
      const row = src.subarray(r * cols, (r + 1) * cols);
      for (let c = 0; c < cols; c++) dst[c] += row[c];
    }
  }
  if (mean) for (let c = 0; c < cols; c++) dst[c] /= rows;
  return out;
}

function reduceLeading(kind: 'Sum' | 'Mean') {
  return (args: WasmKernelArgs<'x', SumAttrs | MeanAttrs>): TensorInfo => {
    const { inputs: { x }, backend, attrs } = args;
    const reduced = leadingAxes(x.shape, attrs.axis);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, reduced));
    const windows = reduced > 0 && x.dtype === 'float32' && rows > 1 ? poolWindows(rows) : null;
    const cols = tf.util.sizeFromShape(x.shape.slice(reduced));
    if (windows == null || cols === 0) {
      return runWasm(kind, backend, { x }, { axis: attrs.axis, keepDims: attrs.keepDims });
    }
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (i < reduced ? 1 : d)) : x.shape.slice(reduced);
    if (cols > MAX_POOL_CHANNELS) {
      const sums = addRows(backend, x, rows, cols, kind === 'Mean');
      const shaped = reshape(backend, sums, outShape);
      release(backend, sums);
      return shaped;
    }
    const mean = meanOfRows(backend, x, windows, cols);
    let result = mean;
    if (kind === 'Sum') {
      const count = backend.makeOutput([], 'float32', undefined, new Float32Array([rows]));
      result = runWasm('Multiply', backend, { a: mean, b: count });
      release(backend, mean, count);
    }
    const shaped = reshape(backend, result, outShape);
    release(backend, result);
    return shaped;
  };
}

export const sumConfig: KernelConfig = wasmKernel('Sum', reduceLeading('Sum'));

export const meanConfig: KernelConfig = wasmKernel('Mean', reduceLeading('Mean'));
