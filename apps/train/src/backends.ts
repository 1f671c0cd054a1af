import { selectBackend as select, type SelectedBackend } from '@spikeflow/core/node';

/**
 * Backends the CLI offers: cpu is built into tfjs (sped up by @spikeflow/backend-cpu), wasm and webgpu
 * come from spikeflow's backend packages; auto picks WebGPU on a hardware GPU, else wasm, else cpu.
 */
export const BACKENDS = ['auto', 'cpu', 'wasm', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export async function selectBackend(name: string): Promise<SelectedBackend> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new Error(`--backend: unknown backend "${name}"; known: ${BACKENDS.join(', ')}`);
  }
  return select(name);
}
