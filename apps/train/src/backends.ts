import { selectBackend as select, type SelectedBackend } from '@spikeflow/core/node';
import { UsageError } from './flags.js';

/**
 * Backends the CLI offers: cpu is built into tfjs (sped up by @spikeflow/backend-cpu), wasm and webgpu
 * come from spikeflow's backend packages; auto picks WebGPU on a hardware GPU, else wasm, else cpu.
 */
export const BACKENDS = ['auto', 'cpu', 'wasm', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Starts a backend; `threads` sets wasm's thread pool (default: every core). */
export async function selectBackend(name: string, threads?: number): Promise<SelectedBackend> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new UsageError(`--backend: unknown backend "${name}"; known: ${BACKENDS.join(', ')}`);
  }
  if (threads !== undefined && (name === 'wasm' || name === 'auto')) {
    // The pool size is fixed when wasm starts, so start it first with the requested count.
    const wasm = (await import('@spikeflow/backend-wasm').catch(() => undefined)) as { setup?: (o: { threads: number }) => Promise<unknown> } | undefined;
    await wasm?.setup?.({ threads });
  }
  return select(name);
}
