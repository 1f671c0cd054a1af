import { cloneJson, field } from '../fields.js';
import { defineLayerKind } from '../layer-kind.js';
import type { LayerSpecBase, PoolKinds, Registered } from '../types.js';
import { applyPluginOptions } from './plugin-options.js';
import { checkedOutput, windowShape } from './shape-helpers.js';

interface PoolCommon extends LayerSpecBase {
  kind: 'pool';
  size?: number | [number, number];
  /** Default: size (non-overlapping windows). */
  stride?: number | [number, number];
  padding?: 'same' | 'valid';
}
export type PoolLayerSpec = Registered<PoolKinds, PoolCommon, 'pool'>;

/** Pooling of a registered pool plugin (max, avg, ...) over [height, width, channels]. */
export const poolKind = defineLayerKind({
  kind: 'pool',
  description: 'pooling (a registered pool plugin) over [height, width, channels]',
  fields: {
    pool: field.string({ description: 'pooling kind (a registered pool plugin: max, avg, ...)' }),
    size: field.size({ default: 2, description: 'window height and width' }),
    stride: field.size({ optional: true, description: 'step between windows; default size' }),
    padding: field.enum({ values: ['same', 'valid'], default: 'valid', description: 'border handling' }),
  },
  outputShape([input], l) {
    const out = windowShape('pool', input, l.size, l.stride, l.padding as string, input[2]);
    return Array.isArray(out) ? checkedOutput(out) : out;
  },
  normalize(ctx) {
    applyPluginOptions(ctx, 'pool', 'pool', ctx.catalog.pools);
    if (ctx.out.stride === undefined) ctx.out.stride = cloneJson(ctx.out.size);
  },
  jsonSchema(schema, catalog) {
    schema.additionalProperties = true;
    if (catalog.pools) (schema.properties as Record<string, unknown>).pool = { enum: Object.keys(catalog.pools), description: 'pooling kind' };
  },
});

declare module '../types.js' {
  interface LayerKinds {
    pool: PoolLayerSpec;
  }
}
