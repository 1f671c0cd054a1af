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
});
