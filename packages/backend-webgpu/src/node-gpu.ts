/** The navigator.gpu of the browser, or one made by Dawn in Node (installed once, with its globals). */
import * as tf from '@tensorflow/tfjs';
import { captureNativeStderr, DAWN_LOG_LINE } from './native-stderr.js';

interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<any>;
}

let dawnGpu: GpuLike | undefined;

export const isNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node;

function currentGpu(): GpuLike | undefined {
  return (globalThis as any).navigator?.gpu as GpuLike | undefined;
}

/**
 * Returns navigator.gpu, installing Dawn's in Node first (and its GPU* globals, which tfjs's webgpu
 * backend reads, e.g. GPUBufferUsage). It must run before tfjs's webgpu backend is first imported.
 */
export async function ensureNavigatorGpu(dawnFlags: string[] = []): Promise<{ gpu: GpuLike; runtime: 'browser' | 'node-dawn' }> {
  const existing = currentGpu();
  if (existing) return { gpu: existing, runtime: isNode() ? 'node-dawn' : 'browser' };
  if (!isNode()) throw new Error('@spikeflow/backend-webgpu: this browser has no navigator.gpu (WebGPU is not available or not enabled).');
  let mod: { create: (flags: string[]) => GpuLike; globals: Record<string, unknown> };
  try {
    // A computed specifier: bundlers for the browser must not try to include Dawn.
    const name = 'webgpu';
    mod = await import(name);
  } catch (e) {
    throw new Error(`@spikeflow/backend-webgpu: in Node, WebGPU needs the package "webgpu" (Dawn): npm install webgpu@0.6.2 (${(e as Error).message})`, { cause: e });
  }
  Object.assign(globalThis, mod.globals);
  dawnGpu = mod.create(dawnFlags);
  await enumerateAdaptersQuietly(dawnGpu);
  const nav = (globalThis as any).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: dawnGpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawnGpu }, configurable: true, writable: true });
  return { gpu: dawnGpu, runtime: 'node-dawn' };
}

/** Dawn's startup messages from the last Dawn instance made here (kept whether printed or not). */
let startupMessages: string[] = [];
export const dawnStartupMessages = (): readonly string[] => startupMessages;

/**
 * Dawn prints its warnings about the adapters' limits once per instance, natively, when it first
 * enumerates them (the first requestAdapter). That first call runs here with stderr captured; in
 * tfjs's production mode (tf.enableProdMode(), as the spikeflow CLI runs without --verbose) Dawn's
 * lines are dropped, otherwise they are printed as before. Anything else written meanwhile is printed.
 */
async function enumerateAdaptersQuietly(gpu: GpuLike): Promise<void> {
  const quiet = tf.env().getBool('PROD');
  // Quiet, a stderr that cannot be swapped back (a socket, `2> log`) is routed through a relay first.
  const { text } = await captureNativeStderr(() => gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null), { relay: quiet });
  const lines = text.split('\n').filter((l) => l !== '');
  startupMessages = lines.filter((l) => DAWN_LOG_LINE.test(l));
  const shown = quiet ? lines.filter((l) => !DAWN_LOG_LINE.test(l)) : lines;
  if (shown.length > 0) process.stderr.write(shown.join('\n') + '\n');
}
