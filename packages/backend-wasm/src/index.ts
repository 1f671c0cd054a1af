// @spikeflow/backend-wasm: importing this module registers the training kernels for 'wasm'.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './register.js';
import { defaultThreads, initWasmBackendWithThreads } from './threads.js';

export { registerWasmTrainingKernels, trainingKernelNames } from './register.js';
export { initWasmBackendWithThreads, defaultThreads, type WasmThreadsResult } from './threads.js';

registerWasmTrainingKernels();

/**
 * Starts the wasm backend for spikeflow (the kernels are registered on import): with `threads` > 1,
 * XNNPACK's thread pool (see initWasmBackendWithThreads). Default: every core in Node; in browsers
 * every core on a cross-origin-isolated page, else 1. Returns the thread count in use.
 */
export async function setup(options: { threads?: number } = {}): Promise<{ threads: number }> {
  // Already started (threads are fixed at start): report what runs.
  if (tf.engine().registry.wasm != null) return { threads: getThreadsCount() };
  return initWasmBackendWithThreads(options.threads ?? (await defaultThreads()));
}
