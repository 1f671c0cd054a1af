import { describe, expect, it } from 'vitest';
import { constant, defineNeuron, defineSurrogate, NeuronDefinitionError, variable, type Expr } from '../src/index.js';
import { compileNeuron } from '../src/backend/index.js';

const common = { vThreshold: 1, vReset: 0, vRest: 0, detachReset: false };
const identity = defineSurrogate({ kind: 'one', options: {}, gradient: () => constant(1) });

describe('defineNeuron rejects mistakes at definition, naming the neuron', () => {
  it('a charge reading an undeclared variable', () => {
    const define = () => defineNeuron({ kind: 'reads-u', options: {}, charge: ({ v, x }) => v.add(x).sub(variable('u')) });
    expect(define).toThrow(NeuronDefinitionError);
    expect(define).toThrow(/neuron "reads-u": charge reads undeclared variable "u" \(charge may read: v, x\)/);
  });
  it('a charge reading H (only updates may)', () => {
    expect(() => defineNeuron({ kind: 'reads-h', options: {}, charge: ({ v }) => v.add(variable('h')) })).toThrow(/neuron "reads-h": charge reads undeclared variable "h"/);
  });
  it('a charge reading a state variable or parameter it does not declare names it', () => {
    const define = () =>
      defineNeuron({ kind: 'reads-state-u', options: {}, state: { w: { init: 0 } }, charge: ({ v, x, state: { u } }) => v.add(x).sub(u) });
    expect(define).toThrow(NeuronDefinitionError);
    expect(define).toThrow('neuron "reads-state-u": charge: reads state.u, which it does not declare (state: w; declare it under state: { ... })');
    expect(() => defineNeuron({ kind: 'reads-param-g', options: {}, charge: ({ v, x, params }) => v.add(x.mul(params.g)) })).toThrow(
      'neuron "reads-param-g": charge: reads params.g, which it does not declare (it has no params; return it from params())',
    );
    expect(() =>
      defineNeuron({ kind: 'update-reads-q', options: {}, state: { w: { init: 0, update: ({ state }) => state.w.add(state.q) } }, charge: ({ v, x }) => v.add(x) }),
    ).toThrow(/neuron "update-reads-q": state "w" update: reads state\.q, which it does not declare \(state: w;/);
  });
  it('a state update reading an undeclared variable names the state variable', () => {
    const define = () =>
      defineNeuron({
        kind: 'bad-update',
        options: {},
        state: { w: { init: 0, update: ({ state }) => state.w.add(variable('q')) } },
        charge: ({ v, x, state }) => v.add(x).sub(state.w),
      });
    expect(define).toThrow(/neuron "bad-update": state "w" update reads undeclared variable "q" \(state "w" update may read: v, w, x, h\)/);
  });
  it('a threshold reading X', () => {
    expect(() => defineNeuron({ kind: 'th-x', options: {}, threshold: () => variable('x'), charge: ({ v, x }) => v.add(x) })).toThrow(/neuron "th-x": threshold reads undeclared variable "x"/);
  });
  it('an invalid expression: not an Expr, or an operand that is not one', () => {
    expect(() => defineNeuron({ kind: 'returns-string', options: {}, charge: () => 'v + x' as unknown as Expr })).toThrow(/neuron "returns-string": charge must return an expression \(Expr\) or a finite number, got v \+ x/);
    expect(() => defineNeuron({ kind: 'bad-operand', options: {}, charge: ({ v }) => v.add({} as unknown as Expr) })).toThrow(/neuron "bad-operand": charge: expected an expression or a number, got an object/);
    expect(() => defineNeuron({ kind: 'nan', options: {}, charge: ({ v }) => v.mul(NaN) })).toThrow(/neuron "nan": charge: expression constant must be a number, got number NaN/);
    expect(() => defineNeuron({ kind: 'throws', options: {}, charge: ({ options }) => (options as unknown as { missing: { x: Expr } }).missing.x })).toThrow(/neuron "throws": charge: /);
  });
  it('state variables named v, x or h, or learnable ones with an update', () => {
    expect(() => defineNeuron({ kind: 'state-v', options: {}, state: { v: { init: 0 } }, charge: ({ v }) => v })).toThrow(/neuron "state-v": a state variable may not be called "v"/);
    expect(() => defineNeuron({ kind: 'learn-upd', options: {}, state: { k: { init: 0, learnable: true, update: ({ h }) => h } }, charge: ({ v }) => v })).toThrow(/neuron "learn-upd": learnable state "k" is a per-layer parameter/);
  });
});

describe('compiled neurons', () => {
  it('a learnable state variable is a parameter; others are state after v', () => {
    const n = defineNeuron({
      kind: 'two-state',
      options: {},
      state: { gain: { init: 0.5, learnable: true }, a: { init: 0.25, update: ({ state }) => state.a.mul(0.9), jump: () => 1 } },
      threshold: ({ state, options }) => state.a.add(options.vThreshold),
      charge: ({ v, x, state }) => v.add(x.mul(state.gain)),
    });
    const c = compileNeuron(n, identity, common, {});
    expect(c.paramNames).toEqual(['gain']);
    expect(c.paramInit).toEqual([0.5]);
    expect(c.stateNames).toEqual(['v', 'a']);
    expect(c.ir.init).toEqual([0, 0.25]);
    expect(c.ir.forward.map((s) => s.name)).toEqual(expect.arrayContaining(['h', 'th', 'sp', 'n0', 'n1']));
    // dL/dgain and the gradient through the threshold's state both reach the backward statements.
    expect(c.ir.backward.map((s) => s.name)).toEqual(expect.arrayContaining(['gx', 'm0', 'm1', 'q0', 'gth']));
  });
  it('compileNeuron names the neuron when an option makes an expression invalid', () => {
    const n = defineNeuron<{ k: number }>({ kind: 'k-scaled', options: {}, charge: ({ v, x, options }) => v.add(x.mul(options.k ?? 1)) });
    expect(() => compileNeuron(n, identity, { ...common, k: Number.NaN }, {})).toThrow(/neuron "k-scaled": charge: expression constant must be a number/);
  });
});
