import * as tf from '@tensorflow/tfjs';
import { rowSequenceKind } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';

export const rowSequence = defineLayer({
  ...rowSequenceKind,
  // Its output depends on the step, so it is never part of the direct encoder's static prefix.
  stateless: false,
  build(c) {
    const [height, width, channels] = c.inputShape;
    return {
      apply: (x, ctx) => {
        if (ctx.T > height) throw new Error(`${c.name}: rowSequence reads one row per step, so timeSteps may not exceed the image height ${height}, got T = ${ctx.T}`);
        // Row t of step t's copy: a one-hot mask over rows, summed away.
        const rows = x.reshape([ctx.T, ctx.N, height, width * channels]);
        const mask = tf.oneHot(tf.range(0, ctx.T, 1, 'int32'), height).reshape([ctx.T, 1, height, 1]);
        return tf.sum(tf.mul(rows, mask), 2).reshape([ctx.T * ctx.N, width * channels]);
      },
    };
  },
});
