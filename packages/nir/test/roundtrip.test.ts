import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { build } from '@spikeflow/core';
import { buildModel, chainOf, exportNir, foldBatchNorm, importNir, readModel, readNir, type NeuronNode } from '../src/index.js';
import { cpu, inputImages, makeNetwork, record } from './support.js';

describe('NIR round trip in TypeScript', () => {
  beforeAll(cpu);

  it('folding batch norm changes membrane potentials by float rounding only', async () => {
    const net = makeNetwork();
    const folded = buildModel(foldBatchNorm(await readModel(net)));
    expect(folded.layers.map((l) => l.kind)).not.toContain('batchNorm');
    const x = inputImages(4);
    const a = await record(net, x);
    const b = await record(folded, x);
    let maxDiff = 0;
    let flips = 0;
    let total = 0;
    for (const name of Object.keys(a.v)) {
      a.v[name].forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - b.v[name][i]))));
      a.spikes[name].forEach((s, i) => (flips += s !== b.spikes[name][i] ? 1 : 0));
      total += a.spikes[name].length;
    }
    console.log(`BN folding: max |v_unfolded - v_folded| = ${maxDiff.toExponential(2)} over ${total} neuron-steps, ${flips} spikes differ`);
    expect(maxDiff).toBeLessThan(1e-5);
    expect(flips).toBe(0);
  });

  it('export then import gives the spikes of the BN-folded original, bit for bit', async () => {
    const net = makeNetwork();
    const folded = buildModel(foldBatchNorm(await readModel(net)));
    const bytes = await exportNir(net, { maxPool: 'spike-or' });
    const graph = await readNir(bytes);
    expect(chainOf(graph).map((n) => graph.nodes[n].type)).toEqual([
      'Input', 'Conv2d', 'LIF', 'SumPool2d', 'IF', 'Conv2d', 'IF', 'AvgPool2d', 'Flatten', 'Affine', 'LIF', 'Affine', 'Output',
    ]);
    const imported = buildModel(await importNir(bytes));
    expect(imported.layers.map((l) => `${l.kind}:${l.name}`)).toEqual(folded.layers.filter((l) => l.kind !== 'dropout').map((l) => `${l.kind}:${l.name}`));
    const x = inputImages(4);
    const a = await record(folded, x);
    const b = await record(imported, x);
    let spikes = 0;
    for (const name of Object.keys(a.spikes)) {
      expect(b.spikes[name]).toEqual(a.spikes[name]);
      expect(b.v[name]).toEqual(a.v[name]);
      spikes += a.spikes[name].reduce((s, v) => s + v, 0);
    }
    expect(spikes).toBeGreaterThan(50); // the comparison is not between silent networks
    expect(b.output).toEqual(a.output);
  });

  it('round-trips bit for bit with a time step dt = 1 ms too (tau in seconds, r = 1/dt for IF)', async () => {
    const net = makeNetwork(19);
    const folded = buildModel(foldBatchNorm(await readModel(net)));
    const bytes = await exportNir(net, { maxPool: 'spike-or', dt: 1e-3 });
    const graph = await readNir(bytes);
    expect(graph.metadata).toMatchObject({ dt: 1e-3, time_steps: 6, spikeflow_encoder: 'direct' });
    const lif = graph.nodes.neuron2 as NeuronNode;
    expect(lif.params.tau.data[0]).toBeCloseTo(3e-3, 9);
    expect(lif.params.r.data[0]).toBe(3); // decayInput off: r = tau in steps
    const imported = buildModel(await importNir(bytes));
    const x = inputImages(3, 5);
    const a = await record(folded, x);
    const b = await record(imported, x);
    for (const name of Object.keys(a.spikes)) {
      expect(b.spikes[name]).toEqual(a.spikes[name]);
      expect(b.v[name]).toEqual(a.v[name]);
    }
    expect(b.output).toEqual(a.output);
  });

  it('round-trips explicit conv padding (stride 2, 1 zero on each side) bit for bit, and trains through it', async () => {
    const net = build(
      {
        input: { shape: [9, 9, 2] },
        timeSteps: 3,
        layers: [
          { kind: 'conv2d', filters: 3, kernelSize: 5, stride: 2, padding: 1 },
          { kind: 'neuron', neuron: 'lif', tau: 2 },
          { kind: 'flatten' },
          { kind: 'dense', units: 2 },
        ],
      },
      { seed: 3 },
    );
    expect(net.layers[0].outputShape).toEqual([4, 4, 3]);
    const bytes = await exportNir(net);
    const graph = await readNir(bytes);
    expect(graph.nodes.conv2d0).toMatchObject({ type: 'Conv2d', padding: [1, 1], stride: [2, 2] });
    const back = buildModel(await importNir(bytes));
    expect(back.spec.layers[0]).toMatchObject({ padding: [1, 1] });
    const x = tf.randomUniform([2, 9, 9, 2], 0, 2, 'float32', 4);
    const a = await record(net, x);
    const b = await record(back, x);
    expect(a.spikes.neuron0.some((s) => s === 1)).toBe(true);
    expect(b.spikes).toEqual(a.spikes);
    expect(b.output).toEqual(a.output);
    const kernel = net.namedVariables().find((v) => v.name === 'conv2d0/kernel')!.variable;
    const grads = tf.variableGrads(() => tf.sum(net.forward(x, { training: true }).output) as tf.Scalar, [kernel]);
    const gk = grads.grads[kernel.name];
    expect(gk.shape).toEqual([5, 5, 2, 3]);
    expect((await tf.sum(tf.abs(gk)).data())[0]).toBeGreaterThan(0);
    tf.dispose([x, grads.value, gk]);
  });

  it('refuses max pooling unless asked, and says how', async () => {
    await expect(exportNir(makeNetwork())).rejects.toThrow(/"pool0": max pooling has no NIR node.*maxPool: 'spike-or'/);
  });

  it('refuses what NIR cannot express, naming the layer', async () => {
    const soft = build({ input: { shape: [4] }, layers: [{ kind: 'dense', units: 2 }, { kind: 'neuron', neuron: 'lif', vReset: null }] });
    await expect(exportNir(soft)).rejects.toThrow(/layers\[1\] "neuron0": soft reset .* since NIR 1\.0\.6 IF and LIF reset to v_reset/);
    const uneven = build({ input: { shape: [8, 8, 1] }, layers: [{ kind: 'conv2d', filters: 2, kernelSize: 3, stride: 2 }] });
    await expect(exportNir(uneven)).rejects.toThrow(/layers\[0\] "conv2d0": 'same' padding .* pads unevenly \(top 0, bottom 1, left 0, right 1\)/);
    const maxOnConv = build({ input: { shape: [8, 8, 1] }, layers: [{ kind: 'conv2d', filters: 2, kernelSize: 3 }, { kind: 'pool', pool: 'max' }] });
    await expect(exportNir(maxOnConv, { maxPool: 'spike-or' })).rejects.toThrow(/"pool0": max pooling can be exported as an OR only on binary spikes, and its input here is not spikes \(it comes from node "conv2d0"\)/);
    const bnAfterNeuron = build({ input: { shape: [4] }, layers: [{ kind: 'neuron', neuron: 'if' }, { kind: 'batchNorm' }] });
    await expect(exportNir(bnAfterNeuron)).rejects.toThrow(/"batchNorm0": batch norm can be folded only into the conv2d or dense layer it reads; here it reads a neuron layer "neuron0"/);
  });
});
