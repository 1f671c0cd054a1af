// Graph networks at run time: the multi-step fast path (stateless layers once over T*N, or once
// over N before the first stateful layer of a direct-encoded network), merges, recurrent layers,
// summary and checkpoints.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, defineLayer, loadCheckpoint, Registry, saveCheckpoint, summary, type ModelSpec } from '@spikeflow/core';
import { fileHandler } from '@spikeflow/core/node';
import { neurons, surrogates } from '@spikeflow/neurons';
import { pools } from '@spikeflow/pooling';
import { field } from '@spikeflow/spec';
import { cpu } from './setup.js';

declare module '@spikeflow/spec' {
  interface LayerKinds {
    probe: { kind: 'probe'; name?: string; inputs?: readonly string[]; tag?: string };
  }
}

/** A stateless identity layer (NOT with tag "not") that records the batch size of every call. */
const calls: Array<[string, number]> = [];
const probe = defineLayer({
  kind: 'probe',
  description: 'identity that records its calls',
  fields: { tag: field.string({ default: '', description: 'label of the call' }) },
  outputShape: ([s]) => s,
  stateless: true,
  build: (c) => ({ apply: (x) => (calls.push([c.spec.tag as string, x.shape[0]]), c.spec.tag === 'not' ? tf.sub(1, x) : tf.clone(x)) }),
});

const registry = new Registry().register(neurons, surrogates, pools, probe);
const T = 3;
const N = 2;
const plif = { kind: 'neuron', neuron: 'plif' } as const;

const sew: ModelSpec = {
  input: { shape: [6, 6, 1] },
  timeSteps: T,
  layers: [
    { kind: 'conv2d', filters: 4, kernelSize: 3, useBias: false },
    { kind: 'probe', tag: 'before first neuron' },
    { ...plif, name: 'stem' },
    { kind: 'conv2d', filters: 4, kernelSize: 3 },
    { kind: 'probe', tag: 'after a neuron' },
    { ...plif, name: 'block' },
    { kind: 'iand', name: 'sew', inputs: ['block', 'stem'] },
    { kind: 'concat', inputs: ['sew', 'stem'] },
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'recurrent', neuron: 'plif', connection: 'dense', name: 'rec' },
    { kind: 'dense', units: 4 },
    plif,
  ],
};

describe('graph networks (cpu)', () => {
  beforeAll(cpu);

  it('stateless layers run once per forward: over N before the first neuron, over T*N after', () => {
    calls.length = 0;
    const net = build(sew, { registry, seed: 1 });
    const x = tf.randomUniform([N, 6, 6, 1], 0, 2, 'float32', 5);
    const { output } = net.forward(x);
    expect(output.shape).toEqual([T, N, 4]);
    expect(calls).toEqual([['before first neuron', N], ['after a neuron', T * N]]);
    tf.dispose([x, output]);
    net.dispose();
  });

  it('iand negates its first input; concat joins channels; add and and are elementwise', () => {
    const spec: ModelSpec = {
      input: { shape: [4] },
      encoder: { kind: 'sequence' },
      timeSteps: 1,
      layers: [
        { kind: 'probe', name: 'a' },
        { kind: 'probe', name: 'b', inputs: ['a'], tag: 'not' },
        { kind: 'iand', name: 'i', inputs: ['a', 'b'] },
        { kind: 'and', name: 'n', inputs: ['a', 'b'] },
        { kind: 'add', name: 's', inputs: ['i', 'n', 'b'] },
        { kind: 'concat', inputs: ['s', 'i'] },
      ],
    };
    const net = build(spec, { registry });
    const a = [0, 0, 1, 1];
    const x = tf.tensor3d([[a]]);
    // b = NOT a = [1, 1, 0, 0]: iand(a, b) = (1 - a) b = [1, 1, 0, 0] (iand(b, a) would be a);
    // and = a b = 0; add = i + n + b = [2, 2, 0, 0]; concat = [add, iand].
    const out = net.forward(x).output;
    expect(Array.from(out.dataSync())).toEqual([2, 2, 0, 0, 1, 1, 0, 0]);
    tf.dispose([x, out]);
    net.dispose();
  });

  it('summary lists merges and recurrent layers; a checkpoint restores the same outputs', async () => {
    const net = build(sew, { registry, seed: 7 });
    const s = summary(net);
    expect(s.layers.find((l) => l.name === 'sew')?.detail).toBe('NOT block AND stem');
    expect(s.layers.find((l) => l.kind === 'concat')).toMatchObject({ outputShape: [6, 6, 8], detail: 'sew, stem' });
    // 2F x F kernel and F bias for F = 3 * 3 * 8, and PLIF's w.
    expect(s.layers.find((l) => l.name === 'rec')).toMatchObject({ trainable: 2 * 72 * 72 + 72 + 1, detail: 'plif tau0=2, dense feedback' });
    const x = tf.randomUniform([N, 6, 6, 1], 0, 2, 'float32', 9);
    const before = await net.predict(x).data();
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-graph-'));
    await saveCheckpoint(net, fileHandler(dir));
    const { network } = await loadCheckpoint(fileHandler(dir), { registry });
    expect(Array.from(await network.predict(x).data())).toEqual(Array.from(before));
    tf.dispose(x);
    net.dispose();
    network.dispose();
  });

  it('records a recurrent layer like a neuron layer; elementwise feedback on images', () => {
    const spec: ModelSpec = {
      input: { shape: [4, 4, 2] },
      timeSteps: T,
      layers: [{ kind: 'conv2d', filters: 2, kernelSize: 3 }, { kind: 'recurrent', neuron: 'lif', connection: 'elementwise', name: 'r' }, { kind: 'flatten' }],
    };
    const net = build(spec, { registry });
    expect(net.namedVariables().map((v) => [v.name, v.variable.shape])).toEqual([['conv2d0/kernel', [3, 3, 2, 2]], ['conv2d0/bias', [2]], ['r/recurrentWeight', [32]]]);
    const x = tf.randomUniform([N, 4, 4, 2], 0, 3, 'float32', 2);
    const { output, records } = net.forward(x, { record: ['r'] });
    expect(records.get('r')!.spikes.shape).toEqual([T, N, 4, 4, 2]);
    expect(records.get('r')!.v!.shape).toEqual([T, N, 4, 4, 2]);
    tf.dispose([x, output, ...[...records.values()].flatMap((r) => [r.spikes, r.v!])]);
    net.dispose();
  });

  it('attention: scale * Q (K^T V) per head over the pixels as tokens', () => {
    const spec = (heads: number): ModelSpec => ({
      input: { shape: [1, 2, 2] },
      encoder: { kind: 'sequence' },
      timeSteps: 1,
      layers: [
        { kind: 'probe', name: 'q' },
        { kind: 'probe', name: 'k', inputs: ['q'], tag: 'not' },
        { kind: 'attention', inputs: ['q', 'k', 'q'], heads, scale: 0.5 },
      ],
    });
    // Tokens q = v = [[1, 0], [0, 1]], k = [[0, 1], [1, 0]]: K^T V = [[0, 1], [1, 0]], Q (K^T V) = K^T V.
    const x = tf.tensor([1, 0, 0, 1], [1, 1, 1, 2, 2]);
    for (const [heads, expected] of [[1, [0, 0.5, 0.5, 0]], [2, [0, 0, 0, 0]]] as const) {
      const net = build(spec(heads), { registry });
      const out = net.forward(x).output;
      expect(Array.from(out.dataSync()), `${heads} heads`).toEqual(expected);
      out.dispose();
      net.dispose();
    }
    x.dispose();
    expect(() => build({ ...spec(3) }, { registry })).toThrow(/layers\[2\]\.heads: 3 heads do not divide the 2 channels/);
  });

  it('rowSequence gives row t of the image at step t, and refuses T > height', () => {
    const spec: ModelSpec = { input: { shape: [3, 2, 1] }, timeSteps: 3, layers: [{ kind: 'rowSequence' }] };
    const net = build(spec, { registry });
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 3, 2, 1]);
    const out = net.forward(x).output;
    expect(out.arraySync()).toEqual([[[1, 2]], [[3, 4]], [[5, 6]]]);
    expect(() => build({ ...spec, timeSteps: 4 }, { registry }).forward(x)).toThrow(/timeSteps may not exceed the image height 3, got T = 4/);
    tf.dispose([x, out]);
    net.dispose();
  });

  it('a merge of a once-computed static value and a stateful one gives what T copies of the input give', async () => {
    const layers: ModelSpec['layers'] = [
      { kind: 'conv2d', filters: 3, kernelSize: 3, name: 'static' },
      { kind: 'neuron', neuron: 'plif', name: 'spikes' },
      { kind: 'add', inputs: ['static', 'spikes'] },
      { kind: 'neuron', neuron: 'lif' },
    ];
    const direct = build({ input: { shape: [5, 5, 1] }, timeSteps: T, layers }, { registry, seed: 4 });
    const sequence = build({ input: { shape: [5, 5, 1] }, timeSteps: T, encoder: { kind: 'sequence' }, layers }, { registry, seed: 4 });
    const x = tf.randomUniform([N, 5, 5, 1], -20, 20, 'float32', 8);
    const xs = tf.stack(Array.from({ length: T }, () => x));
    const a = direct.forward(x, { record: ['spikes'] });
    const b = sequence.forward(xs, { record: ['spikes'] });
    expect(await a.records.get('spikes')!.spikes.sum().data()).toEqual(await b.records.get('spikes')!.spikes.sum().data());
    expect((await a.records.get('spikes')!.spikes.sum().data())[0]).toBeGreaterThan(0);
    expect(Array.from(await a.output.data())).toEqual(Array.from(await b.output.data()));
    tf.dispose([x, xs, a.output, b.output, ...[...a.records.values(), ...b.records.values()].flatMap((r) => [r.spikes, r.v!])]);
    direct.dispose();
    sequence.dispose();
  });
});
