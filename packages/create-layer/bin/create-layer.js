#!/usr/bin/env node
// npm create @spikeflow/layer NAME [-- --dir DIR]: writes a layer plugin package to start from.
import { parseArgs } from 'node:util';
import { scaffoldLayer } from '../dist/index.js';

const usage = 'usage: npm create @spikeflow/layer NAME [-- --dir DIR]   (or: npx @spikeflow/create-layer NAME [--dir DIR])';
let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
} catch (e) {
  console.error(`create-layer: ${e.message}\n${usage}`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(usage);
  process.exit(0);
}
const [name, ...extra] = parsed.positionals;
if (!name || extra.length > 0) {
  console.error(`create-layer: give exactly one package name\n${usage}`);
  process.exit(2);
}
try {
  const r = scaffoldLayer({ name, dir: parsed.values.dir });
  console.log(`created ${r.dir}: layer kind "${r.kind}" (${r.files.length} files)\nnext:\n  cd ${r.dir}\n  npm install\n  npm test      # builds, then validates the layer, trains 2 steps, saves and loads it`);
} catch (e) {
  console.error(`create-layer: ${e.message}`);
  process.exit(2);
}
