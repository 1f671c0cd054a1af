import * as tf from '@tensorflow/tfjs';

/** Backends the CLI knows: cpu is built into tfjs, the others come from spikeflow's backend packages. */
export const BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

const PACKAGES: Record<string, string> = { cpu: '@spikeflow/backend-cpu', wasm: '@spikeflow/backend-wasm', webgpu: '@spikeflow/backend-webgpu' };

export interface BackendInfo {
  name: string;
  /** What the backend's setup reported (adapter for webgpu, threads for wasm). */
  detail?: unknown;
}

/** Loads a backend package (which registers its kernels), runs its setup, and selects it in tfjs. */
export async function selectBackend(name: string): Promise<BackendInfo> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new Error(`--backend: unknown backend "${name}"; known: ${BACKENDS.join(', ')}`);
  }
  let detail: unknown;
  const pkg = PACKAGES[name];
  if (pkg) {
    let mod: { setup?: () => Promise<unknown> };
    try {
      mod = await import(pkg);
    } catch (e) {
      throw new Error(`--backend ${name}: needs the package ${pkg} (npm install ${pkg}): ${(e as Error).message}`, { cause: e });
    }
    if (typeof mod.setup === 'function') detail = await mod.setup();
  }
  const ok = await tf.setBackend(name).catch(() => false);
  if (!ok) throw new Error(`--backend ${name}: tfjs could not initialise it`);
  await tf.ready();
  return { name, detail };
}
