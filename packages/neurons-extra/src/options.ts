import { field } from '@spikeflow/spec';

/** Membrane time constant, as SpikingJelly's neurons take it. */
export const tauOption = (value: number) => ({ tau: field.number({ exclusiveMin: 0, default: value, description: 'membrane time constant' }) });

/** SpikingJelly's neurons start at V = vReset (0 for soft reset), not at vRest. */
export const startAtReset = ({ vReset }: { vReset: number | null }): number => vReset ?? 0;

/** The summary detail of a neuron with a fixed tau, e.g. "tau=2". */
export const tauSummary = ({ tau }: { tau: number }) => `tau=${tau}`;
