import { registerNeuronKernel, unregisterNeuronKernel, type NeuronKernelFactory } from '@spikeflow/core';
import { tryFusedNeuronOp } from './fused-neuron-op.js';

/** Builds a fused op for every neuron whose expressions print as WGSL; others get the reference op. */
export const fusedNeuronKernelFactory: NeuronKernelFactory = (neuron) => tryFusedNeuronOp(neuron);

/** Makes spikeflow's neuron layers run the fused kernels on tfjs's 'webgpu' backend. */
export function registerFusedNeuronKernels(): void {
  registerNeuronKernel('webgpu', fusedNeuronKernelFactory);
}

/** Back to the reference op on webgpu (for comparisons and benchmarks). */
export function unregisterFusedNeuronKernels(): void {
  unregisterNeuronKernel('webgpu');
}
