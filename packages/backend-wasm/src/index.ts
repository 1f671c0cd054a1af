// @spikeflow/backend-wasm: importing this module registers the training kernels for 'wasm' and
// the wasm provider.
import { registerBackendProvider } from '@spikeflow/core';
import { registerWasmTrainingKernels } from './register.js';
import { provider } from './provider.js';

export { registerWasmTrainingKernels, trainingKernelNames, wasmKernelConfigs } from './register.js';
export { initWasmBackendWithThreads, defaultThreads, type WasmThreadsResult } from './threads.js';
export { selectWasmNeuronKernel, wasmNeuronKernelConfig } from './neuron-kernel.js';
export {
  closeWasmNeuronThreads,
  prepareWasmNeuronKernels,
  wasmNeuronKernelInfo,
  wasmNeuronKernelSources,
  type WasmNeuronKernelInfo,
  type WasmNeuronKernelSources,
} from './simd/simd-kernel.js';
export {
  addPrebuiltNeuronKernel,
  NEURON_KERNELS_FORMAT,
  PREBUILT_NEURON_LAYERS,
  prebuiltNeuronKernelCount,
  setNeuronKernelsPath,
  type NeuronKernelsManifest,
} from './simd/prebuilt.js';
export { neuronIrKey } from './simd/ir-key.js';
export { useBinaryen } from './simd/binaryen.js';
export { setWasmSpikeKernels, wasmSpikeKernelsEnabled } from './spike-kernels.js';
export { provider } from './provider.js';

/**
 * Starts the wasm backend for spikeflow (the kernels are registered on import): with `threads` > 1,
 * XNNPACK's thread pool (see initWasmBackendWithThreads). Default: every core in Node; in browsers
 * every core on a cross-origin-isolated page, else 1. Reports what runs.
 */
export const setup = provider.setup;

registerWasmTrainingKernels();
registerBackendProvider(provider);
