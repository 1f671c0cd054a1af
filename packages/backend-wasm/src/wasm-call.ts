// Calls the wasm backend's own kernels from inside our kernels, so the heavy lifting runs in
// tfjs-backend-wasm's C++/XNNPACK code instead of JS loops.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

export type { BackendWasm };

// The kernel functions tfjs-backend-wasm registered before we replaced any of them, so that a
// kernel we override can still reach the original.
const originals = new Map<string, KernelFunc>();

/** Remembers the wasm backend's own implementation of `name` (call before overriding it). */
export function rememberOriginal(name: string): void {
  if (originals.has(name)) return;
  const config = tf.getKernel(name, 'wasm');
  if (config == null) throw new Error(`@spikeflow/backend-wasm: tfjs-backend-wasm has no ${name} kernel`);
  originals.set(name, config.kernelFunc);
}

/** Runs a kernel of the wasm backend (its original implementation if we have overridden it). */
export function runWasm(
  name: string,
  backend: BackendWasm,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernelFunc = originals.get(name) ?? tf.getKernel(name, 'wasm')?.kernelFunc;
  if (kernelFunc == null) throw new Error(`@spikeflow/backend-wasm: tfjs-backend-wasm has no ${name} kernel`);
  return kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/** Releases intermediate results of runWasm. */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export const reshape = (backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo =>
  runWasm('Reshape', backend, { x }, { shape });

export const transpose = (backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo =>
  runWasm('Transpose', backend, { x }, { perm });

/** What tfjs passes one of our kernels: its inputs by name, the wasm backend and the attributes. */
export interface WasmKernelArgs<InputName extends string, Attrs = NamedAttrMap> {
  inputs: Record<InputName, TensorInfo>;
  backend: BackendWasm;
  attrs: Attrs;
}

/**
 * The config registering `kernelFunc` as the wasm kernel `kernelName`. Our kernels type their
 * inputs, backend and attributes; tfjs calls them with the generic KernelFunc arguments.
 */
export function wasmKernel<Args>(kernelName: string, kernelFunc: (args: Args) => TensorInfo | TensorInfo[]): KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Where a tensor's data starts in the wasm heap (a byte offset), for modules that run on the heap. */
export const heapAddress = (backend: BackendWasm, t: TensorInfo): number =>
  (backend.dataIdMap.get(t.dataId) as unknown as { memoryOffset: number }).memoryOffset;
