// Adam's update of one variable on wasm: one pass instead of tfjs Adam's dozen ops per variable.
// The SIMD module on the thread pool (simd/optimizer-module.ts) where it is built, bit for bit core's
// host loop, which runs over views of the wasm heap otherwise (and for the last elements when the
// count is not a multiple of 4).
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { ADAM_UPDATE_KERNEL, adamUpdateHost, type AdamUpdateAttrs } from '@spikeflow/core/backend';
import { heapAddress, wasmKernel, type WasmKernelArgs } from '../wasm-call.js';
import { optimizerModuleBinary, type OptimizerModuleFunction } from '../simd/optimizer-module.js';
import { pooledModule } from '../simd/pooled-module.js';

// Below this many elements per thread a call is not worth waking the pool.
const MIN_ELEMENTS_PER_THREAD = 16384;
/** The optimizer module on the backend's heap (Adam here, momentum SGD in momentum.ts). */
export const optimizerModule = pooledModule<OptimizerModuleFunction>(optimizerModuleBinary, MIN_ELEMENTS_PER_THREAD);

let simdUpdates = 0;
/** How many updates ran on the SIMD module (tests check the path ran). */
export const wasmAdamSimdUpdates = (): number => simdUpdates;

function adamUpdate({ inputs, backend, attrs }: WasmKernelArgs<string, AdamUpdateAttrs>): TensorInfo[] {
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`${ADAM_UPDATE_KERNEL} (wasm): input ${name} must be float32, got ${t.dtype}`);
  }
  const { value, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2 } = inputs;
  const outs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  // Views only after every allocation: growing the heap detaches earlier ones.
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  const corrections = [view(oneMinusAccBeta1)[0], view(oneMinusAccBeta2)[0]];
  const n = view(value).length;
  const k = optimizerModule.current();
  // The SIMD module takes whole f32x4 vectors; the host loop does the rest (same arithmetic).
  const vectorised = k ? n - (n % 4) : 0;
  if (k && vectorised > 0) {
    const { learningRate, beta1, beta2, epsilon } = attrs;
    const pointers = [value, gradient, m, v, ...outs].map((t) => heapAddress(backend, t));
    // The host loop's own derived constants, computed the same way in float64.
    const scalars = [beta1, 1 - beta1, beta2, 1 - beta2, learningRate / corrections[0], 1 / corrections[1], epsilon];
    optimizerModule.run(k, 'adam', [...pointers, vectorised], true, scalars);
    simdUpdates++;
  }
  if (vectorised < n) {
    const rest = (t: TensorInfo) => view(t).subarray(vectorised);
    adamUpdateHost(rest(value), rest(gradient), rest(m), rest(v), corrections[0], corrections[1],
      attrs.learningRate, attrs.beta1, attrs.beta2, attrs.epsilon, rest(outs[0]), rest(outs[1]), rest(outs[2]));
  }
  return outs;
}

export const adamUpdateConfig: KernelConfig = wasmKernel(ADAM_UPDATE_KERNEL, adamUpdate);
