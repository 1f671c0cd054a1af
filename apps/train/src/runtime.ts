// What every command that runs a network needs: tfjs, the Node backends and the plugins, registered
// once. Loaded through runtime-loader.ts, so the command list, help and flag errors start without it.
import * as tf from '@tensorflow/tfjs';
import '@spikeflow/core/node';
import { use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { cubaLifNeuron } from '@spikeflow/neurons-extra';
import { pools } from '@spikeflow/pooling';

// CubaLIF too, so that NIR files with CubaLIF nodes import and their checkpoints load.
use(neurons, surrogates, pools, cubaLifNeuron);
// Production mode: no debug checks, and no console banner from tfjs about its Node backend
// (setVerbose turns it off again for --verbose).
tf.enableProdMode();

/** --verbose: tfjs and its backends may print their startup messages. */
export function setVerbose(verbose: boolean): void {
  tf.env().set('PROD', !verbose);
}

export { backendChoices } from './backends.js';
