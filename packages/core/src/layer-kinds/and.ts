import * as tf from '@tensorflow/tfjs';
import { andKind } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import { mergeDetail } from './merge-detail.js';

export const and = defineLayer({
  ...andKind,
  stateless: true,
  build: () => ({
    passesSpikes: true,
    apply: () => {
      throw new Error('and: takes its inputs through applyMany');
    },
    applyMany: (xs) => xs.slice(1).reduce((acc, x) => tf.mul(acc, x), xs[0]),
  }),
  summary: (l) => mergeDetail(l, ' AND '),
  nir: {
    export() {
      throw new Error("SEW's AND multiplies spikes, and NIR has no node that multiplies two signals; export with the add connect function");
    },
  },
});
