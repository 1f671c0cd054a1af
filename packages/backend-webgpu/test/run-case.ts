// Runs the neuron op forward and backward for a loss with random weights, to compare implementations.
import { expect } from 'vitest';
import { runNeuron } from '@spikeflow/core';
import { type CompiledNeuron } from '@spikeflow/core/backend';
import { tf } from './gpu.js';

export interface Result { spikes: Float32Array; v: Float32Array; gX: Float32Array; gW?: number; gParams: number[] }

/** Spikes, v, dL/dx and dL/dw of L = sum(S gS) + sum(V gV) on the current backend. */
export async function runCase(n: CompiledNeuron, x: number[], gS: number[], gV: number[], T: number, M: number, reference: boolean): Promise<Result> {
  const xs = tf.tensor2d(x, [T, M]);
  const gs = tf.tensor2d(gS, [T, M]);
  const gv = tf.tensor2d(gV, [T, M]);
  const params = n.paramInit.map((p) => tf.scalar(p));
  const impl = reference ? 'reference' : undefined;
  const out = runNeuron(n, xs, params, true, impl);
  const grads = tf.grads((xi: tf.Tensor, ...ps: tf.Tensor[]) => {
    const [s, v] = tf.unstack(runNeuron(n, xi as tf.Tensor2D, ps, true, impl));
    return tf.add(tf.sum(tf.mul(s, gs)), tf.sum(tf.mul(v, gv))) as tf.Scalar;
  })([xs, ...params]);
  const [s, v] = tf.unstack(out);
  const r: Result = {
    spikes: (await s.data()) as Float32Array,
    v: (await v.data()) as Float32Array,
    gX: (await grads[0].data()) as Float32Array,
    gW: grads[1] ? (await grads[1].data())[0] : undefined,
    gParams: await Promise.all(grads.slice(1).map(async (g) => (await g.data())[0])),
  };
  tf.dispose([xs, gs, gv, out, s, v, ...params, ...grads]);
  return r;
}

export function expectClose(actual: Float32Array, expected: Float32Array, tol: number, what: string) {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  expect(worst, what).toBeLessThanOrEqual(tol);
}

