// checkpointEvery on a whole network (build option and per-pass override): the same loss and
// bit-identical gradients for every variable, less memory held for the backward pass, and a clear
// error for a bad value.
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type ModelSpec } from '@spikeflow/core';
import { cpu, tf } from './setup.js';

const lif = { kind: 'neuron', neuron: 'lif', tau: 2, vThreshold: 0.3, detachReset: true, surrogate: { kind: 'atan', alpha: 2 } } as const;
const plif = { kind: 'neuron', neuron: 'plif', initTau: 2, vThreshold: 0.3, surrogate: { kind: 'sigmoid', alpha: 4 } } as const;
// Sequence input, so nothing is static and every layer runs over all T.
const spec: ModelSpec = {
  input: { shape: [20] },
  timeSteps: 32,
  encoder: { kind: 'sequence' },
  layers: [
    { kind: 'dense', units: 64, useBias: true },
    plif,
    { kind: 'dense', units: 48, useBias: false },
    lif,
    { kind: 'dense', units: 5, useBias: true },
    plif,
  ],
} as ModelSpec;

/** Loss, every gradient's bits, and the peak tensor bytes of one BPTT step. */
async function step(buildK: number | undefined, passK?: number) {
  const net = build(spec, { seed: 4, checkpointEvery: buildK });
  const x = tf.randomUniform([32, 6, 20], 0, 1, 'float32', 9);
  const target = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), 5);
  let grads: tf.NamedTensorMap = {};
  let loss: tf.Scalar | undefined;
  const profile = await tf.profile(() => {
    ({ value: loss, grads } = tf.variableGrads(() => {
      const { output } = net.forward(x, { training: true, seed: 1, checkpointEvery: passK });
      return tf.losses.meanSquaredError(target, tf.mean(output, 0));
    }, net.trainableVariables()));
    return [];
  });
  const bits = Object.fromEntries(
    await Promise.all(net.trainableNamedVariables().map(async (v) => [v.name, Array.from(new Uint32Array(((await grads[v.variable.name].data()) as Float32Array).slice().buffer))] as const)),
  );
  const lossValue = (await loss!.data())[0];
  tf.dispose([x, target, loss!, ...Object.values(grads)]);
  net.dispose();
  return { loss: lossValue, bits, peakBytes: profile.peakBytes };
}

describe('checkpointEvery on a network (cpu)', () => {
  beforeAll(cpu);

  it('gives bit-identical gradients and holds less for backward (build option and per-pass override)', async () => {
    const full = await step(undefined);
    expect(Object.keys(full.bits).length).toBeGreaterThanOrEqual(6);
    for (const name of Object.keys(full.bits)) expect(full.bits[name].some((b) => b !== 0), `${name}: all-zero gradient`).toBe(true);
    for (const [buildK, passK] of [[8, undefined], [5, undefined], [0, 6], [8, 0]] as const) {
      const lean = await step(buildK, passK);
      expect(lean.loss).toBe(full.loss);
      expect(lean.bits).toEqual(full.bits);
      console.log(`checkpointEvery ${passK ?? buildK}: peak ${lean.peakBytes} bytes, every step kept: ${full.peakBytes}`);
      // Three neuron layers' tapes of 64 + 48 + 5 neurons x 6 samples x 32 steps are 90 KB in all.
      if ((passK ?? buildK) > 0) expect(full.peakBytes - lean.peakBytes, `k=${passK ?? buildK}`).toBeGreaterThan(40_000);
      else expect(Math.abs(lean.peakBytes - full.peakBytes)).toBeLessThan(1000);
    }
  });

  it('leaks nothing: evaluation and training steps with the option end with as many tensors as they started', async () => {
    const { Trainer } = await import('@spikeflow/core');
    const net = build(spec, { seed: 4, checkpointEvery: 5 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-3 } });
    const x = tf.randomUniform([32, 3, 20], 0, 1, 'float32', 9);
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const step = async () => {
      const { loss, rate } = trainer.trainStep(x, labels);
      await loss.data();
      tf.dispose([loss, rate]);
    };
    await step(); // the optimiser's slots
    const before = tf.memory().numTensors;
    await step();
    tf.dispose(net.forward(x).output);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels]);
    trainer.optimizer.dispose();
    net.dispose();
  });

  it('keeps the option on the network, settable, and rejects anything but a non-negative integer with the option named', () => {
    const net = build(spec, { checkpointEvery: 4 });
    expect(net.checkpointEvery).toBe(4);
    net.checkpointEvery = 0;
    expect(net.checkpointEvery).toBe(0);
    expect(() => (net.checkpointEvery = 2.5)).toThrow(/checkpointEvery: expected a positive integer.*got 2\.5/);
    net.dispose();
    expect(() => build(spec, { checkpointEvery: -1 })).toThrow(/build: checkpointEvery: expected a positive integer.*got -1/);
    const x = tf.zeros([32, 1, 20]);
    const ok = build(spec);
    expect(() => ok.forward(x, { checkpointEvery: Number.NaN })).toThrow(/forward: checkpointEvery: expected a positive integer/);
    ok.dispose();
    x.dispose();
  });
});

describe('custom gradients free the gradient they received once used', () => {
  beforeAll(cpu);

  it("leaves a dy the caller passed in alone, and frees the backward pass's own", async () => {
    const { runNeuron } = await import('@spikeflow/core');
    const net = build(spec, { seed: 4 });
    const neuron = net.layers.find((l) => l.neuron)!;
    const x = tf.randomUniform([5, 7], 0, 2, 'float32', 3) as tf.Tensor2D;
    const params = neuron.variables.map((v) => v.variable as tf.Tensor);
    // The op's output is the differentiated value: its dy is the caller's tensor.
    const dy = tf.onesLike(x);
    const [gx] = tf.grads((xi: tf.Tensor) => runNeuron(neuron.neuron!, xi as tf.Tensor2D, params))([x], dy);
    expect(dy.isDisposed).toBe(false);
    expect(Array.from(await dy.data())).toEqual(new Array(35).fill(1));
    // Through a product, the op's dy is made by the backward pass: freed as soon as the op used it,
    // so no more tensors are alive after the gradient than before it.
    const before = tf.memory().numTensors;
    const [gx2] = tf.grads((xi: tf.Tensor) => tf.sum(tf.mul(runNeuron(neuron.neuron!, xi as tf.Tensor2D, params), 2)))([x]);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(await gx2.data())).toEqual(Array.from(await tf.mul(gx, 2).data()));
    tf.dispose([x, dy, gx, gx2]);
    net.dispose();
  });
});

describe("spikeflow's gradients free what their op kept once they have run", () => {
  beforeAll(cpu);

  /**
   * Runs `op` on x behind a probe whose gradient runs after the op's: returns whether the tensors
   * the op saved for its gradient were already freed then (tfjs frees them only when the whole
   * backward pass ends), and that the op kept anything at all.
   */
  function savedFreedBeforeEarlierGradients(op: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): { kept: number; freed: boolean[] } {
    let saved: tf.Tensor[] = [];
    let freed: boolean[] = [];
    const probe = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const input = args[0] as tf.Tensor;
      return { value: tf.clone(input), gradFunc: (dy: tf.Tensor) => {
        freed = saved.map((t) => t.isDisposed);
        return tf.clone(dy);
      } };
    });
    const [g] = tf.grads((xi: tf.Tensor) => {
      const before = tf.engine().state.activeTape.length;
      const y = op(probe(xi) as tf.Tensor);
      saved = tf.engine().state.activeTape.slice(before + 1).flatMap((node) => node.saved ?? []);
      return tf.sum(tf.mul(y, tf.randomUniform(y.shape, -1, 1, 'float32', 2)));
    })([x]);
    g.dispose();
    return { kept: saved.length, freed };
  }

  it('the neuron op (every step, checkpointed, repeated input), spike convolution and dense product, max pooling of spikes, batch norm', async () => {
    const { runNeuron } = await import('@spikeflow/core');
    const { batchNormTrain, conv2dSpikes, matMulSpikes } = await import('@spikeflow/core/backend');
    const { maxPool } = await import('@spikeflow/pooling');
    const net = build(spec, { seed: 4 });
    const n = net.layers.find((l) => l.neuron)!;
    const params = n.variables.map((v) => v.variable as tf.Tensor);
    const spikes = tf.cast(tf.greater(tf.randomUniform([2, 6, 6, 4], 0, 1, 'float32', 5), 0.6), 'float32');
    const kernel = tf.randomUniform([3, 3, 4, 4], -1, 1, 'float32', 6) as tf.Tensor4D;
    const weights = tf.reshape(kernel, [36, 4]) as tf.Tensor2D;
    const gamma = tf.ones([4]) as tf.Tensor1D;
    const beta = tf.zeros([4]) as tf.Tensor1D;
    const cases: Array<[string, (x: tf.Tensor) => tf.Tensor, tf.Tensor]> = [
      ['neuron op', (x) => runNeuron(n.neuron!, x as tf.Tensor2D, params), tf.randomUniform([6, 9], 0, 2, 'float32', 3)],
      ['neuron op, checkpointEvery 4', (x) => runNeuron(n.neuron!, x as tf.Tensor2D, params, false, undefined, { checkpointEvery: 4 }), tf.randomUniform([6, 9], 0, 2, 'float32', 3)],
      ['neuron op, repeated input', (x) => runNeuron(n.neuron!, x as tf.Tensor2D, params, false, undefined, { checkpointEvery: 4, repeatInput: 6 }), tf.randomUniform([1, 9], 0, 2, 'float32', 3)],
      ['conv2d of spikes', (x) => conv2dSpikes(x as tf.Tensor4D, kernel, [1, 1], 'same'), spikes],
      ['dense product of spikes', (x) => matMulSpikes(x as tf.Tensor2D, weights), tf.reshape(spikes, [8, 36])],
      ['max pooling of spikes', (x) => maxPool.applyToSpikes!(x as tf.Tensor4D, { size: [2, 2], stride: [2, 2], padding: 'valid' }, {}), spikes],
      ['batch norm', (x) => batchNormTrain(x, gamma, beta, 1e-5).y, tf.randomUniform([2, 6, 6, 4], 0, 2, 'float32', 7)],
    ];
    for (const [name, op, x] of cases) {
      const { kept, freed } = savedFreedBeforeEarlierGradients(op, x);
      expect(kept, `${name}: kept nothing`).toBeGreaterThan(0);
      expect(freed.every(Boolean), `${name}: saved tensors still alive: ${JSON.stringify(freed)}`).toBe(true);
    }
    tf.dispose([spikes, kernel, weights, gamma, beta, ...cases.map((c) => c[2])]);
    net.dispose();
  });
});
