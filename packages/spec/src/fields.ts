import type { JsonPath, SpecIssue } from './errors.js';

/**
 * A small schema language for the fields of a layer or a plugin's options. Built-in layers and
 * every plugin (neuron, surrogate, pool) describe their options with it, so one validator checks
 * them all, fills defaults, and the JSON Schema is generated from the same tables.
 */
export type FieldSpec =
  | NumberField
  | BooleanField
  | StringField
  | EnumField
  | SizeField
  | PaddingField
  | ObjectField;

interface FieldBase<T> {
  description: string;
  /** Absent and no default: the field is required. */
  default?: T;
  /** May be explicitly null (e.g. vReset null = soft reset). */
  nullable?: boolean;
  /** Optional field with no default: stays absent when not given. */
  optional?: boolean;
}
export interface NumberField extends FieldBase<number | null> {
  type: 'number';
  integer?: boolean;
  min?: number;
  max?: number;
  /** Strict bounds: value must be > exclusiveMin / < exclusiveMax. */
  exclusiveMin?: number;
  exclusiveMax?: number;
}
export interface BooleanField extends FieldBase<boolean> {
  type: 'boolean';
}
export interface StringField extends FieldBase<string> {
  type: 'string';
}
export interface EnumField extends FieldBase<string> {
  type: 'enum';
  values: readonly string[];
}
/** A positive integer or a pair of them ([height, width]), as kernel sizes and strides are written. */
export interface SizeField extends FieldBase<number | [number, number]> {
  type: 'size';
}
/**
 * 'same' or 'valid' (TensorFlow's), or explicit zeros added on both sides: a non-negative integer or
 * a pair [height, width] of them (PyTorch's and NIR's padding).
 */
export interface PaddingField extends FieldBase<'same' | 'valid' | number | [number, number]> {
  type: 'padding';
}
/** A nested object checked by its own fields (e.g. a surrogate's kind and alpha). */
export interface ObjectField extends FieldBase<Record<string, unknown>> {
  type: 'object';
}

export type OptionSchema = Record<string, FieldSpec>;

/** Builders, so a plugin writes `alpha: field.number({ default: 2, exclusiveMin: 0, description })`. */
export const field = {
  number: (f: Omit<NumberField, 'type'>): NumberField => ({ type: 'number', ...f }),
  integer: (f: Omit<NumberField, 'type' | 'integer'>): NumberField => ({ type: 'number', integer: true, ...f }),
  boolean: (f: Omit<BooleanField, 'type'>): BooleanField => ({ type: 'boolean', ...f }),
  string: (f: Omit<StringField, 'type'>): StringField => ({ type: 'string', ...f }),
  enum: (f: Omit<EnumField, 'type'>): EnumField => ({ type: 'enum', ...f }),
  size: (f: Omit<SizeField, 'type'>): SizeField => ({ type: 'size', ...f }),
  padding: (f: Omit<PaddingField, 'type'>): PaddingField => ({ type: 'padding', ...f }),
};

function describeExpected(f: FieldSpec): string {
  switch (f.type) {
    case 'number': {
      const parts = [f.integer ? 'an integer' : 'a number'];
      if (f.exclusiveMin !== undefined) parts.push(`> ${f.exclusiveMin}`);
      if (f.min !== undefined) parts.push(`>= ${f.min}`);
      if (f.exclusiveMax !== undefined) parts.push(`< ${f.exclusiveMax}`);
      if (f.max !== undefined) parts.push(`<= ${f.max}`);
      return parts.join(' ') + (f.nullable ? ' or null' : '');
    }
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'enum':
      return `one of ${f.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'size':
      return 'a positive integer or a pair [height, width] of them';
    case 'padding':
      return '"same", "valid", a non-negative integer or a pair [height, width] of them';
    case 'object':
      return 'an object';
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Checks one value against its field; returns the problem or undefined. */
export function checkField(f: FieldSpec, value: unknown, path: JsonPath): SpecIssue | undefined {
  const bad = (): SpecIssue => ({ path, message: `expected ${describeExpected(f)}, got ${typeName(value)}` });
  if (value === null) return f.nullable ? undefined : bad();
  switch (f.type) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad();
      if (f.integer && !Number.isInteger(value)) return bad();
      if (f.min !== undefined && value < f.min) return bad();
      if (f.max !== undefined && value > f.max) return bad();
      if (f.exclusiveMin !== undefined && value <= f.exclusiveMin) return bad();
      if (f.exclusiveMax !== undefined && value >= f.exclusiveMax) return bad();
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : bad();
    case 'string':
      return typeof value === 'string' ? undefined : bad();
    case 'enum':
      return typeof value === 'string' && f.values.includes(value) ? undefined : bad();
    case 'size': {
      const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0;
      if (ok(value)) return undefined;
      if (Array.isArray(value) && value.length === 2 && value.every(ok)) return undefined;
      return bad();
    }
    case 'padding': {
      const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
      if (value === 'same' || value === 'valid' || ok(value)) return undefined;
      if (Array.isArray(value) && value.length === 2 && value.every(ok)) return undefined;
      return bad();
    }
    case 'object':
      return typeof value === 'object' && !Array.isArray(value) ? undefined : bad();
  }
}

/**
 * Validates `obj`'s fields listed in `schema` and writes them, defaults filled, into `out`.
 * Fields not in the schema are left for the caller (which reports unknown ones).
 */
export function applySchema(
  schema: OptionSchema,
  obj: Record<string, unknown>,
  path: JsonPath,
  out: Record<string, unknown>,
  issues: SpecIssue[],
): void {
  for (const [name, f] of Object.entries(schema)) {
    const value = obj[name];
    if (value === undefined) {
      if (f.default !== undefined) out[name] = cloneJson(f.default);
      else if (!f.optional) issues.push({ path: [...path, name], message: `missing required field: ${describeExpected(f)} (${f.description})` });
      continue;
    }
    const issue = checkField(f, value, [...path, name]);
    if (issue) issues.push(issue);
    else out[name] = cloneJson(value);
  }
}

export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
