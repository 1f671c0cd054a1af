// Divergence and bad labels are reported, never trained on silently.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkNeuronParameters, StepError, Trainer, build, ShapeError } from '@spikeflow/core';
import { cpu, tf } from '../setup.js';
import { batch, nonFiniteVariables, tinySpec, tinyTrainer, withValue } from './support.js';

async function failure(p: Promise<unknown>): Promise<StepError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(StepError);
  return e as StepError;
}

describe('a diverged step is reported with its epoch and step', () => {
  beforeAll(cpu);

  it('one NaN or Infinity pixel: verify() names the input of that step', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const { net, trainer } = tinyTrainer();
      const { x, y } = batch();
      trainer.setEpoch(2);
      tf.dispose(Object.values(trainer.trainStep(x, y)));
      await trainer.verify(); // a good step passes
      const xBad = await withValue(x, 5, bad);
      tf.dispose(Object.values(trainer.trainStep(xBad, y)));
      tf.dispose(Object.values(trainer.trainStep(x, y)));
      const e = await failure(trainer.verify());
      expect(e).toMatchObject({ kind: 'input', epoch: 3, step: 2 });
      expect(e.message).toBe('epoch 3, step 2: the input batch holds NaN or Infinity');
      tf.dispose([x, y, xBad]);
      trainer.dispose();
      net.dispose();
    }
  });

  it('a NaN injected into a weight: the loss or a gradient is named', async () => {
    const { net, trainer } = tinyTrainer();
    const { x, y } = batch();
    const kernel = net.namedVariables().find((v) => v.name === 'dense0/kernel')!.variable;
    const poisoned = await withValue(kernel, 3, Number.NaN);
    kernel.assign(poisoned);
    tf.dispose(Object.values(trainer.trainStep(x, y)));
    const e = await failure(trainer.verify());
    expect(['loss', 'gradient']).toContain(e.kind);
    expect(e.step).toBe(1);
    expect(e.message).toMatch(/^epoch 1, step 1: (the loss|the gradient of \S+) is NaN or Infinity: training diverged/);
    tf.dispose([x, y, poisoned]);
    net.dispose();
  });

  it('learning rate 1e308 (and NaN): the first weight that overflows is named at step 1', async () => {
    for (const lr of [1e308, Number.NaN]) {
      const { net, trainer } = tinyTrainer(1, lr);
      const { x, y } = batch();
      for (let i = 0; i < 3; i++) tf.dispose(Object.values(trainer.trainStep(x, y)));
      const e = await failure(trainer.verify());
      expect(e).toMatchObject({ kind: 'weight', step: 1 });
      expect(e.message).toMatch(/^epoch 1, step 1: weight \S+ became NaN or Infinity after the update/);
      tf.dispose([x, y]);
      net.dispose();
    }
  });

  it('an infinite tau (learning rate 1e9 drives w far negative) is named by checkNeuronParameters', () => {
    expect(() => checkNeuronParameters({ neuron0: { w: -1e9, tau: Number.POSITIVE_INFINITY } }, 1, 32)).toThrow(
      'epoch 1, step 32: neuron parameter neuron0.tau is Infinity',
    );
    expect(() => checkNeuronParameters({ neuron0: { w: 0, tau: 2 } }, 1, 32)).not.toThrow();
  });

  it('trainStepChecked throws before updating, or skips the step and leaves every weight as it was', async () => {
    const { net, trainer } = tinyTrainer();
    const { x, y } = batch();
    const xBad = await withValue(x, 0, Number.NaN);
    const before = await Promise.all(net.namedVariables().map(async (v) => Array.from(await v.variable.data())));
    const e = await failure(trainer.trainStepChecked(xBad, y));
    expect(e).toMatchObject({ kind: 'input', step: 1 });
    const skipped = await trainer.trainStepChecked(xBad, y, { skipInvalid: true });
    expect(skipped.skipped).toBe(true);
    tf.dispose([skipped.loss, skipped.rate]);
    expect(trainer.step).toBe(0);
    expect(trainer.skippedSteps).toBe(1);
    const after = await Promise.all(net.namedVariables().map(async (v) => Array.from(await v.variable.data())));
    expect(after).toEqual(before);
    expect(await nonFiniteVariables(net)).toEqual([]);
    const good = await trainer.trainStepChecked(x, y, { skipInvalid: true });
    expect(good.skipped).toBe(false);
    expect(trainer.step).toBe(1);
    tf.dispose([good.loss, good.rate, x, y, xBad]);
    await trainer.verify();
    net.dispose();
  });
});

describe('labels that are not class indices are refused', () => {
  beforeAll(cpu);

  for (const [what, labels] of [
    ['10 for 10 classes', [10, 1, 2, 3]],
    ['-1', [-1, 1, 2, 3]],
    ['2.7', [2.7, 1, 2, 3]],
    ['NaN', [Number.NaN, 1, 2, 3]],
  ] as const) {
    it(`label ${what}: a StepError naming the labels, on the deferred and the checked path`, async () => {
      const { net, trainer } = tinyTrainer();
      const { x } = batch();
      const y = tf.tensor1d([...labels], 'float32');
      tf.dispose(Object.values(trainer.trainStep(x, y)));
      const e = await failure(trainer.verify());
      expect(e.kind).toBe('labels');
      expect(e.message).toContain('each must be an integer in 0..9');
      const { trainer: checked, net: net2 } = tinyTrainer();
      expect((await failure(checked.trainStepChecked(x, y))).kind).toBe('labels');
      tf.dispose([x, y]);
      net.dispose();
      net2.dispose();
    });
  }

  it('labels of the wrong shape throw a ShapeError and leak no tensor', async () => {
    const { net, trainer } = tinyTrainer();
    const { x, y } = batch();
    tf.dispose(Object.values(trainer.trainStep(x, y))); // the first step creates the optimiser's slots
    const wrong = tf.tensor1d([1, 2], 'int32');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) expect(() => trainer.trainStep(x, wrong)).toThrow(ShapeError);
    await expect(trainer.trainStepChecked(x, wrong)).rejects.toThrow(ShapeError);
    const xWrong = tf.zeros([4, 5, 6, 1]);
    expect(() => trainer.trainStep(xWrong, y)).toThrow(ShapeError);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y, wrong, xWrong]);
    net.dispose();
  });

  it('checked steps keep the tensor count flat from step to step', async () => {
    const net = build(tinySpec, { seed: 2 });
    const trainer = new Trainer(net, { optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0.9 } });
    const { x, y } = batch();
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) {
      tf.dispose(Object.values(trainer.trainStep(x, y)));
      const r = await trainer.trainStepChecked(x, y);
      tf.dispose([r.loss, r.rate]);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    tf.dispose([x, y]);
    net.dispose();
  });
});
