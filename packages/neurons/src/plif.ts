import { defineNeuron } from '@spikeflow/core';
import { field } from '@spikeflow/spec';
import { leakyCharge, leakyFromNir, leakyNirParams } from './lif.js';
import { close, nirReset } from './nir.js';

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
  // NIR has no learnable tau: PLIF is written as a LIF with the learned tau = 1 + exp(-w) steps, and
  // w kept in the metadata so that spikeflow reads its own file back bit for bit.
  nir: {
    type: 'LIF',
    gains: ['r'],
    export: (o, { w }, dt) => {
      const tau = 1 + Math.exp(-w);
      return {
        type: 'LIF',
        params: leakyNirParams(tau, o.decayInput, o.vRest, dt, { v_threshold: o.vThreshold, v_reset: nirReset(o) }),
        metadata: { spikeflow_w: w, spikeflow_init_tau: o.initTau, spikeflow_decay_input: o.decayInput ? 1 : 0 },
      };
    },
    // Only spikeflow's own PLIF files: any other LIF is a LIF.
    import: ({ params: p, metadata }, { dt, missingReset }) => {
      const w = metadata?.spikeflow_w;
      if (metadata?.spikeflow_neuron !== 'plif' || typeof w !== 'number') return undefined;
      const { tau, decayInput, gain } = leakyFromNir(p, metadata, dt);
      if (!close(1 + Math.exp(-w), tau)) return undefined;
      // The learned w is the layer's parameter; initTau (where training started) as the file keeps it.
      const initTau = typeof metadata.spikeflow_init_tau === 'number' && metadata.spikeflow_init_tau > 1 ? metadata.spikeflow_init_tau : 1 + Math.exp(-w);
      return { options: { initTau, decayInput, vThreshold: p.v_threshold, vReset: p.v_reset ?? missingReset, vRest: p.v_leak }, params: { w }, gain };
    },
  },
});
