// Shared by the cross-package tests: the cpu backend (with spikeflow's cpu kernels, the fused neuron
// op among them) and the built-in plugins.
import * as tf from '@tensorflow/tfjs';
import '@spikeflow/backend-cpu';
import { use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';

use(neurons, surrogates, pools);

export async function cpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export { tf };
