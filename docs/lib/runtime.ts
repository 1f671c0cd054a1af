// Starts tfjs for the demos, once per page, and says which backend runs and why. The choice is
// @spikeflow/core's `auto` ranking over the WebGPU and wasm providers, the one Node's
// `--backend auto` makes: WebGPU on a hardware adapter first, then wasm (threads where the page is
// cross-origin isolated), and a software WebGPU adapter (SwiftShader, llvmpipe, a fallback adapter)
// below wasm. `?backend=webgpu` or `?backend=wasm` in the address (the demos' selector) forces one;
// `?threads=N` sets wasm's threads (default: every core but one where the page is cross-origin
// isolated, see defaultPageThreads).
import * as tf from '@tensorflow/tfjs';
import { selectBackendFrom, use, type Network, type SelectedBackend } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { extraNeurons, extraSurrogates } from '@spikeflow/neurons-extra';
import { pools } from '@spikeflow/pooling';

import { defaultPageThreads, requestedBackend, requestedThreads, wasmRunLabel, type BackendChoice } from './backend-choice.js';

export interface BackendInfo {
  /** The tfjs backend in use. */
  name: 'webgpu' | 'wasm';
  /** What was asked for: 'auto' unless the address names a backend. */
  requested: BackendChoice;
  /** The candidate that runs, e.g. "wasm (8 threads)" or "webgpu (hardware adapter)". */
  chosen: string;
  /** The adapter (WebGPU) or threads and neuron kernel (wasm), in words. */
  detail: string;
  /** On wasm, why it runs on this many threads, in a sentence ('' where there was no choice). */
  threadsWhy: string;
  /** 'software' for a WebGPU adapter emulated on the CPU. */
  execution: 'hardware' | 'software';
  threads: number;
  /** Candidates ranked above the chosen one, each with the reason it was passed over. */
  passedOver: Array<{ label: string; reason: string }>;
  /** Why this backend runs, in a sentence. */
  why: string;
  /** The wasm neuron kernel (WebAssembly SIMD or the JS host loop), on wasm. */
  neuronKernel?: string;
}

let started: Promise<BackendInfo> | undefined;

/** The backend the demos run on; the first call starts it. */
export function startBackend(): Promise<BackendInfo> {
  started ??= start();
  return started;
}

/** URL of a file in the site's public/ folder, under the site's base path. */
export function assetUrl(path: string): string {
  const base = (import.meta as unknown as { env?: { BASE_URL?: string } }).env?.BASE_URL ?? '/';
  return new URL(base + path.replace(/^\//, ''), location.href).href;
}

/** Why `s` runs: a plain sentence first, then the ranking and what was passed over. */
export function explainChoice(s: Pick<SelectedBackend, 'name' | 'chosen' | 'passedOver'>, requested: BackendChoice): string {
  if (requested !== 'auto') return `${requested} was chosen with the selector (?backend=${requested}); "auto" picks the fastest backend here.`;
  const webgpu = s.passedOver.find((p) => p.label.startsWith('webgpu'));
  const lead = s.name === 'webgpu'
    ? 'WebGPU runs on a hardware adapter here, the fastest backend.'
    : webgpu && /\(software/.test(webgpu.reason)
      ? 'This browser\'s WebGPU adapter is a software one (emulated on the CPU, much slower than wasm), so this demo runs on wasm.'
      : 'WebGPU is not available in this browser, so this demo runs on wasm, which is slower.';
  const ranking = 'spikeflow ranks WebGPU on a hardware adapter first, then wasm, then WebGPU on a software adapter, as Node\'s --backend auto does';
  const above = s.passedOver.map((p) => `${p.label}: ${p.reason.replace(/\.+$/, '')}`).join('; ');
  return `${lead} ${ranking}${above ? `; passed over ${above}` : ''}.`;
}

/** Why wasm runs on this many threads, a sentence for the notice ('' where there is no choice). */
function threadsWhy(threads: number): string {
  const asked = requestedThreads(location.search);
  const count = `${threads} thread${threads === 1 ? '' : 's'}`;
  if (asked !== undefined) return `${count}, as ?threads=${asked} asks.`;
  if (!globalThis.crossOriginIsolated || navigator.hardwareConcurrency < 2) return '';
  return `${count}: every core but one of ${navigator.hardwareConcurrency}, since the page's own thread and the browser need a core (?threads=N sets another count).`;
}

async function start(): Promise<BackendInfo> {
  use(neurons, surrogates, pools, extraNeurons, extraSurrogates);
  tf.enableProdMode();
  const requested = requestedBackend(location.search);
  // tfjs's wasm binaries and spikeflow's prebuilt SIMD neuron modules, served from public/wasm/.
  const [{ setWasmPaths }, wasm, webgpu] = await Promise.all([
    import('@tensorflow/tfjs-backend-wasm'),
    import('@spikeflow/backend-wasm'),
    import('@spikeflow/backend-webgpu'),
  ]);
  setWasmPaths(assetUrl('wasm/'));
  wasm.setNeuronKernelsPath(assetUrl('wasm/neuron-kernels/'));
  const threads = requestedThreads(location.search) ?? defaultPageThreads(globalThis.crossOriginIsolated === true, navigator.hardwareConcurrency);
  const selected = await selectBackendFrom(requested, { flag: '?backend=', providers: [webgpu.provider, wasm.provider], setupOptions: threads ? { threads } : undefined });
  const r = selected.report;
  const neuronKernel = typeof r.detail?.neuronKernel === 'string' ? r.detail.neuronKernel : undefined;
  return {
    name: selected.name as BackendInfo['name'],
    requested,
    // The ranked candidate's label names the threads it proposed; the threads asked for win over it.
    chosen: selected.name === 'wasm' ? wasmRunLabel(r.threads) : selected.chosen,
    detail: selected.name === 'wasm' ? `${r.threads} thread${r.threads === 1 ? '' : 's'}` : r.device,
    execution: r.execution,
    threads: r.threads,
    threadsWhy: selected.name === 'wasm' ? threadsWhy(r.threads) : '',
    passedOver: selected.passedOver,
    why: explainChoice(selected, requested),
    neuronKernel,
  };
}

/**
 * What each neuron layer of `network` ran on wasm the last time it ran: "wasm-simd (prebuilt)",
 * "wasm-simd (generated)" or "js (why)"; empty on WebGPU or before the first step.
 */
export async function neuronKernelsOf(network: Network): Promise<Array<{ layer: string; kernel: string }>> {
  if (tf.getBackend() !== 'wasm') return [];
  const { wasmNeuronKernelInfo } = await import('@spikeflow/backend-wasm');
  return network.layers.flatMap((l) => {
    const info = l.neuron && wasmNeuronKernelInfo(l.neuron);
    if (!info) return [];
    return [{ layer: l.name, kernel: info.implementation === 'wasm-simd' ? `wasm-simd (${info.module})` : `js (${info.reason})` }];
  });
}
