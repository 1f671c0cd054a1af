// The fused neuron op on wasm: a WebAssembly SIMD module generated from the neuron's step IR
// (simd/), or where that cannot run, @spikeflow/core's generated JavaScript host kernel. Both read
// and write the tensors in place on the wasm heap instead of copying them out and back.
import * as tf from '@tensorflow/tfjs';
import { hostNeuronKernel, NEURON_KERNEL, registerKernels, type HostMemory, type NeuronKernelConfig } from '@spikeflow/core/backend';
import type { BackendWasm } from './wasm-call.js';
import { simdNeuronKernel, recordJsFallback } from './simd/simd-kernel.js';

const heap = (): BackendWasm => tf.backend() as unknown as BackendWasm;

export const wasmHeapMemory: HostMemory = {
  alloc(shapes) {
    const backend = heap();
    const infos = shapes.map((shape) => backend.makeOutput(shape, 'float32'));
    return {
      tensors: infos.map((info) => tf.engine().makeTensorFromTensorInfo(info)),
      // Views are taken after every allocation: growing the heap would detach earlier ones.
      views: () => infos.map((info) => backend.typedArrayFromHeap(info) as Float32Array),
    };
  },
  read: (tensors) => tensors.map((t) => heap().typedArrayFromHeap(t) as Float32Array),
  inPlace: true,
};

let selected: 'simd' | 'js' = 'simd';

/**
 * Chooses the neuron kernel for layers built from now on: 'simd' (the default) or 'js', the
 * JavaScript host kernel (to compare the two; the SIMD kernel falls back to it on its own).
 */
export function selectWasmNeuronKernel(kernel: 'simd' | 'js'): void {
  if (kernel !== 'simd' && kernel !== 'js') throw new Error(`selectWasmNeuronKernel: expected 'simd' or 'js', got ${String(kernel)}`);
  selected = kernel;
  // Registering again drops the kernels already made for 'wasm'.
  registerKernels([wasmNeuronKernelConfig]);
}

/** The fused neuron op for 'wasm' (importing the package registers it). */
export const wasmNeuronKernelConfig: NeuronKernelConfig = {
  kernelName: NEURON_KERNEL,
  backendName: 'wasm',
  neuronOp(neuron) {
    if (selected === 'js') {
      recordJsFallback(neuron, 'selected with selectWasmNeuronKernel(\'js\')');
      return hostNeuronKernel(neuron, wasmHeapMemory);
    }
    const simd = simdNeuronKernel(neuron);
    if (simd.op) return simd.op;
    recordJsFallback(neuron, simd.reason!);
    console.warn(`spikeflow: neuron "${neuron.kind}" on wasm runs the JavaScript host kernel, not WebAssembly SIMD: ${simd.reason}`);
    return hostNeuronKernel(neuron, wasmHeapMemory);
  },
};
