import { formatSelection, selectBackend as select, type SelectedBackend } from '@spikeflow/core/node';

/**
 * Backends the CLI offers, each a spikeflow backend package (@spikeflow/backend-NAME). auto ranks
 * the installed ones: hardware WebGPU, tfjs-node-gpu, tfjs-node, wasm with threads, software
 * WebGPU, cpu, and reports why it passed over each one ranked above its choice.
 */
export const BACKENDS = ['auto', 'cpu', 'wasm', 'webgpu', 'node-gpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface CliBackend extends SelectedBackend {
  /** What runs and, for auto, why the better-ranked candidates did not (printed by the CLI). */
  detail: { device: string; execution: string; threads: number; passedOver: string[] };
  /** The same in lines of text. */
  description: string;
}

export async function selectBackend(name: string): Promise<CliBackend> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new Error(`--backend: unknown backend "${name}"; known: ${BACKENDS.join(', ')}`);
  }
  const selected = await select(name, { flag: '--backend' });
  const { device, execution, threads } = selected.report;
  return {
    ...selected,
    detail: { device, execution, threads, passedOver: selected.passedOver.map((p) => `${p.label}: ${p.reason}`) },
    description: formatSelection(selected),
  };
}
