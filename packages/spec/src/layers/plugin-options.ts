import { unknownNameMessage, type JsonPath, type SpecIssue } from '../errors.js';
import { applySchema, checkField, cloneJson, field, type OptionSchema } from '../fields.js';
import { fieldSchema, objectSchema } from '../json-schema-fields.js';
import type { LayerNormalizeContext } from '../layer-kind.js';
import type { PluginCatalog } from '../validate.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The option schema of a named plugin, 'unchecked' without a catalog, undefined (reported) if unknown. */
export function pluginOptions(
  what: string,
  name: unknown,
  known: Record<string, OptionSchema> | undefined,
  path: JsonPath,
  issues: SpecIssue[],
): OptionSchema | 'unchecked' | undefined {
  if (typeof name !== 'string') return undefined; // already reported by the field check
  if (!known) return 'unchecked';
  // Own keys only: an inherited key ("toString", "constructor", "__proto__") names no plugin.
  const schema = Object.hasOwn(known, name) ? known[name] : undefined;
  if (!schema) issues.push({ path, message: unknownNameMessage(what, name, Object.keys(known)) });
  return schema;
}

/** Validates the options of the plugin a layer names in `fieldName` (neuron, pool) into the layer. */
export function applyPluginOptions(ctx: LayerNormalizeContext, what: string, fieldName: string, known: Record<string, OptionSchema> | undefined): void {
  const plugin = pluginOptions(what, ctx.out[fieldName], known, [...ctx.path, fieldName], ctx.issues);
  if (plugin === 'unchecked') ctx.allowed.push(...Object.keys(ctx.layer).filter((k) => !ctx.allowed.includes(k)));
  else if (plugin) {
    applySchema(plugin, ctx.layer, ctx.path, ctx.out, ctx.issues);
    ctx.allowed.push(...Object.keys(plugin));
  }
}

/** A neuron's options: its plugin's, vRest's default, the threshold checks, the surrogate. */
export function normalizeNeuronOptions(ctx: LayerNormalizeContext): void {
  const { out, path, issues } = ctx;
  applyPluginOptions(ctx, 'neuron', 'neuron', ctx.catalog.neurons);
  if (out.vRest === undefined && issues.length === ctx.before) out.vRest = out.vReset ?? 0;
  // A vRest at or above the threshold is allowed: such a neuron fires by itself at a steady rate (a
  // pacemaker, as in NIR's two-neuron example file); a reset there would fire at every step.
  if (typeof out.vThreshold === 'number' && typeof out.vReset === 'number' && out.vReset >= out.vThreshold)
    issues.push({ path: [...path, 'vReset'], message: `vReset (${out.vReset}) must be below vThreshold (${out.vThreshold}), or the neuron fires forever` });
  if (isObject(out.surrogate)) out.surrogate = validateSurrogate(out.surrogate, [...path, 'surrogate'], ctx.catalog, issues);
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
  const allowed = ['kind', ...Object.keys(plugin)];
  for (const key of Object.keys(s)) {
    if (!allowed.includes(key)) issues.push({ path: [...path, key], message: unknownNameMessage(`field of surrogate "${String(s.kind)}":`, key, allowed) });
  }
  return out;
}

/** The JSON Schema of a neuron's options: neuron kinds enumerated, each one's options, the surrogates. */
export function neuronJsonSchema(schema: Record<string, unknown>, catalog: PluginCatalog): void {
  const properties = schema.properties as Record<string, unknown>;
  schema.additionalProperties = true;
  if (catalog.neurons) {
    schema.allOf = Object.entries(catalog.neurons).map(([name, opts]) => ({
      if: { properties: { neuron: { const: name } } },
      then: { properties: Object.fromEntries(Object.entries(opts).map(([k, f]) => [k, fieldSchema(f)])) },
    }));
    properties.neuron = { enum: Object.keys(catalog.neurons), description: 'neuron kind' };
  }
  if (catalog.surrogates) {
    properties.surrogate = {
      description: 'surrogate gradient of the spike',
      oneOf: Object.entries(catalog.surrogates).map(([name, opts]) => objectSchema(opts, { kind: { const: name } })),
    };
  }
}
