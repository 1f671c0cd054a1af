// dW for conv2d on wasm, which tfjs-backend-wasm lacks. Two formulations, both ending in XNNPACK:
// - few input channels: dW = im2colᵀ(x) · dy, one GEMM over all output pixels (the patch matrix is
//   small, and XNNPACK's conv below would be starved: its M dimension would be just kh*kw*Ci);
// - otherwise dW[kh,kw,ci,co], a correlation of x with dy over batch and output positions, is
//   itself a convolution:
//   input  x  as [Ci, H, W, N]   (batch <-> channels: the batch becomes the reduced channel axis)
//   filter dy as [OH, OW, N, Co] (dilated by the forward stride)
//   output    [Ci, KH, KW, Co] -> transposed to [KH, KW, Ci, Co].
import type { Conv2DBackpropFilterAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { croppedConv2D, forwardConvInfo } from '../conv-geometry.js';
import { im2colTransposed } from '../im2col.js';
import { realConv2DFilterGradient, spikeConv2DFilterGradient } from '../spike-kernels.js';
import { release, reshape, runWasm, transpose, wasmKernel, type WasmKernelArgs } from '../wasm-call.js';

/** Up to this many input channels the im2col GEMM beats the transposed convolution. */
const IM2COL_MAX_CHANNELS = 4;

type Shape4 = [number, number, number, number];

export function conv2DBackpropFilter(args: WasmKernelArgs<'x' | 'dy', Conv2DBackpropFilterAttrs>): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  const info = forwardConvInfo('Conv2DBackpropFilter', x.shape as Shape4, attrs.filterShape, attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const spikes = spikeConv2DFilterGradient(backend, x, dy, info);
  if (spikes) return spikes;
  if (info.inChannels <= IM2COL_MAX_CHANNELS) {
    const direct = realConv2DFilterGradient(backend, x, dy, info);
    if (direct) return direct;
    const patches = im2colTransposed(backend, x, info);
    const dy2 = reshape(backend, dy, [1, info.batchSize * oh * ow, info.outChannels]);
    const product = runWasm('BatchMatMul', backend, { a: patches, b: dy2 }, { transposeA: false, transposeB: false });
    release(backend, patches, dy2);
    const dW = reshape(backend, product, attrs.filterShape);
    release(backend, product);
    return dW;
  }
  const { top, left } = info.padInfo;
  // Pad so the correlation yields exactly kh x kw positions; input rows past the last one the
  // forward pass read give extra positions instead (negative padding), cropped.
  const bottom = kh + (oh - 1) * sh - info.inHeight - top;
  const right = kw + (ow - 1) * sw - info.inWidth - left;

  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const ciKhKwCo = croppedConv2D(backend, xT, dyT, { top, bottom, left, right }, [sh, sw], [info.inChannels, kh, kw, info.outChannels]);
  release(backend, xT, dyT);
  const dW = transpose(backend, ciKhKwCo, [1, 2, 0, 3]);
  release(backend, ciKhKwCo);
  return dW;
}

export const conv2DBackpropFilterConfig: KernelConfig = wasmKernel('Conv2DBackpropFilter', conv2DBackpropFilter);
