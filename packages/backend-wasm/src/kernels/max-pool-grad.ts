// MaxPoolGrad on wasm. tfjs-backend-wasm's C++ version takes ~10x as long as the forward pool on
// the shapes of a CSNN; this one walks the wasm heap directly, channel-innermost so that every
// read is contiguous. Like tfjs-cpu, the gradient of a window goes to its first maximum
// (row-major), which matters after ReLU where windows of zeros tie, and on spikes where 1s tie.
import * as tf from '@tensorflow/tfjs';
import type { MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import type { TraitedKernelConfig } from '@spikeflow/core/backend';
import { wasmKernel, type WasmKernelArgs } from '../wasm-call.js';
import { disjointPoolGrad } from '../max-pool-grad-windows.js';
import { wasmDisjointPoolGrad } from '../spike-kernels.js';

export function maxPoolGrad(args: WasmKernelArgs<'dy' | 'input' | 'output', MaxPoolGradAttrs>): TensorInfo {
  const { inputs: { dy, input, output }, backend, attrs } = args;
  // Bool input and output (spikes kept as bool): read as bytes, the same comparisons on their 0/1.
  const bool = input.dtype === 'bool';
  if (!bool && input.dtype !== 'float32') throw new Error(`MaxPoolGrad (wasm): input dtype ${input.dtype} is neither float32 nor bool`);
  if (output.dtype !== input.dtype) throw new Error(`MaxPoolGrad (wasm): input ${input.dtype} and output ${output.dtype} must have one dtype`);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;

  const out = backend.makeOutput(input.shape, 'float32');
  const dx = backend.typedArrayFromHeap(out);
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  // Windows that neither overlap nor reach past the edge: every element is written exactly once.
  const inside = top === 0 && left === 0 && (outHeight - 1) * strideHeight + filterHeight <= inHeight
    && (outWidth - 1) * strideWidth + filterWidth <= inWidth;
  const disjoint = inside && strideHeight >= filterHeight && strideWidth >= filterWidth ? disjointPoolGrad(filterHeight, filterWidth) : null;
  if (disjoint) {
    // Elements no window covers (stride > size, rows and columns past the last window) get 0.
    if (outHeight * strideHeight !== inHeight || outWidth * strideWidth !== inWidth) dx.fill(0);
    const shape = { batch: batchSize, inHeight, inWidth, channels: c, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth };
    if (bool) {
      disjointBoolPoolGrad(x as Uint8Array, backend.typedArrayFromHeap(output) as Uint8Array, g as Float32Array, dx as Float32Array, shape);
      return out;
    }
    if (wasmDisjointPoolGrad(backend, input, output, dy, out, shape)) return out;
    disjoint(x, backend.typedArrayFromHeap(output), g, dx, batchSize, inHeight, inWidth, c, outHeight, outWidth, strideHeight, strideWidth);
    return out;
  }
  dx.fill(0);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  let o = 0; // flat index of dy[n, oh, ow, 0]
  for (let n = 0; n < batchSize; n++) {
    const nBase = n * inHeight * inWidth * c;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      const hStart = Math.max(0, h0);
      const hEnd = Math.min(inHeight, h0 + filterHeight);
      for (let ow = 0; ow < outWidth; ow++, o += c) {
        const w0 = ow * strideWidth - left;
        const wStart = Math.max(0, w0);
        const wEnd = Math.min(inWidth, w0 + filterWidth);
        best.fill(-Infinity);
        where.fill(-1);
        for (let h = hStart; h < hEnd; h++) {
          for (let w = wStart; w < wEnd; w++) {
            const p = nBase + (h * inWidth + w) * c;
            for (let k = 0; k < c; k++) {
              const v = x[p + k];
              if (v > best[k]) {
                best[k] = v;
                where[k] = p + k;
              }
            }
          }
        }
        for (let k = 0; k < c; k++) if (where[k] >= 0) dx[where[k]] += g[o + k];
      }
    }
  }
  return out;
}

/**
 * Disjoint windows over bool spikes: each window's dy goes to its first element equal to the
 * window's maximum, written as the SIMD pool_grad writes it (dy + 0 there, 0 elsewhere), so the
 * gradient is the float32 path's bit for bit.
 */
function disjointBoolPoolGrad(
  x: Uint8Array, y: Uint8Array, dy: Float32Array, dx: Float32Array,
  s: { batch: number; inHeight: number; inWidth: number; channels: number; outHeight: number; outWidth: number; filterHeight: number; filterWidth: number; strideHeight: number; strideWidth: number },
): void {
  const C = s.channels;
  const rowStride = s.inWidth * C;
  let o = 0;
  for (let n = 0; n < s.batch; n++) {
    for (let oh = 0; oh < s.outHeight; oh++) {
      for (let ow = 0; ow < s.outWidth; ow++, o += C) {
        const p = ((n * s.inHeight + oh * s.strideHeight) * s.inWidth + ow * s.strideWidth) * C;
        for (let k = 0; k < C; k++) {
          const max = y[o + k];
          const grad = dy[o + k] + 0;
          let seen = false;
          for (let a = 0; a < s.filterHeight; a++) {
            for (let b = 0; b < s.filterWidth; b++) {
              const at = p + a * rowStride + b * C + k;
              const first: boolean = !seen && x[at] === max;
              dx[at] = first ? grad : 0;
              if (first) seen = true;
            }
          }
        }
      }
    }
  }
}

/**
 * Routes each window's gradient to its first maximum (row-major), and declares it for max pooling;
 * takes bool input and output as well (spikes kept as bool).
 */
export const maxPoolGradConfig: TraitedKernelConfig = { ...wasmKernel('MaxPoolGrad', maxPoolGrad), traits: { firstMaxPoolGrad: true, boolMaxPoolGradInputs: true } };
