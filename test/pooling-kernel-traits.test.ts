// Max pooling takes tfjs's own op wherever the backend's MaxPoolGrad kernel declares that it routes
// to the first maximum; pooling names no backend, so a new backend declares it on its kernel config.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { kernelTraits, registerKernels, type TraitedKernelConfig } from '@spikeflow/core/backend';
import { maxPool } from '@spikeflow/pooling';
import { cpu } from './setup.js';

const window = { size: [2, 2] as [number, number], stride: [2, 2] as [number, number], padding: 'valid' as const };

// A new tfjs backend: the cpu backend's class under another name, with the cpu kernels copied, and
// a MaxPoolGrad that counts its calls.
const NAME = 'cpu-twin';
let maxPoolGradCalls = 0;
const cpuKernel = tf.getKernel('MaxPoolGrad', 'cpu') as TraitedKernelConfig;
const { traits: _declaredForCpu, ...undeclared } = cpuKernel;
const countingMaxPoolGrad: tf.KernelConfig = {
  ...undeclared,
  backendName: NAME,
  kernelFunc: (args) => {
    maxPoolGradCalls++;
    return cpuKernel.kernelFunc(args);
  },
};

async function useTwin(): Promise<void> {
  await cpu();
  const Backend = tf.backend().constructor as new () => tf.KernelBackend;
  tf.registerBackend(NAME, () => new Backend(), 0);
  for (const k of tf.getKernelsForBackend('cpu')) if (k.kernelName !== 'MaxPoolGrad') tf.registerKernel({ ...k, backendName: NAME });
  tf.registerKernel(countingMaxPoolGrad);
  await tf.setBackend(NAME);
}

async function gradient(): Promise<number[]> {
  const x = tf.cast(tf.greater(tf.randomUniform([2, 6, 6, 3], 0, 1, 'float32', 21), 0.4), 'float32') as tf.Tensor4D;
  const dy = tf.randomNormal([2, 3, 3, 3], 0, 1, 'float32', 22);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxPool.applyToSpikes!(t as tf.Tensor4D, window, {}), dy)))(x);
  // -0 and 0 are the same gradient (the portable path multiplies dy by a 0/1 mask).
  const values = Array.from(await g.data(), (v) => (v === 0 ? 0 : v));
  tf.dispose([x, dy, g]);
  return values;
}

describe('max pooling follows the MaxPoolGrad kernel traits', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
    tf.removeBackend(NAME);
  });

  it("spikeflow's cpu backend declares tfjs-cpu's MaxPoolGrad as first-max, taking bool spikes", async () => {
    await cpu();
    expect(kernelTraits('MaxPoolGrad', 'cpu')).toEqual({ firstMaxPoolGrad: true, boolMaxPoolGradInputs: true });
    expect(kernelTraits('MaxPoolGrad', 'no-such-backend')).toEqual({});
  });

  it('a new backend gets the portable backward until its kernel declares the trait, then tfjs\'s own, with the same gradient', async () => {
    await useTwin();
    expect(kernelTraits('MaxPoolGrad', NAME)).toEqual({});
    const portable = await gradient();
    expect(maxPoolGradCalls).toBe(0);
    registerKernels([{ ...countingMaxPoolGrad, traits: { firstMaxPoolGrad: true } }]);
    expect(kernelTraits('MaxPoolGrad', NAME)).toEqual({ firstMaxPoolGrad: true });
    const declared = await gradient();
    expect(maxPoolGradCalls).toBe(1);
    expect(declared).toEqual(portable);
    // Replacing the kernel with one that declares nothing takes the trait away.
    registerKernels([countingMaxPoolGrad]);
    expect(kernelTraits('MaxPoolGrad', NAME)).toEqual({});
    await gradient();
    expect(maxPoolGradCalls).toBe(1);
  });
});
