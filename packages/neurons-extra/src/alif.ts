import { defineNeuron } from '@spikeflow/core';
import { tauSummary } from './options.js';
import { field } from '@spikeflow/spec';

export interface AlifOptions {
  /** Membrane time constant (> 1). */
  tau: number;
  decayInput: boolean;
  /** Initial time constant of the threshold adaptation (> 1); the layer learns it from there. */
  initTauA: number;
  /** How far one unit of adaptation raises the threshold. */
  beta: number;
}

/**
 * Adaptive-threshold LIF: a LIF neuron whose threshold rises after each spike and decays back.
 *   H = V + (X - (V - vRest)) / tau             (as LIF; decayInput false: V - (V - vRest)/tau + X)
 *   threshold = vThreshold + beta a[t-1]
 *   a <- rho a, then a += (1 - rho) S           (a low-pass of the spikes, in [0, 1])
 * The adaptation decay rho = sigmoid(wA) is learned per layer, starting at rho = 1 - 1/initTauA.
 */
export const alifNeuron = defineNeuron<AlifOptions>({
  kind: 'alif',
  summary: tauSummary,
  description: 'adaptive-threshold LIF with a learned adaptation decay',
  options: {
    tau: field.number({ exclusiveMin: 1, default: 2, description: 'membrane time constant (> 1)' }),
    decayInput: field.boolean({ default: true, description: 'divide the input by tau too' }),
    initTauA: field.number({ exclusiveMin: 1, default: 4, description: 'initial time constant of the threshold adaptation (> 1)' }),
    beta: field.number({ min: 0, default: 0.5, description: 'threshold increase per unit of adaptation' }),
  },
  params: ({ initTauA }) => ({ wA: Math.log(initTauA - 1) }),
  state: {
    a: {
      description: 'threshold adaptation (a low-pass of the spikes)',
      init: 0,
      update: ({ state: { a }, params: { wA } }) => a.mul(wA.sigmoid()),
      jump: ({ params: { wA } }) => wA.neg().sigmoid(),
    },
  },
  threshold: ({ state: { a }, options: o }) => a.mul(o.beta).add(o.vThreshold),
  charge: ({ v, x, options: o }) => {
    const leak = v.sub(o.vRest);
    return o.decayInput ? v.add(x.sub(leak).div(o.tau)) : v.sub(leak.div(o.tau)).add(x);
  },
  derived: ({ wA }) => ({ tauA: 1 + Math.exp(wA) }),
});
