import * as tf from '@tensorflow/tfjs';
import { votingKind } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';

export const voting = defineLayer({
  ...votingKind,
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
