#!/usr/bin/env node
// Everything the site needs before VitePress builds or serves it, made from the repository:
// the demos' data, tfjs's wasm binaries and spikeflow's SIMD neuron modules as static files, the
// tables of layer kinds (from the layer registry) and the API reference.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeData } from './make-data.mjs';
import { makeApi } from './make-api.mjs';
import { makeLayerKinds } from './layer-kinds.mjs';

const site = fileURLToPath(new URL('..', import.meta.url));
const t0 = performance.now();
const log = (what) => console.log(`prepare: ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

for (const line of await makeData(join(site, 'public/data'))) log(`data ${line}`);

// tfjs-backend-wasm loads its .wasm next to a prefix the page sets (setWasmPaths): serve them from /wasm/.
const wasmDist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist';
const wasmOut = join(site, 'public/wasm');
mkdirSync(wasmOut, { recursive: true });
for (const f of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDist, f), join(wasmOut, f));
log(`wasm binaries copied to public/wasm/`);

// spikeflow's SIMD neuron modules for the built-in neurons, built with @spikeflow/backend-wasm: the
// wasm demos run them (runtime.ts names the folder with setNeuronKernelsPath) instead of binaryen.
const kernels = dirname(createRequire(import.meta.url).resolve('@spikeflow/backend-wasm/package.json')) + '/dist/neuron-kernels';
if (!existsSync(join(kernels, 'manifest.json'))) throw new Error(`prepare: ${kernels}/manifest.json is missing: build @spikeflow/backend-wasm first (npx turbo run build --filter=@spikeflow/backend-wasm)`);
rmSync(join(wasmOut, 'neuron-kernels'), { recursive: true, force: true });
cpSync(kernels, join(wasmOut, 'neuron-kernels'), { recursive: true });
log(`SIMD neuron modules copied to public/wasm/neuron-kernels/ (${readdirSync(kernels).length - 1} files)`);

// Static hosts often cannot set COOP/COEP headers: coi-serviceworker adds them from a service worker
// (one reload on the first visit), so the page is cross-origin isolated and wasm runs on threads.
copyFileSync(createRequire(import.meta.url).resolve('coi-serviceworker/coi-serviceworker.min.js'), join(site, 'public/coi-serviceworker.js'));
log('coi-serviceworker copied to public/');

const kinds = makeLayerKinds(join(site, 'generated'));
log(`tables of the ${kinds.length} layer kinds in generated/`);

rmSync(join(site, 'api'), { recursive: true, force: true });
const packages = await makeApi(join(site, 'api'));
log(`API reference of ${packages.join(', ')}`);
