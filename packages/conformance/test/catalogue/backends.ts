// Shared by the catalogue's tests (@spikeflow/neurons-extra on every backend): the catalogue and
// built-in plugins, and switching tfjs backends.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
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

/** A neuron op implementation the bit-identity tests run: [name, backend, impl passed to runNeuron or 'js' for wasm's JavaScript kernel]. */
export type NeuronOpRun = [string, BackendName, 'reference' | 'js' | undefined];

export const NEURON_OP_RUNS: NeuronOpRun[] = [
  ['cpu fused host kernel', 'cpu', undefined],
  ['cpu reference op', 'cpu', 'reference'],
  ['wasm SIMD kernel', 'wasm', undefined],
  ['wasm JS host kernel', 'wasm', 'js'],
  ['webgpu fused kernel', 'webgpu', undefined],
];

/**
 * Selects a run's backend before the suite's tests (and wasm's JavaScript kernel for 'js', back to
 * SIMD after). `ok` is false where the backend is missing (useBackend says so loudly).
 */
export function useNeuronOpRun(backend: BackendName, impl: NeuronOpRun[2]): { ok: boolean } {
  const state = { ok: true };
  beforeAll(async () => {
    state.ok = await useBackend(backend);
    if (state.ok && impl === 'js') (await import('@spikeflow/backend-wasm')).selectWasmNeuronKernel('js');
  });
  afterAll(async () => {
    if (state.ok && impl === 'js') (await import('@spikeflow/backend-wasm')).selectWasmNeuronKernel('simd');
  });
  return state;
}

/** A float32 tensor's values as their bit patterns. */
export const tensorBits = async (t: tf.Tensor): Promise<Uint32Array> => new Uint32Array(((await t.data()) as Float32Array).slice().buffer);

export { tf };
