import { defineNeuron } from '@spikeflow/core';
import { field } from '@spikeflow/spec';
import { leakyCharge } from './lif.js';

export interface PlifOptions {
  /** Initial membrane time constant (> 1); the layer learns tau from there. */
  initTau: number;
  decayInput: boolean;
}

/**
 * Parametric LIF (Fang et al., ICCV 2021): LIF whose 1/tau = sigmoid(w) is learned, one w per
 * layer, initialised to -ln(initTau - 1) so that tau starts at initTau.
 */
export const plifNeuron = defineNeuron<PlifOptions>({
  kind: 'plif',
  description: 'parametric LIF: 1/tau = sigmoid(w), w learned per layer',
  options: {
    initTau: field.number({ exclusiveMin: 1, default: 2, description: 'initial membrane time constant (> 1)' }),
    decayInput: field.boolean({ default: true, description: 'multiply the input by 1/tau too' }),
  },
  params: ({ initTau }) => ({ w: -Math.log(initTau - 1) }),
  charge: ({ v, x, params, options }) => {
    const k = params.w.sigmoid();
    return leakyCharge(v, x, options.vRest, options.decayInput, (e) => e.mul(k));
  },
  derived: ({ w }) => ({ tau: 1 + Math.exp(-w) }),
  summary: ({ initTau }) => `tau0=${initTau}`,
});
