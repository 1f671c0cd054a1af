import type * as tf from '@tensorflow/tfjs';
import { applyPluginOptions, checkedOutput, cloneJson, field, pair, windowShape, type LayerSpecBase, type PoolKinds, type Registered } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import type { PoolPlugin } from '../plugins.js';
import { saveSpikesAsBoolNow } from '../spike-storage.js';

const size = (s: unknown) => (Array.isArray(s) ? s.join('x') : `${String(s)}x${String(s)}`);

interface PoolCommon extends LayerSpecBase {
  kind: 'pool';
  size?: number | [number, number];
  /** Default: size (non-overlapping windows). */
  stride?: number | [number, number];
  padding?: 'same' | 'valid';
}
export type PoolLayerSpec = Registered<PoolKinds, PoolCommon, 'pool'>;

/** Pooling of a registered pool plugin (max, avg, ...) over [height, width, channels]. */

export const pool = defineLayer({
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
  stateless: true,
  build(c) {
    const plugin = c.registry.pools.get(c.spec.pool as string) as PoolPlugin<any> | undefined;
    if (!plugin) throw new Error(`${c.name}: pool "${String(c.spec.pool)}" is not registered`);
    const window = { size: pair(c.spec.size), stride: pair(c.spec.stride), padding: c.spec.padding as 'same' | 'valid' };
    return {
      passesSpikes: plugin.preservesSpikes === true,
      apply: (x, ctx) => (ctx.spikingInput && plugin.applyToSpikes && saveSpikesAsBoolNow()
        ? plugin.applyToSpikes(x as tf.Tensor4D, window, c.spec)
        : plugin.apply(x as tf.Tensor4D, window, c.spec)),
    };
  },
  summary: (l) => `${String(l.pool)} ${size(l.size)}`,
  nir: {
    export(c) {
      const [x] = c.inputs;
      const size = pair(c.layer.size);
      const stride = pair(c.layer.stride ?? c.layer.size);
      const padding = c.layout.padding(x.shape, size, stride, c.layer.padding);
      if (c.layer.pool === 'avg') {
        if (padding[0] !== 0 || padding[1] !== 0) throw new Error("average pooling with 'same' padding pads this input; tfjs leaves the padding out of the mean, PyTorch-style readers of NIR count it. Use padding 'valid'");
        c.node(c.name, { type: 'AvgPool2d', kernelSize: size, stride, padding });
        c.connect(c.name);
        return;
      }
      if (c.layer.pool !== 'max') throw new Error(`pool "${String(c.layer.pool)}" has no NIR node (spikeflow exports max and avg)`);
      if ((c.options.maxPool ?? 'refuse') !== 'spike-or') {
        throw new Error("max pooling has no NIR node. On binary spikes it is the OR of each window, which NIR expresses exactly as SumPool2d followed by IF(threshold 0.5, reset 0); ask for that with maxPool: 'spike-or' (CLI: --max-pool spike-or)");
      }
      if (!x.spikes) throw new Error(`max pooling can be exported as an OR only on binary spikes, and its input here is not spikes (it comes from node "${x.node}")`);
      if (padding[0] !== 0 || padding[1] !== 0) throw new Error("max pooling with padding is not exported (the OR form needs padding 'valid' or a 'same' that pads nothing)");
      c.node(c.name, { type: 'SumPool2d', kernelSize: size, stride, padding });
      c.connect(c.name);
      // Sum >= 0.5 exactly when some spike in the window is 1; v resets to 0 either way.
      const n = c.layout.shape(c.outputShape);
      const or = `${c.name}_or`;
      c.node(or, { type: 'IF', params: { r: c.layout.filled(n, 1 / c.dt), v_threshold: c.layout.filled(n, 0.5), v_reset: c.layout.filled(n, 0) }, metadata: { spikeflow_layer: 'max_pool_or' } });
      c.edge(c.name, or);
      return { node: or, spikes: true };
    },
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    pool: PoolLayerSpec;
  }
}
