import { constant, defineSurrogate } from '@spikeflow/core';
import { field } from '@spikeflow/spec';

// Each surrogate gives dS/dH at u = H - vThreshold; the forward pass is always the Heaviside step.
export interface SurrogateAlpha {
  alpha: number;
}
const alphaOption = (value: number) => ({ alpha: field.number({ exclusiveMin: 0, default: value, description: 'sharpness of the surrogate' }) });

/** alpha / (2 (1 + (pi/2 alpha u)^2)): derivative of atan(pi/2 alpha u) / pi + 1/2. */
export const atan = defineSurrogate<SurrogateAlpha>({
  kind: 'atan',
  options: alphaOption(2),
  gradient: (u, { alpha }) => constant(alpha / 2).div(u.mul((Math.PI / 2) * alpha).square().add(1)),
});

/** alpha sigmoid(alpha u) (1 - sigmoid(alpha u)): derivative of sigmoid(alpha u). */
export const sigmoid = defineSurrogate<SurrogateAlpha>({
  kind: 'sigmoid',
  options: alphaOption(4),
  gradient: (u, { alpha }) => {
    const s = u.mul(alpha).sigmoid();
    return s.mul(constant(1).sub(s)).mul(alpha);
  },
});

/** alpha - alpha^2 |u| for |u| <= 1/alpha, else 0. */
export const piecewiseQuadratic = defineSurrogate<SurrogateAlpha>({
  kind: 'piecewise_quadratic',
  options: alphaOption(1),
  gradient: (u, { alpha }) => constant(alpha).sub(u.abs().mul(alpha * alpha)).max(0),
});

/** 1 / (2 alpha (1/alpha + |u|)^2): derivative of (alpha u / (1 + |alpha u|) + 1) / 2. */
export const softSign = defineSurrogate<SurrogateAlpha>({
  kind: 'soft_sign',
  options: alphaOption(2),
  gradient: (u, { alpha }) => constant(1).div(u.abs().add(1 / alpha).square().mul(2 * alpha)),
});

/** alpha / sqrt(pi) exp(-alpha^2 u^2): derivative of (1 + erf(alpha u)) / 2. */
export const erf = defineSurrogate<SurrogateAlpha>({
  kind: 'erf',
  options: alphaOption(2),
  gradient: (u, { alpha }) => u.square().mul(-alpha * alpha).exp().mul(alpha / Math.sqrt(Math.PI)),
});
