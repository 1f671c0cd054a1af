// Slice and Unpack on wasm. tfjs-backend-wasm's Slice starts by copying the entire input out of
// the wasm heap (readSync), so unstacking the T time steps of a [T, B, ...] tensor copies it T
// times over; here slices copy only what they return, straight between heap views.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, SliceAttrs, TensorInfo, UnpackAttrs } from '@tensorflow/tfjs';
import { heapSlice } from '../heap-slice.js';
import { runWasm, wasmKernel, type WasmKernelArgs } from '../wasm-call.js';

export function slice(args: WasmKernelArgs<'x', SliceAttrs>): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  if (x.dtype === 'string') return runWasm('Slice', backend, { x }, { begin: attrs.begin, size: attrs.size });
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  return heapSlice(backend, x, begin, size);
}

export function unpack(args: WasmKernelArgs<'value', UnpackAttrs>): TensorInfo[] {
  const { inputs: { value }, backend, attrs } = args;
  if (value.dtype === 'string') return runWasm('Unpack', backend, { value }, { axis: attrs.axis }) as unknown as TensorInfo[];
  const rank = value.shape.length;
  const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  const size = value.shape.map((d, i) => (i === axis ? 1 : d));
  const outShape = value.shape.filter((_, i) => i !== axis);
  const outs: TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]; i++) {
    const begin = value.shape.map((_, j) => (j === axis ? i : 0));
    const part = heapSlice(backend, value, begin, size);
    outs.push({ dataId: part.dataId, dtype: part.dtype, shape: outShape });
  }
  return outs;
}

export const sliceConfig: KernelConfig = wasmKernel('Slice', slice);

export const unpackConfig: KernelConfig = wasmKernel('Unpack', unpack);
