// @spikeflow/backend-cpu: importing this module registers spikeflow's kernels for tfjs-backend-cpu
// (the generated neuron loop, and a convolution filter gradient that skips the zeros of spike
// maps, where tfjs's naive loop dominated a CSNN training step) and its provider.
import { registerBackendProvider } from '@spikeflow/core';
import { provider, registerCpuKernels } from './provider.js';

export { conv2DBackpropFilter, conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
export { batchNormTrainConfig, batchNormTrainGradConfig } from './batch-norm.js';
export { adamUpdateConfig } from './adam.js';
export { provider, registerCpuKernels, cpuNeuronKernelConfig } from './provider.js';

/** Registers the kernels and makes cpu the current backend; reports what runs. */
export const setup = provider.setup;

registerCpuKernels();
registerBackendProvider(provider);
