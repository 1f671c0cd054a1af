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
});
