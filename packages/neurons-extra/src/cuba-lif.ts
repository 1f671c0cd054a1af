import { defineNeuron, type Expr } from '@spikeflow/core';
import { field } from '@spikeflow/spec';
import { nirHardReset, nirTauSteps } from './options.js';

/** Which synaptic current drives V at step t. */
export type CubaLifOrder = 'current-first' | 'euler';
export const CUBA_LIF_ORDERS: readonly CubaLifOrder[] = ['current-first', 'euler'];

export interface CubaLifOptions {
  /** Membrane time constant in steps (> 1). */
  tau: number;
  /** Synaptic time constant in steps (>= 1; 1: the current is the input itself). */
  tauSyn: number;
  /** Gain of the current on the membrane (NIR's r). */
  r: number;
  /** Gain of the input on the current (NIR's w_in). */
  wIn: number;
  /**
   * 'current-first': I[t] is updated from X[t] first and drives V[t] in the same step (NIR's
   * primitives LI -> Linear -> LIF, snnTorch's Synaptic). 'euler': V[t] reads I[t-1] (strict
   * forward Euler of the two equations, NIR's numpy reference, Norse).
   */
  order: CubaLifOrder;
}

/**
 * Current-based LIF (NIR's CubaLIF), two states: the synaptic current I and the potential V.
 *   tau_syn dI/dt = -I + w_in X,   tau_mem dV/dt = (v_leak - V) + r I
 * stepped by forward Euler with time constants in steps:
 *   I[t] = I[t-1] + (wIn X[t] - I[t-1]) / tauSyn
 *   H[t] = V[t-1] + (vRest - V[t-1] + r I') / tau,  I' = I[t] ('current-first') or I[t-1] ('euler')
 * A spike resets V only; I starts at 0 and V at vRest.
 */
export const cubaLifNeuron = defineNeuron<CubaLifOptions>({
  kind: 'cubalif',
  description: 'current-based LIF: a synaptic current I (tauSyn) drives the membrane (tau)',
  options: {
    tau: field.number({ exclusiveMin: 1, default: 2, description: 'membrane time constant in steps (> 1)' }),
    tauSyn: field.number({ min: 1, default: 2, description: 'synaptic time constant in steps (>= 1)' }),
    r: field.number({ default: 1, description: 'gain of the synaptic current on the membrane' }),
    wIn: field.number({ default: 1, description: 'gain of the input on the synaptic current' }),
    order: field.enum({ values: [...CUBA_LIF_ORDERS], default: 'current-first', description: "which current drives V at step t: 'current-first' (I[t]) or 'euler' (I[t-1])" }),
  },
  state: {
    i: {
      description: 'synaptic current',
      init: 0,
      update: ({ x, state: { i }, options: o }) => synapse(i, x, o),
    },
  },
  charge: ({ v, x, state: { i }, options: o }) => {
    const drive = o.order === 'euler' ? i : synapse(i, x, o);
    return v.add(drive.mul(o.r).sub(v.sub(o.vRest)).div(o.tau));
  },
  nir: {
    type: 'CubaLIF',
    gains: ['w_in', 'r'],
    export: (o, _params, dt) => ({
      type: 'CubaLIF',
      params: {
        tau_syn: o.tauSyn * dt,
        tau_mem: o.tau * dt,
        r: o.r,
        v_leak: o.vRest,
        v_threshold: o.vThreshold,
        v_reset: nirHardReset(o.vReset),
        w_in: o.wIn,
      },
      metadata: { spikeflow_tau: o.tau, spikeflow_tau_syn: o.tauSyn, spikeflow_order: o.order },
    }),
    import: ({ params: p, metadata }, { dt, missingReset }) => {
      const tau = kept(metadata?.spikeflow_tau, nirTauSteps(p.tau_mem, dt, 'tau_mem'));
      if (!(tau > 1)) throw new Error(`tau_mem / dt = ${tau} steps; spikeflow's CubaLIF needs more than one step (pass a smaller dt)`);
      const tauSyn = kept(metadata?.spikeflow_tau_syn, nirTauSteps(p.tau_syn, dt, 'tau_syn'));
      const order = CUBA_LIF_ORDERS.includes(metadata?.spikeflow_order as CubaLifOrder) ? metadata!.spikeflow_order : 'current-first';
      return { options: { tau, tauSyn, r: p.r, wIn: p.w_in, order, vThreshold: p.v_threshold, vReset: p.v_reset ?? missingReset, vRest: p.v_leak } };
    },
  },
});

function synapse(i: Expr, x: Expr, o: CubaLifOptions): Expr {
  return i.add(x.mul(o.wIn).sub(i).div(o.tauSyn));
}

/** spikeflow's own export keeps time constants in steps as float64, which float32 tau / dt only approximates. */
function kept(value: unknown, steps: number): number {
  return typeof value === 'number' && Math.abs(value - steps) <= 1e-6 * Math.max(1, Math.abs(steps)) ? value : steps;
}
