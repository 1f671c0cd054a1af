import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { registeredBackendProviders, type BackendCandidate, type BackendProvider, type BackendReport } from '../backend.js';

/** What selection chose, and why every candidate ranked above it was passed over. */
export interface SelectedBackend {
  /** The provider's name. */
  name: string;
  report: BackendReport;
  /** The candidate that runs (for `auto`; a named backend has one). */
  chosen: string;
  /** Candidates ranked above the chosen one, each with the reason it was passed over. */
  passedOver: Array<{ label: string; reason: string }>;
}

export interface SelectOptions {
  /** The option's name in error messages (e.g. '--backend'). */
  flag?: string;
  /**
   * Providers to choose from. Default: those registered (importing a backend package registers
   * it) plus every installed @spikeflow/backend-* package found next to this one.
   */
  providers?: BackendProvider<any>[];
  /** Passed to the chosen provider's setup() (e.g. threads). */
  setupOptions?: Record<string, unknown>;
}

const SCOPE = '@spikeflow';
const PREFIX = 'backend-';

/** node_modules/@spikeflow folders from here upwards (workspaces and installs alike). */
function scopeDirs(): string[] {
  const dirs: string[] = [];
  for (const start of [process.cwd(), dirname(fileURLToPath(import.meta.url))]) {
    let dir = start;
    for (;;) {
      dirs.push(join(dir, 'node_modules', SCOPE));
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return [...new Set(dirs)];
}

/** Names of the installed @spikeflow/backend-* packages. */
export function installedBackendPackages(): string[] {
  const names = new Set<string>();
  for (const dir of scopeDirs()) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const e of entries) if (e.startsWith(PREFIX)) names.add(`${SCOPE}/${e}`);
  }
  return [...names].sort();
}

/** Imports a backend package and returns its provider (its `provider` export). */
export async function loadBackendPackage(pkg: string): Promise<BackendProvider<any>> {
  const mod = (await import(pkg)) as { provider?: BackendProvider<any> };
  if (!mod.provider || typeof mod.provider.setup !== 'function') throw new Error(`${pkg} exports no backend provider (expected an export named "provider")`);
  return mod.provider;
}

/**
 * The providers `auto` ranks: the registered ones, then every installed backend package (a package
 * that fails to import is reported, not fatal).
 */
export async function discoverBackendProviders(): Promise<{ providers: BackendProvider<any>[]; failed: Array<{ pkg: string; reason: string }> }> {
  const byName = new Map(registeredBackendProviders().map((p) => [p.name, p]));
  const failed: Array<{ pkg: string; reason: string }> = [];
  for (const pkg of installedBackendPackages()) {
    if (byName.has(pkg.slice(SCOPE.length + 1 + PREFIX.length))) continue;
    try {
      const p = await loadBackendPackage(pkg);
      byName.set(p.name, p);
    } catch (e) {
      failed.push({ pkg, reason: (e as Error).message.split('\n')[0] });
    }
  }
  return { providers: [...byName.values()], failed };
}

interface RankedCandidate extends BackendCandidate {
  provider: BackendProvider<any>;
}

/** Every provider's candidates, best first (stable for equal preferences). */
export async function rankCandidates(providers: BackendProvider<any>[]): Promise<RankedCandidate[]> {
  const all: RankedCandidate[] = [];
  for (const provider of providers) {
    let candidates: BackendCandidate[];
    try {
      candidates = await provider.probe();
    } catch (e) {
      candidates = [{ label: provider.name, preference: 0, available: false, reason: (e as Error).message.split('\n')[0] }];
    }
    for (const c of candidates) all.push({ ...c, provider });
  }
  return all.sort((a, b) => b.preference - a.preference);
}

/** 'auto': the highest-ranked candidate that starts; the report lists why each one above it did not. */
async function selectAuto(options: SelectOptions): Promise<SelectedBackend> {
  const flag = options.flag ?? '--backend';
  let providers = options.providers;
  const passedOver: SelectedBackend['passedOver'] = [];
  if (!providers) {
    const found = await discoverBackendProviders();
    providers = found.providers;
    for (const f of found.failed) passedOver.push({ label: f.pkg, reason: `could not be imported: ${f.reason}` });
  }
  const ranked = await rankCandidates(providers);
  for (const c of ranked) {
    if (!c.available) {
      passedOver.push({ label: c.label, reason: c.reason ?? 'not available here' });
      continue;
    }
    try {
      const report = await c.provider.setup({ ...options.setupOptions, ...c.options });
      return { name: c.provider.name, report, chosen: c.label, passedOver };
    } catch (e) {
      passedOver.push({ label: c.label, reason: `setup failed: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  const tried = passedOver.map((p) => `  ${p.label}: ${p.reason}`).join('\n');
  throw new Error(`${flag} auto: no backend could start.${tried ? `\n${tried}` : ' No @spikeflow/backend-* package is installed.'}`);
}

/**
 * Selects and starts a backend by provider name; 'auto' ranks every provider's candidates and
 * starts the best one that works here. A name no provider has is looked up as the package
 * @spikeflow/backend-NAME.
 */
export async function selectBackend(name: string, options: SelectOptions = {}): Promise<SelectedBackend> {
  if (name === 'auto') return selectAuto(options);
  const flag = options.flag ?? '--backend';
  let provider = (options.providers ?? registeredBackendProviders()).find((p) => p.name === name);
  if (!provider && !options.providers) {
    const pkg = `${SCOPE}/${PREFIX}${name}`;
    try {
      provider = await loadBackendPackage(pkg);
    } catch (e) {
      const installed = installedBackendPackages().map((p) => p.slice(SCOPE.length + 1 + PREFIX.length));
      throw new Error(`${flag} ${name}: needs the package ${pkg} (npm install ${pkg}); installed backends: ${installed.join(', ') || 'none'} (${(e as Error).message.split('\n')[0]})`, { cause: e });
    }
  }
  if (!provider) {
    throw new Error(`${flag}: unknown backend "${name}"; known: auto, ${(options.providers ?? []).map((p) => p.name).join(', ')}`);
  }
  const report = await provider.setup({ ...options.setupOptions });
  if (report.tfjsBackend !== tf.getBackend() && options.setupOptions?.setBackend !== false) {
    throw new Error(`${flag} ${name}: setup() reported tfjs backend "${report.tfjsBackend}" but "${tf.getBackend()}" is active`);
  }
  return { name: provider.name, report, chosen: name, passedOver: [] };
}

/** auto's choice in words: what runs, then each candidate passed over and why. */
export function formatSelection(s: SelectedBackend): string {
  const r = s.report;
  const lines = [`backend ${s.chosen}: ${r.device}, ${r.execution}, ${r.threads} thread${r.threads === 1 ? '' : 's'}; spikeflow kernels: ${r.fusedKernels.join(', ') || 'none'}`];
  for (const p of s.passedOver) lines.push(`  passed over ${p.label}: ${p.reason}`);
  return lines.join('\n');
}

