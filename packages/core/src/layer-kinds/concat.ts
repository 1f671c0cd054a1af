import * as tf from '@tensorflow/tfjs';
import { concatKind } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import { mergeDetail } from './merge-detail.js';

export const concat = defineLayer({
  ...concatKind,
  stateless: true,
  build: () => ({
    passesSpikes: true,
    apply: () => {
      throw new Error('concat: takes its inputs through applyMany');
    },
    applyMany: (xs) => tf.concat(xs, -1),
  }),
  summary: (l) => mergeDetail(l, ', '),
  nir: {
    export() {
      throw new Error('concat has no NIR node (NIR sums the edges into a node, it does not join them); export the network with add, or give each input its own dense layer and add them');
    },
  },
});
