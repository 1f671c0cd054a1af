import * as tf from '@tensorflow/tfjs';

/**
 * Backend name -> the spikeflow package that speeds it up or provides it. Imported only when asked
 * for (core never depends on a backend): importing registers its kernels, then its setup() runs.
 */
export const BACKEND_PACKAGES: Record<string, { pkg: string; required: boolean }> = {
  cpu: { pkg: '@spikeflow/backend-cpu', required: false },
  wasm: { pkg: '@spikeflow/backend-wasm', required: true },
  webgpu: { pkg: '@spikeflow/backend-webgpu', required: true },
};

export interface SelectedBackend {
  name: string;
  /** What the backend package's setup() reported (the adapter for webgpu, threads for wasm...). */
  detail?: unknown;
}

/**
 * Selects a tfjs backend by name, loading spikeflow's package for it first. `flag` names the
 * option in error messages (e.g. '--backend').
 */
export async function selectBackend(name: string, flag = '--backend'): Promise<SelectedBackend> {
  let detail: unknown;
  const entry = BACKEND_PACKAGES[name];
  if (entry) {
    let mod: { setup?: () => Promise<unknown> } | undefined;
    try {
      mod = await import(entry.pkg);
    } catch (e) {
      if (entry.required) throw new Error(`${flag} ${name}: needs the package ${entry.pkg} (npm install ${entry.pkg}): ${(e as Error).message}`, { cause: e });
    }
    if (typeof mod?.setup === 'function') detail = await mod.setup();
  }
  const ok = await tf.setBackend(name).catch(() => false);
  if (!ok) throw new Error(`${flag} ${name}: tfjs could not initialise this backend (registered: ${Object.keys(tf.engine().registryFactory).join(', ')})`);
  await tf.ready();
  return { name, detail };
}
