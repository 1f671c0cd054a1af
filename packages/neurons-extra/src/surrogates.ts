import { constant, defineSurrogate, type Expr, type SurrogatePlugin } from '@spikeflow/core';
import { field, type NumberField } from '@spikeflow/spec';

// dS/dH at u = H - threshold for SpikingJelly's further surrogate functions; the forward pass is
// always the Heaviside step. `u.ge(0)` is SpikingJelly's mask (u >= 0).

type NumberFieldSpec = Omit<NumberField, 'type'>;
/** The options a surrogate plugin's gradient receives. */
type OptionsOf<P> = P extends SurrogatePlugin<infer O> ? O : never;

/** A surrogate whose options are all numbers: each is declared once, as its field; its type follows. */
function numberSurrogate<K extends string>(
  kind: string,
  fields: Record<K, NumberFieldSpec>,
  gradient: (u: Expr, options: Record<K, number>) => Expr,
): SurrogatePlugin<Record<K, number>> {
  const options = Object.fromEntries(Object.entries<NumberFieldSpec>(fields).map(([name, f]) => [name, field.number(f)]));
  return defineSurrogate<Record<K, number>>({ kind, options, gradient });
}

const alphaOption = (value: number, min = 0) => ({ alpha: { exclusiveMin: min, default: value, description: 'sharpness of the surrogate' } });

/** alpha / 2 exp(-alpha |u|): derivative of SpikingJelly's PiecewiseExp. */
export const piecewiseExp = numberSurrogate('piecewise_exp', alphaOption(1), (u, { alpha }) => u.abs().mul(-alpha).exp().mul(alpha / 2));
export type SurrogateAlpha = OptionsOf<typeof piecewiseExp>;

/** (1 + 2 |u| / (alpha - 1))^-alpha: SpikingJelly's QPseudoSpike (heavier tails for smaller alpha > 1). */
export const qPseudoSpike = numberSurrogate('q_pseudo_spike', alphaOption(2, 1),
  (u, { alpha }) => u.abs().mul(2 / (alpha - 1)).add(1).log().mul(-alpha).exp());

/** k where u >= 0, leak where u < 0: SpikingJelly's LeakyKReLU. */
export const leakyKRelu = numberSurrogate('leaky_k_relu', {
  leak: { default: 0, description: 'gradient below the threshold' },
  k: { default: 1, description: 'gradient at and above the threshold' },
}, (u, { leak, k }) => u.ge(0).mul(k - leak).add(leak));
export type LeakyKReluOptions = OptionsOf<typeof leakyKRelu>;

/** 1/w where |u| <= w, else c: SpikingJelly's PiecewiseLeakyReLU. */
export const piecewiseLeakyRelu = numberSurrogate('piecewise_leaky_relu', {
  w: { exclusiveMin: 0, default: 1, description: 'half-width of the linear part' },
  c: { default: 0.01, description: 'gradient outside it' },
}, (u, { w, c }) => constant(w).ge(u.abs()).mul(1 / w - c).add(c));
export type PiecewiseLeakyReluOptions = OptionsOf<typeof piecewiseLeakyRelu>;

/** Below the threshold sigmoid'(alpha u) (times alpha), at and above it beta / (u + 1): SpikingJelly's S2NN. */
export const s2nn = numberSurrogate('s2nn', {
  alpha: { exclusiveMin: 0, default: 4, description: 'sharpness below the threshold' },
  beta: { exclusiveMin: 0, default: 1, description: 'scale above the threshold' },
}, (u, { alpha, beta }) => {
  const above = u.ge(0);
  const s = u.mul(alpha).sigmoid();
  const below = s.mul(constant(1).sub(s)).mul(alpha);
  // max(u, 0) keeps the masked-off branch finite at u = -1.
  return constant(1).sub(above).mul(below).add(above.mul(constant(beta).div(u.max(0).add(1))));
});
export type S2nnOptions = OptionsOf<typeof s2nn>;

/** 1 / (alpha |u| + 1)^2: SuperSpike (Zenke and Ganguli, 2018), the derivative of a fast sigmoid. */
export const superSpike = numberSurrogate('super_spike', alphaOption(10), (u, { alpha }) => constant(1).div(u.abs().mul(alpha).add(1).square()));

/** alpha where |u| < 1 / (2 alpha), else 0: a rectangle of area 1. */
export const rect = numberSurrogate('rect', alphaOption(1), (u, { alpha }) => constant(1).sub(u.abs().ge(0.5 / alpha)).mul(alpha));
