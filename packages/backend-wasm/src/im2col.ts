// Transposed im2col on the wasm heap: the patch matrix with one row per filter tap
// (kh, kw, ci) and one column per output pixel (n, oh, ow). Used for the filter gradient of
// convolutions with few input channels, where it is small and the product with dy is one GEMM.
import type { TensorInfo } from '@tensorflow/tfjs';
import type { ConvInfo } from './conv-geometry.js';
import type { BackendWasm } from './wasm-call.js';

export function im2colTransposed(backend: BackendWasm, x: TensorInfo, info: ConvInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const pixels = n * oh * ow;
  const out = backend.makeOutput([1, kh * kw * ci, pixels], 'float32');
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  let o = 0;
  for (let fh = 0; fh < kh; fh++) {
    for (let fw = 0; fw < kw; fw++) {
      for (let c = 0; c < ci; c++) {
        for (let b = 0; b < n; b++) {
          for (let y = 0; y < oh; y++) {
            const row = y * sh + fh - top;
            if (row < 0 || row >= h) {
              dst.fill(0, o, o + ow);
              o += ow;
              continue;
            }
            const base = ((b * h + row) * w) * ci + c;
            for (let x0 = 0; x0 < ow; x0++, o++) {
              const col = x0 * sw + fw - left;
              dst[o] = col >= 0 && col < w ? src[base + col * ci] : 0;
            }
          }
        }
      }
    }
  }
  return out;
}
