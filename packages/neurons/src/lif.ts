import { defineNeuron, type Expr } from '@spikeflow/core';
import { field } from '@spikeflow/spec';

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
});
