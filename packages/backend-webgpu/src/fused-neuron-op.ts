import * as tf from '@tensorflow/tfjs';
import type { CompiledNeuron, NeuronOp } from '@spikeflow/core';
import { generateNeuronShaders } from './neuron-shaders.js';
import { UnsupportedExprError } from './wgsl-expr.js';
import { NeuronProgram, numGroups, runNeuronProgram } from './programs.js';

type Variadic = (...args: tf.Tensor[]) => tf.Tensor;

/**
 * The fused multi-step neuron op: one forward dispatch over all T, and in the backward pass one
 * dispatch that recomputes H and runs BPTT over all T, with dL/dparam reduced per workgroup on the
 * GPU. Only x and the parameters are kept for the backward pass (H is recomputed, not saved).
 */
export function makeFusedNeuronOp(n: CompiledNeuron): NeuronOp {
  const shaders = generateNeuronShaders(n);
  const P = shaders.numParams;
  const paramNames = Array.from({ length: P }, (_, i) => `P${i}`);
  const cache = new Map<boolean, Variadic>();

  const forward = (x: tf.Tensor2D, params: tf.Tensor[], withV: boolean): tf.Tensor => {
    const [T, M] = x.shape;
    const program = new NeuronProgram('neuron_fwd', withV ? shaders.forward.withV : shaders.forward.spikes, ['X', ...paramNames], withV ? [2, T, M] : [T, M], M);
    return runNeuronProgram(program, [x, ...params], T, M);
  };

  const backward = (dy: tf.Tensor, x: tf.Tensor2D, params: tf.Tensor[], withV: boolean): tf.Tensor[] => {
    const [T, M] = x.shape;
    const G = numGroups(M);
    const program = new NeuronProgram('neuron_bwd', withV ? shaders.backward.withV : shaders.backward.spikes, ['X', 'DY', ...paramNames], [T * M + G * P], M);
    const out = runNeuronProgram(program, [x, dy, ...params], T, M);
    if (P === 0) return [tf.reshape(out, [T, M])];
    return tf.tidy(() => {
      const gX = tf.reshape(tf.slice(out, 0, T * M), [T, M]);
      // Per-workgroup partial sums [G, P] -> one scalar per parameter, still on the GPU.
      const sums = tf.sum(tf.reshape(tf.slice(out, T * M, G * P), [G, P]), 0);
      const gParams = P === 1 ? [tf.reshape(sums, [])] : tf.unstack(sums).map((s) => tf.reshape(s, []));
      return [gX, ...gParams];
    });
  };

  return (x, params, withV) => {
    let f = cache.get(withV);
    if (!f) {
      f = tf.customGrad((...args: any[]) => {
        const save = args.pop() as tf.GradSaveFunc;
        const [xIn, ...ps] = (args as tf.Tensor[]).map((t) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32')));
        save([xIn, ...ps]);
        return {
          value: forward(xIn as tf.Tensor2D, ps, withV),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [xSaved, ...psSaved] = saved;
            return backward(dy, xSaved as tf.Tensor2D, psSaved, withV);
          },
        };
      }) as unknown as Variadic;
      cache.set(withV, f);
    }
    return f(x, ...params);
  };
}

/** Fused op for the neuron, or undefined when its expressions have no WGSL form (the reference op runs). */
export function tryFusedNeuronOp(n: CompiledNeuron): NeuronOp | undefined {
  try {
    return makeFusedNeuronOp(n);
  } catch (e) {
    if (e instanceof UnsupportedExprError) return undefined;
    throw e;
  }
}
