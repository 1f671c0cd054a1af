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
import { neuronIrKey, PREBUILT_NEURON_LAYERS } from '@spikeflow/backend-wasm';
import { defaultPageThreads, requestedBackend, requestedThreads, wasmRunLabel } from '../lib/backend-choice.js';
import { explainChoice } from '../lib/runtime.js';

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
  test('every neuron layer has a prebuilt SIMD module, so browsers run the SIMD kernel without binaryen', () => {
    const prebuilt = build({ input: { shape: [4] }, layers: PREBUILT_NEURON_LAYERS.map((l) => ({ kind: 'neuron', ...l })) as never });
    const keys = new Set(prebuilt.layers.map((l) => neuronIrKey(l.neuron!.ir)));
    const demo = build(trainDemoModel(TRAIN_DEMO_DEFAULTS));
    const neuronLayers = demo.layers.filter((l) => l.neuron);
    expect(neuronLayers).toHaveLength(3);
    for (const l of neuronLayers) expect(keys.has(neuronIrKey(l.neuron!.ir)), l.name).toBe(true);
    prebuilt.dispose();
    demo.dispose();
  });
});

describe('backend choice', () => {
  test('the address picks a backend and threads, and names a wrong one', () => {
    expect(requestedBackend('')).toBe('auto');
    expect(requestedBackend('?backend=wasm&x=1')).toBe('wasm');
    expect(() => requestedBackend('?backend=webgl')).toThrow('?backend=webgl: unknown backend; known: auto, webgpu, wasm');
    expect(requestedThreads('?threads=3')).toBe(3);
    expect(requestedThreads('')).toBeUndefined();
    expect(() => requestedThreads('?threads=0')).toThrow(/\?threads=0: expected a whole number/);
  });
  test('without ?threads=, wasm gets every core but one where the page is isolated, at least 1', () => {
    expect(defaultPageThreads(true, 8)).toBe(7);
    expect(defaultPageThreads(true, 2)).toBe(1);
    expect(defaultPageThreads(true, 1)).toBe(1);
    expect(defaultPageThreads(true, undefined)).toBe(1);
    expect(defaultPageThreads(false, 8)).toBeUndefined();
  });
  test('the chosen wasm candidate is named by the threads it runs', () => {
    expect(wasmRunLabel(1)).toBe('wasm (1 thread)');
    expect(wasmRunLabel(3)).toBe('wasm (3 threads)');
  });
  test('the page says why: a software adapter, no WebGPU, a hardware adapter, the selector', () => {
    const software = { name: 'wasm', chosen: 'wasm (4 threads)', passedOver: [{ label: 'webgpu (hardware adapter)', reason: 'the adapter is google / swiftshader (software, browser)' }] };
    expect(explainChoice(software, 'auto')).toMatch(/^This browser's WebGPU adapter is a software one.*runs on wasm\. .*passed over webgpu \(hardware adapter\): the adapter is google \/ swiftshader \(software, browser\)\.$/);
    const none = { name: 'wasm', chosen: 'wasm (1 thread)', passedOver: [{ label: 'webgpu (hardware adapter)', reason: 'no navigator.gpu.' }] };
    expect(explainChoice(none, 'auto')).toMatch(/^WebGPU is not available in this browser/);
    expect(explainChoice({ name: 'webgpu', chosen: 'webgpu (hardware adapter)', passedOver: [] }, 'auto')).toMatch(/^WebGPU runs on a hardware adapter here/);
    expect(explainChoice(software, 'wasm')).toMatch(/^wasm was chosen with the selector/);
  });
});
