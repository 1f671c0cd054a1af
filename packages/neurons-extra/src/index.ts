// @spikeflow/neurons-extra: further neurons and surrogate gradients, written only against the
// public plugin API of @spikeflow/core (defineNeuron, defineSurrogate, Expr).
import { qifNeuron, type QifOptions } from './qif.js';
import { eifNeuron, type EifOptions } from './eif.js';
import { izhikevichNeuron, type IzhikevichOptions } from './izhikevich.js';
import { alifNeuron, type AlifOptions } from './alif.js';
import { cubaLifNeuron, CUBA_LIF_ORDERS, type CubaLifOptions, type CubaLifOrder } from './cuba-lif.js';
import {
  leakyKRelu, piecewiseExp, piecewiseLeakyRelu, qPseudoSpike, rect, s2nn, superSpike,
  type LeakyKReluOptions, type PiecewiseLeakyReluOptions, type S2nnOptions, type SurrogateAlpha,
} from './surrogates.js';

export { qifNeuron, eifNeuron, izhikevichNeuron, alifNeuron, cubaLifNeuron, CUBA_LIF_ORDERS };
export { piecewiseExp, qPseudoSpike, leakyKRelu, piecewiseLeakyRelu, s2nn, superSpike, rect };
export type { QifOptions, EifOptions, IzhikevichOptions, AlifOptions, CubaLifOptions, CubaLifOrder, LeakyKReluOptions, PiecewiseLeakyReluOptions, S2nnOptions };

/** The catalogue's neurons: register with `use(extraNeurons, extraSurrogates)` from @spikeflow/core. */
export const extraNeurons = [qifNeuron, eifNeuron, izhikevichNeuron, alifNeuron, cubaLifNeuron] as const;
/** The catalogue's surrogate gradients. */
export const extraSurrogates = [piecewiseExp, qPseudoSpike, leakyKRelu, piecewiseLeakyRelu, s2nn, superSpike, rect] as const;

// Typed specs: { kind: 'neuron', neuron: 'izhikevich', tauW: 4 } type-checks once this package is imported.
declare module '@spikeflow/spec' {
  interface NeuronKinds {
    qif: Partial<QifOptions>;
    eif: Partial<EifOptions>;
    izhikevich: Partial<IzhikevichOptions>;
    alif: Partial<AlifOptions>;
    cubalif: Partial<CubaLifOptions>;
  }
  interface SurrogateKinds {
    piecewise_exp: Partial<SurrogateAlpha>;
    q_pseudo_spike: Partial<SurrogateAlpha>;
    leaky_k_relu: Partial<LeakyKReluOptions>;
    piecewise_leaky_relu: Partial<PiecewiseLeakyReluOptions>;
    s2nn: Partial<S2nnOptions>;
    super_spike: Partial<SurrogateAlpha>;
    rect: Partial<SurrogateAlpha>;
  }
}
