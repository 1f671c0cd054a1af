import * as tf from '@tensorflow/tfjs';
import { addKind } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';
import { mergeDetail } from './merge-detail.js';

export const add = defineLayer({
  ...addKind,
  stateless: true,
  build: () => ({
    apply: () => {
      throw new Error('add: takes its inputs through applyMany');
    },
    applyMany: (xs) => tf.addN(xs),
  }),
  summary: (l) => mergeDetail(l, ' + '),
});
