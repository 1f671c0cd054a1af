import { defineNeuron } from '@spikeflow/core';
import { nirReset } from './nir.js';

/** Integrate-and-fire: H[t] = V[t-1] + X[t] (no leak). */
export const ifNeuron = defineNeuron({
  kind: 'if',
  description: 'integrate-and-fire: H = V + X',
  options: {},
  charge: ({ v, x }) => v.add(x),
  // NIR's IF: dv/dt = r I; its Euler step of length dt is spikeflow's H = V + X for r = 1/dt.
  nir: {
    type: 'IF',
    gains: ['r'],
    export: (o, _params, dt) => {
      const vReset = nirReset(o);
      if (o.vRest !== vReset) throw new Error(`an IF neuron that starts at vRest ${o.vRest} != vReset ${vReset} has no NIR form (NIR's IF has no rest potential)`);
      return { type: 'IF', params: { r: 1 / dt, v_threshold: o.vThreshold, v_reset: vReset } };
    },
    import: ({ params: p }, { dt, missingReset }) => {
      const vReset = p.v_reset ?? missingReset;
      return { options: { vThreshold: p.v_threshold, vReset, vRest: vReset ?? 0 }, gain: p.r * dt };
    },
  },
});
