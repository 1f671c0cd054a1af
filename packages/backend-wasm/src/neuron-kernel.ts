// The fused neuron op on wasm: @spikeflow/core's generated host kernel, reading and writing the
// tensors in place on the wasm heap instead of copying them out and back (which cost as much as
// the neuron arithmetic itself on large layers).
import * as tf from '@tensorflow/tfjs';
import { hostNeuronKernel, NEURON_KERNEL, type HostMemory, type NeuronKernelConfig } from '@spikeflow/core';
import type { BackendWasm } from './wasm-call.js';

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
};

/** The in-place host kernel for 'wasm' (importing the package registers it). */
export const wasmNeuronKernelConfig: NeuronKernelConfig = {
  kernelName: NEURON_KERNEL,
  backendName: 'wasm',
  neuronOp: (neuron) => hostNeuronKernel(neuron, wasmHeapMemory),
};
