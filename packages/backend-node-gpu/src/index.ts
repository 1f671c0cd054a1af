// @spikeflow/backend-node-gpu: spikeflow on tfjs's 'tensorflow' backend (@tensorflow/tfjs-node-gpu
// or @tensorflow/tfjs-node, optional peers). Importing this module registers its provider and loads
// no native code: setup() does, and says what to install when it cannot.
import { registerBackendProvider } from '@spikeflow/core';
import { provider } from './provider.js';

export { provider, makeProvider, tensorflowNeuronKernelConfig, TENSORFLOW_BACKEND, type NodeGpuSetupOptions } from './provider.js';
export { NodeBackendError, classifyLoadError, LIBTENSORFLOW, GPU_PACKAGE, CPU_PACKAGE, type NodeBackendFailure, type TfjsNodePackage } from './load.js';
export { tensorflowNeuronOp, affineForward, type AffineForward } from './tensorflow-neuron-op.js';
export { countKernelCalls, type CallCounts } from './call-count.js';

/** Loads tfjs-node-gpu (else tfjs-node), registers spikeflow's kernels for it and reports what runs. */
export const setup = provider.setup;

registerBackendProvider(provider);
