// The wasm backend as a spikeflow provider: tfjs-backend-wasm (XNNPACK) with the training kernels
// it lacks, on one thread or on XNNPACK's thread pool.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BackendCandidate, BackendProvider, BackendSetupOptions } from '@spikeflow/core';
import { registerWasmTrainingKernels, wasmKernelConfigs } from './register.js';
import { defaultThreads, initWasmBackendWithThreads } from './threads.js';
import { prepareWasmNeuronKernels } from './simd/simd-kernel.js';

const isNode = typeof process !== 'undefined' && process.versions?.node != null;
const started = (): boolean => tf.engine().registry.wasm != null;

/** Why threads cannot run here, or undefined when they can. */
async function noThreadsReason(): Promise<string | undefined> {
  if (started()) return getThreadsCount() > 1 ? undefined : 'the wasm backend already started on one thread (threads are fixed at start)';
  if (!isNode && !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    return 'the page is not cross-origin isolated (serve it with COOP/COEP headers, or use coi-serviceworker), so SharedArrayBuffer is missing';
  }
  const n = await defaultThreads();
  return n > 1 ? undefined : `this machine offers ${n} thread`;
}

export const provider: BackendProvider = {
  name: 'wasm',
  capabilities: {
    tfjsBackend: 'wasm',
    runsWhere: 'Node and every browser with WebAssembly (threads: Node, or a cross-origin-isolated page)',
    runtimes: ['node', 'browser'],
    training: true,
    threads: true,
  },
  kernels: wasmKernelConfigs,
  async probe(): Promise<BackendCandidate[]> {
    const reason = await noThreadsReason();
    const threads = started() ? getThreadsCount() : await defaultThreads();
    return [
      { label: `wasm (${threads} threads)`, preference: 30, available: reason === undefined, reason, options: { threads } },
      {
        label: 'wasm (1 thread)',
        preference: 25,
        available: !started() || getThreadsCount() === 1,
        reason: started() ? `the wasm backend already started on ${getThreadsCount()} threads` : undefined,
        options: { threads: 1 },
      },
    ];
  },
  async setup(options: BackendSetupOptions = {}) {
    registerWasmTrainingKernels();
    const previous = tf.getBackend();
    // Threads are fixed when the backend starts: once started, report what runs.
    if (!started()) await initWasmBackendWithThreads(options.threads ?? (await defaultThreads()));
    else if (options.setBackend !== false && !(await tf.setBackend('wasm'))) throw new Error('@spikeflow/backend-wasm: the wasm backend failed to start');
    if (options.setBackend === false && previous && previous !== 'wasm') await tf.setBackend(previous);
    await tf.ready();
    // The neuron op's SIMD compiler and thread pool (one thread per XNNPACK thread).
    // Where binaryen cannot load (a bundle that leaves it out), neuron layers run the JS host loop.
    let neuronKernel: string;
    try {
      const neuronThreads = await prepareWasmNeuronKernels(getThreadsCount());
      neuronKernel = `WebAssembly SIMD (generated with binaryen), ${neuronThreads} thread${neuronThreads > 1 ? 's' : ''}`;
    } catch (e) {
      neuronKernel = `JavaScript host loop: binaryen could not be loaded (${(e as Error).message})`;
      console.warn(`@spikeflow/backend-wasm: neuron layers run the ${neuronKernel}`);
    }
    return {
      backend: 'wasm',
      tfjsBackend: 'wasm',
      device: 'CPU (WebAssembly, XNNPACK)',
      threads: getThreadsCount(),
      execution: 'hardware',
      fusedKernels: wasmKernelConfigs().map((k) => k.kernelName),
      detail: { neuronKernel },
    };
  },
};
