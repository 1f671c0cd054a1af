#!/usr/bin/env node
// Proves a neuron plugin or a backend against reference vectors, or writes vectors from a plugin:
//   spikeflow-conformance --vectors FILE [--backend cpu|webgpu|wasm|...] [--plugins MODULE,...] [--reference]
//   spikeflow-conformance --plugins MODULE --generate OUT.json [--steps T] [--neurons N] [--seed S] [--input-scale auto|X]
import { parseArgs } from 'node:util';
import { generateConformance, runConformance } from '../dist/index.js';

const usage = `usage: spikeflow-conformance --vectors FILE [--backend NAME] [--plugins MODULE[,MODULE]] [--reference]
       spikeflow-conformance --plugins MODULE[,MODULE] --generate OUT.json [--backend NAME] [--steps T] [--neurons N] [--seed S] [--input-scale auto|X]
  --input-scale multiplies the generated input current (uniform in [-0.5, 1.5)); auto, the default,
  picks per case 1 or the power of two that makes 10-30% of the neuron steps spike.
  The built-in neurons and surrogates (@spikeflow/neurons) are always loaded; --plugins adds modules
  (package names, or paths relative to the working directory) whose exported plugins are registered.`;
let args;
try {
  args = parseArgs({
    options: {
      vectors: { type: 'string' },
      generate: { type: 'string' },
      backend: { type: 'string', default: 'cpu' },
      plugins: { type: 'string', default: '' },
      reference: { type: 'boolean', default: false },
      steps: { type: 'string', default: '8' },
      neurons: { type: 'string', default: '32' },
      seed: { type: 'string', default: '1' },
      'input-scale': { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (e) {
  console.error(`spikeflow-conformance: ${e.message}\n${usage}`);
  process.exit(2);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const plugins = args.plugins.split(',').filter(Boolean);
const positive = (flag, value) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`spikeflow-conformance: ${flag} must be a positive integer, got "${value}"`);
    process.exit(2);
  }
  return n;
};
const inputScale = (value) => {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!(n > 0 && Number.isFinite(n))) {
    console.error(`spikeflow-conformance: --input-scale must be auto or a number > 0, got "${value}"`);
    process.exit(2);
  }
  return n;
};
if (!args.vectors && !args.generate) {
  console.error(`spikeflow-conformance: --vectors FILE or --generate OUT.json is required\n${usage}`);
  process.exit(2);
}
if (args.vectors && args.generate) {
  console.error(`spikeflow-conformance: give either --vectors or --generate, not both\n${usage}`);
  process.exit(2);
}
try {
  if (args.generate) {
    await generateConformance({
      out: args.generate,
      plugins,
      backend: args.backend,
      T: positive('--steps', args.steps),
      N: positive('--neurons', args.neurons),
      seed: positive('--seed', args.seed),
      inputScale: inputScale(args['input-scale']),
    });
    process.exit(0);
  }
  const results = await runConformance({ vectors: args.vectors, backend: args.backend, plugins, reference: args.reference });
  process.exit(results.length > 0 && results.every((r) => r.pass) ? 0 : 1);
} catch (e) {
  console.error(`spikeflow-conformance: ${e.message}`);
  process.exit(2);
}
