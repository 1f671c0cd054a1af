// dx for conv2d on wasm. tfjs-backend-wasm has this kernel, but as a scalar C++ loop that is
// ~4x slower than its XNNPACK Conv2D. dx is the "full" correlation of dy with the filter rotated
// by 180 degrees and its channel axes swapped; for stride s > 1, dy is first dilated with s - 1
// zeros between its pixels.
import type { Conv2DBackpropInputAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { croppedConv2D, forwardConvInfo } from '../conv-geometry.js';
import { release, reshape, runWasm, transpose, wasmKernel, type BackendWasm, type WasmKernelArgs } from '../wasm-call.js';

/** dy [N,OH,OW,C] -> [N, OH*sh, OW*sw, C] with dy at every (sh, sw)-th pixel, zeros elsewhere. */
function dilate(backend: BackendWasm, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  const split = reshape(backend, dy, [n, oh, 1, ow, 1, c]);
  const padded = runWasm('PadV2', backend, { x: split }, {
    paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
    constantValue: 0,
  });
  release(backend, split);
  const out = reshape(backend, padded, [n, oh * sh, ow * sw, c]);
  release(backend, padded);
  return out;
}

export function conv2DBackpropInput(args: WasmKernelArgs<'dy' | 'filter', Conv2DBackpropInputAttrs>): TensorInfo {
  const { inputs: { dy, filter }, backend, attrs } = args;
  const info = forwardConvInfo('Conv2DBackpropInput', attrs.inputShape,
    filter.shape as [number, number, number, number], attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w } = info;

  const dyD = dilate(backend, dy, sh, sw);
  const [, dh, dw] = dyD.shape;
  // Rotated filter [KH,KW,Co,Ci]: swap channel axes, then flip both spatial axes.
  const swapped = transpose(backend, filter, [0, 1, 3, 2]);
  const rotated = runWasm('Reverse', backend, { x: swapped }, { dims: [0, 1] });
  release(backend, swapped);
  // Output pixel i reads dilated rows i + top - (kh - 1) ... i + top.
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = h + kh - 1 - dh - top;
  const right = w + kw - 1 - dw - left;
  if (top < 0 || left < 0) {
    throw new Error(`Conv2DBackpropInput (wasm): padding ${JSON.stringify(attrs.pad)} larger than the filter is not supported`);
  }
  const dx = croppedConv2D(backend, dyD, rotated, { top, bottom, left, right }, 1, attrs.inputShape);
  release(backend, rotated);
  if (dyD !== dy) release(backend, dyD);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = wasmKernel('Conv2DBackpropInput', conv2DBackpropInput);
