import { formatPath, SpecError, unknownNameMessage, type JsonPath, type SpecIssue } from './errors.js';
import { applySchema, checkField, cloneJson, field, type OptionSchema } from './fields.js';
import { COMMON_LAYER_FIELDS, LAYER_FIELDS, LAYER_KINDS, explicitPadding, pair, windowOutput } from './layers.js';
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
    layers.forEach((layer, i) => {
      const n = validateLayer(layer, ['layers', i], catalog, issues);
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

  if (issues.length === 0 && inputShape) inferShapes(out as unknown as NormalizedModelSpec, issues);
  return issues.length === 0 ? (out as unknown as NormalizedModelSpec) : undefined;
}

function validateLayer(layer: unknown, path: JsonPath, catalog: PluginCatalog, issues: SpecIssue[]): NormalizedLayer | undefined {
  if (!isObject(layer)) {
    issues.push({ path, message: `expected a layer object { "kind": ... }, got ${JSON.stringify(layer)}` });
    return undefined;
  }
  const kind = layer.kind;
  if (typeof kind !== 'string' || !(LAYER_KINDS as string[]).includes(kind)) {
    issues.push({ path: [...path, 'kind'], message: unknownNameMessage('layer kind', kind, LAYER_KINDS) });
    return undefined;
  }
  const out: Record<string, unknown> = {};
  const before = issues.length;
  applySchema(COMMON_LAYER_FIELDS, layer, path, out, issues);
  if (typeof out.name === 'string') {
    const problem = layerNameProblem(out.name);
    if (problem) issues.push({ path: [...path, 'name'], message: problem });
  }
  const fields: OptionSchema = LAYER_FIELDS[kind as keyof typeof LAYER_FIELDS];
  applySchema(fields, layer, path, out, issues);
  const allowed = [...Object.keys(COMMON_LAYER_FIELDS), ...Object.keys(fields)];

  if (kind === 'neuron') {
    const plugin = pluginOptions('neuron', out.neuron, catalog.neurons, [...path, 'neuron'], issues);
    if (plugin === 'unchecked') allowed.push(...Object.keys(layer).filter((k) => !allowed.includes(k)));
    else if (plugin) {
      applySchema(plugin, layer, path, out, issues);
      allowed.push(...Object.keys(plugin));
    }
    if (out.vRest === undefined && issues.length === before) out.vRest = out.vReset ?? 0;
    if (typeof out.vThreshold === 'number') {
      const vRest = out.vRest as number;
      if (typeof out.vReset === 'number' && out.vReset >= out.vThreshold)
        issues.push({ path: [...path, 'vReset'], message: `vReset (${out.vReset}) must be below vThreshold (${out.vThreshold}), or the neuron fires forever` });
      if (typeof vRest === 'number' && vRest >= out.vThreshold)
        issues.push({ path: [...path, 'vRest'], message: `vRest (${vRest}) must be below vThreshold (${out.vThreshold})` });
    }
    if (isObject(out.surrogate)) out.surrogate = validateSurrogate(out.surrogate, [...path, 'surrogate'], catalog, issues);
  } else if (kind === 'pool') {
    const plugin = pluginOptions('pool', out.pool, catalog.pools, [...path, 'pool'], issues);
    if (plugin === 'unchecked') allowed.push(...Object.keys(layer).filter((k) => !allowed.includes(k)));
    else if (plugin) {
      applySchema(plugin, layer, path, out, issues);
      allowed.push(...Object.keys(plugin));
    }
    if (out.stride === undefined) out.stride = cloneJson(out.size);
  }
  reportUnknownFields(layer, allowed, path, issues, `a ${kind} layer`);
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

/** Layer names key variables (`name/param`) and per-layer records, so some names cannot work. */
function layerNameProblem(name: string): string | undefined {
  if (name === '') return 'a layer name cannot be empty';
  if (name.includes('/')) return `layer name ${JSON.stringify(name)} contains "/", which separates layer and parameter in checkpoints`;
  if (name === '__proto__' || name === 'constructor' || name === 'prototype') return `layer name ${JSON.stringify(name)} is reserved by JavaScript objects; choose another`;
  return undefined;
}

function pluginOptions(
  what: string,
  name: unknown,
  known: Record<string, OptionSchema> | undefined,
  path: JsonPath,
  issues: SpecIssue[],
): OptionSchema | 'unchecked' | undefined {
  if (typeof name !== 'string') return undefined; // already reported by the field check
  if (!known) return 'unchecked';
  const schema = known[name];
  if (!schema) issues.push({ path, message: unknownNameMessage(what, name, Object.keys(known)) });
  return schema;
}

function validateSurrogate(s: Record<string, unknown>, path: JsonPath, catalog: PluginCatalog, issues: SpecIssue[]): Record<string, unknown> {
  const kindIssue = checkField(field.string({ description: 'surrogate kind' }), s.kind, [...path, 'kind']);
  if (kindIssue) {
    issues.push(kindIssue);
    return s;
  }
  const plugin = pluginOptions('surrogate', s.kind, catalog.surrogates, [...path, 'kind'], issues);
  if (plugin === 'unchecked') return cloneJson(s);
  if (!plugin) return s;
  const out: Record<string, unknown> = { kind: s.kind };
  applySchema(plugin, s, path, out, issues);
  reportUnknownFields(s, ['kind', ...Object.keys(plugin)], path, issues, `surrogate "${String(s.kind)}"`);
  return out;
}

/**
 * Per-sample output shape of every layer (no time or batch axis). Throws a SpecError naming the
 * layer whose input does not fit (dense after conv without flatten, pool window larger than input...).
 */
export function layerShapes(spec: NormalizedModelSpec): number[][] {
  const issues: SpecIssue[] = [];
  const shapes = inferShapes(spec, issues);
  if (issues.length > 0) throw new SpecError(issues);
  return shapes;
}

const tooLarge = (elements: number) => elements > SPEC_LIMITS.maxTensorElements;

function inferShapes(spec: NormalizedModelSpec, issues: SpecIssue[]): number[][] {
  const shapes: number[][] = [];
  let shape = [...spec.input.shape];
  const show = (s: number[]) => `[${s.join(', ')}]`;
  for (let i = 0; i < spec.layers.length; i++) {
    const l = spec.layers[i];
    const path: JsonPath = ['layers', i];
    const fail = (message: string) => {
      issues.push({ path, message });
    };
    switch (l.kind) {
      case 'conv2d':
      case 'pool': {
        if (shape.length !== 3) {
          fail(`${l.kind} expects an input of shape [height, width, channels], but the input here is ${show(shape)}`);
          return shapes;
        }
        const [kh, kw] = pair(l.kind === 'conv2d' ? l.kernelSize : l.size);
        const [sh, sw] = pair(l.stride);
        const padding = l.padding as string;
        const [ph, pw] = explicitPadding(padding) ?? [padding, padding];
        const h = windowOutput(shape[0], kh, sh, ph);
        const w = windowOutput(shape[1], kw, sw, pw);
        if (h <= 0 || w <= 0) {
          fail(`window ${kh}x${kw} does not fit the input ${show(shape)} with padding ${JSON.stringify(padding)}`);
          return shapes;
        }
        const cout = l.kind === 'conv2d' ? (l.filters as number) : shape[2];
        if (l.kind === 'conv2d' && tooLarge(kh * kw * shape[2] * cout)) {
          fail(`a ${kh}x${kw}x${shape[2]}x${cout} kernel has more than ${SPEC_LIMITS.maxTensorElements} values`);
          return shapes;
        }
        if (tooLarge(h * w * cout)) {
          fail(`an output of ${show([h, w, cout])} per sample has more than ${SPEC_LIMITS.maxTensorElements} values`);
          return shapes;
        }
        shape = [h, w, cout];
        break;
      }
      case 'dense':
        if (shape.length !== 1) {
          fail(`dense expects a flat input [features], but the input here is ${show(shape)}: add { "kind": "flatten" } before it`);
          return shapes;
        }
        if (tooLarge(shape[0] * (l.units as number))) {
          fail(`a ${shape[0]}x${l.units} kernel has more than ${SPEC_LIMITS.maxTensorElements} values`);
          return shapes;
        }
        shape = [l.units as number];
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'voting': {
        const groups = l.groups as number;
        if (shape.length !== 1) {
          fail(`voting expects a flat input [units], but the input here is ${show(shape)}`);
          return shapes;
        }
        if (shape[0] % groups !== 0) {
          issues.push({ path: [...path, 'groups'], message: `${groups} groups do not divide the ${shape[0]} units of the layer before` });
          return shapes;
        }
        shape = [groups];
        break;
      }
      default:
        break; // batchNorm, neuron, dropout keep the shape
    }
    shapes.push(shape);
  }
  return shapes;
}

export { formatPath };
