// The demos' logic in Node (tfjs cpu): what the pages compute, without a browser.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { build, registry, use } from '@spikeflow/core';
import { neurons, surrogates } from '@spikeflow/neurons';
import { extraNeurons, extraSurrogates } from '@spikeflow/neurons-extra';
import { pools } from '@spikeflow/pooling';
import { downsample } from '../lib/draw.js';
import { inputCurrent, neuronKinds, optionControls, simulate } from '../lib/playground.js';
import { trainDemoModel, TRAIN_DEMO_DEFAULTS } from '../lib/train-session.js';

beforeAll(async () => {
  use(neurons, surrogates, pools, extraNeurons, extraSurrogates);
  await tf.setBackend('cpu');
});

describe('draw demo', () => {
  test('downsample averages each 10x10 block of the canvas into one pixel', () => {
    const rgba = new Uint8ClampedArray(280 * 280 * 4);
    // Block (row 3, column 5) half white: its pixel is 0.5; everything else black.
    for (let y = 30; y < 40; y++) for (let x = 50; x < 55; x++) rgba.fill(255, (y * 280 + x) * 4, (y * 280 + x) * 4 + 3);
    const px = downsample(rgba, 280);
    expect(px.length).toBe(784);
    expect(px[3 * 28 + 5]).toBeCloseTo(0.5, 6);
    expect(px.reduce((a, b) => a + b, 0)).toBeCloseTo(0.5, 6);
  });
  test('downsample names what it expected on a wrong size', () => {
    expect(() => downsample(new Uint8ClampedArray(100 * 100 * 4), 100)).toThrow(/multiple of 28/);
  });
});

describe('playground', () => {
  test('lists every registered neuron with a slider range that holds its default', () => {
    const kinds = neuronKinds().map((k) => k.kind);
    expect(kinds).toEqual([...registry.neurons.keys()]);
    expect(kinds).toEqual(expect.arrayContaining(['if', 'lif', 'plif', 'qif', 'izhikevich']));
    for (const kind of kinds) {
      for (const c of optionControls(kind).filter((c) => c.type === 'number')) {
        expect(c.min, `${kind}.${c.name}`).toBeLessThanOrEqual(c.default as number);
        expect(c.max, `${kind}.${c.name}`).toBeGreaterThanOrEqual(c.default as number);
      }
    }
    expect(() => optionControls('plfi')).toThrow(/not registered; known: if, lif, plif/);
  });
  test('a step input is on only in the middle half', () => {
    const x = inputCurrent({ kind: 'step', amplitude: 2, steps: 8 });
    expect(Array.from(x)).toEqual([0, 0, 2, 2, 2, 2, 0, 0]);
  });
  test('LIF fires on a strong input, hyperpolarises after a spike and never fires below threshold', async () => {
    const lif = { neuron: 'lif', vThreshold: 1, vReset: -1, vRest: 0, options: { tau: 2, decayInput: true } };
    const strong = await simulate(lif, { kind: 'constant', amplitude: 3, steps: 20 });
    const first = strong.spikes.indexOf(1);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(strong.v[first]).toBe(-1);
    const weak = await simulate(lif, { kind: 'constant', amplitude: 0.9, steps: 50 });
    expect(weak.spikes.reduce((a, b) => a + b, 0)).toBe(0);
  });
});

describe('training demo', () => {
  test('its network builds and gives 10 class scores', () => {
    const net = build(trainDemoModel(TRAIN_DEMO_DEFAULTS));
    const rate = net.predict(tf.zeros([2, 28, 28, 1]));
    expect(rate.shape).toEqual([2, 10]);
    tf.dispose(rate);
    net.dispose();
  });
});
