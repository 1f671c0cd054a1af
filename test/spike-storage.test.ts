// Layers that consume spikes keep them as bool for the backward pass (where the backend stores bool
// in one byte): the gradients must be bit-identical to keeping float32, and the step must hold less.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, setSpikesSavedAsBool, spikesSavedAsBool, use, type ModelSpec } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { firstMaxPool, pools } from '@spikeflow/pooling';
import { setup as setupWasm } from '@spikeflow/backend-wasm';

const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, vThreshold: 0.1, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;
// A low threshold, so that every layer spikes and every gradient is non-zero.
const spec: ModelSpec = {
  input: { shape: [12, 12, 1] },
  timeSteps: 4,
  layers: [
    { kind: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', useBias: false },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', useBias: true },
    { kind: 'batchNorm' },
    plif,
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 16, useBias: false },
    plif,
    { kind: 'dense', units: 5, useBias: true },
    plif,
  ],
} as ModelSpec;

/** Loss and every gradient of one step, and the bytes the gradient tape holds once the forward pass has run (each buffer once). */
async function step(asBool: boolean) {
  const backend = tf.getBackend();
  setSpikesSavedAsBool(backend, asBool);
  const net = build(spec, { seed: 3 });
  const x = tf.randomUniform([3, 12, 12, 1], 0, 1, 'float32', 5);
  const target = tf.oneHot(tf.tensor1d([0, 2, 4], 'int32'), 5);
  let held = 0;
  const { value: loss, grads } = tf.variableGrads(() => {
    const { output } = net.forward(x, { training: true, seed: 1 });
    const buffers = new Map<object, number>();
    for (const node of tf.engine().state.activeTape) for (const t of node.saved ?? []) if (!t.isDisposed) buffers.set(t.dataId, t.size * (t.dtype === 'bool' ? 1 : 4));
    held = [...buffers.values()].reduce((a, b) => a + b, 0);
    return tf.losses.meanSquaredError(target, tf.mean(output, 0)) as tf.Scalar;
  }, net.trainableVariables());
  // tfjs names variables with a global counter: key the gradients by the layers' own names.
  const values = Object.fromEntries(await Promise.all(net.trainableNamedVariables().map(async (v) => [v.name, Array.from(await grads[v.variable.name].data())] as const)));
  const lossValue = (await loss.data())[0];
  tf.dispose([x, target, loss, ...Object.values(grads)]);
  net.dispose();
  setSpikesSavedAsBool(backend, false);
  return { loss: lossValue, grads: values, held };
}

describe.each(['cpu', 'wasm'])('spikes kept as bool for backward on %s', (backend) => {
  beforeAll(async () => {
    use(neurons, surrogates, pools);
    if (backend === 'wasm') await setupWasm();
    await tf.setBackend(backend);
  });

  it('is off by default on this backend (it costs step time)', () => {
    expect(spikesSavedAsBool(backend)).toBe(false);
  });

  it('casts nothing more where no gradient is recorded (evaluation), even when on', async () => {
    const net = build(spec, { seed: 3 });
    const x = tf.randomUniform([3, 12, 12, 1], 0, 1, 'float32', 5);
    const casts = async (asBool: boolean, fn: () => tf.Tensor) => {
      setSpikesSavedAsBool(backend, asBool);
      const kernels = (await tf.profile(() => fn())).kernels;
      setSpikesSavedAsBool(backend, false);
      return kernels.filter((k) => k.name === 'Cast').length;
    };
    const evaluate = () => net.forward(x, { training: false }).output;
    const train = () => tf.grad((xi: tf.Tensor) => tf.sum(net.forward(xi, { training: true, seed: 1 }).output))(x);
    const evaluation = [await casts(false, evaluate), await casts(true, evaluate)];
    const training = [await casts(false, train), await casts(true, train)];
    tf.dispose(x);
    net.dispose();
    expect(evaluation[1]).toBe(evaluation[0]);
    expect(training[1]).toBeGreaterThan(training[0]);
  });

  it('gives bit-identical loss and gradients, and holds less for the backward pass', async () => {
    const float = await step(false);
    const bool = await step(true);
    expect(bool.loss).toBe(float.loss);
    expect(Object.keys(bool.grads).sort()).toEqual(Object.keys(float.grads).sort());
    for (const [name, g] of Object.entries(float.grads)) {
      expect(g.some((v) => v !== 0), `${name} has a non-zero gradient`).toBe(true);
      expect(bool.grads[name], name).toEqual(g);
    }
    // What the tape holds, not the step's peak: each layer's gradient frees what the layer kept, so
    // this small network's peak comes in the first layer's backward, after the spikes are freed.
    expect(bool.held).toBeLessThan(float.held);
  });
});

describe('max pooling with the portable first-max gradient', () => {
  it('keeps its input as bool and routes the same gradient', async () => {
    await tf.setBackend('cpu');
    // Spikes with ties in most windows, so the first-maximum routing matters.
    const x = tf.cast(tf.greater(tf.randomUniform([2, 6, 6, 3], 0, 1, 'float32', 9), 0.4), 'float32') as tf.Tensor4D;
    const dy = tf.randomNormal([2, 3, 3, 3], 0, 1, 'float32', 10);
    const window = { size: [2, 2] as [number, number], stride: [2, 2] as [number, number], padding: 'valid' as const };
    const grad = (spikes: boolean) => tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(firstMaxPool(xi as tf.Tensor4D, window, spikes), dy)))(x);
    const [plain, asBool] = [grad(false), grad(true)];
    expect(Array.from(await asBool.data())).toEqual(Array.from(await plain.data()));
    // Each window sends its dy to exactly one element, its first maximum.
    expect(Array.from(await plain.data()).filter((v) => v !== 0)).toHaveLength(2 * 3 * 3 * 3);
    tf.dispose([x, dy, plain, asBool]);
  });
});

describe('where bool is 32 bits', () => {
  it('a backend can keep float32 spikes', () => {
    setSpikesSavedAsBool('some-backend', false);
    expect(spikesSavedAsBool('some-backend')).toBe(false);
    setSpikesSavedAsBool('some-backend', true);
    expect(spikesSavedAsBool('some-backend')).toBe(true);
  });

  it('the webgpu provider keeps float32 spikes (WebGPU stores bool in 32 bits)', async (ctx) => {
    const { provider } = await import('@spikeflow/backend-webgpu');
    try {
      await provider.setup({ setBackend: false });
    } catch (e) {
      console.warn(`SKIPPED: no WebGPU adapter here (${(e as Error).message.split('\n')[0]}); CI runs it on Mesa lavapipe`);
      ctx.skip();
    }
    expect(spikesSavedAsBool('webgpu')).toBe(false);
  });
});
