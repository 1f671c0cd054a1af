// The WebAssembly SIMD neuron kernel on the threaded wasm build (Node): neurons split across the
// worker pool on tfjs's shared heap give the JS host kernel's results, for PLIF (whose parameter
// gradient is summed over the threads) and Izhikevich, with M not a multiple of 4 or of the
// thread count; the pool stops cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWasmNeuronThreads, setup, wasmNeuronKernelInfo } from '../src/index.js';
import { compile, expectSameAsHostKernel, LAYERS } from './simd-support.js';

beforeAll(async () => {
  const report = await setup({ threads: 2 });
  expect(report.threads).toBe(2);
  expect(report.detail?.neuronKernel).toMatch(/WebAssembly SIMD.*2 threads/);
});
afterAll(closeWasmNeuronThreads);

describe('SIMD neuron kernel, two threads', () => {
  it('matches the JS host kernel for PLIF and Izhikevich across the pool, tails included', async () => {
    for (const layer of [LAYERS.plif, LAYERS.izhikevich]) {
      const n = compile(layer);
      // 4 x 9001: two chunks of 4500 and 4501 neurons; 4 x 10003: a tail of 3 in the last chunk.
      for (const M of [9001, 10003]) {
        await expectSameAsHostKernel(n, 4, M, M);
        expect(wasmNeuronKernelInfo(n)).toMatchObject({ implementation: 'wasm-simd', threads: 2, lastCallThreads: 2 });
      }
      // A small layer runs on the main thread alone.
      await expectSameAsHostKernel(n, 3, 7, 1);
      expect(wasmNeuronKernelInfo(n)?.lastCallThreads).toBe(1);
    }
  });
});
