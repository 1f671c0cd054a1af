import * as tf from '@tensorflow/tfjs';
import type { LayerSpecBase } from '@spikeflow/spec';
import { defineMerge, mergeDetail } from '../define-merge.js';

export interface AndLayerSpec extends LayerSpecBase {
  kind: 'and';
  inputs: readonly string[];
}

/** SEW's AND connect function: the product of its spike inputs (1 where every input spiked). */
export const and = defineMerge({
  kind: 'and',
  description: 'spikes where every input spiked: the product of its inputs, all of one shape (SEW AND)',
  inputs: { min: 2 },
  merge: (xs) => xs.slice(1).reduce((acc, x) => tf.mul(acc, x), xs[0]),
  summary: (l) => mergeDetail(l, ' AND '),
  passesSpikes: true,
  nir: {
    // On spikes, n inputs all spike exactly when their sum exceeds n - 1/2: a Threshold node that sums the edges.
    export(c) {
      if (!c.inputs.every((x) => x.spikes)) throw new Error("SEW's AND is written to NIR as a threshold on the sum of its inputs, which equals the product only on binary spikes, and an input here is not spikes");
      const shape = c.layout.shape(c.outputShape);
      c.node(c.name, { type: 'Threshold', threshold: c.layout.filled(shape, c.inputs.length - 0.5), metadata: { spikeflow_layer: 'and' } });
      c.connect(c.name);
      return { spikes: true };
    },
  },
});

declare module '@spikeflow/spec' {
  interface LayerKinds {
    and: AndLayerSpec;
  }
}
