// Builds the prebuilt SIMD neuron modules (see prebuilt.ts) in Node, at the package's build:
// one module per IR and heap kind, and the manifest that names them.
import type { CompiledNeuron } from '@spikeflow/core/backend';
import type { Binaryen } from './binaryen.js';
import { neuronIrKey } from './ir-key.js';
import { neuronModuleBinary } from './neuron-module.js';
import { NEURON_KERNELS_FORMAT, type NeuronKernelsManifest } from './prebuilt.js';

export interface PrebuiltNeuronKernelFiles {
  manifest: NeuronKernelsManifest;
  /** File name -> module bytes. */
  files: Map<string, Uint8Array>;
}

/** The modules for `layers` (compiled by `compile`); layers with the same IR share one entry. */
export function buildPrebuiltNeuronKernels(
  binaryen: Binaryen,
  layers: ReadonlyArray<Record<string, unknown>>,
  compile: (layer: Record<string, unknown>) => CompiledNeuron,
): PrebuiltNeuronKernelFiles {
  const manifest: NeuronKernelsManifest = { format: NEURON_KERNELS_FORMAT, kernels: [] };
  const files = new Map<string, Uint8Array>();
  for (const layer of layers) {
    const neuron = compile(layer);
    const key = neuronIrKey(neuron.ir);
    if (manifest.kernels.some((k) => k.key === key)) continue;
    const name = (shared: boolean) => `${neuron.kind}-${key}${shared ? '.shared' : ''}.wasm`;
    for (const shared of [false, true]) files.set(name(shared), neuronModuleBinary(binaryen, neuron.ir, { shared }));
    manifest.kernels.push({ key, layer, plain: name(false), shared: name(true) });
  }
  return { manifest, files };
}
