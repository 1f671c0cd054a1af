// BatchMatMul on wasm. tfjs-backend-wasm sends every product with a transposed operand (which is
// what the gradients of a dense layer are: dy·Wᵀ and xᵀ·dy) to a scalar C++ loop, and only
// untransposed single-batch products to XNNPACK. We transpose the operand explicitly (a cheap
// copy next to the product) and let XNNPACK do the product.
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { release, runWasm, transpose, type BackendWasm } from '../wasm-call.js';

const batchSize = (t: TensorInfo): number => t.shape.slice(0, -2).reduce((a, b) => a * b, 1);

/** perm that swaps the two innermost axes. */
function swapInner(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

export function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
  attrs: BatchMatMulAttrs;
}): TensorInfo {
  const { inputs: { a, b }, backend, attrs: { transposeA, transposeB } } = args;
  // XNNPACK's path needs a single batch; batched products keep the wasm backend's own loop.
  const fast = a.dtype === 'float32' && b.dtype === 'float32' && batchSize(a) === 1 && batchSize(b) === 1;
  if (!fast || (!transposeA && !transposeB)) {
    return runWasm('BatchMatMul', backend, { a, b }, { transposeA, transposeB });
  }
  const aa = transposeA ? transpose(backend, a, swapInner(a.shape.length)) : a;
  const bb = transposeB ? transpose(backend, b, swapInner(b.shape.length)) : b;
  const out = runWasm('BatchMatMul', backend, { a: aa, b: bb }, { transposeA: false, transposeB: false });
  if (aa !== a) release(backend, aa);
  if (bb !== b) release(backend, bb);
  return out;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
