import { formatPath, SpecError, unknownNameMessage, type JsonPath, type SpecIssue } from './errors.js';
import { applySchema, cloneJson, field, type OptionSchema } from './fields.js';
import { resolveGraph } from './graph.js';
import { isShapeProblem, type LayerKindSpec } from './layer-kind.js';
import { COMMON_LAYER_FIELDS } from './layers.js';
import { checkSpecSize, SPEC_LIMITS } from './limits.js';
import { MODEL_FORMAT, type ModelSpec, type NormalizedLayer, type NormalizedModelSpec, type ValidatedModelSpec } from './types.js';

/**
 * The plugin kinds a runtime knows, with their option schemas. @spikeflow/core passes its registry;
 * without a catalog, plugin names are not checked and their options pass through unchecked.
 */
export interface PluginCatalog {
  neurons?: Record<string, OptionSchema>;
  surrogates?: Record<string, OptionSchema>;
  pools?: Record<string, OptionSchema>;
  /**
   * Layer kinds by name. The spec package defines none: @spikeflow/core's registry.catalog() names
   * the built-in ones and every registered layer plugin. Without it, every layer kind is unknown.
   */
  layers?: Record<string, LayerKindSpec>;
}

/** The layer kinds a catalog knows (none without `catalog.layers`). */
export function catalogLayerKinds(catalog: PluginCatalog): Record<string, LayerKindSpec> {
  return catalog.layers ?? {};
}

/** Where layer kinds come from, for the error of a kind no catalog names. */
const NO_LAYER_KINDS = 'no layer kinds are known here: @spikeflow/spec defines none; validate with @spikeflow/core\'s validate()/parseSpec(), or pass catalog.layers (e.g. registry.catalog())';

/** The message for a layer kind the catalog does not know. */
function unknownKindMessage(kind: unknown, kinds: Record<string, LayerKindSpec>): string {
  const names = Object.keys(kinds);
  if (names.length === 0) return `unknown layer kind ${JSON.stringify(kind)}: ${NO_LAYER_KINDS}`;
  return unknownNameMessage('layer kind', kind, names);
}

const ENCODER_KINDS = ['direct', 'poisson', 'sequence'] as const;
const MODEL_FIELDS = ['$schema', 'format', 'name', 'input', 'timeSteps', 'encoder', 'layers'];

/**
 * Checks a model spec written in TypeScript (typed: see ModelSpec) or one validate() already
 * returned, and returns it with every default filled in. Throws a SpecError listing every problem
 * with its JSON path. For JSON (a string, or a value of unknown shape) use parseSpec().
 */
export function validate(spec: ModelSpec | ValidatedModelSpec, catalog: PluginCatalog = {}): ValidatedModelSpec {
  return parseSpec(spec, catalog);
}

/**
 * The JSON path into the model format: takes a JSON text or the output of JSON.parse (nothing is
 * assumed about its types), checks it like validate() and returns it normalized.
 */
export function parseSpec(json: unknown, catalog: PluginCatalog = {}): ValidatedModelSpec {
  let spec = json;
  if (typeof json === 'string') {
    try {
      spec = JSON.parse(json);
    } catch (e) {
      throw new SpecError({ path: [], message: `not valid JSON: ${(e as Error).message}` });
    }
  }
  const issues: SpecIssue[] = [];
  const out = validateInto(spec, catalog, issues);
  if (issues.length > 0 || !out) throw new SpecError(issues);
  return out as ValidatedModelSpec;
}

/** Like validate, but returns the problems instead of throwing. */
export function check(spec: unknown, catalog: PluginCatalog = {}): SpecIssue[] {
  const issues: SpecIssue[] = [];
  validateInto(spec, catalog, issues);
  return issues;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function reportUnknownFields(obj: Record<string, unknown>, allowed: string[], path: JsonPath, issues: SpecIssue[], where: string) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) issues.push({ path: [...path, key], message: unknownNameMessage(`field of ${where}:`, key, allowed) });
  }
}

function validateInto(spec: unknown, catalog: PluginCatalog, issues: SpecIssue[]): NormalizedModelSpec | undefined {
  if (!isObject(spec)) {
    issues.push({ path: [], message: `expected a model spec object, got ${spec === null ? 'null' : Array.isArray(spec) ? 'an array' : typeof spec}` });
    return undefined;
  }
  const tooBig = checkSpecSize(spec);
  if (tooBig) {
    issues.push(tooBig);
    return undefined;
  }
  reportUnknownFields(spec, MODEL_FIELDS, [], issues, 'a model spec');
  if (spec.format !== undefined && spec.format !== MODEL_FORMAT) {
    issues.push({ path: ['format'], message: `unsupported format ${JSON.stringify(spec.format)}; this version reads "${MODEL_FORMAT}"` });
  }
  const out: Record<string, unknown> = {};
  if (spec.$schema !== undefined) {
    if (typeof spec.$schema === 'string') out.$schema = spec.$schema;
    else issues.push({ path: ['$schema'], message: `expected the URL or path of the JSON Schema as a string, got ${JSON.stringify(spec.$schema)}` });
  }
  out.format = MODEL_FORMAT;
  applySchema(
    {
      name: field.string({ optional: true, description: 'model name' }),
      timeSteps: field.integer({ min: 1, max: SPEC_LIMITS.maxTimeSteps, default: 8, description: 'number of simulation steps T' }),
    },
    spec,
    [],
    out,
    issues,
  );

  // input
  const input = spec.input;
  let inputShape: number[] | undefined;
  if (input === undefined) {
    issues.push({ path: ['input'], message: 'missing input: expected { "shape": [height, width, channels] } or { "shape": [features] }' });
  } else if (!isObject(input)) {
    issues.push({ path: ['input'], message: 'expected an object { "shape": [...] }' });
  } else {
    reportUnknownFields(input, ['shape'], ['input'], issues, 'input');
    const shape = input.shape;
    if (!Array.isArray(shape) || shape.length === 0) {
      issues.push({ path: ['input', 'shape'], message: `expected a non-empty array of positive integers, got ${JSON.stringify(shape) ?? 'nothing'}` });
    } else {
      const badIndex = shape.findIndex((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0);
      if (badIndex >= 0) issues.push({ path: ['input', 'shape', badIndex], message: `expected a positive integer, got ${JSON.stringify(shape[badIndex])}` });
      else if (tooLarge(shape.reduce((a: number, b: number) => a * b, 1))) {
        issues.push({ path: ['input', 'shape'], message: `an input of [${shape.join(', ')}] has more than ${SPEC_LIMITS.maxTensorElements} values per sample` });
      } else inputShape = [...shape] as number[];
    }
    out.input = { shape: inputShape ?? shape };
  }

  // encoder
  const encoder = spec.encoder ?? { kind: 'direct' };
  if (!isObject(encoder)) {
    issues.push({ path: ['encoder'], message: `expected { "kind": ${ENCODER_KINDS.map((k) => `"${k}"`).join(' | ')} }` });
  } else if (!ENCODER_KINDS.includes(encoder.kind as never)) {
    issues.push({ path: ['encoder', 'kind'], message: unknownNameMessage('encoder', encoder.kind, ENCODER_KINDS) });
  } else {
    reportUnknownFields(encoder, ['kind'], ['encoder'], issues, 'encoder');
    out.encoder = { kind: encoder.kind };
  }

  // layers
  const layers = spec.layers;
  const normalized: NormalizedLayer[] = [];
  if (!Array.isArray(layers) || layers.length === 0) {
    issues.push({ path: ['layers'], message: `expected a non-empty array of layers, got ${layers === undefined ? 'nothing' : JSON.stringify(layers)}` });
  } else if (layers.length > SPEC_LIMITS.maxLayers) {
    issues.push({ path: ['layers'], message: `${layers.length} layers; at most ${SPEC_LIMITS.maxLayers} are allowed` });
  } else {
    const kinds = catalogLayerKinds(catalog);
    layers.forEach((layer, i) => {
      const n = validateLayer(layer, ['layers', i], kinds, catalog, issues);
      if (n) normalized.push(n);
    });
    const names = new Map<string, number>();
    normalized.forEach((l, i) => {
      if (l.name === undefined) return;
      if (names.has(l.name)) issues.push({ path: ['layers', i, 'name'], message: `duplicate layer name "${l.name}" (also layers[${names.get(l.name)}])` });
      names.set(l.name, i);
    });
  }
  out.layers = normalized;

  if (issues.length === 0) resolveGraph(normalized, issues);
  if (issues.length === 0 && inputShape) inferShapes(out as unknown as NormalizedModelSpec, issues, catalogLayerKinds(catalog));
  return issues.length === 0 ? (out as unknown as NormalizedModelSpec) : undefined;
}

function validateLayer(layer: unknown, path: JsonPath, kinds: Record<string, LayerKindSpec>, catalog: PluginCatalog, issues: SpecIssue[]): NormalizedLayer | undefined {
  if (!isObject(layer)) {
    issues.push({ path, message: `expected a layer object { "kind": ... }, got ${JSON.stringify(layer)}` });
    return undefined;
  }
  const kind = layer.kind;
  const def = typeof kind === 'string' && Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
  if (!def) {
    issues.push({ path: [...path, 'kind'], message: unknownKindMessage(kind, kinds) });
    return undefined;
  }
  const out: Record<string, unknown> = {};
  const before = issues.length;
  applySchema(COMMON_LAYER_FIELDS, layer, path, out, issues);
  if (typeof out.name === 'string') {
    const problem = layerNameProblem(out.name);
    if (problem) issues.push({ path: [...path, 'name'], message: problem });
  }
  validateInputs(layer.inputs, def, path, out, issues);
  const fields: OptionSchema = def.fields;
  applySchema(fields, layer, path, out, issues);
  const allowed = [...Object.keys(COMMON_LAYER_FIELDS), 'inputs', ...Object.keys(fields)];
  def.normalize?.({ layer, out, path, catalog, issues, allowed, before });
  reportUnknownFields(layer, allowed, path, issues, `a ${def.kind} layer`);
  if (issues.length !== before) return undefined;
  // Canonical key order (schema order, then unchecked plugin options), so that validating a
  // normalized spec again gives the same JSON text.
  const ordered: Record<string, unknown> = {};
  for (const key of allowed) {
    const value = key in out ? out[key] : layer[key];
    if (value !== undefined) ordered[key] = cloneJson(value);
  }
  return ordered as NormalizedLayer;
}

/** `inputs`: a list of layer names, as many as the kind takes; merges must name theirs. */
function validateInputs(inputs: unknown, def: LayerKindSpec, path: JsonPath, out: Record<string, unknown>, issues: SpecIssue[]): void {
  const { min, max } = def.inputs ?? { min: 1, max: 1 };
  const aKind = `${/^[aeiou]/i.test(def.kind) ? 'an' : 'a'} ${def.kind}`;
  const takes = max === min ? `${min}` : max === undefined ? `${min} or more` : `${min} to ${max}`;
  if (inputs === undefined) {
    if (min > 1) issues.push({ path: [...path, 'inputs'], message: `missing inputs: ${aKind} layer takes ${takes} inputs, named as ["layerA", "layerB"]` });
    return;
  }
  if (!Array.isArray(inputs) || inputs.some((n) => typeof n !== 'string' || n === '')) {
    issues.push({ path: [...path, 'inputs'], message: `expected a list of layer names, got ${JSON.stringify(inputs)}` });
    return;
  }
  if (inputs.length < min || (max !== undefined && inputs.length > max)) {
    issues.push({ path: [...path, 'inputs'], message: `${aKind} layer takes ${takes} input${takes === '1' ? '' : 's'}, got ${inputs.length}` });
    return;
  }
  out.inputs = [...inputs];
}

/** Layer names key variables (`name/param`) and per-layer records, so some names cannot work. */
function layerNameProblem(name: string): string | undefined {
  if (name === '') return 'a layer name cannot be empty';
  if (name.includes('/')) return `layer name ${JSON.stringify(name)} contains "/", which separates layer and parameter in checkpoints`;
  if (name === '__proto__' || name === 'constructor' || name === 'prototype') return `layer name ${JSON.stringify(name)} is reserved by JavaScript objects; choose another`;
  return undefined;
}

/**
 * Per-sample output shape of every layer (no time or batch axis). Throws a SpecError naming the
 * layer whose input does not fit (dense after conv without flatten, pool window larger than input...).
 */
export function layerShapes(spec: NormalizedModelSpec, catalog: PluginCatalog = {}): number[][] {
  const issues: SpecIssue[] = [];
  const shapes = inferShapes(spec, issues, catalogLayerKinds(catalog));
  if (issues.length > 0) throw new SpecError(issues);
  return shapes;
}

const tooLarge = (elements: number) => elements > SPEC_LIMITS.maxTensorElements;

function inferShapes(spec: NormalizedModelSpec, issues: SpecIssue[], kinds: Record<string, LayerKindSpec>): number[][] {
  const shapes: number[][] = [];
  const graph = resolveGraph(spec.layers, issues);
  if (issues.length > 0) return shapes;
  for (let i = 0; i < spec.layers.length; i++) {
    const l = spec.layers[i];
    const def = kinds[l.kind];
    if (!def) {
      issues.push({ path: ['layers', i, 'kind'], message: unknownKindMessage(l.kind, kinds) });
      return shapes;
    }
    const inputs = graph.inputs[i].map((j) => (j < 0 ? spec.input.shape : shapes[j]));
    const shape = def.outputShape(inputs, l);
    if (isShapeProblem(shape)) {
      issues.push({ path: shape.field ? ['layers', i, shape.field] : ['layers', i], message: shape.problem });
      return shapes;
    }
    shapes.push(shape);
  }
  return shapes;
}

export { formatPath };
