import { Expr, toWgsl, type ExprNode } from '@spikeflow/core';

/** Expression ops this generator knows how to print as WGSL. Anything else falls back to the reference op. */
const SUPPORTED = new Set<ExprNode['op']>([
  'const', 'var', 'param', 'add', 'sub', 'mul', 'div', 'max', 'min',
  'neg', 'exp', 'log', 'sigmoid', 'tanh', 'abs', 'sign', 'step', 'sqrt', 'square',
]);

/** Thrown when an expression cannot become a fused kernel (the factory then returns undefined). */
export class UnsupportedExprError extends Error {}

// Hoisted sub-expressions become parameter nodes with indices from here on, printed as `inv<k>`.
const HOIST_BASE = 1 << 20;

export interface WgslExprs {
  /** `let` statements computed once per thread before the time loop (parameters, invariants). */
  prelude: string[];
  /** The WGSL source of each input expression, in order. */
  code: string[];
}

/**
 * Prints expressions as WGSL that reads `v`, `xt`, `u` and the layer's parameters. Sub-expressions
 * that do not vary with V, X or U (e.g. PLIF's sigmoid(w)) are computed once before the time loop
 * instead of at every step; identical ones are shared between the expressions.
 */
export function printWgsl(exprs: Expr[], numParams: number): WgslExprs {
  const hoisted = new Map<string, number>();
  const prelude: string[] = [];
  for (let i = 0; i < numParams; i++) prelude.push(`let p${i} = P${i}[0];`);
  const names = {
    v: 'v',
    x: 'xt',
    u: 'u',
    param: (i: number) => (i >= HOIST_BASE ? `inv${i - HOIST_BASE}` : `p${i}`),
  };
  const print = (e: Expr): string => {
    try {
      return toWgsl(e, names);
    } catch (err) {
      throw new UnsupportedExprError((err as Error).message);
    }
  };

  const rewrite = (e: Expr): Expr => {
    const n = e.node;
    if (!SUPPORTED.has(n.op)) throw new UnsupportedExprError(`expression op "${n.op}" has no WGSL form`);
    if (n.op === 'const' || n.op === 'var' || n.op === 'param') return e;
    if (!e.varying) {
      const src = print(e);
      let k = hoisted.get(src);
      if (k === undefined) {
        k = hoisted.size;
        hoisted.set(src, k);
        prelude.push(`let inv${k} = ${src};`);
      }
      return new Expr({ op: 'param', index: HOIST_BASE + k, name: `inv${k}` });
    }
    if ('b' in n) return new Expr({ ...n, a: rewrite(n.a), b: rewrite(n.b) });
    return new Expr({ ...n, a: rewrite(n.a) } as ExprNode);
  };

  const code = exprs.map((e) => print(rewrite(e)));
  return { prelude, code };
}

/** A float literal in WGSL (through the same printer, so the same rounding and checks). */
export function wgslNumber(value: number): string {
  try {
    return toWgsl(new Expr({ op: 'const', value }), { v: 'v', x: 'x', u: 'u', param: () => '' });
  } catch (err) {
    throw new UnsupportedExprError((err as Error).message);
  }
}
