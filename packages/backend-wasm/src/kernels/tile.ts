// Tile on wasm. tfjs-backend-wasm's Tile computes every output element's source index one by one;
// here the output is built from whole blocks on the wasm heap: below the last tiled axis the input
// is contiguous, so each tiled copy is one typed-array copy, and repeats of a block double in size
// with copyWithin. Repeating a batch T times (the SNN's time axis, [N,...] -> [T*N,...]) is T copies
// of the whole tensor.
import type { KernelConfig, TensorInfo, TileAttrs } from '@tensorflow/tfjs';
import { runWasm, wasmKernel, type BackendWasm, type WasmKernelArgs } from '../wasm-call.js';

type Heap = ReturnType<BackendWasm['typedArrayFromHeap']>;

/** Writes `count` copies of dst[at, at + block) right after it (the first copy must be in place). */
function repeatInPlace(dst: Heap, at: number, block: number, count: number): void {
  const end = at + block * count;
  for (let filled = block; at + filled < end; filled *= 2) {
    dst.copyWithin(at + filled, at, at + Math.min(filled, end - at - filled));
  }
}

export function tile(args: WasmKernelArgs<'x', TileAttrs>): TensorInfo {
  const { inputs: { x }, backend, attrs: { reps } } = args;
  if (x.dtype === 'string') return runWasm('Tile', backend, { x }, { reps });
  const shape = x.shape;
  const rank = shape.length;
  const out = backend.makeOutput(shape.map((d, i) => d * reps[i]), x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  if (dst.length === 0) return out;
  // Axes after `last` are not tiled: x's block below `last` is copied whole.
  let last = rank - 1;
  while (last >= 0 && reps[last] === 1) last--;
  if (last < 0) {
    dst.set(src);
    return out;
  }
  const inner = shape.slice(last + 1).reduce((p, q) => p * q, 1);
  // Element strides of x and of the output.
  const srcStride = new Array<number>(rank);
  const dstStride = new Array<number>(rank);
  srcStride[rank - 1] = 1;
  dstStride[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) {
    srcStride[d] = srcStride[d + 1] * shape[d + 1];
    dstStride[d] = dstStride[d + 1] * shape[d + 1] * reps[d + 1];
  }
  // Fills the output block at dstAt (axis `dim` and below) from x's block at srcAt.
  const fill = (dim: number, srcAt: number, dstAt: number): void => {
    if (dim === last) {
      const block = shape[dim] * inner;
      dst.set(src.subarray(srcAt, srcAt + block), dstAt);
      repeatInPlace(dst, dstAt, block, reps[dim]);
      return;
    }
    for (let i = 0; i < shape[dim]; i++) fill(dim + 1, srcAt + i * srcStride[dim], dstAt + i * dstStride[dim]);
    // The axis's own repeats: copies of the block just written.
    repeatInPlace(dst, dstAt, shape[dim] * dstStride[dim], reps[dim]);
  };
  fill(0, 0, 0);
  return out;
}

export const tileConfig: KernelConfig = wasmKernel('Tile', tile);
