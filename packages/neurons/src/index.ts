import type { SurrogateAlpha } from './surrogates.js';
import { atan, erf, piecewiseQuadratic, sigmoid, softSign } from './surrogates.js';
import { ifNeuron } from './if.js';
import { lifNeuron, type LifOptions } from './lif.js';
import { plifNeuron, type PlifOptions } from './plif.js';
import { liNeuron, type LiOptions } from './li.js';

export { ifNeuron } from './if.js';
export { lifNeuron, leakyCharge } from './lif.js';
export { plifNeuron } from './plif.js';
export { liNeuron } from './li.js';
export { atan, sigmoid, piecewiseQuadratic, softSign, erf, type SurrogateAlpha } from './surrogates.js';
export type { LifOptions, PlifOptions, LiOptions };

/** The built-in neurons: register with `use(neurons, surrogates)` from @spikeflow/core. */
export const neurons = [ifNeuron, lifNeuron, plifNeuron, liNeuron] as const;
/** The built-in surrogate gradients. */
export const surrogates = [atan, sigmoid, piecewiseQuadratic, softSign, erf] as const;

// Typed specs: { kind: 'neuron', neuron: 'plif', initTau: 2 } type-checks once this package is imported.
declare module '@spikeflow/spec' {
  interface NeuronKinds {
    if: Record<never, never>;
    lif: Partial<LifOptions>;
    plif: Partial<PlifOptions>;
    li: Partial<LiOptions>;
  }
  interface SurrogateKinds {
    atan: Partial<SurrogateAlpha>;
    sigmoid: Partial<SurrogateAlpha>;
    piecewise_quadratic: Partial<SurrogateAlpha>;
    soft_sign: Partial<SurrogateAlpha>;
    erf: Partial<SurrogateAlpha>;
  }
}
