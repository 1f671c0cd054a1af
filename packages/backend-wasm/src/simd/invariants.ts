// The per-call constants of a neuron step (the IR's invariants: PLIF's sigmoid(w), ...), computed
// in float64 from the parameters, as the JavaScript host kernel computes them.
import type { expr, NeuronIR } from '@spikeflow/core';

const UNARY: Record<string, (a: number) => number> = {
  neg: (a) => -a,
  exp: Math.exp,
  log: Math.log,
  sigmoid: (a) => 1 / (1 + Math.exp(-a)),
  tanh: Math.tanh,
  abs: Math.abs,
  sign: Math.sign,
  step: (a) => (a > 0 ? 1 : 0),
  sqrt: Math.sqrt,
  square: (a) => a * a,
};
const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  max: Math.max,
  min: Math.min,
  ge: (a, b) => (a >= b ? 1 : 0),
};

function evaluate(e: expr.Expr, params: ArrayLike<number>, vars: Map<string, number>): number {
  const n = e.node;
  switch (n.op) {
    case 'const': return n.value;
    case 'param': return params[n.index];
    case 'var': {
      const v = vars.get(n.name);
      if (v === undefined) throw new Error(`invariant reads "${n.name}", which is not a parameter or an earlier invariant`);
      return v;
    }
    default: {
      if ('b' in n) {
        const f = BINARY[n.op];
        if (!f) throw new Error(`operator "${n.op}" cannot be evaluated`);
        return f(evaluate(n.a, params, vars), evaluate(n.b, params, vars));
      }
      const f = UNARY[n.op];
      if (!f) throw new Error(`operator "${n.op}" cannot be evaluated`);
      return f(evaluate(n.a, params, vars));
    }
  }
}

/** The invariants' values, in the IR's order. */
export function invariantValues(ir: NeuronIR, params: ArrayLike<number>): number[] {
  const vars = new Map<string, number>();
  return ir.invariants.map((c) => {
    const value = evaluate(c.expr, params, vars);
    vars.set(c.name, value);
    return value;
  });
}
