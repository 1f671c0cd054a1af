// The page the browser conformance script loads: runs neuron vector cases on the browser's WebGPU.
import * as tf from '@tensorflow/tfjs';
import { use } from '@spikeflow/core';
import { runNeuronCase } from '@spikeflow/core/backend';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { setupAdapter } from '@spikeflow/backend-webgpu';

use(neurons, surrogates, pools);

globalThis.runConformance = async (vectors) => {
  const adapter = await setupAdapter();
  const results = [];
  for (const c of vectors.cases) results.push(await runNeuronCase(c));
  return { adapter, backend: tf.getBackend(), results };
};
globalThis.pageReady = true;
