import type { NeuronCommonOptions } from '@spikeflow/core';

/** Relative closeness, for values that went through float32 storage. */
export const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

/** Since NIR 1.0.6 every spiking NIR neuron resets to v_reset; a soft reset has no NIR form. */
export function nirReset(o: NeuronCommonOptions): number {
  if (o.vReset === null) {
    throw new Error(
      'soft reset (vReset null, V -= vThreshold) has no NIR form: since NIR 1.0.6 IF and LIF reset to v_reset (older files reset by subtraction, which current readers no longer do). Use a hard reset (a number for vReset)',
    );
  }
  return o.vReset;
}

/** NIR's tau (time units) as spikeflow steps; a leaky neuron needs more than one step. */
export function tauInSteps(tau: number, dt: number, name = 'tau'): number {
  const steps = tau / dt;
  if (!(steps > 1)) throw new Error(`${name} / dt = ${tau} / ${dt} = ${steps} steps; spikeflow's leaky neurons need more than one step (pass a smaller dt)`);
  return steps;
}

/**
 * decayInput from a spikeflow file's metadata, else from r: NIR's r = 1 is decayInput (the input is
 * divided by tau), r = tau (in steps) is not; any other r is read as decayInput with the input scaled by r.
 */
export function decayInputOf(meta: Record<string, string | number> | undefined, r: number, tauSteps: number): boolean {
  const declared = meta?.spikeflow_decay_input;
  if (declared !== undefined) return declared === 1;
  return !(!close(r, 1) && close(r, tauSteps));
}

/** spikeflow's own export keeps tau in steps as a float64, which float32 tau / dt only approximates. */
export function exactTau(meta: Record<string, string | number> | undefined, tauSteps: number): number {
  const kept = meta?.spikeflow_tau;
  return typeof kept === 'number' && close(kept, tauSteps) ? kept : tauSteps;
}
