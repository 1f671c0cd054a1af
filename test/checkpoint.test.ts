import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, loadCheckpoint, saveCheckpoint, Trainer, type ModelSpec } from '@spikeflow/core';
import { syntheticDataset } from '@spikeflow/datasets';
import { fileHandler } from '@spikeflow/core/node';
import { cpu, tf } from './setup.js';

const spec: ModelSpec = {
  name: 'ckpt',
  input: { shape: [6, 6, 1] },
  timeSteps: 3,
  layers: [
    { kind: 'conv2d', filters: 4, kernelSize: 3 },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif', initTau: 3, detachReset: true },
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 8 },
    { kind: 'neuron', neuron: 'plif', initTau: 1.5 },
    { kind: 'voting', groups: 2 },
  ],
};

async function values(ts: tf.Tensor[]): Promise<number[][]> {
  return Promise.all(ts.map(async (t) => Array.from(await t.data())));
}

describe('checkpoints through tf.io handlers', () => {
  beforeAll(cpu);
  const data = () => syntheticDataset({ numClasses: 2, shape: [6, 6, 1], samples: 8, seed: 1 });

  it('round-trips spec, weights, optimizer state, step, epoch and the learned tau (file://)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-ckpt-'));
    const { x, labels } = data();
    const net = build(spec, { seed: 1 });
    const trainer = new Trainer(net, { optimizer: { kind: 'adam', learningRate: 1e-2 }, schedule: { kind: 'cosine', tMax: 10 } });
    trainer.setEpoch(3);
    for (let i = 0; i < 3; i++) tf.dispose(Object.values(trainer.trainStep(x, labels)));
    await saveCheckpoint(net, `file://${dir}`, { trainer, extra: { note: 'three steps' } });

    const loaded = await loadCheckpoint(`file://${dir}`);
    expect(loaded.spec).toEqual(net.spec);
    expect(loaded.meta).toMatchObject({ step: 3, epoch: 3, extra: { note: 'three steps' } });
    expect(Object.keys(loaded.meta.neurons)).toEqual(['neuron0', 'neuron1']);
    expect(loaded.meta.neurons.neuron0.tau).toBeCloseTo(1 + Math.exp(-loaded.meta.neurons.neuron0.w), 6);
    expect(await values(loaded.network.namedVariables().map((v) => v.variable))).toEqual(await values(net.namedVariables().map((v) => v.variable)));

    // Training on from the checkpoint gives exactly what training on without it gives.
    const trainer2 = new Trainer(loaded.network, { optimizer: { kind: 'adam', learningRate: 1e-2 }, schedule: { kind: 'cosine', tMax: 10 } });
    await loaded.restoreTrainer(trainer2);
    expect(trainer2.step).toBe(3);
    expect(trainer2.learningRateAt(trainer2.epoch)).toBe(trainer.learningRateAt(3));
    tf.setBackend('cpu');
    // Dropout-free network and identical inputs: steps are deterministic.
    tf.dispose(Object.values(trainer.trainStep(x, labels)));
    tf.dispose(Object.values(trainer2.trainStep(x, labels)));
    const a = await values(net.trainableVariables());
    const b = await values(loaded.network.trainableVariables());
    for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i].length; j++) expect(b[i][j]).toBeCloseTo(a[i][j], 6);
    tf.dispose([x, labels]);
    net.dispose();
    loaded.network.dispose();
  });

  it('a crash while saving leaves the last good checkpoint loadable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-ckpt-'));
    const net = build(spec, { seed: 2 });
    await saveCheckpoint(net, fileHandler(dir));
    const good = await values(net.namedVariables().map((v) => v.variable));
    // Simulate a crash mid-save: a half-written temp file of the next checkpoint next to the good one.
    writeFileSync(join(dir, 'model.json.tmp-999-1'), '{"format": "spikeflow.checkp');
    writeFileSync(join(dir, 'weights-deadbeef.bin.tmp-999-1'), Buffer.alloc(10));
    const loaded = await loadCheckpoint(fileHandler(dir));
    expect(await values(loaded.network.namedVariables().map((v) => v.variable))).toEqual(good);
    // A later save replaces the checkpoint and removes the previous weights file.
    await saveCheckpoint(loaded.network, fileHandler(dir));
    expect(readdirSync(dir).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    net.dispose();
    loaded.network.dispose();
  });

  it('reports a truncated weights file and a foreign model clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-ckpt-'));
    const net = build(spec, { seed: 2 });
    await saveCheckpoint(net, fileHandler(dir));
    const bin = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    writeFileSync(join(dir, bin), readFileSync(join(dir, bin)).subarray(0, 100));
    await expect(loadCheckpoint(fileHandler(dir))).rejects.toThrow(/weights-[0-9a-f]+\.bin is damaged: 100 bytes with sha256 [0-9a-f]+…, manifest\.json records \d+ bytes/);
    const other = mkdtempSync(join(tmpdir(), 'spikeflow-ckpt-'));
    writeFileSync(join(other, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: [], weights: [] }] }));
    await expect(loadCheckpoint(fileHandler(other))).rejects.toThrow(/not a spikeflow checkpoint/);
    await expect(loadCheckpoint('nothing://here')).rejects.toThrow(/no tf.io handler can load/);
    net.dispose();
  });
});

describe('monitors and dropout', () => {
  beforeAll(cpu);

  it('records spikes and membrane potentials of chosen neuron layers', async () => {
    const net = build(spec, { seed: 3 });
    const { x, labels } = syntheticDataset({ numClasses: 2, shape: [6, 6, 1], samples: 5, seed: 1 });
    const before = tf.memory().numTensors;
    const { output, records } = net.forward(x, { record: ['neuron0', 'neuron1'] });
    expect(output.shape).toEqual([3, 5, 2]);
    expect(records.get('neuron0')!.spikes.shape).toEqual([3, 5, 6, 6, 4]);
    expect(records.get('neuron0')!.v!.shape).toEqual([3, 5, 6, 6, 4]);
    expect(records.get('neuron1')!.v!.shape).toEqual([3, 5, 8]);
    const s = await records.get('neuron1')!.spikes.data();
    expect(Array.from(s).every((v) => v === 0 || v === 1)).toBe(true);
    // Where a neuron spiked under hard reset, its potential is vReset (0).
    const v = await records.get('neuron1')!.v!.data();
    for (let i = 0; i < s.length; i++) if (s[i] === 1) expect(v[i]).toBe(0);
    tf.dispose([output, ...[...records.values()].flatMap((r) => [r.spikes, r.v!])]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => net.forward(x, { record: ['dense0'] })).toThrow(/not a neuron layer.*neuron0, neuron1/);
    tf.dispose([x, labels]);
    net.dispose();
  });

  it('dropout draws one mask per sample and shares it over all T steps', async () => {
    const net = build({ input: { shape: [64] }, timeSteps: 5, layers: [{ kind: 'dropout', rate: 0.5 }] });
    const x = tf.ones([3, 64]);
    const out = net.forward(x, { training: true }).output; // [T, N, 64]
    const d = (await out.data()) as Float32Array;
    const perStep = 3 * 64;
    for (let t = 1; t < 5; t++) expect(Array.from(d.subarray(t * perStep, (t + 1) * perStep))).toEqual(Array.from(d.subarray(0, perStep)));
    const kept = Array.from(d.subarray(0, perStep)).filter((v) => v !== 0);
    expect(kept.every((v) => v === 2)).toBe(true); // scaled by 1 / (1 - rate)
    expect(kept.length).toBeGreaterThan(perStep * 0.3);
    expect(kept.length).toBeLessThan(perStep * 0.7);
    const evalOut = net.forward(x).output;
    expect(Array.from(await evalOut.data()).every((v) => v === 1)).toBe(true);
    tf.dispose([x, out, evalOut]);
  });
});
