import { registerNeuronKernel, unregisterNeuronKernel, type NeuronKernelFactory } from '@spikeflow/core';
import { makeFusedNeuronOp } from './fused-neuron-op.js';

/** Builds the fused op for every neuron (WGSL emitted from its step IR). */
export const fusedNeuronKernelFactory: NeuronKernelFactory = (neuron) => makeFusedNeuronOp(neuron);

/** Makes spikeflow's neuron layers run the fused kernels on tfjs's 'webgpu' backend. */
export function registerFusedNeuronKernels(): void {
  registerNeuronKernel('webgpu', fusedNeuronKernelFactory);
}

/** Back to the reference op on webgpu (for comparisons and benchmarks). */
export function unregisterFusedNeuronKernels(): void {
  unregisterNeuronKernel('webgpu');
}
