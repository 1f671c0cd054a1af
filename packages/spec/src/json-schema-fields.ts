import type { FieldSpec, OptionSchema } from './fields.js';

export type Json = Record<string, unknown>;

export function fieldSchema(f: FieldSpec): Json {
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

export function objectSchema(fields: OptionSchema, extra: Json = {}, additional = false): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const [name, f] of Object.entries(fields)) {
    properties[name] = fieldSchema(f);
    if (f.default === undefined && !f.optional) required.push(name);
  }
  return { type: 'object', properties: { ...properties, ...extra }, required, additionalProperties: additional };
}

