#!/usr/bin/env node
// Writes the prebuilt SIMD neuron modules of the built-in neurons (IF, LIF, PLIF) to
// dist/neuron-kernels/ (or --out DIR): browsers run them without binaryen. Runs after tsc in
// `npm run build`, on the built output.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import binaryen from 'binaryen';
import { registry, use, validate } from '@spikeflow/core';
import { compileNeuron } from '@spikeflow/core/backend';
import { neurons, surrogates } from '@spikeflow/neurons';
import { PREBUILT_NEURON_LAYERS } from '../dist/simd/prebuilt.js';
import { buildPrebuiltNeuronKernels } from '../dist/simd/prebuilt-build.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: fileURLToPath(new URL('../dist/neuron-kernels', import.meta.url)) } } });
use(neurons, surrogates);

/** A layer's neuron with every default filled in, as a network would compile it. */
function compile(layer) {
  const o = validate({ input: { shape: [1] }, layers: [{ kind: 'neuron', ...layer }] }).layers[0];
  return compileNeuron(registry.neurons.get(o.neuron), registry.surrogates.get(o.surrogate.kind), o, o.surrogate);
}

const { manifest, files } = buildPrebuiltNeuronKernels(binaryen, PREBUILT_NEURON_LAYERS, compile);
rmSync(values.out, { recursive: true, force: true });
mkdirSync(values.out, { recursive: true });
let bytes = 0;
for (const [name, data] of files) {
  writeFileSync(join(values.out, name), data);
  bytes += data.length;
}
writeFileSync(join(values.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`neuron kernels: ${files.size} modules (${(bytes / 1024).toFixed(1)} KiB) for ${manifest.kernels.length} neuron IRs in ${values.out}`);
