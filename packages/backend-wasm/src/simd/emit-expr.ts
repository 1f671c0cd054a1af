// Prints a neuron expression (@spikeflow/core's Expr) as WebAssembly SIMD: four neurons per
// f32x4 value. Every operator of the expression language has a case (core's OpEmitters: a new
// operator without one fails to compile); a node with an operator core does not know is reported
// (the kernel then falls back to the JavaScript host kernel and says why).
import { expr } from '@spikeflow/core/backend';
import { f32x4Const, type Binaryen, type Ref, type WasmModule } from './binaryen.js';
import { mathFunctionName, type MathFunction } from './simd-math.js';

type Expr = expr.Expr;

export class UnsupportedExprError extends Error {}

const MATH: ReadonlySet<string> = new Set<MathFunction>(['exp', 'log', 'sigmoid', 'tanh']);

/** The math functions (exp, log, ...) an expression calls. */
export function mathFunctionsOf(e: Expr, into: Set<MathFunction> = new Set()): Set<MathFunction> {
  const n = e.node;
  if (MATH.has(n.op)) into.add(n.op as MathFunction);
  if ('a' in n) {
    mathFunctionsOf(n.a, into);
    if ('b' in n) mathFunctionsOf(n.b, into);
  }
  return into;
}

export interface ExprNames {
  /** The value of a variable (a local.get). */
  variable(name: string): Ref;
  /** The value of parameter `index`, splatted. */
  param(index: number): Ref;
  /** A new v128 local, for an operand used twice. */
  temp(): number;
}

/** Emits `e` as a v128 (f32x4) expression. */
export function emitExpr(b: Binaryen, mod: WasmModule, e: Expr, names: ExprNames): Ref {
  try {
    return emitSimd(b, mod, e, names);
  } catch (error) {
    if (error instanceof expr.UnknownOperatorError) throw new UnsupportedExprError(`operator "${error.operator}" has no WebAssembly SIMD form`, { cause: error });
    throw error;
  }
}

function emitSimd(b: Binaryen, mod: WasmModule, e: Expr, names: ExprNames): Ref {
  const f = mod.f32x4;
  const one = () => f32x4Const(b, mod, 1);
  const zero = () => f32x4Const(b, mod, 0);
  const call = (fn: MathFunction, a: Ref) => mod.call(mathFunctionName(fn), [a], b.v128);
  // A sub-expression that occurs again (sigmoid(u) in s (1 - s)) is computed once: the first
  // occurrence (evaluated first: operands run left to right) keeps its value in a local.
  const seen = new Map<string, { count: number; local?: number }>();
  const count = (x: Expr) => {
    if (!('a' in x.node)) return;
    const key = x.toString();
    const entry = seen.get(key);
    if (entry) entry.count++;
    else {
      seen.set(key, { count: 1 });
      count(x.node.a);
      if ('b' in x.node) count(x.node.b);
    }
  };
  count(e);
  const go = (x: Expr): Ref => {
    if (!('a' in x.node)) return emit(x);
    const entry = seen.get(x.toString())!;
    if (entry.count < 2) return emit(x);
    if (entry.local !== undefined) return mod.local.get(entry.local, b.v128);
    entry.local = names.temp();
    return mod.local.tee(entry.local, emit(x), b.v128);
  };
  const v = b.v128;
  // Operands arrive evaluated, left to right; one used twice goes through a temporary local.
  const ops: expr.OpEmitters<Ref> = {
    add: (x, y) => f.add(x, y),
    sub: (x, y) => f.sub(x, y),
    mul: (x, y) => f.mul(x, y),
    div: (x, y) => f.div(x, y),
    // f32x4.max/min propagate NaN and order -0 below +0, as Math.max/min do.
    max: (x, y) => f.max(x, y),
    min: (x, y) => f.min(x, y),
    ge: (x, y) => mod.v128.and(f.ge(x, y), one()),
    neg: (x) => f.neg(x),
    abs: (x) => f.abs(x),
    sqrt: (x) => f.sqrt(x),
    square: (x) => {
      const t = names.temp();
      return f.mul(mod.local.tee(t, x, v), mod.local.get(t, v));
    },
    step: (x) => mod.v128.and(f.gt(x, zero()), one()),
    sign: (x) => {
      const t = names.temp();
      const positive = mod.v128.and(f.gt(mod.local.tee(t, x, v), zero()), one());
      return f.sub(positive, mod.v128.and(f.lt(mod.local.get(t, v), zero()), one()));
    },
    exp: (x) => call('exp', x),
    log: (x) => call('log', x),
    sigmoid: (x) => call('sigmoid', x),
    tanh: (x) => call('tanh', x),
  };
  const emitter: expr.ExprEmitter<Ref> = {
    const: (value) => f32x4Const(b, mod, value),
    var: (name) => names.variable(name),
    param: (index) => names.param(index),
    ops,
  };
  const emit = (x: Expr): Ref => expr.walkExpr(x, emitter, go);
  return go(e);
}
