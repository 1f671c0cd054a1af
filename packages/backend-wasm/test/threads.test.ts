// The threaded wasm build in Node: starts with two XNNPACK threads and computes what cpu does.
import * as tf from '@tensorflow/tfjs';
import workerThreads from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { initWasmBackendWithThreads } from '../src/index.js';
import { gradsOn, randomInput, relativeError } from './helpers.js';

describe('initWasmBackendWithThreads', () => {
  it('rejects a thread count that is not a positive integer', async () => {
    await expect(initWasmBackendWithThreads(0)).rejects.toThrow(/threads must be a positive integer, got 0/);
  });

  it('runs the wasm backend on two threads with the same conv gradients as cpu', async () => {
    const { threads } = await initWasmBackendWithThreads(2);
    expect(threads).toBe(2);
    expect(tf.getBackend()).toBe('wasm');
    // The start-up shims are gone: other code gets the real worker class and Blob again.
    expect(workerThreads.Worker.name).toBe('Worker');
    expect(globalThis.Blob.name).toBe('Blob');
    const inputs = [randomInput([8, 16, 16, 8], 61), randomInput([3, 3, 8, 16], 62)];
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').square().sum() as tf.Scalar;
    const wasm = await gradsOn('wasm', f, inputs);
    const cpu = await gradsOn('cpu', f, inputs);
    cpu.grads.forEach((g, i) => expect(relativeError(g, wasm.grads[i])).toBeLessThan(1e-4));
  });

  it('refuses to run once the wasm backend is up', async () => {
    await expect(initWasmBackendWithThreads(2)).rejects.toThrow(/already initialized/);
  });
});
