// Padding and shape bookkeeping shared by the convolution gradient kernels.
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';

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

/** Explicit padding in the [[0,0],[top,bottom],[left,right],[0,0]] form Conv2D accepts. */
export function explicitPad(top: number, bottom: number, left: number, right: number): tf.backend_util.ExplicitPadding {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}
