import { NEURON_KERNEL, registerKernels, unregisterNeuronKernel, type NeuronKernelConfig, type NeuronKernelFactory } from '@spikeflow/core/backend';
import { makeFusedNeuronOp } from './fused-neuron-op.js';

/** Builds the fused op for every neuron (WGSL emitted from its step IR). */
export const fusedNeuronKernelFactory: NeuronKernelFactory = (neuron) => makeFusedNeuronOp(neuron);

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
