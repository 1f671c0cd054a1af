import * as tf from '@tensorflow/tfjs';
import { showShape, type LayerSpecBase } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';

export interface RowSequenceLayerSpec extends LayerSpecBase {
  kind: 'rowSequence';
}

/**
 * Reads an image one row per step (sequential MNIST): at step t its output is row t of its input
 * [height, width, channels], flattened to [width * channels]. T = height reads the whole image; a
 * smaller T the first T rows; a larger T is refused when the network runs.
 */

export const rowSequence = defineLayer({
  kind: 'rowSequence',
  description: 'row t of an image at step t (sequential MNIST); timeSteps = image height reads it all',
  fields: {},
  outputShape([input]) {
    if (input.length !== 3) return { problem: `rowSequence expects an image [height, width, channels], but the input here is ${showShape(input)}` };
    return [input[1] * input[2]];
  },
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

declare module '@spikeflow/spec' {
  interface LayerKinds {
    rowSequence: RowSequenceLayerSpec;
  }
}
