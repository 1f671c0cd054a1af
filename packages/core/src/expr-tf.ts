import * as tf from '@tensorflow/tfjs';
import { walkExpr, type Expr, type OpEmitters } from './expr.js';

export interface TfEnv {
  /** Tensors of the variables the expressions read, by name. */
  vars: Record<string, tf.Tensor>;
  params: tf.Tensor[];
}

/** Each operator as tfjs ops (a missing operator fails to compile). */
const TF_OPS: OpEmitters<tf.Tensor> = {
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  div: (a, b) => tf.div(a, b),
  max: (a, b) => tf.maximum(a, b),
  min: (a, b) => tf.minimum(a, b),
  ge: (a, b) => tf.cast(tf.greaterEqual(a, b), 'float32'),
  neg: (a) => tf.neg(a),
  exp: (a) => tf.exp(a),
  log: (a) => tf.log(a),
  sigmoid: (a) => tf.sigmoid(a),
  tanh: (a) => tf.tanh(a),
  abs: (a) => tf.abs(a),
  sign: (a) => tf.sign(a),
  step: (a) => tf.step(a),
  sqrt: (a) => tf.sqrt(a),
  square: (a) => tf.square(a),
};

/** Evaluates an expression with tfjs ops (the reference path every backend can run). */
export function evalTf(e: Expr, env: TfEnv): tf.Tensor {
  return walkExpr(e, {
    const: (value) => tf.scalar(value),
    var: (name) => {
      const t = env.vars[name];
      if (!t) throw new Error(`expression reads "${name}", which this evaluation does not provide`);
      return t;
    },
    param: (index, name) => {
      const t = env.params[index];
      if (!t) throw new Error(`expression reads parameter "${name}" (#${index}), which was not given`);
      return t;
    },
    ops: TF_OPS,
  });
}
