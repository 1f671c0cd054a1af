// Publishes the model format's JSON Schema next to the build output (dist/model-v1.schema.json),
// the file editors read through a spec's "$schema" field. The schema names the layer kinds, which
// @spikeflow/core defines, so core writes it (schema/model-v1.schema.json, `npm run write-schema
// -w @spikeflow/core`) and a core test checks it is current; this package only copies it.
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync(new URL('../dist/', import.meta.url), { recursive: true });
copyFileSync(new URL('../schema/model-v1.schema.json', import.meta.url), new URL('../dist/model-v1.schema.json', import.meta.url));
