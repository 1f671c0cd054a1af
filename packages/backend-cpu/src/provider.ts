// The cpu backend as a spikeflow provider: tfjs-backend-cpu (plain JavaScript, runs everywhere)
// with spikeflow's kernels for it.
import * as tf from '@tensorflow/tfjs';
import { type BackendProvider, type BackendSetupOptions } from '@spikeflow/core';
import { copyingMemory, hostNeuronKernel, NEURON_KERNEL, registerKernels, type BackendKernelConfig, type HostMemory, type TraitedKernelConfig } from '@spikeflow/core/backend';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { batchNormTrainConfig, batchNormTrainGradConfig } from './batch-norm.js';
import { adamUpdateConfig } from './adam.js';

/**
 * tfjs-backend-cpu's own arrays: the kernel reads a tensor's values where tfjs-cpu keeps them (no
 * copy), so it may write a result over an input it owns (inPlace). Outputs are new arrays.
 */
export const cpuMemory: HostMemory = {
  alloc: copyingMemory.alloc,
  read: (tensors) => {
    const data = (tf.backend() as unknown as { data: { get(id: object): { values?: unknown } } }).data;
    return tensors.map((t) => {
      const values = data.get(t.dataId)?.values;
      if (!(values instanceof Float32Array)) throw new Error(`neuron op (cpu): expected float32 values, got ${t.dtype}`);
      return values;
    });
  },
  inPlace: true,
};

/** The fused neuron op on cpu: the generated JavaScript loop over host memory. */
export const cpuNeuronKernelConfig: BackendKernelConfig = { kernelName: NEURON_KERNEL, backendName: 'cpu', neuronOp: (neuron) => hostNeuronKernel(neuron, cpuMemory) };

let maxPoolGrad: TraitedKernelConfig | undefined;

/**
 * tfjs-backend-cpu's own MaxPoolGrad, declared as routing each window's gradient to its first
 * maximum (row-major), which it does: max pooling on spikes then runs tfjs's op. It also takes bool
 * input and output (it compares their values, 0 and 1), so spikes kept as bool go to it as they are
 * (test/max-pool-grad-bool.test.ts holds it to that). Taken once, so a later replacement of the
 * kernel is not declared by mistake.
 */
function declaredMaxPoolGrad(): TraitedKernelConfig[] {
  const now = tf.getKernel('MaxPoolGrad', 'cpu');
  if (!maxPoolGrad && now) maxPoolGrad = { ...now, traits: { firstMaxPoolGrad: true, boolMaxPoolGradInputs: true } };
  // A kernel registered since in its place declares its own traits.
  return maxPoolGrad && now?.kernelFunc === maxPoolGrad.kernelFunc ? [maxPoolGrad] : [];
}

/** tfjs-backend-cpu's own kernels that spikeflow replaces (a faster filter gradient). */
const replaced = (): BackendKernelConfig[] => [conv2DBackpropFilterConfig];
const added = (): BackendKernelConfig[] => [batchNormTrainConfig, batchNormTrainGradConfig, adamUpdateConfig, cpuNeuronKernelConfig];
/** spikeflow's own kernels for cpu (what setup reports). */
const ownKernels = (): BackendKernelConfig[] => [...replaced(), ...added()];
const kernels = (): BackendKernelConfig[] => [...ownKernels(), ...declaredMaxPoolGrad()];

/** Registers spikeflow's cpu kernels and declares tfjs's MaxPoolGrad (importing the package does it; safe to call again). */
export function registerCpuKernels(): string[] {
  registerKernels(declaredMaxPoolGrad()); // tfjs's own kernel function, now with its trait
  return [...registerKernels(replaced(), { replace: true }), ...registerKernels(added())];
}

export const provider: BackendProvider = {
  name: 'cpu',
  capabilities: { tfjsBackend: 'cpu', runsWhere: 'everywhere tfjs runs (plain JavaScript: Node and every browser)', runtimes: ['node', 'browser'], training: true, threads: false },
  kernels,
  async probe() {
    return [{ label: 'cpu (JavaScript)', preference: 10, available: tf.findBackendFactory('cpu') != null, reason: 'tfjs-backend-cpu is not registered (import @tensorflow/tfjs)' }];
  },
  async setup(options: BackendSetupOptions = {}) {
    const fusedKernels = registerCpuKernels();
    if (options.setBackend !== false) {
      if (!(await tf.setBackend('cpu'))) throw new Error('@spikeflow/backend-cpu: tfjs could not start its cpu backend');
      await tf.ready();
    }
    return { backend: 'cpu', tfjsBackend: 'cpu', device: 'CPU (JavaScript)', threads: 1, execution: 'hardware', fusedKernels };
  },
};
