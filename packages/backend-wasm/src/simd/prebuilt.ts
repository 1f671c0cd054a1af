// SIMD neuron modules built ahead of time (at the package's build, with binaryen in Node) for the
// built-in neurons, so a browser runs the SIMD kernel without loading binaryen (15 MB). The build
// writes dist/neuron-kernels/: one .wasm per IR and heap kind, and manifest.json naming them by
// IR key. A page serves that folder and names it with setNeuronKernelsPath(), the way
// tfjs-backend-wasm's setWasmPaths() names its own binaries.

/** The manifest's format, checked when it is read. */
export const NEURON_KERNELS_FORMAT = 'spikeflow.wasm-neuron-kernels/v1';

export interface NeuronKernelsManifest {
  format: typeof NEURON_KERNELS_FORMAT;
  kernels: Array<{
    /** neuronIrKey() of the IR the module was built from. */
    key: string;
    /** The layer options it was built for (informative). */
    layer: Record<string, unknown>;
    /** File names, relative to the manifest: for a plain heap and for a shared one (threaded build). */
    plain: string;
    shared: string;
  }>;
}

/**
 * The neuron layers built ahead of time: IF, LIF and PLIF with hard and soft reset, with and
 * without detached reset, default surrogate (atan, alpha 2). The docs' training and draw demos use
 * PLIF with detachReset (covered here).
 */
export const PREBUILT_NEURON_LAYERS: ReadonlyArray<Record<string, unknown>> = ['if', 'lif', 'plif'].flatMap((neuron) =>
  [false, true].flatMap((detachReset) => [0, null].map((vReset) => ({ neuron, detachReset, vReset }))),
);

const modules = new Map<string, WebAssembly.Module>();
const slot = (key: string, shared: boolean) => `${key}/${shared ? 'shared' : 'plain'}`;

/** Adds a compiled module for an IR key and heap kind (the loader uses it; so may an app or a test). */
export function addPrebuiltNeuronKernel(key: string, shared: boolean, module: WebAssembly.Module): void {
  modules.set(slot(key, shared), module);
}

/** The prebuilt module for an IR key and heap kind, if one was loaded. */
export const prebuiltNeuronKernel = (key: string, shared: boolean): WebAssembly.Module | undefined => modules.get(slot(key, shared));

/** How many prebuilt modules are loaded. */
export const prebuiltNeuronKernelCount = (): number => modules.size;

let path: string | undefined;

/**
 * Where the prebuilt neuron modules are served (a folder URL holding manifest.json, a copy of the
 * package's dist/neuron-kernels/). setup() loads them from there; call it before setup().
 */
export function setNeuronKernelsPath(url: string | URL): void {
  const s = String(url);
  path = s.endsWith('/') ? s : `${s}/`;
}

export const neuronKernelsPath = (): string | undefined => path;

/**
 * Fetches the manifest and compiles every module for the given heap kind. Rejects with the URL and
 * what was wrong (HTTP status, format).
 */
export async function loadPrebuiltNeuronKernels(base: string, shared: boolean): Promise<number> {
  const manifestUrl = new URL('manifest.json', base).href;
  const response = await fetch(manifestUrl);
  if (!response.ok) throw new Error(`prebuilt neuron kernels: ${manifestUrl}: HTTP ${response.status}`);
  const manifest = (await response.json()) as NeuronKernelsManifest;
  if (manifest?.format !== NEURON_KERNELS_FORMAT || !Array.isArray(manifest.kernels)) {
    throw new Error(`prebuilt neuron kernels: ${manifestUrl}: expected format "${NEURON_KERNELS_FORMAT}", got ${JSON.stringify(manifest?.format)}`);
  }
  const loaded = await Promise.all(
    manifest.kernels.map(async (k) => {
      const url = new URL(shared ? k.shared : k.plain, manifestUrl).href;
      const r = await fetch(url);
      if (!r.ok) throw new Error(`prebuilt neuron kernels: ${url}: HTTP ${r.status}`);
      return { key: k.key, module: await WebAssembly.compile(await r.arrayBuffer()) };
    }),
  );
  for (const { key, module } of loaded) addPrebuiltNeuronKernel(key, shared, module);
  return loaded.length;
}
