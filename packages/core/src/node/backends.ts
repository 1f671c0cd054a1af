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
 * 'auto': WebGPU on a hardware adapter; else wasm (measured several times faster than WebGPU on a
 * software rasteriser such as Mesa's lavapipe, and than tfjs-cpu); else cpu.
 */
async function selectAuto(flag: string): Promise<SelectedBackend> {
  try {
    const webgpu = (await import(BACKEND_PACKAGES.webgpu.pkg)) as { setup: (o: { setBackend: boolean }) => Promise<{ software?: boolean }> };
    const adapter = await webgpu.setup({ setBackend: false });
    if (!adapter.software) return { ...(await selectBackend('webgpu', flag)), detail: adapter };
  } catch {
    // no WebGPU package or no adapter: try the next one
  }
  for (const name of ['wasm', 'cpu']) {
    try {
      return await selectBackend(name, flag);
    } catch {
      // not installed or failed to start: try the next one
    }
  }
  throw new Error(`${flag} auto: no backend could start (tried webgpu, wasm, cpu)`);
}

/**
 * Selects a tfjs backend by name ('auto' picks the fastest available), loading spikeflow's package
 * for it first. `flag` names the option in error messages (e.g. '--backend').
 */
export async function selectBackend(name: string, flag = '--backend'): Promise<SelectedBackend> {
  if (name === 'auto') return selectAuto(flag);
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
