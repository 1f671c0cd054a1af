import * as tf from '@tensorflow/tfjs';
import type { Expr, VarName } from './expr.js';

export interface TfEnv {
  vars: Partial<Record<VarName, tf.Tensor>>;
  params: tf.Tensor[];
  /**
   * Values of sub-expressions that do not vary with V, X or U (e.g. sigmoid(w)), computed once and
   * reused across time steps. The caller owns (and disposes) the tensors in it.
   */
  invariant: Map<Expr, tf.Tensor>;
}

/** Evaluates an expression with tfjs ops (the reference path every backend can run). */
export function evalTf(e: Expr, env: TfEnv): tf.Tensor {
  // Parameters are the caller's tensors: never cache (and so never dispose) them.
  if (!e.varying && e.node.op !== 'param') {
    let t = env.invariant.get(e);
    if (!t) {
      t = tf.keep(evalNode(e, env));
      env.invariant.set(e, t);
    }
    return t;
  }
  return evalNode(e, env);
}

function evalNode(e: Expr, env: TfEnv): tf.Tensor {
  const n = e.node;
  const r = (x: Expr) => evalTf(x, env);
  switch (n.op) {
    case 'const':
      return tf.scalar(n.value);
    case 'var': {
      const t = env.vars[n.name];
      if (!t) throw new Error(`expression reads "${n.name}", which this evaluation does not provide`);
      return t;
    }
    case 'param': {
      const t = env.params[n.index];
      if (!t) throw new Error(`expression reads parameter "${n.name}" (#${n.index}), which was not given`);
      return t;
    }
    case 'add': return tf.add(r(n.a), r(n.b));
    case 'sub': return tf.sub(r(n.a), r(n.b));
    case 'mul': return tf.mul(r(n.a), r(n.b));
    case 'div': return tf.div(r(n.a), r(n.b));
    case 'max': return tf.maximum(r(n.a), r(n.b));
    case 'min': return tf.minimum(r(n.a), r(n.b));
    case 'neg': return tf.neg(r(n.a));
    case 'exp': return tf.exp(r(n.a));
    case 'log': return tf.log(r(n.a));
    case 'sigmoid': return tf.sigmoid(r(n.a));
    case 'tanh': return tf.tanh(r(n.a));
    case 'abs': return tf.abs(r(n.a));
    case 'sign': return tf.sign(r(n.a));
    case 'step': return tf.step(r(n.a));
    case 'sqrt': return tf.sqrt(r(n.a));
    case 'square': return tf.square(r(n.a));
  }
}

/** Evaluates an expression that reads only constants and parameters, to a number (parameters given). */
export function evalNumber(e: Expr, params: number[] = [], vars: Partial<Record<VarName, number>> = {}): number {
  const n = e.node;
  const r = (x: Expr) => evalNumber(x, params, vars);
  switch (n.op) {
    case 'const': return n.value;
    case 'var': {
      const v = vars[n.name];
      if (v === undefined) throw new Error(`expression reads "${n.name}", which was not given`);
      return v;
    }
    case 'param': return params[n.index];
    case 'add': return r(n.a) + r(n.b);
    case 'sub': return r(n.a) - r(n.b);
    case 'mul': return r(n.a) * r(n.b);
    case 'div': return r(n.a) / r(n.b);
    case 'max': return Math.max(r(n.a), r(n.b));
    case 'min': return Math.min(r(n.a), r(n.b));
    case 'neg': return -r(n.a);
    case 'exp': return Math.exp(r(n.a));
    case 'log': return Math.log(r(n.a));
    case 'sigmoid': return 1 / (1 + Math.exp(-r(n.a)));
    case 'tanh': return Math.tanh(r(n.a));
    case 'abs': return Math.abs(r(n.a));
    case 'sign': return Math.sign(r(n.a));
    case 'step': return r(n.a) > 0 ? 1 : 0;
    case 'sqrt': return Math.sqrt(r(n.a));
    case 'square': { const a = r(n.a); return a * a; }
  }
}
