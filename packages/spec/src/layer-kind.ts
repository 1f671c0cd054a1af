import type { JsonPath, SpecIssue } from './errors.js';
import type { OptionSchema } from './fields.js';
import type { NormalizedLayer } from './types.js';
import type { PluginCatalog } from './validate.js';

/** What a layer kind's `normalize` sees: the layer as written and as normalized so far. */
export interface LayerNormalizeContext {
  /** The layer as written. */
  layer: Record<string, unknown>;
  /** Its fields, validated and with defaults filled; normalize may add or adjust fields. */
  out: Record<string, unknown>;
  path: JsonPath;
  catalog: PluginCatalog;
  issues: SpecIssue[];
  /** Field names the layer may have (common and own fields); add a plugin's option names here. */
  allowed: string[];
  /** Number of issues before this layer: `issues.length === before` while the layer is sound. */
  before: number;
}

/** Why an input does not fit a layer; `field` names the layer field at fault, if any. */
export interface ShapeProblem {
  problem: string;
  field?: string;
}

/**
 * A layer kind as the spec sees it: its fields, how many inputs it takes and the shape it gives.
 * @spikeflow/core's defineLayer() adds how it runs; the two together are a layer plugin.
 */
export interface LayerKindSpec {
  kind: string;
  description: string;
  /** The kind's own fields (name, inputs and kind are every layer's). */
  fields: OptionSchema;
  /** How many inputs it takes; default exactly one. Merges take two or more. */
  inputs?: { min: number; max?: number };
  /**
   * Per-sample output shape from the input shapes (no time or batch axis), or the problem. Every
   * input shape has been checked by the layer that produced it.
   */
  outputShape(inputShapes: number[][], layer: NormalizedLayer): number[] | ShapeProblem;
  /** Checks beyond the fields (plugin options, defaults that depend on other fields). */
  normalize?(ctx: LayerNormalizeContext): void;
  /** Adjusts the kind's JSON Schema (plugin kinds enumerated from the catalog). */
  jsonSchema?(schema: Record<string, unknown>, catalog: PluginCatalog): void;
}

/** Declares a layer kind for the spec; returns it unchanged (typed). */
export function defineLayerKind<L extends LayerKindSpec>(kind: L): L {
  if (typeof kind.kind !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(kind.kind)) throw new TypeError(`defineLayerKind: kind must be an identifier, got ${JSON.stringify(kind.kind)}`);
  if (typeof kind.outputShape !== 'function') throw new TypeError(`layer kind "${kind.kind}": outputShape must be a function (inputShapes, layer) => shape`);
  return kind;
}

export const isShapeProblem = (s: number[] | ShapeProblem): s is ShapeProblem => !Array.isArray(s);

export const showShape = (s: number[]) => `[${s.join(', ')}]`;
