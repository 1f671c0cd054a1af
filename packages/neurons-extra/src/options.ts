import { field } from '@spikeflow/spec';

/** Membrane time constant, as SpikingJelly's neurons take it. */
export const tauOption = (value: number) => ({ tau: field.number({ exclusiveMin: 0, default: value, description: 'membrane time constant' }) });

/** SpikingJelly's neurons start at V = vReset (0 for soft reset), not at vRest. */
export const startAtReset = ({ vReset }: { vReset: number | null }): number => vReset ?? 0;

/** The summary detail of a neuron with a fixed tau, e.g. "tau=2". */
export const tauSummary = ({ tau }: { tau: number }) => `tau=${tau}`;
/** NIR's time constants (time units) as spikeflow steps of length dt. */
export function nirTauSteps(value: number, dt: number, name: string): number {
  const steps = value / dt;
  if (!(steps >= 1)) throw new Error(`${name} / dt = ${value} / ${dt} = ${steps} steps; spikeflow needs at least one step (pass a smaller dt)`);
  return steps;
}

/** Since NIR 1.0.6 every spiking NIR neuron resets to v_reset; a soft reset has no NIR form. */
export function nirHardReset(vReset: number | null): number {
  if (vReset === null) throw new Error('soft reset (vReset null, V -= vThreshold) has no NIR form: since NIR 1.0.6 NIR neurons reset to v_reset. Use a hard reset (a number for vReset)');
  return vReset;
}
