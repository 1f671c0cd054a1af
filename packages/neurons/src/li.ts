import { defineNeuron } from '@spikeflow/core';
import { field } from '@spikeflow/spec';
import { leakyCharge, leakyFromNir, leakyNirParams } from './lif.js';
import { exactTau } from './nir.js';

export interface LiOptions {
  /** Membrane time constant (> 1). */
  tau: number;
  /** Divide the input by tau too (as LIF's decayInput). */
  decayInput: boolean;
}

/**
 * Leaky integrator readout: LIF's charge without firing or reset, and the layer outputs its membrane
 * potential V[t] instead of spikes (snnTorch's and Norse's output layer; NIR's LI). Train it with a
 * loss on V: 'crossEntropy' reads the mean of V over T, 'crossEntropyMax' its maximum.
 * vThreshold, vReset and the surrogate are not used.
 */
export const liNeuron = defineNeuron<LiOptions>({
  kind: 'li',
  description: 'leaky integrator readout: outputs its membrane potential V, never fires',
  options: {
    tau: field.number({ exclusiveMin: 1, default: 2, description: 'membrane time constant (> 1)' }),
    decayInput: field.boolean({ default: true, description: 'divide the input by tau too' }),
  },
  output: 'v',
  charge: ({ v, x, options }) => leakyCharge(v, x, options.vRest, options.decayInput, (e) => e.div(options.tau)),
  nir: {
    type: 'LI',
    gains: ['r'],
    export: (o, _params, dt) => ({
      type: 'LI',
      params: leakyNirParams(o.tau, o.decayInput, o.vRest, dt),
      metadata: { spikeflow_tau: o.tau, spikeflow_decay_input: o.decayInput ? 1 : 0 },
    }),
    import: ({ params: p, metadata }, { dt }) => {
      const { tau, decayInput, gain } = leakyFromNir(p, metadata, dt);
      // vThreshold is unused by a readout; it only has to lie above vRest for the spec to validate.
      return { options: { tau: exactTau(metadata, tau), decayInput, vRest: p.v_leak, vReset: p.v_leak, vThreshold: Math.max(1, p.v_leak + 1) }, gain };
    },
  },
});
