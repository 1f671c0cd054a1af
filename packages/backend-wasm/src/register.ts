// Registers the training kernels with tfjs for the 'wasm' backend.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2DConfig } from './kernels/conv2d.js';
import { conv2DBackpropFilterConfig } from './kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './kernels/conv2d-backprop-input.js';
import { batchMatMulConfig } from './kernels/batch-mat-mul.js';
import { castConfig, identityConfig } from './kernels/identity.js';
import { sliceConfig, unpackConfig } from './kernels/slice.js';
import { tileConfig } from './kernels/tile.js';
import { maxPoolGradConfig } from './kernels/max-pool-grad.js';
import { meanConfig, sumConfig } from './kernels/reduce-leading.js';
import { batchNormTrainConfig, batchNormTrainGradConfig } from './kernels/batch-norm.js';
import { adamUpdateConfig } from './kernels/adam.js';
import { allFiniteConfig } from './kernels/all-finite.js';
import { momentumUpdateConfig } from './kernels/momentum.js';
import { registerWasmGradients } from './gradients.js';
import { rememberOriginal } from './wasm-call.js';
import { registerKernels, type BackendKernelConfig } from '@spikeflow/core/backend';
import { wasmNeuronKernelConfig } from './neuron-kernel.js';

/** Kernels tfjs-backend-wasm does not have at all. */
const added: KernelConfig[] = [conv2DBackpropFilterConfig, batchNormTrainConfig, batchNormTrainGradConfig, adamUpdateConfig, allFiniteConfig, momentumUpdateConfig];

/** Kernels tfjs-backend-wasm has, but whose implementation we replace with a faster one. */
const replaced: KernelConfig[] = [
  conv2DConfig, conv2DBackpropInputConfig, batchMatMulConfig, maxPoolGradConfig, sumConfig, meanConfig, identityConfig, castConfig,
  tileConfig, sliceConfig, unpackConfig,
];

let registered = false;

/** Names of the kernels this package registers for 'wasm' (added and replaced). */
export const trainingKernelNames: readonly string[] = [...added, ...replaced].map((k) => k.kernelName);

/** Every kernel config this package registers for 'wasm', the neuron op included. */
export const wasmKernelConfigs = (): BackendKernelConfig[] => [...added, ...replaced, wasmNeuronKernelConfig];

/**
 * Registers, for the 'wasm' backend, the kernels that training needs and tfjs-backend-wasm
 * lacks or runs slowly. Safe to call more than once; importing the package calls it.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const config of added) {
    if (tf.getKernel(config.kernelName, 'wasm') != null) {
      throw new Error(`@spikeflow/backend-wasm: a ${config.kernelName} kernel for 'wasm' is already registered`);
    }
  }
  for (const config of replaced) rememberOriginal(config.kernelName);
  // Replaced kernels keep the original's setup (registerKernels does it): it binds the C++ function
  // our fallback path still calls, and tfjs runs setup functions only for the kernels registered
  // when the backend starts.
  registerKernels([...added, wasmNeuronKernelConfig]);
  registerKernels(replaced, { replace: true });
  registerWasmGradients();
  registered = true;
}
