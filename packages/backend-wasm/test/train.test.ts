// A small conv net (Conv3x3-BN-ReLU-MaxPool-Dense) trains on wasm with the same gradients as cpu.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomInput, relativeError, type Input } from './helpers.js';

const N = 6;
const CLASSES = 4;

// No conv bias: batch norm cancels it, so its true gradient is 0 and only rounding noise remains.
interface Params { w: tf.Variable; gamma: tf.Variable; beta: tf.Variable; dw: tf.Variable; db: tf.Variable }
const shapes: Record<keyof Params, number[]> = {
  w: [3, 3, 3, 5], gamma: [5], beta: [5], dw: [5 * 5 * 5, CLASSES], db: [CLASSES],
};

function makeParams(): Params {
  const p: Record<string, tf.Variable> = {};
  Object.entries(shapes).forEach(([name, shape], i) => {
    const init = name === 'gamma' ? tf.ones(shape).add(tf.tensor(randomInput(shape, 90 + i).values, shape).mul(0.2))
      : tf.tensor(randomInput(shape, 90 + i).values, shape).mul(name === 'dw' ? 0.2 : 1);
    p[name] = tf.variable(init, true, `${name}_${Math.random()}`);
    init.dispose();
  });
  return p as unknown as Params;
}

function loss(p: Params, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  const c = tf.conv2d(x, p.w as tf.Tensor4D, 1, 'same');
  const { mean, variance } = tf.moments(c, [0, 1, 2]);
  const bn = c.sub(mean).mul(tf.rsqrt(variance.add(1e-5))).mul(p.gamma).add(p.beta);
  const pooled = tf.maxPool(tf.relu(bn) as tf.Tensor4D, 2, 2, 'valid');
  const logits = tf.matMul(pooled.reshape([N, -1]), p.dw).add(p.db);
  return tf.losses.meanSquaredError(tf.oneHot(labels, CLASSES), logits) as tf.Scalar;
}

const xIn: Input = randomInput([N, 11, 10, 3], 80);
const labelValues = [0, 3, 1, 2, 1, 0];

async function gradientsOn(backend: 'cpu' | 'wasm'): Promise<Map<string, Float32Array>> {
  await tf.setBackend(backend);
  const p = makeParams();
  const out = new Map<string, Float32Array>();
  tf.tidy(() => {
    const x = tf.tensor4d(xIn.values, xIn.shape as [number, number, number, number]);
    const labels = tf.tensor1d(labelValues, 'int32');
    const { grads } = tf.variableGrads(() => loss(p, x, labels), Object.values(p));
    for (const [k, v] of Object.entries(p)) out.set(k, grads[v.name].dataSync() as Float32Array);
  });
  tf.dispose(Object.values(p));
  return out;
}

describe('training a small conv net on wasm', () => {
  it('gives the same gradients as cpu within 1e-4', async () => {
    const cpu = await gradientsOn('cpu');
    const wasm = await gradientsOn('wasm');
    for (const [name, g] of cpu) {
      expect(relativeError(g, wasm.get(name)!), name).toBeLessThan(1e-4);
    }
  });

  it('decreases the loss and keeps the tensor count stable', async () => {
    await tf.setBackend('wasm');
    const p = makeParams();
    const x = tf.tensor4d(xIn.values, xIn.shape as [number, number, number, number]);
    const labels = tf.tensor1d(labelValues, 'int32');
    const opt = tf.train.momentum(0.01, 0.9);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 30; step++) {
      const l = opt.minimize(() => loss(p, x, labels), true, Object.values(p))!;
      losses.push(l.dataSync()[0]);
      l.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(losses[29]).toBeLessThan(0.5 * losses[0]);
    // The optimizer creates its slots on the first step; after that nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    opt.dispose();
    tf.dispose([x, labels, ...Object.values(p)]);
  });
});
