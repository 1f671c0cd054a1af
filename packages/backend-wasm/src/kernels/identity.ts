// Identity, and Cast to the same dtype, on wasm. tfjs-backend-wasm copies the whole tensor for
// both; gradients call them on every activation (e.g. the Cast in tf.moments and its gradient).
// tfjs tensors are immutable, so the output can share the input's memory, as tfjs-cpu does.
import type { CastAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { runWasm, wasmKernel, type BackendWasm, type WasmKernelArgs } from '../wasm-call.js';

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function identity(args: WasmKernelArgs<'x'>): TensorInfo {
  const { inputs: { x }, backend } = args;
  // Strings live outside the heap; the original handles them.
  return x.dtype === 'string' ? runWasm('Identity', backend, { x }) : share(backend, x);
}

export function cast(args: WasmKernelArgs<'x', CastAttrs>): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  if (x.dtype === attrs.dtype && x.dtype !== 'string') return share(backend, x);
  return runWasm('Cast', backend, { x }, { dtype: attrs.dtype });
}

export const identityConfig: KernelConfig = wasmKernel('Identity', identity);

export const castConfig: KernelConfig = wasmKernel('Cast', cast);
