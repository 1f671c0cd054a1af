import * as tf from '@tensorflow/tfjs';
import { field, showShape, type LayerSpecBase } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';

export interface VotingLayerSpec extends LayerSpecBase {
  kind: 'voting';
  /** Number of classes: units are averaged in `groups` consecutive groups of units/groups. */
  groups: number;
}

/** Averages consecutive groups of units: one vote per class. */

export const voting = defineLayer({
  kind: 'voting',
  description: 'averages consecutive groups of units (one per class)',
  fields: {
    groups: field.integer({ exclusiveMin: 0, description: 'number of classes; units are averaged in groups of units/groups' }),
  },
  outputShape([input], l) {
    const groups = l.groups as number;
    if (input.length !== 1) return { problem: `voting expects a flat input [units], but the input here is ${showShape(input)}` };
    if (input[0] % groups !== 0) return { problem: `${groups} groups do not divide the ${input[0]} units of the layer before`, field: 'groups' };
    return [groups];
  },
  stateless: true,
  build(c) {
    const groups = c.spec.groups as number;
    const units = c.inputShape[0];
    return { apply: (x) => tf.mean(x.reshape([x.shape[0], groups, units / groups]), 2) };
  },
  summary: (l) => `${String(l.groups)} groups`,
  nir: {
    // A fixed Affine averaging each group's block of units.
    export(c) {
      const [x] = c.inputs;
      if (x.flatFrom) throw new Error('voting right after flattening a feature map depends on the feature order; put a dense layer between');
      const groups = c.layer.groups as number;
      const units = x.shape[0];
      const per = units / groups;
      const w = new Float32Array(groups * units);
      for (let g = 0; g < groups; g++) for (let u = 0; u < per; u++) w[g * units + g * per + u] = 1 / per;
      c.node(c.name, { type: 'Affine', weight: { shape: [groups, units], data: w }, bias: c.layout.filled([groups], 0), metadata: { spikeflow_layer: 'voting' } });
      c.connect(c.name);
    },
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    voting: VotingLayerSpec;
  }
}
