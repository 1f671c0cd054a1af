import * as tf from '@tensorflow/tfjs';
import { field, type LayerSpecBase } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';

export interface DropoutLayerSpec extends LayerSpecBase {
  kind: 'dropout';
  /** Fraction dropped; the mask is drawn once per sample and shared over all T steps. */
  rate?: number;
}

/** Dropout with one mask per sample shared by every time step. */

export const dropout = defineLayer({
  kind: 'dropout',
  description: 'dropout, one mask per sample shared over all T steps',
  fields: {
    rate: field.number({ min: 0, exclusiveMax: 1, default: 0.5, description: 'fraction dropped; one mask per sample shared over all T steps' }),
  },
  outputShape: ([input]) => input,
  stateless: true,
  build(c) {
    const rate = c.spec.rate as number;
    return {
      apply: (x, ctx) => {
        if (!ctx.training || rate === 0) return x;
        // One mask per sample, shared by all T steps (broadcast over the time axis).
        const seq = x.reshape([ctx.T, ctx.N, ...c.inputShape]);
        const keep = tf.div(tf.cast(tf.greaterEqual(ctx.random([1, ctx.N, ...c.inputShape]), rate), 'float32'), 1 - rate);
        return tf.mul(seq, keep).reshape(x.shape);
      },
    };
  },
  summary: (l) => `rate ${String(l.rate)}`,
  // Identity at inference: no node, its readers read its input.
  nir: { export: (c) => c.inputs[0] },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    dropout: DropoutLayerSpec;
  }
}
