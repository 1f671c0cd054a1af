import { objectSchema, type Json } from './json-schema-fields.js';
import { COMMON_LAYER_FIELDS } from './layers.js';
import { SPEC_LIMITS } from './limits.js';
import { MODEL_FORMAT } from './types.js';
import { catalogLayerKinds, type PluginCatalog } from './validate.js';

/**
 * The JSON Schema (draft 2020-12) of the model format, for editors and other languages: the
 * catalog's layer kinds (`catalog.layers`, e.g. @spikeflow/core's registry.catalog()) and its
 * neuron, surrogate and pool kinds, enumerated with their options. validate() remains the
 * authority (it also checks shapes, which JSON Schema cannot).
 */
export function modelJsonSchema(catalog: PluginCatalog): Json {
  if (Object.keys(catalogLayerKinds(catalog ?? {})).length === 0) {
    throw new TypeError('modelJsonSchema: the catalog names no layer kinds; @spikeflow/spec defines none, so pass registry.catalog() from @spikeflow/core (or a catalog with `layers`)');
  }
  const inputs = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: "names of the layers this one reads; default the layer before" };
  const layerSchemas = Object.values(catalogLayerKinds(catalog)).map((def) => {
    const schema = objectSchema({ ...COMMON_LAYER_FIELDS, ...def.fields }, { kind: { const: def.kind }, inputs });
    if ((def.inputs?.min ?? 1) > 1) (schema.required as string[]).push('inputs');
    def.jsonSchema?.(schema, catalog);
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
