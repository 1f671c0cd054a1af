import type { FieldSpec, OptionSchema } from './fields.js';
import { COMMON_LAYER_FIELDS, LAYER_FIELDS } from './layers.js';
import { SPEC_LIMITS } from './limits.js';
import { MODEL_FORMAT } from './types.js';
import type { PluginCatalog } from './validate.js';

type Json = Record<string, unknown>;

function fieldSchema(f: FieldSpec): Json {
  const base: Json = { description: f.description };
  if (f.default !== undefined) base.default = f.default;
  let s: Json;
  switch (f.type) {
    case 'number':
      s = { type: f.integer ? 'integer' : 'number' };
      if (f.min !== undefined) s.minimum = f.min;
      if (f.max !== undefined) s.maximum = f.max;
      if (f.exclusiveMin !== undefined) s.exclusiveMinimum = f.exclusiveMin;
      if (f.exclusiveMax !== undefined) s.exclusiveMaximum = f.exclusiveMax;
      break;
    case 'boolean':
      s = { type: 'boolean' };
      break;
    case 'string':
      s = { type: 'string' };
      break;
    case 'enum':
      s = { enum: [...f.values] };
      break;
    case 'size': {
      const positive = { type: 'integer', exclusiveMinimum: 0 };
      s = { oneOf: [positive, { type: 'array', items: positive, minItems: 2, maxItems: 2 }] };
      break;
    }
    case 'padding': {
      const zeros = { type: 'integer', minimum: 0 };
      s = { oneOf: [{ enum: ['same', 'valid'] }, zeros, { type: 'array', items: zeros, minItems: 2, maxItems: 2 }] };
      break;
    }
    case 'object':
      s = { type: 'object' };
      break;
  }
  if (f.nullable) s = { anyOf: [s, { type: 'null' }] };
  return { ...base, ...s };
}

function objectSchema(fields: OptionSchema, extra: Json = {}, additional = false): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const [name, f] of Object.entries(fields)) {
    properties[name] = fieldSchema(f);
    if (f.default === undefined && !f.optional) required.push(name);
  }
  return { type: 'object', properties: { ...properties, ...extra }, required, additionalProperties: additional };
}

/**
 * The JSON Schema (draft 2020-12) of the model format, for editors and other languages. With a
 * catalog, neuron, surrogate and pool kinds are enumerated with their options; validate() remains
 * the authority (it also checks shapes, which JSON Schema cannot).
 */
export function modelJsonSchema(catalog: PluginCatalog = {}): Json {
  const layerSchemas = Object.entries(LAYER_FIELDS).map(([kind, fields]) => {
    const schema = objectSchema({ ...COMMON_LAYER_FIELDS, ...(fields as OptionSchema) }, { kind: { const: kind } }, kind === 'neuron' || kind === 'pool');
    if (kind === 'neuron' && catalog.neurons) {
      schema.allOf = Object.entries(catalog.neurons).map(([name, opts]) => ({
        if: { properties: { neuron: { const: name } } },
        then: { properties: Object.fromEntries(Object.entries(opts).map(([k, f]) => [k, fieldSchema(f)])) },
      }));
      (schema.properties as Json).neuron = { enum: Object.keys(catalog.neurons), description: 'neuron kind' };
    }
    if (kind === 'pool' && catalog.pools) (schema.properties as Json).pool = { enum: Object.keys(catalog.pools), description: 'pooling kind' };
    if (kind === 'neuron' && catalog.surrogates) {
      (schema.properties as Json).surrogate = {
        description: 'surrogate gradient of the spike',
        oneOf: Object.entries(catalog.surrogates).map(([name, opts]) => objectSchema(opts, { kind: { const: name } })),
      };
    }
    return schema;
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://unpkg.com/@spikeflow/spec/dist/model-v1.schema.json',
    title: 'spikeflow model spec',
    type: 'object',
    required: ['input', 'layers'],
    additionalProperties: false,
    properties: {
      $schema: { type: 'string', description: 'where editors find this schema' },
      format: { const: MODEL_FORMAT, default: MODEL_FORMAT },
      name: { type: 'string' },
      input: {
        type: 'object',
        required: ['shape'],
        additionalProperties: false,
        properties: { shape: { type: 'array', minItems: 1, items: { type: 'integer', exclusiveMinimum: 0 } } },
      },
      timeSteps: { type: 'integer', minimum: 1, maximum: SPEC_LIMITS.maxTimeSteps, default: 8 },
      encoder: {
        type: 'object',
        properties: { kind: { enum: ['direct', 'poisson', 'sequence'] } },
        required: ['kind'],
        additionalProperties: false,
        default: { kind: 'direct' },
      },
      layers: { type: 'array', minItems: 1, items: { oneOf: layerSchemas } },
    },
  };
}
