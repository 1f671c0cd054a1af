import type * as tf from '@tensorflow/tfjs';
import type { OptionSchema } from '@spikeflow/spec';
import { Expr, param, variable, type ExprLike } from './expr.js';
import { buildNeuronIR, NeuronDefinitionError, type NeuronIR } from './neuron-ir.js';

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
  /** The neuron's own state variables after the previous step (learnable ones are parameters). */
  state: Record<string, Expr>;
  /** The layer's trainable scalars, by the names `params` returned. */
  params: Record<string, Expr>;
  /** The layer's options (plugin options and the common ones), defaults filled in. */
  options: O & NeuronCommonOptions;
}

/** What a state variable's update and jump read: H[t] besides what the charge reads. */
export interface StateContext<O> extends ChargeContext<O> {
  /** The potential before firing at this step, H[t]. */
  h: Expr;
}

/** What the threshold reads: the state after the previous step and the parameters (not X or H). */
export type ThresholdContext<O> = Omit<ChargeContext<O>, 'x'>;

/**
 * A state variable besides V (an adaptation current, an adaptive threshold...). Within a step:
 * H from the charge, then each variable's `update` (which may read H), fire, reset of V, and then
 * each variable gets `jump` added where the neuron spiked (the spike is never detached there).
 */
export interface StateVariable<O> {
  description?: string;
  /** Initial value (before the first step), or a function of the options giving it. */
  init: number | ((options: O & NeuronCommonOptions) => number);
  /**
   * true: not a per-neuron state but one trainable scalar per layer (a parameter) starting at
   * `init`; it then has no update or jump.
   */
  learnable?: boolean;
  /** Its value at step t before the jump; default: unchanged. */
  update?: (ctx: StateContext<O>) => ExprLike;
  /** Added where the neuron spikes at step t; default 0. */
  jump?: (ctx: StateContext<O>) => ExprLike;
}

/**
 * A neuron kind. It states only what is particular to it: its options, its trainable parameters,
 * its charge equation H[t] = f(V[t-1], X[t], state) and any further state variables. Fire, reset,
 * surrogate gradient and BPTT through every state variable are shared.
 */
export interface NeuronPlugin<O = Record<string, unknown>> {
  readonly type: 'neuron';
  kind: string;
  description?: string;
  /** The plugin's own fields on the neuron layer (validated, defaults filled, JSON Schema). */
  options: OptionSchema;
  /** Initial values of the layer's trainable scalars (e.g. PLIF's w); none by default. */
  params?: (options: O & NeuronCommonOptions) => Record<string, number>;
  /** State variables besides V, by name. */
  state?: Record<string, StateVariable<O>>;
  /** The charge equation, written with Expr so backends can differentiate and fuse it. */
  charge: (ctx: ChargeContext<O>) => ExprLike;
  /** The firing threshold as an expression of the state (adaptive thresholds); default options.vThreshold. */
  threshold?: (ctx: ThresholdContext<O>) => ExprLike;
  /** V before the first step; default options.vRest. */
  initialV?: (options: O & NeuronCommonOptions) => number;
  /** Quantities worth reporting, derived from the parameters' values (PLIF: { tau: 1 / sigmoid(w) }). */
  derived?: (params: Record<string, number>) => Record<string, number>;
  /** Its settings in summary() after the kind, e.g. PLIF's "tau0=2"; default nothing. */
  summary?: (options: O & NeuronCommonOptions) => string;
  /**
   * 'v': a readout (leaky integrator) that never fires; the layer outputs its membrane potential V
   * instead of spikes, and V is never reset. Default 'spikes'.
   */
  output?: 'spikes' | 'v';
  /** How the neuron reads and writes NIR (@spikeflow/nir); without it the neuron has no NIR form. */
  nir?: NeuronNirCodec<O>;
}

/** A neuron layer as a NIR node: NIR's node type and its parameters under NIR's names, one value per layer. */
export interface NirNeuronNode {
  type: string;
  params: Record<string, number>;
  /** What NIR has no field for, kept so that spikeflow re-imports its own files exactly. */
  metadata?: Record<string, string | number>;
}

/**
 * A neuron's NIR codec. NIR's neurons are continuous-time; spikeflow's step is their forward-Euler
 * step of length dt (in NIR's time unit). Per-neuron NIR arrays reach `import` as one value: the
 * importer folds varying `gains` (and thresholds) into the layer before, and refuses the rest.
 */
export interface NeuronNirCodec<O> {
  /** The NIR node type written and read, e.g. 'LIF'. */
  type: string;
  /** NIR parameters that multiply the node's input (r, w_in): a per-neuron value folds into the layer before. */
  gains?: readonly string[];
  /** The NIR node of a layer; throws an Error saying why when the layer has no NIR form. */
  export(options: O & NeuronCommonOptions, params: Record<string, number>, dt: number): NirNeuronNode;
  /**
   * The layer's options (plugin and common ones) and parameters for a NIR node, and `gain`: a factor on
   * the input that the importer folds into the layer before (1 by default). undefined: this plugin
   * declines the node (another plugin reading the same type may take it); throws an Error saying why
   * when no spikeflow layer can hold it. `missingReset` is what an absent v_reset means (null: subtract).
   */
  import(node: NirNeuronNode, ctx: { dt: number; missingReset: number | null }): NirNeuronImport | undefined;
}
export interface NirNeuronImport {
  options: Record<string, unknown>;
  params?: Record<string, number>;
  gain?: number;
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
  /** Pooling spikes gives spikes (max pooling does, average pooling does not). */
  preservesSpikes?: boolean;
  /** As apply, for spikes (0/1) where spikesSavedAsBool(): keeps what its gradient needs as bool. */
  applyToSpikes?: (x: tf.Tensor4D, window: PoolWindow, options: O) => tf.Tensor4D;
}

/**
 * Defines a neuron plugin (one file: options, parameters, state, charge equation); register it with
 * `use`. The plugin is compiled once here with its options' defaults, so a mistake (an undeclared
 * variable, something that is not an expression) is reported now, naming the neuron.
 */
export function defineNeuron<O = Record<string, unknown>>(plugin: Omit<NeuronPlugin<O>, 'type'>): NeuronPlugin<O> {
  const p = { ...plugin, type: 'neuron' } as NeuronPlugin<O>;
  if (typeof p.kind !== 'string' || p.kind === '') throw new NeuronDefinitionError('defineNeuron: kind must be a non-empty string');
  if (typeof p.charge !== 'function') throw new NeuronDefinitionError(`neuron "${p.kind}": charge must be a function ({ v, x, state, params, options }) => Expr`);
  for (const name of Object.keys(p.state ?? {})) {
    if (['v', 'x', 'h'].includes(name)) throw new NeuronDefinitionError(`neuron "${p.kind}": a state variable may not be called "${name}" (v, x and h are the neuron's own)`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new NeuronDefinitionError(`neuron "${p.kind}": state variable name "${name}" is not an identifier`);
  }
  compileNeuron(p as NeuronPlugin<any>, probeSurrogate, probeOptions(p.options), {});
  return p;
}

const probeSurrogate: SurrogatePlugin = { type: 'surrogate', kind: 'probe', options: {}, gradient: () => new Expr({ op: 'const', value: 1 }) };

/** Options with every default filled (1 / false / '' where a field has none), to try a plugin out. */
function probeOptions(schema: OptionSchema): Record<string, unknown> & NeuronCommonOptions {
  const o: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(schema)) {
    if (f.default !== undefined) o[name] = f.default;
    else if (f.type === 'number' || f.type === 'size') o[name] = 1;
    else if (f.type === 'boolean') o[name] = false;
    else if (f.type === 'enum') o[name] = f.values[0];
    else if (f.type === 'string') o[name] = '';
    else o[name] = {};
  }
  return { ...o, vThreshold: 1, vReset: 0, vRest: 0, detachReset: false };
}

/** Defines a surrogate-gradient plugin; register it with `use`. */
export function defineSurrogate<O = Record<string, unknown>>(plugin: Omit<SurrogatePlugin<O>, 'type'>): SurrogatePlugin<O> {
  return { ...plugin, type: 'surrogate' };
}
/** Defines a pooling plugin; register it with `use`. */
export function definePool<O = Record<string, unknown>>(plugin: Omit<PoolPlugin<O>, 'type'>): PoolPlugin<O> {
  return { ...plugin, type: 'pool' };
}

/** Where layers find the plugins they name (a Registry). */
export interface PluginLookup {
  readonly neurons: ReadonlyMap<string, NeuronPlugin<any>>;
  readonly surrogates: ReadonlyMap<string, SurrogatePlugin<any>>;
  readonly pools: ReadonlyMap<string, PoolPlugin<any>>;
}

/**
 * A neuron layer's dynamics, resolved from its plugin and options into the step IR, from which the
 * reference op and every fused backend kernel are emitted.
 */
export interface CompiledNeuron {
  /** Identifies the dynamics (plugin kind + options), for kernel caches. */
  key: string;
  kind: string;
  paramNames: string[];
  paramInit: number[];
  /** State variables: 'v' and then the plugin's own (learnable ones are parameters, not state). */
  stateNames: string[];
  vThreshold: number;
  vReset: number | null;
  vRest: number;
  detachReset: boolean;
  /** 'v': the layer outputs V (a readout that never fires), else spikes. */
  output: 'spikes' | 'v';
  ir: NeuronIR;
}

/**
 * The threshold of a readout ('v' output): never reached by a float32 potential, and printable in
 * every kernel language (WGSL has no infinity literal). The surrogate at H - NEVER_FIRES is 0.
 */
export const NEVER_FIRES = 1e38;

/** Calls a plugin function, turning a throw or a non-expression into an error naming the neuron. */
function expression(kind: string, where: string, f: () => ExprLike): Expr {
  let e: ExprLike;
  try {
    e = f();
  } catch (err) {
    if (err instanceof NeuronDefinitionError) throw err;
    throw new NeuronDefinitionError(`neuron "${kind}": ${where}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof e === 'number' && Number.isFinite(e)) return new Expr({ op: 'const', value: e });
  if (!(e instanceof Expr)) throw new NeuronDefinitionError(`neuron "${kind}": ${where} must return an expression (Expr) or a finite number, got ${typeof e === 'object' ? JSON.stringify(e) : String(e)}`);
  return e;
}

/**
 * `state` and `params` as a plugin function sees them: reading a name the neuron does not declare
 * throws, naming it (rather than handing undefined to an expression, which could only say
 * "got undefined"). compileNeuron's callers prefix the neuron and the function.
 */
function declaredOnly<T extends object>(what: 'state' | 'params', record: T): T {
  return new Proxy(record, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !(key in target)) {
        const names = Object.keys(target);
        const hint = what === 'state' ? 'declare it under state: { ... }' : 'return it from params()';
        throw new Error(`reads ${what}.${key}, which it does not declare (${names.length ? `${what}: ${names.join(', ')}` : `it has no ${what}`}; ${hint})`);
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

export function compileNeuron(
  plugin: NeuronPlugin<any>,
  surrogate: SurrogatePlugin<any>,
  options: Record<string, unknown> & NeuronCommonOptions,
  surrogateOptions: Record<string, unknown>,
): CompiledNeuron {
  const kind = plugin.kind;
  const number = (where: string, f: () => number): number => {
    let n: number;
    try {
      n = f();
    } catch (err) {
      throw new NeuronDefinitionError(`neuron "${kind}": ${where}: ${(err as Error).message}`, { cause: err });
    }
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new NeuronDefinitionError(`neuron "${kind}": ${where} must be a finite number, got ${String(n)}`);
    return n;
  };
  const init: Record<string, number> = {};
  const paramsOut = plugin.params?.(options) ?? {};
  for (const [name, value] of Object.entries(paramsOut)) init[name] = number(`params().${name}`, () => value);
  const declared = Object.entries(plugin.state ?? {});
  for (const [name, s] of declared) {
    if (!s.learnable) continue;
    if (name in init) throw new NeuronDefinitionError(`neuron "${kind}": learnable state "${name}" has the name of a parameter`);
    if (s.update || s.jump) throw new NeuronDefinitionError(`neuron "${kind}": learnable state "${name}" is a per-layer parameter: it has no update or jump`);
    init[name] = number(`state "${name}" init`, () => (typeof s.init === 'function' ? s.init(options) : s.init));
  }
  const paramNames = Object.keys(init);
  const params = Object.fromEntries(paramNames.map((name, i) => [name, param(i, name)]));
  const stateVars = declared.filter(([, s]) => !s.learnable);
  const state: Record<string, Expr> = {};
  for (const [name] of declared) state[name] = params[name] ?? variable(name);
  const ctx = { v: variable('v'), x: variable('x'), state: declaredOnly('state', state), params: declaredOnly('params', params), options };
  const stateCtx = { ...ctx, h: variable('h') };
  const { x: _x, ...thresholdCtx } = ctx;
  const ir = buildNeuronIR({
    kind,
    states: [
      { name: 'v', init: number('initialV', () => plugin.initialV?.(options) ?? options.vRest) },
      ...stateVars.map(([name, s]) => ({ name, init: number(`state "${name}" init`, () => (typeof s.init === 'function' ? s.init(options) : s.init)) })),
    ],
    numParams: paramNames.length,
    charge: expression(kind, 'charge', () => plugin.charge(ctx)),
    threshold: plugin.output === 'v' ? new Expr({ op: 'const', value: NEVER_FIRES }) : plugin.threshold ? expression(kind, 'threshold', () => plugin.threshold!(thresholdCtx)) : new Expr({ op: 'const', value: options.vThreshold }),
    updates: stateVars.map(([name, s]) => (s.update ? expression(kind, `state "${name}" update`, () => s.update!(stateCtx)) : state[name])),
    jumps: stateVars.map(([name, s]) => (s.jump ? expression(kind, `state "${name}" jump`, () => s.jump!(stateCtx)) : new Expr({ op: 'const', value: 0 }))),
    vReset: options.vReset,
    detachReset: options.detachReset,
    surrogate: (() => {
      try {
        return surrogate.gradient(variable('u'), surrogateOptions);
      } catch (err) {
        throw new NeuronDefinitionError(`surrogate "${surrogate.kind}": gradient: ${(err as Error).message}`, { cause: err });
      }
    })(),
    surrogateKind: surrogate.kind,
  });
  return {
    key: JSON.stringify({ neuron: kind, options, surrogate: surrogate.kind, surrogateOptions }),
    kind,
    paramNames,
    paramInit: paramNames.map((n) => init[n]),
    stateNames: ['v', ...stateVars.map(([name]) => name)],
    vThreshold: options.vThreshold,
    vReset: options.vReset,
    vRest: options.vRest,
    detachReset: options.detachReset,
    output: plugin.output ?? 'spikes',
    ir,
  };
}
