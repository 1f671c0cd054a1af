import * as tf from '@tensorflow/tfjs';
import { evalTf } from './expr-tf.js';
import type { Stmt } from './neuron-ir.js';
import type { CompiledNeuron } from './plugins.js';

/**
 * One step of a neuron layer with its state passed in and out, for layers that must step through
 * time (recurrent layers). Inputs: x [M], the state after the previous step z_i [M] (V first), the
 * layer's parameters. Returns [1 + S, M]: the spike, then each state after this step. Its gradient
 * is the step's own backward pass from the neuron's IR (surrogate gradient, detached reset), so
 * autograd through a loop of steps is exact BPTT.
 */
export type NeuronStep = (x: tf.Tensor1D, state: tf.Tensor1D[], params: tf.Tensor[]) => tf.Tensor2D;

const steps = new WeakMap<CompiledNeuron, NeuronStep>();

export function neuronStep(n: CompiledNeuron): NeuronStep {
  let step = steps.get(n);
  if (!step) {
    step = makeNeuronStep(n);
    steps.set(n, step);
  }
  return step;
}

function makeNeuronStep(n: CompiledNeuron): NeuronStep {
  const { ir } = n;
  const S = ir.numStates;
  const run = (stmts: Stmt[], vars: Record<string, tf.Tensor>, params: tf.Tensor[]) => {
    for (const s of stmts) vars[s.name] = evalTf(s.expr, { vars, params });
  };
  const start = (x: tf.Tensor, z: tf.Tensor[], params: tf.Tensor[]) => {
    const vars: Record<string, tf.Tensor> = {};
    run(ir.invariants, vars, params);
    vars.x = x;
    z.forEach((zi, i) => (vars[`z${i}`] = zi));
    return vars;
  };
  const f = tf.customGrad((...args: any[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, ...rest] = args as tf.Tensor[];
    const z = rest.slice(0, S);
    const params = rest.slice(S);
    save([x, ...rest]);
    const value = tf.tidy(() => {
      const vars = start(x, z, params);
      run(ir.forward, vars, params);
      return tf.stack([vars.sp, ...z.map((_, i) => vars[`n${i}`])].map((t) => tf.broadcastTo(t, x.shape)));
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, ...restS] = saved;
          const zs = restS.slice(0, S);
          const ps = restS.slice(S);
          const parts = tf.unstack(dy);
          const vars = start(xs, zs, ps);
          vars.gs = parts[0];
          const zero = tf.zerosLike(xs);
          for (let i = 0; i < S; i++) {
            vars[`g${i}`] = parts[1 + i];
            vars[`o${i}`] = zero;
          }
          run(ir.backward, vars, ps);
          const full = (t: tf.Tensor) => tf.broadcastTo(t, xs.shape);
          return [full(vars.gx), ...zs.map((_, i) => full(vars[`m${i}`])), ...ps.map((_, k) => tf.sum(vars[`q${k}`]))];
        }),
    };
  }) as unknown as (...args: tf.Tensor[]) => tf.Tensor2D;
  return (x, state, params) => {
    if (state.length !== S) throw new Error(`neuron step "${n.kind}": expected ${S} state tensors (${n.stateNames.join(', ')}), got ${state.length}`);
    return f(x, ...state, ...params);
  };
}
