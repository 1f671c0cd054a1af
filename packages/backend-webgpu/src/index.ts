// @spikeflow/backend-webgpu: fused multi-step neuron kernels for tfjs's webgpu backend.
// Importing this module does nothing on its own (it must not fail where there is no GPU): call setup().
export { setup, type SetupOptions } from './setup.js';
export { describeAdapter, formatAdapter, noAdapterMessage, type AdapterReport } from './adapter.js';
export { registerFusedNeuronKernels, unregisterFusedNeuronKernels, fusedNeuronKernelFactory } from './register.js';
export { makeFusedNeuronOp, checkNeuronShaders, NeuronShaderError } from './fused-neuron-op.js';
export { generateNeuronShaders, WORKGROUP_SIZE, type NeuronShaders } from './neuron-shaders.js';
export { registerFirstMaxPoolGrad } from './max-pool.js';
