// The operator table and the step IR's signature. The @ts-expect-error lines are checked by
// `npm run typecheck` (tsc over this package's tests): an emitter that leaves out an operator
// must fail to compile, and stops failing (so the check fails) if OpEmitters loses its keys.
import { describe, expect, it } from 'vitest';
import { constant, param, variable, type Expr } from '../src/index.js';
import { buildNeuronIR, evalNumber, expr, neuronStep, toJs } from '../src/backend/index.js';

const x = variable('x');
const y = variable('y');

/** One expression per operator, reading x and y. */
const sample = (op: expr.OpName): Expr =>
  expr.OPERATORS[op].arity === 1 ? new expr.Expr({ op, a: x } as expr.ExprNode) : new expr.Expr({ op, a: x, b: y } as expr.ExprNode);

describe('the operator table', () => {
  it('makes an emitter without every operator a compile error', () => {
    const complete: expr.OpEmitters<string> = Object.fromEntries(expr.OP_NAMES.map((op) => [op, () => op])) as never;
    const { square: _square, ...rest } = complete;
    // @ts-expect-error: 'square' is missing
    const missingSquare: expr.OpEmitters<string> = rest;
    // @ts-expect-error: a binary operator takes two operands
    const wrongArity: expr.OpEmitters<string> = { ...complete, add: (a: string, b: string, c: string) => a + b + c };
    expect(Object.keys(missingSquare)).not.toContain('square');
    expect(Object.keys(wrongArity)).toHaveLength(expr.OP_NAMES.length);
  });

  it('has one row per operator, and folding agrees with the printed JavaScript', () => {
    expect(expr.OP_NAMES).toHaveLength(17);
    for (const op of expr.OP_NAMES) {
      const e = sample(op);
      const js = new Function('x', 'y', `return ${toJs(e, { param: () => '0' })};`) as (x: number, y: number) => number;
      for (const [a, b] of [[0.75, -0.5], [-2, 3], [0, 0], [4, 4]]) {
        const want = js(a, b);
        const got = evalNumber(e, [], { x: a, y: b });
        if (Number.isNaN(want)) expect(got, op).toBeNaN();
        else expect(got, `${op}(${a}, ${b})`).toBe(want);
      }
    }
    // Constant operands fold through the same row.
    expect(constant(0.5).sigmoid().constant).toBe(1 / (1 + Math.exp(-0.5)));
    expect(constant(3).ge(3).constant).toBe(1);
  });

  it('names an operator it does not know, and an emitter that lacks one', () => {
    const fake = new expr.Expr({ op: 'erf', a: x } as never);
    expect(() => evalNumber(fake, [], { x: 1 })).toThrow(expr.UnknownOperatorError);
    expect(() => toJs(fake, { param: () => 'p' })).toThrow(/operator "erf" is not an operator of spikeflow's expression language/);
    // An emitter built against an older core, at run time, without the newer operator.
    const old = { const: String, var: String, param: String, ops: { add: (a: string, b: string) => `${a}+${b}` } as never };
    expect(() => expr.walkExpr(x.add(y).mul(2), old)).toThrow(/operator "mul" has no case in this emitter/);
  });
});

describe('the step signature (neuronStep)', () => {
  const v = variable('v');
  const w = variable('w');
  // Two state variables and a parameter, so every family of names occurs.
  const ir = buildNeuronIR({
    kind: 'two-state', states: [{ name: 'v', init: 0 }, { name: 'w', init: 0.1 }], numParams: 1,
    charge: v.add(x.sub(v).mul(param(0, 'k').sigmoid())).sub(w), threshold: constant(1),
    updates: [w.mul(0.9).add(variable('h').mul(0.1))], jumps: [constant(0.5)],
    vReset: null, detachReset: false, surrogate: variable('u').sigmoid(), surrogateKind: 'test',
  });
  const F = neuronStep.forward;
  const B = neuronStep.backward;

  it('is what buildNeuronIR writes', () => {
    const forward = ir.forward.map((s) => s.name);
    expect(forward).toEqual(expect.arrayContaining([F.defines.charge, F.writes.spike, F.writes.state(0), F.writes.state(1)]));
    const backward = ir.backward.map((s) => s.name);
    expect(backward).toEqual(expect.arrayContaining([B.writes.gradInput, B.writes.gradState(0), B.writes.gradState(1), B.writes.gradParam(0)]));
    expect(ir.invariants.map((c) => c.name).every(neuronStep.isInvariant)).toBe(true);
    expect(ir.invariants.map((c) => c.name)).toContain(neuronStep.invariant(0));
  });

  it('declares everything the statements read', () => {
    const declared = (names: Iterable<string>, allowed: string[], defined: Set<string>) =>
      [...names].filter((n) => !allowed.includes(n) && !defined.has(n) && !neuronStep.isInvariant(n));
    const forwardReads = [F.reads.input, F.reads.state(0), F.reads.state(1)];
    const fDefined = new Set(ir.forward.map((s) => s.name));
    expect(declared(ir.forward.flatMap((s) => [...s.expr.variables()]), forwardReads, fDefined)).toEqual([]);
    const backwardReads = [B.reads.input, B.reads.gradSpike, ...[0, 1].flatMap((i) => [B.reads.state(i), B.reads.gradOutput(i), B.reads.gradNext(i)])];
    expect(declared(ir.backwardReads, backwardReads, new Set())).toEqual([]);
    expect([...ir.backwardReads]).toEqual(expect.arrayContaining([B.reads.gradSpike, B.reads.gradNext(0), B.reads.gradNext(1)]));
  });
});
