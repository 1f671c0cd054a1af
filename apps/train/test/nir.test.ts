import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { build, loadCheckpoint, saveCheckpoint, type ModelSpec } from '@spikeflow/core';
import { buildModel, foldBatchNorm, readModel } from '@spikeflow/nir';
import { main, UsageError } from '../src/index.js';

const spec: ModelSpec = {
  input: { shape: [6, 6, 1] },
  timeSteps: 4,
  layers: [
    { kind: 'conv2d', filters: 4, kernelSize: 3 },
    { kind: 'batchNorm' },
    { kind: 'neuron', neuron: 'plif', initTau: 2 },
    { kind: 'pool', pool: 'max', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 6 },
    { kind: 'neuron', neuron: 'plif' },
    { kind: 'voting', groups: 2 },
  ],
};

describe('spikeflow export / import (NIR)', () => {
  it('exports a checkpoint to NIR and imports it back into a checkpoint with the same outputs', async () => {
    await tf.setBackend('cpu');
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-nir-cli-'));
    const net = build(spec, { seed: 5 });
    await saveCheckpoint(net, `file://${join(dir, 'ckpt')}`);
    const lines: string[] = [];
    const nir = join(dir, 'model.nir');
    expect(await main(['export', '--checkpoint', join(dir, 'ckpt'), '--format', 'nir', nir, '--max-pool', 'spike-or'], (l) => lines.push(l))).toBe(0);
    expect(readFileSync(nir).subarray(1, 4).toString()).toBe('HDF');
    expect(lines[0]).toMatch(/NIR 1\.0\.7.*Input -> Conv2d -> LIF -> SumPool2d -> IF -> Flatten -> Affine -> LIF -> Affine -> Output/);

    expect(await main(['import', nir, '--out', join(dir, 'back')], (l) => lines.push(l))).toBe(0);
    expect(existsSync(join(dir, 'back', 'manifest.json'))).toBe(true);
    expect(lines[1]).toMatch(/conv2d -> neuron\(plif\) -> pool\(max\) -> flatten -> dense -> neuron\(plif\) -> voting/);
    const back = await loadCheckpoint(`file://${join(dir, 'back')}`);
    const folded = buildModel(foldBatchNorm(await readModel(net)));
    const x = tf.randomUniform([3, 6, 6, 1], 0, 2, 'float32', 9);
    expect(Array.from(await back.network.forward(x).output.data())).toEqual(Array.from(await folded.forward(x).output.data()));
  });

  it('says what is wrong with the command line or the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-nir-cli-'));
    await saveCheckpoint(build(spec, { seed: 5 }), `file://${join(dir, 'ckpt')}`);
    const quiet = () => {};
    await expect(main(['export', '--checkpoint', join(dir, 'ckpt'), join(dir, 'm.nir')], quiet)).rejects.toThrow(/max pooling has no NIR node.*--max-pool spike-or/);
    await expect(main(['export', '--checkpoint', join(dir, 'ckpt'), '--format', 'onnx', join(dir, 'm.nir')], quiet)).rejects.toThrow(UsageError);
    await expect(main(['export', '--checkpoint', join(dir, 'ckpt'), '--format', 'onnx', join(dir, 'm.nir')], quiet)).rejects.toThrow('--format: unknown format "onnx"; known: nir');
    await expect(main(['import', join(dir, 'm.nir')], quiet)).rejects.toThrow(/--out: required by "import"/);
    await expect(main(['import', join(dir, 'ckpt', 'manifest.json'), '--out', join(dir, 'x')], quiet)).rejects.toThrow(/not an HDF5 file/);
  });

  it('imports a NIR file with a nested CubaLIF subgraph and an LI readout; --cubalif-order and --missing-reset choose the open semantics', async () => {
    await tf.setBackend('cpu');
    const fixtures = join(dirname(createRequire(import.meta.url).resolve('@spikeflow/nir/package.json')), 'test', 'fixtures');
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-nir-cli-'));
    const lines: string[] = [];
    expect(await main(['import', join(fixtures, 'cuba_li.nir'), '--out', join(dir, 'cuba'), '--dt', '0.001', '--cubalif-order', 'euler'], (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/dense -> neuron\(cubalif\) -> dense -> neuron\(li\)$/);
    const cuba = await loadCheckpoint(`file://${join(dir, 'cuba')}`);
    expect(cuba.network.spec.layers[1]).toMatchObject({ neuron: 'cubalif', order: 'euler' });
    expect(await main(['import', join(fixtures, 'legacy_linear_if.nir'), '--out', join(dir, 'legacy'), '--missing-reset', 'zero'], () => {})).toBe(0);
    expect((await loadCheckpoint(`file://${join(dir, 'legacy')}`)).network.spec.layers[1]).toMatchObject({ neuron: 'if', vReset: 0 });
    await expect(main(['import', join(fixtures, 'cuba_li.nir'), '--out', join(dir, 'x'), '--cubalif-order', 'late'], () => {})).rejects.toThrow(/--cubalif-order: unknown CubaLIF update order "late"; known: current-first, euler/);
    await expect(main(['import', join(fixtures, 'cubalif.nir'), '--out', join(dir, 'y')], () => {})).rejects.toThrow(/^node "cuba": tau_mem \/ dt = /);
    expect(await main(['import', join(fixtures, 'recurrent_subgraph.nir'), '--out', join(dir, 'rec'), '--dt', '0.001'], (l) => lines.push(l))).toBe(0);
    expect(lines[lines.length - 1]).toMatch(/dense -> recurrent\(lif\)$/);
  });
});
