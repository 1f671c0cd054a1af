// Writes the JSON Schema of the model format with the built-in layer kinds into @spikeflow/spec
// (packages/spec/schema/model-v1.schema.json), which publishes it as dist/model-v1.schema.json, the
// file a spec's "$schema" names. Run after building core: `npm run write-schema -w @spikeflow/core`.
// Neuron, surrogate and pool kinds stay open there (plugins add them); a core test checks the file.
import { writeFileSync } from 'node:fs';
import { modelJsonSchema } from '@spikeflow/spec';
import { Registry } from '../dist/index.js';

const out = new URL('../../spec/schema/model-v1.schema.json', import.meta.url);
writeFileSync(out, JSON.stringify(modelJsonSchema({ layers: new Registry().catalog().layers }), null, 2) + '\n');
console.log(`wrote ${out.pathname}`);
