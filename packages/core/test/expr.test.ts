import { describe, expect, it } from 'vitest';
import { constant, param, variable, type Expr } from '../src/index.js';
import { buildNeuronIR, diff, evalNumber, toJs, toWgsl } from '../src/backend/index.js';

const v = variable('v');
const x = variable('x');
const w = param(0, 'w');

// A spread of expressions using every operation.
const exprs: Array<[string, Expr]> = [
  ['plif', v.add(x.sub(v.sub(0.1)).mul(w.sigmoid()))],
  ['qif', v.add(v.sub(-0.2).mul(v.sub(0.8)).mul(0.5).add(x).div(2))],
  ['exp-lif', v.add(v.sub(0.5).div(0.3).exp().mul(0.3).add(x).sub(v))],
  ['mix', v.tanh().mul(x.square()).add(x.abs().sqrt()).sub(w.mul(v).log()).add(v.max(x)).add(v.min(w))],
  ['neg', v.neg().mul(w.exp()).add(x.div(w.add(3)))],
];

describe('expression derivatives', () => {
  const point = { v: 0.37, x: 0.81 };
  const params = [0.6];
  for (const [name, e] of exprs) {
    it(`${name}: symbolic d/dv, d/dx, d/dw match central differences`, () => {
      const h = 1e-6;
      const f = (vv: number, xx: number, ww: number) => evalNumber(e, [ww], { v: vv, x: xx });
      const numeric = {
        v: (f(point.v + h, point.x, params[0]) - f(point.v - h, point.x, params[0])) / (2 * h),
        x: (f(point.v, point.x + h, params[0]) - f(point.v, point.x - h, params[0])) / (2 * h),
        w: (f(point.v, point.x, params[0] + h) - f(point.v, point.x, params[0] - h)) / (2 * h),
      };
      expect(evalNumber(diff(e, { var: 'v' }), params, point)).toBeCloseTo(numeric.v, 5);
      expect(evalNumber(diff(e, { var: 'x' }), params, point)).toBeCloseTo(numeric.x, 5);
      expect(evalNumber(diff(e, { param: 0 }), params, point)).toBeCloseTo(numeric.w, 5);
    });
  }

  it('folds constants so derivatives of linear charges are constants', () => {
    const lif = v.add(x.sub(v).div(2));
    expect(diff(lif, { var: 'v' }).constant).toBe(0.5);
    expect(diff(lif, { var: 'x' }).constant).toBe(0.5);
    expect(diff(v.add(x), { var: 'x' }).constant).toBe(1);
    expect(constant(2).mul(3).constant).toBe(6);
  });

  it('prints JavaScript that computes the same value', () => {
    for (const [, e] of exprs) {
      const src = toJs(e, { param: (i) => `p[${i}]` });
      const fn = new Function('v', 'x', 'p', `return ${src};`) as (v: number, x: number, p: number[]) => number;
      expect(fn(0.37, 0.81, [0.6])).toBeCloseTo(evalNumber(e, [0.6], { v: 0.37, x: 0.81 }), 10);
    }
  });

  it('prints WGSL with float literals and WGSL built-ins', () => {
    const src = toWgsl(v.add(x.sub(v).mul(w.sigmoid())).add(x.step()).max(1), { var: (n) => n + n, param: (i) => `params[${i}]` });
    expect(src).toContain('1.00000000');
    expect(src).toContain('exp(-params[0])');
    expect(src).toContain('select(0.0, 1.0, xx > 0.0)');
    expect(src).toMatch(/^max\(/);
    expect(src).not.toContain('Math.');
  });
});

describe('the step IR hoists per-call constants', () => {
  it('computes sub-expressions of parameters only once, shared between forward and backward', () => {
    const k = w.sigmoid();
    const ir = buildNeuronIR({
      kind: 'plif-like', states: [{ name: 'v', init: 0 }], numParams: 1,
      charge: v.add(x.sub(v).mul(k)), threshold: constant(1), updates: [], jumps: [],
      vReset: 0, detachReset: true, surrogate: variable('u').square().add(1).div(2), surrogateKind: 'test',
    });
    const texts = ir.invariants.map((c) => c.expr.toString());
    expect(texts).toContain(k.toString());
    expect(new Set(texts).size).toBe(texts.length);
    // Statements read invariants by name; none recomputes sigmoid(w).
    for (const s of [...ir.forward, ...ir.backward]) expect(s.expr.toString()).not.toContain('Math.exp');
    expect(ir.forward.map((s) => s.name)).toEqual(['h', 'sp', 'n0']);
    expect([...ir.backward.map((s) => s.name)]).toEqual(expect.arrayContaining(['gx', 'm0', 'q0']));
  });
});
