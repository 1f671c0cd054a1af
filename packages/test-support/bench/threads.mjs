// The thread count every benchmark row reports: what the tfjs backend computes with.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';

/**
 * Threads of a started tfjs backend: wasm's XNNPACK pool, the native TensorFlow library's pool
 * (every core), else 1 (cpu runs on JavaScript's main thread; webgpu's host side is one thread).
 */
export function backendThreads(name = tf.getBackend()) {
  if (name === 'wasm') return tf.engine().registry.wasm?.wasm?.tfjs?.getThreadsCount?.() ?? 1;
  if (name === 'tensorflow') return availableParallelism();
  return 1;
}
