// @spikeflow/backend-wasm: importing this module registers the training kernels for 'wasm'.
import { registerWasmTrainingKernels } from './register.js';

export { registerWasmTrainingKernels, trainingKernelNames } from './register.js';
export { initWasmBackendWithThreads, type WasmThreadsResult } from './threads.js';

registerWasmTrainingKernels();
