import type * as tf from '@tensorflow/tfjs';
import type { OptionSchema } from '@spikeflow/spec';
import { diff, param, variable, type Expr } from './expr.js';

/** Options every neuron layer has, resolved (vRest filled in). */
export interface NeuronCommonOptions {
  vThreshold: number;
  /** null = soft reset. */
  vReset: number | null;
  vRest: number;
  detachReset: boolean;
}

export interface ChargeContext<O> {
  /** Membrane potential after the previous step's fire/reset, V[t-1]. */
  v: Expr;
  /** Input current at this step, X[t]. */
  x: Expr;
  /** The layer's trainable scalars, by the names `params` returned. */
  params: Record<string, Expr>;
  /** The layer's options (plugin options and the common ones), defaults filled in. */
  options: O & NeuronCommonOptions;
}

/**
 * A neuron kind. It states only what is particular to it: its options, its trainable parameters and
 * its charge equation H[t] = f(V[t-1], X[t]). Fire, reset, surrogate gradient and BPTT are shared.
 */
export interface NeuronPlugin<O = Record<string, unknown>> {
  readonly type: 'neuron';
  kind: string;
  description?: string;
  /** The plugin's own fields on the neuron layer (validated, defaults filled, JSON Schema). */
  options: OptionSchema;
  /** Initial values of the layer's trainable scalars (e.g. PLIF's w); none by default. */
  params?: (options: O & NeuronCommonOptions) => Record<string, number>;
  /** The charge equation, written with Expr so backends can differentiate and fuse it. */
  charge: (ctx: ChargeContext<O>) => Expr;
  /** Quantities worth reporting, derived from the parameters' values (PLIF: { tau: 1 / sigmoid(w) }). */
  derived?: (params: Record<string, number>) => Record<string, number>;
}

export interface SurrogatePlugin<O = Record<string, unknown>> {
  readonly type: 'surrogate';
  kind: string;
  description?: string;
  options: OptionSchema;
  /** dS/dH as a function of u = H - vThreshold (the forward is always Heaviside). */
  gradient: (u: Expr, options: O) => Expr;
}

export interface PoolWindow {
  size: [number, number];
  stride: [number, number];
  padding: 'same' | 'valid';
}
export interface PoolPlugin<O = Record<string, unknown>> {
  readonly type: 'pool';
  kind: string;
  description?: string;
  options: OptionSchema;
  /** Pools an NHWC tensor. Runs on [T*N, H, W, C]: time is folded into the batch. */
  apply: (x: tf.Tensor4D, window: PoolWindow, options: O) => tf.Tensor4D;
}

/** Defines a neuron plugin (one file: options, parameters, charge equation); register it with `use`. */
export function defineNeuron<O = Record<string, unknown>>(plugin: Omit<NeuronPlugin<O>, 'type'>): NeuronPlugin<O> {
  return { ...plugin, type: 'neuron' };
}
/** Defines a surrogate-gradient plugin; register it with `use`. */
export function defineSurrogate<O = Record<string, unknown>>(plugin: Omit<SurrogatePlugin<O>, 'type'>): SurrogatePlugin<O> {
  return { ...plugin, type: 'surrogate' };
}
/** Defines a pooling plugin; register it with `use`. */
export function definePool<O = Record<string, unknown>>(plugin: Omit<PoolPlugin<O>, 'type'>): PoolPlugin<O> {
  return { ...plugin, type: 'pool' };
}

export type AnyPlugin = NeuronPlugin<any> | SurrogatePlugin<any> | PoolPlugin<any>;

/**
 * A neuron layer's dynamics, resolved from its plugin and options: the charge, its partial
 * derivatives and the surrogate gradient as expressions. The reference op and every fused
 * backend kernel are generated from this.
 */
export interface CompiledNeuron {
  /** Identifies the dynamics (plugin kind + options), for kernel caches. */
  key: string;
  kind: string;
  paramNames: string[];
  paramInit: number[];
  vThreshold: number;
  vReset: number | null;
  vRest: number;
  detachReset: boolean;
  /** H = f(v, x, params) */
  charge: Expr;
  /** dH/dV[t-1] */
  dChargeDv: Expr;
  /** dH/dX[t] */
  dChargeDx: Expr;
  /** dH/dparam, one per parameter */
  dChargeDparams: Expr[];
  /** dS/dH as a function of the variable u = H - vThreshold */
  surrogateGradient: Expr;
}

export function compileNeuron(
  plugin: NeuronPlugin<any>,
  surrogate: SurrogatePlugin<any>,
  options: Record<string, unknown> & NeuronCommonOptions,
  surrogateOptions: Record<string, unknown>,
): CompiledNeuron {
  const init = plugin.params?.(options) ?? {};
  const paramNames = Object.keys(init);
  const params = Object.fromEntries(paramNames.map((name, i) => [name, param(i, name)]));
  const charge = plugin.charge({ v: variable('v'), x: variable('x'), params, options });
  return {
    key: JSON.stringify({ neuron: plugin.kind, options, surrogate: surrogate.kind, surrogateOptions }),
    kind: plugin.kind,
    paramNames,
    paramInit: paramNames.map((n) => init[n]),
    vThreshold: options.vThreshold,
    vReset: options.vReset,
    vRest: options.vRest,
    detachReset: options.detachReset,
    charge,
    dChargeDv: diff(charge, { var: 'v' }),
    dChargeDx: diff(charge, { var: 'x' }),
    dChargeDparams: paramNames.map((_, i) => diff(charge, { param: i })),
    surrogateGradient: surrogate.gradient(variable('u'), surrogateOptions),
  };
}
