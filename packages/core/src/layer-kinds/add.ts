import * as tf from '@tensorflow/tfjs';
import type { LayerSpecBase } from '@spikeflow/spec';
import { defineMerge, mergeDetail } from '../define-merge.js';

export interface AddLayerSpec extends LayerSpecBase {
  kind: 'add';
  inputs: readonly string[];
}

/** Element-wise sum of two or more inputs of one shape (SEW's ADD connect function on spikes). */
export const add = defineMerge({
  kind: 'add',
  description: 'element-wise sum of its inputs, all of one shape (SEW ADD)',
  inputs: { min: 2 },
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

declare module '@spikeflow/spec' {
  interface LayerKinds {
    add: AddLayerSpec;
  }
}
