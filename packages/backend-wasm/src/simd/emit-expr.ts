// Prints a neuron expression (@spikeflow/core's Expr) as WebAssembly SIMD: four neurons per
// f32x4 value. Every operator of the expression language has a case; a new operator without one
// is reported (the kernel then falls back to the JavaScript host kernel and says why).
import type { expr } from '@spikeflow/core/backend';
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
  const emit = (x: Expr): Ref => {
    const n = x.node;
    switch (n.op) {
      case 'const': return f32x4Const(b, mod, n.value);
      case 'var': return names.variable(n.name);
      case 'param': return names.param(n.index);
      case 'add': return f.add(go(n.a), go(n.b));
      case 'sub': return f.sub(go(n.a), go(n.b));
      case 'mul': return f.mul(go(n.a), go(n.b));
      case 'div': return f.div(go(n.a), go(n.b));
      // f32x4.max/min propagate NaN and order -0 below +0, as Math.max/min do.
      case 'max': return f.max(go(n.a), go(n.b));
      case 'min': return f.min(go(n.a), go(n.b));
      case 'ge': return mod.v128.and(f.ge(go(n.a), go(n.b)), one());
      case 'neg': return f.neg(go(n.a));
      case 'abs': return f.abs(go(n.a));
      case 'sqrt': return f.sqrt(go(n.a));
      case 'square': {
        const t = names.temp();
        return f.mul(mod.local.tee(t, go(n.a), b.v128), mod.local.get(t, b.v128));
      }
      case 'step': return mod.v128.and(f.gt(go(n.a), zero()), one());
      case 'sign': {
        const t = names.temp();
        const positive = mod.v128.and(f.gt(mod.local.tee(t, go(n.a), b.v128), zero()), one());
        return f.sub(positive, mod.v128.and(f.lt(mod.local.get(t, b.v128), zero()), one()));
      }
      case 'exp':
      case 'log':
      case 'sigmoid':
      case 'tanh':
        return call(n.op, go(n.a));
      default:
        throw new UnsupportedExprError(`operator "${(n as { op: string }).op}" has no WebAssembly SIMD form`);
    }
  };
  return go(e);
}
