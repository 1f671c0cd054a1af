import * as tf from '@tensorflow/tfjs';
import { definePool } from '@spikeflow/core';

/** Average pooling (on spikes: the fraction of the window that fired). */
export const avgPool = definePool({
  kind: 'avg',
  description: 'average pooling',
  options: {},
  apply: (x, window) => tf.avgPool(x, window.size, window.stride, window.padding),
});
