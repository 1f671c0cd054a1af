// BatchMatMul on wasm. tfjs-backend-wasm sends every product with a transposed operand (which is
// what the gradients of a dense layer are: dy·Wᵀ and xᵀ·dy) to a scalar C++ loop, and only
// untransposed single-batch products to XNNPACK. We transpose the operand explicitly (a cheap
// copy next to the product) and let XNNPACK do the product, in the orientation that packs the
// smaller operand.
import type { BatchMatMulAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { spikeMatMul, spikeMatMulTransposedLeft } from '../spike-kernels.js';
import { release, runWasm, transpose, wasmKernel, type WasmKernelArgs } from '../wasm-call.js';

const batchSize = (t: TensorInfo): number => t.shape.slice(0, -2).reduce((a, b) => a * b, 1);

/** perm that swaps the two innermost axes. */
function swapInner(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

// Relative costs per element, fitted to both orientations timed on the shapes of a CSNN's dense
// layers: XNNPACK repacks the right-hand operand of every product whose operand is new (after each
// optimizer step, every weight is), at about the cost of a transpose. dy·Wᵀ of a 1568x512 layer
// then runs as (W·dyᵀ)ᵀ, which transposes and packs dy instead of W (~40% less time).
const TRANSPOSE_COST = 1;
const PACK_COST = 1.2;

/**
 * C = op(A)·op(B) either as it stands (transposing what is transposed, packing op(B)) or as
 * Cᵀ = op(B)ᵀ·op(A)ᵀ (packing op(A)ᵀ, transposing the product back): whichever moves less.
 */
export function productCosts(m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): { direct: number; swapped: number } {
  const direct = TRANSPOSE_COST * ((transposeA ? m * k : 0) + (transposeB ? k * n : 0)) + PACK_COST * k * n;
  const swapped = TRANSPOSE_COST * ((transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + m * n) + PACK_COST * m * k;
  return { direct, swapped };
}

export function batchMatMul(args: WasmKernelArgs<'a' | 'b', BatchMatMulAttrs>): TensorInfo {
  const { inputs: { a, b }, backend, attrs: { transposeA, transposeB } } = args;
  // XNNPACK's path needs a single batch; batched products keep the wasm backend's own loop.
  const fast = a.dtype === 'float32' && b.dtype === 'float32' && batchSize(a) === 1 && batchSize(b) === 1;
  if (!fast) return runWasm('BatchMatMul', backend, { a, b }, { transposeA, transposeB });
  // A spiking left operand (a dense layer's input, forward and weight gradient): the spike path.
  if (!transposeB && a.shape.length === b.shape.length) {
    const spikes = transposeA ? spikeMatMulTransposedLeft(backend, a, b) : spikeMatMul(backend, a, b);
    if (spikes) return spikes;
  }
  const rank = a.shape.length;
  const [m, k] = transposeA ? [a.shape[rank - 1], a.shape[rank - 2]] : [a.shape[rank - 2], a.shape[rank - 1]];
  const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  const { direct, swapped } = productCosts(m, k, n, transposeA, transposeB);
  if (swapped < direct) {
    const left = transposeB ? b : transpose(backend, b, swapInner(b.shape.length));
    const right = transposeA ? a : transpose(backend, a, swapInner(rank));
    const productT = runWasm('BatchMatMul', backend, { a: left, b: right }, { transposeA: false, transposeB: false });
    if (left !== b) release(backend, left);
    if (right !== a) release(backend, right);
    const product = transpose(backend, productT, swapInner(productT.shape.length));
    release(backend, productT);
    return product;
  }
  if (!transposeA && !transposeB) return runWasm('BatchMatMul', backend, { a, b }, { transposeA, transposeB });
  const aa = transposeA ? transpose(backend, a, swapInner(rank)) : a;
  const bb = transposeB ? transpose(backend, b, swapInner(b.shape.length)) : b;
  const out = runWasm('BatchMatMul', backend, { a: aa, b: bb }, { transposeA: false, transposeB: false });
  if (aa !== a) release(backend, aa);
  if (bb !== b) release(backend, bb);
  return out;
}

export const batchMatMulConfig: KernelConfig = wasmKernel('BatchMatMul', batchMatMul);
