// The JSON Schema file @spikeflow/spec publishes (dist/model-v1.schema.json, export
// "@spikeflow/spec/model-v1.schema.json"): what editors load through a spec's "$schema". It names
// the layer kinds, so this package writes it (`npm run write-schema -w @spikeflow/core` writes
// packages/spec/schema/model-v1.schema.json, which spec's build copies into its dist).
import { existsSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '@spikeflow/spec';
import { modelJsonSchema, parseSpec, validate } from './builtin-catalog.js';

const source = new URL('../../spec/schema/model-v1.schema.json', import.meta.url);
const published = new URL('../../spec/dist/model-v1.schema.json', import.meta.url);
const built = existsSync(published);
const written = JSON.parse(readFileSync(source, 'utf8'));

const spec: ModelSpec = {
  $schema: './node_modules/@spikeflow/spec/dist/model-v1.schema.json',
  input: { shape: [28, 28, 1] },
  timeSteps: 4,
  layers: [
    { kind: 'conv2d', filters: 8, kernelSize: 3 },
    { kind: 'neuron', neuron: 'plif', initTau: 2, surrogate: { kind: 'atan', alpha: 2 } },
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 10 },
  ],
};

describe('"$schema" in a spec', () => {
  it('is kept by validate() and must be a string', () => {
    expect(validate(spec).$schema).toBe(spec.$schema);
    expect(JSON.parse(JSON.stringify(validate(spec)))).toEqual(validate(spec));
    expect(() => parseSpec({ ...spec, $schema: 3 })).toThrow(/^\$schema: expected the URL or path of the JSON Schema as a string, got 3/);
  });
});

describe('the schema file', () => {
  const schema = written;

  it('is modelJsonSchema() of the built-in layer kinds as this version builds it', () => {
    // Stale after a change to a built-in kind: run `npm run build -w @spikeflow/core && npm run write-schema -w @spikeflow/core`.
    expect(schema).toEqual(modelJsonSchema());
  });

  if (!built) console.warn('published schema check skipped: packages/spec is not built; `npm test` builds it first (turbo run build), and CI runs it that way');
  it.skipIf(!built)('is what @spikeflow/spec publishes in dist/', () => {
    expect(JSON.parse(readFileSync(published, 'utf8'))).toEqual(schema);
  });

  it('accepts a valid spec with "$schema" and rejects the mistakes an editor should underline', () => {
    const check = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    expect(check(spec), JSON.stringify(check.errors)).toBe(true);
    expect(check(validate(spec)), JSON.stringify(check.errors)).toBe(true);
    expect(check({ ...spec, timeStep: 4 })).toBe(false);
    expect(check.errors?.some((e) => e.keyword === 'additionalProperties' && e.params.additionalProperty === 'timeStep')).toBe(true);
    expect(check({ ...spec, layers: [{ kind: 'dense', units: '10' }] })).toBe(false);
    expect(check({ ...spec, layers: [{ kind: 'desne', units: 10 }] })).toBe(false);
  });
});
