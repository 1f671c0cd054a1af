import { defineNeuron } from '@spikeflow/core';
import { field } from '@spikeflow/spec';
import { startAtReset, tauOption, tauSummary } from './options.js';

export interface EifOptions {
  tau: number;
  /** Sharpness of the exponential upswing (> 0). */
  deltaT: number;
  /** Rheobase threshold: where the exponential term takes over. */
  thetaRh: number;
}

/** Exponential integrate-and-fire (SpikingJelly's EIFNode): H = V + (X + vRest - V + deltaT exp((V - thetaRh) / deltaT)) / tau. */
export const eifNeuron = defineNeuron<EifOptions>({
  kind: 'eif',
  summary: tauSummary,
  description: 'exponential integrate-and-fire',
  options: {
    ...tauOption(2),
    deltaT: field.number({ exclusiveMin: 0, default: 1, description: 'sharpness of the exponential upswing' }),
    thetaRh: field.number({ default: 0.8, description: 'rheobase threshold' }),
  },
  initialV: startAtReset,
  charge: ({ v, x, options: o }) => v.add(x.add(o.vRest).sub(v).add(v.sub(o.thetaRh).div(o.deltaT).exp().mul(o.deltaT)).div(o.tau)),
});
