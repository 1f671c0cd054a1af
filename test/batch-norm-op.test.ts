// The training batch norm op: the fused kernels of cpu and wasm against the reference (tfjs ops
// differentiated by tfjs), and the reference's closed-form backward against tfjs's autograd.
// Values, batch statistics, all three gradients, and a network's running statistics after steps.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@spikeflow/backend-cpu';
import '@spikeflow/backend-wasm';
import { Trainer, build, use, type ModelSpec } from '@spikeflow/core';
import { BATCH_NORM_TRAIN_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL, batchNormImplementation, batchNormHostLoops, batchNormTrain, batchNormTrainGrad } from '@spikeflow/core/backend';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { BATCH_NORM_OUTPUTS, batchNormInputs, batchNormOracle, relError, values, type BatchNormCase } from '@spikeflow/test-support/batch-norm-cases';

use(neurons, surrogates, pools);

type Case = BatchNormCase;
const cases: Case[] = [
  { name: 'rows x channels, odd sizes', shape: [7, 3] },
  { name: 'NHWC conv output', shape: [3, 5, 7, 5] },
  { name: 'one row (zero variance)', shape: [1, 6] },
  { name: 'large mean, small spread', shape: [4, 9, 2], offset: 1000, spread: 0.01 },
  { name: 'binary spikes', shape: [2, 4, 4, 8], spread: -1 },
  { name: 'wide layer (plain loops, not unrolled)', shape: [5, 130] },
];

function inputs(c: Case) {
  const d = batchNormInputs(c);
  return { x: tf.tensor(d.x, c.shape), gamma: tf.tensor1d(d.gamma), beta: tf.tensor1d(d.beta), w: tf.tensor(d.w, c.shape) };
}

/** y, mean, variance and the gradients of sum(y * w) w.r.t. x, gamma, beta. */
function run(c: Case, impl?: 'reference') {
  return tf.tidy(() => {
    const { x, gamma, beta, w } = inputs(c);
    const out = batchNormTrain(x, gamma, beta, 1e-5, impl);
    const f = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(batchNormTrain(xx, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5, impl).y, w)) as tf.Scalar;
    const grads = tf.grads(f)([x, gamma, beta]);
    return [out.y, out.mean, out.variance, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

// The reference's float32 rounding of x - mean is magnified by 1/std: 316 for a zero variance (eps 1e-5).
const tolerance = (c: Case) => (c.shape[0] === 1 ? 1e-4 : 2e-5);
const TOL = 2e-5;
const names = BATCH_NORM_OUTPUTS;

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`batch norm for training on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    it('runs the fused kernels there', () => {
      expect(batchNormImplementation(backend)).toBe('fused');
      expect([batchNormHostLoops(32), batchNormHostLoops(130)]).toEqual(['unrolled', 'plain']);
      expect(tf.getKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, backend)).toBeDefined();
    });

    it.each(cases)('fused = float64 oracle, and = reference: $name $shape', (c) => {
      const fused = run(c);
      const [xd, gd, bd, wd] = tf.tidy(() => Object.values(inputs(c)).map((t) => t.dataSync() as Float32Array));
      const exact = batchNormOracle(xd, gd, bd, wd, gd.length, 1e-5);
      exact.forEach((e, i) => expect(relError(e, fused[i]), `${names[i]} vs float64`).toBeLessThan(c.offset ? 1e-4 : TOL));
      // The reference's own float32 error exceeds any useful bound for a large mean; skip only that case.
      if (c.offset) return;
      const reference = run(c, 'reference');
      fused.forEach((f, i) => expect(relError(reference[i], f), names[i]).toBeLessThan(tolerance(c)));
    });

    it.each(cases)('closed-form backward = autograd of the reference: $name $shape', (c) => {
      const [ref, closed] = [false, true].map((closedForm) => tf.tidy(() => {
        const { x, gamma, beta, w } = inputs(c);
        const C = c.shape[c.shape.length - 1];
        if (!closedForm) {
          const f = (xx: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(xx, g as tf.Tensor1D, beta, 1e-5, 'reference').y, w)) as tf.Scalar;
          return tf.grads(f)([x, gamma]).map((t) => t.dataSync() as Float32Array);
        }
        const { mean, variance } = batchNormTrain(x, gamma, beta, 1e-5, 'reference');
        const x2 = tf.reshape(x, [-1, C]) as tf.Tensor2D;
        const r = batchNormTrainGrad(tf.reshape(w, [-1, C]) as tf.Tensor2D, x2, mean, variance, gamma, 1e-5, 'reference');
        return [r.dx, r.dgamma].map((t) => t.dataSync() as Float32Array);
      }));
      ref.forEach((r, i) => expect(relError(r, closed[i]), names[3 + i]).toBeLessThan(c.offset ? 0.05 : tolerance(c)));
    });

    it('rejects a gamma that does not match the channel axis, naming it', () => {
      expect(() => tf.tidy(() => {
        batchNormTrain(tf.zeros([4, 3]), tf.ones([2]), tf.zeros([3]), 1e-5);
      })).toThrow(/gamma must have shape \[3\]/);
    });

    it('a network trains the same with the fused kernels as with the reference: weights and running statistics', () => {
      const spec: ModelSpec = {
        format: 'spikeflow.model/v1',
        name: 'bn-net',
        input: { shape: [6, 6, 2] },
        timeSteps: 3,
        layers: [
          // No conv bias: batch norm cancels it, so its gradient is rounding noise that Adam magnifies.
          { kind: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', useBias: false },
          { kind: 'batchNorm' },
          { kind: 'neuron', neuron: 'plif' },
          { kind: 'conv2d', filters: 5, kernelSize: 3, padding: 'valid', useBias: false },
          { kind: 'batchNorm', momentum: 0.2 },
          { kind: 'neuron', neuron: 'plif' },
          { kind: 'flatten' },
          { kind: 'dense', units: 10 },
          { kind: 'neuron', neuron: 'plif' },
        ],
      } as unknown as ModelSpec;
      const trainTwice = () => {
        const net = build(spec, { seed: 3 });
        const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 0.01 }, loss: 'mse' });
        const xs = tf.tensor(values(4 * 6 * 6 * 2, 21, 0, 1), [4, 6, 6, 2]);
        const ys = tf.tensor1d([1, 3, 5, 7], 'int32');
        for (let i = 0; i < 2; i++) {
          const r = trainer.trainStep(xs, ys);
          tf.dispose([r.loss, r.rate]);
        }
        const out = Object.fromEntries(net.layers.flatMap((l) => l.variables).map((v) => [v.name, v.variable.dataSync() as Float32Array]));
        tf.dispose([xs, ys]);
        trainer.dispose();
        net.dispose();
        return out;
      };
      const fused = trainTwice();
      const kernels = [BATCH_NORM_TRAIN_KERNEL, BATCH_NORM_TRAIN_GRAD_KERNEL].map((k) => tf.getKernel(k, backend)!);
      for (const k of kernels) tf.unregisterKernel(k.kernelName, backend);
      let reference: Record<string, Float32Array>;
      try {
        expect(batchNormImplementation(backend)).toBe('reference');
        reference = trainTwice();
      } finally {
        for (const k of kernels) tf.registerKernel(k);
      }
      expect(Object.keys(fused)).toContain('batchNorm1/movingVariance');
      for (const [name, v] of Object.entries(reference)) expect(relError(v, fused[name]), name).toBeLessThan(1e-4);
      // The running statistics moved off their initial values.
      expect(Array.from(fused['batchNorm1/movingMean']).some((m) => Math.abs(m) > 1e-4)).toBe(true);
    });
  });
}
