import { defineNeuron } from '@spikeflow/core';
import { field } from '@spikeflow/spec';
import { startAtReset, tauOption, tauSummary } from './options.js';

export interface QifOptions {
  tau: number;
  /** Critical potential: above it the quadratic term drives V up. */
  vC: number;
  /** Sharpness of the quadratic term (> 0). */
  a0: number;
}

/** Quadratic integrate-and-fire (SpikingJelly's QIFNode): H = V + (X + a0 (V - vRest)(V - vC)) / tau. */
export const qifNeuron = defineNeuron<QifOptions>({
  kind: 'qif',
  summary: tauSummary,
  description: 'quadratic integrate-and-fire',
  options: {
    ...tauOption(2),
    vC: field.number({ default: 0.8, description: 'critical potential' }),
    a0: field.number({ exclusiveMin: 0, default: 1, description: 'sharpness of the quadratic term' }),
  },
  initialV: startAtReset,
  charge: ({ v, x, options: o }) => v.add(x.add(v.sub(o.vRest).mul(v.sub(o.vC)).mul(o.a0)).div(o.tau)),
});
