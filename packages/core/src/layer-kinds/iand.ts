import * as tf from '@tensorflow/tfjs';
import { iandKind } from '@spikeflow/spec';
import { defineLayer } from '../layer-plugin.js';

export const iand = defineLayer({
  ...iandKind,
  stateless: true,
  build: () => ({
    passesSpikes: true,
    apply: () => {
      throw new Error('iand: takes its inputs through applyMany');
    },
    // (NOT a) AND b, with a the first input: (1 - a) * b.
    applyMany: ([a, b]) => tf.mul(tf.sub(1, a), b),
  }),
  summary: (l) => {
    const [a, b] = l.inputs as string[];
    return `NOT ${a} AND ${b}`;
  },
  nir: {
    export() {
      throw new Error("SEW's IAND multiplies spikes ((1 - a) * b), and NIR has no node that multiplies two signals; export with the add connect function");
    },
  },
});
