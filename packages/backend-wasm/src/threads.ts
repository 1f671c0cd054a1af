// Starts the wasm backend with XNNPACK's thread pool. In browsers that only needs a
// cross-origin-isolated page (COOP/COEP headers, so SharedArrayBuffer exists). In Node,
// tfjs-backend-wasm 4.22 turns threads off (WASM_HAS_MULTITHREAD_SUPPORT is false under Node)
// and, if forced on, fails: Emscripten hands node:worker_threads a blob: URL for the pthread
// worker script, which Node rejects. We write the two generated scripts (worker and main module)
// to temporary files and point the workers at those files instead.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const isNode = typeof process !== 'undefined' && process.versions?.node != null;

/**
 * Threads to use when none are asked for: the machine's cores in Node; in browsers the cores on a
 * cross-origin-isolated page (threads need SharedArrayBuffer), else 1.
 */
export async function defaultThreads(): Promise<number> {
  if (isNode) return (await import('./node-threads.js')).availableCores();
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return g.crossOriginIsolated ? Math.max(1, g.navigator?.hardwareConcurrency ?? 1) : 1;
}

/**
 * Runs `start` while navigator.hardwareConcurrency reports at least 2 * `threads`: tfjs-backend-wasm
 * caps XNNPACK's pool at half the logical cores it reads when it starts (it assumes two hyperthreads
 * per core), so a 2-core machine would run one thread whatever was asked. Restored afterwards.
 */
async function withCoresReported<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (!nav || (nav.hardwareConcurrency ?? 1) >= 2 * threads) return start();
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => 2 * threads });
  try {
    return await start();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

export interface WasmThreadsResult {
  /** Threads XNNPACK actually uses (tfjs-backend-wasm caps the count, see README). */
  threads: number;
}

/**
 * Initializes the 'wasm' backend with `threads` XNNPACK threads and makes it the active backend.
 * Must run before the wasm backend is first initialized (tf.setBackend('wasm') or tf.ready()).
 */
export async function initWasmBackendWithThreads(threads: number): Promise<WasmThreadsResult> {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`initWasmBackendWithThreads: threads must be a positive integer, got ${threads}`);
  }
  if (tf.engine().registry.wasm != null) {
    throw new Error('initWasmBackendWithThreads: the wasm backend is already initialized; call this before tf.setBackend(\'wasm\')');
  }
  setThreadsCount(threads);
  if (!isNode || threads === 1) {
    const started = threads === 1 ? await tf.setBackend('wasm') : await withCoresReported(threads, () => tf.setBackend('wasm'));
    if (!started) throw new Error('initWasmBackendWithThreads: the wasm backend failed to start');
    return { threads: getThreadsCount() };
  }
  const { installNodeShims } = await import('./node-threads.js');
  const restore = installNodeShims(threads);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('initWasmBackendWithThreads: the wasm backend failed to start');
  } finally {
    restore();
  }
  return { threads: getThreadsCount() };
}
