#!/usr/bin/env node
// Proves a neuron plugin or a backend against reference vectors:
//   spikeflow-conformance --vectors FILE [--backend cpu|webgpu|wasm|...] [--plugins MODULE,...] [--reference]
import { parseArgs } from 'node:util';
import { runConformance } from '../dist/node/index.js';

const usage = 'usage: spikeflow-conformance --vectors FILE [--backend NAME] [--plugins MODULE[,MODULE]] [--reference]';
let args;
try {
  args = parseArgs({
    options: {
      vectors: { type: 'string' },
      backend: { type: 'string', default: 'cpu' },
      plugins: { type: 'string', default: '@spikeflow/neurons' },
      reference: { type: 'boolean', default: false },
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
if (!args.vectors) {
  console.error(`spikeflow-conformance: --vectors is required\n${usage}`);
  process.exit(2);
}
try {
  const results = await runConformance({
    vectors: args.vectors,
    backend: args.backend,
    plugins: args.plugins.split(',').filter(Boolean),
    reference: args.reference,
  });
  process.exit(results.every((r) => r.pass) ? 0 : 1);
} catch (e) {
  console.error(`spikeflow-conformance: ${e.message}`);
  process.exit(2);
}
