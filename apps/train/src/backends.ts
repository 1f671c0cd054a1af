import { registeredBackendProviders } from '@spikeflow/core';
import { formatSelection, installedBackendPackages, selectBackend as select, type SelectedBackend } from '@spikeflow/core/node';
import { unknownName } from './flags.js';
import { liveList } from './live.js';

/** A backend name `--backend` takes: 'auto' or a provider's name. */
export type BackendName = string;

/**
 * The backends the CLI offers: 'auto', then every backend provider registered or installed (a
 * package @spikeflow/backend-NAME), by name. auto ranks them: hardware WebGPU, tfjs-node-gpu,
 * tfjs-node, wasm with threads, software WebGPU, cpu, and reports why it passed over each one
 * ranked above its choice.
 */
export function backendChoices(): BackendName[] {
  const installed = installedBackendPackages().map((pkg) => pkg.slice('@spikeflow/backend-'.length));
  const names = new Set([...registeredBackendProviders().map((p) => p.name), ...installed]);
  return ['auto', ...[...names].sort()];
}

/** The backend choices as a live list (read from the providers at each use). */
export const BACKENDS: readonly BackendName[] = liveList(backendChoices);

export interface CliBackend extends SelectedBackend {
  /** What runs and, for auto, why the better-ranked candidates did not (printed by the CLI). */
  detail: { device: string; execution: string; threads: number; passedOver: string[] };
  /** The same in lines of text. */
  description: string;
}

/** Starts a backend; `threads` sets wasm's thread pool (default: every core). */
export async function selectBackend(name: string, threads?: number): Promise<CliBackend> {
  const known = backendChoices();
  if (!known.includes(name)) {
    const e = unknownName('--backend', 'backend', name, known);
    e.message += '; backends are the installed @spikeflow/backend-* packages';
    throw e;
  }
  const selected = await select(name, { flag: '--backend', setupOptions: threads === undefined ? {} : { threads } });
  const report = selected.report;
  return {
    ...selected,
    detail: { device: report.device, execution: report.execution, threads: report.threads, passedOver: selected.passedOver.map((p) => `${p.label}: ${p.reason}`) },
    description: formatSelection(selected),
  };
}
