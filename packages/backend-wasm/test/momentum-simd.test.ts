// SGD with momentum on wasm, one kernel per variable: bit for bit tfjs's MomentumOptimizer on
// tfjs-cpu (its four float32 ops), with and without Nesterov, for a variable split across two
// threads with a tail the loop updates, over three steps.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FusedMomentumOptimizer } from '@spikeflow/core/backend';
import { closeWasmNeuronThreads, setup } from '../src/index.js';
import { wasmMomentumSimdUpdates } from '../src/kernels/momentum.js';
import { randomValues } from './helpers.js';

beforeAll(async () => {
  const report = await setup({ threads: 2 });
  expect(report.threads).toBe(2);
});
afterAll(async () => {
  await closeWasmNeuronThreads();
});

/** Three steps of SGD with momentum on two variables; their values and the optimizer's slots after. */
async function train(backend: 'cpu' | 'wasm', nesterov: boolean, fused: boolean): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const a = tf.variable(tf.tensor1d(randomValues(70_003, 1)), true, `a${backend}${nesterov}${fused}`);
  const b = tf.variable(tf.tensor2d(randomValues(12, 2), [3, 4]), true, `b${backend}${nesterov}${fused}`);
  const opt = fused ? new FusedMomentumOptimizer(0.1, 0.9, nesterov) : tf.train.momentum(0.1, 0.9, nesterov);
  for (let step = 0; step < 3; step++) {
    const ga = tf.tensor1d(randomValues(70_003, 10 + step));
    const gb = tf.tensor2d(randomValues(12, 20 + step), [3, 4]);
    opt.applyGradients([{ name: a.name, tensor: ga }, { name: b.name, tensor: gb }]);
    tf.dispose([ga, gb]);
  }
  const weights = await opt.getWeights();
  const out = [a, b, ...weights.slice(1).map((w) => w.tensor)].map((t) => t.dataSync() as Float32Array);
  opt.dispose();
  tf.dispose([a, b]);
  return out;
}

describe('SGD with momentum on wasm', () => {
  it.each([false, true])('equals tfjs-cpu MomentumOptimizer bit for bit (nesterov %s)', async (nesterov) => {
    const cpu = await train('cpu', nesterov, false);
    const before = wasmMomentumSimdUpdates();
    const wasm = await train('wasm', nesterov, true);
    expect(wasmMomentumSimdUpdates() - before).toBe(6); // two variables, three steps
    expect(wasm.length).toBe(4);
    wasm.forEach((w, i) => expect(w).toEqual(cpu[i]));
  });
});
