// Whether every element of a tensor is finite, in one pass: the rows module's SIMD scan on the
// thread pool where it is built (the last elements, and everything otherwise, in a loop here),
// where tfjs writes a bool per element and reads them back.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { ALL_FINITE_KERNEL } from '@spikeflow/core/backend';
import { rowsModule } from '../rows-kernels.js';
import { heapAddress, wasmKernel, type WasmKernelArgs } from '../wasm-call.js';

// Elements below which the scan runs on one thread.
const MIN_THREADED = 1 << 16;

let simdScans = 0;
/** How many scans ran on the SIMD module (tests check the path ran). */
export const wasmAllFiniteSimdScans = (): number => simdScans;

function allFinite({ inputs: { x }, backend }: WasmKernelArgs<'x'>): TensorInfo {
  if (x.dtype !== 'float32') throw new Error(`${ALL_FINITE_KERNEL} (wasm): x must be float32, got ${x.dtype}`);
  const n = x.shape.reduce((a, b) => a * b, 1);
  const k = rowsModule.current();
  const vectorised = k ? n - (n % 4) : 0;
  let finite = true;
  if (k && vectorised > 0) {
    finite = rowsModule.run(k, 'nonfinite', [heapAddress(backend, x), vectorised], vectorised >= MIN_THREADED) === 0;
    simdScans++;
  }
  if (finite) {
    const values = backend.typedArrayFromHeap(x) as Float32Array;
    for (let i = vectorised; i < n && finite; i++) finite = Number.isFinite(values[i]);
  }
  return backend.makeOutput([], 'bool', undefined, new Uint8Array([finite ? 1 : 0]));
}

export const allFiniteConfig: KernelConfig = wasmKernel(ALL_FINITE_KERNEL, allFinite);
