import { defineNeuron } from '@spikeflow/core';

/** Integrate-and-fire: H[t] = V[t-1] + X[t] (no leak). */
export const ifNeuron = defineNeuron({
  kind: 'if',
  description: 'integrate-and-fire: H = V + X',
  options: {},
  charge: ({ v, x }) => v.add(x),
});
