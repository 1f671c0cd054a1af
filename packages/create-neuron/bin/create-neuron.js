#!/usr/bin/env node
// npm create @spikeflow/neuron NAME [-- --dir DIR]: writes a neuron plugin package to start from.
import { parseArgs } from 'node:util';
import { scaffoldNeuron } from '../dist/index.js';

const usage = 'usage: npm create @spikeflow/neuron NAME [-- --dir DIR]   (or: npx @spikeflow/create-neuron NAME [--dir DIR])';
let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
} catch (e) {
  console.error(`create-neuron: ${e.message}\n${usage}`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(usage);
  process.exit(0);
}
const [name, ...extra] = parsed.positionals;
if (!name || extra.length > 0) {
  console.error(`create-neuron: give exactly one package name\n${usage}`);
  process.exit(2);
}
try {
  const r = scaffoldNeuron({ name, dir: parsed.values.dir });
  console.log(`created ${r.dir}: neuron "${r.kind}" (${r.files.length} files)\nnext:\n  cd ${r.dir}\n  npm install\n  npm test      # builds, writes vectors from the reference path, checks the fused kernels against them\nWebGPU too: npm install -D @spikeflow/backend-webgpu @tensorflow/tfjs-backend-webgpu webgpu@0.6.2, then SPIKEFLOW_BACKENDS=cpu,webgpu npm test`);
} catch (e) {
  console.error(`create-neuron: ${e.message}`);
  process.exit(2);
}
