// Padding and shape bookkeeping shared by the convolution gradient kernels.
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs';
import { heapSlice } from './heap-slice.js';
import { release, runWasm, type BackendWasm } from './wasm-call.js';

type Shape4 = [number, number, number, number];
export type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** Forward-conv geometry of a gradient kernel; rejects what the wasm path cannot do. */
export function forwardConvInfo(
  kernel: string,
  inShape: Shape4,
  filterShape: Shape4,
  attrs: Pick<Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
): ConvInfo {
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (wasm): dataFormat '${attrs.dataFormat}' is not supported, only 'NHWC'`);
  }
  return tf.backend_util.computeConv2DInfo(
    inShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

/** Padding on each side of a stride-1 correlation; bottom and right may be negative (see below). */
export interface SidePadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * XNNPACK's stride-1 Conv2D of `x` with `filter` (NHWC) under `pad`, the result [N, OH, OW, C]
 * cut to `outShape`. A negative bottom or right padding (rows past the last one the correlation
 * needs) is run as no padding there, and the extra output rows and columns are cropped.
 */
export function croppedConv2D(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  pad: SidePadding,
  dilations: number | [number, number],
  outShape: number[],
): TensorInfo {
  const { top, bottom, left, right } = pad;
  const full = runWasm('Conv2D', backend, { x, filter }, {
    strides: 1,
    pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]],
    dataFormat: 'NHWC',
    dilations,
  });
  if (bottom >= 0 && right >= 0) return full;
  const cropped = heapSlice(backend, full, [0, 0, 0, 0], outShape);
  release(backend, full);
  return cropped;
}
