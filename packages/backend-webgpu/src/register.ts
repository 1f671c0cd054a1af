import { NEURON_KERNEL, registerKernels, unregisterNeuronKernel, type NeuronKernelConfig, type NeuronKernelFactory } from '@spikeflow/core';
import { tryFusedNeuronOp } from './fused-neuron-op.js';

/** Builds a fused op for every neuron whose expressions print as WGSL; others get the reference op. */
export const fusedNeuronKernelFactory: NeuronKernelFactory = (neuron) => tryFusedNeuronOp(neuron);

/** The fused neuron op for tfjs's 'webgpu' backend. */
export const webgpuNeuronKernelConfig: NeuronKernelConfig = { kernelName: NEURON_KERNEL, backendName: 'webgpu', neuronOp: fusedNeuronKernelFactory };

/** Makes spikeflow's neuron layers run the fused kernels on tfjs's 'webgpu' backend. */
export function registerFusedNeuronKernels(): void {
  registerKernels([webgpuNeuronKernelConfig]);
}

/** Back to the reference op on webgpu (for comparisons and benchmarks). */
export function unregisterFusedNeuronKernels(): void {
  unregisterNeuronKernel('webgpu');
}
