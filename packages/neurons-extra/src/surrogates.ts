import { constant, defineSurrogate } from '@spikeflow/core';
import { field } from '@spikeflow/spec';

// dS/dH at u = H - threshold for SpikingJelly's further surrogate functions; the forward pass is
// always the Heaviside step. `u.ge(0)` is SpikingJelly's mask (u >= 0).

export interface SurrogateAlpha {
  alpha: number;
}
const alphaOption = (value: number, min = 0) => ({ alpha: field.number({ exclusiveMin: min, default: value, description: 'sharpness of the surrogate' }) });

/** alpha / 2 exp(-alpha |u|): derivative of SpikingJelly's PiecewiseExp. */
export const piecewiseExp = defineSurrogate<SurrogateAlpha>({
  kind: 'piecewise_exp',
  options: alphaOption(1),
  gradient: (u, { alpha }) => u.abs().mul(-alpha).exp().mul(alpha / 2),
});

/** (1 + 2 |u| / (alpha - 1))^-alpha: SpikingJelly's QPseudoSpike (heavier tails for smaller alpha > 1). */
export const qPseudoSpike = defineSurrogate<SurrogateAlpha>({
  kind: 'q_pseudo_spike',
  options: alphaOption(2, 1),
  gradient: (u, { alpha }) => u.abs().mul(2 / (alpha - 1)).add(1).log().mul(-alpha).exp(),
});

export interface LeakyKReluOptions {
  leak: number;
  k: number;
}
/** k where u >= 0, leak where u < 0: SpikingJelly's LeakyKReLU. */
export const leakyKRelu = defineSurrogate<LeakyKReluOptions>({
  kind: 'leaky_k_relu',
  options: {
    leak: field.number({ default: 0, description: 'gradient below the threshold' }),
    k: field.number({ default: 1, description: 'gradient at and above the threshold' }),
  },
  gradient: (u, { leak, k }) => u.ge(0).mul(k - leak).add(leak),
});

export interface PiecewiseLeakyReluOptions {
  w: number;
  c: number;
}
/** 1/w where |u| <= w, else c: SpikingJelly's PiecewiseLeakyReLU. */
export const piecewiseLeakyRelu = defineSurrogate<PiecewiseLeakyReluOptions>({
  kind: 'piecewise_leaky_relu',
  options: {
    w: field.number({ exclusiveMin: 0, default: 1, description: 'half-width of the linear part' }),
    c: field.number({ default: 0.01, description: 'gradient outside it' }),
  },
  gradient: (u, { w, c }) => constant(w).ge(u.abs()).mul(1 / w - c).add(c),
});

export interface S2nnOptions {
  alpha: number;
  beta: number;
}
/** Below the threshold sigmoid'(alpha u) (times alpha), at and above it beta / (u + 1): SpikingJelly's S2NN. */
export const s2nn = defineSurrogate<S2nnOptions>({
  kind: 's2nn',
  options: {
    alpha: field.number({ exclusiveMin: 0, default: 4, description: 'sharpness below the threshold' }),
    beta: field.number({ exclusiveMin: 0, default: 1, description: 'scale above the threshold' }),
  },
  gradient: (u, { alpha, beta }) => {
    const above = u.ge(0);
    const s = u.mul(alpha).sigmoid();
    const below = s.mul(constant(1).sub(s)).mul(alpha);
    // max(u, 0) keeps the masked-off branch finite at u = -1.
    return constant(1).sub(above).mul(below).add(above.mul(constant(beta).div(u.max(0).add(1))));
  },
});

/** 1 / (alpha |u| + 1)^2: SuperSpike (Zenke and Ganguli, 2018), the derivative of a fast sigmoid. */
export const superSpike = defineSurrogate<SurrogateAlpha>({
  kind: 'super_spike',
  options: alphaOption(10),
  gradient: (u, { alpha }) => constant(1).div(u.abs().mul(alpha).add(1).square()),
});

/** alpha where |u| < 1 / (2 alpha), else 0: a rectangle of area 1. */
export const rect = defineSurrogate<SurrogateAlpha>({
  kind: 'rect',
  options: alphaOption(1),
  gradient: (u, { alpha }) => constant(1).sub(u.abs().ge(0.5 / alpha)).mul(alpha),
});
