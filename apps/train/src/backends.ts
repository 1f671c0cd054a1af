import { formatSelection, selectBackend as select, type SelectedBackend } from '@spikeflow/core/node';
import { UsageError } from './flags.js';

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

/** Starts a backend; `threads` sets wasm's thread pool (default: every core). */
export async function selectBackend(name: string, threads?: number): Promise<CliBackend> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new UsageError(`--backend: unknown backend "${name}"; known: ${BACKENDS.join(', ')}`);
  }
  const selected = await select(name, { flag: '--backend', setupOptions: threads === undefined ? {} : { threads } });
  const report = selected.report;
  return {
    ...selected,
    detail: { device: report.device, execution: report.execution, threads: report.threads, passedOver: selected.passedOver.map((p) => `${p.label}: ${p.reason}`) },
    description: formatSelection(selected),
  };
}
