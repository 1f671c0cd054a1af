import * as tf from '@tensorflow/tfjs';
import { dropoutKind } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';

export const dropout = defineLayer({
  ...dropoutKind,
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
