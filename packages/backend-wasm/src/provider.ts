// The wasm backend as a spikeflow provider: tfjs-backend-wasm (XNNPACK) with the training kernels
// it lacks, on one thread or on XNNPACK's thread pool.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BackendCandidate, BackendProvider, BackendSetupOptions } from '@spikeflow/core';
import { registerWasmTrainingKernels, wasmKernelConfigs } from './register.js';
import { defaultThreads, initWasmBackendWithThreads } from './threads.js';
import { prepareWasmNeuronKernels, wasmNeuronKernelSources } from './simd/simd-kernel.js';

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

/** The neuron kernel setup found, in words (setup()'s detail.neuronKernel). */
function describeNeuronKernel(threads: number): string {
  const s = wasmNeuronKernelSources();
  if (threads === 0) return `JavaScript host loop: ${s.binaryenError ?? 'binaryen could not be loaded'}${s.prebuiltError ? `; ${s.prebuiltError}` : ''}`;
  const from = s.prebuilt === 0
    ? 'generated with binaryen'
    : `${s.prebuilt} prebuilt modules; ${s.binaryen ? 'binaryen generates any other neuron\'s' : 'other neurons run the JS host loop (binaryen is not loaded)'}`;
  return `WebAssembly SIMD (${from}), ${threads} thread${threads > 1 ? 's' : ''}`;
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
    // The neuron op's SIMD modules (prebuilt, and binaryen for any other neuron) and thread pool
    // (one thread per XNNPACK thread). Where neither loads, neuron layers run the JS host loop (warned).
    const neuronThreads = await prepareWasmNeuronKernels(getThreadsCount());
    const neuronKernel = describeNeuronKernel(neuronThreads);
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
