// Adam's update of one variable on wasm: core's host loop over views of the wasm heap (one pass
// instead of tfjs Adam's dozen ops per variable).
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { ADAM_UPDATE_KERNEL, adamUpdateHost, type AdamUpdateAttrs } from '@spikeflow/core/backend';
import { wasmKernel, type WasmKernelArgs } from '../wasm-call.js';

function adamUpdate({ inputs, backend, attrs }: WasmKernelArgs<string, AdamUpdateAttrs>): TensorInfo[] {
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`${ADAM_UPDATE_KERNEL} (wasm): input ${name} must be float32, got ${t.dtype}`);
  }
  const { value, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2 } = inputs;
  const outs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  // Views only after every allocation: growing the heap detaches earlier ones.
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  adamUpdateHost(view(value), view(gradient), view(m), view(v), view(oneMinusAccBeta1)[0], view(oneMinusAccBeta2)[0],
    attrs.learningRate, attrs.beta1, attrs.beta2, attrs.epsilon, view(outs[0]), view(outs[1]), view(outs[2]));
  return outs;
}

export const adamUpdateConfig: KernelConfig = wasmKernel(ADAM_UPDATE_KERNEL, adamUpdate);
