import { defineNeuron, type Expr } from '@spikeflow/core';
import { field } from '@spikeflow/spec';
import { decayInputOf, exactTau, nirReset, tauInSteps } from './nir.js';

export interface LifOptions {
  /** Membrane time constant (> 1). */
  tau: number;
  /** Divide the input by tau too (SpikingJelly's decay_input). */
  decayInput: boolean;
}

/**
 * The leak of LIF and PLIF, toward vRest, with factor k = 1/tau:
 *   decayInput:    H = V + (X - (V - vRest)) * k
 *   otherwise:     H = V - (V - vRest) * k + X
 */
export function leakyCharge(v: Expr, x: Expr, vRest: number, decayInput: boolean, scale: (e: Expr) => Expr): Expr {
  const leak = v.sub(vRest);
  return decayInput ? v.add(scale(x.sub(leak))) : v.sub(scale(leak)).add(x);
}

/** Leaky integrate-and-fire with a fixed membrane time constant tau. */
export const lifNeuron = defineNeuron<LifOptions>({
  kind: 'lif',
  description: 'leaky integrate-and-fire with a fixed tau',
  options: {
    tau: field.number({ exclusiveMin: 1, default: 2, description: 'membrane time constant (> 1)' }),
    decayInput: field.boolean({ default: true, description: 'divide the input by tau too' }),
  },
  // Divide (not multiply by 1/tau) to round as SpikingJelly does.
  charge: ({ v, x, options }) => leakyCharge(v, x, options.vRest, options.decayInput, (e) => e.div(options.tau)),
  summary: ({ tau }) => `tau=${tau}`,
  nir: {
    type: 'LIF',
    gains: ['r'],
    export: (o, _params, dt) => ({
      type: 'LIF',
      params: leakyNirParams(o.tau, o.decayInput, o.vRest, dt, { v_threshold: o.vThreshold, v_reset: nirReset(o) }),
      metadata: { spikeflow_tau: o.tau, spikeflow_decay_input: o.decayInput ? 1 : 0 },
    }),
    import: ({ params: p, metadata }, { dt, missingReset }) => {
      const { tau, decayInput, gain } = leakyFromNir(p, metadata, dt);
      return { options: { tau: exactTau(metadata, tau), decayInput, vThreshold: p.v_threshold, vReset: p.v_reset ?? missingReset, vRest: p.v_leak }, gain };
    },
  },
});

/**
 * NIR's LIF and LI: tau dv/dt = (v_leak - v) + r I. Their forward-Euler step of length dt with
 * tau = tauSteps * dt is v += (v_leak - v + r I) / tauSteps: spikeflow's leaky charge with r = 1
 * (decayInput) or r = tauSteps (H = V - (V - vRest) / tau + X).
 */
export function leakyNirParams(tauSteps: number, decayInput: boolean, vRest: number, dt: number, more: Record<string, number> = {}): Record<string, number> {
  return { tau: tauSteps * dt, r: decayInput ? 1 : tauSteps, v_leak: vRest, ...more };
}

/** tau in steps, decayInput and the input gain left over (r, or r / tau without decayInput) of a NIR LIF or LI. */
export function leakyFromNir(p: Record<string, number>, metadata: Record<string, string | number> | undefined, dt: number): { tau: number; decayInput: boolean; gain: number } {
  const tau = tauInSteps(p.tau, dt);
  const decayInput = decayInputOf(metadata, p.r, tau);
  return { tau, decayInput, gain: decayInput ? p.r : p.r / tau };
}
