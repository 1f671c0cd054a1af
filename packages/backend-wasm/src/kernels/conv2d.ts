// Conv2D on wasm: spikes in (every value 0 or 1) take the event-driven spike path
// (spike-kernels.ts); anything else runs tfjs-backend-wasm's XNNPACK convolution.
import * as tf from '@tensorflow/tfjs';
import type { Conv2DAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { spikeConv2D } from '../spike-kernels.js';
import { runWasm, wasmKernel, type WasmKernelArgs } from '../wasm-call.js';

type Shape4 = [number, number, number, number];

export function conv2D(args: WasmKernelArgs<'x' | 'filter', Conv2DAttrs>): TensorInfo {
  const { inputs: { x, filter }, backend, attrs } = args;
  if (attrs.dataFormat == null || attrs.dataFormat === 'NHWC') {
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, attrs.strides, attrs.dilations,
      attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const out = spikeConv2D(backend, x, filter, info);
    if (out) return out;
  }
  return runWasm('Conv2D', backend, { x, filter }, attrs as unknown as tf.NamedAttrMap);
}

export const conv2DConfig: KernelConfig = wasmKernel('Conv2D', conv2D);
