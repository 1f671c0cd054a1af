import * as tf from '@tensorflow/tfjs';
import { field, showShape, SPEC_LIMITS, tooLarge, type LayerSpecBase } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import { matMulSpikes, saveSpikesAsBoolNow } from '../spike-storage.js';

export interface DenseLayerSpec extends LayerSpecBase {
  kind: 'dense';
  units: number;
  useBias?: boolean;
}

/** Fully connected layer on a flat input [features]. */

export const dense = defineLayer({
  kind: 'dense',
  description: 'fully connected layer on a flat input [features]',
  fields: {
    units: field.integer({ exclusiveMin: 0, description: 'number of outputs' }),
    useBias: field.boolean({ default: true, description: 'add a learned bias per unit' }),
  },
  outputShape([input], l) {
    if (input.length !== 1) return { problem: `dense expects a flat input [features], but the input here is ${showShape(input)}: add { "kind": "flatten" } before it` };
    if (tooLarge(input[0] * (l.units as number))) return { problem: `a ${input[0]}x${l.units} kernel has more than ${SPEC_LIMITS.maxTensorElements} values` };
    return [l.units as number];
  },
  stateless: true,
  build(c) {
    const fanIn = c.inputShape[0];
    const units = c.spec.units as number;
    const bound = 1 / Math.sqrt(fanIn);
    const vars = [c.variable('kernel', c.uniform([fanIn, units], bound))];
    if (c.spec.useBias) vars.push(c.variable('bias', c.uniform([units], bound)));
    return {
      variables: vars,
      apply: (x, ctx) => {
        const kernel = vars[0].variable as tf.Tensor2D;
        const y = ctx.spikingInput && saveSpikesAsBoolNow() ? matMulSpikes(x as tf.Tensor2D, kernel) : tf.matMul(x as tf.Tensor2D, kernel);
        return vars[1] ? tf.add(y, vars[1].variable) : y;
      },
    };
  },
  summary: (l) => `${l.units} units${l.useBias ? ', bias' : ''}`,
  weights: ([input], out) => input.reduce((a, b) => a * b, 1) * out[0],
  nir: {
    // Affine with a bias, Linear without; inputs reordered from spikeflow's (h, w, c) flatten order.
    export(c) {
      const weight = c.layout.dense(c.weight('kernel'), c.inputs[0].flatFrom);
      const bias = c.optionalWeight('bias');
      c.node(c.name, bias ? { type: 'Affine', weight, bias: { shape: bias.shape, data: bias.data } } : { type: 'Linear', weight });
      c.connect(c.name);
      return { flatFrom: null };
    },
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    dense: DenseLayerSpec;
  }
}
