// Counts the tfjs kernel calls the neuron op makes per time step. On tfjs's 'tensorflow' backend
// each kernel call is one call through N-API into libtensorflow (TFE_Execute), so this is the
// number of native calls per step.
import * as tf from '@tensorflow/tfjs';
import { runNeuron } from '@spikeflow/core';
import { type CompiledNeuron } from '@spikeflow/core/backend';

export interface CallCounts {
  /** Kernel calls per time step of the forward pass (the slope over T). */
  forwardPerStep: number;
  /** Kernel calls per time step of the backward pass. */
  backwardPerStep: number;
  /** Kernel calls that do not grow with T, forward and backward (at the smaller T). */
  forwardFixed: number;
  backwardFixed: number;
}

async function kernels(f: () => tf.TensorContainer): Promise<number> {
  const info = await tf.profile(() => {
    const out = f();
    tf.dispose(out);
  });
  return info.kernels.length;
}

/**
 * Runs the op on the current backend at two values of T (M neurons) and fits calls = a*T + b.
 * `impl: 'reference'` counts core's reference op (tfjs ops) instead of the backend's kernel.
 */
export async function countKernelCalls(n: CompiledNeuron, [t1, t2]: [number, number], M: number, impl?: 'reference'): Promise<CallCounts> {
  const params = n.paramInit.map((p) => tf.scalar(p));
  const measure = async (T: number) => {
    const x = tf.randomNormal([T, M], 0.5, 1, 'float32', 1) as tf.Tensor2D;
    const forward = await kernels(() => runNeuron(n, x, params, true, impl));
    // Both outputs reach the loss, as in a layer whose V is monitored: the widest backward pass.
    const both = await kernels(() => tf.grads((xIn: tf.Tensor) => tf.sum(runNeuron(n, xIn as tf.Tensor2D, params, true, impl)))([x]));
    x.dispose();
    return { forward, backward: both - forward - 1 };
  };
  const a = await measure(t1);
  const b = await measure(t2);
  tf.dispose(params);
  return {
    forwardPerStep: (b.forward - a.forward) / (t2 - t1),
    backwardPerStep: (b.backward - a.backward) / (t2 - t1),
    forwardFixed: a.forward - ((b.forward - a.forward) / (t2 - t1)) * t1,
    backwardFixed: a.backward - ((b.backward - a.backward) / (t2 - t1)) * t1,
  };
}
