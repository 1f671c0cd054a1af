import * as tf from '@tensorflow/tfjs';
import type { Expr } from './expr.js';

export interface TfEnv {
  /** Tensors of the variables the expressions read, by name. */
  vars: Record<string, tf.Tensor>;
  params: tf.Tensor[];
}

/** Evaluates an expression with tfjs ops (the reference path every backend can run). */
export function evalTf(e: Expr, env: TfEnv): tf.Tensor {
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
    case 'ge': return tf.cast(tf.greaterEqual(r(n.a), r(n.b)), 'float32');
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

/** Evaluates an expression to a number (parameters and variables given). */
export function evalNumber(e: Expr, params: number[] = [], vars: Record<string, number> = {}): number {
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
    case 'ge': return r(n.a) >= r(n.b) ? 1 : 0;
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
