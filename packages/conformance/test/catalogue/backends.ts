// Shared by the catalogue's tests (@spikeflow/neurons-extra on every backend): the catalogue and
// built-in plugins, and switching tfjs backends.
import * as tf from '@tensorflow/tfjs';
import { use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import '@spikeflow/backend-cpu'; // the fused neuron op on cpu
import { extraNeurons, extraSurrogates } from '@spikeflow/neurons-extra';

use(neurons, surrogates, extraNeurons, extraSurrogates);

export type BackendName = 'cpu' | 'wasm' | 'webgpu';
let webgpuReady: boolean | undefined;

/** Makes `name` the tfjs backend, loading spikeflow's package for it; false (with a loud warning) where WebGPU has no adapter. */
export async function useBackend(name: BackendName): Promise<boolean> {
  if (name === 'wasm') {
    const wasm = await import('@spikeflow/backend-wasm');
    await wasm.setup();
  }
  if (name === 'webgpu') {
    if (webgpuReady === undefined) {
      try {
        const webgpu = await import('@spikeflow/backend-webgpu');
        await webgpu.setup({ setBackend: false });
        webgpuReady = true;
      } catch (e) {
        webgpuReady = false;
        console.warn(`\n*** webgpu part SKIPPED: no WebGPU adapter (${(e as Error).message.split('\n')[0]}); CI installs lavapipe so it runs there ***\n`);
      }
    }
    if (!webgpuReady) return false;
  }
  await tf.setBackend(name);
  await tf.ready();
  return true;
}

export { tf };
