// registerKernels never swaps a kernel silently: a different kernel under a registered name and
// backend is an error naming both, unless the caller asks to replace it.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { NEURON_KERNEL, registerKernels, unregisterNeuronKernel, type NeuronKernelFactory } from '../src/backend/index.js';

const backendName = 'spikeflow-register-test';
const kernel = (value: number): tf.KernelConfig => ({ kernelName: 'SpikeflowRegisterTest', backendName, kernelFunc: () => ({ value }) as unknown as tf.TensorInfo });
const run = () => (tf.getKernel('SpikeflowRegisterTest', backendName)!.kernelFunc as unknown as () => { value: number })().value;

afterAll(() => {
  tf.unregisterKernel('SpikeflowRegisterTest', backendName);
  unregisterNeuronKernel(backendName);
});

describe('registerKernels', () => {
  const first = kernel(1);

  it('registers a new kernel, and registering the same one again does nothing', () => {
    expect(registerKernels([first])).toEqual(['SpikeflowRegisterTest']);
    expect(() => registerKernels([first])).not.toThrow();
    expect(run()).toBe(1);
  });

  it('refuses a different kernel under the same name and backend, naming both', () => {
    expect(() => registerKernels([kernel(2)])).toThrow(
      `registerKernels: a SpikeflowRegisterTest kernel is already registered for backend '${backendName}'; pass { replace: true } to replace it`,
    );
    expect(run()).toBe(1);
  });

  it('replaces it when asked', () => {
    registerKernels([kernel(3)], { replace: true });
    expect(run()).toBe(3);
  });

  it('treats the neuron op the same way', () => {
    const unused = (): never => {
      throw new Error('not called: only registered');
    };
    const a: NeuronKernelFactory = () => unused;
    const b: NeuronKernelFactory = () => unused;
    registerKernels([{ kernelName: NEURON_KERNEL, backendName, neuronOp: a }]);
    expect(() => registerKernels([{ kernelName: NEURON_KERNEL, backendName, neuronOp: a }])).not.toThrow();
    expect(() => registerKernels([{ kernelName: NEURON_KERNEL, backendName, neuronOp: b }])).toThrow(`a ${NEURON_KERNEL} kernel is already registered for backend '${backendName}'`);
    expect(() => registerKernels([{ kernelName: NEURON_KERNEL, backendName, neuronOp: b }], { replace: true })).not.toThrow();
  });
});
