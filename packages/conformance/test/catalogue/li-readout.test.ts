// @spikeflow/neurons' LI readout (it lives there; this package's tests already switch cpu, wasm and
// webgpu): a layer whose output is its membrane potential, checked against a float64 leaky
// integrator written by hand, forward and dL/dx, with the losses on the mean and the max over T.
import { beforeAll, describe, expect, it } from 'vitest';
import { build, outputReadout, rateLoss, seededRandom, Trainer, type ModelSpec } from '@spikeflow/core';
import { tf, useBackend, type BackendName } from './backends.js';

const T = 9;
const N = 3;
const F = 5;
const tau = 2.5;
const vRest = 0.2;

/** v[t] = v[t-1] + (x[t] - (v[t-1] - vRest)) / tau from v = vRest; dL/dx for L = sum(g * v). */
function byHand(x: number[][][], g: number[][][]) {
  const v = x.map((a) => a.map((b) => b.map(() => 0)));
  const gx = x.map((a) => a.map((b) => b.map(() => 0)));
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      let prev = vRest;
      for (let t = 0; t < T; t++) v[t][n][f] = prev = prev + (x[t][n][f] - (prev - vRest)) / tau;
      let carry = 0;
      for (let t = T - 1; t >= 0; t--) {
        const e = g[t][n][f] + carry;
        gx[t][n][f] = e / tau;
        carry = e * (1 - 1 / tau);
      }
    }
  }
  return { v, gx };
}

const rand = seededRandom(9);
const cube = (f: () => number) => Array.from({ length: T }, () => Array.from({ length: N }, () => Array.from({ length: F }, () => Math.fround(f()))));
// Inputs far above the threshold of 1: a spiking neuron would fire; the readout must not.
const x = cube(() => 6 * rand() - 1);
const g = cube(() => 2 * rand() - 1);

describe.each(['cpu', 'wasm', 'webgpu'] as BackendName[])('LI readout on %s', (backend) => {
  let ok = true;
  beforeAll(async () => {
    ok = await useBackend(backend);
  });
  const spec: ModelSpec = { input: { shape: [F] }, encoder: { kind: 'sequence' }, timeSteps: T, layers: [{ kind: 'neuron', neuron: 'li', tau, vRest }] };

  it('outputs V (never fires, never resets) within 1e-5 of float64, and dL/dx', async () => {
    if (!ok) return;
    const net = build(spec);
    expect(net.layers[0].emitsSpikes).toBe(false);
    const want = byHand(x, g);
    const xs = tf.tensor3d(x);
    const gs = tf.tensor3d(g);
    const out = net.forward(xs).output;
    const gx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(net.forward(xi).output, gs)) as tf.Scalar)(xs);
    const [v, d] = [(await out.data()) as Float32Array, (await gx.data()) as Float32Array];
    tf.dispose([xs, gs, out, gx]);
    net.dispose();
    const wantV = want.v.flat(2);
    expect(Math.max(...wantV)).toBeGreaterThan(1.5);
    wantV.forEach((w, k) => expect(Math.abs(v[k] - w)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(w)));
    want.gx.flat(2).forEach((w, k) => expect(Math.abs(d[k] - w)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(w)));
  });

  it("'crossEntropy' reads the mean of V over T, 'crossEntropyMax' its maximum", async () => {
    if (!ok) return;
    const out = tf.tensor3d(x);
    const labels = tf.tensor1d([1, 4, 0], 'int32');
    const ce = (logits: number[][]) => logits.reduce((sum, row, n) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0));
      return sum + lse - row[[1, 4, 0][n]];
    }, 0) / N;
    const mean = x[0].map((row, n) => row.map((_, f) => x.reduce((s, step) => s + step[n][f], 0) / T));
    const max = x[0].map((row, n) => row.map((_, f) => Math.max(...x.map((step) => step[n][f]))));
    for (const [kind, logits] of [['crossEntropy', mean], ['crossEntropyMax', max]] as const) {
      const r = outputReadout(kind, out);
      const l = rateLoss(kind, r, labels);
      expect(Math.abs((await l.data())[0] - ce(logits)), kind).toBeLessThan(1e-5);
      tf.dispose([r, l]);
    }
    tf.dispose([out, labels]);
  });
});

describe('a dense -> LI network learns with crossEntropyMax (cpu)', () => {
  beforeAll(() => useBackend('cpu'));
  it('the loss falls over 60 steps and accuracy on the training batch is perfect', async () => {
    const net = build({ input: { shape: [F] }, encoder: { kind: 'direct' }, timeSteps: 4, layers: [{ kind: 'dense', units: 3 }, { kind: 'neuron', neuron: 'li', tau: 2 }] }, { seed: 1 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 0.1 }, loss: 'crossEntropyMax' });
    // The class is the largest of the first three features: learnable by the dense layer.
    const data = Array.from({ length: 12 }, () => Array.from({ length: F }, () => rand()));
    const xs = tf.tensor2d(data);
    const ys = tf.tensor1d(data.map((row) => row.indexOf(Math.max(...row.slice(0, 3)))), 'int32');
    const losses: number[] = [];
    for (let s = 0; s < 60; s++) {
      const { loss, rate } = trainer.trainStep(xs, ys);
      losses.push((await loss.data())[0]);
      tf.dispose([loss, rate]);
    }
    expect(losses[59]).toBeLessThan(losses[0] * 0.5);
    const pred = trainer.evaluate(xs);
    const hits = tf.sum(tf.cast(tf.equal(tf.argMax(pred, 1), ys), 'int32'));
    expect((await hits.data())[0]).toBe(12);
    tf.dispose([xs, ys, pred, hits]);
    trainer.dispose();
    net.dispose();
  });
});
