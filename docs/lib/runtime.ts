// Starts tfjs for the demos, once per page: WebGPU when the browser offers an adapter, otherwise
// wasm (with spikeflow's training kernels), and says which one runs and why.
import * as tf from '@tensorflow/tfjs';
import { use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { extraNeurons, extraSurrogates } from '@spikeflow/neurons-extra';
import { pools } from '@spikeflow/pooling';

export interface BackendInfo {
  /** The tfjs backend in use. */
  name: 'webgpu' | 'wasm';
  /** The adapter (WebGPU) or thread count (wasm). */
  detail: string;
  /** Why WebGPU is not in use, when it is not. */
  fallbackReason?: string;
}

let started: Promise<BackendInfo> | undefined;

/** The backend the demos run on; the first call starts it. `?backend=wasm` in the URL skips WebGPU. */
export function startBackend(): Promise<BackendInfo> {
  started ??= start();
  return started;
}

/** URL of a file in the site's public/ folder, under the site's base path. */
export function assetUrl(path: string): string {
  const base = (import.meta as unknown as { env?: { BASE_URL?: string } }).env?.BASE_URL ?? '/';
  return new URL(base + path.replace(/^\//, ''), location.href).href;
}

async function start(): Promise<BackendInfo> {
  use(neurons, surrogates, pools, extraNeurons, extraSurrogates);
  tf.enableProdMode();
  let fallbackReason: string;
  if (new URLSearchParams(location.search).get('backend') === 'wasm') {
    fallbackReason = 'wasm was asked for in the address (?backend=wasm)';
  } else {
    try {
      const webgpu = await import('@spikeflow/backend-webgpu');
      const report = await webgpu.setup();
      return { name: 'webgpu', detail: report.device };
    } catch (e) {
      fallbackReason = (e as Error).message;
    }
  }
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(assetUrl('wasm/'));
  const wasm = await import('@spikeflow/backend-wasm');
  const { threads } = await wasm.setup();
  return { name: 'wasm', detail: `${threads} thread${threads === 1 ? '' : 's'}`, fallbackReason };
}
