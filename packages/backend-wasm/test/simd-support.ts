// Shared by the SIMD neuron kernel tests: neurons compiled from layer options, and a comparison
// of the SIMD kernel with @spikeflow/core's JavaScript host kernel on the same inputs.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { registry, runNeuron, use, validate } from '@spikeflow/core';
import { compileNeuron, hostNeuronKernel, type CompiledNeuron } from '@spikeflow/core/backend';
import { neurons, surrogates } from '@spikeflow/neurons';
import { extraNeurons } from '@spikeflow/neurons-extra';
import { randomValues } from './helpers.js';

use(neurons, surrogates);
use(extraNeurons);

export const LAYERS = {
  plif: { neuron: 'plif', detachReset: false, surrogate: { kind: 'atan' } },
  izhikevich: { neuron: 'izhikevich', surrogate: { kind: 'sigmoid' } },
} as const;

export function compile(layer: object): CompiledNeuron {
  const o = validate({ input: { shape: [1] }, layers: [{ kind: 'neuron', ...layer }] as never }).layers[0] as never as {
    neuron: string;
    surrogate: { kind: string };
  };
  return compileNeuron(registry.neurons.get(o.neuron)!, registry.surrogates.get(o.surrogate.kind)!, o as never, o.surrogate as never);
}

const maxRelative = (a: Float32Array, b: Float32Array): number => {
  let scale = 1e-3;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let e = 0;
  a.forEach((v, i) => (e = Math.max(e, Math.abs(v - b[i]))));
  return e / scale;
};

/**
 * Runs forward (spikes and every state) and backward (dL/dx, dL/dparams) through the wasm fused
 * op and through the JS host kernel, and expects the same spikes and close states and gradients.
 */
export async function expectSameAsHostKernel(n: CompiledNeuron, T: number, M: number, seed: number): Promise<void> {
  const host = hostNeuronKernel(n);
  const x = tf.tensor2d(randomValues(T * M, seed).map((v) => 3 * v + 0.5), [T, M]);
  const gOut = tf.tensor(randomValues((1 + n.stateNames.length) * T * M, seed + 1), [1 + n.stateNames.length, T, M]);
  // Parameters away from their initial values, so that every partial matters.
  const params = n.paramInit.map((p) => tf.scalar(p + 0.3));
  const run = (fused: boolean) => {
    const f = (xi: tf.Tensor, ...ps: tf.Tensor[]) => {
      const out = fused ? runNeuron(n, xi as tf.Tensor2D, ps, true) : host(xi as tf.Tensor2D, ps, true);
      return tf.sum(tf.mul(out, gOut)) as tf.Scalar;
    };
    const out = fused ? runNeuron(n, x, params, true) : host(x, params, true);
    const grads = tf.grads(f)([x, ...params]);
    const r = { out: out.dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
    tf.dispose([out, ...grads]);
    return r;
  };
  const simd = run(true);
  const js = run(false);
  const TM = T * M;
  const where = `${n.kind} T=${T} M=${M}`;
  expect(Array.from(simd.out.subarray(0, TM)), `${where}: spikes`).toEqual(Array.from(js.out.subarray(0, TM)));
  expect(maxRelative(simd.out.subarray(TM), js.out.subarray(TM)), `${where}: states`).toBeLessThan(1e-5);
  simd.grads.forEach((g, i) => expect(maxRelative(g, js.grads[i]), `${where}: gradient ${i}`).toBeLessThan(1e-4));
  tf.dispose([x, gOut, ...params]);
}
