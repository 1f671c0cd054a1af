import { defineNeuron } from '@spikeflow/core';
import { field } from '@spikeflow/spec';
import { startAtReset, tauOption, tauSummary } from './options.js';

export interface IzhikevichOptions {
  tau: number;
  vC: number;
  a0: number;
  /** Initial value of the adaptation current w. */
  wRest: number;
  /** Time constant of w (> 0). */
  tauW: number;
  /** Coupling of w to the potential. */
  a: number;
  /** Jump of w at each spike. */
  b: number;
}

/**
 * Izhikevich neuron as SpikingJelly's IzhikevichNode (an adaptive QIF): a second state variable,
 * the adaptation current w, which follows H and jumps by b at each spike.
 *   H = V + (X + a0 (V - vRest)(V - vC) - w) / tau
 *   w <- w + (a (H - vRest) - w) / tauW, then w += b S after firing
 */
export const izhikevichNeuron = defineNeuron<IzhikevichOptions>({
  kind: 'izhikevich',
  summary: tauSummary,
  description: 'Izhikevich neuron (adaptive quadratic integrate-and-fire with an adaptation current w)',
  options: {
    ...tauOption(2),
    vC: field.number({ default: 0.8, description: 'critical potential' }),
    a0: field.number({ exclusiveMin: 0, default: 1, description: 'sharpness of the quadratic term' }),
    wRest: field.number({ default: 0, description: 'initial adaptation current' }),
    tauW: field.number({ exclusiveMin: 0, default: 2, description: 'time constant of the adaptation current' }),
    a: field.number({ default: 0.5, description: 'coupling of the adaptation current to the potential' }),
    b: field.number({ default: 0.3, description: 'jump of the adaptation current at each spike' }),
  },
  initialV: startAtReset,
  state: {
    w: {
      description: 'adaptation current',
      init: (o) => o.wRest,
      update: ({ h, state: { w }, options: o }) => w.add(h.sub(o.vRest).mul(o.a).sub(w).div(o.tauW)),
      jump: ({ options: o }) => o.b,
    },
  },
  charge: ({ v, x, state: { w }, options: o }) => v.add(x.add(v.sub(o.vRest).mul(v.sub(o.vC)).mul(o.a0)).sub(w).div(o.tau)),
});
