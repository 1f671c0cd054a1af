import * as tf from '@tensorflow/tfjs';
import { addKind } from '@spikeflow/spec';
import { defineMerge, mergeDetail } from './merge-detail.js';

export const add = defineMerge(addKind, {
  merge: (xs) => tf.addN(xs),
  summary: (l) => mergeDetail(l, ' + '),
  passesSpikes: false,
  nir: {
    // NIR sums the edges into a node; an identity Scale gives the sum its own node (and name).
    export(c) {
      const [x] = c.inputs;
      if (c.inputs.some((f) => JSON.stringify(f.flatFrom) !== JSON.stringify(x.flatFrom))) throw new Error('adds vectors flattened from different feature maps');
      c.node(c.name, { type: 'Scale', scale: c.layout.filled(c.layout.shape(c.outputShape), 1), metadata: { spikeflow_layer: 'add' } });
      c.connect(c.name);
    },
  },
});
