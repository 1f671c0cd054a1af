// Writes the model format's JSON Schema next to the build output (dist/model-v1.schema.json), the
// file editors read through a spec's "$schema" field.
import { writeFileSync } from 'node:fs';
import { modelJsonSchema } from '../dist/index.js';

const out = new URL('../dist/model-v1.schema.json', import.meta.url);
writeFileSync(out, JSON.stringify(modelJsonSchema(), null, 2) + '\n');
