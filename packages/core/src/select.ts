// Backend selection over providers (browser and Node alike): by name, or 'auto', which ranks every
// provider's candidates and starts the best one that runs, saying why it passed over the others.
import * as tf from '@tensorflow/tfjs';
import { registeredBackendProviders, type BackendCandidate, type BackendProvider, type BackendReport } from './backend.js';

/** What selection chose, and why every candidate ranked above it was passed over. */
export interface SelectedBackend {
  /** The provider's name. */
  name: string;
  report: BackendReport;
  /** The candidate that runs (for a named backend, its name). */
  chosen: string;
  /** Candidates ranked above the chosen one, in order, each with the reason it was passed over. */
  passedOver: Array<{ label: string; reason: string }>;
}

export interface SelectOptions {
  /** The option's name in error messages (e.g. '--backend'). */
  flag?: string;
  /** Providers to choose from (default: those registered; importing a backend package registers it). */
  providers?: BackendProvider<any>[];
  /** Passed to the chosen provider's setup() (e.g. threads). */
  setupOptions?: Record<string, unknown>;
  /** Reported before the ranked candidates (e.g. packages that failed to import). */
  alsoPassedOver?: SelectedBackend['passedOver'];
}

export interface RankedCandidate extends BackendCandidate {
  provider: BackendProvider<any>;
}

const firstLine = (e: unknown) => (e as Error).message.split('\n')[0];

/** Every provider's candidates, best first (stable for equal preferences). */
export async function rankCandidates(providers: BackendProvider<any>[]): Promise<RankedCandidate[]> {
  const all: RankedCandidate[] = [];
  for (const provider of providers) {
    let candidates: BackendCandidate[];
    try {
      candidates = await provider.probe();
    } catch (e) {
      candidates = [{ label: provider.name, preference: 0, available: false, reason: firstLine(e) }];
    }
    for (const c of candidates) all.push({ ...c, provider });
  }
  return all.sort((a, b) => b.preference - a.preference);
}

async function selectAuto(options: SelectOptions): Promise<SelectedBackend> {
  const passedOver: SelectedBackend['passedOver'] = [...(options.alsoPassedOver ?? [])];
  for (const c of await rankCandidates(options.providers ?? registeredBackendProviders())) {
    if (!c.available) {
      passedOver.push({ label: c.label, reason: c.reason ?? 'not available here' });
      continue;
    }
    try {
      // The caller's options (e.g. a thread count asked for) win over the candidate's.
      const report = await c.provider.setup({ ...c.options, ...options.setupOptions });
      return { name: c.provider.name, report, chosen: c.label, passedOver };
    } catch (e) {
      passedOver.push({ label: c.label, reason: `setup failed: ${firstLine(e)}` });
    }
  }
  const tried = passedOver.map((p) => `  ${p.label}: ${p.reason}`).join('\n');
  throw new Error(`${options.flag ?? '--backend'} auto: no backend could start.${tried ? `\n${tried}` : ' No backend provider is installed or registered.'}`);
}

/** Selects and starts a backend by provider name, or 'auto' (see the file comment). */
export async function selectBackendFrom(name: string, options: SelectOptions = {}): Promise<SelectedBackend> {
  if (name === 'auto') return selectAuto(options);
  const flag = options.flag ?? '--backend';
  const providers = options.providers ?? registeredBackendProviders();
  const provider = providers.find((p) => p.name === name);
  if (!provider) throw new Error(`${flag}: unknown backend "${name}"; known: auto, ${providers.map((p) => p.name).join(', ')}`);
  const report = await provider.setup({ ...options.setupOptions });
  if (options.setupOptions?.setBackend !== false && report.tfjsBackend !== tf.getBackend()) {
    throw new Error(`${flag} ${name}: setup() reported tfjs backend "${report.tfjsBackend}" but "${tf.getBackend()}" is active`);
  }
  return { name: provider.name, report, chosen: name, passedOver: [] };
}

/** The choice in words: what runs, then each candidate passed over and why. */
export function formatSelection(s: SelectedBackend): string {
  const r = s.report;
  const lines = [`backend ${s.chosen}: ${r.device}, ${r.execution}, ${r.threads} thread${r.threads === 1 ? '' : 's'}; spikeflow kernels: ${r.fusedKernels.join(', ') || 'none'}`];
  for (const p of s.passedOver) lines.push(`  passed over ${p.label}: ${p.reason}`);
  return lines.join('\n');
}
