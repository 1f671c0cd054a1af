// @spikeflow/backend-webgpu: fused multi-step neuron kernels for tfjs's webgpu backend.
// Importing this module registers its provider and touches no GPU (it must not fail where there is
// none): call setup().
import { registerBackendProvider } from '@spikeflow/core';
import { provider } from './provider.js';

export { provider } from './provider.js';
export { setupAdapter, type SetupOptions, type AdapterSetup } from './setup.js';
export { dawnStartupMessages } from './node-gpu.js';
export { captureNativeStderr, type Captured, type CaptureOptions } from './native-stderr.js';
export { describeAdapter, formatAdapter, noAdapterMessage, type AdapterReport } from './adapter.js';
export { registerFusedNeuronKernels, unregisterFusedNeuronKernels, fusedNeuronKernelFactory, webgpuNeuronKernelConfig } from './register.js';
export { makeFusedNeuronOp, checkNeuronShaders, NeuronShaderError } from './fused-neuron-op.js';
export { generateNeuronShaders, type NeuronShaders } from './neuron-shaders.js';
export { overrideWebGPULimits, effectiveLimits, type WebGPULimits } from './limits.js';
export { planNeuronChunks, largestBinding, type NeuronChunk, type NeuronOpShape } from './neuron-chunks.js';
export { neuronWorkgroupSize, preferNeuronWorkgroupSize, PREFERRED_NEURON_WORKGROUP } from './workgroup.js';
export { registerFirstMaxPoolGrad, maxPoolGradConfig } from './max-pool.js';
export { batchNormKernelConfigs } from './batch-norm.js';
export { conv2DBackpropFilterConfig, tfjsFilterGradConfig, filterGradConfig, filterGradShape, FilterGradProgram, type FilterGradShape } from './conv-filter-grad.js';

/** Finds an adapter, registers the webgpu backend and the fused kernels, and reports what runs. */
export const setup = provider.setup;

registerBackendProvider(provider);
