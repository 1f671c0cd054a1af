// Backend selection in Node: as core's selectBackendFrom, over the providers registered so far plus
// every installed @spikeflow/backend-* package (found in node_modules, imported on demand).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registeredBackendProviders, type BackendProvider } from '../backend.js';
import { selectBackendFrom, type SelectedBackend, type SelectOptions } from '../select.js';

const SCOPE = '@spikeflow';
const PREFIX = 'backend-';
const nameOf = (pkg: string) => pkg.slice(SCOPE.length + 1 + PREFIX.length);

/** node_modules/@spikeflow folders from the working directory and from this package upwards. */
function scopeDirs(): string[] {
  const dirs: string[] = [];
  for (const start of [process.cwd(), dirname(fileURLToPath(import.meta.url))]) {
    for (let dir = start; ; dir = dirname(dir)) {
      dirs.push(join(dir, 'node_modules', SCOPE));
      if (dirname(dir) === dir) break;
    }
  }
  return [...new Set(dirs)];
}

/** Names of the installed @spikeflow/backend-* packages. */
export function installedBackendPackages(): string[] {
  const names = new Set<string>();
  for (const dir of scopeDirs()) {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      // no such folder
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

/** The registered providers plus every installed backend package; packages that fail to import are listed. */
export async function discoverBackendProviders(): Promise<{ providers: BackendProvider<any>[]; failed: Array<{ pkg: string; reason: string }> }> {
  const byName = new Map(registeredBackendProviders().map((p) => [p.name, p]));
  const failed: Array<{ pkg: string; reason: string }> = [];
  for (const pkg of installedBackendPackages()) {
    if (byName.has(nameOf(pkg))) continue;
    try {
      const p = await loadBackendPackage(pkg);
      byName.set(p.name, p);
    } catch (e) {
      failed.push({ pkg, reason: (e as Error).message.split('\n')[0] });
    }
  }
  return { providers: [...byName.values()], failed };
}

/**
 * Selects and starts a backend. Without `providers`: 'auto' ranks the registered and installed
 * backend packages, and a name no registered provider has loads @spikeflow/backend-NAME.
 */
export async function selectBackend(name: string, options: SelectOptions = {}): Promise<SelectedBackend> {
  if (options.providers) return selectBackendFrom(name, options);
  if (name === 'auto') {
    const { providers, failed } = await discoverBackendProviders();
    const alsoPassedOver = failed.map((f) => ({ label: f.pkg, reason: `could not be imported: ${f.reason}` }));
    return selectBackendFrom(name, { ...options, providers, alsoPassedOver });
  }
  let provider = registeredBackendProviders().find((p) => p.name === name);
  if (!provider) {
    const pkg = `${SCOPE}/${PREFIX}${name}`;
    try {
      provider = await loadBackendPackage(pkg);
    } catch (e) {
      const installed = installedBackendPackages().map(nameOf);
      throw new Error(`${options.flag ?? '--backend'} ${name}: needs the package ${pkg} (npm install ${pkg}); installed backends: ${installed.join(', ') || 'none'} (${(e as Error).message.split('\n')[0]})`, { cause: e });
    }
  }
  return selectBackendFrom(name, { ...options, providers: [provider] });
}
