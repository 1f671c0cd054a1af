// A slice that copies straight between views of the wasm heap. tfjs-backend-wasm's own Slice
// first copies the whole input out of the heap (readSync), which costs more than the slice.
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from './wasm-call.js';

/** out = x[begin : begin + size] for float32 or int32 tensors of any rank. */
export function heapSlice(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const rank = x.shape.length;
  if (begin.length !== rank || size.length !== rank) {
    throw new Error(`heapSlice: begin/size have rank ${begin.length}/${size.length}, x has rank ${rank}`);
  }
  // Allocate before taking views: allocation may grow (and so detach) the heap.
  const out = backend.makeOutput(size, x.dtype);
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  // Fold trailing dimensions that are copied whole into one contiguous run.
  let inner = rank - 1;
  let run = size[inner] ?? 1;
  while (inner > 0 && size[inner] === x.shape[inner] && begin[inner] === 0) {
    inner--;
    run *= size[inner];
  }
  let offset = 0;
  const copy = (dim: number, base: number): void => {
    if (dim === inner) {
      const from = base + begin[dim] * (strides[dim] ?? 1);
      dst.set(src.subarray(from, from + run), offset);
      offset += run;
      return;
    }
    for (let i = 0; i < size[dim]; i++) copy(dim + 1, base + (begin[dim] + i) * strides[dim]);
  };
  if (rank === 0) dst.set(src);
  else copy(0, 0);
  return out;
}
