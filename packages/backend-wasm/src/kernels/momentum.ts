// SGD with momentum's update of one variable on wasm, one pass instead of tfjs's four ops: the SIMD
// module on the thread pool where it is built (simd/optimizer-module.ts), and a float32 loop here
// for the last elements (and everything otherwise), the same operations in the same order.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { MOMENTUM_UPDATE_KERNEL, type MomentumUpdateAttrs } from '@spikeflow/core/backend';
import { heapAddress, wasmKernel, type WasmKernelArgs } from '../wasm-call.js';
import { optimizerModule } from './adam.js';

let simdUpdates = 0;
/** How many updates ran on the SIMD module (tests check the path ran). */
export const wasmMomentumSimdUpdates = (): number => simdUpdates;

function momentumUpdate({ inputs, backend, attrs }: WasmKernelArgs<string, MomentumUpdateAttrs>): TensorInfo[] {
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`${MOMENTUM_UPDATE_KERNEL} (wasm): input ${name} must be float32, got ${t.dtype}`);
  }
  const { value, gradient, accumulation } = inputs;
  const outs = [value, accumulation].map((t) => backend.makeOutput(t.shape, 'float32'));
  const m = Math.fround(attrs.momentum);
  const c = Math.fround(-attrs.learningRate);
  const n = value.shape.reduce((a, b) => a * b, 1);
  const k = optimizerModule.current();
  const vectorised = k ? n - (n % 4) : 0;
  if (k && vectorised > 0) {
    const pointers = [value, gradient, accumulation, ...outs].map((t) => heapAddress(backend, t));
    optimizerModule.run(k, attrs.nesterov ? 'momentum_nesterov' : 'momentum', [...pointers, vectorised], true, [m, c]);
    simdUpdates++;
  }
  if (vectorised < n) {
    // Views only after every allocation: growing the heap detaches earlier ones.
    const [v, g, a, outV, outA] = [value, gradient, accumulation, ...outs].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
    const f = Math.fround;
    for (let i = vectorised; i < n; i++) {
      const acc = f(f(m * a[i]) + g[i]);
      outA[i] = acc;
      outV[i] = attrs.nesterov ? f(f(c * f(g[i] + f(acc * m))) + v[i]) : f(f(c * acc) + v[i]);
    }
  }
  return outs;
}

export const momentumUpdateConfig: KernelConfig = wasmKernel(MOMENTUM_UPDATE_KERNEL, momentumUpdate);
